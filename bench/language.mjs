// Benchmark section "language": parse + check of the jet tagger sample and of a generated 10,000-line file, warm.
// Prints nothing itself; returns figures for bench/run.mjs, which passes in the timing helper. Never asserts timing.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkProgram, memoryFileSystem, parse } from '../language/dist/index.js';
import { partCatalog } from '../compiler/dist/index.js';
import { measure } from './measure.mjs';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..');
const JET_DIR = join(REPO, 'samples/jet-tagger');
const JET_FILE = join(JET_DIR, 'jet-tagger.qnn');

/** The same network as samples/jet-tagger (16-64-32-32-5), with generated weights: used when the sample is absent. */
const JET_INLINE = `// Jet tagger with generated weights (the samples/jet-tagger network).
target xcu250 clock 5ns

type data = fixed<16, 6>
type coef = fixed<16, 6>
type act = ufixed<15, 5>

network jet_tagger {
  io parallel
  reuse 1
  require latency <= 100ns, dsp <= 2000

  input x : data[16]

  fc1 = dense(x, 64) {
    weight: coef = random(seed: 1)
    bias: coef = random(seed: 2, scale: 0.05)
    accum: data
  } : data
  relu1 = relu(fc1) : act
  fc2 = dense(relu1, 32) {
    weight: coef = random(seed: 3, sparsity: 0.25)
    bias: coef = random(seed: 4, scale: 0.05)
    accum: data
  } : data
  relu2 = relu(fc2) : act
  fc3 = dense(relu2, 32) {
    weight: coef = random(seed: 5)
    bias: coef = random(seed: 6, scale: 0.05)
    accum: data
  } : data
  relu3 = relu(fc3) : act
  fc4 = dense(relu3, 5) {
    weight: coef = random(seed: 7)
    bias: coef = random(seed: 8, scale: 0.05)
    accum: data
  } : data
  out = softmax(fc4) { table: 1024 } : ufixed<16, 0, TRN, SAT>

  output out
}
`;

/** Every file of a folder, in memory (so that the figures measure the language, not the disk). */
function folderFiles(dir, into = {}) {
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) folderFiles(p, into);
    else into[p] = /\.(qnn|csv|md)$/.test(e) ? readFileSync(p, 'utf8') : new Uint8Array(readFileSync(p));
  }
  return into;
}

/** A 10,000-line file: four networks of ~2,500 alternating dense/relu layers each. */
export function generatedFile(lines = 10_000, networks = 4) {
  const header = ['// Generated for the benchmark: long chains of dense and relu layers.', 'target xcu250 clock 5ns', 'type data = fixed<16, 6>', ''];
  const perNet = Math.floor((lines - header.length) / networks);
  const layers = perNet - 6;
  const out = [...header];
  for (let n = 0; n < networks; n++) {
    out.push(`network chain${n} {`, `  init random(seed: ${n + 1})`, '  input x : data[16]');
    let prev = 'x';
    for (let i = 0; i < layers; i++) {
      const name = `l${i}`;
      out.push(i % 2 === 0 ? `  ${name} = dense(${prev}, 16) : data` : `  ${name} = relu(${prev})`);
      prev = name;
    }
    out.push(`  output ${prev}`, '}', '');
  }
  while (out.length < lines) out.push('// padding');
  return out.join('\n');
}

/**
 * A 10,000-line file written the way the samples are: per layer pair a comment, a dense layer with its attribute
 * block (weights, bias, accumulator) and a ReLU, then a blank line (about 8 lines for 2 layers, like the jet tagger).
 */
export function realisticFile(lines = 10_000, networks = 4) {
  const out = [
    '// Generated for the benchmark: networks written like the samples (comments, attribute blocks, blank lines).',
    'target xcu250 clock 5ns',
    '',
    'type data = fixed<16, 6>  // activations',
    'type coef = fixed<8, 1, RND, SAT>  // weights and biases',
    'type acc = fixed<24, 10>',
    'type act = ufixed<15, 5>',
    '',
  ];
  const perNet = Math.floor((lines - out.length) / networks);
  for (let n = 0; n < networks; n++) {
    const start = out.length;
    out.push(`network stack${n} {`, '  io parallel', '  reuse 1', '  require latency <= 1us, dsp <= 50%', '', '  input x : data[32]', '');
    let prev = 'x';
    for (let i = 0; out.length - start < perNet - 3; i++) {
      out.push(
        `  // Block ${i}: dense 32 -> 32 and ReLU.`,
        `  fc${i} = dense(${prev}, 32) {`,
        `    weight: coef = random(seed: ${n * 100000 + i})`,
        `    bias: coef = random(seed: ${n * 100000 + 50000 + i}, scale: 0.05)`,
        '    accum: acc',
        '  } : data',
        `  a${i} = relu(fc${i}) : act`,
        '',
      );
      prev = `a${i}`;
    }
    out.push(`  output ${prev}`, '}', '');
  }
  while (out.length < lines) out.push('// padding');
  return out.slice(0, Math.max(lines, out.length)).join('\n');
}

