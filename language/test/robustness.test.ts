// Robustness fuzzing: parse() and checkProgram() must never throw, never hang, and only report well-formed
// diagnostics (a known code, a message, a span inside its file) on broken input, however broken.
//
// The corpus is every samples/**/*.qnn (checked with their weight and data files, read from disk through a fallback
// file system) plus a few inline texts, so that the corpus is never empty. Each case is a seeded mutation of a corpus
// text: token deletion, insertion and duplication, truncation at every 50th offset, random characters (control
// characters, lone UTF-16 surrogates, NUL), very long lines and very deep nesting.
//
// Reproducing a failure: its message names the case (kind, corpus file, seed) and shows the start of the mutated
// text; QNN_FUZZ_DUMP=folder also writes each failing text there in full. QNN_FUZZ_SEED=n changes the base seed;
// QNN_FUZZ_SCALE=k multiplies the number of random cases.
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { prng } from './prng.js';
import { CODES, checkProgram, memoryFileSystem, normalizePath, parse, writeNpy, type Diagnostic, type FileSystem, type ReadResult } from '../src/index.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const SAMPLES = join(REPO, 'samples');
const BASE_SEED = Number(process.env.QNN_FUZZ_SEED ?? 20240611) >>> 0;
const SCALE = Math.max(1, Number(process.env.QNN_FUZZ_SCALE ?? 1));
/** A single case that takes this long is reported as a (near-)hang. Generous: the point is "no hang". */
const SLOW_CASE_MS = 5000;
const TEST_TIMEOUT_MS = 120_000;

// ---------------------------------------------------------------------------------------------------------------
// Seeded randomness (mulberry32) and string hashing for per-case seeds.

function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

type Rng = () => number;
const int = (rng: Rng, n: number) => Math.floor(rng() * n);
const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[int(rng, xs.length)];

// ---------------------------------------------------------------------------------------------------------------
// The corpus.

interface CorpusFile {
  /** Absolute (normalized) path of the file: on disk for samples, virtual for inline texts. */
  readonly path: string;
  readonly text: string;
  /** Extra in-memory files next to it (inline texts only). */
  readonly extra: Readonly<Record<string, string | Uint8Array>>;
}

function findQnn(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  const stack = [dir];
  while (stack.length) {
    const d = stack.pop()!;
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.name.startsWith('.') || e.name === 'node_modules') continue;
      const full = join(d, e.name);
      if (e.isDirectory()) stack.push(full);
      else if (e.isFile() && e.name.endsWith('.qnn')) out.push(full);
    }
  }
  return out.sort();
}

const INLINE_DIR = '/virtual/inline';

const INLINE_LIB = `// Shared types for the inline corpus.
type data = fixed<16, 6>
type coef = fixed<8, 1, RND, SAT>
type act = ufixed<15, 5>
type prob = ufixed<16, 0, TRN, SAT>
`;

const INLINE_TAGGER = `// A jet tagger with generated weights: 16 -> 64 -> 32 -> 32 -> 5.
target xcu250 clock 5ns

type data = fixed<16, 6>
type coef = fixed<16, 6>
type act = ufixed<15, 5>

network jet_tagger {
  io parallel
  reuse 1
  init random(seed: 42, scale: 0.5)
  require latency <= 100ns, dsp <= 2000, lut < 80%

  input x : data[16]

  fc1 = dense(x, 64) {
    weight: coef = random(seed: 1)
    bias: coef = zeros()
    accum: data
  } : data
  relu1 = relu(fc1) : act
  fc2 = dense(relu1, 32) { weight: coef = random(seed: 2, sparsity: 0.25); reuse: 4 } : data
  relu2 = relu(fc2) : act
  fc3 = dense(relu2, 32) : data
  relu3 = relu(fc3) : act
  fc4 = dense(relu3, 5) { bias: coef = [0.5, -0.25, 0, 0.125, 1] } : data
  out = softmax(fc4) { table: 1024 } : ufixed<16, 0, TRN, SAT>

  output out
}

test synthetic for jet_tagger {
  inputs: load("data/features.npy")
  labels: load("data/labels.csv", column: 0)
}
`;

