// Fixed-point arithmetic as Verilog: the cast of docs/semantics.md section 2 (quantization, then overflow), exact
// products and sums, on values whose raw range is tracked so that impossible overflow logic is never built.
//
// Signedness discipline (the classic Verilog trap): every operand of an arithmetic operator is first made a *signed*
// expression of the exact width of the result, by an explicit sign or zero extension inside `$signed({...})`. No
// operator ever mixes signed and unsigned operands or widths, so Verilog's context-dependent sizing and its rule
// "one unsigned operand makes the whole expression unsigned" never apply.
import { applyOverflow, fracBits, rawRange, roundShiftRight, type FixedType } from '@qnn/language';
import { bin, bit, concat, cond, lit, ref, repeat, signed, slice, unary, type Decl, type Expr } from './vast.js';
import { renderRoundRule, type RoundTerm } from '../../semantics/round-rule.js';

/** A raw value: a net (with the bounds of its raw) or a constant. */
export type Val =
  | { readonly kind: 'net'; readonly name: string; readonly width: number; readonly signed: boolean; readonly lo: bigint; readonly hi: bigint }
  | { readonly kind: 'const'; readonly value: bigint };

export const konst = (value: bigint): Val => ({ kind: 'const', value });

export function bounds(v: Val): { lo: bigint; hi: bigint } {
  return v.kind === 'const' ? { lo: v.value, hi: v.value } : { lo: v.lo, hi: v.hi };
}

/** The smallest k ≥ 1 such that every integer of [lo, hi] is a k-bit two's-complement number. */
export function signedWidth(lo: bigint, hi: bigint): number {
  let k = 1;
  while (lo < -(1n << BigInt(k - 1)) || hi > (1n << BigInt(k - 1)) - 1n) k++;
  return k;
}

/** Bits of the value as a signed number: its own width when signed, one more (a zero sign bit) when unsigned. */
export function signedBits(v: Val): number {
  if (v.kind === 'const') return signedWidth(v.value, v.value);
  return v.width + (v.signed ? 0 : 1);
}

/** The value as a signed expression of exactly `width` bits (width ≥ signedBits(v)). */
export function sext(v: Val, width: number): Expr {
  if (v.kind === 'const') return lit(width, v.value, true);
  const pad = width - v.width;
  if (pad < 0 || (!v.signed && pad < 1)) throw new Error(`internal error: ${v.name} does not fit ${width} signed bits`);
  if (v.signed) return pad === 0 ? ref(v.name) : signed(concat([repeat(pad, bit(v.name, v.width - 1)), ref(v.name)]));
  return signed(concat([lit(pad, 0n), ref(v.name)]));
}

/** Where the generator declares nets: a combinational wire with its driver. */
export interface NetSink {
  wire(prefix: string, width: number, isSigned: boolean, value: Expr, lo: bigint, hi: bigint, waive?: Decl['waive']): Val & { kind: 'net' };
  /**
   * A `width`-bit adder or subtractor, y = a ± b modulo 2^width, built as an instance of its own small module that
   * synthesis keeps (keep_hierarchy): a carry chain of exactly `width` bits that no pass merges into a carry-save tree,
   * so its cost is known before synthesis (docs/estimate.md). `a` and `b` are `width`-bit expressions; y is signed.
   */
  adder(prefix: string, op: '+' | '-', a: Expr, b: Expr, width: number, lo: bigint, hi: bigint): Val & { kind: 'net' };
  /** Low bits of a net known to be 0 (a shifted value): adders leave them out. */
  zerosOf(name: string): number;
  setZeros(name: string, k: number): void;
  /** Marks a net that an adder reads only in part (lint waives its unread bits). */
  partlyRead(name: string): void;
}

/** Records that the low k bits of `v` are 0 (at most its width − 1, so that an adder always keeps a bit). */
function markZeros(nets: NetSink, v: Val, k: number): void {
  if (v.kind === 'net' && k > 0) nets.setZeros(v.name, Math.min(k, v.width - 1));
}

/** Bits hi..lo (hi ≥ lo ≥ 0) of a value's two's complement, sign- or zero-extended beyond its width. */
export function bitsOf(v: Val, hi: number, lo: number): Expr {
  if (v.kind === 'const') return lit(hi - lo + 1, v.value >> BigInt(lo));
  const parts: Expr[] = [];
  const top = Math.min(hi, v.width - 1);
  if (hi > top) {
    const n = hi - Math.max(lo, v.width) + 1;
    parts.push(v.signed ? repeat(n, bit(v.name, v.width - 1)) : lit(n, 0n));
  }
  if (top >= lo) parts.push(slice(v.name, top, lo));
  return concat(parts);
}

