// The .qnn formatter: prints the AST in the canonical layout, keeps every comment, and refuses files with syntax errors.
//
// Three stages. (1) The code is printed from the AST without comments, with a small Wadler/Prettier-style layout
// engine for what may wrap (arguments, arrays, import lists); the printer records "anchors", the output lines that
// start a statement, an attribute or a closing brace. (2) The printed code is lexed and its tokens are aligned with
// the source tokens, which tells on which output line each source token landed (and proves that no token was lost).
// (3) Each comment is placed relative to the source tokens around it: trailing on the output line of the code it
// follows on the same source line, otherwise on its own line before the next anchor. Finally the result is parsed
// again and compared with the input (AST without spans, comments in order); any difference is reported as an
// internal error instead of returning text that lost something.
import { LineIndex } from './line-index.js';
import type { IToken, TokenType } from 'chevrotain';
import type * as A from './ast.js';
import { assertNever } from './fixed-type.js';
import * as T from './lexer.js';
import { parse } from './parse.js';

export interface FormatOptions {
  /** Spaces per nesting level (default 2; an integer from 0 to 16). */
  readonly indent?: number;
  /** The width the layout tries to stay within (default 100; an integer from 20 to 10000). Comments may exceed it. */
  readonly maxLineLength?: number;
}

export type FormatResult =
  | { readonly ok: true; readonly text: string; readonly changed: boolean }
  | { readonly ok: false; readonly reason: string };

/** The reason given for files that do not parse: formatting them could drop the text the parser skipped. */
export const FORMAT_SYNTAX_ERRORS = 'the file has syntax errors';

export function format(text: string, opts: FormatOptions = {}): FormatResult {
  const indent = opts.indent ?? 2;
  const maxLineLength = opts.maxLineLength ?? 100;
  if (!Number.isInteger(indent) || indent < 0 || indent > 16) {
    return { ok: false, reason: 'the indent option must be an integer from 0 to 16' };
  }
  if (!Number.isInteger(maxLineLength) || maxLineLength < 20 || maxLineLength > 10000) {
    return { ok: false, reason: 'the maxLineLength option must be an integer from 20 to 10000' };
  }
  try {
    return formatChecked(text, { indent, maxLineLength });
  } catch (e) {
    if (e instanceof Unformattable) return { ok: false, reason: e.message };
    // Only a formatter bug (or an AST shape the printer does not know) gets here; the caller keeps its text.
    const msg = e instanceof Error ? e.message : String(e);
    return { ok: false, reason: `internal formatter error (${msg}); the file was left unchanged` };
  }
}

interface Settings {
  readonly indent: number;
  readonly maxLineLength: number;
}

function formatChecked(text: string, settings: Settings): FormatResult {
  const { ast, diagnostics } = parse(text);
  if (diagnostics.some((d) => d.code.startsWith('QNN1'))) return { ok: false, reason: FORMAT_SYNTAX_ERRORS };

  const src = new Source(text, T.qnnLexer.tokenize(text).tokens, ast.comments);
  const code = new CodePrinter(src, settings);
  code.file(ast);

  const codeText = code.lines.join('\n');
  const tokenLines = alignTokens(src.tokens, T.qnnLexer.tokenize(codeText).tokens, new LineIndex(codeText));
  if (!tokenLines) return internal('the printed code does not match the source tokens');

  const lines = placeComments(src, code, tokenLines, settings);
  const out = lines.length > 0 ? lines.join('\n') + '\n' : '';

  const problem = verify(ast, out);
  if (problem) return internal(problem);
  return { ok: true, text: out, changed: out !== text };
}

function internal(problem: string): FormatResult {
  return { ok: false, reason: `internal formatter error: ${problem}; the file was left unchanged` };
}

// ---- the source: tokens and comments, searchable by offset --------------------------------------------------------

class Source {
  constructor(
    readonly text: string,
    readonly tokens: readonly IToken[],
    readonly comments: readonly A.Comment[],
  ) {}

