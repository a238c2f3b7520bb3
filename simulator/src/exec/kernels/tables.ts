// Table-based sigmoid and tanh (hls4ml): N entries over [−R/2, R/2), R = 16 (sigmoid) or 8 (tanh).
//
// index(x) = clamp(trunc_toward_zero(x · N / R) + N/2, 0, N − 1); entry i = f((i − N/2) · R / N) quantized to
// table_type; y = cast_result(entry). For x = raw · 2^−F and N = 2^n, x · N / R = raw · 2^(n − log2 R − F).
import { fracBits } from '@qnn/language';
import { activationTable } from '@qnn/compiler';
import type { OverflowKind } from '../../fixed/round.js';
import type { Kernel, View } from '../kernel.js';
import { choosePath, ioWidths, size, type CompiledLayer, type LayerContext } from '../layer-context.js';
import { withOps, type Ops, type Store } from '../ops.js';
import type { OverflowSink } from '../../fixed/cast.js';

export { activationTable, sigmoid, type ActivationTable } from '@qnn/compiler';

export function compileTable(ctx: LayerContext): CompiledLayer {
  const { layer } = ctx;
  const fn = layer.opName === 'sigmoid' ? 'sigmoid' : 'tanh';
  const n = Number(layer.settings.table ?? 1024);
  const table = activationTable(fn, n, layer.types.table_type);
  const xType = ctx.inputs[0].type;
  const resType = layer.tensor.type;
  const path = choosePath(ctx, [...ioWidths(ctx), table.type.width]);
  const k = Math.log2(n) - Math.log2(table.range) - fracBits(xType);
  const kernel = withOps(path, (ops) => {
    // Each entry cast to the result type once; the overflow (if any) is counted each time the entry is used.
    const values: (typeof ops.zero)[] = [];
    const kinds: (OverflowKind | undefined)[] = [];
    for (const raw of table.raws) {
      let kind: OverflowKind | undefined;
      values.push(ops.caster(table.type, resType, { hit: (kk) => (kind = kk) }).cast(ops.of(raw), 0));
      kinds.push(kind);
    }
    return new TableKernel(ops, size(layer.tensor.shape), k, n, values, kinds, ctx.counter.sink('result'));
  });
  return { kernel, constOverflows: table.overflows };
}

class TableKernel<T extends number | bigint> implements Kernel {
  readonly path;
  constructor(
    private readonly ops: Ops<T>,
    private readonly n: number,
    /** index = trunc(raw · 2^k) + N/2. */
    private readonly k: number,
    private readonly entries: number,
    private readonly values: T[],
    private readonly kinds: (OverflowKind | undefined)[],
    private readonly sink: OverflowSink,
  ) {
    this.path = ops.path;
  }

  run(ins: readonly View[], out: View, rows: number, row0: number): void {
    const x = ins[0].data as unknown as Store<T>;
    const y = out.data as unknown as Store<T>;
    const { n, ops, k, entries } = this;
    const half = entries / 2;
    for (let r = 0; r < rows; r++) {
      const xRow = ins[0].base + r * n;
      const yRow = out.base + r * n;
      for (let i = 0; i < n; i++) {
        const idx = ops.index(x[xRow + i], k, true, half, entries - 1);
        y[yRow + i] = this.values[idx];
        const kind = this.kinds[idx];
        if (kind) this.sink.hit(kind, row0 + r);
      }
    }
  }
}