const INLINE_STREAM = `/* A 1-D CNN on a stream, with imported types, a sub-network used as a layer and test data. */
import { data, coef, act } from "lib.qnn"
import { prob as p } from "lib.qnn"

target xc7z020 clock 125MHz

network head {
  precision data
  init random(seed: 3)
  input h : data[32]
  d = dense(h, 3)
  output d
}

network pulse {
  io stream
  fifo 32
  fifo c1 -> a1 depth 64
  precision data
  init random(seed: 7, distribution: normal)
  require ii <= 64, bram <= 10

  input wave : data[64]
  x = reshape(wave, [64, 1])
  c1 = conv1d(x, 8, 5, padding: same) { weight: coef = random(seed: 11) }
  a1 = leaky_relu(c1, 0.1)
  p1 = maxpool1d(a1, 2)
  d1 = depthwise_conv1d(p1, 3, padding: same, multiplier: 2)
  bn = batchnorm(d1) { gamma: coef = ones(), beta: coef = zeros(); epsilon: 0.001 }
  a2 = relu6(bn) : act
  p2 = avgpool1d(a2, 2, stride: 2) : act
  t = tanh(p2) { table: 512, table_type: fixed<10, 1, TRN, SAT> }
  s = sigmoid(p2) { table: 256 }
  both = concat(t, s, axis: -1)
  g = global_avgpool1d(both)
  g2 = global_maxpool1d(both)
  sum = add(g, g2)
  flat = flatten(sum)
  cls = head(flat)
  prob = softmax(cls) : p

  output prob
}

test tiny for pulse {
  inputs: load("data/pulses.csv", columns: [0, 64])
  labels: load("data/pulses.csv", column: 64)
}
`;

const INLINE_IMAGE = `// A small 2-D CNN with explicit shapes and per-layer settings.
target xczu9eg clock 200MHz
type pix = ufixed<10, 1>
type data = fixed<16, 6>
type coef = fixed<8, 1, RND, SAT>

network image {
  io stream
  reuse 2
  init random(seed: 5)
  input img : pix[12, 12, 2]
  c = conv2d(img, 4, [3, 3], stride: [1, 1]) { reuse: 9 } : data[10, 10, 4]
  r = relu(c)
  m = maxpool2d(r, [2, 2]) : data[5, 5, 4]
  dw = depthwise_conv2d(m, 3, padding: same)  : data
  f = flatten(dw)
  o = dense(f, 10) { weight: coef = random(seed: 9, scale: 0.1); reuse: 10 } : data
  output o
}
`;

function inlineCorpus(): CorpusFile[] {
  const features = writeNpy({ shape: [4, 16], data: Array.from({ length: 64 }, (_, i) => ((i * 7) % 11) / 11 - 0.5) });
  const labelsCsv = '0\n1\n2\n3\n';
  const pulses = Array.from({ length: 3 }, (_, r) => [...Array.from({ length: 64 }, (_, i) => (Math.sin(i / 5 + r) * 0.5).toFixed(3)), String(r)].join(',')).join('\n') + '\n';
  const extra = {
    [`${INLINE_DIR}/lib.qnn`]: INLINE_LIB,
    [`${INLINE_DIR}/data/features.npy`]: features,
    [`${INLINE_DIR}/data/labels.csv`]: labelsCsv,
    [`${INLINE_DIR}/data/pulses.csv`]: pulses,
  };
  return [
    { path: `${INLINE_DIR}/tagger.qnn`, text: INLINE_TAGGER, extra },
    { path: `${INLINE_DIR}/stream.qnn`, text: INLINE_STREAM, extra },
    { path: `${INLINE_DIR}/image.qnn`, text: INLINE_IMAGE, extra },
    { path: `${INLINE_DIR}/lib.qnn`, text: INLINE_LIB, extra },
  ];
}

const CORPUS: readonly CorpusFile[] = [
  ...findQnn(SAMPLES).map((p) => ({ path: normalizePath(p), text: readFileSync(p, 'utf8'), extra: {} })),
  ...inlineCorpus(),
];

