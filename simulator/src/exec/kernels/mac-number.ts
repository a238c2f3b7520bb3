// The multiply-accumulate of dense and conv layers on JS numbers: exact step by step (NumberMacKernel), and its fast
// int32 form (Int32MacKernel), which falls back to the former for the outputs where an overflow may have happened.
import { NumberCaster, type OverflowSink } from '../../fixed/cast.js';
import { numberRange, Q_TRN, roundNumber, type OverflowKind } from '../../fixed/round.js';
import { productType, sumType } from '../../fixed/types.js';
import type { Kernel, View } from '../kernel.js';
import type { LayerContext } from '../layer-context.js';
import { numberOps } from '../ops.js';
import { biasInAccum, type MacPlan } from './mac-plan.js';

/**
 * The multiply-accumulate on doubles holding integers, exact step by step: weights pre-scaled by the product cast's
 * shift (x · w · 2^−n is exact: a power of two does not round), the product rounding inlined for TRN, range checks
 * only where an overflow is possible, overflow handling (rare) out of line.
 */
export class NumberMacKernel implements Kernel {
  readonly path = 'number' as const;
  readonly ws: Float64Array;
  readonly bias: Float64Array;
  readonly biasKinds: (OverflowKind | undefined)[];
  readonly anyBiasOverflow: boolean;
  readonly castP: NumberCaster;
  readonly castA: NumberCaster;
  readonly castR: NumberCaster;
  readonly biasSink: OverflowSink;
  /** Whether a product can overflow the accumulator (else its range check is skipped). */
  readonly checkProduct: boolean;
  /** Whether an accumulation step can overflow (else its range check is skipped). */
  readonly checkAccum: boolean;
  readonly resultIsAcc: boolean;
  /** Per output channel, a bound on |partial sum| over every input of the input type. */
  readonly sumBound: Float64Array;
  /** A bound on |rounded product| over every input and weight. */
  readonly productBound: number;

  constructor(
    readonly plan: MacPlan,
    ctx: LayerContext,
  ) {
    const pType = productType(plan.xType, plan.wType);
    this.castP = new NumberCaster(pType, plan.accType, ctx.counter.sink('product'));
    this.castA = new NumberCaster(sumType(plan.accType, plan.accType), plan.accType, ctx.counter.sink('accum'));
    this.castR = new NumberCaster(plan.accType, plan.resType, ctx.counter.sink('result'));
    this.ws = Float64Array.from(plan.w, (v) => Number(v) * this.castP.scale);
    const b = biasInAccum(numberOps, plan);
    this.bias = Float64Array.from(b.values);
    this.biasKinds = b.kinds;
    this.anyBiasOverflow = b.kinds.some((k) => k !== undefined);
    this.biasSink = ctx.counter.sink('bias');
    // |x| ≤ xMax, so a rounded product lies within ±ceil(xMax·|w|), and a partial sum within the bias plus the sum of
    // those bounds.
    const xr = numberRange(plan.xType);
    const xMax = Math.max(-xr.min, xr.max);
    const { min, max } = this.castA.range;
    this.sumBound = new Float64Array(plan.O);
    let productBound = 0;
    for (let o = 0; o < plan.O; o++) {
      let sum = Math.abs(this.bias[o]);
      for (let e = plan.start[o]; e < plan.start[o + 1]; e++) {
        const bound = Math.ceil(xMax * Math.abs(this.ws[e]));
        productBound = Math.max(productBound, bound);
        sum += bound;
      }
      this.sumBound[o] = sum;
    }
    this.productBound = productBound;
    this.checkProduct = productBound > max || -productBound < min;
    this.checkAccum = this.sumBound.some((s) => s > max || -s < min);
    this.resultIsAcc = this.castR.widening && this.castR.scale === 1;
  }

  run(ins: readonly View[], out: View, rows: number, row0: number): void {
    const { plan } = this;
    const x = ins[0].data as Float64Array;
    const y = out.data as Float64Array;
    for (let r = 0; r < rows; r++) {
      const sample = row0 + r;
      const xRow = ins[0].base + r * plan.inSize;
      const yRow = out.base + r * plan.outSize;
      for (let p = 0; p < plan.geom.positions; p++) {
        for (let o = 0; o < plan.O; o++) {
          const bk = this.biasKinds[o];
          if (bk !== undefined) this.biasSink.hit(bk, sample);
          y[yRow + p * plan.O + o] = this.output(x, xRow, p, o, sample);
        }
      }
    }
  }

