// Multiply-accumulate layers (dense, conv1d, conv2d, depthwise_conv1d/2d, docs/semantics.md sections 5 and 6) as a
// list of outputs, each a bias and its non-zero terms in the specified order, and the two ways of building it: fully
// parallel (one multiplier or shift per term) and time-multiplexed over R phases (reuse R > 1).
import { fracBits, rawRange, roundShiftRight, type FixedType, type LayerModel } from '@qnn/language';
import { quantizeValues } from '../../semantics/quantize.js';
import { bounds, castConst, castTo, konst, leafBounds, productConst, signedBits, signedWidth, sext, sumFlat, sumTree, type Leaf, type ProductPlan, type Val } from './arith.js';
import type { PlanReader } from './plan-lookup.js';
import type { ModuleNets, NodeVals } from './nets.js';
import { bin, bit, lit, ref, type Expr } from './vast.js';
import { windowGeometry } from './window.js';

/** One term: input value `x` (an index into the layer's input values) times the weight raw `w` (never 0). */
export interface MacTerm {
  readonly x: number;
  readonly w: bigint;
  /** How the plan builds the product (shift, lut with its CSD digits, dsp). */
  readonly how?: ProductPlan;
}

/** The outputs of a multiply-accumulate layer, output-major (position, then output channel). */
export interface MacSpec {
  /** Per output: the bias raw already cast to A, and its non-zero terms in summation order. */
  readonly outs: readonly { readonly bias: bigint; readonly terms: readonly MacTerm[] }[];
  readonly A: FixedType;
  readonly Y: FixedType;
  /** Fractional bits of a product (input + weight). */
  readonly fp: number;
  /** Output channels. */
  readonly O: number;
}

/**
 * The terms of every output value in docs/semantics.md's order: dense over the last axis (c ascending); conv taps
 * (ky, kx) row-major, then input channels (the weight's own order); depthwise taps for the one input channel. Zero
 * weights and padding taps are left out (they change nothing).
 */
export function macSpec(layer: LayerModel, inShape: readonly number[], X: FixedType, plan?: PlanReader): MacSpec {
  const wT = layer.consts.weight;
  const bT = layer.consts.bias;
  const Y = layer.tensor.type;
  const A = layer.types.accum ?? Y;
  const B = bT ? bT.type : Y;
  const w = quantizeValues(wT.type, wT.values()).raws;
  const C = inShape[inShape.length - 1];
  let O: number;
  let windows: readonly (readonly { readonly kp: number; readonly pix: number }[])[];
  let weightIndex: (o: number, kp: number, c: number) => number;
  let channels: (o: number) => readonly number[];
  const all = Array.from({ length: C }, (_, c) => c);
  if (layer.opName === 'dense') {
    O = layer.params.units as number;
    const positions = inShape.slice(0, -1).reduce((a, b) => a * b, 1);
    windows = Array.from({ length: positions }, (_, p) => [{ kp: 0, pix: p }]);
    weightIndex = (o, _kp, c) => c * O + o;
    channels = () => all;
  } else {
    windows = windowGeometry(layer, inShape).windows;
    if (layer.opName.startsWith('depthwise')) {
      const M = (layer.params.multiplier as number | undefined) ?? 1;
      O = C * M;
      weightIndex = (o, kp, c) => (kp * C + c) * M + (o % M);
      channels = (o) => [Math.floor(o / M)];
    } else {
      O = layer.params.filters as number;
      weightIndex = (o, kp, c) => (kp * C + c) * O + o;
      channels = () => all;
    }
  }
  const bias = bT ? quantizeValues(bT.type, bT.values()).raws : new Array<bigint>(O).fill(0n);
  const outs: { bias: bigint; terms: MacTerm[] }[] = [];
  for (const taps of windows) {
    for (let o = 0; o < O; o++) {
      const terms: MacTerm[] = [];
      for (const t of taps) {
        for (const c of channels(o)) {
          const wi = weightIndex(o, t.kp, c);
          const wr = w[wi];
          if (wr !== 0n) terms.push({ x: t.pix * C + c, w: wr, ...(plan ? { how: plan.product(layer, wi, wr, X) } : {}) });
        }
      }
      outs.push({ bias: castConst(bias[o], fracBits(B), A), terms });
    }
  }
  return { outs, A, Y, fp: fracBits(X) + fracBits(wT.type), O };
}