  /** Index of the first token that starts at or after `offset` (tokens.length if none). */
  tokenIndexFrom(offset: number): number {
    let lo = 0;
    let hi = this.tokens.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.tokens[mid].startOffset < offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The first token of a type inside a span. */
  findToken(span: A.Span, type: TokenType, from = span.start): IToken | undefined {
    for (let i = this.tokenIndexFrom(from); i < this.tokens.length && this.tokens[i].startOffset < span.end; i++) {
      if (this.tokens[i].tokenType === type) return this.tokens[i];
    }
    return undefined;
  }

  /** The last token that starts inside a span. */
  lastToken(span: A.Span): IToken | undefined {
    const i = this.tokenIndexFrom(span.end) - 1;
    return i >= 0 && this.tokens[i].startOffset >= span.start ? this.tokens[i] : undefined;
  }

  /** The tokens that lie inside [start, end). */
  tokensBetween(start: number, end: number): IToken[] {
    const out: IToken[] = [];
    for (let i = this.tokenIndexFrom(start); i < this.tokens.length && this.tokens[i].startOffset < end; i++) out.push(this.tokens[i]);
    return out;
  }

  /** 1-based line number of an offset (for messages only). */
  lineOf(offset: number): number {
    let n = 1;
    for (let i = 0; i < offset && i < this.text.length; i++) if (this.text.charCodeAt(i) === 10) n++;
    return n;
  }

  /** True when a comment starts strictly between two offsets (inside a pair of braces, say). */
  hasCommentBetween(start: number, end: number): boolean {
    let lo = 0;
    let hi = this.comments.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.comments[mid].span.start <= start) lo = mid + 1;
      else hi = mid;
    }
    return lo < this.comments.length && this.comments[lo].span.start < end;
  }

  /** True when the whitespace right before `offset` holds a blank line (two or more line breaks). */
  blankLineBefore(offset: number): boolean {
    let breaks = 0;
    for (let i = offset - 1; i >= 0; i--) {
      const ch = this.text.charCodeAt(i);
      if (ch === 10) breaks++;
      else if (ch === 13) {
        if (this.text.charCodeAt(i + 1) !== 10) breaks++; // a lone CR is a line break; CR LF counts once
      } else if (ch !== 32 && ch !== 9 && ch !== 12 && ch !== 11) break;
      if (breaks >= 2) return true;
    }
    return false;
  }
}

// ---- the layout engine ----------------------------------------------------------------------------------------------

/**
 * A document to lay out. `line` is a space, `softline` nothing, when their group is printed flat, and a line break
 * (indented to the enclosing `indent` level) when it is broken. A group is flat when all of it and the text after it
 * up to the next possible break fit the line. `fill` is a comma-separated list that breaks only where the next item
 * would not fit. `hug` is a call whose last argument is an array: flat if it fits, else with that array broken
 * between the call's parentheses (`f(a, [` … `])`) when the array would not fit a line of its own anyway and the
 * text up to its `[` fits, else one argument per line.
 */
type Doc = string | readonly Doc[] | DocLine | DocIndent | DocGroup | DocFill | DocHug;

interface DocLine {
  readonly kind: 'line';
  readonly soft: boolean;
}
interface DocIndent {
  readonly kind: 'indent';
  readonly doc: Doc;
}
interface DocGroup {
  readonly kind: 'group';
  readonly doc: Doc;
  /** Always broken: the array of a hugged call. */
  readonly broken: boolean;
}
interface DocFill {
  readonly kind: 'fill';
  readonly items: readonly string[];
}
interface DocHug {
  readonly kind: 'hug';
  /** The call as a group: flat, or one argument per line. */
  readonly call: DocGroup;
  /** The call with its last argument's array forced broken. */
  readonly hugged: Doc;
  /** The last argument, to measure whether it fits a line of its own. */
  readonly last: Doc;
}

const line: DocLine = { kind: 'line', soft: false };
const softline: DocLine = { kind: 'line', soft: true };
function indentDoc(doc: Doc): DocIndent {
  return { kind: 'indent', doc };
}
function group(doc: Doc, broken = false): DocGroup {
  return { kind: 'group', doc, broken };
}
function join(docs: readonly Doc[], sep: Doc): Doc[] {
  const out: Doc[] = [];
  docs.forEach((d, i) => {
    if (i > 0) out.push(sep);
    out.push(d);
  });
  return out;
}

const BREAK = 0;
const FLAT = 1;
type Mode = typeof BREAK | typeof FLAT;