  /** One output (pixel p, channel o) of the row at xRow, exactly, with overflow accounting (except the bias's). */
  output(x: Float64Array, xRow: number, p: number, o: number, sample: number): number {
    const { ws, castP, castA } = this;
    const { geom, start, kp, ch } = this.plan;
    const tap = geom.tap;
    const tb = p * geom.K;
    const rounds = castP.rounds;
    const trn = castP.quant === Q_TRN;
    const quant = castP.quant;
    const checkP = this.checkProduct;
    const checkA = this.checkAccum;
    const pMin = castP.range.min;
    const pMax = castP.range.max;
    const aMin = castA.range.min;
    const aMax = castA.range.max;
    let acc = this.bias[o];
    const end = start[o + 1];
    for (let e = start[o]; e < end; e++) {
      const pix = tap[tb + kp[e]];
      if (pix < 0) continue;
      const t = x[xRow + pix + ch[e]] * ws[e];
      let q = rounds ? (trn ? Math.floor(t) : roundNumber(t, quant)) : t;
      if (checkP && (q < pMin || q > pMax)) q = castP.overflow(q, sample);
      let s = acc + q;
      if (checkA && (s < aMin || s > aMax)) s = castA.overflow(s, sample);
      acc = s;
    }
    return this.resultIsAcc ? acc : this.castR.cast(acc, sample);
  }
}

/**
 * The fast path of NumberMacKernel when everything fits 32-bit integers: x · w by Math.imul, the TRN product cast an
 * arithmetic shift, partial sums exact in int32 (a static bound guarantees it) and no range check per step. Instead
 * every partial sum (and product) minus the accumulator's minimum is OR-ed into a flag: all of them lay in the
 * accumulator's range iff the flag has no bit at or above the accumulator's width, and then nothing overflowed and
 * the exact sum is the result. An output whose flag says otherwise is recomputed step by step by NumberMacKernel,
 * which applies the overflow modes and counts. Four rows share each weight load (macRows4).
 */
export class Int32MacKernel implements Kernel {
  readonly path = 'number' as const;
  private readonly w: Int32Array;
  private readonly bias: Int32Array;
  private readonly shift: number;
  private xs = new Int32Array(0);
  private acc = new Int32Array(0);
  private flag = new Int32Array(0);

  /** Whether the int32 kernel computes this layer exactly (else NumberMacKernel does). */
  static applies(k: NumberMacKernel): boolean {
    const { plan, castP } = k;
    const n = -Math.log2(castP.scale); // the product cast's right shift
    const xr = numberRange(plan.xType);
    const xMax = Math.max(-xr.min, xr.max);
    let wMax = 0;
    for (const v of plan.w) wMax = Math.max(wMax, Math.abs(Number(v)));
    return (
      Number.isInteger(n) &&
      n >= 0 &&
      n <= 31 &&
      (n === 0 || castP.quant === Q_TRN) &&
      xMax * wMax < 2 ** 31 &&
      plan.accType.width <= 30 &&
      k.sumBound.every((s) => s < 2 ** 31)
    );
  }

  constructor(private readonly exact: NumberMacKernel) {
    const { plan } = exact;
    this.w = Int32Array.from(plan.w, (v) => Number(v));
    this.bias = Int32Array.from(exact.bias);
    this.shift = -Math.log2(exact.castP.scale);
  }

  run(ins: readonly View[], out: View, rows: number, row0: number): void {
    const ex = this.exact;
    const plan = ex.plan;
    const { geom, O, inSize, outSize } = plan;
    const xd = ins[0].data as Float64Array;
    const xb = ins[0].base;
    const y = out.data as Float64Array;
    const n = rows * inSize;
    const m = rows * geom.positions * O;
    if (this.xs.length < n) this.xs = new Int32Array(n);
    if (this.acc.length < m) {
      this.acc = new Int32Array(m);
      this.flag = new Int32Array(m);
    }
    const { xs, acc, flag } = this;
    for (let i = 0; i < n; i++) xs[i] = xd[xb + i];
    const aMin = ex.castA.range.min;
    const geo = { tap: geom.tap, K: geom.K, positions: geom.positions };
    macRows4(xs, rows, inSize, O, plan.start, plan.kp, plan.ch, geo, this.w, this.bias, this.shift, aMin, ex.checkProduct, acc, flag);
    const W = plan.accType.width;
    const sumOnly = !ex.checkAccum && !ex.checkProduct;
    const per = geom.positions * O;
    for (let r = 0; r < rows; r++) {
      const sample = row0 + r;
      for (let p = 0; p < geom.positions; p++) {
        for (let o = 0; o < O; o++) {
          const j = r * per + p * O + o;
          const bk = ex.biasKinds[o];
          if (bk !== undefined) ex.biasSink.hit(bk, sample);
          let v: number;
          if (sumOnly || flag[j] >>> W === 0) v = ex.resultIsAcc ? acc[j] : ex.castR.cast(acc[j], sample);
          else v = ex.output(xd, xb + r * inSize, p, o, sample);
          y[out.base + r * outSize + p * O + o] = v;
        }
      }
    }
  }
}

