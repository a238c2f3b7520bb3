// add (the exact sum of the inputs, one cast) and concat (each input cast to the result type, joined along an axis).
import { fracBits, sameFixedType, type FixedType } from '@qnn/language';
import { sumType } from '../../fixed/types.js';
import type { Kernel, View } from '../kernel.js';
import { choosePath, ioWidths, size, type CompiledLayer, type LayerContext } from '../layer-context.js';
import { withOps, type Caster, type Ops, type Store } from '../ops.js';

export function compileMerge(ctx: LayerContext): CompiledLayer {
  const { layer } = ctx;
  const resType = layer.tensor.type;
  const sink = ctx.counter.sink('result');
  if (layer.opName === 'add') {
    // The exact sum: its type is the sum type folded over the inputs (which holds every partial sum).
    let t: FixedType = ctx.inputs[0].type;
    for (let i = 1; i < ctx.inputs.length; i++) t = sumType(t, ctx.inputs[i].type);
    const path = choosePath(ctx, [...ioWidths(ctx), t.width]);
    const kernel = withOps(path, (ops) =>
      new AddKernel(
        ops,
        size(layer.tensor.shape),
        ctx.inputs.map((x) => fracBits(t) - fracBits(x.type)),
        ops.caster(t, resType, sink),
      ),
    );
    return { kernel, constOverflows: 0 };
  }
  // concat
  const shape = layer.tensor.shape;
  const rank = shape.length;
  const axisRaw = Number(layer.params.axis ?? -1);
  const axis = axisRaw < 0 ? rank + axisRaw : axisRaw;
  const outer = shape.slice(0, axis).reduce((a, b) => a * b, 1);
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const blocks = ctx.inputs.map((x) => x.shape[axis] * inner);
  const path = choosePath(ctx, ioWidths(ctx));
  const kernel = withOps(path, (ops) =>
    new ConcatKernel(
      ops,
      outer,
      blocks,
      ctx.inputs.map((x) => (sameFixedType(x.type, resType) ? undefined : ops.caster(x.type, resType, sink))),
    ),
  );
  return { kernel, constOverflows: 0 };
}

class AddKernel<T extends number | bigint> implements Kernel {
  readonly path;
  constructor(
    private readonly ops: Ops<T>,
    private readonly n: number,
    /** Left shift aligning each input to the sum's scale. */
    private readonly shifts: number[],
    private readonly castR: Caster<T>,
  ) {
    this.path = ops.path;
  }

  run(ins: readonly View[], out: View, rows: number, row0: number): void {
    const { ops, n, shifts } = this;
    const xs = ins.map((v) => v.data as unknown as Store<T>);
    const y = out.data as unknown as Store<T>;
    for (let r = 0; r < rows; r++) {
      for (let i = 0; i < n; i++) {
        let s = ops.zero;
        for (let k = 0; k < xs.length; k++) s = ops.add(s, ops.shl(xs[k][ins[k].base + r * n + i], shifts[k]));
        y[out.base + r * n + i] = this.castR.cast(s, row0 + r);
      }
    }
  }
}

class ConcatKernel<T extends number | bigint> implements Kernel {
  readonly path;
  private readonly total: number;
  constructor(
    ops: Ops<T>,
    private readonly outer: number,
    /** Values per outer index contributed by each input. */
    private readonly blocks: number[],
    private readonly casts: (Caster<T> | undefined)[],
  ) {
    this.path = ops.path;
    this.total = blocks.reduce((a, b) => a + b, 0);
  }

  run(ins: readonly View[], out: View, rows: number, row0: number): void {
    const { outer, blocks, casts, total } = this;
    const y = out.data as unknown as Store<T>;
    for (let r = 0; r < rows; r++) {
      const sample = row0 + r;
      let o = out.base + r * outer * total;
      for (let q = 0; q < outer; q++) {
        for (let k = 0; k < ins.length; k++) {
          const x = ins[k].data as unknown as Store<T>;
          const b = blocks[k];
          const from = ins[k].base + r * outer * b + q * b;
          const c = casts[k];
          for (let j = 0; j < b; j++) y[o++] = c ? c.cast(x[from + j], sample) : x[from + j];
        }
      }
    }
  }
}
