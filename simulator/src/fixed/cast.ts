// Casts between fixed-point types on raw integers: the one operation where quantization and overflow modes apply.
import { fracBits, quantizeDouble, type FixedType } from '@qnn/language';
import {
  bigRange,
  numberRange,
  overflowBig,
  overflowKind,
  overflowNumber,
  quantCode,
  Q_TRN,
  roundNumber,
  roundShiftBig,
  type BigRange,
  type NumberRange,
  type OverflowKind,
} from './round.js';
import { NUMBER_BITS } from './types.js';

/** Receives every overflow of a cast: its kind and the sample (input row) being computed. */
export interface OverflowSink {
  hit(kind: OverflowKind, sample: number): void;
}

/** The result of one cast: the raw of the target type and what overflow did, if anything. */
export interface CastResult<T extends number | bigint> {
  readonly raw: T;
  readonly overflow: OverflowKind | undefined;
}

/**
 * Casts `raw` of type `from` to type `to`: align the binary points (a left shift is exact; a right shift rounds by
 * `to.quant`), then apply `to.overflow` when the value lies outside `to`'s range. Number raws must be safe integers of
 * types at most 53 bits wide; bigint raws work for every width.
 */
export function cast(from: FixedType, to: FixedType, raw: number): CastResult<number>;
export function cast(from: FixedType, to: FixedType, raw: bigint): CastResult<bigint>;
export function cast(from: FixedType, to: FixedType, raw: number | bigint): CastResult<number> | CastResult<bigint> {
  let overflow: OverflowKind | undefined;
  const sink: OverflowSink = { hit: (k) => (overflow = k) };
  if (typeof raw === 'bigint') {
    const v = new BigCaster(from, to, sink).cast(raw, 0);
    return { raw: v, overflow };
  }
  const v = new NumberCaster(from, to, sink).cast(raw, 0);
  return { raw: v, overflow };
}

/** Largest shift applied on doubles: beyond it the result is the same (see NumberCaster) and 2^±shift stays normal. */
const MAX_NUMBER_SHIFT = 60;

/**
 * A cast from one type to another on JS numbers, specialized once: the scale factor, the rounding mode and the range
 * are precomputed. Exact when both types are at most 53 bits wide:
 * - a left shift by k multiplies by 2^k, exact in binary64; beyond 60 bits every non-zero value overflows a ≤ 53-bit
 *   type and wraps to 0, as it does at 60, so k is clamped to 60;
 * - a right shift by n gives t = raw · 2^−n, exact (a power of two scales a double without rounding); floor(t) and
 *   t − floor(t) are exact, which is all the rounding rules need; beyond 60 bits, floor, qb and r are those at 60.
 */
export class NumberCaster {
  readonly from: FixedType;
  readonly to: FixedType;
  /** 2^(F_to − F_from), clamped. */
  readonly scale: number;
  /** True when bits are dropped (a right shift), so that the quantization mode applies. */
  readonly rounds: boolean;
  readonly quant: number;
  readonly range: NumberRange;
  /** True when no value of `from` can overflow `to` (and nothing is dropped): the cast is a multiplication. */
  readonly widening: boolean;
  private readonly kind: OverflowKind;
  private readonly sink: OverflowSink | undefined;

  constructor(from: FixedType, to: FixedType, sink?: OverflowSink) {
    if (from.width > NUMBER_BITS || to.width > NUMBER_BITS) throw new RangeError(`a number cast needs widths ≤ ${NUMBER_BITS} bits (${from.width} → ${to.width})`);
    this.from = from;
    this.to = to;
    const shift = fracBits(to) - fracBits(from);
    this.scale = 2 ** Math.max(-MAX_NUMBER_SHIFT, Math.min(MAX_NUMBER_SHIFT, shift));
    this.rounds = shift < 0;
    this.quant = quantCode(to.quant);
    this.range = numberRange(to);
    const fr = numberRange(from);
    this.widening = !this.rounds && fr.min * this.scale >= this.range.min && fr.max * this.scale <= this.range.max;
    this.kind = overflowKind(to.overflow);
    this.sink = sink;
  }