/**
 * The int32 multiply-accumulate of Int32MacKernel over all rows, four at a time: acc[r, p, o] = the exact sum, and
 * flag[r, p, o] = the OR of every partial sum (and, with checkProduct, every product) minus aMin.
 */
function macRows4(
  xs: Int32Array,
  rows: number,
  inSize: number,
  O: number,
  start: Int32Array,
  kp: Int32Array,
  ch: Int32Array,
  geo: { readonly tap: Int32Array; readonly K: number; readonly positions: number },
  w: Int32Array,
  bias: Int32Array,
  sh: number,
  aMin: number,
  checkProduct: boolean,
  accOut: Int32Array,
  flagOut: Int32Array,
): void {
  const { tap, K, positions } = geo;
  const per = positions * O;
  for (let r = 0; r < rows; r += 4) {
    const k1 = r + 1 < rows ? 1 : 0;
    const k2 = r + 2 < rows ? 2 : 0;
    const k3 = r + 3 < rows ? 3 : 0;
    const b0 = r * inSize;
    const b1 = b0 + k1 * inSize;
    const b2 = b0 + k2 * inSize;
    const b3 = b0 + k3 * inSize;
    for (let p = 0; p < positions; p++) {
      const tb = p * K;
      for (let o = 0; o < O; o++) {
        const b = bias[o];
        let a0 = b;
        let a1 = b;
        let a2 = b;
        let a3 = b;
        let f = 0;
        const end = start[o + 1];
        if (K === 1 && !checkProduct) {
          const x0 = b0 + tap[tb];
          const x1 = b1 + tap[tb];
          const x2 = b2 + tap[tb];
          const x3 = b3 + tap[tb];
          for (let e = start[o]; e < end; e++) {
            const c = ch[e];
            const wv = w[e];
            a0 = (a0 + (Math.imul(xs[x0 + c], wv) >> sh)) | 0;
            a1 = (a1 + (Math.imul(xs[x1 + c], wv) >> sh)) | 0;
            a2 = (a2 + (Math.imul(xs[x2 + c], wv) >> sh)) | 0;
            a3 = (a3 + (Math.imul(xs[x3 + c], wv) >> sh)) | 0;
            f |= (a0 - aMin) | (a1 - aMin) | (a2 - aMin) | (a3 - aMin);
          }
        } else {
          for (let e = start[o]; e < end; e++) {
            const pix = tap[tb + kp[e]];
            if (pix < 0) continue;
            const i = pix + ch[e];
            const wv = w[e];
            const q0 = Math.imul(xs[b0 + i], wv) >> sh;
            const q1 = Math.imul(xs[b1 + i], wv) >> sh;
            const q2 = Math.imul(xs[b2 + i], wv) >> sh;
            const q3 = Math.imul(xs[b3 + i], wv) >> sh;
            a0 = (a0 + q0) | 0;
            a1 = (a1 + q1) | 0;
            a2 = (a2 + q2) | 0;
            a3 = (a3 + q3) | 0;
            f |= (a0 - aMin) | (a1 - aMin) | (a2 - aMin) | (a3 - aMin) | (q0 - aMin) | (q1 - aMin) | (q2 - aMin) | (q3 - aMin);
          }
        }
        // Rows past the end computed a copy of row r; only the real ones are stored.
        const j = r * per + p * O + o;
        accOut[j] = a0;
        flagOut[j] = f;
        if (k1) accOut[j + per] = a1;
        if (k2) accOut[j + 2 * per] = a2;
        if (k3) accOut[j + 3 * per] = a3;
        if (k1) flagOut[j + per] = f;
        if (k2) flagOut[j + 2 * per] = f;
        if (k3) flagOut[j + 3 * per] = f;
      }
    }
  }
}