interface Cmd {
  readonly level: number;
  readonly mode: Mode;
  readonly doc: Doc;
}

/** Lays out a document starting at nesting `level`; returns the lines, indented, without line breaks. */
function render(doc: Doc, level: number, settings: Settings): string[] {
  const pad = (lvl: number) => ' '.repeat(lvl * settings.indent);
  const lines: string[] = [];
  let cur = pad(level);
  const cmds: Cmd[] = [{ level, mode: BREAK, doc }];
  while (cmds.length > 0) {
    const cmd = cmds.pop()!;
    const d = cmd.doc;
    if (typeof d === 'string') {
      cur += d;
      continue;
    }
    if (isDocArray(d)) {
      for (let i = d.length - 1; i >= 0; i--) cmds.push({ level: cmd.level, mode: cmd.mode, doc: d[i] });
      continue;
    }
    switch (d.kind) {
      case 'line':
        if (cmd.mode === FLAT) {
          if (!d.soft) cur += ' ';
        } else {
          lines.push(cur.trimEnd());
          cur = pad(cmd.level);
        }
        break;
      case 'indent':
        cmds.push({ level: cmd.level + 1, mode: cmd.mode, doc: d.doc });
        break;
      case 'group': {
        if (cmd.mode === FLAT || d.broken) {
          cmds.push({ level: cmd.level, mode: d.broken ? BREAK : FLAT, doc: d.doc });
        } else {
          const flat: Cmd = { level: cmd.level, mode: FLAT, doc: d.doc };
          cmds.push(fits(flat, cmds, settings.maxLineLength - cur.length, false) ? flat : { ...flat, mode: BREAK });
        }
        break;
      }
      case 'fill':
        if (cmd.mode === FLAT) {
          cur += d.items.join(', ');
        } else {
          // Greedy filling: an item joins the line when it fits there with the comma that follows it.
          d.items.forEach((item, i) => {
            if (i === 0) {
              cur += item;
              return;
            }
            const need = 2 + item.length + (i < d.items.length - 1 ? 1 : 0);
            if (cur.length + need <= settings.maxLineLength) {
              cur += ', ' + item;
            } else {
              lines.push(cur + ',');
              cur = pad(cmd.level) + item;
            }
          });
        }
        break;
      case 'hug': {
        const flat: Cmd = { level: cmd.level, mode: FLAT, doc: d.call.doc };
        const room = settings.maxLineLength - cur.length;
        if (cmd.mode === FLAT || fits(flat, cmds, room, true)) {
          cmds.push(flat);
          break;
        }
        // In the hugged layout, the forced-broken array ends the measured text at its `[`.
        const hugged: Cmd = { level: cmd.level, mode: FLAT, doc: d.hugged };
        const ownLine = settings.maxLineLength - (cmd.level + 1) * settings.indent;
        const lastFitsOwnLine = fits({ level: cmd.level + 1, mode: FLAT, doc: d.last }, [], ownLine, true);
        cmds.push(!lastFitsOwnLine && fits(hugged, cmds, room, false) ? hugged : { level: cmd.level, mode: BREAK, doc: d.call.doc });
        break;
      }
      default:
        assertNever(d);
    }
  }
  lines.push(cur.trimEnd());
  return lines;
}

function isDocArray(d: Doc): d is readonly Doc[] {
  return Array.isArray(d);
}

/**
 * True when `next` (then the commands after it, up to their first line break) fits in `width` columns. Groups
 * inside are measured in the mode of their context, as they would be printed; `mustBeFlat` rejects forced breaks.
 */
