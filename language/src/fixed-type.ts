// The one fixed-point type of QNN Studio (ap_fixed semantics), shared by checker, estimator, backends and simulator.

export const QUANT_MODES = ['TRN', 'TRN_ZERO', 'RND', 'RND_ZERO', 'RND_INF', 'RND_MIN_INF', 'RND_CONV'] as const;
export const OVERFLOW_MODES = ['WRAP', 'SAT', 'SAT_ZERO', 'SAT_SYM'] as const;
export type QuantMode = (typeof QUANT_MODES)[number];
export type OverflowMode = (typeof OVERFLOW_MODES)[number];

/** The widest type the language accepts; Vitis HLS's default AP_INT_MAX_W is 1024 as well. */
export const MAX_FIXED_WIDTH = 1024;
/** Integer bits beyond this magnitude are rejected: such a type has no use and its scale overflows doubles. */
export const MAX_FIXED_INT_MAGNITUDE = 4096;

/**
 * A fixed-point type: value = raw · 2^-(width - intBits), raw a two's-complement (signed) or plain (unsigned)
 * integer of `width` bits. `intBits` counts the sign bit, may be negative or exceed `width`.
 */
export interface FixedType {
  readonly signed: boolean;
  readonly width: number;
  readonly intBits: number;
  readonly quant: QuantMode;
  readonly overflow: OverflowMode;
}

export function fixedType(
  signed: boolean,
  width: number,
  intBits: number,
  quant: QuantMode = 'TRN',
  overflow: OverflowMode = 'WRAP',
): FixedType {
  return { signed, width, intBits, quant, overflow };
}

/** Number of fractional bits (may be negative). */
export function fracBits(t: FixedType): number {
  return t.width - t.intBits;
}

/** ap_fixed spelling: `ap_fixed<16,6,AP_RND,AP_SAT>`, with defaults omitted. */
export function formatApType(t: FixedType): string {
  const base = t.signed ? 'ap_fixed' : 'ap_ufixed';
  const args = [String(t.width), String(t.intBits)];
  if (t.quant !== 'TRN' || t.overflow !== 'WRAP') args.push(`AP_${t.quant}`);
  if (t.overflow !== 'WRAP') args.push(`AP_${t.overflow}`);
  return `${base}<${args.join(',')}>`;
}

/** QNN spelling: `fixed<16, 6, RND, SAT>`, with defaults omitted. */
export function formatFixedType(t: FixedType): string {
  const base = t.signed ? 'fixed' : 'ufixed';
  const args = [String(t.width), String(t.intBits)];
  if (t.quant !== 'TRN' || t.overflow !== 'WRAP') args.push(t.quant);
  if (t.overflow !== 'WRAP') args.push(t.overflow);
  return `${base}<${args.join(', ')}>`;
}

export function sameFixedType(a: FixedType, b: FixedType): boolean {
  return (
    a.signed === b.signed &&
    a.width === b.width &&
    a.intBits === b.intBits &&
    a.quant === b.quant &&
    a.overflow === b.overflow
  );
}

/** Smallest and largest raw integers of the type, as BigInt (exact for every width). */
export function rawRange(t: FixedType): { readonly min: bigint; readonly max: bigint } {
  const w = BigInt(t.width);
  if (t.signed) return { min: -(1n << (w - 1n)), max: (1n << (w - 1n)) - 1n };
  return { min: 0n, max: (1n << w) - 1n };
}

/** Range and resolution as doubles (for display and float comparisons; exact while width ≤ 53). */
export function valueRange(t: FixedType): { readonly min: number; readonly max: number; readonly lsb: number } {
  const lsb = Math.pow(2, -fracBits(t));
  const r = rawRange(t);
  return { min: Number(r.min) * lsb, max: Number(r.max) * lsb, lsb };
}

/** Result of quantizing one double into a fixed type: the raw integer and what happened on the way. */
export interface Quantized {
  readonly raw: bigint;
  /** True when the value lay outside the type's range and the overflow mode changed it. */
  readonly overflowed: boolean;
}

/**
 * Quantizes a finite double exactly (the double's exact value, then the quantization mode, then the overflow mode).
 * A double is m·2^e with integer m, so the arithmetic below is exact BigInt arithmetic on dyadic rationals.
 */
