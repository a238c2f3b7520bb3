// parse(text) → { ast, diagnostics }: never throws; broken input is normal input.
import type { CstNode, IToken, TokenType } from 'chevrotain';
import type { Comment, NetworkDecl, NetworkStmt, QnnFile, Span, TopItem } from './ast.js';
import { bodyStmts, firstToken, junkTokens, networkParts, networkStmt, topItem, topLevelNodes } from './cst-to-ast.js';
import { diag, type Diagnostic } from './diagnostics.js';
import { qnnGrammar } from './grammar.js';
import * as T from './lexer.js';

export const MAX_FILE_CHARS = 16 * 1024 * 1024;
export const MAX_NESTING = 64;
export const MAX_SYNTAX_ERRORS = 100;

export interface ParseResult {
  readonly ast: QnnFile;
  readonly diagnostics: readonly Diagnostic[];
}

export function parse(text: string, path = '<memory>'): ParseResult {
  try {
    return parseUnsafe(text, path);
  } catch (e) {
    // A safety net only: every known way to get here is handled below. Report instead of crashing the editor.
    const msg = e instanceof Error ? e.message : String(e);
    return {
      ast: { kind: 'file', items: [], comments: [], span: { start: 0, end: text.length } },
      diagnostics: [diag('QNN1999', path, { start: 0, end: 0 }, `The parser failed on this file (${msg}).`)],
    };
  }
}

function parseUnsafe(text: string, path: string): ParseResult {
  return parseState(text, path, undefined).result;
}

/**
 * The parse of a file with what an incremental re-parse of its next version needs (parseIncremental). Opaque to
 * callers: pass the state of the previous version back in.
 */
export interface ParseState {
  readonly text: string;
  readonly result: ParseResult;
  /** The tokens the parser saw (comments excluded). */
  readonly tokens: readonly IToken[];
  /** The lexer's errors (runs of characters no token matches), for incremental lexing. */
  readonly lexErrors?: readonly LexError[];
  /** The direct children of the file, in order; undefined when the file was not parsed (too large, too deep). */
  readonly segments: readonly Segment[] | undefined;
  /** How the last parse was done (for tests and the benchmark): tokens parsed and segments reused. */
  readonly stats: { readonly parsedTokens: number; readonly reusedSegments: number; readonly reusedStatements: number };
}

/** One direct child of the file: a top-level item, a statement outside any network, or junk. */
interface Segment {
  /** Index of its first token in `tokens`. */
  readonly first: number;
  /** Index of its last token (the token before the next segment, or the last token). */
  readonly last: number;
  /** No syntax error was reported in it or between it and the next segment: it can be reused as it is. */
  readonly clean: boolean;
  readonly item: TopItem | undefined;
  /** For a clean network item: its braces and statements (token indices), for re-parsing only edited statements. */
  readonly net?: NetworkSegments;
}

interface NetworkSegments {
  readonly open: number;
  readonly close: number;
  readonly stmts: readonly { readonly first: number; readonly last: number; readonly stmt: NetworkStmt }[];
}

/**
 * Parses `text`, reusing the top-level items of `previous` (the same file before an edit) whose tokens did not change
 * and that the parser provably parses the same way: the result equals `parse(text, path)`, node for node and
 * diagnostic for diagnostic (language/test/incremental.test.ts checks it on thousands of seeded random edits).
 *
 * The whole text is lexed again (lexing is cheap next to parsing). The tokens before the first changed token and after
 * the last one are compared with the previous ones; top-level items inside the unchanged prefix (with the parser's
 * lookahead past their end unchanged too) and inside the unchanged suffix are kept, the tokens between are parsed.
 * Only items without syntax errors are reused, and the suffix only when the part parsed in between ends with an item
 * without syntax errors and no error at its end (else the parse runs to the end of the file): error recovery may
 * skip arbitrarily far ahead, a clean parse does not look past the grammar's lookahead. Items after the edit are
 * taken over with their spans moved in place: `previous` and its result must not be used afterwards (its items now
 * belong to the new result; a state passed a second time is ignored).
 */
