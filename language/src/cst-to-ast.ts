// Builds the AST from Chevrotain's CST; tolerant of the partial nodes that error recovery leaves behind.
import type { CstNode, IToken } from 'chevrotain';
import type * as A from './ast.js';

type Child = CstNode | IToken;

function isToken(c: Child): c is IToken {
  return (c as IToken).image !== undefined;
}

const NO_CHILDREN: Child[] = [];

// A CST child list holds either rule nodes or tokens, never both (a key names a rule or a token type).
function nodes(n: CstNode | undefined, key: string): CstNode[] {
  return ((n?.children[key] ?? NO_CHILDREN) as Child[]).filter((c): c is CstNode => !isToken(c));
}
function node(n: CstNode | undefined, key: string): CstNode | undefined {
  const list = n?.children[key] as Child[] | undefined;
  if (!list) return undefined;
  for (const c of list) if (!isToken(c)) return c;
  return undefined;
}
function tokens(n: CstNode | undefined, key: string): IToken[] {
  return ((n?.children[key] ?? NO_CHILDREN) as Child[]).filter((c): c is IToken => isToken(c) && !Number.isNaN(c.startOffset));
}
/** The first real token under `key` (recovery inserts tokens with a NaN offset; they are skipped). */
function token(n: CstNode | undefined, key: string): IToken | undefined {
  const list = n?.children[key] as Child[] | undefined;
  if (!list) return undefined;
  for (const c of list) if (isToken(c) && !Number.isNaN(c.startOffset)) return c;
  return undefined;
}

function tokSpan(t: IToken): A.Span {
  return { start: t.startOffset, end: t.startOffset + t.image.length };
}

function nodeSpan(n: CstNode): A.Span {
  const loc = n.location;
  if (loc && !Number.isNaN(loc.startOffset) && loc.endOffset !== undefined && !Number.isNaN(loc.endOffset)) {
    return { start: loc.startOffset, end: loc.endOffset + 1 };
  }
  // Recovered nodes may lack a location: fall back to the extent of their tokens.
  let start = Infinity;
  let end = -Infinity;
  const visit = (c: CstNode) => {
    for (const key of Object.keys(c.children)) {
      for (const ch of c.children[key] as Child[]) {
        if (isToken(ch)) {
          if (Number.isNaN(ch.startOffset)) continue;
          start = Math.min(start, ch.startOffset);
          end = Math.max(end, ch.startOffset + ch.image.length);
        } else visit(ch);
      }
    }
  };
  visit(n);
  return Number.isFinite(start) ? { start, end } : { start: 0, end: 0 };
}

function ident(t: IToken | undefined): A.Ident | undefined {
  return t ? { kind: 'ident', name: t.image, span: tokSpan(t) } : undefined;
}

