// Formatter tests: fixture pairs (NAME.in.qnn → NAME.out.qnn), idempotence, comment preservation, refusal of broken
// files, options, and whitespace fuzzing. `UPDATE_SNAPSHOTS=1` rewrites the .out files from the current output.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { format, FORMAT_SYNTAX_ERRORS, type FormatOptions } from '../src/format.js';
import { qnnLexer } from '../src/lexer.js';
import { parse } from '../src/parse.js';

const DIR = fileURLToPath(new URL('./fixtures/format/', import.meta.url));
const UPDATE = process.env.UPDATE_SNAPSHOTS === '1';

interface Fixture {
  readonly name: string;
  readonly input: string;
  readonly inPath: string;
  readonly outPath: string;
}

const fixtures: readonly Fixture[] = readdirSync(DIR)
  .filter((f) => f.endsWith('.in.qnn'))
  .sort()
  .map((f) => {
    const name = f.slice(0, -'.in.qnn'.length);
    const inPath = join(DIR, f);
    return { name, inPath, outPath: join(DIR, `${name}.out.qnn`), input: readFileSync(inPath, 'utf8') };
  });

/** The formatted text, or a test failure naming the reason. */
function formatted(text: string, opts?: FormatOptions): string {
  const r = format(text, opts);
  if (!r.ok) throw new Error(`format failed: ${r.reason}`);
  return r.text;
}

/** A comment as the formatter prints it: LF line breaks, no trailing blanks. */
function commentText(t: string): string {
  return t
    .split(/\r\n|\r|\n/)
    .map((l) => l.replace(/[ \t\f\v]+$/, ''))
    .join('\n');
}

function occurrences(haystack: string, needle: string): number {
  let n = 0;
  for (let i = haystack.indexOf(needle); i >= 0; i = haystack.indexOf(needle, i + 1)) n++;
  return n;
}

/** Deterministic pseudo-random numbers (a 32-bit LCG, Numerical Recipes constants). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/**
 * Changes the whitespace between consecutive code tokens: spaces, tabs, and at most one line break, so that no
 * blank line appears or disappears. Gaps next to a comment and gaps holding a blank line stay as they are (they
 * decide where comments go and where blank lines are kept).
 */
function shuffleWhitespace(text: string, rnd: () => number): string {
  const tokens = qnnLexer.tokenize(text).tokens;
  const choices = [' ', '  ', '\t', ' \t ', '\n', '\n    ', '\n\t\t', '    '];
  let out = '';
  let pos = 0;
  for (let i = 0; i + 1 < tokens.length; i++) {
    const end = tokens[i].startOffset + tokens[i].image.length;
    const next = tokens[i + 1].startOffset;
    const gap = text.slice(end, next);
    out += text.slice(pos, end);
    pos = end;
    if (!/^[ \t\r\n]*$/.test(gap) || (gap.match(/\n/g) ?? []).length > 1) continue; // a comment or a blank line
    const r = rnd();
    if (gap === '' && r < 0.5) continue;
    out += choices[Math.floor(rnd() * choices.length)];
    pos = next;
  }
  return out + text.slice(pos);
}