export function parseIncremental(text: string, path = '<memory>', previous?: ParseState): ParseState {
  // `previous` is consumed: the items it shares with the new state are moved (their spans change in place). A state
  // used a second time is ignored (a full parse) rather than trusted.
  if (previous) {
    const used = previous as { consumed?: boolean };
    if (used.consumed) previous = undefined;
    else used.consumed = true;
  }
  try {
    return parseState(text, path, previous);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    return emptyState(text, diag('QNN1999', path, { start: 0, end: 0 }, `The parser failed on this file (${msg}).`));
  }
}

/** A file that is not parsed: no tokens and no items, one diagnostic. */
function emptyState(text: string, d: Diagnostic): ParseState {
  return {
    text,
    tokens: [],
    segments: undefined,
    stats: { parsedTokens: 0, reusedSegments: 0, reusedStatements: 0 },
    result: { ast: { kind: 'file', items: [], comments: [], span: { start: 0, end: text.length } }, diagnostics: [d] },
  };
}

function parseState(text: string, path: string, previous: ParseState | undefined): ParseState {
  if (text.length > MAX_FILE_CHARS) {
    return emptyState(
      text,
      diag('QNN1006', path, { start: 0, end: 0 }, `The file has ${(text.length / 1048576).toFixed(1)} MB; the limit is 16 MB. Put weights and test data in .npy files.`),
    );
  }
  const diagnostics: Diagnostic[] = [];
  const usable = previous?.segments && previous.lexErrors ? previous : undefined;
  const lexed = (usable && lexIncremental(text, usable)) || lexFull(text);

  // Lexer errors: one per run of bad characters.
  for (const err of lexed.lexErrors) {
    const span = { start: err.offset, end: err.offset + err.length };
    const ch = text.slice(err.offset, err.offset + Math.min(err.length, 12));
    diagnostics.push(diag('QNN1001', path, span, `Unexpected character${err.length > 1 ? 's' : ''} '${printable(ch)}'; delete ${err.length > 1 ? 'them' : 'it'}.`));
  }
  for (const c of lexed.comments) {
    if (!c.line && !(c.text.length >= 4 && c.text.endsWith('*/'))) {
      diagnostics.push(diag('QNN1004', path, { start: c.span.start, end: c.span.start + 2 }, 'This block comment is never closed; add */ where it ends.'));
    }
  }
  const comments = lexed.comments;

  let toks = lexed.tokens;
  for (const t of toks) {
    if (t.tokenType === T.BadString) {
      diagnostics.push(diag('QNN1002', path, tokSpan(t), 'This string is not closed; add " before the end of the line.'));
    }
  }
  const before = toks.length;
  toks = limitNesting(toks, path, diagnostics);
  // Too deep: the tokens were edited, the previous ones cannot be compared; parse it all, keep nothing for next time.
  const canReuse = toks.length === before;

  // What can be kept of the previous parse: segments [0, keepHead) and [keepTail, n) of previous.segments.
  const prev = canReuse && previous?.segments ? previous : undefined;
  const oldSegs = prev?.segments ?? [];
  let keepHead = 0;
  let keepTail = oldSegs.length;
  let delta = 0;
  let p = 0;
  let s = 0;
  if (prev) {
    const a = prev.tokens;
    delta = text.length - prev.text.length;
    if (lexed.common) {
      // Incremental lexing found the unchanged tokens (and moved those after the edit in place).
      p = lexed.common.p;
      s = lexed.common.s;
    } else {
      const n = Math.min(a.length, toks.length);
      while (p < n && sameToken(a[p], toks[p], 0)) p++;
      while (s < n - p && sameToken(a[a.length - 1 - s], toks[toks.length - 1 - s], delta)) s++;
    }
    // Prefix: clean segments whose last token, and the tokens the parser may look at after it, are unchanged.
    while (keepHead < oldSegs.length && oldSegs[keepHead].clean && lookaheadEnd(a, oldSegs[keepHead].last) < p) keepHead++;
    // Suffix: clean top-level items (starting with a keyword that only starts an item) whose tokens are unchanged.
    while (
      keepTail > keepHead &&
      oldSegs[keepTail - 1].clean &&
      oldSegs[keepTail - 1].first >= a.length - s &&
      oldSegs[keepTail - 1].item !== undefined &&
      ITEM_START.has(a[oldSegs[keepTail - 1].first].tokenType)
    ) {
      keepTail--;
    }
  }
  const shiftTok = toks.length - (prev?.tokens.length ?? 0);
  const from = keepHead < oldSegs.length ? oldSegs[keepHead].first : keepHead > 0 ? oldSegs[keepHead - 1].last + 1 : 0;
  let to = keepTail < oldSegs.length ? oldSegs[keepTail].first + shiftTok : toks.length;

  // An edit inside the body of one network: re-parse only the statements it touched, if they parse without error.
  const body = prev && keepTail === keepHead + 1 ? reparseBody(oldSegs[keepHead], prev.tokens, toks, p, s, shiftTok, delta) : undefined;
  let middle: RangeParse = body ? { segments: [body.segment], diagnostics: [], reachedEnd: false } : parseRange(toks, from, to, text, path);
  // An error at the end of the parsed part, or recovery that ran up to it: with the kept items after it instead of
  // the end of the file, the parser would have reported it differently or recovered into them. Parse one more item
  // (a few times: an edit in one item should not cost a parse of the rest of the file), then on to the end.
  for (let extra = 0; to < toks.length && (middle.reachedEnd || (middle.diagnostics.length > 0 && !middle.segments[middle.segments.length - 1]?.clean)); extra++) {
    keepTail = extra < 3 ? keepTail + 1 : oldSegs.length;
    to = keepTail < oldSegs.length ? oldSegs[keepTail].first + shiftTok : toks.length;
    middle = parseRange(toks, from, to, text, path);
  }
  diagnostics.push(...middle.diagnostics);

  const segments: Segment[] = [];
  const items: TopItem[] = [];
  for (let i = 0; i < keepHead; i++) {
    segments.push(oldSegs[i]);
    if (oldSegs[i].item) items.push(oldSegs[i].item!);
  }
  for (const seg of middle.segments) {
    segments.push(seg);
    if (seg.item) items.push(seg.item);
  }
  for (let i = keepTail; i < oldSegs.length; i++) {
    const old = oldSegs[i];
    const item = old.item;
    if (item && delta !== 0) moveSpans(item, delta);
    const net = old.net && shiftTok !== 0 ? { open: old.net.open + shiftTok, close: old.net.close + shiftTok, stmts: old.net.stmts.map((x) => ({ first: x.first + shiftTok, last: x.last + shiftTok, stmt: x.stmt })) } : old.net;
    segments.push({ first: old.first + shiftTok, last: old.last + shiftTok, clean: true, item, net });
    if (item) items.push(item);
  }
  diagnostics.sort((x, y) => x.span.start - y.span.start);
  const ast: QnnFile = { kind: 'file', items, comments, span: { start: 0, end: text.length } };
  return {
    text,
    tokens: toks,
    lexErrors: lexed.lexErrors,
    segments: canReuse ? segments : undefined,
    stats: { parsedTokens: body ? body.parsed : to - from, reusedSegments: keepHead + oldSegs.length - keepTail, reusedStatements: body?.reused ?? 0 },
    result: { ast, diagnostics },
  };
}

