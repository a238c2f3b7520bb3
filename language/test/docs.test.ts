// Keeps the language reference true: every ```qnn example in docs/language.md (and in docs/diagnostics.md) is parsed
// and checked with the real checker, on the real files under docs/examples/, as if it were docs/examples/example.qnn.
//
// Kinds of examples, by the info string of the fence:
//   ```qnn                     a complete file: no diagnostics at all (in it or in the files it imports), a target for
//                              every network, and the text is a fixed point of the formatter (canonical layout).
//   ```qnn fragment            a snippet: must parse without syntax errors (QNN1xxx); not checked further.
//   ```qnn error QNN2021 …     must produce exactly these codes (as a set, over all files of the program).
//   ```qnn file lib/x.qnn      shows docs/examples/lib/x.qnn: must equal that file, which checks clean and is canonical.
// A ```text diagnostics block right after an error example lists the diagnostics it produces, exactly and in order,
// as `qnn check` prints them: `FILE:LINE:COL: SEVERITY CODE: MESSAGE`, FILE relative to docs/examples/.
// `UPDATE_DOCS=1 npx vitest run language/test/docs.test.ts` rewrites the codes of error examples and the diagnostics
// blocks after them from the checker's current output (review the diff: a changed message may be a regression).
// Tables whose first header cell is a type with a placeholder mode (`fixed<8, 8, Q>`, `fixed<4, 3, TRN, O>`) are
// worked examples of casts: row `MODE`, column x holds the value of x cast to the type with MODE in place of Q or O.
// Finally every operation of ops.ts has a heading in language.md, and its section names its parameters and attributes.
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { Diagnostic } from '../src/diagnostics.js';
import { fixedType, formatFixedType, OVERFLOW_MODES, QUANT_MODES, quantizeToDouble, valueRange, type FixedType, type OverflowMode, type QuantMode } from '../src/fixed-type.js';
import { format } from '../src/format.js';
import { memoryFileSystem, type FileSystem, type ReadResult } from '../src/host.js';
import { LineIndex } from '../src/line-index.js';
import { OPS } from '../src/ops.js';
import { parse } from '../src/parse.js';
import { checkProgram } from '../src/check/program.js';
import { losslessAccum } from '../src/check/layer.js';
import type { PartCatalog } from '../src/check/context.js';
import type { ProgramModel } from '../src/model.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DOCS = join(ROOT, 'docs');
const EXAMPLES = join(DOCS, 'examples');
const EXAMPLE_PATH = join(EXAMPLES, 'example.qnn');

// ---- the environment: the disk, and the parts of the device table ---------------------------------------------------

function read<T>(path: string, get: (p: string) => T): ReadResult<T> {
  try {
    if (statSync(path).isDirectory()) return { kind: 'error', message: 'it is a directory' };
    return { kind: 'ok', value: get(path) };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { kind: 'missing' };
    return { kind: 'error', message: (e as Error).message };
  }
}

const diskFs: FileSystem = {
  readText: (p) => read(p, (q) => readFileSync(q, 'utf8')),
  readBytes: (p) => read(p, (q) => new Uint8Array(readFileSync(q))),
};

const PART_NAMES = ['xc7a35t', 'xc7a100t', 'xc7z020', 'xczu9eg', 'xcu250', 'xcvu9p', 'xcvu13p', 'ice40up5k', 'ice40hx8k'];
const parts: PartCatalog = { has: (n) => PART_NAMES.includes(n), names: () => PART_NAMES };

function checkExample(code: string): ProgramModel {
  return checkProgram([EXAMPLE_PATH], { fs: memoryFileSystem({ [EXAMPLE_PATH]: code }, diskFs), parts });
}

/** Every diagnostic of the program as `qnn check` prints it: the example's first, then other files by path. */
function diagnosticLines(program: ProgramModel, texts: (path: string) => string): string[] {
  const paths = [...program.diagnostics.keys()].sort((a, b) => (a === EXAMPLE_PATH ? -1 : b === EXAMPLE_PATH ? 1 : a.localeCompare(b)));
  const out: string[] = [];
  for (const p of paths) {
    const index = new LineIndex(program.files.get(p)?.text ?? texts(p));
    for (const d of program.diagnostics.get(p) ?? []) {
      const at = index.positionAt(d.span.start);
      out.push(`${relative(EXAMPLES, p)}:${at.line + 1}:${at.character + 1}: ${d.severity} ${d.code}: ${d.message}`);
    }
  }
  return out;
}

function allDiagnostics(program: ProgramModel): Diagnostic[] {
  return [...program.diagnostics.values()].flat();
}

