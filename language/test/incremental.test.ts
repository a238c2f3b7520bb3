// Incremental parsing (parseIncremental) must give exactly what a full parse gives: the same AST node for node (with
// the same spans) and the same diagnostics, after any edit. Differential test: chains of seeded random edits on the
// samples and on generated files (typing and deleting characters, braces and keywords, pasting and deleting lines,
// opening and closing block comments and strings), each version parsed incrementally from the previous one and
// compared with `parse` of the same text. The test also checks that reuse happens (a parser that never reuses would
// pass the comparison and miss the point).
//
// Reproducing a failure: the message names the file, the seed and the step, and shows the edit.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { prng } from './prng.js';
import { parse, parseIncremental, type ParseState } from '../src/index.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

function qnnFiles(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) qnnFiles(p, out);
    else if (e.endsWith('.qnn')) out.push(p);
  }
  return out;
}

/** Several networks and types, written like the samples: the shape of file the editor sees most. */
function generated(networks: number, layers: number): string {
  const out = ['// generated', 'target xcu250 clock 5ns', 'type data = fixed<16, 6>', 'type coef = fixed<8, 1, RND, SAT>', ''];
  for (let n = 0; n < networks; n++) {
    out.push(`network n${n} {`, '  io parallel', '  reuse 1', '  input x : data[8]');
    let prev = 'x';
    for (let i = 0; i < layers; i++) {
      out.push(`  fc${i} = dense(${prev}, 8) {`, `    weight: coef = random(seed: ${i})`, '  } : data', `  a${i} = relu(fc${i})`);
      prev = `a${i}`;
    }
    out.push(`  output ${prev}`, '}', '');
    if (n % 2 === 1) out.push(`test t${n} for n${n} {`, '  inputs: random(seed: 1)', '}', `type t${n} = ufixed<8, 2>`, '');
  }
  return out.join('\n');
}

/** Fragments typed or pasted: single characters, keywords, statements, comment and string delimiters. */
const SNIPPETS = [
  'x', 'a', '1', ' ', '\n', '{', '}', '(', ')', '[', ']', '<', '>', '=', ':', ',', ';', '-', '"', '/', '*', '//', '/*', '*/',
  'network ', 'type ', 'target ', 'import ', 'test ', 'input ', 'output ', 'reuse ', '} ', '}\n', '{\n',
  'fc = dense(x, 4) : data\n', 'network m {\n', '  a = relu(x)\n', 'type q = fixed<8, 2>\n', '"w.npy"',
  'import "other.qnn"\n', 'target xc7a35t-1', '}}', 'output a\n}\n',
];

type Edit = { at: number; del: number; ins: string };

function randomEdit(r: () => number, text: string, original: string): Edit {
  const at = Math.floor(r() * (text.length + 1));
  const k = r();
  if (k < 0.3) return { at, del: 0, ins: SNIPPETS[Math.floor(r() * SNIPPETS.length)] };
  if (k < 0.5) return { at, del: Math.min(text.length - at, 1 + Math.floor(r() * 3)), ins: '' };
  if (k < 0.6) return { at, del: Math.min(text.length - at, Math.floor(r() * 80)), ins: '' };
  if (k < 0.7) {
    // Paste a slice of the original text (whole statements and items, or fragments of them).
    const s = Math.floor(r() * original.length);
    return { at, del: 0, ins: original.slice(s, s + Math.floor(r() * 200)) };
  }
  if (k < 0.8) return { at, del: Math.min(text.length - at, 1 + Math.floor(r() * 4)), ins: SNIPPETS[Math.floor(r() * SNIPPETS.length)] };
  if (k < 0.9) {
    // Delete a whole line.
    const ls = text.lastIndexOf('\n', at - 1) + 1;
    const le = text.indexOf('\n', at);
    return { at: ls, del: (le < 0 ? text.length : le + 1) - ls, ins: '' };
  }
  // Type a character in the middle of a word or number (the edit an identifier or a width gets).
  return { at, del: 0, ins: String.fromCharCode(97 + Math.floor(r() * 26)) };
}

function apply(text: string, e: Edit): string {
  return text.slice(0, e.at) + e.ins + text.slice(e.at + e.del);
}