function fits(next: Cmd, rest: readonly Cmd[], width: number, mustBeFlat: boolean): boolean {
  const stack: { mode: Mode; doc: Doc }[] = [{ mode: next.mode, doc: next.doc }];
  let restIdx = rest.length;
  while (width >= 0) {
    const top = stack.pop() ?? (restIdx > 0 ? rest[--restIdx] : undefined);
    if (!top) return true;
    const d = top.doc;
    if (typeof d === 'string') {
      width -= d.length;
      continue;
    }
    if (isDocArray(d)) {
      for (let i = d.length - 1; i >= 0; i--) stack.push({ mode: top.mode, doc: d[i] });
      continue;
    }
    switch (d.kind) {
      case 'line':
        if (top.mode === BREAK) return true;
        if (!d.soft) width -= 1;
        break;
      case 'indent':
        stack.push({ mode: top.mode, doc: d.doc });
        break;
      case 'group':
        if (mustBeFlat && d.broken) return false;
        stack.push({ mode: d.broken ? BREAK : top.mode, doc: d.doc });
        break;
      case 'fill':
        if (top.mode === FLAT || d.items.length < 2) {
          for (const item of d.items) width -= item.length;
          width -= 2 * Math.max(0, d.items.length - 1);
        } else {
          return width - d.items[0].length >= 0;
        }
        break;
      case 'hug':
        stack.push({ mode: top.mode, doc: d.call.doc });
        break;
      default:
        assertNever(d);
    }
  }
  return false;
}

// ---- printing the code ----------------------------------------------------------------------------------------------

/** An output line where comments may be placed before: a statement, an attribute, a closing brace, the file's end. */
interface Anchor {
  readonly kind: 'item' | 'close' | 'end';
  /** Source offset of the anchor's first token (the file length for the end). */
  readonly src: number;
  /** Index of the anchor's first line in the printed code (the number of lines for the end). */
  readonly line: number;
  /** Nesting level of comments placed before the anchor (inside the block for a closing brace). */
  readonly commentLevel: number;
}

class CodePrinter {
  readonly lines: string[] = [];
  /** Lines that end with a block's `{`: no blank line may follow them. */
  readonly openers: boolean[] = [];
  readonly anchors: Anchor[] = [];

  private readonly docs: DocBuilder;

  constructor(
    private readonly src: Source,
    private readonly settings: Settings,
  ) {
    this.docs = new DocBuilder(src);
  }

  file(ast: A.QnnFile): void {
    for (const item of ast.items) this.topItem(item);
    this.anchors.push({ kind: 'end', src: this.src.text.length, line: this.lines.length, commentLevel: 0 });
  }

  private emit(doc: Doc, level: number, anchor?: { readonly kind: 'item' | 'close'; readonly src: number }, opener = false): void {
    if (anchor) {
      const commentLevel = anchor.kind === 'close' ? level + 1 : level;
      this.anchors.push({ kind: anchor.kind, src: anchor.src, line: this.lines.length, commentLevel });
    }
    for (const l of render(doc, level, this.settings)) {
      this.lines.push(l);
      this.openers.push(false);
    }
    if (opener) this.openers[this.openers.length - 1] = true;
  }

  private topItem(item: A.TopItem): void {
    const at = { kind: 'item', src: item.span.start } as const;
    switch (item.kind) {
      case 'import':
        this.emit(this.docs.import(item), 0, at);
        break;
      case 'target':
        this.emit(targetText(item), 0, at);
        break;
      case 'typeAlias':
        this.emit(`type ${need(item.name).name} = ${typeText(need(item.type))}`, 0, at);
        break;
      case 'network':
        this.block(`network ${need(item.name).name}`, item.span, 0, item.body.length > 0, () => {
          for (const s of item.body) this.networkStmt(s, 1);
        });
        break;
      case 'test':
        this.block(`test ${need(item.name).name} for ${need(item.network).name}`, item.span, 0, item.attrs.length > 0, () => {
          for (const a of item.attrs) this.emit(this.docs.attr(a), 1, { kind: 'item', src: a.span.start });
        });
        break;
      default:
        assertNever(item);
    }
  }

  /**
   * A network or test: `head {`, the contents one level deeper, `}`; an empty block without comments is `head {}`.
   * A test's attributes always go one per line: the one-line block is for layers, where it trails a short statement.
   */
  private block(head: string, span: A.Span, level: number, hasContents: boolean, contents: () => void): void {
    const open = need(this.src.findToken(span, T.LBrace));
    const close = need(this.src.lastToken(span));
    if (!hasContents && !this.src.hasCommentBetween(open.startOffset, close.startOffset)) {
      this.emit(`${head} {}`, level, { kind: 'item', src: span.start });
      return;
    }
    this.emit(`${head} {`, level, { kind: 'item', src: span.start }, true);
    contents();
    this.emit('}', level, { kind: 'close', src: close.startOffset });
  }

