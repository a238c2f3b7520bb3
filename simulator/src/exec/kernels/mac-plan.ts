// The plan of a multiply-accumulate layer (dense, conv1d/conv2d, depthwise): which weights meet which inputs, in
// which order, with which types. Shared by the kernels of both paths.
import type { FixedType } from '@qnn/language';
import type { OverflowKind } from '../../fixed/round.js';
import { denseGeometry, ints, windowGeometry, type Geometry } from '../geometry.js';
import { size, type LayerContext } from '../layer-context.js';
import type { Ops } from '../ops.js';

/** The arithmetic description of a multiply-accumulate layer, independent of the path. */
export interface MacPlan {
  readonly geom: Geometry;
  /** Output channels. */
  readonly O: number;
  readonly inSize: number;
  readonly outSize: number;
  /** Per output channel o, its non-zero weights are entries start[o] … start[o+1] − 1. */
  readonly start: Int32Array;
  /** Kernel tap and input channel of each entry. */
  readonly kp: Int32Array;
  readonly ch: Int32Array;
  /** Weight raws of each entry (in the weight type). */
  readonly w: readonly bigint[];
  /** For dense and conv (not depthwise): all weight raws, row-major [taps · C][O] (the Keras layout flattened). */
  readonly matrix: readonly bigint[] | undefined;
  /** Bias raws (in the bias type), one per output channel. */
  readonly bias: readonly bigint[];
  readonly xType: FixedType;
  readonly wType: FixedType;
  readonly bType: FixedType;
  readonly accType: FixedType;
  readonly resType: FixedType;
}

/** The plan of a dense, conv or depthwise layer: weights quantized, zero weights dropped, windows laid out. */
export function buildMacPlan(ctx: LayerContext): { plan: MacPlan; constOverflows: number } {
  const { layer } = ctx;
  const op = layer.opName;
  const inShape = ctx.inputs[0].shape;
  const weight = layer.consts.weight;
  const biasT = layer.consts.bias;
  const wq = ctx.consts.get(weight);
  const bq = biasT ? ctx.consts.get(biasT) : undefined;
  const C = inShape[inShape.length - 1];
  let geom: Geometry;
  let O: number;
  let weightIndex: (o: number, kp: number, c: number) => number;
  let channels: (o: number) => Iterable<number>;
  if (op === 'dense') {
    geom = denseGeometry(inShape);
    O = layer.params.units as number;
    weightIndex = (o, _kp, c) => c * O + o;
    channels = () => range(C);
  } else {
    const spatial = layer.opName.endsWith('1d') ? 1 : 2;
    const kernel = ints(layer.params.kernel, spatial, 1);
    geom = windowGeometry(inShape, spatial, kernel, ints(layer.params.stride, spatial, 1), String(layer.params.padding ?? 'valid'));
    if (op.startsWith('depthwise')) {
      const M = (layer.params.multiplier as number | undefined) ?? 1;
      O = C * M;
      // Keras depthwise layout [k…, C, M]; output channel o = c·M + m reads only input channel c.
      weightIndex = (o, kp, c) => (kp * C + c) * M + (o % M);
      channels = (o) => [Math.floor(o / M)];
    } else {
      O = layer.params.filters as number;
      weightIndex = (o, kp, c) => (kp * C + c) * O + o;
      channels = () => range(C);
    }
  }
  const start = new Int32Array(O + 1);
  const kps: number[] = [];
  const chs: number[] = [];
  const ws: bigint[] = [];
  for (let o = 0; o < O; o++) {
    start[o] = ws.length;
    for (let kp = 0; kp < geom.K; kp++) {
      for (const c of channels(o)) {
        const w = wq.raws[weightIndex(o, kp, c)];
        if (w === 0n) continue;
        kps.push(kp);
        chs.push(c);
        ws.push(w);
      }
    }
  }
  start[O] = ws.length;
  const resType = layer.tensor.type;
  const plan: MacPlan = {
    geom,
    O,
    inSize: size(inShape),
    outSize: size(layer.tensor.shape),
    start,
    kp: Int32Array.from(kps),
    ch: Int32Array.from(chs),
    w: ws,
    matrix: op.startsWith('depthwise') ? undefined : wq.raws,
    bias: bq ? bq.raws : new Array<bigint>(O).fill(0n),
    xType: ctx.inputs[0].type,
    wType: weight.type,
    bType: biasT ? biasT.type : resType,
    accType: layer.types.accum ?? resType,
    resType,
  };
  return { plan, constOverflows: wq.overflows + (bq?.overflows ?? 0) };
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

/** The bias of each output cast to the accumulator, with how that cast overflowed (the same on every sample). */
export function biasInAccum<T extends number | bigint>(ops: Ops<T>, plan: MacPlan): { values: T[]; kinds: (OverflowKind | undefined)[] } {
  const values: T[] = [];
  const kinds: (OverflowKind | undefined)[] = [];
  for (const b of plan.bias) {
    let kind: OverflowKind | undefined;
    values.push(ops.caster(plan.bType, plan.accType, { hit: (k) => (kind = k) }).cast(ops.of(b), 0));
    kinds.push(kind);
  }
  return { values, kinds };
}

