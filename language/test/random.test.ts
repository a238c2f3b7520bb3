// Tests of the seeded weight generator against an independent BigInt transcription of its specification.
import { describe, expect, it } from 'vitest';
import { generateWeights, seededUniform } from '../src/random.js';

// ---- An independent, deliberately plain implementation of the spec in random.ts (BigInt, no bit tricks) ----

const MASK = 0xffffffffn;

function refFnv1a(text: string): bigint {
  let h = 0x811c9dc5n;
  for (const b of new TextEncoder().encode(text)) h = ((h ^ BigInt(b)) * 0x01000193n) & MASK;
  return h;
}

function refFmix32(x: bigint): bigint {
  let z = x;
  z = ((z ^ (z >> 16n)) * 0x85ebca6bn) & MASK;
  z = ((z ^ (z >> 13n)) * 0xc2b2ae35n) & MASK;
  return z ^ (z >> 16n);
}

function refRotl(x: bigint, k: bigint): bigint {
  return ((x << k) | (x >> (32n - k))) & MASK;
}

class RefXoshiro128ss {
  constructor(public s: bigint[]) {}

  static seeded(seed: number, stream: string): RefXoshiro128ss {
    let x = BigInt(seed) & MASK; // two's complement modulo 2^32
    let y = refFnv1a(stream);
    const s: bigint[] = [];
    for (let i = 0; i < 4; i++) {
      x = (x + 0x9e3779b9n) & MASK;
      y = (y + 0x7f4a7c15n) & MASK;
      s.push(refFmix32(x) ^ refFmix32(y));
    }
    return new RefXoshiro128ss(s);
  }

  next32(): bigint {
    const s = this.s;
    const result = (refRotl((s[1] * 5n) & MASK, 7n) * 9n) & MASK;
    const t = (s[1] << 9n) & MASK;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = refRotl(s[3], 11n);
    return result;
  }

  next53(): bigint {
    const p = this.next32() >> 5n;
    const q = this.next32() >> 6n;
    return (p << 26n) | q;
  }
}

function refUniform(seed: number, stream: string, n: number): number[] {
  const g = RefXoshiro128ss.seeded(seed, stream);
  return Array.from({ length: n }, () => Number(g.next53() - (1n << 52n)) / 2 ** 52);
}

function refNormal(seed: number, stream: string, n: number, std: number): number[] {
  const g = RefXoshiro128ss.seeded(seed, stream);
  const out: number[] = [];
  while (out.length < n) {
    const u1 = Number((1n << 53n) - g.next53()) / 2 ** 53;
    const u2 = Number(g.next53()) / 2 ** 53;
    const r = Math.sqrt(-2 * Math.log(u1));
    out.push(std * r * Math.cos(2 * Math.PI * u2), std * r * Math.sin(2 * Math.PI * u2));
  }
  return out.slice(0, n);
}

function refMask(seed: number, stream: string, n: number): number[] {
  const g = RefXoshiro128ss.seeded(seed, `${stream}#mask`);
  return Array.from({ length: n }, () => Number(g.next53()) / 2 ** 53);
}

function mean(xs: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i];
  return s / xs.length;
}

function std(xs: ArrayLike<number>): number {
  const m = mean(xs);
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += (xs[i] - m) ** 2;
  return Math.sqrt(s / xs.length);
}

// ---------------------------------------------------------------------------------------------------------------

describe('the reference implementation matches published test vectors', () => {
  it('FNV-1a 32', () => {
    // From the FNV reference test suite (Fowler/Noll/Vo).
    expect(refFnv1a('')).toBe(0x811c9dc5n);
    expect(refFnv1a('a')).toBe(0xe40c292cn);
    expect(refFnv1a('foobar')).toBe(0xbf9cf968n);
  });

  it('the MurmurHash3 finalizer used by splitmix32', () => {
    // MurmurHash3_x86_32 of the empty input is fmix32(seed): the well-known vectors for seeds 1 and 0xffffffff.
    expect(refFmix32(1n)).toBe(0x514e28b7n);
    expect(refFmix32(0xffffffffn)).toBe(0x81f16f39n);
  });

  it('xoshiro128**', () => {
    // The reference C code (prng.di.unimi.it/xoshiro128starstar.c) from the state {1, 2, 3, 4}.
    const g = new RefXoshiro128ss([1n, 2n, 3n, 4n]);
    expect(Array.from({ length: 6 }, () => g.next32())).toEqual([11520n, 0n, 5927040n, 70819200n, 2031721883n, 1637235492n]);
    const h = new RefXoshiro128ss([0x964d4a0cn, 0xd40ab895n, 0xad7fdecbn, 0x3006f0f0n]);
    expect(Array.from({ length: 4 }, () => h.next32())).toEqual([0xf1391922n, 0x6fe53806n, 0xa5be2840n, 0xf510ee70n]);
  });
});

