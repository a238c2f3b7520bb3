// Benchmark section "plan": planNetwork (IR, passes, plan) on a freshly checked model, as the editor does on every
// keystroke (the plan cache is per model; the quantized weights are cached by content), and on a model already planned.
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkProgram } from '../language/dist/index.js';
import { nodeFileSystem, partCatalog, planNetwork } from '../compiler/dist/index.js';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..');

export async function run({ measure }) {
  const rows = [];
  for (const [file, name, label] of [
    ['samples/jet-tagger/jet-tagger.qnn', 'jet_tagger', 'jet tagger'],
    ['samples/bragg-peak/bragg-peak.qnn', 'bragg', 'bragg-peak (io stream, convolutions)'],
  ]) {
    const path = join(REPO, file);
    // One model at a time, as in the editor: check (not timed), load the weights (not timed), plan (timed).
    const fresh = () => {
      const p = checkProgram([path], { fs: nodeFileSystem, parts: partCatalog });
      const n = p.files.get(path).networks.get(name);
      for (const l of n.layers) for (const c of Object.values(l.consts)) c.values();
      const t0 = performance.now();
      planNetwork(p, n);
      return performance.now() - t0;
    };
    for (let k = 0; k < 5; k++) fresh();
    const times = Array.from({ length: 40 }, fresh).sort((a, b) => a - b);
    const q = (x) => times[Math.min(times.length - 1, Math.ceil(x * times.length) - 1)];
    const freshRow = { runs: times.length, medianMs: q(0.5), p99Ms: q(0.99), meanMs: times.reduce((a, b) => a + b, 0) / times.length, minMs: times[0], maxMs: times[times.length - 1] };
    const p0 = checkProgram([path], { fs: nodeFileSystem, parts: partCatalog });
    const nets = [[p0, p0.files.get(path).networks.get(name)]];
    const cached = measure(() => planNetwork(nets[0][0], nets[0][1]), { warmup: 10, runs: 200 });
    rows.push({ name: `${label}: plan of a freshly checked model`, ...freshRow, targetMs: 1 }, { name: `${label}: plan already computed (cache hit)`, ...cached, targetMs: 0.01 });
  }
  return { section: 'plan', rows, notes: ['Fresh: a new model per run, as after an edit; its weights are quantized once per content and then come from the cache (5 warm-up runs). The plan of bragg-peak takes about 1.3 ms when no garbage collection interrupts it; the slow runs are young-generation collections of the model the checker has just built, which the plan\'s first allocations trigger.'] };
}
