// Deterministic, seeded random numbers for initial network weights, specified exactly so other languages can match.

/**
 * # Algorithm (normative; all arithmetic on unsigned 32-bit words, i.e. modulo 2^32)
 *
 * **Seed.** `seed` must be a safe integer; it is reduced modulo 2^32 (two's complement for negatives, so `-1`
 * acts as 4294967295). Call the result `S`.
 *
 * **Stream hash.** `H = FNV-1a-32(UTF-8 bytes of stream)`: `h = 0x811C9DC5`; for each byte `b`:
 * `h = (h XOR b) · 0x01000193 mod 2^32`.
 *
 * **splitmix32 with increment γ** from state `x`: each call does `x = x + γ`; `z = x`;
 * `z = (z XOR (z >> 16)) · 0x85EBCA6B`; `z = (z XOR (z >> 13)) · 0xC2B2AE35`; returns `z XOR (z >> 16)`
 * (`>>` is a logical shift; the two multiplications are the MurmurHash3 finalizer).
 *
 * **State.** Draw `a0..a3` from splitmix32(γ = 0x9E3779B9) started at `x = S`, and `b0..b3` from
 * splitmix32(γ = 0x7F4A7C15) started at `x = H`; the xoshiro128** state is `s[i] = a[i] XOR b[i]`. (The state can
 * never be all zeros: that would need `S + γ1 = H + γ2` and `S + 2γ1 = H + 2γ2`, i.e. `γ1 = γ2`.)
 *
 * **xoshiro128\*\*** (Blackman & Vigna), each call: `r = rotl(s1 · 5, 7) · 9`; `t = s1 << 9`; `s2 ^= s0`;
 * `s3 ^= s1`; `s1 ^= s2`; `s0 ^= s3`; `s2 ^= t`; `s3 = rotl(s3, 11)`; returns `r`.
 *
 * **53-bit draw.** Two consecutive outputs `p`, then `q`: `k = (p >> 5) · 2^26 + (q >> 6)`, an integer in
 * [0, 2^53). Every value below consumes one or two such draws, in order.
 *
 * **seededUniform** value `i` is `(k_i − 2^52) · 2^−52`, exactly a multiple of 2^−52 in [−1, 1).
 *
 * **generateWeights**, `n` = product of the shape (C order):
 * - `uniform`: `w_i = v_i · scale` with `v_i` the seededUniform values of (seed, stream);
 *   default `scale = sqrt(6 / (fanIn + fanOut))` (Glorot/Xavier uniform limit).
 * - `normal`: Box–Muller on pairs of draws from (seed, stream): for `j = 0, 1, …` take `k`, `k'`;
 *   `u1 = 1 − k · 2^−53` (in (0, 1]), `u2 = k' · 2^−53`, `r = sqrt(−2 · ln u1)`, `θ = 2π · u2`;
 *   `w_2j = std · r · cos θ`, `w_2j+1 = std · r · sin θ` (the last sine is dropped when `n` is odd);
 *   default `std = scale = sqrt(2 / (fanIn + fanOut))` (Glorot/Xavier normal).
 * - `sparsity p`: a second generator with stream `stream + '#mask'` gives one draw per value,
 *   `m_i = k_i · 2^−53` in [0, 1); `w_i = +0` when `m_i < p`. (The mask does not depend on the distribution.)
 *
 * Everything except `ln`, `cos`, `sin` and `sqrt` is exact integer or exactly rounded IEEE double arithmetic
 * (`sqrt` is exactly rounded too), so the uniform values are bit-identical on every platform. `Math.log`,
 * `Math.cos` and `Math.sin` are not required to be correctly rounded, so normal values may differ in the last
 * bit between JavaScript engines or a C/Python libm (never between runs on one engine).
 */
export function seededUniform(seed: number, stream: string, count: number): Float64Array {
  checkCount(count);
  const rng = new Xoshiro128ss(seed, stream);
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) out[i] = (rng.next53() - TWO_52) * 2 ** -52;
  return out;
}

export interface RandomInit {
  /** Safe integer, used modulo 2^32. */
  readonly seed: number;
  /** Uniform: half-width of the range; normal: standard deviation. Defaults follow Glorot/Xavier (see above). */
  readonly scale?: number;
  /** Fraction in [0, 1] of values forced to zero (each independently). Default 0. */
  readonly sparsity?: number;
  readonly distribution?: 'uniform' | 'normal';
}

