// Plain facts for hovers and completion: fixed-point types in words, weight statistics, device resources.
import {
  fixedType,
  formatApType,
  formatFixedType,
  fracBits,
  OVERFLOW_MODES,
  QUANT_MODES,
  quantizeToDouble,
  valueRange,
  type ConstTensor,
  type FixedType,
  type OverflowMode,
  type QuantMode,
} from '@qnn/language';
import type * as A from '@qnn/language';

export const QUANT_DOCS: Readonly<Record<QuantMode, string>> = {
  TRN: 'truncate: round toward −∞ (floor)',
  TRN_ZERO: 'truncate toward zero',
  RND: 'round half toward +∞',
  RND_ZERO: 'round half toward zero',
  RND_INF: 'round half away from zero',
  RND_MIN_INF: 'round half toward −∞',
  RND_CONV: 'round half to even (convergent)',
};

export const OVERFLOW_DOCS: Readonly<Record<OverflowMode, string>> = {
  WRAP: 'wrap around: drop the high bits',
  SAT: 'saturate to the maximum or minimum',
  SAT_ZERO: 'set to zero on overflow',
  SAT_SYM: 'saturate symmetrically to ±maximum',
};

/** The type written as a fixed-point type expression, when its arguments are valid (else undefined). */
export function evalFixedType(t: A.FixedTypeExpr): FixedType | undefined {
  const nums = t.args.filter((a): a is A.NumberLit => a.kind === 'number').map((n) => n.value);
  const modes = t.args.filter((a): a is A.Ident => a.kind === 'ident').map((m) => m.name);
  const isInt = t.base === 'int' || t.base === 'uint';
  const signed = t.base === 'fixed' || t.base === 'int';
  const w = nums[0];
  const i = isInt ? w : nums[1];
  if (w === undefined || i === undefined || !Number.isInteger(w) || !Number.isInteger(i) || w < 1 || w > 1024) return undefined;
  const q = (modes[0] ?? 'TRN') as QuantMode;
  const o = (modes[1] ?? 'WRAP') as OverflowMode;
  if (!QUANT_MODES.includes(q) || !OVERFLOW_MODES.includes(o)) return undefined;
  return fixedType(signed, w, i, q, o);
}

/** Markdown lines describing a type: spelling, bits, range, resolution, modes. */
export function describeType(t: FixedType): string[] {
  const { min, max, lsb } = valueRange(t);
  const f = fracBits(t);
  return [
    `\`${formatFixedType(t)}\` = \`${formatApType(t)}\`: ${t.signed ? 'signed' : 'unsigned'}, ${t.width} bits (${t.intBits} integer${t.signed ? ' including the sign' : ''}, ${f} fractional)`,
    `range [${num(min)}, ${num(max)}], resolution 2^${-f} = ${num(lsb)}`,
    `quantization ${t.quant} (${QUANT_DOCS[t.quant]}), overflow ${t.overflow} (${OVERFLOW_DOCS[t.overflow]})`,
  ];
}

/** A number in at most 10 significant digits, exact when it has fewer. */
export function num(x: number): string {
  if (Number.isInteger(x) && Math.abs(x) < 1e15) return String(x);
  const s = String(x);
  return s.length <= 14 ? s : x.toPrecision(10).replace(/\.?0+(e|$)/, '$1');
}

export interface WeightStats {
  readonly count: number;
  readonly zeros: number;
  /** Values outside the type's range (changed by the overflow mode). */
  readonly clipped: number;
  /** Non-zero values that quantize to zero. */
  readonly flushed: number;
  readonly powersOfTwo: number;
  readonly maxAbs: number;
  /** True when only the first values were counted. */
  readonly sampled: boolean;
}

const STATS_LIMIT = 1 << 20;
const statsCache = new WeakMap<ConstTensor, WeightStats | undefined>();

/** Statistics of a constant tensor after quantization to its type (undefined when its values cannot be computed). */
export function weightStats(c: ConstTensor): WeightStats | undefined {
  if (statsCache.has(c)) return statsCache.get(c);
  let stats: WeightStats | undefined;
  try {
    const v = c.values();
    const n = Math.min(v.length, STATS_LIMIT);
    let zeros = 0;
    let clipped = 0;
    let flushed = 0;
    let pow2 = 0;
    let maxAbs = 0;
    for (let i = 0; i < n; i++) {
      const q = quantizeToDouble(c.type, v[i]);
      if (q.overflowed) clipped++;
      if (q.value === 0) {
        zeros++;
        if (v[i] !== 0) flushed++;
      } else {
        const a = Math.abs(q.value);
        if (a > maxAbs) maxAbs = a;
        if (Math.log2(a) === Math.round(Math.log2(a))) pow2++;
      }
    }
    stats = { count: n, zeros, clipped, flushed, powersOfTwo: pow2, maxAbs, sampled: n < v.length };
  } catch {
    stats = undefined;
  }
  statsCache.set(c, stats);
  return stats;
}

export function pct(part: number, whole: number): string {
  if (whole === 0) return '0 %';
  const p = (100 * part) / whole;
  return `${p < 10 && p > 0 ? p.toFixed(1) : Math.round(p)} %`;
}

export function shapeText(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}