/** The nets of sum trees: their readers may skip known-zero low bits, or high bits that a modular sum discards. */
export const UNUSED_SUM_BITS: Decl['waive'] = {
  warning: 'UNUSEDSIGNAL',
  reason: 'sum tree: readers skip its known-zero low bits, or the high bits that a sum modulo 2^n discards',
};

const UNUSED_CAST_INPUT: Decl['waive'] = {
  warning: 'UNUSEDSIGNAL',
  reason: 'cast input: the bits a cast drops (quantization) or discards (WRAP) are unused by definition',
};

/** The cast of a constant raw (compile time, exact BigInt). */
export function castConst(raw: bigint, fromFrac: number, to: FixedType): bigint {
  const q = roundShiftRight(raw, fromFrac - fracBits(to), to.quant);
  return applyOverflow(to, q).raw;
}

/** Whether the quantization mode adds 1: the rule of docs/semantics.md as a Verilog expression of the dropped bits. */
export function roundUp(mode: FixedType['quant'], qb: Expr, rb: Expr, s: Expr, lsb: Expr): Expr | undefined {
  const terms: Record<RoundTerm, Expr> = { qb, r: rb, s, '!s': unary('~', s), lsb };
  return renderRoundRule(mode, (t) => terms[t], (x, y) => bin('&', x, y), (x, y) => bin('|', x, y));
}

/**
 * cast_B(v) for v at `fromFrac` fractional bits (docs/semantics.md section 2): align (a left shift, or an arithmetic
 * shift right plus the rounding increment of B's quantization mode), then B's overflow mode when the value can lie
 * outside B's range. The result has B's width and signedness.
 */
export function castTo(nets: NetSink, prefix: string, v: Val, fromFrac: number, to: FixedType): Val {
  if (v.kind === 'const') return konst(castConst(v.value, fromFrac, to));
  const n = fromFrac - fracBits(to);
  const range = rawRange(to);
  // The identity: same scale, same representation, every value in range.
  if (n === 0 && v.signed === to.signed && v.width === to.width) return v;
  // 1. Align: q = v · 2^−n (n < 0) or round(v / 2^n) (n > 0).
  let q: Val & { kind: 'net' };
  if (n <= 0) {
    const w = signedBits(v) - n;
    const e = n === 0 ? sext(v, w) : signed(concat([sext(v, w + n), lit(-n, 0n)]));
    q = nets.wire(`${prefix}_q`, w, true, e, v.lo << BigInt(-n), v.hi << BigInt(-n), UNUSED_CAST_INPUT);
    markZeros(nets, q, nets.zerosOf(v.name) - n);
  } else {
    const wr = Math.max(signedBits(v), n + 1);
    const r = nets.wire(`${prefix}_r`, wr, true, sext(v, wr), v.lo, v.hi, UNUSED_CAST_INPUT);
    const qb = bit(r.name, n - 1);
    const rb = n >= 2 ? unary('|', slice(r.name, n - 2, 0)) : lit(1, 0n);
    const inc = roundUp(to.quant, qb, rb, bit(r.name, wr - 1), bit(r.name, n));
    // Every quantization mode is monotone: the bounds of q are the rounded bounds of v (an increment that only some
    // values take does not widen them; hi + 1 did, and then a table index needed a clamp it never uses, which
    // synthesis folds into the table: t07's tanh, 67 LUTs against 31).
    const lo = roundShiftRight(v.lo, n, to.quant);
    const hi = roundShiftRight(v.hi, n, to.quant);
    if (!inc) q = nets.wire(`${prefix}_q`, wr - n, true, signed(slice(r.name, wr - 1, n)), lo, hi, UNUSED_CAST_INPUT);
    else {
      const w = wr - n + 1;
      const q0 = signed(concat([bit(r.name, wr - 1), slice(r.name, wr - 1, n)]));
      q = nets.wire(`${prefix}_q`, w, true, bin('+', q0, signed(concat([lit(w - 1, 0n), inc]))), lo, hi, UNUSED_CAST_INPUT);
    }
  }
  // 2. Overflow, decided after quantization.
  const wb = to.width;
  const wq = q.width;
  // The low wb bits of q (sign-extended first when q is narrower): the in-range value, and WRAP's result.
  const low = wq >= wb ? slice(q.name, wb - 1, 0) : concat([repeat(wb - wq, bit(q.name, wq - 1)), ref(q.name)]);
  const fits = q.lo >= range.min && q.hi <= range.max;
  if (fits || to.overflow === 'WRAP') {
    // The low bits, and with them the known zeros, are q's.
    const y = nets.wire(`${prefix}_y`, wb, to.signed, low, fits ? q.lo : range.min, fits ? q.hi : range.max);
    markZeros(nets, y, nets.zerosOf(q.name));
    return y;
  }
  // In range: signed B ⟺ bits wq−1 … wb−1 of q all equal; unsigned B ⟺ bits wq−1 … wb all zero (the sign included).
  let inRange: Expr;
  if (to.signed) {
    const hiBits = slice(q.name, wq - 1, wb - 1);
    inRange = bin('|', unary('~', unary('|', hiBits)), unary('&', hiBits));
  } else {
    inRange = wq - 1 >= wb ? unary('~', unary('|', slice(q.name, wq - 1, wb))) : unary('~', bit(q.name, wq - 1));
  }
  const neg = bit(q.name, wq - 1);
  const max = lit(wb, range.max);
  const min = lit(wb, range.min);
  let rail: Expr;
  switch (to.overflow) {
    case 'SAT':
      rail = cond(neg, min, max);
      break;
    case 'SAT_ZERO':
      rail = lit(wb, 0n);
      break;
    case 'SAT_SYM':
      rail = cond(neg, to.signed ? lit(wb, -range.max) : min, max);
      break;
  }
  return nets.wire(`${prefix}_y`, wb, to.signed, cond(inRange, low, rail), range.min, range.max);
}