/**
 * Initial weights of one tensor, in C order; `stream` names the tensor (e.g. `"jet_tagger/fc1/weight"`) so that
 * every tensor gets its own independent sequence. The algorithm is specified in the doc comment of `seededUniform`.
 *
 * @throws RangeError on a bad seed, shape, scale or sparsity, or a default scale with `fanIn + fanOut ≤ 0`.
 */
export function generateWeights(
  init: RandomInit,
  stream: string,
  shape: readonly number[],
  fan: { readonly fanIn: number; readonly fanOut: number },
): Float64Array {
  let n = 1;
  for (const d of shape) {
    if (!Number.isSafeInteger(d) || d < 0) throw new RangeError(`generateWeights: bad dimension ${d} in the shape`);
    n *= d;
  }
  checkCount(n);
  const distribution = init.distribution ?? 'uniform';
  const sparsity = init.sparsity ?? 0;
  if (!(sparsity >= 0 && sparsity <= 1)) throw new RangeError(`generateWeights: sparsity ${sparsity} is not in [0, 1]`);
  let scale = init.scale;
  if (scale === undefined) {
    const fans = fan.fanIn + fan.fanOut;
    if (!(fans > 0 && Number.isFinite(fans))) {
      throw new RangeError(`generateWeights: fanIn + fanOut must be positive for the default scale (got ${fans})`);
    }
    scale = Math.sqrt((distribution === 'uniform' ? 6 : 2) / fans);
  }
  if (!(scale >= 0 && Number.isFinite(scale))) throw new RangeError(`generateWeights: scale ${scale} is not a finite non-negative number`);

  let out: Float64Array;
  if (distribution === 'uniform') {
    out = seededUniform(init.seed, stream, n);
    for (let i = 0; i < n; i++) out[i] *= scale;
  } else {
    out = new Float64Array(n);
    const rng = new Xoshiro128ss(init.seed, stream);
    for (let i = 0; i < n; i += 2) {
      const u1 = 1 - rng.next53() * 2 ** -53;
      const u2 = rng.next53() * 2 ** -53;
      const r = Math.sqrt(-2 * Math.log(u1));
      const theta = 2 * Math.PI * u2;
      out[i] = scale * r * Math.cos(theta);
      if (i + 1 < n) out[i + 1] = scale * r * Math.sin(theta);
    }
  }

  if (sparsity > 0) {
    const mask = new Xoshiro128ss(init.seed, `${stream}#mask`);
    for (let i = 0; i < n; i++) if (mask.next53() * 2 ** -53 < sparsity) out[i] = 0;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------

const TWO_52 = 2 ** 52;

/** xoshiro128** seeded from (seed, stream) as specified in the doc comment of `seededUniform`. */
class Xoshiro128ss {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  constructor(seed: number, stream: string) {
    if (!Number.isSafeInteger(seed)) throw new RangeError(`random: seed ${seed} is not a safe integer`);
    const s = Number(BigInt.asUintN(32, BigInt(seed)));
    const a = splitmix32(s, 0x9e3779b9);
    const b = splitmix32(fnv1a32(stream), 0x7f4a7c15);
    this.s0 = (a() ^ b()) >>> 0;
    this.s1 = (a() ^ b()) >>> 0;
    this.s2 = (a() ^ b()) >>> 0;
    this.s3 = (a() ^ b()) >>> 0;
  }

  next32(): number {
    const s1 = this.s1;
    const r = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return r;
  }

  /** An integer in [0, 2^53) from two outputs: the high 27 bits of the first, then the high 26 of the second. */
  next53(): number {
    const p = this.next32() >>> 5;
    const q = this.next32() >>> 6;
    return p * 2 ** 26 + q;
  }
}

function splitmix32(start: number, gamma: number): () => number {
  let x = start >>> 0;
  return () => {
    x = (x + gamma) >>> 0;
    let z = x;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

function fnv1a32(text: string): number {
  let h = 0x811c9dc5;
  for (const b of new TextEncoder().encode(text)) h = Math.imul(h ^ b, 0x01000193);
  return h >>> 0;
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

function checkCount(count: number): void {
  if (!Number.isSafeInteger(count) || count < 0 || count > 2 ** 31) {
    throw new RangeError(`random: cannot generate ${count} values`);
  }
}
