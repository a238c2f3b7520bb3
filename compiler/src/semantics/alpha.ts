// The type of leaky_relu's alpha (docs/semantics.md section 9).
import { fixedType, type FixedType } from '@qnn/language';

/** Fractional bits of the type leaky_relu's alpha is quantized to. */
export const ALPHA_FRAC_BITS = 16;

/**
 * The type of leaky_relu's alpha: fixed<I + 16, I, RND, SAT>, with I = 1 + e for the smallest e ≥ 0 such that
 * |alpha| < 2^e (I = 1 for |alpha| < 1, which covers the usual slopes; I = 2 for 1 ≤ |alpha| < 2).
 */
export function alphaType(alpha: number): FixedType {
  let e = 0;
  while (Math.abs(alpha) >= 2 ** e && e < 4096) e++;
  return fixedType(true, 1 + e + ALPHA_FRAC_BITS, 1 + e, 'RND', 'SAT');
}
