// Fixed-point arithmetic: table-driven vectors for every mode, expression types, and the number path against BigInt.
import { describe, expect, it } from 'vitest';
import {
  applyOverflow,
  fixedType,
  formatFixedType,
  fracBits,
  OVERFLOW_MODES,
  QUANT_MODES,
  quantizeDouble,
  roundShiftRight,
  type FixedType,
  type OverflowMode,
  type QuantMode,
} from '@qnn/language';
import { BigCaster, cast, NumberCaster, NumberQuantizer, productType, quantizeBig, quantizeNumber, sumType, type OverflowKind } from '../src/index.js';

const fx = (w: number, i: number, q: QuantMode = 'TRN', o: OverflowMode = 'WRAP') => fixedType(true, w, i, q, o);
const ufx = (w: number, i: number, q: QuantMode = 'TRN', o: OverflowMode = 'WRAP') => fixedType(false, w, i, q, o);
const value = (t: FixedType, raw: number | bigint) => Number(raw) * 2 ** -fracBits(t);

/** [type, input double, expected value, expected overflow] */
type Vector = [FixedType, number, number, OverflowKind | undefined];

/** Every vector through each way in: number and BigInt quantizers, and casts from an exact wider type on both paths. */
function check([t, x, want, ov]: Vector): void {
  const label = `${formatFixedType(t)}(${x})`;
  const n = quantizeNumber(t, x);
  expect({ v: value(t, n.raw), ov: n.overflow }, `${label} number`).toEqual({ v: want, ov });
  let kind: OverflowKind | undefined;
  const b = quantizeBig(t, x, { hit: (k) => (kind = k) });
  expect({ v: value(t, b), ov: kind }, `${label} bigint`).toEqual({ v: want, ov });
  // x is exact in fixed<52, 26> for every vector below: cast from there.
  const wide = fx(52, 26);
  const raw = quantizeDouble(wide, x);
  expect(raw.overflowed).toBe(false);
  const cn = cast(wide, t, Number(raw.raw));
  expect({ v: value(t, cn.raw), ov: cn.overflow }, `${label} cast number`).toEqual({ v: want, ov });
  const cb = cast(wide, t, raw.raw);
  expect({ v: value(t, cb.raw), ov: cb.overflow }, `${label} cast bigint`).toEqual({ v: want, ov });
}

describe('known values (the issue and BRIEF.md)', () => {
  const vectors: [string, Vector][] = [
    ['fixed<4,3,TRN,WRAP>(5.5) = -2.5', [fx(4, 3), 5.5, -2.5, 'wrap']],
    ['fixed<4,3,TRN,SAT_SYM>(-5) = -3.5', [fx(4, 3, 'TRN', 'SAT_SYM'), -5, -3.5, 'saturate']],
    ['fixed<4,3,TRN,SAT_ZERO>(9) = 0', [fx(4, 3, 'TRN', 'SAT_ZERO'), 9, 0, 'saturate']],
    ['fixed<8,3,TRN>(-0.3) = -0.3125', [fx(8, 3), -0.3, -0.3125, undefined]],
  ];
  for (const [name, v] of vectors) it(name, () => check(v));
  it('fixed<16,6,RND_CONV,SAT>(0.1) has raw 0x0066', () => {
    const t = fx(16, 6, 'RND_CONV', 'SAT');
    expect(quantizeNumber(t, 0.1).raw).toBe(0x66);
    expect(quantizeBig(t, 0.1)).toBe(0x66n);
  });
  it('an accumulator of fixed<16,6> adding forty 1.0s wraps to -24', () => {
    const acc = fx(16, 6);
    const one = quantizeNumber(acc, 1).raw;
    const step = new NumberCaster(sumType(acc, acc), acc);
    const bigStep = new BigCaster(sumType(acc, acc), acc);
    let a = 0;
    let b = 0n;
    for (let i = 0; i < 40; i++) {
      a = step.cast(a + one, i);
      b = bigStep.cast(b + BigInt(one), i);
    }
    expect(value(acc, a)).toBe(-24);
    expect(b).toBe(BigInt(a));
  });
});