interface LexError {
  readonly offset: number;
  readonly length: number;
}

interface Lexed {
  readonly tokens: IToken[];
  readonly comments: Comment[];
  readonly lexErrors: LexError[];
  /** With incremental lexing: the numbers of unchanged tokens before and after the edit (old vs new). */
  readonly common?: { readonly p: number; readonly s: number };
}

/** Lexes a text (or a slice of it starting at `base`): tokens with end offsets, comments, errors. */
function lexFull(text: string, base = 0): Lexed {
  const lexed = T.qnnLexer.tokenize(text);
  const tokens = lexed.tokens;
  // The lexer records start offsets only (cheaper than full positions); the parser needs end offsets for node spans.
  for (const t of tokens) {
    if (base !== 0) t.startOffset += base;
    t.endOffset = t.startOffset + t.image.length - 1;
  }
  const comments: Comment[] = (lexed.groups.comments ?? []).map((t) => ({
    text: t.image,
    span: { start: t.startOffset + base, end: t.startOffset + base + t.image.length },
    line: t.tokenType === T.LineComment,
  }));
  return { tokens, comments, lexErrors: lexed.errors.map((e) => ({ offset: e.offset + base, length: e.length })), common: undefined };
}

/**
 * Lexes only the lines an edit touched: from the start of the line of the first changed character to the start of a
 * line after the last one, both outside block comments (the only tokens that span lines), and takes the previous
 * tokens, comments and errors around them, moving those after the edit in place. Undefined when the edit opens a
 * block comment that runs past the re-lexed lines (then the whole text is lexed). The result equals lexFull(text).
 */