// ---- reading the markdown ------------------------------------------------------------------------------------------

interface Block {
  readonly doc: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
  /** 0-based index of the line of the closing fence. */
  readonly end: number;
  readonly info: string;
  readonly code: string;
  /** The fenced block that follows this one with only blank lines between, if any. */
  next?: Block;
}

function fencedBlocks(doc: string, text: string): Block[] {
  const lines = text.split('\n');
  const blocks: Block[] = [];
  let prevEnd = -2;
  for (let i = 0; i < lines.length; i++) {
    const open = /^(`{3,}|~{3,})(.*)$/.exec(lines[i]);
    if (!open) continue;
    const fence = open[1];
    const body: string[] = [];
    let j = i + 1;
    const closes = (l: string) => {
      const t = l.trim();
      return t.length >= fence.length && t === fence[0].repeat(t.length);
    };
    while (j < lines.length && !closes(lines[j])) {
      body.push(lines[j]);
      j++;
    }
    const block: Block = { doc, line: i + 1, end: j, info: open[2].trim(), code: body.length ? body.join('\n') + '\n' : '' };
    const prev = blocks[blocks.length - 1];
    if (prev && lines.slice(prevEnd + 1, i).every((l) => l.trim() === '')) prev.next = block;
    blocks.push(block);
    prevEnd = j;
    i = j;
  }
  return blocks;
}

const DOC_FILES = ['language.md', 'diagnostics.md'];
const docTexts = new Map(DOC_FILES.map((f) => [f, readFileSync(join(DOCS, f), 'utf8')]));
const blocks = DOC_FILES.flatMap((f) => fencedBlocks(f, docTexts.get(f)!));
const qnnBlocks = blocks.filter((b) => /^qnn(\s|$)/.test(b.info));

type Kind =
  | { readonly kind: 'complete' }
  | { readonly kind: 'fragment' }
  | { readonly kind: 'error'; readonly codes: readonly string[] }
  | { readonly kind: 'file'; readonly path: string }
  | { readonly kind: 'bad'; readonly why: string };

function kindOf(info: string): Kind {
  const words = info.split(/\s+/).slice(1);
  if (words.length === 0) return { kind: 'complete' };
  if (words[0] === 'fragment' && words.length === 1) return { kind: 'fragment' };
  if (words[0] === 'error') {
    const codes = words.slice(1);
    if (codes.length === 0 || codes.some((c) => !/^QNN\d{4}$/.test(c))) return { kind: 'bad', why: `'${info}' must list codes such as QNN2021` };
    return { kind: 'error', codes };
  }
  if (words[0] === 'file' && words.length === 2) return { kind: 'file', path: words[1] };
  return { kind: 'bad', why: `unknown example kind '${info}'` };
}

const UPDATE = process.env.UPDATE_DOCS === '1';
/** Replacements of whole lines of the docs, collected in UPDATE_DOCS mode: [first, end) line indices. */
const updates: { doc: string; first: number; end: number; lines: string[] }[] = [];

afterAll(() => {
  for (const doc of DOC_FILES) {
    const mine = updates.filter((u) => u.doc === doc).sort((a, b) => b.first - a.first);
    if (mine.length === 0) continue;
    const lines = docTexts.get(doc)!.split('\n');
    for (const u of mine) lines.splice(u.first, u.end - u.first, ...u.lines);
    writeFileSync(join(DOCS, doc), lines.join('\n'));
  }
});

function canonical(code: string): void {
  const f = format(code);
  if (!f.ok) throw new Error(`the formatter refuses the example: ${f.reason}`);
  expect(f.text, 'the example is not in canonical format (run it through `qnn fmt`)').toBe(code);
}

// ---- the examples --------------------------------------------------------------------------------------------------

describe('examples in the docs', () => {
  it('has examples of every kind', () => {
    const kinds = new Set(qnnBlocks.map((b) => kindOf(b.info).kind));
    for (const k of ['complete', 'fragment', 'error', 'file']) expect(kinds).toContain(k);
    expect(qnnBlocks.filter((b) => b.doc === 'language.md').length).toBeGreaterThan(40);
  });

  for (const b of qnnBlocks) {
    const k = kindOf(b.info);
    it(`${b.doc}:${b.line} (${b.info})`, () => {
      switch (k.kind) {
        case 'bad':
          throw new Error(k.why);
        case 'fragment': {
          const syntax = parse(b.code, EXAMPLE_PATH).diagnostics.filter((d) => d.code.startsWith('QNN1'));
          expect(syntax.map((d) => `${d.code}: ${d.message}`)).toEqual([]);
          break;
        }
        case 'complete': {
          const program = checkExample(b.code);
          expect(diagnosticLines(program, () => '')).toEqual([]);
          const file = program.files.get(EXAMPLE_PATH)!;
          const hasFileTarget = file.ast.items.some((i) => i.kind === 'target');
          const networks = file.ast.items.filter((i) => i.kind === 'network');
          expect(networks.length, 'a complete example defines a network').toBeGreaterThan(0);
          for (const n of networks) {
            const target = hasFileTarget || n.body.some((s) => s.kind === 'target');
            expect(target, `network '${n.name?.name}' has a target`).toBe(true);
          }
          canonical(b.code);
          break;
        }
        case 'error': {
          const program = checkExample(b.code);
          const got = [...new Set(allDiagnostics(program).map((d) => d.code))].sort();
          if (UPDATE) {
            updates.push({ doc: b.doc, first: b.line - 1, end: b.line, lines: [`\`\`\`qnn error ${got.join(' ')}`] });
            break;
          }
          expect(got, diagnosticLines(program, () => b.code).join('\n')).toEqual([...new Set(k.codes)].sort());
          break;
        }
        case 'file': {
          const path = join(EXAMPLES, k.path);
          expect(b.code).toBe(readFileSync(path, 'utf8'));
          const program = checkProgram([path], { fs: diskFs, parts });
          expect(diagnosticLines(program, () => '')).toEqual([]);
          canonical(b.code);
          break;
        }
      }
      if (b.next?.info === 'text diagnostics') {
        expect(k.kind, 'a diagnostics block follows an error example').toBe('error');
        const program = checkExample(b.code);
        const want = b.next.code.split('\n').filter((l) => l.trim() !== '');
        const got = diagnosticLines(program, (p) => (p === EXAMPLE_PATH ? b.code : readFileSync(p, 'utf8')));
        if (UPDATE) updates.push({ doc: b.doc, first: b.next.line, end: b.next.end, lines: got });
        else expect(got).toEqual(want);
      }
    });
  }

  it('puts every diagnostics block right after an error example', () => {
    const orphans = blocks.filter((b) => b.info === 'text diagnostics' && !qnnBlocks.some((q) => q.next === b));
    expect(orphans.map((b) => `${b.doc}:${b.line}`)).toEqual([]);
  });
});

