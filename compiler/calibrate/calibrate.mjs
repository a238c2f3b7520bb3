// `npm run calibrate`: builds the corpus (corpus.mjs) with the `qnn build` machinery, measures every network with real
// tools — RTL simulation (iverilog: latency and II), yosys `synth_xilinx -family xc7` (LUT, FF, DSP), yosys
// `synth_ice40` without -dsp (LUT4, FF) and nextpnr-ice40 (fmax, on the 8-pin serial wrapper) — fits the cost tables
// on the training items, prints the error table on the held-out items, and writes:
//   compiler/calibrate/measurements.json       every measurement, keyed by item, with the hash of its Verilog
//   compiler/src/estimate/cost-tables.json     the fitted coefficients and how they were obtained
// Measurements are cached by the hash of the Verilog (and the tool versions): a re-run synthesizes only what changed
// (and what timed out under a shorter --timeout than this run's).
// Options: --jobs N (default 2), --timeout S per tool run (default 240), --only ID[,ID…], --fit-only (no tools).
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkProgram, memoryFileSystem } from '../../language/dist/index.js';
import { generateVerilog, nodeFileSystem, partCatalog, networkFeatures, computeEstimate, COST_TABLES } from '../dist/index.js';
import { randomInputs, writeProject } from '../../simulator/dist/index.js';
import { serialWrapper } from '../../simulator/dist/project/serial-wrapper.js';
import { corpus } from './corpus.mjs';
import { fitTables, errorTable, formatErrorTable, formatTrainingSummary } from './fit.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const MEASUREMENTS = join(HERE, 'measurements.json');
const TABLES = join(HERE, '../src/estimate/cost-tables.json');
const WORK = join(tmpdir(), 'qnn-calibrate');

function args() {
  const a = process.argv.slice(2);
  const get = (k, d) => {
    const i = a.indexOf(k);
    return i >= 0 ? a[i + 1] : d;
  };
  return { jobs: Number(get('--jobs', '2')), timeout: Number(get('--timeout', '240')), only: get('--only', undefined)?.split(','), fitOnly: a.includes('--fit-only') };
}

function toolVersion(cmd, arg) {
  const r = spawnSync(cmd, [arg], { encoding: 'utf8' });
  if (r.error) return undefined;
  return `${r.stdout}\n${r.stderr}`.split('\n').map((l) => l.trim()).find((l) => /[Vv]ersion|\d+\.\d+/.test(l));
}

/** Runs a command with a time limit; resolves { ok, stdout, stderr, seconds, timedOut }. */
function run(cmd, argv, { cwd, timeout }) {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const p = spawn(cmd, argv, { cwd, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-p.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }, timeout * 1000);
    p.on('close', (code) => {
      clearTimeout(timer);
      resolve({ ok: code === 0 && !timedOut, stdout, stderr, seconds: (Date.now() - t0) / 1000, timedOut });
    });
    p.on('error', (e) => {
      clearTimeout(timer);
      resolve({ ok: false, stdout, stderr: String(e), seconds: 0, timedOut: false });
    });
  });
}

/** Checks an item and returns its network (the first of the file). */
export function loadItem(item) {
  const path = item.path ?? `/corpus/${item.id}.qnn`;
  const fs = item.path ? nodeFileSystem : memoryFileSystem({ [path]: item.source });
  const program = checkProgram([path], { fs, parts: partCatalog });
  const errors = [...program.diagnostics.values()].flat().filter((d) => d.severity === 'error');
  const net = [...(program.files.get(path)?.networks.values() ?? [])].find((n) => n.path === path);
  if (!net || !net.complete) throw new Error(`${item.id}: ${errors.map((d) => `${d.code} ${d.message}`).join('; ') || 'no network'}`);
  return { program, net };
}

function cellCounts(statJson) {
  const s = JSON.parse(statJson.slice(statJson.indexOf('{')));
  const cells = s.design?.num_cells_by_type ?? Object.values(s.modules ?? {})[0]?.num_cells_by_type ?? {};
  return cells;
}

