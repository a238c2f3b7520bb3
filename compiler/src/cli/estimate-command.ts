// `qnn estimate FILE [--network NAME] [--part PART] [--clock NS] [--json]`: per layer latency, II, LUT, FF, DSP and
// BRAM18 of the generated Verilog, totals, device utilization, the iCE40 fmax and the Vitis HLS model
// (docs/estimate.md). Exit 0, 1 when the file has errors, 2 for usage errors (an unknown part names the nearest).
import { resolve } from 'node:path';
import { checkProgram, type NetworkModel } from '@qnn/language';
import { partCatalog } from '../devices/device-table.js';
import { nodeFileSystem } from '../node-fs.js';
import { estimateNetwork, UnknownPartError, HLS_REFERENCE, estimateDiagnostics } from '../estimate/index.js';
import type { NetworkEstimate } from '../estimate/types.js';
import { UsageError } from './files.js';
import { fileReports, formatHuman } from './report.js';

export interface EstimateCliOptions {
  readonly network?: string;
  readonly part?: string;
  readonly clock?: string;
  readonly json?: boolean;
}

export function runEstimate(file: string, opts: EstimateCliOptions): number {
  const path = resolve(file);
  const clockNs = opts.clock === undefined ? undefined : parseClock(opts.clock);
  const program = checkProgram([path], { fs: nodeFileSystem, parts: partCatalog });
  const fileModel = program.files.get(path);
  const errors = [...program.diagnostics.values()].flat().filter((d) => d.severity === 'error');
  if (!fileModel) throw new UsageError(errors[0]?.message ?? `cannot read ${file}`);
  const own = [...fileModel.networks.values()].filter((n) => n.path === path);
  let nets: NetworkModel[];
  if (opts.network !== undefined) {
    const n = fileModel.networks.get(opts.network);
    if (!n) throw new UsageError(`no network '${opts.network}' in ${file}${own.length ? ` (it defines ${own.map((x) => x.name).join(', ')})` : ''}`);
    nets = [n];
  } else nets = own;
  if (nets.length === 0) throw new UsageError(`${file} defines no network`);
  const broken = nets.filter((n) => !n.complete);
  if (broken.length) {
    const text = formatHuman(fileReports(program, [path], () => undefined).map((r) => ({ ...r, diagnostics: r.diagnostics.filter((d) => d.severity === 'error') })));
    if (text) process.stderr.write(text + '\n');
    process.stderr.write(`qnn estimate: network${broken.length > 1 ? 's' : ''} ${broken.map((n) => `'${n.name}'`).join(', ')} ha${broken.length > 1 ? 've' : 's'} errors; fix them first (qnn check ${file}).\n`);
    return 1;
  }
  let ests: NetworkEstimate[];
  try {
    ests = nets.map((n) => estimateNetwork(program, n, { ...(opts.part ? { part: opts.part } : {}), ...(clockNs !== undefined ? { clockNs } : {}) }));
  } catch (e) {
    if (e instanceof UnknownPartError) throw new UsageError(e.message);
    throw e;
  }
  if (opts.json) {
    process.stdout.write(JSON.stringify(ests.length === 1 && (opts.network !== undefined || own.length === 1) ? ests[0] : ests, undefined, 2) + '\n');
    return 0;
  }
  const diags = estimateDiagnostics(program).filter((d) => nets.some((n) => n.path === d.path));
  process.stdout.write(ests.map(formatEstimate).join('\n\n') + '\n');
  if (diags.length) {
    const reports = fileReports({ files: program.files, diagnostics: new Map([[path, diags]]) }, [path], () => undefined);
    process.stdout.write('\n' + formatHuman(reports) + '\n');
  }
  return 0;
}

function parseClock(s: string): number {
  const m = /^\s*([0-9]*\.?[0-9]+)\s*(ns|mhz)?\s*$/i.exec(s);
  if (!m) throw new UsageError(`--clock takes a period in ns or a frequency in MHz (5, 5ns, 200MHz), not '${s}'`);
  const v = Number(m[1]);
  const ns = m[2]?.toLowerCase() === 'mhz' ? 1000 / v : v;
  if (!(ns > 0) || !Number.isFinite(ns)) throw new UsageError(`--clock must be positive, not '${s}'`);
  return ns;
}

const n = (v: number) => v.toLocaleString('en-US');

/** The human-readable table of one estimate. */
export function formatEstimate(e: NetworkEstimate): string {
  const flow = e.flow === 'ice40' ? 'yosys synth_ice40 + nextpnr-ice40' : 'yosys synth_xilinx -family xc7';
  const lines = [`${e.network} on ${e.part} at ${e.clockNs} ns (${(1000 / e.clockNs).toFixed(1)} MHz); LUT/FF as ${flow}`];
  const head = ['layer', 'op', 'cycles', 'II', 'LUT', 'FF', 'DSP', 'BRAM18', 'mult dsp/lut/shift/skip'];
  const rows = e.layers.map((l) => [l.name, l.op, n(l.latencyCycles), n(l.ii), n(l.lut), n(l.ff), n(l.dsp), n(l.bram18), `${n(l.multipliers.dsp)}/${n(l.multipliers.lut)}/${n(l.multipliers.shift)}/${n(l.multipliers.skip)}`]);
  const t = e.total;
  rows.push(['total', '', n(t.latencyCycles), n(t.ii), n(t.lut), n(t.ff), n(t.dsp), n(t.bram18), '']);
  const u = e.utilization;
  rows.push(['utilization', '', '', '', `${u.lut}%`, `${u.ff}%`, `${u.dsp}%`, `${u.bram18}%`, '']);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (c: string[]) => c.map((x, i) => (i < 2 || i === c.length - 1 ? x.padEnd(widths[i]) : x.padStart(widths[i]))).join('  ').trimEnd();
  lines.push(line(head), widths.map((w) => '-'.repeat(w)).join('  '));
  rows.forEach((r, i) => {
    if (i === rows.length - 2) lines.push(widths.map((w) => '-'.repeat(w)).join('  '));
    lines.push(line(r));
  });
  lines.push(`latency ${n(t.latencyCycles)} cycles = ${Number(t.latencyNs.toFixed(3))} ns (the input register included), II ${t.ii}${e.fmaxMhz !== undefined ? `, fmax ≈ ${e.fmaxMhz} MHz (nextpnr-ice40 model)` : ''}`);
  const h = e.hls;
  lines.push(`Vitis HLS (model of the generated HLS C++): ${n(h.latencyCycles)} cycles, II ${h.ii}, ${n(h.dsp)} DSP, ${n(h.lut)} LUT, ${n(h.ff)} FF, ${n(h.bram18)} BRAM18; largest unrolled layer ${n(h.maxUnrolled)} operations`);
  const r = HLS_REFERENCE;
  const ratio = (a: number, b: number) => (b === 0 ? '–' : `${(a / b).toFixed(2)}×`);
  lines.push(
    `  vs published hls4ml jet tagger (${r.source}): latency ${ratio(h.latencyCycles, r.latencyCycles)}, DSP ${ratio(h.dsp, r.dsp)}, LUT ${ratio(h.lut, r.lut)}, FF ${ratio(h.ff, r.ff)}, BRAM18 ${ratio(h.bram18, r.bram18)}` +
      (e.network === 'jet_tagger' ? ' (same architecture; the weights differ)' : ' (a different network: for scale only)'),
  );
  for (const note of e.notes) lines.push(`note: ${note}`);
  return lines.join('\n');
}