  private networkStmt(s: A.NetworkStmt, level: number): void {
    const at = { kind: 'item', src: s.span.start } as const;
    switch (s.kind) {
      case 'io':
        this.emit(`io ${need(s.mode).name}`, level, at);
        break;
      case 'reuse':
        this.emit(`reuse ${need(s.value).text}`, level, at);
        break;
      case 'precision':
        this.emit(`precision ${typeText(need(s.type))}`, level, at);
        break;
      case 'init':
        this.emit(['init ', this.docs.expr(need(s.value))], level, at);
        break;
      case 'require':
        this.emit(`require ${s.budgets.map(budgetText).join(', ')}`, level, at);
        break;
      case 'fifo':
        this.emit(
          s.from || s.to
            ? `fifo ${need(s.from).name} -> ${need(s.to).name} depth ${need(s.depth).text}`
            : `fifo ${need(s.depth).text}`,
          level,
          at,
        );
        break;
      case 'target':
        this.emit(targetText(s), level, at);
        break;
      case 'input':
        this.emit(`input ${need(s.name).name} : ${tensorText(need(s.tensor))}`, level, at);
        break;
      case 'layer':
        this.layer(s, level);
        break;
      case 'output':
        this.emit(`output ${s.names.map((n) => n.name).join(', ')}`, level, at);
        break;
      default:
        assertNever(s);
    }
  }

  /**
   * `name = op(args)`, then the attribute block and ` : type`. The block is on one line (`{ table: 1024 }`) when it
   * has exactly one attribute, that attribute is not `name: type = value` and its value is not an array, no comment
   * lies between the braces, and the whole statement fits on one line; otherwise one attribute per line.
   */
  private layer(s: A.LayerDecl, level: number): void {
    const at = { kind: 'item', src: s.span.start } as const;
    const head: Doc = [s.name.name, ' = ', this.docs.call(need(s.op).name, s.args)];
    const result: Doc = s.result ? ` : ${tensorText(s.result)}` : '';
    const open = this.src.findToken(s.span, T.LBrace);
    const close = open ? this.src.findToken(s.span, T.RBrace, open.startOffset) : undefined;
    const commented = open !== undefined && close !== undefined && this.src.hasCommentBetween(open.startOffset, close.startOffset);

    if (s.attrs.length === 0 && !commented) {
      // An empty `{}` says nothing (the AST cannot even tell it from no block): it is dropped.
      this.emit([head, result], level, at);
      return;
    }
    if (s.attrs.length === 1 && !commented) {
      const a = s.attrs[0];
      const oneLine: Doc = [head, ' { ', this.docs.attr(a), ' }', result];
      const short = !(a.type && a.value) && a.value?.kind !== 'array';
      const width = this.settings.maxLineLength - level * this.settings.indent;
      if (short && fits({ level, mode: FLAT, doc: oneLine }, [], width, true)) {
        this.emit(oneLine, level, at);
        return;
      }
    }
    this.emit([head, ' {'], level, at, true);
    for (const a of s.attrs) this.emit(this.docs.attr(a), level + 1, { kind: 'item', src: a.span.start });
    this.emit(['}', result], level, { kind: 'close', src: need(close).startOffset });
  }
}

/**
 * A file the printer cannot reproduce because the AST lacks part of its text (see `DocBuilder.attr`): reported as
 * the reason, not as an internal error.
 */
class Unformattable extends Error {}

/** Builds the documents of the parts of a statement that may wrap: expressions, attributes, import lists. */
class DocBuilder {
  constructor(private readonly src: Source) {}

  import(d: A.ImportDecl): Doc {
    const path = this.string(need(d.path));
    if (!d.names) return `import ${path}`;
    if (d.names.length === 0) return `import {} from ${path}`;
    const names = d.names.map((n) => (n.alias ? `${n.name.name} as ${n.alias.name}` : n.name.name));
    return group(['import {', indentDoc([line, { kind: 'fill', items: names }]), line, `} from ${path}`]);
  }

