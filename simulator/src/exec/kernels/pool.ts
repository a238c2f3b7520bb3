// Max and average pooling (1-D, 2-D, global), channels last.
//
// Max: the largest input of the window (padding taps are ignored), cast to the result type.
// Average: acc = 0 in the accumulator type; for each valid tap in row-major window order,
// acc = cast_accum(acc + cast_accum(x)); then y = cast_result(acc / n), the exact quotient rounded once by the result
// type's quantization mode, n = the number of valid (non-padding) taps of the window.
import { fixedType, fracBits, type QuantMode } from '@qnn/language';
import { bitLength, sumType } from '../../fixed/types.js';
import { globalGeometry, ints, windowGeometry, type Geometry } from '../geometry.js';
import type { Kernel, View } from '../kernel.js';
import { choosePath, ioWidths, size, type CompiledLayer, type LayerContext } from '../layer-context.js';
import { withOps, type Caster, type Ops, type Store } from '../ops.js';

export function compilePool(ctx: LayerContext): CompiledLayer {
  const { layer } = ctx;
  const op = layer.opName;
  const spatial = op.endsWith('1d') ? 1 : 2;
  const inShape = ctx.inputs[0].shape;
  const geom = op.startsWith('global_')
    ? globalGeometry(inShape, spatial)
    : windowGeometry(inShape, spatial, ints(layer.params.pool, spatial, 2), ints(layer.params.stride, spatial, 2), String(layer.params.padding ?? 'valid'));
  const xType = ctx.inputs[0].type;
  const resType = layer.tensor.type;
  const dims = { geom, inSize: size(inShape), outSize: size(layer.tensor.shape) };
  if (op.includes('max')) {
    const kernel = withOps(choosePath(ctx, ioWidths(ctx)), (ops) => new MaxPoolKernel(ops, dims, ops.caster(xType, resType, ctx.counter.sink('result'))));
    return { kernel, constOverflows: 0 };
  }
  const accType = layer.types.accum ?? xType;
  let maxCount = 0;
  for (const v of geom.valid) maxCount = Math.max(maxCount, v);
  // The quotient acc / n at the result's scale: N = acc · 2^k over D = n (k ≥ 0), or acc over n · 2^−k.
  const k = fracBits(resType) - fracBits(accType);
  const quotWidth = accType.width + Math.max(k, 0) + 1;
  const path = choosePath(ctx, [...ioWidths(ctx), accType.width + 1, quotWidth, bitLength(maxCount) + Math.max(-k, 0) + 1]);
  // The rounded quotient is an integer at the result's scale; this type holds it before the result's overflow mode.
  const quotType = fixedType(true, quotWidth, quotWidth - fracBits(resType));
  const kernel = withOps(path, (ops) =>
    new AvgPoolKernel(ops, dims, {
      k,
      quant: resType.quant,
      castIn: ops.caster(xType, accType, ctx.counter.sink('accum')),
      castA: ops.caster(sumType(accType, accType), accType, ctx.counter.sink('accum')),
      castR: ops.caster(quotType, resType, ctx.counter.sink('result')),
    }),
  );
  return { kernel, constOverflows: 0 };
}

interface PoolDims {
  readonly geom: Geometry;
  readonly inSize: number;
  readonly outSize: number;
}

class MaxPoolKernel<T extends number | bigint> implements Kernel {
  readonly path;
  constructor(
    private readonly ops: Ops<T>,
    private readonly d: PoolDims,
    private readonly castR: Caster<T>,
  ) {
    this.path = ops.path;
  }

  run(ins: readonly View[], out: View, rows: number, row0: number): void {
    const { geom, inSize, outSize } = this.d;
    const { K, C, tap } = geom;
    const x = ins[0].data as unknown as Store<T>;
    const y = out.data as unknown as Store<T>;
    for (let r = 0; r < rows; r++) {
      const sample = row0 + r;
      const xRow = ins[0].base + r * inSize;
      const yRow = out.base + r * outSize;
      for (let p = 0; p < geom.positions; p++) {
        for (let c = 0; c < C; c++) {
          let m: T | undefined;
          for (let t = 0; t < K; t++) {
            const pix = tap[p * K + t];
            if (pix < 0) continue;
            const v = x[xRow + pix + c];
            if (m === undefined || v > m) m = v;
          }
          y[yRow + p * C + c] = this.castR.cast(m ?? this.ops.zero, sample);
        }
      }
    }
  }
}

interface AvgArith<T> {
  readonly k: number;
  readonly quant: QuantMode;
  readonly castIn: Caster<T>;
  readonly castA: Caster<T>;
  readonly castR: Caster<T>;
}

class AvgPoolKernel<T extends number | bigint> implements Kernel {
  readonly path;
  /** Per output pixel, the divisor D (n, or n · 2^−k). */
  private readonly divisor: T[];
  constructor(
    private readonly ops: Ops<T>,
    private readonly d: PoolDims,
    private readonly a: AvgArith<T>,
  ) {
    this.path = ops.path;
    this.divisor = Array.from(d.geom.valid, (n) => ops.shl(ops.of(n), Math.max(-a.k, 0)));
  }

  run(ins: readonly View[], out: View, rows: number, row0: number): void {
    const { ops, a } = this;
    const { geom, inSize, outSize } = this.d;
    const { K, C, tap } = geom;
    const x = ins[0].data as unknown as Store<T>;
    const y = out.data as unknown as Store<T>;
    const up = Math.max(a.k, 0);
    for (let r = 0; r < rows; r++) {
      const sample = row0 + r;
      const xRow = ins[0].base + r * inSize;
      const yRow = out.base + r * outSize;
      for (let p = 0; p < geom.positions; p++) {
        for (let c = 0; c < C; c++) {
          let acc = ops.zero;
          for (let t = 0; t < K; t++) {
            const pix = tap[p * K + t];
            if (pix < 0) continue;
            acc = a.castA.cast(ops.add(acc, a.castIn.cast(x[xRow + pix + c], sample)), sample);
          }
          const q = ops.divRound(ops.shl(acc, up), this.divisor[p], a.quant);
          y[yRow + p * C + c] = a.castR.cast(q, sample);
        }
      }
    }
  }
}