function run(name: string, original: string, seed: number, steps: number): { reused: number; parsed: number; total: number } {
  const r = prng(seed);
  let text = original;
  let state: ParseState = parseIncremental(text, name);
  let reused = 0;
  let parsed = 0;
  let total = 0;
  for (let step = 0; step < steps; step++) {
    // Now and then back to the original text (undo to a clean file), else the text drifts into noise.
    const e: Edit = r() < 0.05 ? { at: 0, del: text.length, ins: original } : randomEdit(r, text, original);
    text = apply(text, e);
    state = parseIncremental(text, name, state);
    const full = parse(text, name);
    const where = `${name}, seed ${seed}, step ${step}: edit at ${e.at}, deleted ${e.del}, inserted ${JSON.stringify(e.ins.slice(0, 60))}`;
    expect(state.result.diagnostics, `diagnostics differ (${where})`).toStrictEqual(full.diagnostics);
    expect(state.result.ast, `AST differs (${where})`).toStrictEqual(full.ast);
    reused += state.stats.reusedSegments;
    parsed += state.stats.parsedTokens;
    total += state.tokens.length;
  }
  return { reused, parsed, total };
}

describe('parseIncremental equals a full parse', () => {
  const samples = qnnFiles(join(REPO, 'samples'));
  it('finds the samples', () => expect(samples.length).toBeGreaterThanOrEqual(6));

  for (const file of samples) {
    it(`after seeded random edits of ${relative(REPO, file)}`, () => {
      const text = readFileSync(file, 'utf8');
      const s = run(relative(REPO, file), text, 7 + text.length, 400);
      expect(s.reused, 'no item was ever reused').toBeGreaterThan(0);
    }, 120_000);
  }

  it('after seeded random edits of a generated file with many items', () => {
    const text = generated(8, 4);
    let reused = 0;
    for (const seed of [1, 2]) reused += run('generated.qnn', text, seed, 300).reused;
    expect(reused).toBeGreaterThan(0);
  }, 120_000);

  it('parses only the network being typed into, while its statement is still incomplete', () => {
    // Type a new layer into network n3 of eight, one character at a time (most versions have a syntax error in n3),
    // then delete it again.
    const text = generated(8, 4);
    const at = text.indexOf('  output', text.indexOf('network n3'));
    const line = '  extra = dense(a3, 8) { weight: coef = random(seed: 9) } : data\n';
    let state = parseIncremental(text, 'g.qnn');
    let parsed = 0;
    let total = 0;
    const versions = [...Array.from({ length: line.length }, (_, i) => line.slice(0, i + 1)), ...Array.from({ length: line.length }, (_, i) => line.slice(0, line.length - 1 - i))];
    for (const typed of versions) {
      const t = text.slice(0, at) + typed + text.slice(at);
      state = parseIncremental(t, 'g.qnn', state);
      expect(state.result).toStrictEqual(parse(t, 'g.qnn'));
      parsed += state.stats.parsedTokens;
      total += state.tokens.length;
    }
    // One network of eight (and its neighbours' lookahead) is parsed per version, not the file.
    expect(parsed / total).toBeLessThan(0.25);
  });

  it('reuses every item when only a comment changes, and moves the spans of the items after it', () => {
    const text = generated(4, 3);
    const a = parseIncremental(text, 'g.qnn');
    const segments = a.segments!.length;
    const before = a.result.ast.items[1].span.start;
    const edited = text.replace('// generated', '// generated, edited');
    const b = parseIncremental(edited, 'g.qnn', a);
    expect(b.stats.parsedTokens).toBe(0);
    expect(b.stats.reusedSegments).toBe(segments);
    expect(b.result.ast).toStrictEqual(parse(edited, 'g.qnn').ast);
    expect(b.result.ast.items[1].span.start).toBe(before + ', edited'.length);
    // The items are taken over (moved in place), and the consumed state is not trusted again.
    expect(b.result.ast.items[1]).toBe(a.result.ast.items[1]);
    const again = parseIncremental(edited, 'g.qnn', a);
    expect(again.stats.reusedSegments).toBe(0);
    expect(again.result).toStrictEqual(b.result);
  });

  it('re-lexes only the edited lines, and follows block comments that open, close or run to the end of the file', () => {
    const text = generated(3, 2);
    const cases: ((t: string) => string)[] = [
      (t) => t.replace('network n1 {', '/* network n1 {'), // opens a comment that never closes
      (t) => t + 'x', // typing after it: still in the comment
      (t) => t.replace('  reuse 1\n', '  reuse 1 - 2\n'), // an edit inside the unclosed comment
      (t) => t.replace('/* network n1 {', '/* network */ n1 {'), // closes it early
      (t) => t.replace('/* network */', 'network'), // back to no comment
      (t) => t.replace('// generated', '// generated /* not a block comment'),
    ];
    let t = text;
    let state = parseIncremental(t, 'c.qnn');
    for (const edit of cases) {
      t = edit(t);
      state = parseIncremental(t, 'c.qnn', state);
      expect(state.result).toStrictEqual(parse(t, 'c.qnn'));
    }
  });

  it('builds ASTs in which no object is shared between two nodes (spans are moved in place)', () => {
    for (const file of samples) {
      const ast = parse(readFileSync(file, 'utf8'), file).ast;
      const seen = new Set<object>();
      const shared: string[] = [];
      const walk = (o: object): void => {
        if (seen.has(o)) shared.push(JSON.stringify(o).slice(0, 80));
        seen.add(o);
        for (const v of Array.isArray(o) ? o : Object.values(o)) if (typeof v === 'object' && v !== null) walk(v);
      };
      walk(ast.items);
      expect(shared, `objects shared between AST nodes of ${relative(REPO, file)}`).toEqual([]);
    }
  });

  it('parses only the edited item when a layer inside one network changes', () => {
    const text = generated(6, 4);
    const a = parseIncremental(text, 'g.qnn');
    const edited = text.replace('network n3 {\n  io parallel\n  reuse 1', 'network n3 {\n  io parallel\n  reuse 2');
    const b = parseIncremental(edited, 'g.qnn', a);
    const items = a.segments!.length;
    expect(b.stats.reusedSegments).toBe(items - 1);
    expect(b.result.ast).toStrictEqual(parse(edited, 'g.qnn').ast);
  });

  it('re-parses only the edited statements of a large network (one network, statement-level reuse)', () => {
    const text = generated(1, 200);
    let state = parseIncremental(text, 'one.qnn');
    let parsed = 0;
    let total = 0;
    let reusedStatements = 0;
    // Rename a layer character by character (clean parses), in the middle of the network.
    const at = text.indexOf('fc100 = dense') + 4;
    for (const typed of ['x', 'xy', 'xyz', 'xy', 'x', '']) {
      const t = text.slice(0, at) + typed + text.slice(at);
      state = parseIncremental(t, 'one.qnn', state);
      expect(state.result).toStrictEqual(parse(t, 'one.qnn'));
      parsed += state.stats.parsedTokens;
      total += state.tokens.length;
      reusedStatements += state.stats.reusedStatements;
    }
    expect(parsed / total).toBeLessThan(0.05);
    // About 400 statements (200 layers, 2 statements each), all but the edited one kept in each version.
    expect(reusedStatements).toBeGreaterThan(6 * 390);
  });

  it('parses past an unclosed network until an item parses without error, and keeps the items before and after', () => {
    const text = generated(6, 2);
    const a = parseIncremental(text, 'g.qnn');
    // Delete the '}' of network n1: the parser's recovery decides where n1 ends, which depends on what follows.
    const at = text.indexOf('}\n', text.indexOf('network n1'));
    const edited = text.slice(0, at) + text.slice(at + 1);
    const b = parseIncremental(edited, 'g.qnn', a);
    expect(b.result.diagnostics.length).toBeGreaterThan(0);
    expect(b.result).toStrictEqual(parse(edited, 'g.qnn'));
    const before = a.segments!.filter((s) => s.item && s.item.span.end < at).length;
    expect(b.stats.reusedSegments).toBeGreaterThan(before);
    expect(b.stats.parsedTokens).toBeLessThan(b.tokens.length / 2);
  });
});
