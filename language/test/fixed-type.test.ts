// FixedType: exact quantization of doubles (BigInt path), the double fast path against it, and known values.
import { describe, expect, it } from 'vitest';
import {
  fixedType,
  OVERFLOW_MODES,
  QUANT_MODES,
  quantizeDouble,
  quantizeAllToDouble,
  quantizeToDouble,
  rawToDouble,
  roundShiftRight,
  valueRange,
  type FixedType,
} from '../src/index.js';

describe('known values', () => {
  const cases: [string, FixedType, number, number][] = [
    ['fixed<16,6,RND_CONV,SAT>(0.1) has raw 0x0066', fixedType(true, 16, 6, 'RND_CONV', 'SAT'), 0.1, 0x66 / 1024],
    ['fixed<4,3,TRN,WRAP>(5.5) = -2.5', fixedType(true, 4, 3, 'TRN', 'WRAP'), 5.5, -2.5],
    ['fixed<4,3,TRN,SAT_SYM>(-5) = -3.5', fixedType(true, 4, 3, 'TRN', 'SAT_SYM'), -5, -3.5],
    ['fixed<4,3,TRN,SAT_ZERO>(9) = 0', fixedType(true, 4, 3, 'TRN', 'SAT_ZERO'), 9, 0],
    ['fixed<8,3,TRN>(-0.3) = -0.3125', fixedType(true, 8, 3), -0.3, -0.3125],
    ['fixed<8,3,RND>(-0.3) = -0.3125 (nearest)', fixedType(true, 8, 3, 'RND'), -0.3, -0.3125],
    ['ufixed<4,2,RND,SAT>(3.9) = 3.75', fixedType(false, 4, 2, 'RND', 'SAT'), 3.9, 3.75],
    ['ufixed<4,2,TRN,SAT>(-1) = 0', fixedType(false, 4, 2, 'TRN', 'SAT'), -1, 0],
    ['fixed<1,1>(-1) = -1', fixedType(true, 1, 1), -1, -1],
    ['fixed<1,1,TRN,WRAP>(1) = -1 (wrap)', fixedType(true, 1, 1), 1, -1],
    ['fixed<4,-2>: step 2^-6, 0.05 -> 3/64', fixedType(true, 4, -2), 0.05, 3 / 64],
    ['fixed<4,6>: step 4, 13 -> 12', fixedType(true, 4, 6), 13, 12],
    ['RND carries into overflow: fixed<4,3,RND,SAT>(3.75) = 3.5', fixedType(true, 4, 3, 'RND', 'SAT'), 3.75, 3.5],
    ['RND carries into WRAP: fixed<4,3,RND,WRAP>(3.75) = -4', fixedType(true, 4, 3, 'RND', 'WRAP'), 3.75, -4],
  ];
  for (const [name, t, x, want] of cases) {
    it(name, () => {
      expect(rawToDouble(t, quantizeDouble(t, x).raw)).toBe(want);
      expect(quantizeToDouble(t, x).value).toBe(want);
    });
  }
  it('fixed<16,6,RND_CONV,SAT>(0.1) raw is exactly 0x66', () => {
    expect(quantizeDouble(fixedType(true, 16, 6, 'RND_CONV', 'SAT'), 0.1).raw).toBe(0x66n);
  });
});

describe('rounding rules on ties (raw -3.5 .. 3.5 in steps of 0.5, shifted by one bit)', () => {
  // value v·2 as the integer to shift; expected results per mode from the table in BRIEF.md.
  const table: Record<string, number[]> = {
    //            -3.5 -2.5 -1.5 -0.5 0.5 1.5 2.5 3.5
    TRN:         [-4, -3, -2, -1, 0, 1, 2, 3],
    TRN_ZERO:    [-3, -2, -1, 0, 0, 1, 2, 3],
    RND:         [-3, -2, -1, 0, 1, 2, 3, 4],
    RND_ZERO:    [-3, -2, -1, 0, 0, 1, 2, 3],
    RND_INF:     [-4, -3, -2, -1, 1, 2, 3, 4],
    RND_MIN_INF: [-4, -3, -2, -1, 0, 1, 2, 3],
    RND_CONV:    [-4, -2, -2, 0, 0, 2, 2, 4],
  };
  const inputs = [-7n, -5n, -3n, -1n, 1n, 3n, 5n, 7n];
  for (const mode of QUANT_MODES) {
    it(mode, () => expect(inputs.map((v) => Number(roundShiftRight(v, 1, mode)))).toEqual(table[mode]));
  }
});

