// The syntactic context of a cursor, from the text (the tree of a half-typed line is not reliable): the open
// brackets around it and the words before them. Shared by completion and signature help.
import type { QnnFile } from '@qnn/language';

export interface Bracket {
  readonly char: '(' | '{' | '[' | '<';
  readonly offset: number;
  /** The text from the start of the line of the bracket up to it. */
  readonly before: string;
  /** Commas at depth 0 between the bracket and the cursor. */
  commas: number;
  /** Offset after the last depth-0 comma (or after the bracket). */
  argStart: number;
}

export interface CursorContext {
  /** Open brackets, outermost first. */
  readonly brackets: readonly Bracket[];
  /** The text of the cursor's line before the cursor, without a trailing comment. */
  readonly linePrefix: string;
  /** True inside a string or a comment (no completion there, except import paths). */
  readonly inString: boolean;
  readonly inComment: boolean;
  /** The word being typed (identifier characters before the cursor). */
  readonly word: string;
  readonly wordStart: number;
}

/** Scans from the start of the top-level item around `offset` (items are the unit of nesting). */
export function cursorContext(text: string, ast: QnnFile, offset: number): CursorContext {
  let start = 0;
  for (const item of ast.items) {
    if (item.span.start <= offset) start = item.span.start;
    else break;
  }
  const brackets: Bracket[] = [];
  let inString = false;
  let inComment = false;
  let i = start;
  for (; i < offset; i++) {
    const c = text[i];
    if (inString) {
      if (c === '"' || c === '\n') inString = false;
      continue;
    }
    if (c === '/' && text[i + 1] === '/') {
      const nl = text.indexOf('\n', i);
      if (nl < 0 || nl >= offset) {
        inComment = true;
        break;
      }
      i = nl;
      continue;
    }
    if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      if (end < 0 || end + 2 > offset) {
        inComment = true;
        break;
      }
      i = end + 1;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '(' || c === '{' || c === '[' || (c === '<' && /\b(?:u?fixed|u?int)\s*$/.test(text.slice(Math.max(start, i - 12), i)))) {
      const ls = text.lastIndexOf('\n', i - 1) + 1;
      brackets.push({ char: c, offset: i, before: text.slice(ls, i), commas: 0, argStart: i + 1 });
    } else if (c === ')' || c === '}' || c === ']' || (c === '>' && brackets[brackets.length - 1]?.char === '<')) {
      const open = c === ')' ? '(' : c === '}' ? '{' : c === ']' ? '[' : '<';
      // Pop to the matching bracket; an unmatched closer is ignored (the user is typing).
      for (let k = brackets.length - 1; k >= 0; k--) {
        if (brackets[k].char === open) {
          brackets.length = k;
          break;
        }
      }
    } else if (c === ',' && brackets.length) {
      const top = brackets[brackets.length - 1];
      top.commas++;
      top.argStart = i + 1;
    }
  }
  const ls = text.lastIndexOf('\n', offset - 1) + 1;
  const linePrefix = text.slice(ls, offset);
  let ws = offset;
  while (ws > ls && /[A-Za-z0-9_]/.test(text[ws - 1])) ws--;
  return { brackets, linePrefix, inString, inComment, word: text.slice(ws, offset), wordStart: ws };
}

/** The operation of a layer whose argument list or attribute block the bracket opens: `fc1 = dense(` → dense. */
export function layerOpBefore(text: string, b: Bracket): string | undefined {
  if (b.char === '(') return /(?:^|[^A-Za-z0-9_])[A-Za-z_]\w*\s*=\s*([A-Za-z_]\w*)\s*$/.exec(b.before)?.[1];
  if (b.char === '{') {
    // `fc1 = dense(x, 64) {` — possibly over several lines: look back from the brace.
    const back = text.slice(Math.max(0, b.offset - 2000), b.offset);
    const m = /([A-Za-z_]\w*)\s*=\s*([A-Za-z_]\w*)\s*\([^(){}]*\)\s*$/.exec(back);
    return m?.[2];
  }
  return undefined;
}