/** Reads files under samples/ from disk (cached; nothing outside samples/ is read, whatever a mutated path says). */
const diskCache = new Map<string, ReadResult<Uint8Array>>();
function readDisk(path: string): ReadResult<Uint8Array> {
  const hit = diskCache.get(path);
  if (hit) return hit;
  let res: ReadResult<Uint8Array>;
  const rel = relative(SAMPLES, path);
  if (path.includes('\0') || rel.startsWith('..') || resolve(SAMPLES, rel) !== resolve(path)) res = { kind: 'missing' };
  else {
    try {
      const st = statSync(path);
      res = st.isFile() ? { kind: 'ok', value: new Uint8Array(readFileSync(path)) } : { kind: 'error', message: 'not a file' };
    } catch {
      res = { kind: 'missing' };
    }
  }
  diskCache.set(path, res);
  return res;
}
const diskFs: FileSystem = {
  readBytes: readDisk,
  readText(path) {
    const r = readDisk(path);
    return r.kind === 'ok' ? { kind: 'ok', value: new TextDecoder().decode(r.value) } : r;
  },
};

// ---------------------------------------------------------------------------------------------------------------
// Mutations.

interface Tok {
  readonly start: number;
  readonly end: number;
}

/** A rough tokenizer, independent of the real lexer: words, numbers, strings, comments, punctuation. */
function roughTokens(text: string): Tok[] {
  const re = /\/\/[^\n]*|\/\*[\s\S]*?\*\/|"[^"\n]*"?|[A-Za-z_][A-Za-z0-9_]*|\d+(?:\.\d*)?(?:[eE][+-]?\d+)?[A-Za-z%]*|->|<=|\S/gu;
  const out: Tok[] = [];
  for (let m = re.exec(text); m; m = re.exec(text)) out.push({ start: m.index, end: m.index + m[0].length });
  return out;
}

const KEYWORDS = ['import', 'from', 'as', 'target', 'clock', 'type', 'network', 'test', 'for', 'io', 'reuse', 'precision', 'init', 'require', 'fifo', 'depth', 'input', 'output', 'fixed', 'ufixed', 'int', 'uint'];
const OPS = ['dense', 'conv1d', 'conv2d', 'depthwise_conv1d', 'depthwise_conv2d', 'maxpool1d', 'maxpool2d', 'avgpool1d', 'avgpool2d', 'global_maxpool1d', 'global_avgpool2d', 'batchnorm', 'relu', 'relu6', 'leaky_relu', 'linear', 'sigmoid', 'tanh', 'softmax', 'add', 'concat', 'flatten', 'reshape'];
const WORDS = ['load', 'random', 'zeros', 'ones', 'seed', 'scale', 'sparsity', 'weight', 'bias', 'accum', 'table', 'table_type', 'axis', 'padding', 'same', 'valid', 'stride', 'multiplier', 'gamma', 'variance', 'epsilon', 'RND', 'SAT', 'TRN', 'WRAP', 'AP_RND', 'stream', 'parallel', 'latency', 'dsp', 'lut', 'ii', 'x', 'fc1', 'relu1', 'out', 'data', 'coef', 'act', 'jet_tagger', 'xcu250', 'inputs', 'labels', 'column', 'columns', 'a'.repeat(100)];
const PUNCT = ['(', ')', '{', '}', '[', ']', '<', '>', '<=', '=', ':', ',', ';', '-', '->', '//', '/*', '*/', '"', '.', '\n', '\n\n'];
const NUMBERS = ['0', '1', '-1', '2', '3', '16', '64', '1024', '3.5', '0.125', '.5', '1e3', '1e309', '1e-400', '-0', '5ns', '200MHz', '80%', '0ns', '7cycles', '4294967296', '16777216', '268435457', '99999999999999999999', '1.7976931348623157e308', '0x10', '1__2'];
const STRINGS = ['"weights/fc1_weight.npy"', '"weights/fc1_bias.npy"', '"types.qnn"', '"lib.qnn"', '"missing.qnn"', '""', '"data/labels.csv"', '"data/pulses.csv"', '"weights"', '"../"', '"/"', '"a\\"b"', '"unterminated', '"x.txt"', `"${'../'.repeat(40)}etc/passwd"`];
const VOCAB = [...KEYWORDS, ...OPS, ...WORDS, ...PUNCT, ...NUMBERS, ...STRINGS];

const ODD_CHARS = ['\u0000', '\u0001', '\u0007', '\b', '\u000b', '\f', '\r', '\t', '\u001b', '\u001f', '\u007f', '\u0085', '\u00a0', '\ud800', '\udbff', '\udc00', '\udfff', '\ud83d\ude00', '\ufeff', '\ufffd', '\uffff', '\u2028', '\u2029', 'é', 'λ', '∑', '你', '@', '#', '$', '%', '^', '&', '*', '!', '?', '~', '`', "'", '\\', '|'];