/** Splits `5ns` into 5 and "ns"; `1e3` stays a number. */
export function numberLit(text: string, span: A.Span, negative: boolean): A.NumberLit {
  const m = /^((?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)(.*)$/.exec(text);
  const digits = m ? m[1] : text;
  const unit = m && m[2] !== '' ? m[2] : undefined;
  const value = Number(digits);
  return { kind: 'number', value: negative ? -value : value, text: (negative ? '-' : '') + text, unit, span };
}

const JUNK_RULES = ['junk', 'networkJunk', 'strayBraces', 'topJunk', 'wordJunk'] as const;

/**
 * Collects the first token of every run of junk tokens (tokens where no statement can start), and of every run of
 * statements outside any network. Junk occurs only directly in the file, a network body and an attribute block.
 */
export function junkTokens(cst: CstNode | undefined): { token: IToken; kind: 'junk' | 'strayBrace' | 'orphan' }[] {
  const out: { token: IToken; kind: 'junk' | 'strayBrace' | 'orphan' }[] = [];
  if (!cst) return out;
  const blocks: CstNode[] = [cst];
  for (const top of nodes(cst, 'topItem')) {
    const net = node(top, 'networkDecl');
    const test = node(top, 'testDecl');
    if (net) {
      blocks.push(net);
      for (const st of nodes(net, 'networkStmt')) {
        const layer = node(st, 'layerDecl');
        const block = layer && node(layer, 'attrBlock');
        if (block) blocks.push(block);
      }
    }
    const tb = test && node(test, 'attrBlock');
    if (tb) blocks.push(tb);
  }
  for (const b of blocks) {
    for (const rule of JUNK_RULES) {
      for (const j of nodes(b, rule)) {
        const toks = Object.values(j.children).flat().filter((c): c is IToken => isToken(c as Child) && !Number.isNaN((c as IToken).startOffset));
        toks.sort((x, y) => x.startOffset - y.startOffset);
        // A stray ';' is an empty statement, not an error.
        const first = toks.find((t) => t.tokenType.name !== 'Semicolon');
        if (first) out.push({ token: first, kind: rule === 'strayBraces' ? 'strayBrace' : 'junk' });
      }
    }
  }
  // Runs of statements outside any network: one error at the first of each run.
  const orphans = nodes(cst, 'orphanStmt');
  if (orphans.length > 0) {
    const top = [...nodes(cst, 'topItem'), ...orphans, ...nodes(cst, 'topJunk')];
    top.sort((x, y) => nodeSpan(x).start - nodeSpan(y).start);
    let prevOrphan = false;
    for (const n of top) {
      const orphan = n.name === 'orphanStmt';
      if (orphan && !prevOrphan) {
        const t = firstToken(n);
        if (t) out.push({ token: t, kind: 'orphan' });
      }
      prevOrphan = orphan;
    }
  }
  return out;
}

export function firstToken(n: CstNode): IToken | undefined {
  let best: IToken | undefined;
  const stack = [n];
  while (stack.length) {
    const c = stack.pop()!;
    for (const key of Object.keys(c.children)) {
      for (const ch of c.children[key] as Child[]) {
        if (isToken(ch)) {
          if (!Number.isNaN(ch.startOffset) && (!best || ch.startOffset < best.startOffset)) best = ch;
        } else stack.push(ch);
      }
    }
  }
  return best;
}

/** The direct children of the file node (top-level items, statements outside any network, junk), in source order. */
export function topLevelNodes(cst: CstNode | undefined): CstNode[] {
  const out = [...nodes(cst, 'topItem'), ...nodes(cst, 'orphanStmt'), ...nodes(cst, 'topJunk')];
  if (out.length > 1 && (nodes(cst, 'orphanStmt').length > 0 || nodes(cst, 'topJunk').length > 0)) {
    out.sort((x, y) => (firstToken(x)?.startOffset ?? Infinity) - (firstToken(y)?.startOffset ?? Infinity));
  }
  return out;
}

/**
 * The parts of a network item that incremental parsing needs: its braces and its statements, when it parsed as one
 * network with nothing else in its body (no junk, no stray braces); undefined otherwise.
 */
export function networkParts(top: CstNode): { readonly open: IToken; readonly close: IToken; readonly stmts: CstNode[] } | undefined {
  const net = node(top, 'networkDecl');
  if (!net) return undefined;
  for (const k of ['wordJunk', 'networkJunk', 'strayBraces']) if (net.children[k]) return undefined;
  const open = tokens(net, 'LBrace');
  const close = tokens(net, 'RBrace');
  if (open.length !== 1 || close.length !== 1) return undefined;
  return { open: open[0], close: close[0], stmts: nodes(net, 'networkStmt') };
}

/**
 * The statements of a networkBody node (incremental parsing), undefined if it holds anything but statements or if
 * junk appears anywhere inside them (junk parses without a parser error but is reported as a syntax error).
 */
export function bodyStmts(body: CstNode): CstNode[] | undefined {
  const stack: CstNode[] = [body];
  while (stack.length) {
    const n = stack.pop()!;
    for (const key of Object.keys(n.children)) {
      if ((JUNK_RULES as readonly string[]).includes(key)) return undefined;
      for (const c of n.children[key] as Child[]) if (!isToken(c)) stack.push(c);
    }
  }
  return nodes(body, 'networkStmt');
}

export function fileToAst(cst: CstNode | undefined, comments: readonly A.Comment[], length: number): A.QnnFile {
  const items: A.TopItem[] = [];
  for (const top of nodes(cst, 'topItem')) {
    const item = topItem(top);
    if (item) items.push(item);
  }
  return { kind: 'file', items, comments, span: { start: 0, end: length } };
}

export function topItem(n: CstNode): A.TopItem | undefined {
  const imp = node(n, 'importDecl');
  if (imp) return importDecl(imp);
  const tgt = node(n, 'targetDecl');
  if (tgt) return targetDecl(tgt);
  const typ = node(n, 'typeDecl');
  if (typ) {
    const t = node(typ, 'typeExpr');
    return { kind: 'typeAlias', name: ident(token(typ, 'Identifier')), type: t ? typeExpr(t) : undefined, span: nodeSpan(typ) };
  }
  const net = node(n, 'networkDecl');
  if (net) {
    const body: A.NetworkStmt[] = [];
    for (const s of nodes(net, 'networkStmt')) {
      const st = networkStmt(s);
      if (st) body.push(st);
    }
    return { kind: 'network', name: ident(token(net, 'Identifier')), body, span: nodeSpan(net) };
  }
  const test = node(n, 'testDecl');
  if (test) {
    return {
      kind: 'test',
      name: ident(token(test, 'name')),
      network: ident(token(test, 'network')),
      attrs: attrBlock(node(test, 'attrBlock')),
      span: nodeSpan(test),
    };
  }
  return undefined;
}

function importDecl(n: CstNode): A.ImportDecl {
  const str = token(n, 'String');
  const hasList = token(n, 'LBrace') !== undefined;
  const names: A.ImportName[] = [];
  for (const inN of nodes(n, 'importName')) {
    const name = ident(token(inN, 'name'));
    if (name) names.push({ name, alias: ident(token(inN, 'alias')), span: nodeSpan(inN) });
  }
  return {
    kind: 'import',
    path: str ? stringLit(str) : undefined,
    names: hasList ? names : undefined,
    span: nodeSpan(n),
  };
}

function targetDecl(n: CstNode): A.TargetDecl {
  const num = token(n, 'Number');
  return {
    kind: 'target',
    part: partName(node(n, 'partName')),
    clock: num ? numberLit(num.image, tokSpan(num), false) : undefined,
    span: nodeSpan(n),
  };
}

/** Joins `xcu250`, `-`, `figd2104`, … back into one name. */
function partName(n: CstNode | undefined): A.Ident | undefined {
  if (!n) return undefined;
  const toks = Object.values(n.children).flat().filter((c): c is IToken => isToken(c as Child) && !Number.isNaN((c as IToken).startOffset));
  if (toks.length === 0) return undefined;
  toks.sort((a, b) => a.startOffset - b.startOffset);
  const name = toks.map((t) => t.image).join('');
  const start = toks[0].startOffset;
  const last = toks[toks.length - 1];
  return { kind: 'ident', name, span: { start, end: last.startOffset + last.image.length } };
}

export function networkStmt(n: CstNode): A.NetworkStmt | undefined {
  let key: string | undefined;
  for (const k in n.children) {
    if (k !== 'Semicolon') {
      key = k;
      break;
    }
  }
  const s = key ? node(n, key) : undefined;
  if (!s) return undefined;
  const span = nodeSpan(s);
  switch (key) {
    case 'ioStmt':
      return { kind: 'io', mode: ident(token(s, 'Identifier')), span };
    case 'reuseStmt':
      return { kind: 'reuse', value: signedNumber(node(s, 'signedNumber')), span };
    case 'precisionStmt': {
      const t = node(s, 'typeExpr');
      return { kind: 'precision', type: t ? typeExpr(t) : undefined, span };
    }
    case 'initStmt':
      return { kind: 'init', value: expr(node(s, 'expr')), span };
    case 'requireStmt':
      return {
        kind: 'require',
        budgets: nodes(s, 'budget').map((b) => ({
          metric: ident(token(b, 'Identifier')),
          op: token(b, 'LessEq') ? '<=' : token(b, 'Less') ? '<' : undefined,
          value: signedNumber(node(b, 'signedNumber')),
          span: nodeSpan(b),
        })),
        span,
      };
    case 'fifoStmt':
      return {
        kind: 'fifo',
        from: ident(token(s, 'from')),
        to: ident(token(s, 'to')),
        depth: signedNumber(node(s, 'signedNumber')),
        span,
      };
    case 'targetDecl':
      return targetDecl(s);
    case 'inputDecl': {
      const tt = node(s, 'tensorType');
      return { kind: 'input', name: ident(token(s, 'Identifier')), tensor: tt ? tensorType(tt) : undefined, span };
    }
    case 'outputStmt':
      return { kind: 'output', names: tokens(s, 'Identifier').map((t) => ident(t)!), span };
    case 'layerDecl': {
      const name = ident(token(s, 'name'));
      // A word that recovery took for the start of a layer, with no '=' after it, is garbage: drop it.
      if (!name || !token(s, 'Equals')) return undefined;
      const tt = node(s, 'tensorType');
      return {
        kind: 'layer',
        name,
        op: ident(token(s, 'op')),
        args: argList(node(s, 'argList')),
        attrs: attrBlock(node(s, 'attrBlock')),
        result: tt ? tensorType(tt) : undefined,
        recovered: s.recoveredNode === true,
        span,
      };
    }
    default:
      return undefined;
  }
}

function argList(n: CstNode | undefined): A.Arg[] {
  return nodes(n, 'arg').map((a) => {
    const nameNode = node(a, 'attrName');
    return { name: nameNode ? attrName(nameNode) : undefined, value: expr(node(a, 'expr')), span: nodeSpan(a) };
  });
}

function attrName(n: CstNode): A.Ident | undefined {
  for (const key of Object.keys(n.children)) {
    const t = token(n, key);
    if (t) return ident(t);
  }
  return undefined;
}

function attrBlock(n: CstNode | undefined): A.Attr[] {
  const out: A.Attr[] = [];
  for (const a of nodes(n, 'attr')) {
    const nameNode = node(a, 'attrName');
    const name = nameNode ? attrName(nameNode) : undefined;
    if (!name) continue;
    const head = node(a, 'head');
    const value = node(a, 'value');
    let type: A.TypeExpr | undefined;
    let val: A.Expr | undefined;
    if (head && value) {
      // `weight: coef = load(...)`: the head is the type.
      type = exprAsType(expr(head));
      val = expr(value);
    } else if (head) {
      const e = expr(head);
      if (e && e.kind === 'typeValue') type = e.type;
      else val = e;
    } else if (value) {
      val = expr(value);
    }
    out.push({ name, type, value: val, span: nodeSpan(a) });
  }
  return out;
}

/** Reads an expression as a type (`coef`, `fixed<8, 1>`), or undefined when it cannot be one. */
export function exprAsType(e: A.Expr | undefined): A.TypeExpr | undefined {
  if (!e) return undefined;
  if (e.kind === 'typeValue') return e.type;
  if (e.kind === 'name') return { kind: 'typeRef', name: { ...e.name, span: { ...e.name.span } }, span: { ...e.span } };
  return undefined;
}

function tensorType(n: CstNode): A.TensorTypeExpr {
  const hasShape = token(n, 'LBracket') !== undefined;
  return {
    // The type is inlined in tensorType: a fixedType node or an Identifier token.
    type: typeExpr(n),
    shape: hasShape ? nodes(n, 'signedNumber').map((s) => signedNumber(s)).filter((x): x is A.NumberLit => !!x) : undefined,
    span: nodeSpan(n),
  };
}

function typeExpr(n: CstNode): A.TypeExpr | undefined {
  const f = node(n, 'fixedType');
  if (f) return fixedType(f);
  const id = ident(token(n, 'Identifier'));
  return id ? { kind: 'typeRef', name: id, span: { ...id.span } } : undefined;
}

function fixedType(n: CstNode): A.FixedTypeExpr {
  const baseTok = token(n, 'Fixed') ?? token(n, 'Ufixed') ?? token(n, 'Int') ?? token(n, 'Uint');
  const base = (baseTok?.image ?? 'fixed') as A.FixedBase;
  // Arguments in source order: numbers and mode names interleave, so sort by offset.
  const args: (A.NumberLit | A.Ident)[] = [];
  for (const s of nodes(n, 'signedNumber')) {
    const num = signedNumber(s);
    if (num) args.push(num);
  }
  for (const t of tokens(n, 'Identifier')) args.push(ident(t)!);
  args.sort((a, b) => a.span.start - b.span.start);
  return { kind: 'fixedType', base, args, span: nodeSpan(n) };
}

function signedNumber(n: CstNode | undefined): A.NumberLit | undefined {
  const num = token(n, 'Number');
  if (!num) return undefined;
  const minus = token(n, 'Minus');
  const span = { start: minus ? minus.startOffset : num.startOffset, end: num.startOffset + num.image.length };
  return numberLit(num.image, span, minus !== undefined);
}

function stringLit(t: IToken): A.StringLit {
  const body = t.image.startsWith('"') ? t.image.slice(1, t.image.endsWith('"') && t.image.length > 1 ? -1 : undefined) : t.image;
  const closed = t.image.length > 1 && t.image.endsWith('"') && t.tokenType.name === 'String';
  return { kind: 'string', value: body.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : c)), closed, span: tokSpan(t) };
}

function expr(n: CstNode | undefined): A.Expr | undefined {
  if (!n) return undefined;
  if (n.children.Number) return signedNumber(n);
  const str = token(n, 'String') ?? token(n, 'BadString');
  if (str) return stringLit(str);
  const arr = node(n, 'arrayLit');
  if (arr) {
    const elements = nodes(arr, 'expr').map(expr).filter((e): e is A.Expr => !!e);
    return { kind: 'array', elements, span: nodeSpan(arr) };
  }
  const ft = node(n, 'fixedType');
  if (ft) {
    const type = fixedType(ft);
    return { kind: 'typeValue', type, span: { ...type.span } };
  }
  const id = ident(token(n, 'Identifier'));
  if (!id) return undefined;
  const args = node(n, 'argList');
  if (args) return { kind: 'call', callee: id, args: argList(args), span: nodeSpan(n) };
  return { kind: 'name', name: id, span: { ...id.span } };
}