/**
 * Inputs of at most this many signed bits: a product by a constant (a function of at most 6 bits) has its
 * canonical-signed-digit adders written as one expression, not a tree of adder instances. Synthesis does not tabulate
 * it: yosys maps the expression to carry chains before abc (product-luts.json measures each such product).
 */
export const TABLE_INPUT_BITS = 6;

/** Whether |w| is a power of two: the product is then a shift (and a negation for a negative weight). */
export function powerOfTwo(w: bigint): number | undefined {
  const a = w < 0n ? -w : w;
  if (a === 0n || (a & (a - 1n)) !== 0n) return undefined;
  return a.toString(2).length - 1;
}

/** How the implementation plan builds a product by a constant (compiler/src/plan: `shift`, `lut` with its CSD digits, `dsp`). */
export interface ProductPlan {
  readonly kind: 'skip' | 'shift' | 'lut' | 'dsp';
  readonly csd?: readonly { readonly shift: number; readonly negative: boolean }[];
}

/**
 * The exact product v · w of a value and a constant weight raw (w ≠ 0), built as the plan says: a shift for powers of
 * two, a shift-and-add tree over the canonical signed digits for `lut`, a multiplier (`*`, DSP slices) for `dsp`.
 * Without a plan: a shift for powers of two, else a multiplier.
 */
export function productConst(nets: NetSink, prefix: string, v: Val, w: bigint, how?: ProductPlan): Val {
  if (v.kind === 'const') return konst(v.value * w);
  const a = v.lo * w;
  const b = v.hi * w;
  const lo = a < b ? a : b;
  const hi = a < b ? b : a;
  const sv = signedBits(v);
  const k = powerOfTwo(w);
  if (how?.kind === 'lut' && how.csd && how.csd.length >= 2 && sv <= TABLE_INPUT_BITS) {
    // A narrow input: one flat expression, which yosys' alumacc makes one $alu or $macc (carry chains; the estimator
    // prices it from product-luts.json); every partial sum is computed modulo 2^width, and the exact result fits width
    // bits.
    const top = how.csd[how.csd.length - 1].shift;
    const width = sv + top + 2;
    let e: Expr | undefined;
    for (const d of how.csd) {
      const term = d.shift === 0 ? sext(v, width) : signed(concat([sext(v, width - d.shift), lit(d.shift, 0n)]));
      e = e === undefined ? (d.negative ? unary('-', term) : term) : bin(d.negative ? '-' : '+', e, term);
    }
    return nets.wire(`${prefix}_p`, width, true, e!, lo, hi);
  }
  if (how?.kind === 'lut' && how.csd && how.csd.length >= 2) {
    // Σ ±(v · 2^shift) as a tree of adders and subtractors (sumTree) computed modulo 2^width: the exact result fits
    // width bits, so the wrapped intermediate sums do not matter. |v · w| < 2^(sv − 1) · 2^(top + 1), so
    // sv + top + 1 bits hold it; the product itself needs only signedWidth(lo, hi).
    const top = how.csd[how.csd.length - 1].shift;
    const width = sv + top + 2;
    const copies: Leaf[] = how.csd.map((d) => ({ v: shiftLeft(nets, `${prefix}_k`, v, d.shift), neg: d.negative }));
    const t = sumTree(nets, `${prefix}_t`, copies, width);
    if (t.kind === 'const') return t;
    const pw = Math.min(t.width, signedWidth(lo, hi));
    const p = nets.wire(`${prefix}_p`, pw, true, bitsOf(t, pw - 1, 0), lo, hi);
    markZeros(nets, p, nets.zerosOf(t.name));
    return p;
  }
  if (k !== undefined) {
    // v · (±2^k): |v · 2^k| ≤ 2^(sv − 1 + k), so sv + k + 1 bits hold it and its negation.
    const width = sv + k + 1;
    const shifted = k === 0 ? sext(v, width) : signed(concat([sext(v, width - k), lit(k, 0n)]));
    const p = nets.wire(`${prefix}_p`, width, true, w < 0n ? unary('-', shifted) : shifted, lo, hi);
    markZeros(nets, p, nets.zerosOf(v.name) + k);
    return p;
  }
  const width = sv + signedWidth(w, w);
  return nets.wire(`${prefix}_p`, width, true, bin('*', sext(v, width), lit(width, w, true)), lo, hi);
}