function lexIncremental(text: string, prev: ParseState): Lexed | undefined {
  const old = prev.text;
  const ast = prev.result.ast;
  const oldComments = ast.comments as Comment[];
  const n = Math.min(old.length, text.length);
  let cp = 0;
  while (cp < n && old.charCodeAt(cp) === text.charCodeAt(cp)) cp++;
  let cs = 0;
  while (cs < n - cp && old.charCodeAt(old.length - 1 - cs) === text.charCodeAt(text.length - 1 - cs)) cs++;
  const delta = text.length - old.length;
  // Start: a line start at or before the first change, outside any block comment of the old text.
  // (lastIndexOf with a negative start still looks at index 0: the first line starts at 0.)
  const lineStart = (pos: number) => (pos <= 0 ? 0 : old.lastIndexOf('\n', pos - 1) + 1);
  let a = lineStart(cp);
  for (let c = commentAround(oldComments, a); c; c = commentAround(oldComments, a)) a = lineStart(c.span.start);
  // End: a line start after the last change whose newline is unchanged, outside any block comment of the old text.
  const findEnd = (from: number): number => {
    const nl = old.indexOf('\n', from);
    return nl < 0 ? old.length : nl + 1;
  };
  let b = findEnd(Math.max(old.length - cs, cp));
  while (b < old.length) {
    const c = commentAround(oldComments, b);
    if (!c) break;
    b = findEnd(c.span.end);
  }
  const bNew = b + delta;
  if (bNew < a) return undefined;
  const slice = lexFull(text.slice(a, bNew), a);
  // A block comment the edit opened and the slice does not close: it may run on past the slice.
  if (bNew < text.length && slice.comments.some((c) => !c.line && !(c.text.length >= 4 && c.text.endsWith('*/')))) return undefined;
  const oldTokens = prev.tokens;
  const i0 = firstAtOrAfter(oldTokens, a);
  const i1 = firstAtOrAfter(oldTokens, b);
  // Unchanged tokens inside the re-lexed lines too (compared before the tokens after the edit move).
  let k = 0;
  while (i0 + k < i1 && k < slice.tokens.length && sameToken(oldTokens[i0 + k], slice.tokens[k], 0)) k++;
  let m = 0;
  while (i1 - 1 - m >= i0 + k && slice.tokens.length - 1 - m >= k && sameToken(oldTokens[i1 - 1 - m], slice.tokens[slice.tokens.length - 1 - m], delta)) m++;
  const after = oldTokens.slice(i1) as IToken[];
  if (delta !== 0) {
    for (const t of after) {
      t.startOffset += delta;
      t.endOffset = (t.endOffset ?? t.startOffset) + delta;
    }
  }
  const tokens = [...oldTokens.slice(0, i0), ...slice.tokens, ...after];
  const c0 = oldComments.findIndex((c) => c.span.start >= a);
  const c1 = oldComments.findIndex((c) => c.span.start >= b);
  const cBefore = oldComments.slice(0, c0 < 0 ? oldComments.length : c0);
  const cAfter = c1 < 0 ? [] : oldComments.slice(c1);
  if (delta !== 0) for (const c of cAfter) moveSpans(c, delta);
  const errs = prev.lexErrors ?? [];
  const lexErrors = [...errs.filter((e) => e.offset < a), ...slice.lexErrors, ...errs.filter((e) => e.offset >= b).map((e) => ({ offset: e.offset + delta, length: e.length }))];
  return { tokens, comments: [...cBefore, ...slice.comments, ...cAfter], lexErrors, common: { p: i0 + k, s: oldTokens.length - i1 + m } };
}

