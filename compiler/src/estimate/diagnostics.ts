// QNN3xxx: diagnostics from the estimates and from value ranges (docs/diagnostics.md): over device capacity, over a
// written budget, too many unrolled operations for vendor HLS, accumulators narrower than the worst-case sum, softmax
// inputs narrower than 10 bits, average pooling accumulating in the data type. Shown by `qnn check` and the editor.
import { diag, fixedType, formatFixedType, isValidReuse, type Diagnostic, type FixedType, type LayerModel, type NetworkModel, type ProgramModel, type Span } from '@qnn/language';
import { findDevice } from '../devices/device-table.js';
import { estimateNetwork } from './estimate.js';
import { raws } from './features.js';
import { unrolledOps } from './hls.js';
import type { NetworkEstimate } from './types.js';

/** Vendor HLS refuses to fully unroll loops of more than about this many operations (BRIEF.md). */
export const HLS_UNROLL_LIMIT = 4096;
/** Relative error of the LUT and FF estimates (the calibration's held-out maximum target): over capacity by less is a warning. */
export const CAPACITY_MARGIN = 0.3;
/** Softmax inputs narrower than this lose the ordering of close logits in the exponential table. */
export const SOFTMAX_MIN_INPUT_BITS = 10;

/** Diagnostics of every complete network of the program (each network once, in the file that defines it). */
export function estimateDiagnostics(program: ProgramModel): Diagnostic[] {
  const out: Diagnostic[] = [];
  const seen = new Set<NetworkModel>();
  for (const file of program.files.values()) {
    for (const net of file.networks.values()) {
      if (seen.has(net) || net.path !== file.path) continue;
      seen.add(net);
      if (!net.complete) continue;
      out.push(...networkDiagnostics(program, net));
    }
  }
  return out;
}

/** The program with the estimate diagnostics merged into its per-file diagnostics (for `qnn check`). */
export function withEstimateDiagnostics(program: ProgramModel): ProgramModel {
  const extra = estimateDiagnostics(program);
  if (extra.length === 0) return program;
  const merged = new Map<string, Diagnostic[]>();
  for (const [p, ds] of program.diagnostics) merged.set(p, [...ds]);
  for (const d of extra) {
    const list = merged.get(d.path) ?? [];
    list.push(d);
    merged.set(d.path, list);
  }
  for (const list of merged.values()) list.sort((a, b) => a.span.start - b.span.start);
  return { files: program.files, diagnostics: merged };
}