// ---- worked examples of casts --------------------------------------------------------------------------------------

interface CastTable {
  readonly line: number;
  readonly template: string;
  readonly xs: string[];
  readonly rows: { readonly line: number; readonly mode: string; readonly cells: string[] }[];
}

function castTables(text: string): CastTable[] {
  const lines = text.split('\n');
  const cells = (l: string) => l.trim().replace(/^\|/, '').replace(/\|$/, '').split('|').map((c) => c.trim());
  const out: CastTable[] = [];
  for (let i = 0; i + 1 < lines.length; i++) {
    if (!lines[i].startsWith('|') || !/^\|[\s|:-]+\|$/.test(lines[i + 1].trim())) continue;
    const head = cells(lines[i]);
    const m = /^`(u?fixed<[^`]*\b[QO]\b[^`]*>)`$/.exec(head[0]);
    if (!m) continue;
    const table: CastTable = { line: i + 1, template: m[1], xs: head.slice(1), rows: [] };
    for (let j = i + 2; j < lines.length && lines[j].startsWith('|'); j++) {
      const c = cells(lines[j]);
      table.rows.push({ line: j + 1, mode: c[0].replace(/`/g, ''), cells: c.slice(1) });
    }
    out.push(table);
  }
  return out;
}

/** `−2.5` (with a typographic minus) → -2.5. */
function num(s: string): number {
  const v = Number(s.replace(/−/g, '-'));
  if (!Number.isFinite(v)) throw new Error(`'${s}' is not a number`);
  return v;
}

/** `fixed<4, 3, TRN, SAT>`, `ufixed<8, 0>`, `int<8>`, `uint<4>` → the type (modes as written, defaults otherwise). */
function typeOf(text: string): FixedType {
  const m = /^(u?fixed|u?int)<(.*)>$/.exec(text.trim());
  if (!m) throw new Error(`'${text}' is not a fixed-point type`);
  const args = m[2].split(',').map((a) => a.trim());
  const signed = !m[1].startsWith('u');
  if (m[1].endsWith('int')) return fixedType(signed, num(args[0]), num(args[0]));
  const q = (args[2] ?? 'TRN') as QuantMode;
  const o = (args[3] ?? 'WRAP') as OverflowMode;
  expect([...QUANT_MODES] as string[]).toContain(q);
  expect([...OVERFLOW_MODES] as string[]).toContain(o);
  return fixedType(signed, num(args[0]), num(args[1]), q, o);
}

/** `32 − 2^−10`, `2^−7`, `−0.125`: sums of numbers and powers of two, as the tables of language.md write them. */
function value(text: string): number {
  const e = text.replace(/−/g, '-').replace(/2\^(-?\d+)/g, '(2 ** ($1))');
  if (!/^[-+\d\s.()*]+$/.test(e)) throw new Error(`'${text}' is not a simple number`);
  return Function(`return ${e};`)() as number;
}

describe('worked examples of types in language.md', () => {
  const text = docTexts.get('language.md')!;
  const tables = castTables(text);
  it('has a quantization table and an overflow table covering every mode', () => {
    const modes = tables.flatMap((t) => t.rows.map((r) => r.mode));
    for (const m of [...QUANT_MODES, ...OVERFLOW_MODES]) expect(modes).toContain(m);
  });
  for (const t of tables) {
    for (const row of t.rows) {
      const written = t.template.replace(/\b[QO]\b/, row.mode);
      it(`language.md:${row.line}: casts to ${written}`, () => {
        const type = typeOf(written);
        expect(row.cells.length).toBe(t.xs.length);
        expect(t.xs.map((x) => quantizeToDouble(type, num(x)).value)).toEqual(row.cells.map(num));
      });
    }
  }

  // | type | step | range | note |: the step and the range of each type.
  const lines = text.split('\n');
  const head = lines.findIndex((l) => /^\| type \| step \| range \|/.test(l));
  it('has a table of steps and ranges', () => expect(head).toBeGreaterThan(0));
  for (let i = head + 2; head > 0 && i < lines.length && lines[i].startsWith('|'); i++) {
    const [type, step, range] = lines[i].split('|').slice(1).map((c) => c.trim());
    it(`language.md:${i + 1}: ${type} has step ${step} and range ${range}`, () => {
      const r = valueRange(typeOf(type.replace(/`/g, '')));
      expect(r.lsb).toBe(value(step));
      const m = /^\[(.*), (.*)\]$/.exec(range)!;
      expect([r.min, r.max]).toEqual([value(m[1]), value(m[2])]);
    });
  }

  it('gives the lossless accumulator of the worked example', () => {
    const flat = text.replace(/\s+/g, ' ');
    const m = /For x `([^`]+)`, weights and bias `([^`]+)` and n = (\d+) it is `([^`]+)`/.exec(flat);
    expect(m, 'the worked example of the default accumulator').not.toBeNull();
    const [, x, wb, n, accum] = m!;
    expect(formatFixedType(losslessAccum(typeOf(x), typeOf(wb), typeOf(wb), Number(n)))).toBe(accum);
  });
});

// ---- operations ----------------------------------------------------------------------------------------------------

describe('operations in language.md', () => {
  const lines = docTexts.get('language.md')!.split('\n');
  const headings = lines.map((l, i) => ({ l, i })).filter(({ l }) => /^#{2,6}\s/.test(l));
  const mentions = (heading: string, name: string) => new RegExp(`(^|[^A-Za-z0-9_])${name}($|[^A-Za-z0-9_])`).test(heading);

  it('lists the operations that keep their input type (result type rule 3)', () => {
    const text = docTexts.get('language.md')!.replace(/\s+/g, ' ');
    const m = /for the operations that keep their input's type \(([^)]*)\)/.exec(text);
    expect(m, "the rule 'for the operations that keep their input's type (…)'").not.toBeNull();
    const listed = [...m![1].matchAll(/`([a-z0-9_]+)`/g)].map((x) => x[1]).sort();
    expect(listed).toEqual(OPS.filter((o) => o.keepsType).map((o) => o.name).sort());
  });

  for (const op of OPS) {
    it(`documents ${op.name}`, () => {
      const h = headings.find(({ l }) => mentions(l, op.name));
      expect(h, `a heading naming '${op.name}'`).toBeDefined();
      // The section: from its heading to the next heading of the same or a higher level.
      const level = /^#+/.exec(h!.l)![0].length;
      const end = headings.find(({ l, i }) => i > h!.i && /^#+/.exec(l)![0].length <= level)?.i ?? lines.length;
      const section = lines.slice(h!.i, end).join('\n');
      for (const name of [...op.params.map((p) => p.name), ...op.attrs.map((a) => a.name)]) {
        expect(section, `the section of ${op.name} names '${name}'`).toContain(`\`${name}\``);
      }
    });
  }
});