export function quantizeDouble(t: FixedType, x: number): Quantized {
  if (!Number.isFinite(x)) {
    // NaN becomes 0; infinities overflow to the rail (or wrap to 0) as a huge value would.
    if (Number.isNaN(x)) return { raw: 0n, overflowed: true };
    return applyOverflow(t, x > 0 ? rawRange(t).max + 1n : rawRange(t).min - 1n);
  }
  const { mant, exp } = decompose(x); // x = mant · 2^exp exactly
  // raw = x · 2^F = mant · 2^(exp + F)
  const shift = exp + fracBits(t);
  let raw: bigint;
  if (shift >= 0) {
    raw = mant << BigInt(shift);
  } else {
    raw = roundShiftRight(mant, -shift, t.quant);
  }
  return applyOverflow(t, raw);
}

/** Converts a raw integer of the type to the nearest double (exact while the raw fits 53 bits). */
export function rawToDouble(t: FixedType, raw: bigint): number {
  return Number(raw) * Math.pow(2, -fracBits(t));
}

/**
 * Arithmetic shift right of `v` by `n` bits with the rounding of `mode`: floor, then add 1 where the mode's rule holds.
 * qb = first dropped bit, r = OR of the other dropped bits, s = sign, lsb = kept LSB.
 */
export function roundShiftRight(v: bigint, n: number, mode: QuantMode): bigint {
  if (n <= 0) return v << BigInt(-n);
  const bn = BigInt(n);
  const floor = v >> bn; // BigInt >> is arithmetic (floor)
  const dropped = v - (floor << bn); // 0 ≤ dropped < 2^n
  const half = 1n << (bn - 1n);
  const qb = dropped >= half;
  const r = (dropped & (half - 1n)) !== 0n;
  const s = v < 0n;
  const lsb = (floor & 1n) !== 0n;
  const up = roundsUp(mode, qb, r, s, lsb);
  return up ? floor + 1n : floor;
}

/**
 * Whether the quantization `mode` adds 1 to the floor: qb = first dropped bit, r = OR of the other dropped bits,
 * s = sign of the value, lsb = the kept LSB (the table of BRIEF.md).
 */
export function roundsUp(mode: QuantMode, qb: boolean, r: boolean, s: boolean, lsb: boolean): boolean {
  switch (mode) {
    case 'TRN':
      return false;
    case 'TRN_ZERO':
      return s && (qb || r);
    case 'RND':
      return qb;
    case 'RND_ZERO':
      return qb && (s || r);
    case 'RND_MIN_INF':
      return qb && r;
    case 'RND_INF':
      return qb && (!s || r);
    case 'RND_CONV':
      return qb && (lsb || r);
    default:
      return assertNever(mode);
  }
}

/** Applies the overflow mode of `t` to a raw integer at the type's scale. */
export function applyOverflow(t: FixedType, raw: bigint): Quantized {
  const { min, max } = rawRange(t);
  if (raw >= min && raw <= max) return { raw, overflowed: false };
  switch (t.overflow) {
    case 'WRAP': {
      const w = BigInt(t.width);
      const m = 1n << w;
      let v = ((raw % m) + m) % m;
      if (t.signed && v > max) v -= m;
      return { raw: v, overflowed: true };
    }
    case 'SAT':
      return { raw: raw > max ? max : min, overflowed: true };
    case 'SAT_ZERO':
      return { raw: 0n, overflowed: true };
    case 'SAT_SYM':
      if (!t.signed) return { raw: raw > max ? max : min, overflowed: true };
      return { raw: raw > max ? max : -max, overflowed: true };
    default:
      return assertNever(t.overflow);
  }
}

/** Splits a finite double into an integer mantissa and a power of two: x = mant · 2^exp, exactly. */
export function decompose(x: number): { readonly mant: bigint; readonly exp: number } {
  if (x === 0) return { mant: 0n, exp: 0 };
  const buf = new DataView(new ArrayBuffer(8));
  buf.setFloat64(0, x);
  const hi = buf.getUint32(0);
  const lo = buf.getUint32(4);
  const sign = hi >>> 31 ? -1n : 1n;
  const biased = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let exp: number;
  if (biased === 0) {
    exp = -1074; // subnormal
  } else {
    mant |= 1n << 52n;
    exp = biased - 1075;
  }
  return { mant: sign * mant, exp };
}

