// Benchmark section "qor": quality of results of the generated hardware, through the user's commands (`qnn build`,
// `make sim`, `make synth`, `make pnr`).
// - The jet tagger (samples/jet-tagger: fixed<16, 6>, reuse 1, 5 ns = 200 MHz): latency and II in cycles measured by
//   the RTL testbench in iverilog (hls4ml's published figure: 14 cycles, II 1), and LUT/FF/DSP/BRAM of yosys
//   `synth_xilinx -family xc7` (minutes on two cores).
// - The iCE40 sample (samples/ice40-tiny, UP5K, 48 MHz): latency and II, and logic cells, RAM, DSP and I/O used and the
//   achieved fmax from nextpnr-ice40 (`make pnr`, through the pin-light serial wrapper).
// Synthesis and place-and-route results are cached in bench/results/qor-cache.json by a hash of the generated Verilog,
// the tool's version and the command, so that `npm run bench` stays quick when the hardware did not change;
// QOR_FRESH=1 forces them to run again. Figures only; never asserts.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(REPO, 'simulator/bin/qnn.js');
const CACHE = join(REPO, 'bench/results/qor-cache.json');
const FRESH = process.env.QOR_FRESH === '1';

/** hls4ml's published jet tagger (Vitis HLS 2024.1, xcu250, 5 ns, R = 1): ARCHITECTURE.md / BRIEF. */
const HLS4ML = { latencyCycles: 14, ii: 1, dsp: 1502, lut: 101_839, ff: 9_363 };

