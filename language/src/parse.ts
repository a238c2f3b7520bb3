// parse(text) → { ast, diagnostics }: never throws; broken input is normal input.
import type { IToken } from 'chevrotain';
import type { Comment, QnnFile, Span } from './ast.js';
import { fileToAst, junkTokens } from './cst-to-ast.js';
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
  if (text.length > MAX_FILE_CHARS) {
    return {
      ast: { kind: 'file', items: [], comments: [], span: { start: 0, end: text.length } },
      diagnostics: [
        diag(
          'QNN1006',
          path,
          { start: 0, end: 0 },
          `The file has ${(text.length / 1048576).toFixed(1)} MB; the limit is 16 MB. Put weights and test data in .npy files.`,
        ),
      ],
    };
  }
  const diagnostics: Diagnostic[] = [];
  const lexed = T.qnnLexer.tokenize(text);

  // Lexer errors: one per run of bad characters.
  for (const err of lexed.errors) {
    const span = { start: err.offset, end: err.offset + err.length };
    const ch = text.slice(err.offset, err.offset + Math.min(err.length, 12));
    diagnostics.push(diag('QNN1001', path, span, `Unexpected character${err.length > 1 ? 's' : ''} '${printable(ch)}'; delete ${err.length > 1 ? 'them' : 'it'}.`));
  }
  for (const t of lexed.groups.comments ?? []) {
    if (t.tokenType === T.UnclosedComment) {
      diagnostics.push(diag('QNN1004', path, { start: t.startOffset, end: t.startOffset + 2 }, 'This block comment is never closed; add */ where it ends.'));
    }
  }

  const comments: Comment[] = (lexed.groups.comments ?? []).map((t) => ({
    text: t.image,
    span: { start: t.startOffset, end: t.startOffset + t.image.length },
    line: t.tokenType === T.LineComment,
  }));

  let toks = lexed.tokens;
  // The lexer records start offsets only (cheaper than full positions); the parser needs end offsets for node spans.
  for (const t of toks) t.endOffset = t.startOffset + t.image.length - 1;
  for (const t of toks) {
    if (t.tokenType === T.BadString) {
      diagnostics.push(diag('QNN1002', path, tokSpan(t), 'This string is not closed; add " before the end of the line.'));
    }
  }
  toks = limitNesting(toks, path, diagnostics);

  qnnGrammar.input = toks;
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

  const ast = fileToAst(cst, comments, text.length);
  diagnostics.sort((a, b) => a.span.start - b.span.start);
  return { ast, diagnostics };
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