/** An addend of a sum: a value, subtracted when `neg`. */
export interface Leaf {
  readonly v: Val;
  readonly neg?: boolean;
}

/** The bounds of ±v. */
export function leafBounds(l: Leaf): { lo: bigint; hi: bigint } {
  const b = bounds(l.v);
  return l.neg ? { lo: -b.hi, hi: -b.lo } : b;
}

/** The signed range of `width` bits. */
const signedRange = (width: number) => ({ lo: -(1n << BigInt(width - 1)), hi: (1n << BigInt(width - 1)) - 1n });

/**
 * The shape of a sum tree (shared with the estimator, compiler/src/estimate/features.ts, so that both build the same
 * tree): the added terms and the subtracted terms each summed by a balanced tree of two-input adders, pairing
 * neighbours level by level; then one subtractor, positive − negative. Returns the nodes in build order as pairs of
 * operand indices into leaves ++ nodes, and the root's index, or −1 without operands.
 */
export function treeShape(neg: readonly boolean[]): { readonly nodes: readonly (readonly [number, number, '+' | '-'])[]; readonly root: number; readonly negRoot: boolean } {
  const nodes: [number, number, '+' | '-'][] = [];
  const n = neg.length;
  const balanced = (ids: number[]): number => {
    if (ids.length === 0) return -1;
    let level = ids;
    while (level.length > 1) {
      const next: number[] = [];
      for (let i = 0; i + 1 < level.length; i += 2) next.push(n + nodes.push([level[i], level[i + 1], '+']) - 1);
      if (level.length % 2) next.push(level[level.length - 1]);
      level = next;
    }
    return level[0];
  };
  const pos: number[] = [];
  const minus: number[] = [];
  neg.forEach((x, i) => (x ? minus : pos).push(i));
  const p = balanced(pos);
  const m = balanced(minus);
  if (p >= 0 && m >= 0) return { nodes, root: n + nodes.push([p, m, '-']) - 1, negRoot: false };
  return { nodes, root: p >= 0 ? p : m, negRoot: p < 0 && m >= 0 };
}

/**
 * Σ ±leaves, exact (or modulo 2^mod when `mod` is given, for sums whose consumer keeps only the low mod bits): the
 * non-constant leaves as the tree of treeShape, each node an adder instance (NetSink.adder) exactly as wide as its
 * partial sum's range needs, without the low bits that are zero in one operand (they pass through); the constants
 * folded into one, added (or subtracted from) at the root.
 */
