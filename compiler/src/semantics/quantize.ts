// Exact quantization of binary64 constants to a fixed-point type (docs/semantics.md section 4).
import { quantizeDouble, type FixedType } from '@qnn/language';

export interface QuantizedValues {
  readonly raws: readonly bigint[];
  /** Values that lay outside the type's range (the overflow mode changed them). */
  readonly overflows: number;
}

/** Quantizes doubles to raws of `t` exactly (the language's quantizeDouble with the type's modes). */
export function quantizeValues(t: FixedType, values: ArrayLike<number>): QuantizedValues {
  const raws = new Array<bigint>(values.length);
  let overflows = 0;
  for (let i = 0; i < values.length; i++) {
    const r = quantizeDouble(t, values[i]);
    raws[i] = r.raw;
    if (r.overflowed) overflows++;
  }
  return { raws, overflows };
}
