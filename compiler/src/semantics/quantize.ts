// Exact quantization of binary64 constants to a fixed-point type (docs/semantics.md section 4).
import { quantizeDouble, rawQuantizer, type FixedType } from '@qnn/language';

export interface QuantizedValues {
  readonly raws: readonly bigint[];
  /** Values that lay outside the type's range (the overflow mode changed them). */
  readonly overflows: number;
}

/**
 * Quantizes doubles to raws of `t` exactly: the language's quantizeDouble with the type's modes, on the number fast
 * path (rawQuantizer) where binary64 is exact and the value in range. compiler/test/quantize.test.ts compares both on
 * seeded random values of every mode.
 */
export function quantizeValues(t: FixedType, values: ArrayLike<number>): QuantizedValues {
  const raws = new Array<bigint>(values.length);
  const quantize = rawQuantizer(t);
  let overflows = 0;
  for (let i = 0; i < values.length; i++) {
    const raw = quantize(values[i]);
    if (raw !== undefined) {
      raws[i] = BigInt(raw); // BigInt(-0) is 0n
      continue;
    }
    const q = quantizeDouble(t, values[i]);
    raws[i] = q.raw;
    if (q.overflowed) overflows++;
  }
  return { raws, overflows };
}
