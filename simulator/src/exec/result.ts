// What a simulation returns: raw tensors with their types, and overflow accounting per layer.
import { fracBits, type FixedType } from '@qnn/language';
import type { OverflowSink } from '../fixed/cast.js';
import type { OverflowKind } from '../fixed/round.js';
import type { Path, Raws } from './ops.js';

/** Values of one tensor for every sample: rows × elements raws, row-major; value = raw · 2^−(W − I) of `type`. */
export interface RawTensor {
  readonly type: FixedType;
  /** Shape of one sample. */
  readonly shape: readonly number[];
  readonly rows: number;
  /** JS numbers (integers) when the type is at most 53 bits wide, else BigInts (always BigInts with `forceBigInt`). */
  readonly data: Raws;
}

/**
 * Where in a layer a cast overflowed: `input` (a network input quantized, or a tensor cast to the input type of a
 * called network), `bias` (a bias cast to the accumulator), `product` (a product cast to the accumulator), `accum`
 * (an accumulation step cast back to the accumulator), `result` (the cast to the layer's result type).
 */
export type OverflowStage = 'input' | 'bias' | 'product' | 'accum' | 'result';

export interface StageOverflow {
  readonly stage: OverflowStage;
  readonly wrapped: number;
  readonly saturated: number;
  /** The first sample (row index) where this stage overflowed. */
  readonly firstSample: number;
}

export interface OverflowStats {
  /** Casts that overflowed a WRAP type. */
  readonly wrapped: number;
  /** Casts that overflowed a SAT, SAT_SYM or SAT_ZERO type. */
  readonly saturated: number;
  /** The first sample (row index) where any cast of this layer overflowed; undefined when none did. */
  readonly firstSample: number | undefined;
  /** Per stage, in the order input, bias, product, accum, result; stages without overflow are left out. */
  readonly stages: readonly StageOverflow[];
}

export interface LayerResult {
  readonly name: string;
  /** The operation, or the name of the network used as a layer. */
  readonly op: string;
  /** The integer path this layer ran on (chosen once from its types). */
  readonly path: Path;
  /** Kept for outputs, and for every layer with `keepLayers`. */
  readonly tensor: RawTensor | undefined;
  readonly overflow: OverflowStats;
  /** Constants (weights, biases, folded batchnorm parameters, table entries) that overflowed their type when quantized (once, not per sample). */
  readonly constOverflows: number;
  /** For a network used as a layer: the results of its own inputs and layers (the layer's `overflow` includes theirs). */
  readonly network?: NetworkResult;
}

export interface InputResult {
  readonly name: string;
  /** The quantized input; kept with `keepLayers`. */
  readonly tensor: RawTensor | undefined;
  /** Overflow of the quantization of the input values to the input's type. */
  readonly overflow: OverflowStats;
}

export interface NetworkResult {
  readonly network: string;
  readonly rows: number;
  readonly inputs: ReadonlyMap<string, InputResult>;
  /** Every layer, in the network's topological order. */
  readonly layers: ReadonlyMap<string, LayerResult>;
  /** The outputs, in the order of `output`. */
  readonly outputs: ReadonlyMap<string, RawTensor>;
}

const STAGES: readonly OverflowStage[] = ['input', 'bias', 'product', 'accum', 'result'];

/** Counts the overflows of one layer, per stage and kind, with the first sample of each. */
export class OverflowCounter {
  private readonly wrapped = new Float64Array(STAGES.length);
  private readonly saturated = new Float64Array(STAGES.length);
  private readonly first = new Float64Array(STAGES.length).fill(Infinity);
  private readonly sinks: OverflowSink[];

  constructor() {
    this.sinks = STAGES.map((_, i) => ({ hit: (kind: OverflowKind, sample: number) => this.hit(i, kind, sample) }));
  }

  sink(stage: OverflowStage): OverflowSink {
    return this.sinks[STAGES.indexOf(stage)];
  }

  private hit(i: number, kind: OverflowKind, sample: number): void {
    if (kind === 'wrap') this.wrapped[i]++;
    else this.saturated[i]++;
    if (sample < this.first[i]) this.first[i] = sample;
  }

  /** Adds another layer's counts (a called network's layers into the call). */
  addStats(s: OverflowStats): void {
    for (const st of s.stages) {
      const i = STAGES.indexOf(st.stage);
      this.wrapped[i] += st.wrapped;
      this.saturated[i] += st.saturated;
      if (st.firstSample < this.first[i]) this.first[i] = st.firstSample;
    }
  }

  stats(): OverflowStats {
    const stages: StageOverflow[] = [];
    let wrapped = 0;
    let saturated = 0;
    let first = Infinity;
    STAGES.forEach((stage, i) => {
      if (this.wrapped[i] + this.saturated[i] === 0) return;
      stages.push({ stage, wrapped: this.wrapped[i], saturated: this.saturated[i], firstSample: this.first[i] });
      wrapped += this.wrapped[i];
      saturated += this.saturated[i];
      first = Math.min(first, this.first[i]);
    });
    return { wrapped, saturated, firstSample: first === Infinity ? undefined : first, stages };
  }
}

/**
 * The values of a raw tensor as doubles (for reports and comparisons): raw · 2^−F. Exact while the raw has at most 53
 * significant bits; wider raws are rounded to the nearest double.
 */
export function rawsToDoubles(t: RawTensor): Float64Array {
  const out = new Float64Array(t.data.length);
  const f = fracBits(t.type);
  const scale = 2 ** -f;
  const d = t.data;
  if (d instanceof Float64Array) {
    if (Number.isFinite(scale) && scale !== 0) for (let i = 0; i < d.length; i++) out[i] = d[i] * scale;
    else for (let i = 0; i < d.length; i++) out[i] = rawToDoubleBig(BigInt(d[i]), f);
  } else {
    for (let i = 0; i < d.length; i++) out[i] = rawToDoubleBig(d[i], f);
  }
  return out;
}

/** raw · 2^−f rounded once to a double (to nearest), also when raw or 2^−f alone would overflow or underflow. */
function rawToDoubleBig(raw: bigint, f: number): number {
  if (raw === 0n) return 0;
  const neg = raw < 0n;
  const a = neg ? -raw : raw;
  // Keep 64 significant bits (the rest only matters for ties, which a sticky bit preserves), then scale in two steps.
  const len = a.toString(2).length;
  let m = a;
  let e = -f;
  if (len > 64) {
    const drop = BigInt(len - 64);
    const sticky = (a & ((1n << drop) - 1n)) !== 0n ? 1n : 0n;
    m = (a >> drop) | sticky;
    e += len - 64;
  }
  const v = Number(m) * 2 ** Math.max(-1000, Math.min(1000, e)) * 2 ** (e - Math.max(-1000, Math.min(1000, e)));
  return neg ? -v : v;
}