  /**
   * `name: type = value`, `name: type` or `name: value`. A value that is a fixed-point type keeps `name = fixed<…>`:
   * written with a colon it would be read as the attribute's type, a different AST.
   */
  attr(a: A.Attr): Doc {
    this.checkAttr(a);
    if (a.type && a.value) return [a.name.name, ': ', typeText(a.type), ' = ', this.expr(a.value)];
    if (a.type) return `${a.name.name}: ${typeText(a.type)}`;
    const v = need(a.value);
    return [a.name.name, v.kind === 'typeValue' ? ' = ' : ': ', this.expr(v)];
  }

  /**
   * The parser accepts `name: HEAD = value` for any expression HEAD but keeps HEAD only when it reads as a type;
   * `weight: 5 = load(…)` loses the 5. Printing would delete it, so such a file is refused.
   */
  private checkAttr(a: A.Attr): void {
    const parts: [number, number, readonly TokenType[]][] = [];
    if (a.type && a.value) {
      parts.push([a.name.span.end, a.type.span.start, [T.Colon]], [a.type.span.end, a.value.span.start, [T.Equals]]);
    } else if (a.type) {
      parts.push([a.name.span.end, a.type.span.start, [T.Colon]]);
    } else if (a.value) {
      parts.push([a.name.span.end, a.value.span.start, [T.Colon, T.Equals]]);
    }
    for (const [from, to, allowed] of parts) {
      const between = this.src.tokensBetween(from, to);
      if (between.length !== 1 || !allowed.includes(between[0].tokenType)) {
        throw new Unformattable(
          `line ${this.src.lineOf(a.span.start)}: the part before '=' in attribute '${a.name.name}' is not a type, and the parser drops it; correct the attribute first`,
        );
      }
    }
  }

  expr(e: A.Expr, forceBreak = false): Doc {
    switch (e.kind) {
      case 'number':
      case 'string':
      case 'name':
      case 'typeValue':
        return this.scalar(e);
      case 'array':
        return this.array(e, forceBreak);
      case 'call':
        return this.call(e.callee.name, e.args);
      default:
        return assertNever(e);
    }
  }

  /**
   * One line if it fits. Otherwise an array of scalars fills lines up to the limit (`[`, rows of items, `]`), and an
   * array of arrays or calls puts each element on its own line, each laid out by the same rule one level deeper.
   */
  private array(a: A.ArrayLit, forceBreak: boolean): Doc {
    if (a.elements.length === 0) return '[]';
    const inner: Doc = a.elements.every(isScalar)
      ? { kind: 'fill', items: a.elements.map((e) => this.scalar(e)) }
      : join(
          a.elements.map((e) => this.expr(e)),
          [',', line],
        );
    return group(['[', indentDoc([softline, inner]), softline, ']'], forceBreak);
  }

  /**
   * `f(a, b)` if it fits. A call with one scalar argument (`load("…")`) never breaks: its own line would not be
   * shorter by much, and the path reads better whole. Otherwise, when the last argument is an array that would not
   * fit a line of its own, `f(a, [` … `])` with the array broken; else one argument per line.
   */
  call(callee: string, args: readonly A.Arg[]): Doc {
    if (args.length === 0) return `${callee}()`;
    const arg = (a: A.Arg, forceBreak = false): Doc => {
      const v = this.expr(need(a.value), forceBreak);
      return a.name ? [a.name.name, ': ', v] : v;
    };
    if (args.length === 1 && isScalar(need(args[0].value))) return [callee, '(', arg(args[0]), ')'];
    const call = group([callee, '(', indentDoc([softline, join(args.map((a) => arg(a)), [',', line])]), softline, ')']);
    const last = args[args.length - 1];
    if (last.value?.kind !== 'array' || last.value.elements.length === 0) return call;
    const hugged: Doc = [callee, '(', ...args.slice(0, -1).map((a) => [arg(a), ', ']), arg(last, true), ')'];
    return { kind: 'hug', call, hugged, last: arg(last) };
  }

  private scalar(e: A.Expr): string {
    switch (e.kind) {
      case 'number':
        return e.text;
      case 'string':
        return this.string(e);
      case 'name':
        return e.name.name;
      case 'typeValue':
        return typeText(e.type);
      case 'array':
      case 'call':
        throw new Error(`${e.kind} is not a scalar`);
      default:
        return assertNever(e);
    }
  }

