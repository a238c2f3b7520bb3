// What Vitis HLS is expected to report for the HLS C++ that backends/hls generates (hls4ml-style io_parallel), and the
// published hls4ml reference it is compared with. No Vitis runs here: the model follows hls4ml's structure (one
// multiplier per non-zero weight per reuse phase, adder trees, registered layer boundaries) with the per-operation
// costs below, checked against the one published design (../shared/design/BRIEF.md). Treat it as an order of magnitude.
import type { LayerModel, NetworkModel } from '@qnn/language';
import { csdDigits, isPow2, raws } from './features.js';
import type { HlsEstimate } from './types.js';

/** hls4ml jet tagger 16-64-32-32-5, fixed<16,6>, Vitis HLS 2024.1 csynth, xcu250, 5 ns, R = 1 (BRIEF.md). */
export const HLS_REFERENCE = {
  source: 'hls4ml jet tagger 16-64-32-32-5, ap_fixed<16,6>, Vitis HLS 2024.1 csynth, xcu250, 5 ns, reuse 1 (../shared/design/BRIEF.md)',
  latencyCycles: 14,
  ii: 1,
  dsp: 1502,
  lut: 101_839,
  ff: 9_363,
  bram18: 8,
} as const;

/**
 * Model constants, each with where it comes from:
 * - DSP_MIN_CSD: Vitis HLS builds a constant multiplication in LUTs (shift-and-add) when the constant has at most two
 *   non-zero signed digits, in a DSP otherwise (observed hls4ml behaviour: small and sparse weights cost no DSP).
 * - LUT_PER_ADDER_BIT, LUT_PER_MUL_BIT: one LUT per adder bit; shift-and-add multipliers cost their adders.
 * - FF: hls4ml registers every layer's outputs at full accumulator width on each of its pipeline cycles.
 * - Latency: 2 cycles per dense layer at reuse 1 at 5 ns (multiplier + adder tree), R + 1 at reuse R, 0 for relu,
 *   1 for table activations, 4 for softmax (stable), 3 (latency), 2 cycles for the top function's I/O. These
 *   reproduce the published 14 cycles of the jet tagger; no other Vitis figure calibrated them.
 */
const DSP_MIN_CSD = 3;
const LUT_PER_ADDER_BIT = 1;

const cache = new WeakMap<NetworkModel, HlsEstimate>();

/** The Vitis HLS estimate of a checked io parallel network (cached per network). */
export function estimateHls(net: NetworkModel): HlsEstimate {
  let e = cache.get(net);
  if (!e) cache.set(net, (e = computeHls(net)));
  return e;
}

function computeHls(net: NetworkModel): HlsEstimate {
  let dsp = 0;
  let lut = 0;
  let ff = 0;
  let bram18 = 0;
  let maxUnrolled = 0;
  const ii = Math.max(1, ...net.layers.map((l) => (l.opName === 'dense' || l.opName.includes('conv') ? l.reuse : 1)));
  // Latency along the longest path.
  const done = new Map<string, number>();
  for (const i of net.inputs) done.set(i.name, 0);
  for (const l of net.layers) {
    const r = layerHls(l, net);
    dsp += r.dsp;
    lut += r.lut;
    ff += r.ff;
    bram18 += r.bram18;
    maxUnrolled = Math.max(maxUnrolled, r.unrolled);
    done.set(l.name, Math.max(0, ...l.inputs.map((n) => done.get(n) ?? 0)) + r.latency);
  }
  const latencyCycles = Math.max(0, ...net.outputs.map((o) => done.get(o) ?? 0)) + 2;
  return { latencyCycles, ii, lut: Math.round(lut), ff: Math.round(ff), dsp, bram18, maxUnrolled };
}

interface LayerHls {
  dsp: number;
  lut: number;
  ff: number;
  bram18: number;
  latency: number;
  unrolled: number;
}