describe('quantization modes on ties and near-ties (fixed<8,8,Q>, step 1: the table of docs/language.md)', () => {
  const inputs = [2.5, 3.5, 2.25, 2.75, -2.5, -3.5, -2.25, -2.75];
  const table: Record<QuantMode, number[]> = {
    TRN: [2, 3, 2, 2, -3, -4, -3, -3],
    TRN_ZERO: [2, 3, 2, 2, -2, -3, -2, -2],
    RND: [3, 4, 2, 3, -2, -3, -2, -3],
    RND_ZERO: [2, 3, 2, 3, -2, -3, -2, -3],
    RND_INF: [3, 4, 2, 3, -3, -4, -2, -3],
    RND_MIN_INF: [2, 3, 2, 3, -3, -4, -2, -3],
    RND_CONV: [2, 4, 2, 3, -2, -4, -2, -3],
  };
  for (const mode of QUANT_MODES) {
    it(mode, () => inputs.forEach((x, k) => check([fx(8, 8, mode), x, table[mode][k], undefined])));
  }
  it('ties below the LSB of a fractional type (fixed<8,4>, step 1/16)', () => {
    const tie = 1 / 32; // half an LSB
    check([fx(8, 4, 'RND'), 3 * tie, 2 / 16, undefined]);
    check([fx(8, 4, 'RND_CONV'), 3 * tie, 2 / 16, undefined]); // 1.5 LSB -> 2 (even)
    check([fx(8, 4, 'RND_CONV'), 5 * tie, 2 / 16, undefined]); // 2.5 LSB -> 2 (even)
    check([fx(8, 4, 'RND_ZERO'), -3 * tie, -1 / 16, undefined]);
    check([fx(8, 4, 'RND_INF'), -3 * tie, -2 / 16, undefined]);
    check([fx(8, 4, 'RND_MIN_INF'), 3 * tie, 1 / 16, undefined]);
    check([fx(8, 4, 'TRN_ZERO'), -tie, 0, undefined]);
    check([fx(8, 4, 'TRN'), -tie, -1 / 16, undefined]);
  });
});

describe('overflow modes (fixed<4,3,TRN,O>, step 0.5, range -4 … 3.5: the table of docs/language.md)', () => {
  const inputs = [5.5, -5, 9, -4.5, 3.25, -0.75];
  const table: Record<OverflowMode, [number, OverflowKind | undefined][]> = {
    WRAP: [[-2.5, 'wrap'], [3, 'wrap'], [1, 'wrap'], [3.5, 'wrap'], [3, undefined], [-1, undefined]],
    SAT: [[3.5, 'saturate'], [-4, 'saturate'], [3.5, 'saturate'], [-4, 'saturate'], [3, undefined], [-1, undefined]],
    SAT_ZERO: [[0, 'saturate'], [0, 'saturate'], [0, 'saturate'], [0, 'saturate'], [3, undefined], [-1, undefined]],
    SAT_SYM: [[3.5, 'saturate'], [-3.5, 'saturate'], [3.5, 'saturate'], [-3.5, 'saturate'], [3, undefined], [-1, undefined]],
  };
  for (const mode of OVERFLOW_MODES) {
    it(mode, () => inputs.forEach((x, k) => check([fx(4, 3, 'TRN', mode), x, table[mode][k][0], table[mode][k][1]])));
  }
});

