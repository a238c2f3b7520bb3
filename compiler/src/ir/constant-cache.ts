// Quantized constants by content: the editor re-checks a file on every keystroke, which builds new networks with new
// (equal) weight arrays; quantizing thousands of weights to BigInt raws is most of a plan's cost, so the raws are
// cached by the values' content (hash, then an exact comparison) and the type. Bounded (least recently used).
import { formatFixedType, type FixedType } from '@qnn/language';
import { quantizeValues } from '../semantics/quantize.js';

/**
 * At most this many values are kept (in at most 512 constants): about 40 bytes each with their BigInt raws, so about
 * 10 MB. A network with more weights than that is re-quantized after an edit (in the editor's background step).
 */
const MAX_ENTRIES = 512;
const MAX_VALUES = 262_144;

interface Entry {
  readonly values: Float64Array;
  readonly raws: readonly bigint[];
}

const entries = new Map<string, Entry[]>();
let count = 0;
let values_ = 0;

function hash(values: Float64Array): string {
  const u = new Uint32Array(values.buffer, values.byteOffset, values.length * 2);
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  for (let i = 0; i < u.length; i++) {
    h1 = Math.imul(h1 ^ u[i], 0x01000193);
    h2 = Math.imul(h2 ^ u[i], 0x5bd1e995) + (h2 >>> 13);
  }
  return `${values.length}:${(h1 >>> 0).toString(36)}:${(h2 >>> 0).toString(36)}`;
}

function equal(a: Float64Array, b: Float64Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

/** The raws of `values` quantized to `type` (exactly quantizeValues(type, values).raws), cached. */
export function quantizedRaws(type: FixedType, values: Float64Array): readonly bigint[] {
  const t = formatFixedType(type);
  const key = `${t}|${hash(values)}`;
  const list = entries.get(key);
  let raws = list?.find((e) => equal(e.values, values))?.raws;
  if (raws) {
    // Most recently used last.
    entries.delete(key);
    entries.set(key, list!);
  } else {
    raws = quantizeValues(type, values).raws;
    while (entries.size > 0 && (count >= MAX_ENTRIES || values_ + values.length > MAX_VALUES)) {
      const oldest = entries.keys().next().value as string;
      for (const e of entries.get(oldest)!) values_ -= e.values.length;
      count -= entries.get(oldest)!.length;
      entries.delete(oldest);
    }
    if (values.length <= MAX_VALUES) {
      entries.set(key, [...(entries.get(key) ?? []), { values: values.slice(), raws }]);
      count++;
      values_ += values.length;
    }
  }
  return raws;
}
