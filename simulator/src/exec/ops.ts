// Integer operations on raws, once for JS numbers and once for BigInts, so that a kernel is written once for both paths.
import type { FixedType, QuantMode } from '@qnn/language';
import { BigCaster, NumberCaster, NumberQuantizer, quantizeBig, type OverflowSink } from '../fixed/cast.js';
import { divRoundBig, divRoundNumber, quantCode } from '../fixed/round.js';

export type Path = 'number' | 'bigint';

/** Raws of a tensor: JS numbers (types ≤ 53 bits) or BigInts. */
export type Raws = Float64Array | bigint[];

/** Indexed storage of raws of one path. */
export interface Store<T> {
  [i: number]: T;
  readonly length: number;
}

export interface Caster<T> {
  readonly widening: boolean;
  cast(v: T, sample: number): T;
}

/**
 * The integer operations a kernel uses. On the number path every result is exact because the layer was put on that
 * path only when all its intermediates fit 53 bits.
 */
export interface Ops<T extends number | bigint> {
  readonly path: Path;
  readonly zero: T;
  /** An exact integer (a raw given as a number or a bigint). */
  of(v: number | bigint): T;
  toNumber(v: T): number;
  add(a: T, b: T): T;
  sub(a: T, b: T): T;
  mul(a: T, b: T): T;
  /** a · 2^k for k ≥ 0. */
  shl(a: T, k: number): T;
  caster(from: FixedType, to: FixedType, sink?: OverflowSink): Caster<T>;
  /** A double quantized to a raw of `t` (exact). */
  quantizer(t: FixedType, sink?: OverflowSink): (x: number, sample: number) => T;
  /** The rational n/d (d > 0) rounded to an integer by `mode`. */
  divRound(n: T, d: T, mode: QuantMode): T;
  /** clamp(round(a · 2^k) + offset, 0, max), rounding by floor or toward zero: a table index. */
  index(a: T, k: number, trunc: boolean, offset: number, max: number): number;
  alloc(n: number): Store<T>;
}

/** A shift applied to doubles when computing a table index: beyond ±60 bits the clamped index is the same. */
const MAX_INDEX_SHIFT = 60;

export const numberOps: Ops<number> = {
  path: 'number',
  zero: 0,
  of: (v) => Number(v),
  toNumber: (v) => v,
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  shl: (a, k) => a * 2 ** k,
  caster: (from, to, sink) => new NumberCaster(from, to, sink),
  quantizer: (t, sink) => {
    const q = new NumberQuantizer(t, sink);
    return (x, sample) => q.quantize(x, sample);
  },
  divRound: (n, d, mode) => divRoundNumber(n, d, quantCode(mode)),
  index: (a, k, trunc, offset, max) => {
    const t = a * 2 ** Math.max(-MAX_INDEX_SHIFT, Math.min(MAX_INDEX_SHIFT, k));
    const i = (trunc ? Math.trunc(t) : Math.floor(t)) + offset;
    return i < 0 ? 0 : i > max ? max : i;
  },
  alloc: (n) => new Float64Array(n),
};

export const bigintOps: Ops<bigint> = {
  path: 'bigint',
  zero: 0n,
  of: (v) => BigInt(v),
  toNumber: (v) => Number(v),
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  shl: (a, k) => a << BigInt(k),
  caster: (from, to, sink) => new BigCaster(from, to, sink),
  quantizer: (t, sink) => (x, sample) => quantizeBig(t, x, sink, sample),
  divRound: (n, d, mode) => divRoundBig(n, d, mode),
  index: (a, k, trunc, offset, max) => {
    let v: bigint;
    if (k >= 0) v = a << BigInt(k);
    else if (trunc && a < 0n) v = -(-a >> BigInt(-k));
    else v = a >> BigInt(-k);
    const i = v + BigInt(offset);
    return i < 0n ? 0 : i > BigInt(max) ? max : Number(i);
  },
  alloc: (n) => new Array<bigint>(n).fill(0n),
};

export function opsFor(path: 'number'): Ops<number>;
export function opsFor(path: 'bigint'): Ops<bigint>;
export function opsFor(path: Path): Ops<number> | Ops<bigint>;
export function opsFor(path: Path): Ops<number> | Ops<bigint> {
  return path === 'number' ? numberOps : bigintOps;
}

/** Calls a generic builder with the operations of `path` (a kernel is written once for both paths). */
export function withOps<R>(path: Path, build: <T extends number | bigint>(ops: Ops<T>) => R): R {
  return path === 'number' ? build(numberOps) : build(bigintOps);
}