describe('edge cases', () => {
  const vectors: [string, Vector][] = [
    // Rounding that carries into overflow: 3.75 rounds to 4, which is outside fixed<4,3>.
    ['RND carries into SAT', [fx(4, 3, 'RND', 'SAT'), 3.75, 3.5, 'saturate']],
    ['RND carries into WRAP', [fx(4, 3, 'RND', 'WRAP'), 3.75, -4, 'wrap']],
    ['RND_CONV carries into SAT_SYM', [fx(4, 3, 'RND_CONV', 'SAT_SYM'), 3.75, 3.5, 'saturate']],
    ['RND_INF carries into unsigned SAT', [ufx(4, 2, 'RND_INF', 'SAT'), 3.875, 3.75, 'saturate']],
    ['TRN does not carry', [fx(4, 3, 'TRN', 'SAT'), 3.75, 3.5, undefined]],
    // SAT_SYM at the minimum: the minimum itself is in range; below it, -max.
    ['SAT_SYM keeps the minimum', [fx(4, 3, 'TRN', 'SAT_SYM'), -4, -4, undefined]],
    ['SAT_SYM below the minimum gives -max', [fx(4, 3, 'TRN', 'SAT_SYM'), -4.5, -3.5, 'saturate']],
    ['SAT_SYM unsigned clamps to 0', [ufx(4, 3, 'TRN', 'SAT_SYM'), -1, 0, 'saturate']],
    ['TRN floors into the minimum (no overflow)', [fx(4, 3, 'TRN', 'SAT'), -3.75, -4, undefined]],
    ['TRN floors below the minimum', [fx(4, 3, 'TRN', 'SAT'), -4.25, -4, 'saturate']],
    // Wrap-around.
    ['int<8>(128) wraps to -128', [fx(8, 8), 128, -128, 'wrap']],
    ['int<8>(255) wraps to -1', [fx(8, 8), 255, -1, 'wrap']],
    ['int<8>(256) wraps to 0', [fx(8, 8), 256, 0, 'wrap']],
    ['int<8>(-129) wraps to 127', [fx(8, 8), -129, 127, 'wrap']],
    ['uint<8>(-1) wraps to 255', [ufx(8, 8), -1, 255, 'wrap']],
    ['uint<8>(300) wraps to 44', [ufx(8, 8), 300, 44, 'wrap']],
    ['uint<8,SAT>(-1) is 0', [ufx(8, 8, 'TRN', 'SAT'), -1, 0, 'saturate']],
    ['ufixed<8,8,RND>(-0.4) rounds to 0: no overflow', [ufx(8, 8, 'RND', 'SAT'), -0.4, 0, undefined]],
    // 1-bit types.
    ['fixed<1,1>(-1) = -1', [fx(1, 1), -1, -1, undefined]],
    ['fixed<1,1>(0.5) = 0', [fx(1, 1), 0.5, 0, undefined]],
    ['fixed<1,1>(1) wraps to -1', [fx(1, 1), 1, -1, 'wrap']],
    ['fixed<1,1,TRN,SAT>(1) = 0', [fx(1, 1, 'TRN', 'SAT'), 1, 0, 'saturate']],
    ['fixed<1,1,TRN,SAT_SYM>(-1) = -1 (in range)', [fx(1, 1, 'TRN', 'SAT_SYM'), -1, -1, undefined]],
    ['fixed<1,1,RND,SAT>(-0.5) = 0', [fx(1, 1, 'RND', 'SAT'), -0.5, 0, undefined]],
    ['ufixed<1,1>(1) = 1', [ufx(1, 1), 1, 1, undefined]],
    ['ufixed<1,1>(2) wraps to 0', [ufx(1, 1), 2, 0, 'wrap']],
    ['ufixed<1,0,RND>(0.25) = 0.5', [ufx(1, 0, 'RND'), 0.25, 0.5, undefined]],
    ['fixed<1,0>(-0.5) = -0.5', [fx(1, 0), -0.5, -0.5, undefined]],
    // Negative integer bits: fixed<4,-2> has step 2^-6 and range [-1/8, 7/64].
    ['fixed<4,-2>(0.05) = 3/64', [fx(4, -2), 0.05, 3 / 64, undefined]],
    ['fixed<4,-2,RND>(0.05) = 3/64', [fx(4, -2, 'RND'), 0.05, 3 / 64, undefined]],
    ['fixed<4,-2,TRN,SAT>(0.2) = 7/64', [fx(4, -2, 'TRN', 'SAT'), 0.2, 7 / 64, 'saturate']],
    ['fixed<4,-2>(0.125) wraps to -1/8', [fx(4, -2), 0.125, -0.125, 'wrap']],
    ['ufixed<3,-3>(0.1) = 6/64', [ufx(3, -3), 0.1, 6 / 64, undefined]],
    // More integer bits than the width: fixed<4,6> has step 4 and range [-32, 28].
    ['fixed<4,6>(13) = 12', [fx(4, 6), 13, 12, undefined]],
    ['fixed<4,6,RND>(14) = 16', [fx(4, 6, 'RND'), 14, 16, undefined]],
    ['fixed<4,6,RND_CONV>(18) = 16', [fx(4, 6, 'RND_CONV'), 18, 16, undefined]],
    ['fixed<4,6,TRN,SAT>(30) = 28 (7.5 steps floor to 7: in range)', [fx(4, 6, 'TRN', 'SAT'), 30, 28, undefined]],
    ['fixed<4,6,TRN,SAT>(33) = 28', [fx(4, 6, 'TRN', 'SAT'), 33, 28, 'saturate']],
    ['fixed<4,6>(32) wraps to -32', [fx(4, 6), 32, -32, 'wrap']],
    ['fixed<4,6>(-1) = -4', [fx(4, 6), -1, -4, undefined]],
    ['fixed<4,6,TRN_ZERO>(-1) = 0', [fx(4, 6, 'TRN_ZERO'), -1, 0, undefined]],
  ];
  for (const [name, v] of vectors) it(name, () => check(v));
});