/**
 * Fully parallel: per output, acc = cast_A(bias); for each term, acc = cast_A(acc + cast_A(x · w)); y = cast_Y(acc).
 * Powers of two are shifts. A chain that cannot overflow is one exact sum and a WRAP accumulator one sum modulo
 * 2^width(A) (provably the same bits, see wrapSum), each an adder tree (arith.ts sumTree); a product by a negative
 * weight whose cast to A is exact either way is built for |w| and subtracted by the tree instead of negated.
 */
export function mac(nets: ModuleNets, prefix: string, spec: MacSpec, x: NodeVals): Val[] {
  const { A, Y, fp } = spec;
  const fa = fracBits(A);
  // One product (and cast) per input and weight, whichever outputs read it: synthesis does not merge adder instances.
  const products = new Map<string, Leaf>();
  // Outputs of one position with the same bias and terms (equal weight columns) are one circuit: the first one's.
  // yosys' opt_merge would merge the copies; built once, the Verilog is what the estimator counts (features.ts
  // duplicateOutputs). Equal outputs of different positions (shifted kernels) are left to synthesis.
  const built = new Map<string, Val>();
  return spec.outs.map((out, j) => {
    const key = `${Math.floor(j / spec.O)}|${out.bias}|${out.terms.map((t) => `${t.x}:${t.w}`).join(',')}`;
    const same = built.get(key);
    if (same) return same;
    const p = `${prefix}_${j}`;
    const terms: Leaf[] = out.terms.map((t, k) => {
      const xv = x.vals[t.x];
      const key = `${t.x}|${t.w}`;
      let leaf = products.get(key);
      if (!leaf) {
        const neg = t.w < 0n && negatable(xv, t.w, fp, A);
        const prod = productConst(nets, `${p}_c${k}`, xv, neg ? -t.w : t.w, neg ? negatedPlan(t.how) : t.how);
        leaf = { v: castTo(nets, `${p}_c${k}`, prod, fp, A), neg };
        products.set(key, leaf);
      }
      return leaf;
    });
    let acc: Val = konst(out.bias);
    if (terms.length >= 2 && exactChain(out.bias, terms.map(leafBounds), A)) acc = castTo(nets, `${p}_a`, sumTree(nets, `${p}_a`, [{ v: acc }, ...terms]), fa, A);
    else if (A.overflow === 'WRAP' && terms.length >= 2) acc = wrapSum(nets, p, [{ v: acc }, ...terms], A);
    else {
      terms.forEach((t, k) => {
        acc = castTo(nets, `${p}_a${k}`, sumTree(nets, `${p}_a${k}`, [{ v: acc }, t]), fa, A);
      });
    }
    const y = castTo(nets, p, acc, fa, Y);
    built.set(key, y);
    return y;
  });
}

/**
 * Whether cast_A(x · w) = −cast_A(x · (−w)) for every x: the cast only shifts left (no rounding) and neither product
 * can leave A's range (no overflow mode applies).
 */
export function negatable(x: Val, w: bigint, fp: number, A: FixedType): boolean {
  const n = fracBits(A) - fp;
  if (n < 0) return false;
  const r = rawRange(A);
  const b = bounds(x);
  const k = BigInt(n);
  for (const ww of [w, -w]) {
    const a = b.lo * ww;
    const c = b.hi * ww;
    const lo = (a < c ? a : c) << k;
    const hi = (a < c ? c : a) << k;
    if (lo < r.min || hi > r.max) return false;
  }
  return true;
}