function randomChar(rng: Rng): string {
  const r = rng();
  if (r < 0.6) return pick(rng, ODD_CHARS);
  if (r < 0.8) return String.fromCharCode(int(rng, 0x10000)); // any UTF-16 code unit, surrogates included
  return String.fromCharCode(int(rng, 128));
}

function randomToken(rng: Rng): string {
  const t = pick(rng, VOCAB);
  const r = rng();
  return r < 0.5 ? ` ${t} ` : r < 0.75 ? t : `\n${t}`;
}

type Mutator = (text: string, rng: Rng) => string;

function spliceTokens(text: string, rng: Rng, f: (toks: Tok[], i: number) => { start: number; end: number; insert: string }): string {
  const toks = roughTokens(text);
  if (toks.length === 0) return text + randomToken(rng);
  const e = f(toks, int(rng, toks.length));
  return text.slice(0, e.start) + e.insert + text.slice(e.end);
}

const MUTATORS: Record<string, Mutator> = {
  'token deletion': (text, rng) => {
    let t = text;
    for (let k = 1 + int(rng, 3); k > 0; k--) {
      t = spliceTokens(t, rng, (toks, i) => {
        const n = 1 + (rng() < 0.2 ? int(rng, 6) : 0); // sometimes a run of tokens
        return { start: toks[i].start, end: toks[Math.min(toks.length - 1, i + n - 1)].end, insert: '' };
      });
    }
    return t;
  },
  'token insertion': (text, rng) => {
    let t = text;
    for (let k = 1 + int(rng, 3); k > 0; k--) {
      t = spliceTokens(t, rng, (toks, i) => {
        const at = rng() < 0.5 ? toks[i].start : toks[i].end;
        let ins = '';
        for (let n = 1 + (rng() < 0.3 ? int(rng, 5) : 0); n > 0; n--) ins += randomToken(rng);
        return { start: at, end: at, insert: ins };
      });
    }
    return t;
  },
  'token duplication': (text, rng) =>
    spliceTokens(text, rng, (toks, i) => {
      const j = Math.min(toks.length - 1, i + int(rng, 8));
      const piece = text.slice(toks[i].start, toks[j].end);
      const times = rng() < 0.1 ? 2 + int(rng, 50) : 1;
      return { start: toks[j].end, end: toks[j].end, insert: (rng() < 0.5 ? ' ' : '') + piece.repeat(times) };
    }),
  'random characters': (text, rng) => {
    let t = text;
    for (let k = 1 + int(rng, 8); k > 0; k--) {
      const at = int(rng, t.length + 1);
      const r = rng();
      let s = '';
      for (let n = 1 + int(rng, 4); n > 0; n--) s += randomChar(rng);
      // Insert, overwrite, or split a surrogate pair in the middle.
      if (r < 0.5) t = t.slice(0, at) + s + t.slice(at);
      else if (r < 0.9) t = t.slice(0, at) + s + t.slice(at + s.length);
      else t = t.slice(0, at) + '\ud83d' + t.slice(at);
    }
    return t;
  },
  'mixed mutations': (text, rng) => {
    const names = ['token deletion', 'token insertion', 'token duplication', 'random characters'];
    let t = text;
    for (let k = 2 + int(rng, 4); k > 0; k--) t = MUTATORS[pick(rng, names)](t, rng);
    return t;
  },
};

// ---------------------------------------------------------------------------------------------------------------
// Running one case and checking the invariants.

interface Failure {
  readonly id: string;
  readonly problem: string;
  readonly text: string;
}

const stats = { cases: 0, slowest: { ms: 0, id: '' }, byKind: new Map<string, number>() };

function describeText(text: string): string {
  const head = text.length > 400 ? `${text.slice(0, 400)}… (${text.length} chars)` : text;
  return JSON.stringify(head);
}

