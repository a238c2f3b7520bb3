// Constant tensors quantized to their declared types, once per simulation (shared by every use of a layer).
import { quantizeDouble, type ConstTensor, type FixedType } from '@qnn/language';
import { NumberQuantizer } from '../fixed/cast.js';
import { NUMBER_BITS } from '../fixed/types.js';

export interface QuantizedConst {
  readonly raws: readonly bigint[];
  /** Values that lay outside the type's range (the overflow mode changed them). */
  readonly overflows: number;
}

/** Quantizes constant tensors (exact: the language's quantizeDouble with the tensor type's modes), caching each. */
export class ConstCache {
  private readonly cache = new Map<ConstTensor, QuantizedConst>();

  get(c: ConstTensor): QuantizedConst {
    let q = this.cache.get(c);
    if (!q) {
      q = quantizeAll(c.type, c.values());
      this.cache.set(c, q);
    }
    return q;
  }
}

/** Quantizes doubles to raws of `t` exactly: on numbers for types up to 53 bits (the faster exact path), else BigInt. */
export function quantizeAll(t: FixedType, values: ArrayLike<number>): QuantizedConst {
  const raws = new Array<bigint>(values.length);
  let overflows = 0;
  if (t.width <= NUMBER_BITS) {
    const q = new NumberQuantizer(t, { hit: () => overflows++ });
    for (let i = 0; i < values.length; i++) raws[i] = BigInt(q.quantize(values[i], 0));
  } else {
    for (let i = 0; i < values.length; i++) {
      const r = quantizeDouble(t, values[i]);
      raws[i] = r.raw;
      if (r.overflowed) overflows++;
    }
  }
  return { raws, overflows };
}