export function networkDiagnostics(program: ProgramModel, net: NetworkModel): Diagnostic[] {
  const out: Diagnostic[] = [];
  const nameSpan: Span = net.decl.name?.span ?? net.decl.span;
  for (const l of net.layers) {
    if ('network' in l.op) continue;
    const at = l.decl.name.span;
    if (l.opName === 'dense' || l.opName.includes('conv')) {
      const acc = accumulatorCheck(net, l);
      if (acc) {
        out.push(
          diag(
            'QNN3004',
            net.path,
            attrSpan(l, 'accum') ?? at,
            `The accumulator of '${l.name}' is ${formatFixedType(acc.accum)}, but its worst-case sum reaches [${fmt(acc.lo)}, ${fmt(acc.hi)}]: it can ${acc.accum.overflow === 'WRAP' ? 'wrap around' : 'saturate'}. The smallest safe type is ${formatFixedType(acc.safe)}.`,
            { data: { suggestions: [formatFixedType(acc.safe)] } },
          ),
        );
      }
      if (net.io === 'parallel') {
        const ops = unrolledOps(l, net);
        if (ops > HLS_UNROLL_LIMIT) {
          const r = smallestReuse(l, net);
          out.push(
            diag(
              'QNN3003',
              net.path,
              at,
              `'${l.name}' unrolls ${ops.toLocaleString('en-US')} multiplications per cycle; Vitis HLS refuses to fully unroll more than about ${HLS_UNROLL_LIMIT}.${r ? ` Set 'reuse: ${r}' (the smallest valid reuse factor under the limit).` : ' Raise its reuse factor.'}`,
              { data: r ? { suggestions: [`reuse: ${r}`], reuse: r } : { ops } },
            ),
          );
        }
      }
    }
    if (l.opName === 'softmax') {
      const x = inputType(net, l);
      if (x && x.width < SOFTMAX_MIN_INPUT_BITS) {
        out.push(diag('QNN3005', net.path, at, `The input of softmax '${l.name}' has ${x.width} bits (${formatFixedType(x)}); with fewer than ${SOFTMAX_MIN_INPUT_BITS} bits close logits fall on the same table entry. Give the layer before it a type of at least ${SOFTMAX_MIN_INPUT_BITS} bits.`));
      }
    }
    if (l.opName.startsWith('avgpool') || l.opName.startsWith('global_avgpool')) {
      const p = avgPoolCheck(net, l);
      if (p) {
        out.push(
          diag(
            'QNN3006',
            net.path,
            attrSpan(l, 'accum') ?? at,
            `Average pooling '${l.name}' sums ${p.n} values in ${formatFixedType(p.accum)}, the type of its data: the sum can overflow before the division. Accumulate in ${formatFixedType(p.safe)}.`,
            { data: { suggestions: [formatFixedType(p.safe)] } },
          ),
        );
      }
    }
  }
  let est: NetworkEstimate;
  try {
    est = estimateNetwork(program, net);
  } catch {
    return out; // An unknown part is QNN2025 already.
  }
  if (net.target) {
    const d = findDevice(est.part);
    if (d) {
      const over: string[] = [];
      let sure = false;
      const check = (what: string, v: number, cap: number, margin: number) => {
        if (v <= cap) return;
        over.push(`${what} ${v.toLocaleString('en-US')} of ${cap.toLocaleString('en-US')}`);
        // io stream estimates are not calibrated (docs/estimate.md): never more than a warning.
        if (v > cap * (1 + margin) && net.io === 'parallel') sure = true;
      };
      // LUT and FF estimates carry the model's error (CAPACITY_MARGIN): within it the part may still fit (a warning);
      // beyond it, or for DSPs and BRAM (counted exactly), it does not (an error).
      check('LUT', est.total.lut, d.lut, CAPACITY_MARGIN);
      check('FF', est.total.ff, d.ff, CAPACITY_MARGIN);
      check('DSP', est.total.dsp, d.dsp, 0);
      check('BRAM18', est.total.bram18, d.bram18, 0);
      if (over.length) {
        const msg = sure
          ? `Network '${net.name}' does not fit ${d.name}: estimated ${over.join(', ')}. Raise reuse factors, narrow the types, prune weights, or target a larger part.`
          : `Network '${net.name}' may not fit ${d.name}: estimated ${over.join(', ')}, ${net.io === 'stream' ? 'an uncalibrated io stream estimate' : `within the estimate's error (${Math.round(CAPACITY_MARGIN * 100)} %)`}. Synthesize it to be sure, or raise reuse factors, narrow the types, prune weights.`;
        out.push(diag('QNN3001', net.path, nameSpan, msg, sure ? undefined : { severity: 'warning' }));
      }
    }
  }
  for (const b of net.budgets) {
    const r = budgetValue(est, b.metric, b.unit);
    if (r === undefined) continue;
    const ok = b.strict ? r.value < b.value : r.value <= b.value;
    if (!ok) {
      const limit = `${b.strict ? '<' : '≤'} ${b.value}${r.unit}`;
      out.push(diag('QNN3002', net.path, b.decl.span, `Estimated ${b.metric} is ${fmt(r.value)}${r.unit}, over the budget ${limit}. ${budgetHint(b.metric)}`, { data: { estimate: r.value } }));
    }
  }
  return out;
}

function budgetValue(est: NetworkEstimate, metric: string, unit: string): { value: number; unit: string } | undefined {
  switch (metric) {
    case 'latency':
      return unit === 'cycles' ? { value: est.total.latencyCycles, unit: ' cycles' } : { value: est.total.latencyNs, unit: 'ns' };
    case 'ii':
      return { value: est.total.ii, unit: unit === 'cycles' ? ' cycles' : '' };
    case 'dsp':
    case 'lut':
    case 'ff':
      return unit === 'percent' ? { value: est.utilization[metric], unit: '%' } : { value: est.total[metric], unit: '' };
    case 'bram':
      return unit === 'percent' ? { value: est.utilization.bram18, unit: '%' } : { value: est.total.bram18, unit: '' };
    default:
      return undefined;
  }
}

function budgetHint(metric: string): string {
  switch (metric) {
    case 'latency':
    case 'ii':
      return 'Lower the reuse factors or use a faster clock.';
    case 'dsp':
      return 'Raise reuse factors, narrow the types (products under 9 bits use no DSP), or prune weights.';
    default:
      return 'Raise reuse factors, narrow the types, or prune weights.';
  }
}

const fmt = (v: number) => (Number.isInteger(v) ? v.toLocaleString('en-US') : Number(v.toPrecision(6)).toString());

function attrSpan(l: LayerModel, name: string): Span | undefined {
  return l.decl.attrs.find((a) => a.name.name === name)?.span;
}

function inputType(net: NetworkModel, l: LayerModel): FixedType | undefined {
  const n = net.node(l.inputs[0]);
  return n?.tensor.type;
}