/**
 * The block comment of `comments` (sorted) that strictly contains `offset`, if any. A comment that is never closed
 * runs to the end of the file whatever is added after it: it contains every offset after its start.
 */
function commentAround(comments: readonly Comment[], offset: number): Comment | undefined {
  let lo = 0;
  let hi = comments.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const c = comments[mid];
    const end = !c.line && !(c.text.length >= 4 && c.text.endsWith('*/')) ? Infinity : c.span.end;
    if (end <= offset) lo = mid + 1;
    else if (c.span.start >= offset) hi = mid - 1;
    else return c.line ? undefined : c;
  }
  return undefined;
}

/** Index of the first token starting at or after `offset`. */
function firstAtOrAfter(toks: readonly IToken[], offset: number): number {
  let lo = 0;
  let hi = toks.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (toks[mid].startOffset < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Top-level keywords that start an item and cannot continue one (see parseIncremental). */
const ITEM_START = new Set<TokenType>([T.Import, T.Target, T.Type, T.Network, T.Test]);

function sameToken(a: IToken, b: IToken, delta: number): boolean {
  return a.tokenType === b.tokenType && a.startOffset + delta === b.startOffset && a.image === b.image;
}

/**
 * The index after the last token the parser may look at once a segment ending at `last` is parsed: a run of '}'
 * (the network's stray-brace check scans it) and the grammar's lookahead of 3 tokens, plus one for safety.
 */
function lookaheadEnd(toks: readonly IToken[], last: number): number {
  let j = last + 1;
  while (j < toks.length && toks[j].tokenType === T.RBrace) j++;
  return j + 4;
}

interface RangeParse {
  readonly segments: Segment[];
  readonly diagnostics: Diagnostic[];
  /**
   * A syntax error was found at the end of the range (the parser expected more). Errors before a last item that
   * parsed without error are reported the same way as in a parse of the whole file: recovery skips tokens up to the
   * first one it can resume at, which came before that item.
   */
  readonly reachedEnd: boolean;
}

/** Parses tokens [from, to) as a file and reports its syntax errors; segment indices are into `toks`. */
function parseRange(toks: IToken[], from: number, to: number, text: string, path: string): RangeParse {
  if (from >= to) return { segments: [], diagnostics: [], reachedEnd: false };
  const diagnostics: Diagnostic[] = [];
  qnnGrammar.input = from === 0 && to === toks.length ? toks : toks.slice(from, to);
  const cst = qnnGrammar.file();
  // An error inside a statement that runs onto the next line belongs to that statement; an error between statements
  // (junk, or a block that expected its '}') stays where it is.
  const parseErrors: { token: IToken; message: string; movable: boolean }[] = qnnGrammar.errors.map((e) => {
    const stack = e.context?.ruleStack ?? [];
    return { token: e.token, message: e.message, movable: !BLOCK_RULES.has(stack[stack.length - 1] ?? '') };
  });
  for (const { token: t, kind } of junkTokens(cst)) {
    const text = t.image.length > 24 ? t.image.slice(0, 24) + '…' : t.image;
    const message =
      kind === 'strayBrace'
        ? "Unexpected '}': the network goes on after it; delete it."
        : kind === 'orphan'
          ? 'This statement is outside any network: a \'}\' above closes the network too early, or a \'network NAME {\' is missing.'
          : `Unexpected '${text}': a statement starts with a keyword or 'name ='.`;
    parseErrors.push({ token: t, message, movable: false });
  }
  parseErrors.sort((a, b) => (Number.isNaN(a.token.startOffset) ? Infinity : a.token.startOffset) - (Number.isNaN(b.token.startOffset) ? Infinity : b.token.startOffset));

  // One syntax error per line: recovery often produces a cascade at the same place. An error at the first token of
  // a line means the statement before it is incomplete: report it at the end of that statement, on its own line.
  const seenLines = new Set<number>();
  let count = 0;
  for (const err of parseErrors) {
    const tok = err.token;
    const isEof = tok.tokenType.name === 'EOF' || Number.isNaN(tok.startOffset);
    const prev = previousToken(toks, isEof ? text.length : tok.startOffset);
    let span: Span;
    if (isEof || (err.movable && prev && lineOf(text, prev.startOffset + prev.image.length) < lineOf(text, tok.startOffset) && canStartStatement(tok))) {
      const at = prev ? prev.startOffset + prev.image.length : 0;
      span = { start: at, end: at };
    } else {
      span = tokSpan(tok);
    }
    const line = lineOf(text, span.start);
    if (seenLines.has(line)) continue;
    seenLines.add(line);
    if (++count > MAX_SYNTAX_ERRORS) {
      diagnostics.push(diag('QNN1007', path, span, `More than ${MAX_SYNTAX_ERRORS} syntax errors; the rest are not reported.`));
      break;
    }
    diagnostics.push(diag('QNN1003', path, span, err.message));
  }

  // The segments: each direct child of the file, from its first token to the token before the next one.
  const errorAt: number[] = parseErrors.map((e) => (Number.isNaN(e.token.startOffset) ? Infinity : e.token.startOffset));
  for (const d of diagnostics) errorAt.push(d.span.start);
  const segments: Segment[] = [];
  const starts: { first: number; node: CstNode }[] = [];
  for (const node of topLevelNodes(cst)) {
    const t = firstToken(node);
    if (t) starts.push({ first: indexOfToken(toks, t.startOffset, from, to), node });
  }
  for (let i = 0; i < starts.length; i++) {
    const first = i === 0 ? from : starts[i].first;
    const last = i + 1 < starts.length ? starts[i + 1].first - 1 : to - 1;
    const lo = i === 0 ? -Infinity : toks[first].startOffset;
    const hi = i + 1 < starts.length ? toks[last + 1].startOffset : Infinity;
    // An error at the first token of the next segment may come from this one (the rule that failed saw it as its
    // lookahead): both count as having an error.
    const clean = parseErrors.length === 0 || !errorAt.some((o) => o >= lo && o <= hi);
    const node = starts[i].node;
    const item = node.name === 'topItem' ? topItem(node) : undefined;
    const isClean = clean && node.name === 'topItem';
    segments.push({ first, last, clean: isClean, item, net: isClean && item?.kind === 'network' ? networkSegments(node, item, toks, from, to) : undefined });
  }
  // Tokens that no node took (only after a syntax error): one segment that is never reused.
  if (starts.length === 0) segments.push({ first: from, last: to - 1, clean: false, item: undefined });
  const reachedEnd = parseErrors.some((e) => Number.isNaN(e.token.startOffset) || e.token.tokenType.name === 'EOF');
  return { segments, diagnostics, reachedEnd };
}

/** The statements of a clean network item as segments, when each maps to its AST statement (else undefined). */
function networkSegments(node: CstNode, item: NetworkDecl, toks: readonly IToken[], from: number, to: number): NetworkSegments | undefined {
  const parts = networkParts(node);
  if (!parts || parts.stmts.length !== item.body.length) return undefined;
  const open = indexOfToken(toks, parts.open.startOffset, from, to);
  const close = indexOfToken(toks, parts.close.startOffset, from, to);
  const firsts: number[] = [];
  for (const st of parts.stmts) {
    const t = firstToken(st);
    if (!t) return undefined;
    firsts.push(indexOfToken(toks, t.startOffset, from, to));
  }
  const stmts = item.body.map((stmt, i) => ({ first: firsts[i], last: i + 1 < firsts.length ? firsts[i + 1] - 1 : close - 1, stmt }));
  return { open, close, stmts };
}

/** Keywords that start a network statement and cannot continue the one before it (with `name =`). */
const STMT_START = new Set<TokenType>([T.Io, T.Reuse, T.Precision, T.Init, T.Require, T.Fifo, T.Input, T.Output, T.Target]);

function startsStatement(toks: readonly IToken[], i: number): boolean {
  const t = toks[i].tokenType;
  return STMT_START.has(t) || (t === T.Identifier && toks[i + 1]?.tokenType === T.Equals);
}

/**
 * Re-parses the statements of one clean network that an edit touched (tokens `old` → `toks`, common prefix `p` and
 * suffix `s`), keeping its other statements: the same rules as for top-level items, one level down. Only when the
 * network's braces are unchanged and the re-parsed statements have no syntax error (error recovery depends on the
 * enclosing rules); otherwise undefined, and the whole item is re-parsed.
 */
function reparseBody(
  seg: Segment,
  old: readonly IToken[],
  toks: IToken[],
  p: number,
  s: number,
  shiftTok: number,
  delta: number,
): { segment: Segment; parsed: number; reused: number } | undefined {
  const net = seg.net;
  const item = seg.item;
  if (!net || !seg.clean || item?.kind !== 'network') return undefined;
  // The header (up to '{') and the closing '}' with what follows it are unchanged.
  if (!(p > net.open && old.length - s <= net.close)) return undefined;
  const stmts = net.stmts;
  let h = 0;
  while (h < stmts.length && lookaheadEnd(old, stmts[h].last) < p) h++;
  let t = stmts.length;
  while (t > h && stmts[t - 1].first >= old.length - s && startsStatement(old, stmts[t - 1].first)) t--;
  const from = h < stmts.length ? stmts[h].first : h > 0 ? stmts[h - 1].last + 1 : net.open + 1;
  const to = (t < stmts.length ? stmts[t].first : net.close) + shiftTok;
  if (from > to) return undefined;
  const middle: { first: number; last: number; stmt: NetworkStmt }[] = [];
  if (from < to) {
    qnnGrammar.input = toks.slice(from, to);
    const cst = qnnGrammar.networkBody();
    if (qnnGrammar.errors.length > 0) return undefined;
    const nodes = bodyStmts(cst);
    if (!nodes) return undefined;
    const firsts: number[] = [];
    for (const n of nodes) {
      const f = firstToken(n);
      const stmt = networkStmt(n);
      if (!f || !stmt) return undefined;
      firsts.push(indexOfToken(toks, f.startOffset, from, to));
      middle.push({ first: 0, last: 0, stmt });
    }
    middle.forEach((m, i) => {
      m.first = firsts[i];
      m.last = i + 1 < firsts.length ? firsts[i + 1] - 1 : to - 1;
    });
  }
  const kept = stmts.slice(t).map((k) => {
    if (delta !== 0) moveSpans(k.stmt, delta);
    return { first: k.first + shiftTok, last: k.last + shiftTok, stmt: k.stmt };
  });
  const all = [...stmts.slice(0, h), ...middle, ...kept];
  const newItem: NetworkDecl = { kind: 'network', name: item.name, body: all.map((x) => x.stmt), span: { start: item.span.start, end: item.span.end + delta } };
  return {
    segment: { first: seg.first, last: seg.last + shiftTok, clean: true, item: newItem, net: { open: net.open, close: net.close + shiftTok, stmts: all } },
    parsed: to - from,
    reused: h + (stmts.length - t),
  };
}

/** Index in toks[from, to) of the token that starts at `offset`. */
function indexOfToken(toks: readonly IToken[], offset: number, from: number, to: number): number {
  let lo = from;
  let hi = to - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (toks[mid].startOffset < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Moves every span of an AST node by `delta`, in place (items after an edit, taken over from the previous parse).
 * In place, not copied: a copy of every item after the edit would cost a 10,000-line file tens of milliseconds of
 * allocation and garbage collection per keystroke. Safe because the AST is a tree: no span object is shared between
 * two nodes (cst-to-ast.ts copies them; language/test/incremental.test.ts checks it on every sample).
 */
function moveSpans(v: object, delta: number): void {
  if (Array.isArray(v)) {
    for (const x of v) if (typeof x === 'object' && x !== null) moveSpans(x, delta);
    return;
  }
  const o = v as Record<string, unknown>;
  for (const k in o) {
    const x = o[k];
    if (typeof x !== 'object' || x === null) continue;
    if (k === 'span') {
      const sp = x as { start: number; end: number };
      sp.start += delta;
      sp.end += delta;
    } else moveSpans(x, delta);
  }
}

const BLOCK_RULES = new Set(['file', 'topItem', 'networkDecl', 'attrBlock']);

/** A token at which a statement (or the end of a block) can begin: then the error belongs to what came before. */
function canStartStatement(t: IToken): boolean {
  return t.tokenType === T.Identifier || T.KEYWORDS.includes(t.tokenType) || t.tokenType === T.RBrace;
}

/** Removes what lies deeper than MAX_NESTING brackets, so that no recursive rule can exhaust the stack. */
function limitNesting(toks: IToken[], path: string, diagnostics: Diagnostic[]): IToken[] {
  let depth = 0;
  let max = 0;
  for (const t of toks) {
    if (isOpen(t)) depth++;
    else if (isClose(t)) depth = Math.max(0, depth - 1);
    if (depth > max) max = depth;
  }
  if (max <= MAX_NESTING) return toks;
  const out: IToken[] = [];
  depth = 0;
  let reported = false;
  for (const t of toks) {
    if (isOpen(t)) {
      depth++;
      if (depth > MAX_NESTING) {
        if (!reported) {
          diagnostics.push(diag('QNN1005', path, tokSpan(t), `Brackets nest deeper than ${MAX_NESTING} levels here; the deeper part is ignored.`));
          reported = true;
        }
        continue;
      }
    } else if (isClose(t)) {
      const was = depth;
      depth = Math.max(0, depth - 1);
      if (was > MAX_NESTING) continue;
    } else if (depth > MAX_NESTING) continue;
    out.push(t);
  }
  return out;
}

function isOpen(t: IToken): boolean {
  return t.tokenType === T.LParen || t.tokenType === T.LBracket || t.tokenType === T.LBrace;
}
function isClose(t: IToken): boolean {
  return t.tokenType === T.RParen || t.tokenType === T.RBracket || t.tokenType === T.RBrace;
}

function tokSpan(t: IToken): Span {
  return { start: t.startOffset, end: t.startOffset + t.image.length };
}

/** The last token that starts before `offset` (binary search; tokens are sorted). */
function previousToken(toks: readonly IToken[], offset: number): IToken | undefined {
  let lo = 0;
  let hi = toks.length - 1;
  let found: IToken | undefined;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (toks[mid].startOffset < offset) {
      found = toks[mid];
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/** Line number of an offset, counted by a lazily built table of line starts. */
function lineOf(text: string, offset: number): number {
  let starts = lineStartCache.get(text);
  if (!starts) {
    starts = [0];
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
    lineStartCache.clear();
    lineStartCache.set(text, starts);
  }
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}
const lineStartCache = new Map<string, number[]>();

function printable(s: string): string {
  return s.replace(/[\x00-\x1f\x7f-\x9f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