  /**
   * Re-escaped from the value: the parser reads \n and \t as line break and tab, and a backslash before any other
   * character as that character. A string with a backslash before anything but n, t, \ or " (`"C:\data\x.npy"`) is
   * kept as written: the backslash is almost certainly meant, and re-escaping would silently delete it.
   */
  private string(s: A.StringLit): string {
    const written = this.src.text.slice(s.span.start, s.span.end);
    if (/\\[^nt\\"]/.test(written.replace(/\\\\/g, ''))) return written;
    return '"' + s.value.replace(/[\\"\n\t]/g, (c) => (c === '\n' ? '\\n' : c === '\t' ? '\\t' : '\\' + c)) + '"';
  }
}

/** The parser leaves parts undefined only after a syntax error, and such files are never printed. */
function need<X>(x: X | undefined): X {
  if (x === undefined) throw new Error('an AST node lacks a part');
  return x;
}

function isScalar(e: A.Expr): boolean {
  return e.kind === 'number' || e.kind === 'string' || e.kind === 'name' || e.kind === 'typeValue';
}

function targetText(d: A.TargetDecl): string {
  return `target ${need(d.part).name}` + (d.clock ? ` clock ${d.clock.text}` : '');
}

function budgetText(b: A.Budget): string {
  return `${need(b.metric).name} ${need(b.op)} ${need(b.value).text}`;
}

function typeText(t: A.TypeExpr): string {
  switch (t.kind) {
    case 'fixedType':
      return `${t.base}<${t.args.map((a) => (a.kind === 'number' ? a.text : a.name)).join(', ')}>`;
    case 'typeRef':
      return t.name.name;
    default:
      return assertNever(t);
  }
}

function tensorText(t: A.TensorTypeExpr): string {
  return typeText(need(t.type)) + (t.shape ? `[${t.shape.map((n) => n.text).join(', ')}]` : '');
}

// ---- aligning the printed code with the source ---------------------------------------------------------------------

/**
 * For each source token, the output line it was printed on. The printer keeps every token in order except the
 * optional separators (`;`, the commas between attributes), an empty attribute block's braces, and `=` written as
 * `:` in an attribute; a string may be re-escaped. Anything else means the printer lost a token: undefined.
 * Dropped tokens get the line of the token before them.
 */
function alignTokens(src: readonly IToken[], out: readonly IToken[], outLines: LineIndex): Int32Array | undefined {
  const lines = new Int32Array(src.length);
  let j = 0;
  let lastLine = 0;
  for (let i = 0; i < src.length; i++) {
    const s = src[i];
    const o = out[j] as IToken | undefined;
    if (o && sameToken(s, o)) {
      lastLine = outLines.positionAt(o.startOffset).line;
      lines[i] = lastLine;
      j++;
    } else if (s.tokenType === T.Semicolon || s.tokenType === T.Comma || s.tokenType === T.LBrace || s.tokenType === T.RBrace) {
      lines[i] = lastLine;
    } else {
      return undefined;
    }
  }
  return j === out.length ? lines : undefined;
}

function sameToken(s: IToken, o: IToken): boolean {
  if (s.tokenType === T.Equals && o.tokenType === T.Colon) return true;
  if (s.tokenType !== o.tokenType) return false;
  // Strings are compared by value in `verify` (the AST holds them unescaped).
  return s.tokenType === T.StringTok || s.image === o.image;
}

// ---- placing the comments ------------------------------------------------------------------------------------------

/** A comment's text as printed: line breaks become LF and no line keeps trailing blanks. */
function normalizedCommentText(c: A.Comment): string {
  if (c.line) return c.text.replace(/[ \t\f\v]+$/, '');
  return c.text
    .split(/\r\n|\r|\n/)
    .map((l) => l.replace(/[ \t\f\v]+$/, ''))
    .join('\n');
}

interface Leading {
  readonly comments: readonly A.Comment[];
  readonly blankBefore: boolean;
}

/**
 * Comments on one source line with nothing but blanks between them form a group that stays on one line. A group
 * that follows code on the same source line trails the output line where that code landed (two spaces, then the
 * comments); any other group goes on its own line(s) before the next anchor, at the anchor's indentation. Two rules
 * keep the order of comments and the code intact: a group never goes before (in output order) one already placed,
 * and nothing trails a line comment; such groups go before the next anchor instead.
 */
function placeComments(src: Source, code: CodePrinter, tokenLines: Int32Array, settings: Settings): string[] {
  const { text, tokens } = src;
  const trailing = new Map<number, A.Comment[]>();
  const leading = new Map<number, Leading[]>();
  const comments = src.comments;
  const anchors = code.anchors;

  let cursor = -1; // output position of the last group: 2·line for "before the line", 2·line + 1 for "after it"
  for (let k = 0; k < comments.length; ) {
    let end = k + 1;
    while (end < comments.length && /^[ \t\f\v]*$/.test(text.slice(comments[end - 1].span.end, comments[end].span.start))) end++;
    const groupComments = comments.slice(k, end);
    k = end;

    const first = groupComments[0];
    const prev = src.tokenIndexFrom(first.span.start) - 1;
    if (prev >= 0) {
      const p = tokens[prev];
      const sameLine = !/[\r\n]/.test(text.slice(p.startOffset + p.image.length, first.span.start));
      const L = tokenLines[prev];
      const there = trailing.get(L);
      const afterLineComment = there !== undefined && there[there.length - 1].line;
      if (sameLine && 2 * L + 1 >= cursor && !afterLineComment) {
        if (there) there.push(...groupComments);
        else trailing.set(L, [...groupComments]);
        cursor = 2 * L + 1;
        continue;
      }
    }
    const ai = firstAnchorAfter(anchors, first.span.start);
    const list = leading.get(ai) ?? [];
    list.push({ comments: groupComments, blankBefore: src.blankLineBefore(first.span.start) });
    leading.set(ai, list);
    cursor = 2 * anchors[ai].line;
  }

  const out: string[] = [];
  let afterOpener = true; // the file's start, like a block's `{`, takes no blank line after it
  let lastBlank = false;
  const blank = (wanted: boolean) => {
    if (wanted && !afterOpener && !lastBlank && out.length > 0) {
      out.push('');
      lastBlank = true;
    }
  };
  const groupText = (cs: readonly A.Comment[]) => cs.map(normalizedCommentText).join(' ');

  anchors.forEach((a, ai) => {
    for (const g of leading.get(ai) ?? []) {
      blank(g.blankBefore);
      out.push(' '.repeat(a.commentLevel * settings.indent) + groupText(g.comments));
      afterOpener = false;
      lastBlank = false;
    }
    if (a.kind === 'item') blank(src.blankLineBefore(a.src));
    const stop = ai + 1 < anchors.length ? anchors[ai + 1].line : code.lines.length;
    for (let l = a.line; l < stop; l++) {
      const t = trailing.get(l);
      out.push(t ? `${code.lines[l]}  ${groupText(t)}` : code.lines[l]);
      afterOpener = code.openers[l];
      lastBlank = false;
    }
  });
  return out;
}

/** Index of the first anchor that starts after `offset` (the end anchor is after everything). */
function firstAnchorAfter(anchors: readonly Anchor[], offset: number): number {
  let lo = 0;
  let hi = anchors.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (anchors[mid].src <= offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

// ---- the final check -----------------------------------------------------------------------------------------------

/** Parses the output and compares it with the input's AST (without spans) and comments; returns what differs. */
function verify(before: A.QnnFile, out: string): string | undefined {
  const after = parse(out);
  if (after.diagnostics.some((d) => d.code.startsWith('QNN1'))) return 'the output does not parse';
  if (!sameTree(before.items, after.ast.items)) return 'the output means something else than the input';
  const a = before.comments.map(normalizedCommentText);
  const b = after.ast.comments.map(normalizedCommentText);
  if (a.length !== b.length || a.some((t, i) => t !== b[i])) return 'the output does not keep the comments';
  return undefined;
}

function sameTree(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => sameTree(x, b[i]));
  }
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  const keys = Object.keys(ra).filter((k) => k !== 'span');
  if (keys.length !== Object.keys(rb).filter((k) => k !== 'span').length) return false;
  return keys.every((k) => k in rb && sameTree(ra[k], rb[k]));
}