describe('casts between types', () => {
  // [from, to, raw, expected raw, overflow]
  const vectors: [string, FixedType, FixedType, bigint, bigint, OverflowKind | undefined][] = [
    ['left shift is exact', fx(8, 4), fx(16, 4), -77n, -77n << 8n, undefined],
    ['left shift overflows', fx(8, 4), fx(8, 2, 'TRN', 'SAT'), 100n, 127n, 'saturate'],
    ['left shift wraps', fx(8, 8), fx(8, 4), 9n, (9n << 4n) - 256n, 'wrap'],
    ['right shift by 70 (beyond the number shift limit), RND on a negative', fx(53, -10), fx(8, 15, 'RND'), -(1n << 52n), 0n, undefined],
    ['right shift by 70, TRN on a negative', fx(53, -10), fx(8, 15), -(1n << 52n), -1n, undefined],
    ['right shift by 70, TRN_ZERO on a negative', fx(53, -10), fx(8, 15, 'TRN_ZERO'), -(1n << 52n), 0n, undefined],
    ['left shift by 70 wraps to 0', fx(8, 8), fx(8, -62), 3n, 0n, 'wrap'],
    ['left shift by 70 saturates', fx(8, 8), fx(8, -62, 'TRN', 'SAT'), -3n, -128n, 'saturate'],
    ['signed to unsigned, negative, SAT', fx(8, 4), ufx(8, 4, 'TRN', 'SAT'), -1n, 0n, 'saturate'],
    ['unsigned to signed, top bit set, WRAP', ufx(8, 4), fx(8, 4), 200n, -56n, 'wrap'],
  ];
  for (const [name, from, to, raw, want, ov] of vectors) {
    it(name, () => {
      expect(cast(from, to, raw)).toEqual({ raw: want, overflow: ov });
      if (from.width <= 53 && to.width <= 53) expect(cast(from, to, Number(raw))).toEqual({ raw: Number(want), overflow: ov });
    });
  }
  it('128-bit and 1024-bit types (BigInt)', () => {
    const wide = fx(128, 64, 'RND', 'SAT');
    expect(cast(fx(8, 4), wide, -3n)).toEqual({ raw: -3n << 60n, overflow: undefined });
    expect(cast(wide, fx(8, 4, 'RND'), (5n << 60n) + (1n << 59n))).toEqual({ raw: 6n, overflow: undefined }); // 5.5 LSB -> 6
    expect(cast(fx(1024, 1000), fx(128, 64, 'TRN', 'SAT'), 1n << 1000n)).toEqual({ raw: (1n << 127n) - 1n, overflow: 'saturate' });
    // 2^30 · 2^-24 = 64 lies outside fixed<1024,0> (range [-1/2, 1/2)); its raw 2^1030 wraps to 0.
    expect(cast(fx(1024, 1000), fx(1024, 0), 1n << 30n)).toEqual({ raw: 0n, overflow: 'wrap' });
  });
  it('rejects number raws of types wider than 53 bits', () => {
    expect(() => cast(fx(60, 10), fx(8, 4), 1)).toThrow(RangeError);
  });
});

describe('expression types', () => {
  const cases: [string, FixedType, FixedType, FixedType][] = [
    ['fixed<16,6> · fixed<8,1>', fx(16, 6), fx(8, 1), fx(24, 7)],
    ['ufixed<8,0> · fixed<8,1>', ufx(8, 0), fx(8, 1), fx(16, 1)],
    ['ufixed<4,2> · ufixed<4,-1>', ufx(4, 2), ufx(4, -1), ufx(8, 1)],
  ];
  for (const [name, a, b, want] of cases) it(`${name} = ${formatFixedType(want)}`, () => expect(productType(a, b)).toEqual(want));
  const sums: [string, FixedType, FixedType, FixedType][] = [
    ['fixed<8,3> + fixed<8,3>', fx(8, 3), fx(8, 3), fx(9, 4)],
    ['fixed<8,3> + fixed<12,1>', fx(8, 3), fx(12, 1), fx(15, 4)],
    ['ufixed<8,3> + fixed<8,3> (the unsigned one needs a bit more)', ufx(8, 3), fx(8, 3), fx(10, 5)],
    ['ufixed<8,8> + ufixed<4,2>', ufx(8, 8), ufx(4, 2), ufx(11, 9)],
    ['fixed<4,-2> + fixed<4,6>', fx(4, -2), fx(4, 6), fx(13, 7)],
  ];
  for (const [name, a, b, want] of sums) it(`${name} = ${formatFixedType(want)}`, () => expect(sumType(a, b)).toEqual(want));
  it('a sum of the extremes fits the sum type', () => {
    const a = ufx(8, 3);
    const b = fx(8, 3);
    const s = sumType(a, b);
    // (255 + 127) · 2^-5 and (0 - 128) · 2^-5 are representable in s without overflow.
    expect(cast(s, s, 382).overflow).toBeUndefined();
    expect(cast(s, s, -128).overflow).toBeUndefined();
  });
});