export function assertNever(x: never): never {
  throw new Error(`unexpected value: ${JSON.stringify(x)}`);
}

/**
 * Quantizes a double on the number fast path: exact for widths up to 52 bits (scaling by a power of two, floor and
 * the comparisons below are exact in binary64). Falls back to BigInt for wider types. Returns the value as a double.
 */
export function quantizeToDouble(t: FixedType, x: number): { readonly value: number; readonly overflowed: boolean } {
  const f = fracBits(t);
  if (t.width > 52 || !Number.isFinite(x) || Math.abs(f) > 1000) {
    const q = quantizeDouble(t, x);
    return { value: rawToDouble(t, q.raw), overflowed: q.overflowed };
  }
  const raw = roundScaled(t.quant, x, x * Math.pow(2, f));
  if (raw === undefined) {
    const q = quantizeDouble(t, x);
    return { value: rawToDouble(t, q.raw), overflowed: q.overflowed };
  }
  const lo = t.signed ? -(2 ** (t.width - 1)) : 0;
  const hi = t.signed ? 2 ** (t.width - 1) - 1 : 2 ** t.width - 1;
  const scale = Math.pow(2, -f);
  if (raw >= lo && raw <= hi) return { value: raw * scale, overflowed: false };
  const q = applyOverflow(t, BigInt(raw));
  return { value: Number(q.raw) * scale, overflowed: true };
}

/**
 * `scaled` = x · 2^F rounded to an integer by `mode`, exactly, in binary64 (the number fast path of quantizeToDouble,
 * quantizeAllToDouble and the compiler's quantizeValues); undefined where binary64 cannot do it exactly (outside
 * [2^-1022, 2^53): subnormal underflow of the scaling, or an inexact floor), where the BigInt path must.
 */
function roundScaled(mode: QuantMode, x: number, scaled: number): number | undefined {
  if (!Number.isFinite(scaled) || Math.abs(scaled) >= 2 ** 53 || (scaled !== 0 ? Math.abs(scaled) < 2 ** -1022 : x !== 0)) return undefined;
  let raw = Math.floor(scaled);
  const dropped = scaled - raw; // exact: 0 ≤ dropped < 1
  if (dropped !== 0) {
    const qb = dropped >= 0.5;
    const r = (qb ? dropped - 0.5 : dropped) !== 0;
    if (roundsUp(mode, qb, r, scaled < 0, raw % 2 !== 0)) raw += 1;
  }
  return raw;
}

/**
 * A quantizer to `t` on the number fast path, with the type's constants computed once (for arrays of weights): the
 * raw of x as a number when it is exact and in range (no overflow), else undefined, and quantizeDouble decides.
 */
export function rawQuantizer(t: FixedType): (x: number) => number | undefined {
  const f = fracBits(t);
  if (t.width > 52 || Math.abs(f) > 1000) return () => undefined;
  const scale = Math.pow(2, f);
  const lo = t.signed ? -(2 ** (t.width - 1)) : 0;
  const hi = t.signed ? 2 ** (t.width - 1) - 1 : 2 ** t.width - 1;
  return (x) => {
    const raw = roundScaled(t.quant, x, x * scale);
    return raw !== undefined && raw >= lo && raw <= hi ? raw : undefined;
  };
}

/**
 * Quantizes every value of `values` to `t` in place (each becomes quantizeToDouble(t, x).value) and returns how many
 * overflowed: generated weights of a large network are millions of values (language/test/fixed-type.test.ts compares
 * both).
 */
export function quantizeAllToDouble(t: FixedType, values: Float64Array): number {
  const quantize = rawQuantizer(t);
  const inv = Math.pow(2, -fracBits(t));
  let overflows = 0;
  for (let i = 0; i < values.length; i++) {
    const raw = quantize(values[i]);
    if (raw !== undefined) {
      values[i] = raw * inv;
      continue;
    }
    const q = quantizeToDouble(t, values[i]);
    values[i] = q.value;
    if (q.overflowed) overflows++;
  }
  return overflows;
}