function checkDiagnostic(d: Diagnostic, textOf: (path: string) => string | undefined, where: string): string[] {
  const problems: string[] = [];
  if (!Object.prototype.hasOwnProperty.call(CODES, d.code)) problems.push(`${where}: unknown code ${String(d.code)}`);
  if (typeof d.message !== 'string' || d.message.trim() === '') problems.push(`${where}: ${d.code} has an empty message`);
  if (d.severity !== 'error' && d.severity !== 'warning' && d.severity !== 'info') problems.push(`${where}: ${d.code} has severity ${String(d.severity)}`);
  // QNN1999 is the safety net of parse() and checkProgram(): an exception was caught, so it is a crash.
  if (d.code === 'QNN1999') problems.push(`${where}: internal error (a caught crash): ${d.message}`);
  const spans = [{ path: d.path, span: d.span, what: d.code }, ...(d.related ?? []).map((r) => ({ path: r.path, span: r.span, what: `${d.code} related` }))];
  for (const s of spans) {
    const text = textOf(s.path);
    const len = text?.length ?? 0;
    const { start, end } = s.span ?? ({} as { start?: number; end?: number });
    if (!Number.isInteger(start) || !Number.isInteger(end) || start! < 0 || end! < start! || end! > len) {
      problems.push(`${where}: ${s.what} span ${JSON.stringify(s.span)} is outside ${s.path} (${len} chars)`);
    }
  }
  return problems;
}

