// Element-wise layers: relu, relu6, leaky_relu, linear, flatten, reshape (casts) and batchnorm (x · scale + offset).
import { fracBits, quantizeDouble, sameFixedType } from '@qnn/language';
import { alphaType, batchnormCoefficients } from '@qnn/compiler';
import { NumberCaster, type OverflowSink } from '../../fixed/cast.js';
import { numberRange, overflowKind, type OverflowKind } from '../../fixed/round.js';
import { productType, sumType } from '../../fixed/types.js';
import type { Kernel, View } from '../kernel.js';
import { choosePath, ioWidths, size, type CompiledLayer, type LayerContext } from '../layer-context.js';
import { withOps, type Caster, type Ops, type Store } from '../ops.js';

export { alphaType, ALPHA_FRAC_BITS } from '@qnn/compiler';

export function compileElementwise(ctx: LayerContext): CompiledLayer {
  const { layer } = ctx;
  const xType = ctx.inputs[0].type;
  const resType = layer.tensor.type;
  const n = size(layer.tensor.shape);
  const sink = ctx.counter.sink('result');
  switch (layer.opName) {
    case 'relu':
      return { kernel: withOps(choosePath(ctx, ioWidths(ctx)), (ops) => new ReluKernel(ops, n, ops.caster(xType, resType, sink), undefined, sink)), constOverflows: 0 };
    case 'relu6': {
      // x ≥ 6 exactly ⟺ raw ≥ ceil(6 · 2^F); above it the result is the constant 6 quantized to the result type.
      const six = quantizeDouble(resType, 6);
      const f = fracBits(xType);
      const threshold = f >= 0 ? 6n << BigInt(f) : (6n + (1n << BigInt(-f)) - 1n) >> BigInt(-f);
      const clamp = { threshold, six: six.raw, kind: six.overflowed ? overflowKind(resType.overflow) : undefined };
      return { kernel: withOps(choosePath(ctx, ioWidths(ctx)), (ops) => new ReluKernel(ops, n, ops.caster(xType, resType, sink), clamp, sink)), constOverflows: 0 };
    }
    case 'leaky_relu': {
      const alpha = Number(layer.params.alpha ?? 0.3);
      const aType = alphaType(alpha);
      const a = quantizeDouble(aType, alpha);
      const pType = productType(xType, aType);
      const path = choosePath(ctx, [...ioWidths(ctx), pType.width]);
      const kernel = withOps(path, (ops) => new LeakyKernel(ops, n, ops.of(a.raw), ops.caster(xType, resType, sink), ops.caster(pType, resType, sink)));
      return { kernel, constOverflows: a.overflowed ? 1 : 0 };
    }
    case 'batchnorm':
      return compileBatchnorm(ctx);
    default: {
      // linear, flatten, reshape: the values in row-major order, cast to the result type.
      const path = choosePath(ctx, ioWidths(ctx));
      const kernel = sameFixedType(xType, resType) ? new CopyKernel(path, n) : withOps(path, (ops) => new CastKernel(ops, n, ops.caster(xType, resType, sink)));
      return { kernel, constOverflows: 0 };
    }
  }
}

/** Copies the values (the result type is the input type). */
export class CopyKernel implements Kernel {
  constructor(
    readonly path: 'number' | 'bigint',
    private readonly n: number,
  ) {}

  run(ins: readonly View[], out: View, rows: number): void {
    const x = ins[0].data;
    const y = out.data;
    const count = rows * this.n;
    if (x instanceof Float64Array && y instanceof Float64Array) {
      y.set(x.subarray(ins[0].base, ins[0].base + count), out.base);
    } else {
      for (let i = 0; i < count; i++) y[out.base + i] = x[ins[0].base + i] as never;
    }
  }
}

export class CastKernel<T extends number | bigint> implements Kernel {
  readonly path;
  constructor(
    ops: Ops<T>,
    private readonly n: number,
    private readonly castR: Caster<T>,
  ) {
    this.path = ops.path;
  }

  run(ins: readonly View[], out: View, rows: number, row0: number): void {
    const x = ins[0].data as unknown as Store<T>;
    const y = out.data as unknown as Store<T>;
    const { n, castR } = this;
    for (let r = 0; r < rows; r++) {
      const xRow = ins[0].base + r * n;
      const yRow = out.base + r * n;
      for (let i = 0; i < n; i++) y[yRow + i] = castR.cast(x[xRow + i], row0 + r);
    }
  }
}

interface Clamp6 {
  readonly threshold: bigint;
  readonly six: bigint;
  readonly kind: OverflowKind | undefined;
}

/** relu: cast(x > 0 ? x : 0); relu6 also gives the constant 6 (quantized to the result type) for x ≥ 6. */
class ReluKernel<T extends number | bigint> implements Kernel {
  readonly path;
  private readonly zero: T;
  private readonly threshold: T | undefined;
  private readonly six: T;
  constructor(
    private readonly ops: Ops<T>,
    private readonly n: number,
    private readonly castR: Caster<T>,
    private readonly clamp: Clamp6 | undefined,
    private readonly sink: OverflowSink,
  ) {
    this.path = ops.path;
    this.zero = castR.cast(ops.zero, 0);
    this.threshold = clamp && ops.of(clamp.threshold);
    this.six = ops.of(clamp?.six ?? 0n);
    if (castR instanceof NumberCaster && !castR.rounds) {
      const from = numberRange(castR.from);
      if (from.max * castR.scale <= castR.range.max) this.positiveIsScale = castR.scale;
    }
  }
  /** The scale 2^k when every positive input casts exactly to x · 2^k (number path). */
  private readonly positiveIsScale: number | undefined;