const lsb = (t: FixedType) => Math.pow(2, t.intBits - t.width);
function valueBounds(t: FixedType): { lo: number; hi: number } {
  const step = lsb(t);
  return t.signed ? { lo: -Math.pow(2, t.width - 1) * step, hi: (Math.pow(2, t.width - 1) - 1) * step } : { lo: 0, hi: (Math.pow(2, t.width) - 1) * step };
}

/** The type with A's fractional bits and modes and the fewest integer bits holding [lo, hi]. */
function safeType(a: FixedType, lo: number, hi: number): FixedType {
  const frac = a.width - a.intBits;
  const signed = a.signed || lo < 0;
  let i = a.intBits;
  for (;;) {
    const t = fixedType(signed, Math.max(1, i + frac), i, a.quant, a.overflow);
    const b = valueBounds(t);
    if (b.lo <= lo && b.hi >= hi) return t;
    i++;
    if (i + frac > 1024) return t;
  }
}

/**
 * The worst-case partial sums of a dense or convolution layer over its input type's range and its actual weights
 * (each partial sum lies between the bias plus every negative term and the bias plus every positive term).
 */
function accumulatorCheck(net: NetworkModel, l: LayerModel): { accum: FixedType; safe: FixedType; lo: number; hi: number } | undefined {
  const A = l.types.accum;
  const wT = l.consts.weight;
  const x = inputType(net, l);
  if (!A || !wT || !x) return undefined;
  const w = raws(wT);
  const wl = lsb(wT.type);
  const xb = valueBounds(x);
  const bT = l.consts.bias;
  const b = bT ? raws(bT) : undefined;
  const bl = bT ? lsb(bT.type) : 0;
  const outs = l.tensor.shape[l.tensor.shape.length - 1] ?? 1;
  const taps = Math.floor(w.length / Math.max(1, outs));
  let lo = 0;
  let hi = 0;
  for (let o = 0; o < outs; o++) {
    const b0 = b ? b[o % b.length] * bl : 0;
    let sLo = Math.min(0, b0);
    let sHi = Math.max(0, b0);
    for (let t = 0; t < taps; t++) {
      const wv = w[t * outs + o] * wl;
      if (wv === 0) continue;
      const p1 = wv * xb.lo;
      const p2 = wv * xb.hi;
      sLo += Math.min(0, p1, p2);
      sHi += Math.max(0, p1, p2);
    }
    lo = Math.min(lo, sLo);
    hi = Math.max(hi, sHi);
  }
  const ab = valueBounds(A);
  if (lo >= ab.lo && hi <= ab.hi) return undefined;
  return { accum: A, safe: safeType(A, lo, hi), lo, hi };
}

function avgPoolCheck(net: NetworkModel, l: LayerModel): { n: number; accum: FixedType; safe: FixedType } | undefined {
  const x = inputType(net, l);
  const A = l.types.accum ?? x;
  if (!x || !A) return undefined;
  const xn = net.node(l.inputs[0]);
  if (!xn) return undefined;
  const spatial = l.opName.endsWith('1d') ? 1 : 2;
  let n: number;
  if (l.opName.startsWith('global_')) n = xn.tensor.shape.slice(0, spatial).reduce((a, b) => a * b, 1);
  else {
    const k = l.params.pool;
    const ks = Array.isArray(k) ? k.map(Number) : new Array<number>(spatial).fill(typeof k === 'number' ? k : 2);
    n = ks.reduce((a, b) => a * b, 1);
  }
  if (n < 2) return undefined;
  const xb = valueBounds(x);
  const ab = valueBounds(A);
  if (n * xb.lo >= ab.lo && n * xb.hi <= ab.hi) return undefined;
  if (A.intBits > x.intBits) return undefined; // widened, just not enough: the accumulator check's business, not this one
  return { n, accum: A, safe: safeType(A, n * xb.lo, n * xb.hi) };
}

/** The smallest valid reuse factor that brings a layer under the unroll limit. */
function smallestReuse(l: LayerModel, net: NetworkModel): number | undefined {
  const ops = unrolledOps(l, net) * Math.max(1, l.reuse);
  const wT = l.consts.weight;
  if (!wT) return undefined;
  const nOut = wT.shape[wT.shape.length - 1];
  const nIn = wT.shape.slice(0, -1).reduce((a, b) => a * b, 1);
  for (let r = Math.ceil(ops / HLS_UNROLL_LIMIT); r <= nIn * nOut; r++) {
    if ((nIn * nOut) % r !== 0) continue;
    if (isValidReuse(nIn, nOut, r) && Math.ceil(ops / r) <= HLS_UNROLL_LIMIT) return r;
  }
  return undefined;
}
