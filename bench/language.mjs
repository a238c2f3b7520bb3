// Benchmark section "language": parse + check of the jet tagger sample and of a generated 10,000-line file, warm.
// Prints nothing itself; returns figures for bench/run.mjs, which passes in the timing helper. Never asserts timing.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkProgram, memoryFileSystem, parse } from '../language/dist/index.js';
import { partCatalog } from '../compiler/dist/index.js';

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

export async function run({ measure }) {
  const rows = [];
  const notes = [];

  // 1. The jet tagger.
  let jetPath;
  let jetFiles;
  if (existsSync(JET_FILE)) {
    jetPath = JET_FILE;
    jetFiles = folderFiles(JET_DIR);
    notes.push(`jet tagger: ${relative(REPO, JET_FILE)} (weights and data in memory)`);
  } else {
    jetPath = '/bench/jet-tagger.qnn';
    jetFiles = { [jetPath]: JET_INLINE };
    notes.push('jet tagger: inline copy with random(seed: …) weights (samples/jet-tagger not found)');
  }
  const jetFs = memoryFileSystem(jetFiles);
  const jetText = jetFiles[jetPath];
  const jetCheck = () => checkProgram([jetPath], { fs: jetFs, parts: partCatalog });
  const jetErrors = errorsOf(jetCheck());
  if (jetErrors.length) notes.push(`jet tagger has ${jetErrors.length} errors (first: ${jetErrors[0].code} ${jetErrors[0].message})`);
  rows.push({ name: 'jet tagger: parse', ...measure(() => parse(jetText, jetPath), { warmup: 100, runs: 500 }), targetMs: undefined });
  rows.push({ name: 'jet tagger: parse + check', ...measure(jetCheck, { warmup: 100, runs: 500 }), targetMs: 2 });

  // 2. A generated 10,000-line file written like the samples (about 2,500 layers).
  const realText = realisticFile();
  const realPath = '/bench/realistic-10k.qnn';
  const realFs = memoryFileSystem({ [realPath]: realText });
  const realCheck = () => checkProgram([realPath], { fs: realFs, parts: partCatalog });
  const realErrors = errorsOf(realCheck());
  if (realErrors.length) notes.push(`realistic file has ${realErrors.length} errors (first: ${realErrors[0].code} ${realErrors[0].message})`);
  const realLayers = [...realCheck().files.values()].reduce((a, f) => a + [...f.networks.values()].reduce((b, n) => b + n.layers.length, 0), 0);
  notes.push(`realistic file: ${realText.split('\n').length} lines, ${(realText.length / 1024).toFixed(0)} kB, ${realLayers} layers`);
  rows.push({ name: '10,000 lines as the samples: parse', ...measure(() => parse(realText, realPath), { warmup: 5, runs: 30 }), targetMs: undefined });
  rows.push({ name: '10,000 lines as the samples: parse + check', ...measure(realCheck, { warmup: 5, runs: 30 }), targetMs: 100 });

  // 3. A generated 10,000-line file with one layer per line (the worst case: 10,000 layers).
  const bigText = generatedFile();
  const bigPath = '/bench/generated-10k.qnn';
  const bigFs = memoryFileSystem({ [bigPath]: bigText });
  const bigCheck = () => checkProgram([bigPath], { fs: bigFs, parts: partCatalog });
  const bigErrors = errorsOf(bigCheck());
  if (bigErrors.length) notes.push(`generated file has ${bigErrors.length} errors (first: ${bigErrors[0].code} ${bigErrors[0].message})`);
  notes.push(`one-layer-per-line file: ${bigText.split('\n').length} lines, ${(bigText.length / 1024).toFixed(0)} kB`);
  rows.push({ name: '10,000 layer lines: parse', ...measure(() => parse(bigText, bigPath), { warmup: 5, runs: 30 }), targetMs: undefined });
  rows.push({ name: '10,000 layer lines: parse + check', ...measure(bigCheck, { warmup: 5, runs: 30 }), targetMs: 100 });

  return { section: 'language', rows, notes };
}
