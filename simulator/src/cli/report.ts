// The report of `qnn sim`: per-layer errors against float, overflow counts, and for the outputs the classification
// agreement and accuracy. JSON schema in docs/simulation.md.
import { formatFixedType, type NetworkModel } from '@qnn/language';
import { agreement, top1 } from '../report/compare.js';
import type { LoadedInputs } from './inputs.js';
import type { LayerRun, RunResult } from './run.js';

export interface LayerReport {
  readonly name: string;
  readonly op: string;
  readonly shape: readonly number[];
  readonly type: string;
  readonly maxAbsError: number;
  readonly meanAbsError: number;
  /** SNR in dB of the fixed-point values against float; null when they are equal (infinite SNR) or float is all 0. */
  readonly snrDb: number | null;
  readonly overflow: { readonly wrapped: number; readonly saturated: number; readonly firstSample: number | null };
}

export interface OutputReport extends LayerReport {
  /** Fraction of samples whose arg-max class is the same in fixed point and in float (classifier outputs). */
  readonly top1Agreement: number | null;
  readonly fixedAccuracy: number | null;
  readonly floatAccuracy: number | null;
}

export interface SimReportJson {
  readonly file: string;
  readonly network: string;
  readonly samples: number;
  readonly inputSource: string;
  readonly stopped: boolean;
  readonly floatBackend: string;
  readonly timing: { readonly fixedMs: number; readonly floatMs: number; readonly fixedSamplesPerSecond: number };
  readonly layers: readonly LayerReport[];
  readonly outputs: readonly OutputReport[];
  /** The first layer where the fixed-point results part from float, and why; null when they never do. */
  readonly firstDivergence: { readonly layer: string; readonly reason: string } | null;
}

export interface SimReport {
  readonly json: SimReportJson;
  /** The first output's fixed-point values (for --out). */
  readonly outputs: { readonly rows: number; readonly shape: readonly number[]; readonly values: Float64Array };
}

/** Below this SNR a layer is said to part from float (when no overflow explains it first). */
const DIVERGENCE_DB = 20;

export function buildReport(net: NetworkModel, file: string, data: LoadedInputs, run: RunResult): SimReport {
  const layers = run.layers.map((l) => layerReport(l));
  const outputs: OutputReport[] = net.outputs.map((name) => {
    const l = run.layers.find((x) => x.name === name)!;
    const base = layerReport(l);
    const classes = l.shape[l.shape.length - 1] ?? 1;
    const classifier = l.shape.length === 1 && classes > 1;
    let top1Agreement: number | null = null;
    let fixedAccuracy: number | null = null;
    let floatAccuracy: number | null = null;
    if (classifier && run.rows > 0) {
      const fx = top1(l.values!.fixed, run.rows, classes);
      const fl = top1(l.values!.float, run.rows, classes);
      if (fl) top1Agreement = agreement(fx, fl);
      if (data.labels) {
        const labels = data.labels.subarray(0, run.rows);
        fixedAccuracy = agreement(fx, labels);
        floatAccuracy = fl ? agreement(fl, labels) : null;
      }
    }
    return { ...base, top1Agreement, fixedAccuracy, floatAccuracy };
  });
  const first = net.outputs[0];
  const out = run.layers.find((x) => x.name === first)!;
  return {
    json: {
      file,
      network: net.name,
      samples: run.rows,
      inputSource: data.source,
      stopped: run.stopped,
      floatBackend: run.backend,
      timing: { fixedMs: run.fixedMs, floatMs: run.floatMs, fixedSamplesPerSecond: run.fixedMs > 0 ? (run.rows / run.fixedMs) * 1000 : 0 },
      layers,
      outputs,
      firstDivergence: firstDivergence(layers),
    },
    outputs: { rows: run.rows, shape: out.shape, values: out.values!.fixed },
  };
}