/** The plan of the product by −w from that of w: the same kind, every canonical signed digit negated. */
export function negatedPlan(how: ProductPlan | undefined): ProductPlan | undefined {
  if (!how?.csd) return how;
  return { ...how, csd: how.csd.map((d) => ({ shift: d.shift, negative: !d.negative })) };
}

/**
 * Whether no partial sum of the chain bias, t_0, t_1, … can leave A's range: then every cast_A(acc + t) is exact (the
 * operands are already at A's scale) and the chain is one exact sum. The partial sums lie within
 * [bias + Σ min(0, lo_t), bias + Σ max(0, hi_t)].
 */
function exactChain(bias: bigint, terms: readonly { lo: bigint; hi: bigint }[], A: FixedType): boolean {
  const r = rawRange(A);
  let lo = bias;
  let hi = bias;
  for (const b of terms) {
    if (b.lo < 0n) lo += b.lo;
    if (b.hi > 0n) hi += b.hi;
  }
  return lo >= r.min && hi <= r.max;
}

/**
 * The accumulation of a WRAP accumulator as one sum modulo 2^W (W = A's width). Proof that it gives hls4ml's bits:
 * with a WRAP accumulator and operands already in the accumulator type (same scale, so no rounding), every step
 * acc = cast_A(acc + t) is acc + t reduced modulo 2^W (read back in A's range). Modular addition is associative and
 * commutative, so the chain bias, t_0, t_1, … and any tree over the same terms are congruent modulo 2^W, and both
 * results are the unique representative in A's range: the same raw. The tree's W-bit (or narrower, exact) adders
 * compute a value congruent to it, and the final cast to A (WRAP) takes its representative.
 */
function wrapSum(nets: ModuleNets, p: string, terms: readonly Leaf[], A: FixedType): Val {
  return castTo(nets, `${p}_w`, sumTree(nets, `${p}_t`, terms, A.width), fracBits(A), A);
}

/** The multiplier count of a time-multiplexed layer: ceil(non-zero terms / R). */
export function macMultipliers(spec: MacSpec, R: number): number {
  const total = spec.outs.reduce((a, o) => a + o.terms.length, 0);
  return total === 0 ? 0 : Math.ceil(total / R);
}

/** A phase counter: the register `name` of `width` bits, which counts 0 … count − 1 (count ≤ 2^width). */
export interface PhaseCounter {
  readonly name: string;
  readonly width: number;
  readonly count: number;
}

/** A value chosen in some phase; equal keys are the same value. */
interface Choice {
  readonly key: string;
  readonly expr: Expr;
}

/**
 * The value of `byPhase[phase]` as a balanced tree of 2:1 multiplexers on the counter's bits, most significant first
 * (at most `width` levels, where a chain of `phase == r` tests is one level per phase). Phases the counter never
 * reaches and undefined entries are don't-cares; a subtree whose cared-for phases all choose the same value is that
 * value. Undefined when no phase has a value.
 */
export function phaseMux(phase: PhaseCounter, byPhase: readonly (Choice | undefined)[]): Expr | undefined {
  const at = (r: number): Choice | undefined => (r < phase.count ? byPhase[r] : undefined);
  const node = (base: number, bits: number): Choice | undefined => {
    if (bits === 0) return at(base);
    const half = 1 << (bits - 1);
    const lo = node(base, bits - 1);
    const hi = base + half < phase.count ? node(base + half, bits - 1) : undefined;
    if (!lo || !hi || lo.key === hi.key) return lo ?? hi;
    // A 1-bit counter is declared without a range: the bit is the register itself.
    const test = phase.width === 1 ? ref(phase.name) : bit(phase.name, bits - 1);
    return { key: `(${bits - 1}?${hi.key}:${lo.key})`, expr: { kind: 'cond', test, then: hi.expr, else: lo.expr } };
  };
  return node(0, phase.width)?.expr;
}