describe('seededUniform', () => {
  it('gives the specified first values', () => {
    // Computed once with a Python transcription of the spec in random.ts (17 significant digits).
    const first = seededUniform(42, 'jet_tagger/fc1/weight', 4);
    expect(Array.from(first)).toEqual([
      -0.65140284521652903, 0.83694190392888679, 0.15221101408589321, -0.38582645594344456,
    ]);
    expect(Array.from(seededUniform(-1, 'x', 2))).toEqual([-0.10510695322672592, -0.59809012041777665]);
  });

  it('agrees with the BigInt reference for many seeds and streams', () => {
    const streams = ['', 'jet_tagger/fc1/weight', 'jet_tagger/fc1/bias', 'ünïcode/层/weight', 'a#mask'];
    for (const seed of [0, 1, 42, 0x7fffffff, 0xffffffff, 123456789]) {
      for (const stream of streams) {
        expect(Array.from(seededUniform(seed, stream, 300)), `${seed} ${stream}`).toEqual(refUniform(seed, stream, 300));
      }
    }
  });

  it('reduces the seed modulo 2^32', () => {
    expect(seededUniform(-1, 's', 8)).toEqual(seededUniform(0xffffffff, 's', 8));
    expect(seededUniform(2 ** 32 + 5, 's', 8)).toEqual(seededUniform(5, 's', 8));
    expect(() => seededUniform(1.5, 's', 1)).toThrow(RangeError);
    expect(() => seededUniform(2 ** 53, 's', 1)).toThrow(RangeError);
  });

  it('stays in [-1, 1) with multiples of 2^-52 and a flat distribution', () => {
    const xs = seededUniform(7, 'range', 100_000);
    let lo = Infinity;
    let hi = -Infinity;
    const bins = new Array<number>(10).fill(0);
    for (const x of xs) {
      expect(x >= -1 && x < 1).toBe(true);
      expect(Number.isInteger(x * 2 ** 52)).toBe(true);
      lo = Math.min(lo, x);
      hi = Math.max(hi, x);
      bins[Math.floor((x + 1) * 5)]++;
    }
    expect(lo).toBeLessThan(-0.999);
    expect(hi).toBeGreaterThan(0.999);
    expect(Math.abs(mean(xs))).toBeLessThan(0.01);
    for (const b of bins) expect(Math.abs(b - 10_000)).toBeLessThan(500);
  });

  it('is deterministic and a prefix of itself', () => {
    expect(seededUniform(3, 'w', 1000)).toEqual(seededUniform(3, 'w', 1000));
    expect(Array.from(seededUniform(3, 'w', 10))).toEqual(Array.from(seededUniform(3, 'w', 1000).subarray(0, 10)));
    expect(seededUniform(3, 'w', 0).length).toBe(0);
  });

  it('gives different streams and seeds different sequences, from the first value on', () => {
    const names = ['net/fc1/weight', 'net/fc1/bias', 'net/fc2/weight', 'net/fc2/bias', 'net/fc1/weight#mask'];
    const firsts = new Set<number>();
    for (const seed of [0, 1, 2]) {
      for (const name of names) {
        const xs = seededUniform(seed, name, 64);
        firsts.add(xs[0]);
        // Streams must not be shifted copies of one another either.
        for (const other of names) {
          if (other === name) continue;
          const ys = seededUniform(seed, other, 64);
          for (let shift = 0; shift < 8; shift++) expect(xs.subarray(shift, shift + 32)).not.toEqual(ys.subarray(0, 32));
        }
      }
    }
    expect(firsts.size).toBe(3 * names.length);
  });
});

