// Benchmark section "simulator": on the same 10,000 seeded inputs of the jet tagger (samples/jet-tagger, fixed<16, 6>),
// bit-accurate samples/s of our simulator (single thread) and float samples/s of the TensorFlow.js reference
// (batch 10,000). Figures only; never asserts.
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkProgram, seededUniform, valueRange } from '../language/dist/index.js';
import { nodeFileSystem, partCatalog } from '../compiler/dist/index.js';
import { floatReference, simulateSync } from '../simulator/dist/index.js';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..');
const ROWS = 10_000;

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

export async function run() {
  const file = join(REPO, 'samples/jet-tagger/jet-tagger.qnn');
  const program = checkProgram([file], { fs: nodeFileSystem, parts: partCatalog });
  const net = program.files.get(file).networks.get('jet_tagger');
  const r = valueRange(net.inputs[0].tensor.type);
  // Uniform over the input type's range, seeded: the same inputs for both.
  const data = seededUniform(1, 'bench/x', ROWS * 16).map((u) => r.min + ((u + 1) / 2) * (r.max - r.min));
  const inputs = new Map([['x', { rows: ROWS, data }]]);

  const fixedRates = [];
  for (let i = 0; i < 12; i++) {
    const t0 = performance.now();
    simulateSync(net, inputs);
    if (i >= 2) fixedRates.push(ROWS / ((performance.now() - t0) / 1000)); // two warm-up runs
  }
  const floatRates = [];
  let backend = '';
  for (let i = 0; i < 7; i++) {
    const t0 = performance.now();
    const res = await floatReference(net, inputs, { batchSize: ROWS, layers: net.outputs });
    if (i >= 2) floatRates.push(ROWS / ((performance.now() - t0) / 1000));
    backend = res.backend;
  }
  const rows = [
    { name: 'jet tagger, 10,000 inputs: bit-accurate samples/s (1 thread)', value: median(fixedRates), target: '≥ 200,000', met: median(fixedRates) >= 200_000 },
    { name: `jet tagger, 10,000 inputs: float reference samples/s (tfjs ${backend}, batch 10,000)`, value: median(floatRates), target: '–', met: undefined },
  ];
  return { section: 'simulator', rows, notes: ['medians of 10 (fixed) and 5 (float) runs after warm-up'] };
}