  run(ins: readonly View[], out: View, rows: number, row0: number): void {
    const x = ins[0].data as unknown as Store<T>;
    const y = out.data as unknown as Store<T>;
    const { n, castR, zero, threshold, six } = this;
    const sixKind = this.clamp?.kind;
    const none = this.ops.zero;
    if (this.positiveIsScale !== undefined && threshold === undefined) {
      // Number path, and no positive input can round or overflow: y = x · 2^k for x > 0.
      const xs = x as unknown as Float64Array;
      const ys = y as unknown as Float64Array;
      const half = this.positiveIsScale / 2;
      const count = rows * n;
      const xb = ins[0].base;
      const yb = out.base;
      // (v + |v|) / 2 = max(v, 0), exactly, without a branch (the sign of activations is unpredictable) and without
      // Math.max (slow in V8). The cast of 0 is 0 in every type.
      for (let i = 0; i < count; i++) {
        const v = xs[xb + i];
        ys[yb + i] = (v + Math.abs(v)) * half;
      }
      return;
    }
    for (let r = 0; r < rows; r++) {
      const sample = row0 + r;
      const xRow = ins[0].base + r * n;
      const yRow = out.base + r * n;
      for (let i = 0; i < n; i++) {
        const v = x[xRow + i];
        if (v <= none) y[yRow + i] = zero;
        else if (threshold !== undefined && v >= threshold) {
          y[yRow + i] = six;
          if (sixKind) this.sink.hit(sixKind, sample);
        } else y[yRow + i] = castR.cast(v, sample);
      }
    }
  }
}

/** leaky_relu: cast(x) for x ≥ 0, cast(x · alpha) otherwise (the product exact, one rounding). */
class LeakyKernel<T extends number | bigint> implements Kernel {
  readonly path;
  constructor(
    private readonly ops: Ops<T>,
    private readonly n: number,
    private readonly alpha: T,
    private readonly castX: Caster<T>,
    private readonly castP: Caster<T>,
  ) {
    this.path = ops.path;
  }

  run(ins: readonly View[], out: View, rows: number, row0: number): void {
    const x = ins[0].data as unknown as Store<T>;
    const y = out.data as unknown as Store<T>;
    const { n, ops, alpha } = this;
    for (let r = 0; r < rows; r++) {
      const sample = row0 + r;
      const xRow = ins[0].base + r * n;
      const yRow = out.base + r * n;
      for (let i = 0; i < n; i++) {
        const v = x[xRow + i];
        y[yRow + i] = v >= ops.zero ? this.castX.cast(v, sample) : this.castP.cast(ops.mul(v, alpha), sample);
      }
    }
  }
}

/**
 * batchnorm: y = cast(x · s + o) per channel (the last axis), exact product and sum, one rounding. Folded: s = scale,
 * o = bias as given. Standalone: gamma, beta, mean, variance are quantized to their types, then folded in binary64:
 * s = gamma / sqrt(variance + epsilon), o = beta − mean · s (IEEE operations in this order, no fused multiply-add),
 * and s is quantized to gamma's type, o to beta's type.
 */
function compileBatchnorm(ctx: LayerContext): CompiledLayer {
  const { layer } = ctx;
  const xType = ctx.inputs[0].type;
  const resType = layer.tensor.type;
  const { sType, oType, s, o, overflows: constOverflows } = batchnormCoefficients(layer);
  const pType = productType(xType, sType);
  const tType = sumType(pType, oType);
  const path = choosePath(ctx, [...ioWidths(ctx), pType.width, tType.width]);
  const shape = layer.tensor.shape;
  const kernel = withOps(path, (ops) =>
    new BatchnormKernel(ops, size(shape), shape[shape.length - 1], {
      s: s.map((v) => ops.of(v)),
      o: o.map((v) => ops.shl(ops.of(v), fracBits(tType) - fracBits(oType))),
      pShift: fracBits(tType) - fracBits(pType),
      castR: ops.caster(tType, resType, ctx.counter.sink('result')),
    }),
  );
  return { kernel, constOverflows };
}

interface BnArith<T> {
  readonly s: T[];
  /** Offsets aligned to the sum's scale. */
  readonly o: T[];
  /** Left shift aligning the product to the sum's scale. */
  readonly pShift: number;
  readonly castR: Caster<T>;
}

class BatchnormKernel<T extends number | bigint> implements Kernel {
  readonly path;
  constructor(
    private readonly ops: Ops<T>,
    private readonly n: number,
    private readonly C: number,
    private readonly a: BnArith<T>,
  ) {
    this.path = ops.path;
  }

  run(ins: readonly View[], out: View, rows: number, row0: number): void {
    const x = ins[0].data as unknown as Store<T>;
    const y = out.data as unknown as Store<T>;
    const { n, C, ops, a } = this;
    for (let r = 0; r < rows; r++) {
      const sample = row0 + r;
      const xRow = ins[0].base + r * n;
      const yRow = out.base + r * n;
      for (let i = 0; i < n; i++) {
        const c = i % C;
        const t = ops.add(ops.shl(ops.mul(x[xRow + i], a.s[c]), a.pShift), a.o[c]);
        y[yRow + i] = a.castR.cast(t, sample);
      }
    }
  }
}