export function sumTree(nets: NetSink, prefix: string, leaves: readonly Leaf[], mod?: number): Val {
  let c = 0n;
  const vs: (Val & { kind: 'net' })[] = [];
  const neg: boolean[] = [];
  for (const l of leaves) {
    if (l.v.kind === 'const') c += l.neg ? -l.v.value : l.v.value;
    else {
      vs.push(l.v);
      neg.push(!!l.neg);
    }
  }
  if (vs.length === 0) return konst(c);
  const shape = treeShape(neg);
  const all: (Val & { kind: 'net' })[] = [...vs];
  for (const [ia, ib, op] of shape.nodes) {
    const a = all[ia];
    const b = all[ib];
    let lo = op === '+' ? a.lo + b.lo : a.lo - b.hi;
    let hi = op === '+' ? a.hi + b.hi : a.hi - b.lo;
    // Operands enter as the low W bits of their two's complement: exact when their values (not their declared
    // widths: a cast's output has its type's width whatever its range) fit W bits.
    let W = Math.max(signedWidth(lo, hi), signedWidth(a.lo, a.hi), signedWidth(b.lo, b.hi));
    if (mod !== undefined && W > mod) {
      W = mod;
      ({ lo, hi } = signedRange(W));
    }
    if (signedBits(a) > W) nets.partlyRead(a.name);
    if (signedBits(b) > W) nets.partlyRead(b.name);
    const za = nets.zerosOf(a.name);
    const zb = nets.zerosOf(b.name);
    // Low bits where one operand is 0 are the other's (a subtraction: a's bits where b is 0).
    const t = Math.min(W - 1, op === '+' ? Math.max(za, zb) : zb);
    const low = op === '+' && za > zb ? b : a;
    const y = nets.adder(`${prefix}_n`, op, bitsOf(a, W - 1, t), bitsOf(b, W - 1, t), W - t, lo >> BigInt(t), hi >> BigInt(t));
    if (t === 0) {
      all.push(y);
      continue;
    }
    const s = nets.wire(`${prefix}_s`, W, true, concat([ref(y.name), bitsOf(low, t - 1, 0)]), lo, hi, UNUSED_SUM_BITS);
    markZeros(nets, s, Math.min(za, zb));
    all.push(s);
  }
  const r = all[shape.root];
  if (!shape.negRoot && c === 0n) return r;
  // The constant (and a negative root's sign) in one carry chain: c + r or c − r.
  let lo = shape.negRoot ? c - r.hi : c + r.lo;
  let hi = shape.negRoot ? c - r.lo : c + r.hi;
  let W = Math.max(signedWidth(lo, hi), signedWidth(r.lo, r.hi) + (shape.negRoot ? 1 : 0), signedWidth(c, c));
  if (mod !== undefined && W > mod) {
    W = mod;
    ({ lo, hi } = signedRange(W));
  }
  if (r.width > W) nets.partlyRead(r.name);
  const rw = signed(bitsOf(r, W - 1, 0));
  const e = c === 0n ? unary('-', rw) : bin(shape.negRoot ? '-' : '+', lit(W, c, true), rw);
  return nets.wire(`${prefix}_s`, W, true, e, lo, hi, UNUSED_SUM_BITS);
}

/**
 * The exact sum of values at the same scale as one flat expression (a balanced tree of `+`), which synthesis may merge
 * and share: the steps of time-multiplexed layers' accumulations that can overflow (mac.ts macReuse, acc + term before
 * each saturating cast).
 */
export function sumFlat(nets: NetSink, prefix: string, vs: readonly Val[]): Val {
  let lo = 0n;
  let hi = 0n;
  let c = 0n;
  const nets_: Val[] = [];
  for (const v of vs) {
    const b = bounds(v);
    lo += b.lo;
    hi += b.hi;
    if (v.kind === 'const') c += v.value;
    else nets_.push(v);
  }
  if (nets_.length === 0) return konst(c);
  const width = Math.max(signedWidth(lo, hi), ...nets_.map(signedBits), signedWidth(c, c));
  let level: Expr[] = nets_.map((v) => sext(v, width));
  if (c !== 0n) level.push(lit(width, c, true));
  while (level.length > 1) {
    const next: Expr[] = [];
    for (let i = 0; i + 1 < level.length; i += 2) next.push(bin('+', level[i], level[i + 1]));
    if (level.length % 2) next.push(level[level.length - 1]);
    level = next;
  }
  return nets.wire(`${prefix}_s`, width, true, level[0], lo, hi);
}

/** The exact sum of values at the same scale (sumTree with every leaf added). */
export function sumExact(nets: NetSink, prefix: string, vs: readonly Val[]): Val {
  return sumTree(nets, prefix, vs.map((v) => ({ v })));
}

/** A value shifted left by k ≥ 0 bits (aligning a sum's operands to the finer scale). */
export function shiftLeft(nets: NetSink, prefix: string, v: Val, k: number): Val {
  if (k === 0) return v;
  if (v.kind === 'const') return konst(v.value << BigInt(k));
  const width = signedBits(v) + k;
  // Its low k bits are zeros (markZeros also waives their lint warning: adders do not read them).
  const s = nets.wire(`${prefix}_a`, width, true, signed(concat([sext(v, width - k), lit(k, 0n)])), v.lo << BigInt(k), v.hi << BigInt(k));
  markZeros(nets, s, nets.zerosOf(v.name) + k);
  return s;
}