function errorsOf(program) {
  return [...program.diagnostics.values()].flat().filter((d) => d.severity === 'error');
}

/** The measured cases; each runs in a fresh Node process, so that one case's heap does not slow the next. */
const CASES = {
  'jet-parse': { name: 'jet tagger: parse', warmup: 100, runs: 500 },
  'jet-check': { name: 'jet tagger: parse + check', warmup: 100, runs: 500, targetMs: 2 },
  'real-parse': { name: '10,000 lines as the samples: parse', warmup: 5, runs: 30 },
  'real-check': { name: '10,000 lines as the samples: parse + check', warmup: 5, runs: 30, targetMs: 100 },
  'dense-parse': { name: '10,000 layer lines: parse', warmup: 5, runs: 30 },
  'dense-check': { name: '10,000 layer lines: parse + check', warmup: 5, runs: 30, targetMs: 100 },
};

/** Sets up one case: the function to time, and notes about its input. */
function setup(key) {
  if (key.startsWith('jet')) {
    let jetPath;
    let jetFiles;
    const notes = [];
    if (existsSync(JET_FILE)) {
      jetPath = JET_FILE;
      jetFiles = folderFiles(JET_DIR);
      notes.push(`jet tagger: ${relative(REPO, JET_FILE)} (weights and data in memory)`);
    } else {
      jetPath = '/bench/jet-tagger.qnn';
      jetFiles = { [jetPath]: JET_INLINE };
      notes.push('jet tagger: inline copy with random(seed: …) weights (samples/jet-tagger not found)');
    }
    const fs = memoryFileSystem(jetFiles);
    const check = () => checkProgram([jetPath], { fs, parts: partCatalog });
    const errors = errorsOf(check());
    if (errors.length) notes.push(`jet tagger has ${errors.length} errors (first: ${errors[0].code} ${errors[0].message})`);
    return { fn: key === 'jet-parse' ? () => parse(jetFiles[jetPath], jetPath) : check, notes };
  }
  const real = key.startsWith('real');
  const text = real ? realisticFile() : generatedFile();
  const path = real ? '/bench/realistic-10k.qnn' : '/bench/generated-10k.qnn';
  const fs = memoryFileSystem({ [path]: text });
  const check = () => checkProgram([path], { fs, parts: partCatalog });
  const program = check();
  const errors = errorsOf(program);
  const notes = [];
  if (errors.length) notes.push(`${path} has ${errors.length} errors (first: ${errors[0].code} ${errors[0].message})`);
  const layers = [...program.files.values()].reduce((a, f) => a + [...f.networks.values()].reduce((b, n) => b + n.layers.length, 0), 0);
  notes.push(`${real ? 'file written like the samples' : 'one-layer-per-line file'}: ${text.split('\n').length} lines, ${(text.length / 1024).toFixed(0)} kB, ${layers} layers`);
  return { fn: key.endsWith('parse') ? () => parse(text, path) : check, notes };
}

export async function run() {
  const rows = [];
  const notes = [];
  for (const key of Object.keys(CASES)) {
    const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), key], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`bench case ${key} failed: ${r.stderr}`);
    const res = JSON.parse(r.stdout);
    rows.push({ name: CASES[key].name, ...res.figures, targetMs: CASES[key].targetMs });
    for (const n of res.notes) if (!notes.includes(n)) notes.push(n);
  }
  notes.push('each case runs in its own Node process: warm-up runs, then timed runs, no caches between runs');
  return { section: 'language', rows, notes };
}


// As a child process: `node bench/language.mjs CASE` prints { figures, notes } as JSON.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const key = process.argv[2];
  const c = CASES[key];
  if (!c) {
    process.stderr.write(`unknown case ${key}\n`);
    process.exit(2);
  }
  const { fn, notes } = setup(key);
  process.stdout.write(JSON.stringify({ figures: measure(fn, c), notes }));
}
