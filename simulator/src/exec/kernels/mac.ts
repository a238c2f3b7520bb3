// dense, conv1d/conv2d and depthwise convolutions: multiply-accumulate in the hls4ml order.
//
// For each output (pixel p, channel o): acc = cast_accum(bias[o]); for each non-zero weight in ascending
// (kernel tap, input channel) order: acc = cast_accum(acc + cast_accum(x · w)); y = cast_result(acc).
// Skipping zero weights and padding taps changes nothing: their product is 0 and acc + 0 = acc cannot overflow.
import type { OverflowSink } from '../../fixed/cast.js';
import type { OverflowKind } from '../../fixed/round.js';
import { productType, sumType } from '../../fixed/types.js';
import type { Kernel, View } from '../kernel.js';
import { choosePath, type CompiledLayer, type LayerContext } from '../layer-context.js';
import { bigintOps, type Ops, type Store } from '../ops.js';
import { biasInAccum, buildMacPlan, type MacPlan } from './mac-plan.js';
import { Int32MacKernel, NumberMacKernel } from './mac-number.js';
import { WasmMacKernel, wasmSimdAvailable } from './wasm-mac.js';

export function compileMac(ctx: LayerContext): CompiledLayer {
  const { plan, constOverflows } = buildMacPlan(ctx);
  const resType = plan.resType;
  const path = choosePath(ctx, [
    plan.xType.width + plan.wType.width,
    plan.accType.width + 1,
    plan.bType.width,
    plan.xType.width,
    plan.wType.width,
    resType.width,
  ]);
  let kernel: Kernel;
  if (path === 'number') {
    const exact = new NumberMacKernel(plan, ctx);
    if (!Int32MacKernel.applies(exact)) kernel = exact;
    else if (plan.matrix && ctx.wasm && wasmSimdAvailable()) kernel = new WasmMacKernel(exact);
    else kernel = new Int32MacKernel(exact);
  } else {
    kernel = new GenericMacKernel(bigintOps, plan, ctx);
  }
  return { kernel, constOverflows };
}

/** The multiply-accumulate through `Ops`, one cast per step: the BigInt path. */
export class GenericMacKernel<T extends number | bigint> implements Kernel {
  readonly path;
  private readonly w: T[];
  private readonly bias: T[];
  private readonly biasKinds: (OverflowKind | undefined)[];
  private readonly castP;
  private readonly castA;
  private readonly castR;
  private readonly biasSink: OverflowSink;

  constructor(
    private readonly ops: Ops<T>,
    private readonly plan: MacPlan,
    ctx: LayerContext,
  ) {
    this.path = ops.path;
    this.w = plan.w.map((v) => ops.of(v));
    const b = biasInAccum(ops, plan);
    this.bias = b.values;
    this.biasKinds = b.kinds;
    this.biasSink = ctx.counter.sink('bias');
    this.castP = ops.caster(productType(plan.xType, plan.wType), plan.accType, ctx.counter.sink('product'));
    this.castA = ops.caster(sumType(plan.accType, plan.accType), plan.accType, ctx.counter.sink('accum'));
    this.castR = ops.caster(plan.accType, plan.resType, ctx.counter.sink('result'));
  }

  run(ins: readonly View[], out: View, rows: number, row0: number): void {
    const { ops, plan, w } = this;
    const { geom, O, start, kp, ch } = plan;
    const x = ins[0].data as unknown as Store<T>;
    const y = out.data as unknown as Store<T>;
    for (let r = 0; r < rows; r++) {
      const sample = row0 + r;
      const xRow = ins[0].base + r * plan.inSize;
      const yRow = out.base + r * plan.outSize;
      for (let p = 0; p < geom.positions; p++) {
        for (let o = 0; o < O; o++) {
          let acc = this.bias[o];
          const bk = this.biasKinds[o];
          if (bk) this.biasSink.hit(bk, sample);
          for (let e = start[o]; e < start[o + 1]; e++) {
            const pix = geom.tap[p * geom.K + kp[e]];
            if (pix < 0) continue;
            const prod = this.castP.cast(ops.mul(x[xRow + pix + ch[e]], w[e]), sample);
            acc = this.castA.cast(ops.add(acc, prod), sample);
          }
          y[yRow + p * O + o] = this.castR.cast(acc, sample);
        }
      }
    }
  }
}