describe('generateWeights', () => {
  const fan = { fanIn: 64, fanOut: 32 };

  it('scales the uniform stream by the Glorot limit by default', () => {
    const w = generateWeights({ seed: 42 }, 'jet_tagger/fc1/weight', [32, 64], fan);
    const limit = Math.sqrt(6 / 96);
    expect(w.length).toBe(2048);
    expect(Array.from(w)).toEqual(refUniform(42, 'jet_tagger/fc1/weight', 2048).map((u) => u * limit));
    for (const x of w) expect(Math.abs(x)).toBeLessThanOrEqual(limit);
  });

  it('uses an explicit scale', () => {
    const w = generateWeights({ seed: 1, scale: 0.25, distribution: 'uniform' }, 's', [5], fan);
    expect(Array.from(w)).toEqual(refUniform(1, 's', 5).map((u) => u * 0.25));
  });

  it('draws normal values by Box–Muller from the same stream', () => {
    const w = generateWeights({ seed: 9, distribution: 'normal' }, 'conv/weight', [3, 3, 7], fan);
    expect(Array.from(w)).toEqual(refNormal(9, 'conv/weight', 63, Math.sqrt(2 / 96)));
    // Odd counts drop the last sine: the first n values do not depend on n.
    const six = generateWeights({ seed: 9, distribution: 'normal', scale: 1 }, 'p', [6], fan);
    const five = generateWeights({ seed: 9, distribution: 'normal', scale: 1 }, 'p', [5], fan);
    expect(Array.from(five)).toEqual(Array.from(six.subarray(0, 5)));
  });

  it('gives the specified normal values', () => {
    // Python transcription of the spec (math.log/cos/sin of CPython's libm); allow the last bits to differ.
    const w = generateWeights({ seed: 7, distribution: 'normal', sparsity: 0.5 }, 'a/b', [5], { fanIn: 3, fanOut: 4 });
    const python = [-0.24972674321084026, 0.50342956987157228, 1.1584022384758308, 0.20586554164580637, 0.58795284206940301];
    python.forEach((p, i) => expect(Math.abs(w[i] - p)).toBeLessThan(1e-14));
  });

  it('has roughly the requested mean and standard deviation', () => {
    const w = generateWeights({ seed: 5, distribution: 'normal', scale: 0.5 }, 'big', [100_000], fan);
    expect(Math.abs(mean(w))).toBeLessThan(0.01);
    expect(Math.abs(std(w) / 0.5 - 1)).toBeLessThan(0.02);
    // About 68.3 % of values lie within one standard deviation.
    const within = Array.from(w).filter((x) => Math.abs(x) < 0.5).length / w.length;
    expect(Math.abs(within - 0.6827)).toBeLessThan(0.01);
    const u = generateWeights({ seed: 5 }, 'big', [100_000], { fanIn: 1, fanOut: 2 });
    expect(Math.abs(std(u) - Math.sqrt(2) / Math.sqrt(3))).toBeLessThan(0.01); // uniform on [-√2, √2)
  });

  it('zeroes the fraction `sparsity` of values, from the mask stream', () => {
    for (const p of [0.1, 0.3, 0.5, 0.9]) {
      const w = generateWeights({ seed: 11, sparsity: p }, 'sparse/weight', [100, 100], fan);
      const zeros = Array.from(w).filter((x) => x === 0).length / w.length;
      expect(Math.abs(zeros - p), `p = ${p}`).toBeLessThan(0.03);
    }
    const p = 0.3;
    const w = generateWeights({ seed: 11, sparsity: p, scale: 1 }, 'm', [2000], fan);
    const u = refUniform(11, 'm', 2000);
    const m = refMask(11, 'm', 2000);
    for (let i = 0; i < 2000; i++) expect(w[i]).toBe(m[i] < p ? 0 : u[i]);
    // The mask does not depend on the distribution.
    const nw = generateWeights({ seed: 11, sparsity: p, distribution: 'normal' }, 'm', [2000], fan);
    for (let i = 0; i < 2000; i++) expect(nw[i] === 0).toBe(m[i] < p);
  });

  it('treats sparsity 0 and 1 as none and all', () => {
    const dense = generateWeights({ seed: 2, sparsity: 0 }, 'd', [1000], fan);
    expect(dense).toEqual(generateWeights({ seed: 2 }, 'd', [1000], fan));
    expect(Array.from(dense).some((x) => x === 0)).toBe(false);
    const none = generateWeights({ seed: 2, sparsity: 1 }, 'd', [1000], fan);
    expect(Array.from(none).every((x) => Object.is(x, 0))).toBe(true);
  });

  it('is deterministic and handles scalar and empty shapes', () => {
    const init = { seed: 123, sparsity: 0.2, distribution: 'normal' as const };
    expect(generateWeights(init, 't', [4, 4], fan)).toEqual(generateWeights(init, 't', [4, 4], fan));
    expect(generateWeights(init, 't', [], fan).length).toBe(1);
    expect(generateWeights(init, 't', [4, 0], fan).length).toBe(0);
    expect(generateWeights({ seed: 1 }, 'a', [8], fan)).not.toEqual(generateWeights({ seed: 1 }, 'b', [8], fan));
    expect(generateWeights({ seed: 1 }, 'a', [8], fan)).not.toEqual(generateWeights({ seed: 2 }, 'a', [8], fan));
  });

  it('rejects bad arguments', () => {
    expect(() => generateWeights({ seed: 1, sparsity: 1.5 }, 's', [2], fan)).toThrow(RangeError);
    expect(() => generateWeights({ seed: 1, sparsity: NaN }, 's', [2], fan)).toThrow(RangeError);
    expect(() => generateWeights({ seed: 1, scale: -1 }, 's', [2], fan)).toThrow(RangeError);
    expect(() => generateWeights({ seed: 1, scale: Infinity }, 's', [2], fan)).toThrow(RangeError);
    expect(() => generateWeights({ seed: 1 }, 's', [2], { fanIn: 0, fanOut: 0 })).toThrow(RangeError);
    expect(() => generateWeights({ seed: 1 }, 's', [-2], fan)).toThrow(RangeError);
    expect(() => generateWeights({ seed: 0.5 }, 's', [2], fan)).toThrow(RangeError);
    // An explicit scale needs no fans.
    expect(generateWeights({ seed: 1, scale: 1 }, 's', [2], { fanIn: 0, fanOut: 0 }).length).toBe(2);
  });
});
