// Result types of fixed-point expressions (BRIEF.md, "Expression result types") and the number-path width limit.
import { fixedType, fracBits, type FixedType } from '@qnn/language';

/**
 * Raws of at most this many bits live in JS numbers: every integer of magnitude ≤ 2^53 is exact in binary64, so a
 * signed 53-bit raw (|raw| ≤ 2^52) and an unsigned 53-bit raw (< 2^53) both are. Wider values take the BigInt path.
 */
export const NUMBER_BITS = 53;

/** a·b: W = W1 + W2, I = I1 + I2, signed if either is. Modes are the defaults (an expression type never rounds). */
export function productType(a: FixedType, b: FixedType): FixedType {
  return fixedType(a.signed || b.signed, a.width + b.width, a.intBits + b.intBits);
}

/**
 * a+b: I = max(I1 + (S2 & !S1), I2 + (S1 & !S2)) + 1, W = I + max(F1, F2), signed if either is. The extra bit of an
 * unsigned operand added to a signed one holds its top bit, which is not a sign bit.
 */
export function sumType(a: FixedType, b: FixedType): FixedType {
  const ia = a.intBits + (b.signed && !a.signed ? 1 : 0);
  const ib = b.intBits + (a.signed && !b.signed ? 1 : 0);
  const intBits = Math.max(ia, ib) + 1;
  const frac = Math.max(fracBits(a), fracBits(b));
  return fixedType(a.signed || b.signed, intBits + frac, intBits);
}

/** The exact type of the sum of `n` values of type `t` (a balanced or sequential sum of n terms): ceil(log2 n) more integer bits. */
export function sumOfType(t: FixedType, n: number): FixedType {
  const extra = n <= 1 ? 0 : Math.ceil(Math.log2(n));
  return fixedType(t.signed, t.width + extra, t.intBits + extra);
}

/** Whether raws of type `t` are held in JS numbers (width ≤ 53). */
export function fitsNumber(t: FixedType): boolean {
  return t.width <= NUMBER_BITS;
}

/** Number of bits of a non-negative integer (0 for 0): the smallest b with n < 2^b. Exact for every safe integer. */
export function bitLength(n: number): number {
  if (n < 1) return 0;
  return Math.floor(n).toString(2).length;
}