/** A small seeded generator (xorshift32). */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
}

function randomType(rnd: () => number, maxWidth: number): FixedType {
  const width = 1 + Math.floor(rnd() * maxWidth);
  const intBits = Math.floor(rnd() * (width + 40)) - 20;
  return fixedType(rnd() < 0.6, width, intBits, QUANT_MODES[Math.floor(rnd() * 7)], OVERFLOW_MODES[Math.floor(rnd() * 4)]);
}

function randomRaw(rnd: () => number, t: FixedType): bigint {
  const bits = BigInt(t.width);
  let v = 0n;
  for (let b = 0n; b < bits; b += 16n) v = (v << 16n) | BigInt(Math.floor(rnd() * 65536));
  v &= (1n << bits) - 1n;
  if (t.signed && v >= 1n << (bits - 1n)) v -= 1n << bits;
  return v;
}

/** The reference cast: the language's exact rounding and overflow. */
function referenceCast(from: FixedType, to: FixedType, raw: bigint): { raw: bigint; overflowed: boolean } {
  const shifted = roundShiftRight(raw, fracBits(from) - fracBits(to), to.quant);
  return applyOverflow(to, shifted);
}

describe('differential, seeded', () => {
  it('NumberCaster equals BigCaster equals the reference on 30,000 random casts (widths ≤ 53)', () => {
    const rnd = rng(7);
    for (let i = 0; i < 30000; i++) {
      const from = randomType(rnd, 53);
      const to = randomType(rnd, 53);
      const raw = randomRaw(rnd, from);
      const ref = referenceCast(from, to, raw);
      let nk: OverflowKind | undefined;
      let bk: OverflowKind | undefined;
      const n = new NumberCaster(from, to, { hit: (k) => (nk = k) }).cast(Number(raw), 0);
      const b = new BigCaster(from, to, { hit: (k) => (bk = k) }).cast(raw, 0);
      if (BigInt(n) !== ref.raw || b !== ref.raw || (nk !== undefined) !== ref.overflowed || (bk !== undefined) !== ref.overflowed) {
        throw new Error(`${formatFixedType(from)} -> ${formatFixedType(to)} raw ${raw}: number ${n}/${nk}, bigint ${b}/${bk}, reference ${ref.raw}/${ref.overflowed}`);
      }
    }
  });
  it('BigCaster equals the reference on 5,000 random wide casts (widths ≤ 300)', () => {
    const rnd = rng(11);
    for (let i = 0; i < 5000; i++) {
      const from = randomType(rnd, 300);
      const to = randomType(rnd, 300);
      const raw = randomRaw(rnd, from);
      const ref = referenceCast(from, to, raw);
      let bk: OverflowKind | undefined;
      const b = new BigCaster(from, to, { hit: (k) => (bk = k) }).cast(raw, 0);
      expect({ raw: b, ov: bk !== undefined }).toEqual({ raw: ref.raw, ov: ref.overflowed });
    }
  });
  it('NumberQuantizer equals quantizeDouble on 30,000 random doubles', () => {
    const rnd = rng(3);
    for (let i = 0; i < 30000; i++) {
      const t = randomType(rnd, 53);
      const lsb = 2 ** -fracBits(t);
      const k = Math.floor(rnd() * 5);
      const x =
        k === 0 ? (rnd() - 0.5) * lsb * 2 ** (t.width + 2)
        : k === 1 ? (Math.round((rnd() - 0.5) * 2 ** Math.min(t.width + 2, 50)) + 0.5) * lsb
        : k === 2 ? (rnd() - 0.5) * 1e-300
        : k === 3 ? (rnd() - 0.5) * 1e300
        : (rnd() - 0.5) * 10;
      const ref = quantizeDouble(t, x);
      let kind: OverflowKind | undefined;
      const n = new NumberQuantizer(t, { hit: (kk) => (kind = kk) }).quantize(x, 0);
      if (BigInt(n) !== ref.raw || (kind !== undefined) !== ref.overflowed) {
        throw new Error(`${formatFixedType(t)}(${x}): number ${n}/${kind}, exact ${ref.raw}/${ref.overflowed}`);
      }
    }
  });
});