function layerReport(l: LayerRun): LayerReport {
  const s = l.error;
  return {
    name: l.name,
    op: l.op,
    shape: l.shape,
    type: formatFixedType(l.type),
    maxAbsError: s.maxAbsError,
    meanAbsError: s.meanAbsError,
    snrDb: Number.isFinite(s.snrDb) ? s.snrDb : null,
    overflow: { wrapped: l.overflow.wrapped, saturated: l.overflow.saturated, firstSample: l.overflow.firstSample >= 0 ? l.overflow.firstSample : null },
  };
}

/**
 * The first layer, in execution order, that overflows; else the first whose SNR falls below 20 dB. An overflow is
 * the usual reason why a fixed-point network parts from its float model.
 */
function firstDivergence(layers: readonly LayerReport[]): SimReportJson['firstDivergence'] {
  for (const l of layers) {
    const n = l.overflow.wrapped + l.overflow.saturated;
    if (n > 0) {
      const how = [l.overflow.wrapped ? `${l.overflow.wrapped} values wrapped` : '', l.overflow.saturated ? `${l.overflow.saturated} saturated` : ''].filter(Boolean).join(' and ');
      return { layer: l.name, reason: `${how} (first at sample ${l.overflow.firstSample}); widen the type's integer bits (${l.type}) or its accumulator.` };
    }
  }
  for (const l of layers) {
    if (l.snrDb !== null && l.snrDb < DIVERGENCE_DB) {
      return { layer: l.name, reason: `SNR ${l.snrDb.toFixed(1)} dB: quantization error dominates here; give ${l.type} more fractional bits.` };
    }
  }
  return null;
}

function num(x: number | null, digits = 3): string {
  if (x === null) return '–';
  if (x === 0) return '0';
  const a = Math.abs(x);
  return a >= 1e4 || a < 1e-3 ? x.toExponential(2) : x.toFixed(digits);
}

function pct(x: number | null): string {
  return x === null ? '–' : `${(x * 100).toFixed(2)} %`;
}

export function formatReport(r: SimReport): string {
  const j = r.json;
  const lines: string[] = [];
  lines.push(`${j.network} (${j.file}): ${j.samples} samples from ${j.inputSource}${j.stopped ? ' (stopped early)' : ''}`);
  lines.push(`bit-accurate: ${j.timing.fixedMs.toFixed(0)} ms (${Math.round(j.timing.fixedSamplesPerSecond).toLocaleString('en-US')} samples/s); float reference (${j.floatBackend}): ${j.timing.floatMs.toFixed(0)} ms`);
  lines.push('');
  const head = ['layer', 'op', 'type', 'max |err|', 'mean |err|', 'SNR dB', 'wrapped', 'saturated', 'first'];
  const rows = j.layers.map((l) => [
    l.name,
    l.op,
    l.type,
    num(l.maxAbsError),
    num(l.meanAbsError),
    l.snrDb === null ? (l.maxAbsError === 0 ? 'exact' : '–') : l.snrDb.toFixed(1),
    String(l.overflow.wrapped),
    String(l.overflow.saturated),
    l.overflow.firstSample === null ? '' : String(l.overflow.firstSample),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((x) => x[i].length)));
  const fmt = (cells: string[]) => cells.map((c, i) => (i < 3 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd();
  lines.push(fmt(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(fmt));
  for (const o of j.outputs) {
    lines.push('');
    lines.push(`output ${o.name}: max |err| ${num(o.maxAbsError)}, SNR ${o.snrDb === null ? 'exact' : `${o.snrDb.toFixed(1)} dB`}`);
    if (o.top1Agreement !== null) lines.push(`  top-1 agreement fixed vs float: ${pct(o.top1Agreement)}`);
    if (o.fixedAccuracy !== null) lines.push(`  accuracy against labels: fixed ${pct(o.fixedAccuracy)}, float ${pct(o.floatAccuracy)}`);
  }
  lines.push('');
  lines.push(j.firstDivergence ? `first divergence: ${j.firstDivergence.layer}: ${j.firstDivergence.reason}` : 'fixed point follows float in every layer (no overflow, SNR ≥ 20 dB).');
  return lines.join('\n');
}
