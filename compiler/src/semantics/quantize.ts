// Exact quantization of binary64 constants to a fixed-point type (docs/semantics.md section 4).
import { fracBits, quantizeDouble, roundsUp, type FixedType } from '@qnn/language';

export interface QuantizedValues {
  readonly raws: readonly bigint[];
  /** Values that lay outside the type's range (the overflow mode changed them). */
  readonly overflows: number;
}

/**
 * Quantizes doubles to raws of `t` exactly: the language's quantizeDouble with the type's modes. Types of at most 52
 * bits take a number fast path (scaling by a power of two, floor and the comparisons are exact in binary64 there; the
 * same argument as quantizeToDouble); values it cannot do exactly, and overflows, go through quantizeDouble.
 * compiler/test/quantize.test.ts compares both on seeded random values of every mode.
 */
export function quantizeValues(t: FixedType, values: ArrayLike<number>): QuantizedValues {
  const raws = new Array<bigint>(values.length);
  let overflows = 0;
  const f = fracBits(t);
  const fast = t.width <= 52 && Math.abs(f) <= 1000;
  const scale = Math.pow(2, f);
  const lo = t.signed ? -(2 ** (t.width - 1)) : 0;
  const hi = t.signed ? 2 ** (t.width - 1) - 1 : 2 ** t.width - 1;
  for (let i = 0; i < values.length; i++) {
    const x = values[i];
    if (fast) {
      const scaled = x * scale;
      // Outside [2^-1022, 2^53) the scaling may have lost bits or the floor would be inexact: the exact path.
      if (Number.isFinite(scaled) && Math.abs(scaled) < 2 ** 53 && (scaled !== 0 ? Math.abs(scaled) >= 2 ** -1022 : x === 0)) {
        let raw = Math.floor(scaled);
        const dropped = scaled - raw; // exact: 0 ≤ dropped < 1
        if (dropped !== 0) {
          const qb = dropped >= 0.5;
          const r = (qb ? dropped - 0.5 : dropped) !== 0;
          if (roundsUp(t.quant, qb, r, scaled < 0, raw % 2 !== 0)) raw += 1;
        }
        if (raw >= lo && raw <= hi) {
          // -0 cannot reach here as a raw: Math.floor(-0) is -0, and BigInt(-0) is 0n.
          raws[i] = BigInt(raw);
          continue;
        }
      }
    }
    const q = quantizeDouble(t, x);
    raws[i] = q.raw;
    if (q.overflowed) overflows++;
  }
  return { raws, overflows };
}