function xc7Counts(cells) {
  const sum = (re) => Object.entries(cells).filter(([k]) => re.test(k)).reduce((a, [, v]) => a + v, 0);
  return { lut: sum(/^LUT[1-6]$/), ff: sum(/^FD[RSCP]E$/), dsp: sum(/^DSP48E1$/), carry4: sum(/^CARRY4$/), muxf: sum(/^MUXF[78]$/), lutram: sum(/^RAM/), bram: sum(/^RAMB/) };
}

function ice40Counts(cells) {
  const sum = (re) => Object.entries(cells).filter(([k]) => re.test(k)).reduce((a, [, v]) => a + v, 0);
  return { lut: sum(/^SB_LUT4$/), ff: sum(/^SB_DFF/), carry: sum(/^SB_CARRY$/), ram: sum(/^SB_RAM/) };
}

/** Measures one item in its own folder: RTL simulation, xc7 synthesis, iCE40 synthesis and place and route. */
async function measure(item, net, design, opts) {
  const dir = join(WORK, item.id);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dirname(dir), { recursive: true });
  const inputs = randomInputs(net, 16, 1);
  writeProject({ net, source: item.path ?? `${item.id}.qnn`, out: dir, backend: 'verilog', inputs, rows: 16, vectorSource: 'calibration' });
  const rtl = join(dir, 'rtl');
  const out = {};
  // RTL simulation: the testbench prints latency and II.
  const vfiles = readdirSync(rtl).filter((f) => f.endsWith('.v') && !f.endsWith('_serial.v'));
  const sim = await run('sh', ['-c', `iverilog -g2005 -o sim.vvp ${vfiles.join(' ')} && vvp -n sim.vvp`], { cwd: rtl, timeout: opts.timeout });
  const m = /RESULT \S+ vectors=(\d+) mismatches=(\d+) latency=(\d+) ii=(\d+)/.exec(sim.stdout);
  out.rtl = m ? { vectors: +m[1], mismatches: +m[2], latency: +m[3], ii: +m[4] } : { error: sim.timedOut ? 'timeout' : (sim.stdout + sim.stderr).slice(-400) };
  // yosys synth_xilinx -family xc7 on the network module alone.
  const top = design.top;
  const x = await run('yosys', ['-q', '-p', `read_verilog ${top}.v; synth_xilinx -family xc7 -top ${top}; tee -q -o xc7.json stat -json`], { cwd: rtl, timeout: opts.timeout });
  out.xc7 = x.ok ? { ...xc7Counts(cellCounts(readFileSync(join(rtl, 'xc7.json'), 'utf8'))), seconds: x.seconds } : { error: x.timedOut ? 'timeout' : x.stderr.slice(-400), seconds: x.seconds };
  // yosys synth_ice40 (never -dsp) on the module alone, then on the serial wrapper for place and route.
  const i = await run('yosys', ['-q', '-p', `read_verilog ${top}.v; synth_ice40 -top ${top}; tee -q -o ice40.json stat -json`], { cwd: rtl, timeout: opts.timeout });
  out.ice40 = i.ok ? { ...ice40Counts(cellCounts(readFileSync(join(rtl, 'ice40.json'), 'utf8'))), seconds: i.seconds } : { error: i.timedOut ? 'timeout' : i.stderr.slice(-400), seconds: i.seconds };
  if (out.ice40.lut !== undefined && out.ice40.lut < 7000) {
    out.pnr = await placeAndRoute(rtl, design, out.ice40.lut < 4800 ? 'up5k' : 'hx8k', opts);
  }
  rmSync(dir, { recursive: true, force: true });
  return out;
}

/**
 * Places and routes an item in its own project folder on `device`. The HX8K runs are the device term of the fmax
 * model: a training network placed on the UP5K is also placed on the HX8K (ct256), with a shorter time limit (nextpnr
 * 0.4's router does not converge on some designs there; those are recorded as timeouts and left out).
 */