/** Operations a layer fully unrolls in one reuse phase (the figure Vitis HLS limits at about 4096). */
export function unrolledOps(l: LayerModel, net: NetworkModel): number {
  const w = l.consts.weight;
  if (!w) return 0;
  const outs = l.tensor.shape.reduce((a, b) => a * b, 1);
  const filters = l.tensor.shape[l.tensor.shape.length - 1] ?? 1;
  const taps = w.shape.reduce((a, b) => a * b, 1) / Math.max(1, filters);
  void net;
  return Math.ceil((outs * taps) / Math.max(1, l.reuse));
}

function layerHls(l: LayerModel, net: NetworkModel): LayerHls {
  const Y = l.tensor.type;
  const out = l.tensor.shape.reduce((a, b) => a * b, 1);
  const r: LayerHls = { dsp: 0, lut: 0, ff: 0, bram18: 0, latency: 0, unrolled: 0 };
  const op = l.opName;
  if ('network' in l.op) {
    const sub = estimateHls(l.op.network);
    return { dsp: sub.dsp, lut: sub.lut, ff: sub.ff, bram18: sub.bram18, latency: sub.latencyCycles - 2, unrolled: sub.maxUnrolled };
  }
  const wT = l.consts.weight;
  if (wT && (op === 'dense' || op.includes('conv'))) {
    const A = l.types.accum ?? Y;
    const x = net.node(l.inputs[0]);
    const xw = x ? (x.kind === 'input' ? x.tensor.type.width : x.tensor.type.width) : 16;
    const w = raws(wT);
    const filters = l.tensor.shape[l.tensor.shape.length - 1] ?? 1;
    const positions = Math.max(1, Math.round(out / filters));
    let dsp = 0;
    let lutMul = 0;
    let terms = 0;
    for (let i = 0; i < w.length; i++) {
      const v = w[i];
      if (v === 0) continue;
      terms++;
      if (isPow2(v)) continue;
      const d = csdDigits(v);
      if (d >= DSP_MIN_CSD && xw > 1) dsp++;
      else lutMul += (d - 1) * (xw + wT.type.width);
    }
    const R = Math.max(1, l.reuse);
    const perPosition = R > 1 ? Math.ceil(dsp / R) : dsp;
    r.dsp = perPosition * (op.includes('conv') ? 1 : positions);
    r.lut = (lutMul + terms * A.width * LUT_PER_ADDER_BIT) * (op.includes('conv') ? 1 : positions) / (R > 1 ? R : 1) + (R > 1 ? terms * 2 : 0);
    r.ff = out * A.width * (R > 1 ? 1 : 2);
    r.latency = R > 1 ? R + 1 : 2;
    r.unrolled = unrolledOps(l, net);
    return r;
  }
  switch (op) {
    case 'relu':
    case 'relu6':
    case 'leaky_relu':
    case 'linear':
      r.lut = out * Y.width * (op === 'relu' ? 0.5 : 1);
      return r;
    case 'sigmoid':
    case 'tanh': {
      const n = Number(l.settings.table ?? 1024);
      r.bram18 = Math.ceil(out / 2) * Math.ceil((n * 18) / 18432);
      r.latency = 1;
      r.ff = out * Y.width;
      return r;
    }
    case 'softmax': {
      const n = Number(l.settings.table ?? 1024);
      const L = l.tensor.shape[l.tensor.shape.length - 1] ?? 1;
      const rows = Math.max(1, Math.round(out / L));
      const per = Math.ceil((n * 18) / 18432);
      r.bram18 = rows * (Math.ceil(L / 2) + 1) * per + (rows > 0 ? 2 : 0);
      r.dsp = out;
      r.lut = out * 18 * 4;
      r.ff = out * 18 * 4;
      r.latency = (l.settings.implementation ?? 'stable') === 'latency' ? 3 : 4;
      return r;
    }
    case 'batchnorm':
      r.dsp = out;
      r.ff = out * Y.width;
      r.latency = 1;
      return r;
    default:
      r.lut = out * Y.width * 0.25;
      return r;
  }
}
