// quantizeValues (the number fast path for types up to 52 bits) must give exactly the raws of the language's BigInt
// quantizeDouble, and count the same overflows: seeded random types of every mode and values chosen to hit the
// cases that matter (ties at half an LSB, values just inside and outside the range, tiny, huge, subnormal, -0,
// NaN and infinities).
import { describe, expect, it } from 'vitest';
import { prng } from '../../language/test/prng.js';
import { quantizeDouble, type FixedType } from '@qnn/language';
import { quantizeValues } from '../src/semantics/quantize.js';

const QUANT = ['TRN', 'TRN_ZERO', 'RND', 'RND_ZERO', 'RND_MIN_INF', 'RND_INF', 'RND_CONV'] as const;
const OVERFLOW = ['WRAP', 'SAT', 'SAT_ZERO', 'SAT_SYM'] as const;

describe('quantizeValues equals quantizeDouble', () => {
  it('on seeded random types and values of every mode', () => {
    const r = prng(20261122);
    let checked = 0;
    for (let k = 0; k < 3000; k++) {
      const signed = r() < 0.7;
      const width = 1 + Math.floor(r() * (r() < 0.9 ? 40 : 64));
      const intBits = Math.floor(r() * (width + 20)) - 10;
      const t: FixedType = { signed, width, intBits, quant: QUANT[Math.floor(r() * QUANT.length)], overflow: OVERFLOW[Math.floor(r() * OVERFLOW.length)] };
      const lsb = Math.pow(2, intBits - width);
      const span = Math.pow(2, intBits);
      const values: number[] = [0, -0, NaN, Infinity, -Infinity, 5e-324, -5e-324, 1e300, -1e300, span, -span, span - lsb, -span + lsb];
      for (let i = 0; i < 40; i++) {
        const raw = Math.floor((r() * 2 - 1) * 2 ** Math.min(width + 1, 53));
        // Exactly on the grid, on a half-LSB tie, and just off it; and uniform values around the range.
        values.push(raw * lsb, (raw + 0.5) * lsb, (raw + 0.5) * lsb * (1 + 2 ** -40), (r() * 4 - 2) * span, (r() - 0.5) * lsb * 3);
      }
      const q = quantizeValues(t, values);
      let overflows = 0;
      values.forEach((x, i) => {
        const ref = quantizeDouble(t, x);
        if (ref.overflowed) overflows++;
        if (q.raws[i] !== ref.raw) expect.fail(`${JSON.stringify(t)} x=${x}: fast ${q.raws[i]} vs exact ${ref.raw}`);
        checked++;
      });
      expect(q.overflows).toBe(overflows);
    }
    expect(checked).toBeGreaterThan(500_000);
  });
});