describe('format: fixtures', () => {
  it('has at least 12 fixture pairs', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(12);
  });

  for (const fx of fixtures) {
    it(`${fx.name}: prints the expected text, and formatting it again changes nothing`, () => {
      const out = formatted(fx.input);
      if (UPDATE) writeFileSync(fx.outPath, out);
      expect(out).toBe(readFileSync(fx.outPath, 'utf8'));
      expect(formatted(out)).toBe(out);
      const again = format(out);
      expect(again.ok && again.changed).toBe(false);
    });

    it(`${fx.name}: output is LF-only, without trailing blanks, and ends with one newline`, () => {
      const out = formatted(fx.input);
      expect(out).not.toMatch(/\r/);
      expect(out).not.toMatch(/[ \t]+$/m);
      if (out !== '') expect(out).toMatch(/[^\n]\n$/);
    });

    it(`${fx.name}: keeps every comment exactly once, in order`, () => {
      const out = formatted(fx.input);
      const before = parse(fx.input).ast.comments.map((c) => commentText(c.text));
      const after = parse(out).ast.comments.map((c) => commentText(c.text));
      expect(after).toEqual(before);
      for (const t of before) {
        expect(occurrences(out, t), t).toBe(before.filter((u) => u.includes(t)).length);
      }
    });

    it(`${fx.name}: CRLF line endings give the same output`, () => {
      expect(formatted(fx.input.replace(/\n/g, '\r\n'))).toBe(formatted(fx.input));
    });

    it(`${fx.name}: shuffled whitespace between tokens gives the same output`, () => {
      const expected = formatted(fx.input);
      const rnd = lcg(0x51ed + fx.name.length * 7919);
      for (let round = 0; round < 25; round++) {
        const shuffled = shuffleWhitespace(fx.input, rnd);
        expect(formatted(shuffled), shuffled).toBe(expected);
      }
    });
  }
});

describe('format: refusals', () => {
  it('does not format a file with syntax errors', () => {
    for (const text of ['network n { a = dense(x, 64', 'type = fixed<8, 1>', 'network n { input x : data[4] } }', 'import "x.qnn', '/* open', 'target x clock 5ns $']) {
      expect(format(text), text).toEqual({ ok: false, reason: FORMAT_SYNTAX_ERRORS });
    }
  });

  it('does not format an attribute whose part before = the parser drops', () => {
    const r = format('network n {\n  d = dense(x, 4) { weight: 5 = load("w.npy") }\n}\n');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/^line 2: .*'weight'/);
  });

  it('rejects invalid options', () => {
    expect(format('', { indent: -1 }).ok).toBe(false);
    expect(format('', { indent: 1.5 }).ok).toBe(false);
    expect(format('', { maxLineLength: 5 }).ok).toBe(false);
  });
});

describe('format: options and edge cases', () => {
  const src = 'network n { d = dense(x, 4) { weight: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16] } : data }';

  it('indents by the indent option', () => {
    expect(formatted(src, { indent: 4 })).toBe(
      'network n {\n    d = dense(x, 4) {\n        weight: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]\n    } : data\n}\n',
    );
  });

  it('wraps at maxLineLength', () => {
    const out = formatted(src, { maxLineLength: 30 });
    expect(out).toBe(
      [
        'network n {',
        '  d = dense(x, 4) {',
        '    weight: [',
        '      1, 2, 3, 4, 5, 6, 7, 8,',
        '      9, 10, 11, 12, 13, 14,',
        '      15, 16',
        '    ]',
        '  } : data',
        '}',
        '',
      ].join('\n'),
    );
    expect(formatted(out, { maxLineLength: 30 })).toBe(out);
  });

  it('prints an empty or blank file as the empty text', () => {
    expect(format('')).toEqual({ ok: true, text: '', changed: false });
    expect(format(' \n\n\t\n')).toEqual({ ok: true, text: '', changed: true });
  });

  it('reports whether the text changed', () => {
    expect(format('target xcu250\n')).toEqual({ ok: true, text: 'target xcu250\n', changed: false });
    expect(format('target  xcu250')).toEqual({ ok: true, text: 'target xcu250\n', changed: true });
  });

  it('never throws, whatever the input', () => {
    const rnd = lcg(42);
    const alphabet = 'network n { } ( ) [ ] < > = : , ; -> <= "s" 1 5ns // c\n /* b */ \n x fixed test for input output';
    const words = alphabet.split(' ');
    for (let i = 0; i < 300; i++) {
      let text = '';
      const n = Math.floor(rnd() * 40);
      for (let k = 0; k < n; k++) text += words[Math.floor(rnd() * words.length)] + (rnd() < 0.3 ? '\n' : ' ');
      const r = format(text);
      if (r.ok) expect(formatted(r.text)).toBe(r.text);
      else expect(r.reason).not.toMatch(/internal/);
    }
  });
});