/** A value as a choice of phaseMux: equal constants and equal nets are the same choice. */
const choiceOf = (v: Val, expr: Expr): Choice => ({ key: v.kind === 'const' ? `c${v.value}` : v.name, expr });

/**
 * Reuse R > 1, time-multiplexed over R phases of the counter `phase` (which may count past R − 1). The non-zero
 * terms of each output, in the specification's order, are spread over the R phases in non-decreasing order; in phase
 * r every output continues its chain with its terms of phase r, starting from the bias in phase 0 and from its
 * accumulator register after that, so the casts happen in exactly the specified order. The products of a phase share
 * the layer's ceil(non-zero weights / R) multipliers, each fed by a multiplexer of inputs and one of constant weights,
 * trees on the phase counter (phaseMux). Phases without terms hold the accumulator. The accumulators are registers of `nets.cycleEnable`; the
 * returned values are valid (combinationally) during phase R − 1.
 */
export function macReuse(nets: ModuleNets, prefix: string, spec: MacSpec, R: number, x: NodeVals, phase: PhaseCounter): Val[] {
  const { A, Y, fp } = spec;
  const fa = fracBits(A);
  const ar = rawRange(A);
  interface Term {
    readonly x: number;
    readonly w: bigint;
    readonly how?: ProductPlan;
    mult: number;
  }
  const outs: { readonly bias: bigint; readonly chunks: Term[][] }[] = [];
  const all: { out: number; t: Term }[] = [];
  spec.outs.forEach((o, j) => {
    outs.push({ bias: o.bias, chunks: Array.from({ length: R }, () => []) });
    for (const t of o.terms) all.push({ out: j, t: { x: t.x, w: t.w, ...(t.how ? { how: t.how } : {}), mult: -1 } });
  });
  // Pour the terms (outputs one after the other, each in its order) into the R phases, ceil(T / R) per phase: each
  // output's terms land in non-decreasing phases, and the busiest phase needs ceil(T / R) multipliers.
  const cap = Math.max(1, Math.ceil(all.length / R));
  const perPhase: Term[][] = Array.from({ length: R }, () => []);
  all.forEach(({ out, t }, i) => {
    const r = Math.floor(i / cap);
    t.mult = perPhase[r].push(t) - 1;
    outs[out].chunks[r].push(t);
  });
  const M = Math.max(0, ...perPhase.map((p) => p.length));
  const xOperand = (v: Val) => (v.kind === 'const' ? lit(x.type.width, v.value, x.type.signed) : ref(v.name));
  // The shared multipliers, each followed by its cast to the accumulator.
  const casts: Val[] = [];
  for (let m = 0; m < M; m++) {
    const used = perPhase.map((p, r) => ({ r, t: p[m] })).filter((u) => u.t !== undefined) as { r: number; t: Term }[];
    const xs = used.map((u) => x.vals[u.t.x]);
    const xlo = xs.map((v) => bounds(v).lo).reduce((a, b) => (a < b ? a : b));
    const xhi = xs.map((v) => bounds(v).hi).reduce((a, b) => (a > b ? a : b));
    const sw = Math.max(...used.map((u) => signedWidth(u.t.w, u.t.w)));
    // The operands in the phases where the multiplier has a term; its product is not read in the other phases.
    const xByPhase: (Choice | undefined)[] = new Array(R).fill(undefined);
    const wByPhase: (Choice | undefined)[] = new Array(R).fill(undefined);
    used.forEach((u, i) => {
      xByPhase[u.r] = choiceOf(xs[i], xOperand(xs[i]));
      wByPhase[u.r] = { key: `${u.t.w}`, expr: lit(sw, u.t.w, true) };
    });
    const xe = phaseMux(phase, xByPhase)!;
    const we = phaseMux(phase, wByPhase)!;
    const xsel = nets.wire(`${prefix}_m${m}_x`, x.type.width, x.type.signed, xe, xlo, xhi);
    if (used.every((u) => u.t.w === used[0].t.w)) {
      // One constant in every phase: that constant's multiplier (shift, CSD tree or DSP, as the plan says).
      casts.push(castTo(nets, `${prefix}_m${m}`, productConst(nets, `${prefix}_m${m}`, xsel, used[0].t.w, used[0].t.how), fp, A));
      continue;
    }
    const wsel = nets.wire(`${prefix}_m${m}_w`, sw, true, we, -(1n << BigInt(sw - 1)), (1n << BigInt(sw - 1)) - 1n);
    let lo = 0n;
    let hi = 0n;
    for (const u of used) {
      for (const xv of [xlo, xhi]) {
        const p = xv * u.t.w;
        if (p < lo) lo = p;
        if (p > hi) hi = p;
      }
    }
    const width = signedBits(xsel) + sw;
    const prod = nets.wire(`${prefix}_m${m}_p`, width, true, bin('*', sext(xsel, width), sext(wsel, width)), lo, hi);
    casts.push(castTo(nets, `${prefix}_m${m}`, prod, fp, A));
  }
  const accOperand = (v: Val) => (v.kind === 'const' ? lit(A.width, v.value, A.signed) : ref(v.name));
  /**
   * A term's value in its own phase: its input's bounds times its weight, cast to A. Tighter than its multiplier's
   * output, whose bounds cover every phase's input and weight. As castTo bounds it: every quantization mode is
   * monotone, so the rounded bounds when they fit A; A's range when not (SAT_ZERO is not monotone, WRAP wraps).
   */
  const termBounds = (t: Term) => {
    const b = bounds(x.vals[t.x]);
    const n = fp - fa;
    const [u, v] = [b.lo * t.w, b.hi * t.w].map((p) => (n > 0 ? roundShiftRight(p, n, A.quant) : p << BigInt(-n)));
    const lo = u < v ? u : v;
    const hi = u < v ? v : u;
    return lo >= ar.min && hi <= ar.max ? { lo, hi } : { lo: ar.min, hi: ar.max };
  };
  // The phase sums of exact chains draw on one tree over the multipliers' outputs (a segment tree: node [lo, hi) adds
  // its two halves), each node an adder instance built once for the layer. A phase's chunk adds contiguous multipliers
  // [a, b), the sum of the O(log M) nodes that cover them, so outputs that add the same multipliers in different phases
  // share their partial sums: reuse shares adders as well as multipliers. Every node and chunk sum is computed modulo
  // 2^A.width: a chunk's true sum fits A (exact chain), and addition modulo 2^W is exact for every value that fits W
  // bits.
  const nodes = new Map<string, Val>();
  const node = (lo: number, hi: number): Val => {
    if (hi - lo === 1) return casts[lo];
    const key = `${lo}:${hi}`;
    let v = nodes.get(key);
    if (!v) {
      const mid = (lo + hi) >> 1;
      v = sumTree(nets, `${prefix}_t${lo}_${hi}`, [{ v: node(lo, mid) }, { v: node(mid, hi) }], A.width);
      nodes.set(key, v);
    }
    return v;
  };
  const cover = (a: number, b: number, lo: number, hi: number, out: Val[]): Val[] => {
    if (b <= lo || hi <= a) return out;
    if (a <= lo && hi <= b) out.push(node(lo, hi));
    else {
      const mid = (lo + hi) >> 1;
      cover(a, b, lo, mid, out);
      cover(a, b, mid, hi, out);
    }
    return out;
  };
  return outs.map((out, j) => {
    const p = `${prefix}_${j}`;
    if (out.chunks.every((c) => c.length === 0)) return castTo(nets, p, konst(out.bias), fa, Y);
    // A chain that cannot overflow (exactChain) is one exact sum per phase. The accumulator then holds partial sums:
    // after phase r, within `through[r]` (the bias and the bounds of the terms of phases 0 … r), so neither a phase's
    // sum nor the register needs a saturating cast (and the output's cast sees the chain's bounds, not A's).
    let plo = out.bias;
    let phi = out.bias;
    const through = out.chunks.map((c) => {
      for (const b of c.map(termBounds)) {
        if (b.lo < 0n) plo += b.lo;
        if (b.hi > 0n) phi += b.hi;
      }
      return { lo: plo, hi: phi };
    });
    // exactChain's test on the bounds of every partial sum, which `through` has already summed.
    const exact = plo >= ar.min && phi <= ar.max;
    // The register's bounds: every partial sum, and 0 (its power-up value, before the first phase 0 writes it). A
    // chain of one value (every term constant, as after a layer of zero weights) keeps A's range: bounds of one point
    // would fold the register, and its stage, which the plan times (plan-latency.test.ts), into a constant.
    const point = plo === phi && plo === 0n;
    const accLo = exact && !point ? (plo < 0n ? plo : 0n) : ar.min;
    const accHi = exact && !point ? (phi > 0n ? phi : 0n) : ar.max;
    const acc = nets.reg(`${p}_acc`, A.width, A.signed, lit(A.width, 0n), accLo, accHi, nets.cycleEnable);
    // Chunks of the same multipliers added to the same start (the accumulator, or the bias in phase 0) are the same
    // sum: built once, so the phases that add it share one net (and phaseMux one choice). Its bounds are those of the
    // last phase that adds it (the partial sums' bounds only widen from phase to phase).
    const keyOf = (r: number) => `${r === 0 ? `b${out.bias}` : 'acc'}|${out.chunks[r].map((t) => t.mult).join(',')}`;
    const lastOf = new Map<string, number>();
    out.chunks.forEach((_, r) => lastOf.set(keyOf(r), r));
    const built = new Map<string, Val>();
    const results = out.chunks.map((chunk, r) => {
      const key = keyOf(r);
      const seen = built.get(key);
      if (seen) return seen;
      const v = chunkSum(chunk, r, through[lastOf.get(key)!]);
      built.set(key, v);
      return v;
    });
    function chunkSum(chunk: Term[], r: number, known: { lo: bigint; hi: bigint }): Val {
      let a: Val = r === 0 ? konst(out.bias) : acc;
      if (exact && chunk.length >= 1) {
        const parts = cover(chunk[0].mult, chunk[chunk.length - 1].mult + 1, 0, M, []);
        const sum = sumTree(nets, `${p}_r${r}`, [a, ...parts].map((v) => ({ v })), A.width);
        // The chunk's value is a partial sum of the chain: its bounds are the chain's through this phase.
        const k = sum.kind === 'const' ? sum : nets.wire(`${p}_r${r}_k`, signedBits(sum), true, ref(sum.name), known.lo, known.hi);
        return castTo(nets, `${p}_r${r}`, k, fa, A);
      }
      chunk.forEach((t, i) => {
        a = castTo(nets, `${p}_r${r}_${i}`, sumFlat(nets, `${p}_r${r}_${i}`, [a, casts[t.mult]]), fa, A);
      });
      return a;
    }
    // Every phase the counter reaches either adds its chunk (phase 0 from the bias) or holds the accumulator.
    const hold: Choice = { key: acc.name, expr: ref(acc.name) };
    const nextByPhase: (Choice | undefined)[] = Array.from({ length: phase.count }, (_, r) => {
      if (r >= R || (r > 0 && out.chunks[r].length === 0)) return hold;
      return choiceOf(results[r], accOperand(results[r]));
    });
    const accNext = nets.wire(`${p}_next`, A.width, A.signed, phaseMux(phase, nextByPhase)!, accLo, accHi);
    nets.setNext(acc.name, ref(accNext.name));
    return castTo(nets, p, accNext, fa, Y);
  });
}
