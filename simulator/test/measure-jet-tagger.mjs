// A quick measurement (not a test): bit-accurate samples/s of the jet tagger, single thread, on 10,000 seeded inputs.
// Run after a build: `npx tsc -b && node simulator/test/measure-jet-tagger.mjs [rows]`.
import { join } from 'node:path';
import { checkProgram, seededUniform, valueRange } from '@qnn/language';
import { nodeFileSystem, partCatalog } from '@qnn/compiler';
import { simulateSync } from '@qnn/simulator';

const file = join(import.meta.dirname, '../../samples/jet-tagger/jet-tagger.qnn');
const program = checkProgram([file], { fs: nodeFileSystem, parts: partCatalog });
const net = program.files.get(file).networks.get('jet_tagger');
const rows = Number(process.argv[2] ?? 10000);
const r = valueRange(net.inputs[0].tensor.type);
const data = seededUniform(1, 'measure/x', rows * 16).map((u) => (u * (r.max - r.min)) / 2);
const inputs = new Map([['x', { rows, data }]]);

const rates = [];
for (let i = 0; i < 12; i++) {
  const t0 = performance.now();
  simulateSync(net, inputs);
  const ms = performance.now() - t0;
  if (i >= 2) rates.push(rows / (ms / 1000)); // the first runs warm up the JIT
}
rates.sort((a, b) => a - b);
const median = rates[Math.floor(rates.length / 2)];
console.log(`jet tagger, ${rows} samples: median ${Math.round(median).toLocaleString('en-US')} samples/s (min ${Math.round(rates[0]).toLocaleString('en-US')}, max ${Math.round(rates[rates.length - 1]).toLocaleString('en-US')})`);