export async function placeAndRouteItem(item, net, design, device, opts) {
  const dir = join(WORK, `${item.id}-${device}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dirname(dir), { recursive: true });
  writeProject({ net, source: item.path ?? `${item.id}.qnn`, out: dir, backend: 'verilog', inputs: randomInputs(net, 16, 1), rows: 16, vectorSource: 'calibration' });
  const r = await placeAndRoute(join(dir, 'rtl'), design, device, { ...opts, timeout: device === 'hx8k' ? Math.min(opts.timeout, HX8K_TIMEOUT) : opts.timeout });
  rmSync(dir, { recursive: true, force: true });
  return r;
}
const HX8K_TIMEOUT = 120;
const wantsHx8k = (item, m) => !item.holdout && m?.pnr?.device === 'up5k' && !m.pnr.error;

/**
 * nextpnr-ice40 (seed 1) on the serial wrapper of `design` for an UP5K (sg48) or HX8K (ct256): its fmax and the
 * critical path's summary (criticalPathOf).
 */
export async function placeAndRoute(rtl, design, device, opts) {
  const top = design.top;
  const w = serialWrapper(design);
  writeFileSync(join(rtl, w.file), w.text);
  const dev = device === 'up5k' ? ['--up5k', 'sg48'] : ['--hx8k', 'ct256'];
  const s = await run('sh', ['-c', `yosys -q -p "read_verilog ${top}.v ${w.file}; synth_ice40 -top ${w.module} -json wrapped.json" && nextpnr-ice40 -q ${dev[0]} --package ${dev[1]} --json wrapped.json --freq 12 --seed 1 --timing-allow-fail --pcf-allow-unconstrained --report pnr.json`], { cwd: rtl, timeout: opts.timeout });
  if (!s.ok) return { error: s.timedOut ? 'timeout' : s.stderr.slice(-400), seconds: s.seconds };
  const rep = JSON.parse(readFileSync(join(rtl, 'pnr.json'), 'utf8'));
  const f = Object.values(rep.fmax ?? {})[0];
  return { device, fmaxMhz: f?.achieved, seconds: s.seconds, path: criticalPathOf(rep) };
}

/**
 * The critical path of a nextpnr `--report`: its LUT levels (logic segments ending at a logic cell's output), carry
 * entries (an operand into a carry chain: a segment from a LUT input to a carry output) and carry steps (carry in to
 * carry out), routing and total delay in ns, and the LUT levels per named net (the Verilog signal a cell was built
 * for: nextpnr's cell names with the techmap suffixes taken off). `wrapperOnly`: no logic of the network (the
 * wrapper's instance `net`) is on the path — the serial wrapper's own shift registers set this fmax, and the network
 * alone is faster (such a run bounds the network's fmax from below; the fit and the error table leave it out).
 */
export function criticalPathOf(rep) {
  const cp = rep.critical_paths?.[0];
  const out = { lutLevels: 0, carryEntries: 0, carrySteps: 0, routeNs: 0, delayNs: 0, wrapperOnly: true, byNet: {} };
  for (const seg of cp?.path ?? []) {
    out.delayNs += seg.delay;
    if (seg.type === 'routing') out.routeNs += seg.delay;
    if (seg.type !== 'logic') continue;
    if (seg.to.cell.startsWith('net.')) out.wrapperOnly = false;
    if (seg.to.port === 'COUT') {
      if (seg.from.port === 'CIN') out.carrySteps++;
      else out.carryEntries++;
    } else if (seg.to.port === 'O') {
      out.lutLevels++;
      const net = seg.to.cell.replace(/^net\./, '').replace(/_SB_(LUT4|CARRY|DFF)\w*(\$CARRY)?$/, '');
      out.byNet[net] = (out.byNet[net] ?? 0) + 1;
    }
  }
  return out;
}

async function main() {
  const opts = args();
  const tools = { yosys: toolVersion('yosys', '-V'), nextpnr: toolVersion('nextpnr-ice40', '--version'), iverilog: toolVersion('iverilog', '-V') };
  if (!opts.fitOnly) {
    const missing = Object.entries(tools).filter(([, v]) => !v).map(([k]) => k);
    if (missing.length) {
      process.stderr.write(`calibrate: missing ${missing.join(', ')}: apt-get install -y yosys nextpnr-ice40 fpga-icestorm iverilog (or run with --fit-only on the committed measurements)\n`);
      process.exit(1);
    }
  }
  const old = existsSync(MEASUREMENTS) ? JSON.parse(readFileSync(MEASUREMENTS, 'utf8')) : { items: {} };
  const items = corpus().filter((it) => !opts.only || opts.only.includes(it.id));
  const results = { ...old.items };
  const queue = [];
  for (const item of items) {
    let loaded;
    try {
      loaded = loadItem(item);
    } catch (e) {
      process.stderr.write(`calibrate: ${e.message}\n`);
      continue;
    }
    const design = generateVerilog(loaded.net);
    const hash = hashOf(design, tools);
    const cached = old.items[item.id];
    if (cached && cached.hash === hash && !opts.fitOnly && hasAll(cached, opts.timeout)) {
      if (wantsHx8k(item, cached) && !cached.pnrHx8k) queue.push({ item, ...loaded, design, hash, hx8kOnly: true });
      // Measured before the critical path was recorded: place and route again (the same fmax; nextpnr is deterministic).
      else if ((cached.pnr && !cached.pnr.error && !cached.pnr.path) || (cached.pnrHx8k && !cached.pnrHx8k.error && !cached.pnrHx8k.path)) queue.push({ item, ...loaded, design, hash, pathsOnly: true });
      continue;
    }
    if (opts.fitOnly) continue;
    queue.push({ item, ...loaded, design, hash });
  }
  // Held-out items first: the error table needs them most.
  queue.sort((a, b) => Number(b.item.holdout) - Number(a.item.holdout));
  process.stderr.write(`calibrate: ${items.length} items, ${queue.length} to measure (the others are cached in measurements.json)\n`);
  let next = 0;
  const worker = async () => {
    while (next < queue.length) {
      const q = queue[next++];
      const t0 = Date.now();
      if (q.pathsOnly) {
        const m = results[q.item.id];
        const again = async (p) => (p && !p.error && !p.path ? await placeAndRouteItem(q.item, q.net, q.design, p.device, opts) : p);
        results[q.item.id] = { ...m, pnr: await again(m.pnr), ...(m.pnrHx8k ? { pnrHx8k: await again(m.pnrHx8k) } : {}) };
        const r = results[q.item.id].pnr;
        process.stderr.write(`  ${q.item.id}: critical path ${r?.path ? `${r.path.lutLevels} LUT levels${r.path.wrapperOnly ? ' (the wrapper\'s)' : ''}` : 'not recorded'} (${((Date.now() - t0) / 1000).toFixed(1)} s)\n`);
        save(tools, results);
        continue;
      }
      if (q.hx8kOnly) {
        const r = await placeAndRouteItem(q.item, q.net, q.design, 'hx8k', opts);
        results[q.item.id] = { ...results[q.item.id], pnrHx8k: r };
        process.stderr.write(`  ${q.item.id}: HX8K ${r.error ? (r.error === 'timeout' ? 'timeout' : 'error') : `fmax ${r.fmaxMhz?.toFixed(1)} MHz`} (${((Date.now() - t0) / 1000).toFixed(1)} s)\n`);
        save(tools, results);
        continue;
      }
      const m = await measure(q.item, q.net, q.design, opts);
      if (wantsHx8k(q.item, m)) m.pnrHx8k = await placeAndRouteItem(q.item, q.net, q.design, 'hx8k', opts);
      results[q.item.id] = { hash: q.hash, holdout: q.item.holdout, kind: q.item.kind, timeoutS: opts.timeout, ...m };
      process.stderr.write(`  ${q.item.id}: ${summary(m)} (${((Date.now() - t0) / 1000).toFixed(1)} s)\n`);
      save(tools, results);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, opts.jobs) }, worker));
  if (queue.length) save(tools, results);

  // Fit on the training items, report on the held-out items.
  const rows = [];
  let stale = 0;
  for (const item of corpus()) {
    const m = results[item.id];
    if (!m) continue;
    let loaded;
    try {
      loaded = loadItem(item);
    } catch {
      continue;
    }
    // Measurements of another version of the generated Verilog describe other hardware: left out.
    if (m.hash !== verilogHash(loaded.net, tools)) {
      stale++;
      continue;
    }
    rows.push({ id: item.id, holdout: item.holdout, m, xc7: networkFeatures(loaded.net, { part: 'xc7a100t' }), ice40: networkFeatures(loaded.net, { part: 'ice40hx8k' }) });
  }
  if (stale) process.stderr.write(`calibrate: ${stale} measurements are of an older Verilog (re-run without --fit-only to measure them): left out\n`);
  const fitted = fitTables(rows.filter((r) => !r.holdout), COST_TABLES);
  writeFileSync(TABLES, JSON.stringify(fitted, undefined, 2) + '\n');
  const table = errorTable(rows, fitted, (item, tables, part) => computeEstimate(loadItem(item).net, { part }, tables), corpus());
  process.stdout.write(formatErrorTable(table) + '\n');
  // The same figures on the training networks (what the fit saw), to compare with the held-out ones.
  const estimate = (item, tables, part) => computeEstimate(loadItem(item).net, { part }, tables);
  const train = rows.filter((r) => !r.holdout).map((r) => ({ ...r, holdout: true }));
  process.stdout.write('\n' + formatTrainingSummary(errorTable(train, fitted, estimate, corpus()), train, fitted, estimate, corpus()) + '\n');
  process.stdout.write(`\nwrote ${TABLES} and ${MEASUREMENTS}\n`);
}

/** The hash of a network's generated Verilog and the tool versions: the key of its measurements. */
export function hashOf(design, tools) {
  const text = [...design.files.values()].join('\n');
  return createHash('sha256').update(text).update(JSON.stringify([tools.yosys, tools.nextpnr])).digest('hex').slice(0, 16);
}

export function verilogHash(net, tools) {
  return hashOf(generateVerilog(net), tools);
}

/** Whether a cached measurement is complete: every tool ran, or timed out under a limit at least as long as this run's. */
function hasAll(m, timeout) {
  const done = (r) => r && (!r.error || (r.error === 'timeout' && (m.timeoutS ?? 0) >= timeout));
  // Place and route too (an item too large to place has none): a run that timed out under a shorter limit runs again.
  return done(m.rtl) && done(m.xc7) && done(m.ice40) && (!m.pnr || done(m.pnr));
}

function summary(m) {
  const p = [];
  p.push(m.rtl?.error ? 'rtl error' : `latency ${m.rtl.latency} ii ${m.rtl.ii}`);
  p.push(m.xc7?.error ? `xc7 ${m.xc7.error === 'timeout' ? 'timeout' : 'error'}` : `xc7 ${m.xc7.lut} LUT ${m.xc7.ff} FF ${m.xc7.dsp} DSP`);
  p.push(m.ice40?.error ? `ice40 ${m.ice40.error === 'timeout' ? 'timeout' : 'error'}` : `ice40 ${m.ice40.lut} LUT ${m.ice40.ff} FF`);
  if (m.pnr) p.push(m.pnr.error ? 'pnr error' : `fmax ${m.pnr.fmaxMhz?.toFixed(1)} MHz (${m.pnr.device})`);
  return p.join(', ');
}

function save(tools, items) {
  const sorted = Object.fromEntries(Object.entries(items).sort(([a], [b]) => a.localeCompare(b)));
  writeFileSync(
    MEASUREMENTS,
    JSON.stringify(
      {
        $comment: 'Measurements of the calibration corpus (compiler/calibrate/corpus.mjs) by `npm run calibrate`: per item, the hash of its generated Verilog, RTL simulation latency/II (iverilog testbench), yosys synth_xilinx -family xc7 and synth_ice40 cell counts of the network module, and nextpnr-ice40 fmax of its serial wrapper (seed 1; on the UP5K, or the HX8K for designs of 4,800 LUT4s or more). Re-runs re-measure only items whose hash changed.',
        tools,
        items: sorted,
      },
      undefined,
      1,
    ) + '\n',
  );
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