function sh(cmd, args, cwd) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (r.error) throw new Error(`${cmd}: ${r.error.message} (install its Debian package)`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed in ${cwd}:\n${(r.stdout + r.stderr).slice(-3000)}`);
  return r.stdout + r.stderr;
}

/** The first line a tool prints for its version flag (on stdout or stderr: nextpnr uses stderr). */
function version(cmd, flag) {
  const r = spawnSync(cmd, [flag], { encoding: 'utf8' });
  return `${r.stdout ?? ''}${r.stderr ?? ''}`.split('\n')[0].trim() || cmd;
}

function loadCache() {
  try {
    return JSON.parse(readFileSync(CACHE, 'utf8'));
  } catch {
    return { note: 'Results of slow tools keyed by a hash of the generated Verilog, the tool version and the command (bench/qor.mjs).', entries: {} };
  }
}

/** The network's own Verilog (not the testbenches), hashed with the tool's identity. */
function designHash(rtlDir, extra) {
  const h = createHash('sha256');
  for (const f of readdirSync(rtlDir).filter((f) => f.endsWith('.v') && !f.startsWith('tb_')).sort()) {
    h.update(f).update('\0').update(readFileSync(join(rtlDir, f))).update('\0');
  }
  h.update(extra);
  return h.digest('hex').slice(0, 24);
}

/** Runs `compute` unless the cache holds its result for `key`; returns the result and whether it was cached. */
function cached(cache, key, what, compute) {
  const hit = !FRESH && cache.entries[key];
  if (hit) return { ...hit.result, cached: true, seconds: hit.seconds, date: hit.date };
  const t0 = performance.now();
  const result = compute();
  const seconds = (performance.now() - t0) / 1000;
  cache.entries[key] = { what, date: new Date().toISOString(), seconds: +seconds.toFixed(1), result };
  writeFileSync(CACHE, JSON.stringify(cache, undefined, 2) + '\n');
  return { ...result, cached: false, seconds, date: cache.entries[key].date };
}

function build(sample, out) {
  sh(process.execPath, [BIN, 'build', join(REPO, 'samples', sample, `${sample}.qnn`), '--out', out], REPO);
  const m = /RESULT \S+ vectors=(\d+) mismatches=(\d+) latency=(\d+) ii=(\d+)/.exec(sh('make', ['sim'], out));
  if (!m) throw new Error(`${sample}: make sim printed no RESULT line`);
  return { vectors: +m[1], mismatches: +m[2], latencyCycles: +m[3], ii: +m[4] };
}

/** LUT, FF, DSP, BRAM18 and carry counts of a yosys `stat -json` of synth_xilinx. */
function xilinxCells(statJson) {
  const cells = JSON.parse(statJson).design.num_cells_by_type;
  const sum = (re) => Object.entries(cells).filter(([k]) => re.test(k)).reduce((a, [, n]) => a + n, 0);
  return {
    lut: sum(/^LUT[1-6]$/) + sum(/^SRL/) + sum(/^RAM(32|64|128|256)/),
    ff: sum(/^FD[RSCP]E$/),
    dsp: sum(/^DSP48/),
    bram18: sum(/^RAMB18/) + 2 * sum(/^RAMB36/),
    carry4: sum(/^CARRY4$/),
    muxf: sum(/^MUXF[78]$/),
  };
}

export async function run() {
  const tmp = mkdtempSync(join(tmpdir(), 'qnn-qor-'));
  const cache = loadCache();
  const rows = [];
  const notes = [];
  try {
    // ---- the jet tagger ----
    const jet = join(tmp, 'jet');
    const sim = build('jet-tagger', jet);
    const clockNs = 5;
    rows.push(
      { name: `jet tagger (fixed<16, 6>, reuse 1, 200 MHz): latency, cycles (RTL measured, iverilog)`, value: sim.latencyCycles, display: `${sim.latencyCycles} (${sim.latencyCycles * clockNs} ns)`, target: `< ${HLS4ML.latencyCycles} (hls4ml)`, met: sim.latencyCycles < HLS4ML.latencyCycles },
      { name: 'jet tagger: initiation interval, cycles (RTL measured)', value: sim.ii, target: `${HLS4ML.ii} (hls4ml)`, met: sim.ii <= HLS4ML.ii },
    );
    const yosys = version('yosys', '-V');
    const script = 'synth_xilinx -family xc7';
    const synth = cached(cache, `xc7:${designHash(join(jet, 'rtl'), `${yosys}\n${script}`)}`, `jet tagger, yosys ${script}`, () => {
      sh('make', ['synth'], jet);
      return xilinxCells(readFileSync(join(jet, 'build/resources.json'), 'utf8'));
    });
    const how = synth.cached ? `cached from ${synth.date.slice(0, 10)}, ${Math.round(synth.seconds)} s` : `${Math.round(synth.seconds)} s`;
    rows.push(
      { name: `jet tagger: LUT (yosys ${script}; ${how})`, value: synth.lut, target: `${HLS4ML.lut.toLocaleString('en-US')} (hls4ml, Vitis)`, met: undefined },
      { name: 'jet tagger: FF', value: synth.ff, target: `${HLS4ML.ff.toLocaleString('en-US')} (hls4ml, Vitis)`, met: undefined },
      { name: 'jet tagger: DSP48', value: synth.dsp, target: `${HLS4ML.dsp.toLocaleString('en-US')} (hls4ml, Vitis)`, met: undefined },
      { name: 'jet tagger: BRAM18', value: synth.bram18, target: '–', met: undefined },
    );
    notes.push(`yosys: ${yosys}; synth_xilinx also used ${synth.carry4} CARRY4 and ${synth.muxf} MUXF7/8. yosys maps for the 7 series (DSP48E1), hls4ml's figure is Vitis HLS for UltraScale+: comparable in kind, not cell for cell.`);
    if (sim.mismatches) notes.push(`WARNING: the jet tagger RTL had ${sim.mismatches} mismatches in make sim`);

    // ---- the iCE40 sample ----
    const ice = join(tmp, 'ice40');
    const iceSim = build('ice40-tiny', ice);
    rows.push(
      { name: 'ice40-tiny (UP5K, 48 MHz): latency, cycles (RTL measured)', value: iceSim.latencyCycles, target: '–', met: undefined },
      { name: 'ice40-tiny: initiation interval, cycles (RTL measured)', value: iceSim.ii, target: '–', met: undefined },
    );
    const nextpnr = version('nextpnr-ice40', '--version');
    const pnrKey = `ice40:${designHash(join(ice, 'rtl'), `${yosys}\n${nextpnr}\n${readFileSync(join(ice, 'Makefile'), 'utf8').split('\n').filter((l) => /nextpnr|synth_ice40/.test(l)).join('\n')}`)}`;
    const pnr = cached(cache, pnrKey, 'ice40-tiny, make pnr (synth_ice40, nextpnr-ice40 --seed 1)', () => {
      sh('make', ['pnr'], ice);
      const rep = JSON.parse(readFileSync(join(ice, 'build/fmax.json'), 'utf8'));
      const clocks = Object.entries(rep.fmax);
      const u = rep.utilization;
      const pick = (k) => (u[k] ? { used: u[k].used, available: u[k].available } : { used: 0, available: 0 });
      const bin = readdirSync(join(ice, 'build')).find((f) => f.endsWith('.bin'));
      return {
        clock: clocks[0]?.[0] ?? '?',
        fmaxMhz: clocks[0]?.[1].achieved ?? 0,
        targetMhz: clocks[0]?.[1].constraint ?? 0,
        lc: pick('ICESTORM_LC'),
        ram: pick('ICESTORM_RAM'),
        dsp: pick('ICESTORM_DSP'),
        io: pick('SB_IO'),
        bitstream: bin !== undefined && existsSync(join(ice, 'build', bin)),
      };
    });
    const pct = (x) => `${x.used} / ${x.available} (${((100 * x.used) / Math.max(1, x.available)).toFixed(0)} %)`;
    const pnrHow = pnr.cached ? `cached from ${pnr.date.slice(0, 10)}` : `${Math.round(pnr.seconds)} s`;
    rows.push(
      { name: `ice40-tiny: fmax, MHz (nextpnr-ice40 --seed 1; ${pnrHow})`, value: pnr.fmaxMhz, display: pnr.fmaxMhz.toFixed(1), target: `≥ ${pnr.targetMhz.toFixed(0)} (the target clock)`, met: pnr.fmaxMhz >= pnr.targetMhz },
      { name: 'ice40-tiny: logic cells (LUT4 + FF)', value: pnr.lc.used, display: pct(pnr.lc), target: '–', met: undefined },
      { name: 'ice40-tiny: block RAM (4 kbit)', value: pnr.ram.used, display: pct(pnr.ram), target: '–', met: undefined },
      { name: 'ice40-tiny: DSP (SB_MAC16)', value: pnr.dsp.used, display: pct(pnr.dsp), target: '–', met: undefined },
      { name: 'ice40-tiny: I/O (serial wrapper)', value: pnr.io.used, display: pct(pnr.io), target: '–', met: undefined },
    );
    notes.push(`nextpnr: ${nextpnr}; placed and routed through the pin-light serial wrapper (rtl/*_serial.v); bitstream ${pnr.bitstream ? 'written' : 'MISSING'}. synth_ice40 runs without -dsp (wrong netlists in yosys 0.23), so multipliers are in logic cells.`);
    notes.push(`cache: ${join('bench', 'results', 'qor-cache.json')} (QOR_FRESH=1 re-runs synthesis and place and route)`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return { section: 'qor', rows, notes };
}