/** Parses and checks `text` as the file `file.path`; adds each broken invariant (with the case) to `failures`. */
function runCase(kind: string, id: string, file: CorpusFile, text: string, failures: Failure[]): void {
  stats.cases++;
  stats.byKind.set(kind, (stats.byKind.get(kind) ?? 0) + 1);
  const problems: string[] = [];
  const t0 = performance.now();
  try {
    const parsed = parse(text, file.path);
    for (const d of parsed.diagnostics) {
      if (d.path !== file.path) problems.push(`parse: diagnostic ${d.code} names path ${d.path}`);
      problems.push(...checkDiagnostic(d, (p) => (p === file.path ? text : undefined), 'parse'));
    }
    if (parsed.ast.span.start !== 0 || parsed.ast.span.end !== text.length) problems.push(`parse: file span ${JSON.stringify(parsed.ast.span)}`);
  } catch (e) {
    problems.push(`parse threw: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  }
  try {
    const fs = memoryFileSystem({ ...file.extra, [file.path]: text }, diskFs);
    const program = checkProgram([file.path], { fs });
    const textOf = (p: string) => {
      const f = program.files.get(p);
      if (f) return f.text;
      const r = fs.readText(p);
      return r.kind === 'ok' ? r.value : undefined;
    };
    if (!program.diagnostics.has(file.path)) problems.push('check: no diagnostics entry for the entry file');
    for (const [p, ds] of program.diagnostics) {
      for (const d of ds) {
        if (d.path !== p) problems.push(`check: diagnostic ${d.code} listed under ${p} names ${d.path}`);
        problems.push(...checkDiagnostic(d, textOf, 'check'));
      }
    }
  } catch (e) {
    problems.push(`checkProgram threw: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  }
  const ms = performance.now() - t0;
  if (ms > stats.slowest.ms) stats.slowest = { ms, id };
  if (ms > SLOW_CASE_MS) problems.push(`took ${ms.toFixed(0)} ms (limit ${SLOW_CASE_MS} ms)`);
  for (const problem of [...new Set(problems)]) failures.push({ id, problem, text });
  if (problems.length > 0 && process.env.QNN_FUZZ_DUMP) {
    mkdirSync(process.env.QNN_FUZZ_DUMP, { recursive: true });
    writeFileSync(join(process.env.QNN_FUZZ_DUMP, `${id.replace(/[^A-Za-z0-9_.-]+/g, '_').slice(0, 120)}.qnn`), text);
  }
}

function report(failures: readonly Failure[]): string[] {
  // One line per distinct problem (the first case that shows it), so that a systematic bug does not flood the output.
  const seen = new Map<string, Failure>();
  for (const f of failures) if (!seen.has(f.problem)) seen.set(f.problem, f);
  return [...seen.values()].slice(0, 20).map((f) => `${f.id}: ${f.problem}\n  text: ${describeText(f.text)}`);
}

function shortName(p: string): string {
  return p.startsWith(INLINE_DIR) ? `inline:${p.slice(INLINE_DIR.length + 1)}` : relative(REPO, p);
}

// ---------------------------------------------------------------------------------------------------------------

describe('robustness: parse and checkProgram on mutated input', { timeout: TEST_TIMEOUT_MS }, () => {
  const counts: Record<string, number> = {
    'token deletion': 400,
    'token insertion': 450,
    'token duplication': 250,
    'random characters': 400,
    'mixed mutations': 300,
  };

  it('has a corpus that checks cleanly before mutation', () => {
    expect(CORPUS.length).toBeGreaterThanOrEqual(4);
    const failures: Failure[] = [];
    const errors: string[] = [];
    for (const file of CORPUS) {
      runCase('original', `original ${shortName(file.path)}`, file, file.text, failures);
      const fs = memoryFileSystem({ ...file.extra, [file.path]: file.text }, diskFs);
      const program = checkProgram([file.path], { fs });
      for (const ds of program.diagnostics.values()) for (const d of ds) if (d.severity === 'error') errors.push(`${shortName(d.path)}: ${d.code} ${d.message}`);
    }
    expect(report(failures)).toEqual([]);
    // Inline texts are ours: they must be valid, so that mutations reach the checker's deeper paths. (A sample with
    // errors is the samples' business, but its mutations are still fuzzed.)
    expect(errors.filter((e) => e.startsWith('inline:'))).toEqual([]);
  });

  for (const [kind, n] of Object.entries(counts)) {
    it(`survives ${n * SCALE} cases of ${kind}`, () => {
      const failures: Failure[] = [];
      for (let i = 0; i < n * SCALE; i++) {
        const seed = hash(`${BASE_SEED}/${kind}/${i}`);
        const rng = prng(seed);
        const file = CORPUS[i % CORPUS.length];
        const text = MUTATORS[kind](file.text, rng);
        runCase(kind, `${kind} #${i} of ${shortName(file.path)} (seed ${seed})`, file, text, failures);
      }
      expect(report(failures)).toEqual([]);
    }, TEST_TIMEOUT_MS);
  }

  it('survives truncation at every 50th offset of each corpus file', () => {
    const failures: Failure[] = [];
    for (const file of CORPUS) {
      for (let at = 0; at < file.text.length; at += 50) {
        runCase('truncation', `truncation of ${shortName(file.path)} at ${at}`, file, file.text.slice(0, at), failures);
      }
    }
    expect(report(failures)).toEqual([]);
  }, TEST_TIMEOUT_MS);

  it('survives files of random characters', () => {
    const failures: Failure[] = [];
    const file = CORPUS[0];
    for (let i = 0; i < 100 * SCALE; i++) {
      const seed = hash(`${BASE_SEED}/noise/${i}`);
      const rng = prng(seed);
      let s = '';
      const len = int(rng, 2000);
      const vocab = rng() < 0.5;
      while (s.length < len) s += vocab && rng() < 0.7 ? randomToken(rng) : randomChar(rng);
      runCase('random file', `random file #${i} (seed ${seed})`, file, s, failures);
    }
    for (const s of ['', '\u0000', '\u0000'.repeat(10000), '\ud800', '\udfff\ud800', '\ufeff', '\r\r\r', '"', '/*', '//', '}', '{', 'network', 'network n {', 'network n { input x : data[']) {
      runCase('random file', `fixed text ${JSON.stringify(s.slice(0, 20))}`, file, s, failures);
    }
    expect(report(failures)).toEqual([]);
  }, TEST_TIMEOUT_MS);

  it('survives very long lines', () => {
    const failures: Failure[] = [];
    const file = CORPUS.find((f) => f.path === `${INLINE_DIR}/tagger.qnn`)!;
    // 1 MB on one line: identifiers, alone and inside a network body.
    const words: string[] = [];
    for (let n = 0, i = 0; n < 1 << 20; i++) {
      const w = `layer_${i % 997}`;
      words.push(w);
      n += w.length + 1;
    }
    const line = words.join(' ');
    runCase('long line', '1 MB line of identifiers', file, line, failures);
    // Inside a block every word is a failed statement, and Chevrotain's error recovery costs ~50 µs each (linear):
    // 1 MB (130,000 words) takes 7 to 13 s there, so the block case uses 100 kB.
    const tenth = line.slice(0, line.indexOf(' ', 100_000));
    runCase('long line', '100 kB line of identifiers in a network', file, `network n { input x : data[4] ${tenth} }`, failures);
    runCase('long line', '100 kB line of identifiers in an attribute block', file, `network n { input x : data[4]\n y = dense(x, 4) { ${tenth} } }`, failures);
    runCase('long line', '1 MB identifier', file, `type ${'a'.repeat(1 << 20)} = fixed<8, 1>`, failures);
    runCase('long line', '1 MB comment line', file, `// ${'x'.repeat(1 << 20)}\n${file.text}`, failures);
    runCase('long line', '1 MB string', file, `import "${'a/'.repeat(1 << 19)}"`, failures);
    // A 100,000-element inline array: as the weights of a layer that wants exactly that many, and as a wrong one.
    const values = Array.from({ length: 100_000 }, (_, i) => ((i % 17) - 8) / 16).join(', ');
    const big = (units: number) =>
      `type data = fixed<16, 6>\nnetwork n {\n  input x : data[1]\n  y = dense(x, ${units}) { weight: [[${values}]], bias: zeros() } : data\n  output y\n}\n`;
    runCase('long line', '100k-element array (right shape)', file, big(100_000), failures);
    runCase('long line', '100k-element array (wrong shape)', file, big(10), failures);
    runCase('long line', '100k-element flat array', file, `network n { init [${values}] }`, failures);
    runCase('long line', '100k numbers without brackets', file, `network n { input x : data[${values}] }`, failures);
    expect(report(failures)).toEqual([]);
  }, TEST_TIMEOUT_MS);

  it('survives 10,000 levels of nesting', () => {
    const failures: Failure[] = [];
    const file = CORPUS.find((f) => f.path === `${INLINE_DIR}/tagger.qnn`)!;
    const N = 10_000;
    const contexts: [string, string, string][] = [
      ['top level', '', ''],
      ['network body', 'network n { input x : data[4]\n', '\n}'],
      ['arguments', 'network n { input x : data[4]\n y = dense(x, ', ') : data\n output y }'],
      ['attribute block', 'network n { input x : data[4]\n y = dense(x, 4) { weight: ', ' } : data\n output y }'],
      ['shape', 'network n { input x : data', ' }'],
      ['fixed type', 'type t = fixed<', '>'],
    ];
    const closer: Record<string, string> = { '[': ']', '(': ')', '{': '}' };
    for (const [where, pre, post] of contexts) {
      for (const open of ['[', '(', '{', '[(', '([{']) {
        const opens = open.repeat(Math.ceil(N / open.length)).slice(0, N);
        const closes = [...opens].reverse().map((c) => closer[c]).join('');
        runCase('nesting', `${N} × '${open}' unclosed in ${where}`, file, pre + opens + post, failures);
        runCase('nesting', `${N} × '${open}' balanced in ${where}`, file, pre + opens + '1' + closes + post, failures);
        runCase('nesting', `${N} × '${open}' closed only in ${where}`, file, pre + closes + post, failures);
      }
    }
    // Nesting that stays just within the limit must still parse as nested arrays.
    runCase('nesting', '64 nested arrays', file, `network n { init ${'['.repeat(64)}1${']'.repeat(64)} }`, failures);
    // Many nested block comments starts and a deep chain of network calls.
    runCase('nesting', 'comment openers', file, '/*'.repeat(N), failures);
    let chain = 'type data = fixed<16, 6>\nnetwork n0 { init random(seed: 1)\n input x : data[4]\n y = dense(x, 4) : data\n output y }\n';
    for (let i = 1; i < 2000; i++) chain += `network n${i} { input x : data[4]\n y = n${i - 1}(x)\n output y }\n`;
    runCase('nesting', '2,000 networks each using the previous one', file, chain, failures);
    expect(report(failures)).toEqual([]);
  }, TEST_TIMEOUT_MS);

  afterAll(() => {
    // Printed only on request: the test is silent on success.
    if (process.env.QNN_FUZZ_VERBOSE === '1') {
      console.log(`fuzz: ${stats.cases} cases over ${CORPUS.length} corpus files; slowest ${stats.slowest.ms.toFixed(0)} ms (${stats.slowest.id})`, Object.fromEntries(stats.byKind));
    }
  });

  it('ran at least 2,000 cases', () => {
    expect(stats.cases).toBeGreaterThanOrEqual(2000);
  });
});
