// Table-based softmax over the last axis (in the spirit of hls4ml: an exponential table, an exact sum, a reciprocal
// table, one multiplication per value). docs/semantics.md gives every step; N = 2^b table entries.
//
// stable:  m = max x;  d = x − m (exact, ≤ 0);  i = min(floor(−d · N / 8), N − 1);  E[j] = exp(−(j + ½) · 8 / N)
// latency: i = clamp(floor(x · N / 16) + N/2, 0, N − 1);  E[j] = exp((j − N/2 + ½) · 16 / N)
// then e = E[i] (exp_table type), S = Σ e (exact), R = 2^r the smallest power of two ≥ L · max(E),
// j = min(floor(S · N / R), N − 1), V[j] = 1 / ((j + ½) · R / N) (inv_table type), y = cast_result(e · V[j]).
import { fracBits } from '@qnn/language';
import { softmaxTables } from '@qnn/compiler';
import { productType, sumOfType } from '../../fixed/types.js';
import type { Kernel, View } from '../kernel.js';
import { choosePath, ioWidths, type CompiledLayer, type LayerContext } from '../layer-context.js';
import { withOps, type Caster, type Ops, type Store } from '../ops.js';

export { softmaxTables, type SoftmaxTables } from '@qnn/compiler';

export function compileSoftmax(ctx: LayerContext): CompiledLayer {
  const { layer } = ctx;
  const shape = layer.tensor.shape;
  const L = shape[shape.length - 1];
  const n = Number(layer.settings.table ?? 1024);
  const stable = (layer.settings.implementation ?? 'stable') !== 'latency';
  const tables = softmaxTables(n, L, stable, layer.types.exp_table, layer.types.inv_table);
  const xType = ctx.inputs[0].type;
  const sType = sumOfType(tables.expType, L);
  const pType = productType(tables.expType, tables.invType);
  const path = choosePath(ctx, [...ioWidths(ctx), xType.width + 1, sType.width, pType.width]);
  const b = Math.log2(n);
  const kernel = withOps(path, (ops) =>
    new SoftmaxKernel(ops, {
      rows: shape.slice(0, -1).reduce((a, c) => a * c, 1),
      L,
      n,
      stable,
      kx: b - (stable ? 3 : 4) - fracBits(xType),
      ks: b - tables.r - fracBits(tables.expType),
      exp: tables.exp.map((v) => ops.of(v)),
      inv: tables.inv.map((v) => ops.of(v)),
      castR: ops.caster(pType, layer.tensor.type, ctx.counter.sink('result')),
    }),
  );
  return { kernel, constOverflows: tables.overflows };
}

interface SoftmaxArith<T> {
  /** Softmax vectors per sample (the product of the leading dimensions). */
  readonly rows: number;
  readonly L: number;
  readonly n: number;
  readonly stable: boolean;
  /** Exponential index = floor(±raw · 2^kx) (+ N/2 for latency). */
  readonly kx: number;
  /** Reciprocal index = floor(S_raw · 2^ks). */
  readonly ks: number;
  readonly exp: T[];
  readonly inv: T[];
  readonly castR: Caster<T>;
}

class SoftmaxKernel<T extends number | bigint> implements Kernel {
  readonly path;
  private readonly e: T[];
  constructor(
    private readonly ops: Ops<T>,
    private readonly a: SoftmaxArith<T>,
  ) {
    this.path = ops.path;
    this.e = new Array<T>(a.L);
  }

  run(ins: readonly View[], out: View, rows: number, row0: number): void {
    const x = ins[0].data as unknown as Store<T>;
    const y = out.data as unknown as Store<T>;
    const { ops, a, e } = this;
    const { L, n } = a;
    const size = a.rows * L;
    for (let r = 0; r < rows; r++) {
      const sample = row0 + r;
      for (let v = 0; v < a.rows; v++) {
        const xRow = ins[0].base + r * size + v * L;
        const yRow = out.base + r * size + v * L;
        let m = x[xRow];
        if (a.stable) for (let i = 1; i < L; i++) if (x[xRow + i] > m) m = x[xRow + i];
        let s = ops.zero;
        for (let i = 0; i < L; i++) {
          const idx = a.stable ? ops.index(ops.sub(m, x[xRow + i]), a.kx, false, 0, n - 1) : ops.index(x[xRow + i], a.kx, false, n / 2, n - 1);
          e[i] = a.exp[idx];
          s = ops.add(s, e[i]);
        }
        const inv = a.inv[ops.index(s, a.ks, false, 0, n - 1)];
        for (let i = 0; i < L; i++) y[yRow + i] = a.castR.cast(ops.mul(e[i], inv), sample);
      }
    }
  }
}
