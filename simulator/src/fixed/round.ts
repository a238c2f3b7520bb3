// Quantization (rounding) and overflow on integer raws, for JS numbers and BigInts: the rules of BRIEF.md.
import { roundsUp, type FixedType, type OverflowMode, type QuantMode } from '@qnn/language';

/** What an overflowing cast did: WRAP wraps; SAT, SAT_ZERO and SAT_SYM saturate (SAT_ZERO to 0). */
export type OverflowKind = 'wrap' | 'saturate';

export function overflowKind(mode: OverflowMode): OverflowKind {
  return mode === 'WRAP' ? 'wrap' : 'saturate';
}

/** Quantization modes as small integers, for switches in hot loops. */
export const Q_TRN = 0;
export const Q_TRN_ZERO = 1;
export const Q_RND = 2;
export const Q_RND_ZERO = 3;
export const Q_RND_INF = 4;
export const Q_RND_MIN_INF = 5;
export const Q_RND_CONV = 6;
const Q_CODES: Readonly<Record<QuantMode, number>> = {
  TRN: Q_TRN,
  TRN_ZERO: Q_TRN_ZERO,
  RND: Q_RND,
  RND_ZERO: Q_RND_ZERO,
  RND_INF: Q_RND_INF,
  RND_MIN_INF: Q_RND_MIN_INF,
  RND_CONV: Q_RND_CONV,
};
export function quantCode(mode: QuantMode): number {
  return Q_CODES[mode];
}

/**
 * Rounds an exact double `t` (a raw scaled down by a power of two, so t is exact) to an integer by the quantization
 * mode: floor, plus 1 where the rule holds. With d = t − floor(t) (exact): qb = d ≥ 1/2 and r = the other dropped
 * bits, which given qb is d > 1/2, else d > 0.
 */
export function roundNumber(t: number, mode: number): number {
  const fl = Math.floor(t);
  const d = t - fl;
  if (d === 0) return fl;
  switch (mode) {
    case Q_TRN:
      return fl;
    case Q_TRN_ZERO:
      return t < 0 ? fl + 1 : fl;
    case Q_RND:
      return d >= 0.5 ? fl + 1 : fl;
    case Q_RND_ZERO:
      return d > 0.5 || (d === 0.5 && t < 0) ? fl + 1 : fl;
    case Q_RND_INF:
      return d > 0.5 || (d === 0.5 && t > 0) ? fl + 1 : fl;
    case Q_RND_MIN_INF:
      return d > 0.5 ? fl + 1 : fl;
    default: // Q_RND_CONV
      return d > 0.5 || (d === 0.5 && fl % 2 !== 0) ? fl + 1 : fl;
  }
}

/**
 * Arithmetic shift right of a BigInt by n ≥ 1 bits with the rounding of `mode` (the same rule as roundNumber).
 * `mask` = 2^n − 1 and `half` = 2^(n−1), precomputed by the caller.
 */
export function roundShiftBig(v: bigint, n: bigint, mask: bigint, half: bigint, mode: QuantMode): bigint {
  const floor = v >> n;
  if (mode === 'TRN') return floor;
  const dropped = v & mask; // the low n bits of the two's complement of v
  if (dropped === 0n) return floor;
  const qb = dropped >= half;
  const r = qb ? dropped !== half : true;
  return roundsUp(mode, qb, r, v < 0n, (floor & 1n) !== 0n) ? floor + 1n : floor;
}

/**
 * Exact rounding of the rational n/d (d > 0) to an integer by `mode`: floor, remainder rem in [0, d), qb = 2·rem ≥ d,
 * r = (qb ? 2·rem > d : rem > 0). For d a power of two this is the shift above.
 */
export function divRoundBig(n: bigint, d: bigint, mode: QuantMode): bigint {
  let q = n / d; // truncates toward zero
  let rem = n - q * d;
  if (rem < 0n) {
    q -= 1n;
    rem += d;
  }
  if (rem === 0n || mode === 'TRN') return q;
  const twice = 2n * rem;
  const qb = twice >= d;
  const r = qb ? twice > d : true;
  return roundsUp(mode, qb, r, n < 0n, (q & 1n) !== 0n) ? q + 1n : q;
}

/** divRoundBig on numbers: exact when |n| and d are below 2^52 (the caller's path choice guarantees it). */
export function divRoundNumber(n: number, d: number, mode: number): number {
  let q = Math.floor(n / d);
  let rem = n - q * d;
  // The double quotient may round across an integer; one correction step makes floor and remainder exact.
  if (rem < 0) {
    q -= 1;
    rem += d;
  } else if (rem >= d) {
    q += 1;
    rem -= d;
  }
  if (rem === 0) return q;
  const twice = 2 * rem;
  switch (mode) {
    case Q_TRN:
      return q;
    case Q_TRN_ZERO:
      return n < 0 ? q + 1 : q;
    case Q_RND:
      return twice >= d ? q + 1 : q;
    case Q_RND_ZERO:
      return twice > d || (twice === d && n < 0) ? q + 1 : q;
    case Q_RND_INF:
      return twice > d || (twice === d && n > 0) ? q + 1 : q;
    case Q_RND_MIN_INF:
      return twice > d ? q + 1 : q;
    default:
      return twice > d || (twice === d && q % 2 !== 0) ? q + 1 : q;
  }
}

/** The raw range of a type as numbers (exact for widths ≤ 53) and the modulus 2^W. */
export interface NumberRange {
  readonly min: number;
  readonly max: number;
  readonly span: number;
}

export function numberRange(t: FixedType): NumberRange {
  const span = 2 ** t.width;
  return t.signed ? { min: -(span / 2), max: span / 2 - 1, span } : { min: 0, max: span - 1, span };
}

/**
 * The overflow mode applied to an integer q outside [min, max] (q may exceed 2^53: it is then a multiple of a large
 * power of two and the modulo below stays exact).
 */
export function overflowNumber(t: FixedType, r: NumberRange, q: number): number {
  switch (t.overflow) {
    case 'WRAP': {
      let v = q - r.span * Math.floor(q / r.span); // in [0, 2^W): exact, the result is representable
      if (v > r.max) v -= r.span;
      return v;
    }
    case 'SAT':
      return q > r.max ? r.max : r.min;
    case 'SAT_ZERO':
      return 0;
    case 'SAT_SYM':
      if (!t.signed) return q > r.max ? r.max : r.min;
      return q > r.max ? r.max : -r.max;
  }
}

/** The raw range of a type as BigInts and the modulus 2^W. */
export interface BigRange {
  readonly min: bigint;
  readonly max: bigint;
  readonly span: bigint;
}

export function bigRange(t: FixedType): BigRange {
  const span = 1n << BigInt(t.width);
  return t.signed ? { min: -(span >> 1n), max: (span >> 1n) - 1n, span } : { min: 0n, max: span - 1n, span };
}

export function overflowBig(t: FixedType, r: BigRange, q: bigint): bigint {
  switch (t.overflow) {
    case 'WRAP': {
      let v = q & (r.span - 1n); // BigInt & is on the infinite two's complement: q mod 2^W
      if (v > r.max) v -= r.span;
      return v;
    }
    case 'SAT':
      return q > r.max ? r.max : r.min;
    case 'SAT_ZERO':
      return 0n;
    case 'SAT_SYM':
      if (!t.signed) return q > r.max ? r.max : r.min;
      return q > r.max ? r.max : -r.max;
  }
}
