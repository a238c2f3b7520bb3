// What nextpnr's critical paths are made of, for the fmax model (docs/estimate.md, the sixth round): places every
// corpus network that calibrate.mjs placed (the same device, seed 1), reads the critical path of nextpnr's report —
// LUT levels, carry entries and steps, routing — and fits delay = a + b · LUT levels + c · carry entries + d · carry
// steps on the UP5K runs: how well
// the delay would be known if the estimator counted a path's LUT levels exactly. Prints a row per network (its LUT
// levels per named Verilog net: where a path spends them) and the fit. No file is written.
// With --recorded it places nothing: it reads the paths that `npm run calibrate` recorded (`path` in
// measurements.json, the UP5K or HX8K run) and prints beside each the estimator's critical stage — its adders in series
// (a carry entry and a LUT level each) and its other logic levels — to check the estimate's count per network.
// Usage: node compiler/calibrate/critical-paths.mjs [--jobs N] [--timeout S] [--only ID,…] [--recorded]   (after `npx tsc -b`)
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { generateVerilog, networkFeatures } from '../dist/index.js';
import { delayOf } from '../dist/estimate/cost-model.js';
import { corpus } from './corpus.mjs';
import { loadItem, placeAndRouteItem } from './calibrate.mjs';
import { nnls } from './fit.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));

function args() {
  const { values } = parseArgs({ options: { jobs: { type: 'string', default: '2' }, timeout: { type: 'string', default: '240' }, only: { type: 'string' }, recorded: { type: 'boolean', default: false } } });
  return { jobs: Number(values.jobs), timeout: Number(values.timeout), only: values.only?.split(','), recorded: values.recorded };
}

/** The recorded critical paths beside the estimator's critical stage (the stage path of the largest estimated delay). */
function compareRecorded(items, measured) {
  let n = 0;
  let dC = 0;
  let dL = 0;
  for (const item of items) {
    const p = measured[item.id].pnr;
    if (!p.path || p.path.wrapperOnly) continue;
    const f = networkFeatures(loadItem(item).net, { part: p.device === 'up5k' ? 'ice40up5k' : 'ice40hx8k' });
    const c = f.paths.reduce((a, q) => (delayOf(q) > delayOf(a) ? q : a), f.critical);
    const estL = c.adders + c.levels;
    n++;
    dC += Math.abs(c.adders - p.path.carryEntries);
    dL += Math.abs(estL - p.path.lutLevels);
    const extra = [c.roms ? `roms ${c.roms}` : '', c.sel ? `selects ${c.sel}` : '', c.out ? 'into the wrapper' : ''].filter(Boolean).join(', ');
    process.stdout.write(
      `${item.holdout ? 'H' : ' '} ${item.id.padEnd(22)} ${p.device}  carry entries ${String(p.path.carryEntries).padStart(2)} est ${String(c.adders).padStart(2)}  LUT levels ${String(p.path.lutLevels).padStart(2)} est ${String(estL).padStart(2)}${extra ? ` (+ ${extra})` : ''}\n`,
    );
  }
  if (n) process.stdout.write(`\n${n} runs: mean |carry entries − estimated adders| ${(dC / n).toFixed(2)}, mean |LUT levels − estimated adders + levels| ${(dL / n).toFixed(2)}\n`);
}

async function main() {
  const opts = args();
  const measured = JSON.parse(readFileSync(join(HERE, 'measurements.json'), 'utf8')).items;
  const items = corpus().filter((it) => (!opts.only || opts.only.includes(it.id)) && measured[it.id]?.pnr?.fmaxMhz > 0);
  if (opts.recorded) return compareRecorded(items, measured);
  const rows = [];
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++];
      const { net } = loadItem(item);
      const r = await placeAndRouteItem(item, net, generateVerilog(net), measured[item.id].pnr.device, { timeout: opts.timeout });
      if (r.error || !r.path) {
        process.stderr.write(`  ${item.id}: ${r.error === 'timeout' ? 'timeout' : 'error'}\n`);
        continue;
      }
      rows.push({ id: item.id, holdout: item.holdout, device: r.device, fmaxMhz: r.fmaxMhz, ...r.path });
      const nets = Object.entries(r.path.byNet).map(([n, k]) => `${n}${k > 1 ? `×${k}` : ''}`).join(' ');
      process.stdout.write(`${item.holdout ? 'H' : ' '} ${item.id.padEnd(22)} ${r.device}  ${r.path.delayNs.toFixed(1).padStart(6)} ns  ${String(r.path.lutLevels).padStart(3)} LUT levels  ${String(r.path.carryEntries).padStart(3)} carry entries ${String(r.path.carrySteps).padStart(3)} steps  routing ${r.path.routeNs.toFixed(1).padStart(5)} ns  | ${nets}\n`);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, opts.jobs) }, worker));
  const up = rows.filter((r) => r.device === 'up5k');
  if (up.length < 3) return;
  const X = up.map((r) => [1, r.lutLevels, r.carryEntries, r.carrySteps]);
  const y = up.map((r) => r.delayNs);
  const k = nnls(X, y, [0, 0, 0, 0]);
  const errs = up.map((r, i) => (X[i].reduce((s, x, j) => s + x * k[j], 0) - y[i]) / y[i]);
  const mean = errs.reduce((s, e) => s + Math.abs(e), 0) / errs.length;
  process.stdout.write(
    `\nUP5K critical paths (${up.length}): delay ≈ ${k[0].toFixed(2)} ns + ${k[1].toFixed(2)} ns per LUT level + ${k[2].toFixed(2)} ns per carry entry + ${k[3].toFixed(2)} ns per carry step; ` +
      `mean relative error ${(100 * mean).toFixed(1)} %, max ${(100 * Math.max(...errs.map(Math.abs))).toFixed(1)} %, ` +
      `${errs.filter((e) => Math.abs(e) <= 0.2).length} of ${errs.length} within ±20 %\n`,
  );
}

await main();