  cast(raw: number, sample: number): number {
    let q = raw * this.scale;
    if (this.rounds) q = this.quant === Q_TRN ? Math.floor(q) : roundNumber(q, this.quant);
    if (q < this.range.min || q > this.range.max) return this.overflow(q, sample);
    return q;
  }

  /** The overflow mode on an integer outside the range; reports it. */
  overflow(q: number, sample: number): number {
    this.sink?.hit(this.kind, sample);
    return overflowNumber(this.to, this.range, q);
  }
}

/** The same cast on BigInts, for every width. */
export class BigCaster {
  readonly from: FixedType;
  readonly to: FixedType;
  readonly range: BigRange;
  readonly widening: boolean;
  private readonly shift: number;
  private readonly n: bigint;
  private readonly mask: bigint;
  private readonly half: bigint;
  private readonly kind: OverflowKind;
  private readonly sink: OverflowSink | undefined;

  constructor(from: FixedType, to: FixedType, sink?: OverflowSink) {
    this.from = from;
    this.to = to;
    this.shift = fracBits(to) - fracBits(from);
    this.n = BigInt(Math.abs(this.shift));
    this.mask = (1n << this.n) - 1n;
    this.half = this.n > 0n ? 1n << (this.n - 1n) : 0n;
    this.range = bigRange(to);
    const fr = bigRange(from);
    this.widening = this.shift >= 0 && fr.min << this.n >= this.range.min && fr.max << this.n <= this.range.max;
    this.kind = overflowKind(to.overflow);
    this.sink = sink;
  }

  cast(raw: bigint, sample: number): bigint {
    const q = this.shift >= 0 ? raw << this.n : roundShiftBig(raw, this.n, this.mask, this.half, this.to.quant);
    if (q < this.range.min || q > this.range.max) {
      this.sink?.hit(this.kind, sample);
      return overflowBig(this.to, this.range, q);
    }
    return q;
  }
}

/**
 * Quantizes a double to a raw of `t` on JS numbers, exactly (the double's exact value, then the modes), for types at
 * most 53 bits wide. x · 2^F is exact while it stays a normal double; the rare values outside that band go through
 * the language's exact BigInt quantizer.
 */
export class NumberQuantizer {
  readonly type: FixedType;
  private readonly scale: number;
  private readonly f: number;
  private readonly quant: number;
  private readonly range: NumberRange;
  private readonly kind: OverflowKind;
  private readonly sink: OverflowSink | undefined;

  constructor(t: FixedType, sink?: OverflowSink) {
    if (t.width > NUMBER_BITS) throw new RangeError(`a number quantizer needs a width ≤ ${NUMBER_BITS} bits (${t.width})`);
    this.type = t;
    this.f = fracBits(t);
    this.scale = 2 ** this.f;
    this.quant = quantCode(t.quant);
    this.range = numberRange(t);
    this.kind = overflowKind(t.overflow);
    this.sink = sink;
  }

  quantize(x: number, sample: number): number {
    const a = Math.abs(x);
    if (!(a === 0 || (a > 2 ** -900 && a < 2 ** 900)) || this.f > 100 || this.f < -100) {
      const q = quantizeDouble(this.type, x);
      if (q.overflowed) this.sink?.hit(this.kind, sample);
      return Number(q.raw);
    }
    const t = x * this.scale;
    const q = this.quant === Q_TRN ? Math.floor(t) : roundNumber(t, this.quant);
    if (q < this.range.min || q > this.range.max) {
      this.sink?.hit(this.kind, sample);
      return overflowNumber(this.type, this.range, q);
    }
    return q + 0; // −0 → 0
  }
}

/** Quantizes a double to a BigInt raw of `t` (exact; the language's quantizer). */
export function quantizeBig(t: FixedType, x: number, sink?: OverflowSink, sample = 0): bigint {
  const q = quantizeDouble(t, x);
  if (q.overflowed) sink?.hit(overflowKind(t.overflow), sample);
  return q.raw;
}

/** Quantizes a double to a number raw of `t` (width ≤ 53), exactly. */
export function quantizeNumber(t: FixedType, x: number): CastResult<number> {
  let overflow: OverflowKind | undefined;
  const raw = new NumberQuantizer(t, { hit: (k) => (overflow = k) }).quantize(x, 0);
  return { raw, overflow };
}