describe('double fast path equals the exact BigInt path', () => {
  it('on 20,000 seeded random types and values', () => {
    let s = 12345;
    const rnd = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
    for (let i = 0; i < 20000; i++) {
      const width = 1 + Math.floor(rnd() * 52);
      const intBits = Math.floor(rnd() * 80) - 30;
      const t = fixedType(rnd() < 0.5, width, intBits, QUANT_MODES[Math.floor(rnd() * 7)], OVERFLOW_MODES[Math.floor(rnd() * 4)]);
      const r = valueRange(t);
      // Values around the range, on and between the grid points, including exact ties.
      const k = Math.floor(rnd() * 6);
      const x =
        k === 0 ? (rnd() - 0.5) * 4 * Math.max(Math.abs(r.min), r.max, r.lsb)
        : k === 1 ? (Math.round((rnd() - 0.5) * 2 ** Math.min(width + 2, 50)) + 0.5) * r.lsb
        : k === 2 ? r.max + r.lsb * (rnd() < 0.5 ? 0.5 : 1)
        : k === 3 ? r.min - r.lsb * (rnd() < 0.5 ? 0.5 : 1)
        : k === 4 ? (rnd() - 0.5) * 1e-6
        : (rnd() - 0.5) * 1e6;
      const exact = quantizeDouble(t, x);
      const fast = quantizeToDouble(t, x);
      const want = rawToDouble(t, exact.raw);
      if (fast.value !== want || fast.overflowed !== exact.overflowed) {
        throw new Error(`${JSON.stringify(t)} x=${x}: fast ${fast.value}/${fast.overflowed}, exact ${want}/${exact.overflowed}`);
      }
    }
  });
});

describe('quantizeAllToDouble equals quantizeToDouble value by value', () => {
  it('on 2,000 seeded random types of 40 values each, with ties, rails, tiny and non-finite values', () => {
    let s = 777;
    const rnd = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
    let overflowsSeen = 0;
    for (let i = 0; i < 2000; i++) {
      const width = 1 + Math.floor(rnd() * 60);
      const t = fixedType(rnd() < 0.5, width, Math.floor(rnd() * 80) - 30, QUANT_MODES[Math.floor(rnd() * 7)], OVERFLOW_MODES[Math.floor(rnd() * 4)]);
      const r = valueRange(t);
      const xs = [0, -0, NaN, Infinity, -Infinity, -5e-324, r.max + r.lsb / 2, r.min - r.lsb / 2];
      while (xs.length < 40) xs.push((Math.round((rnd() - 0.5) * 2 ** Math.min(width + 2, 50)) + (rnd() < 0.5 ? 0.5 : rnd())) * r.lsb);
      const values = Float64Array.from(xs);
      const overflows = quantizeAllToDouble(t, values);
      let want = 0;
      xs.forEach((x, k) => {
        const q = quantizeToDouble(t, x);
        if (q.overflowed) want++;
        if (!Object.is(values[k], q.value) && !(values[k] === 0 && q.value === 0)) throw new Error(`${JSON.stringify(t)} x=${x}: all ${values[k]}, one ${q.value}`);
      });
      expect(overflows).toBe(want);
      overflowsSeen += want;
    }
    expect(overflowsSeen).toBeGreaterThan(0);
  });
});

describe('tiny values', () => {
  it('a subnormal negative input floors to -1 step even when the scaling underflows', () => {
    const t = fixedType(true, 8, 10); // step 4
    expect(quantizeToDouble(t, -5e-324).value).toBe(-4);
    expect(rawToDouble(t, quantizeDouble(t, -5e-324).raw)).toBe(-4);
    expect(quantizeToDouble(fixedType(true, 8, 10, 'RND'), -5e-324).value).toBe(0);
  });
});

describe('wide types', () => {
  it('quantizes into 128-bit types exactly', () => {
    const t = fixedType(true, 128, 64, 'RND', 'SAT');
    expect(quantizeDouble(t, 2 ** 62).raw).toBe(1n << 126n);
    expect(quantizeDouble(t, 2 ** 70).raw).toBe((1n << 127n) - 1n);
    expect(quantizeDouble(t, 2 ** -64).raw).toBe(1n);
    expect(quantizeDouble(t, 2 ** -65).raw).toBe(1n); // a tie rounds up in RND
    expect(quantizeDouble(t, -(2 ** -65)).raw).toBe(0n);
  });
});
