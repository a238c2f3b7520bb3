// The structural features of a layer as the Verilog backend builds it: adder, saturation, multiplexer, ROM and register
// bits, multipliers by kind, and the depth of its combinational path. The cost model (cost-model.ts) turns them into
// LUT, FF and fmax figures with coefficients fitted to yosys and nextpnr (compiler/calibrate). The walk mirrors
// backends/verilog (arith.ts castTo, productConst, sumExact; generate.ts dense, denseReuse, pooling, tables) with raw
// bounds as doubles: exact up to 2^53, and what the estimate needs beyond.
import { fixedType, fracBits, quantizeToDouble, roundsUp, type ConstTensor, type FixedType, type LayerModel } from '@qnn/language';
import { classifyConstant } from '../plan/multipliers.js';
import type { ConstantPlan, ReuseSchedule } from '../plan/types.js';
import { alphaType } from '../semantics/alpha.js';
import { batchnormCoefficients } from '../semantics/batchnorm.js';
import { windowGeometry } from '../backends/verilog/window.js';
import { softmaxTables } from '../semantics/softmax.js';
import { activationTable } from '../semantics/tables.js';
import productLutTable from './product-luts.json' with { type: 'json' };
import { castConst, TABLE_INPUT_BITS, treeShape } from '../backends/verilog/arith.js';

/** Resource features: each is a count the cost tables weigh. */
export interface Features {
  /**
   * Bits of adders and subtractors of two variables written as expressions (carry chains): the add layer, average
   * pooling's sum, two-digit canonical-signed-digit products. One LUT per bit on both flows (the sum's XOR).
   */
  addBits: number;
  /**
   * Bits of adders of a variable and a constant (x + c): a constant added at a sum's root, a bias, a table index's
   * offset. Their carry chain's propagate input is the variable bit or its inverse, so synth_xilinx needs no LUT for
   * it (an INV at most, which is not a LUT cell); synth_ice40 builds a LUT per bit.
   */
  caddBits: number;
  /**
   * Bits of subtractions of a variable from a constant (c − x, and negations 0 − x): a sum whose terms are all
   * subtracted, a product by −2^k. No LUT on synth_xilinx (as caddBits); about two LUTs per bit on synth_ice40.
   */
  negBits: number;
  /**
   * Bits of the rounding increments of casts that drop fraction bits (an incrementer each, which wreduce may trim). A
   * cast whose dropped bits are known zeros (the value's trailing zeros: a product by 2^k, a constant's zero bits) is
   * exact and has none: yosys folds the increment of a constant 0 away.
   */
  rndBits: number;
  /**
   * Rounding increments (one per cast counted in rndBits). On synth_xilinx an increment is a carry chain whose only
   * LUT is its lowest bit's sum (the other bits feed the chain directly): c166, c195.
   */
  rndOps: number;
  /** Bits of overflow logic of non-WRAP casts that can overflow (a range test and a mux per bit). */
  satBits: number;
  /** Bits of 2:1 multiplexers (relu, leaky_relu, relu6) and comparators (max pooling, softmax maximum). */
  muxBits: number;
  /**
   * Of muxBits, those of 2:1 selects between two variable values (leaky_relu's x and α · x on x's sign), which no
   * register's reset absorbs as it does relu's select of 0: synth_xilinx builds a LUT per bit (c90: 11 LUTs per 12-bit
   * output).
   */
  selBits: number;
  /** Bits of magnitude comparators (max pooling, the softmax maximum): a subtraction's carry chain each. */
  cmpBits: number;
  /**
   * Full adders of the carry-save trees of multi-operand sums that yosys' alumacc merges into one $macc (an exact or
   * wrapping accumulation of a dense output: its terms, and the shifted copies of its constant multipliers' inputs
   * when the products need no slicing): non-constant addend bits − 2 × the sum's width.
   */
  maccBits: number;
  /**
   * Bits of the adder instances of sum trees (backends/verilog/arith.ts sumTree: exact sums, WRAP accumulations,
   * canonical-signed-digit products, and the shared segment tree and per-phase sums of exact reuse chains): Σ of every
   * node's width, which synthesis maps to one carry chain each.
   */
  treeBits: number;
  /**
   * The bits of treeBits in subtractor nodes (a tree's subtracted leaves meet its added ones in one subtractor). On
   * iCE40 a subtractor is 2 LUT4s a bit, an adder 1: SB_CARRY cannot invert its operand, so ~b is a LUT of its own.
   */
  subBits: number;
  /**
   * Bits of constant products of inputs no wider than a LUT's inputs (6 on xc7, 4 on iCE40) that product-luts.json
   * does not list (a `*` the plan gives a DSP but synthesis builds in logic; weights beyond its range): one LUT each.
   */
  tableBits: number;
  /**
   * LUTs of the canonical-signed-digit products of narrow inputs (≤ 6 signed bits, written as one expression), as yosys
   * builds each one alone: measured per flow, input width and weight (product-luts.json, compiler/calibrate/products.mjs).
   */
  prodLuts: number;
  /**
   * prodLuts of products that no sum of other products takes in (a batchnorm's x · scale, with its offset; leaky_relu's
   * α · x): yosys builds them as measured, where a dense layer's products merge into its sum's $macc and cost less.
   */
  prodAloneLuts: number;
  /**
   * Addend bits of the accumulation steps of time-multiplexed layers (reuse R > 1) whose chain can overflow the
   * accumulator: every term of a phase's chunk is acc + term and a saturating cast, k + 1 addends × the accumulator
   * width per chunk. (Exact chains are adder trees shared across the layer: treeBits.)
   */
  raccBits: number;
  /**
   * raccBits / R, so that the fit prices an addend bit of the accumulation sums as a + b / R: yosys' share pass merges
   * the phases' sums into fewer adders for a large R, at R = 2 they stay apart (measured: about 1.2 LUTs per raccBit at
   * R = 2, 0.5–0.7 at R = 8 or 16).
   */
  raccSplitBits: number;
  /**
   * The accumulators' next-value selects of time-multiplexed layers: (choices − 1) × the accumulator width per output,
   * a choice per distinct phase sum, the bias when phase 0 has no term of the output, the held value when a later
   * phase has none (p03_phases: four choices of 14 bits per output).
   */
  raccSelBits: number;
  /** Σ a·b over multipliers built in logic (neither a DSP block nor a shift). */
  lutMulBits: number;
  /**
   * The bits of lutMulBits in multipliers of two variables (a reuse multiplier whose weight changes with the phase,
   * softmax's e · inv): every partial product a variable AND, where a constant's rows are the input's shifted copies
   * (synth_ice40: about two LUT4s per bit product; blind c240_dense_reuse's twelve 12 × 8 multipliers, 2,509 LUT4s).
   */
  varMulBits: number;
  /**
   * Per read of a sigmoid or tanh ROM of more reachable entries than a LUT tells apart: LUT cells of its output bits
   * (romCellsOf by content; romCells, width × max(1, entries / 64) on xc7, / 16 on iCE40, without a table type).
   */
  romBits: number;
  /**
   * A read through a clamped index (x reaches beyond the table's range): synthesis folds the clamp into the table
   * and builds a function of the sw index bits before the clamp, so this counts the cells of a table of 2^sw entries
   * (romCells). Measured with synth_xilinx on a 256-entry tanh: 30 LUTs read by x's bits, 31 by a rounded x (no clamp),
   * 75, 97 and 140 through a 10- or 11-bit clamped index (docs/estimate.md, the thirteenth round).
   */
  romIdxBits: number;
  /** Per read of softmax's exponent and inverse ROMs: its LUT cells (romCellsOf), kept apart from romBits. */
  smRomBits: number;
  /** LUTs of ROM reads with few reachable entries (romLutsOf): one per output bit that varies. */
  romLuts: number;
  /** Division by a constant (average pooling with a window that is not a power of two): w² per divider. */
  divBits: number;
  /** Bits of the reuse multiplexers: operand bits × (distinct inputs − 1). */
  rmuxBits: number;
  /** Flip-flop bits: pipeline, delay and accumulator registers. */
  regBits: number;
  /** Output register bits of outputs with a DSP product, which xilinx_dsp can pack into P registers, as a negative. */
  dspRegBits: number;
  /** DSP blocks. */
  dsp: number;
}

/** The longest combinational path of a layer, in the units of the delay table. */
export interface PathFeatures {
  /** The design's logic size in thousands of bits (routing delay grows with it); set for the whole network. */
  size: number;
  adders: number;
  maxWidth: number;
  levels: number;
  /** Operand bits of softmax's product, a multiplier of two variables in logic (other multipliers count as levels). */
  mulBits: number;
  roms: number;
  /**
   * 1 on the path from a network output's last register through its combinational logic into the serial wrapper's
   * output shift register (what nextpnr times: the wrapper's capture multiplexer and reset logic follow it), else 0.
   */
  out: number;
  /**
   * Compare-then-select stages in series (relu's x > 0, max pooling's and softmax's maximum): a carry chain whose
   * result fans out to the select of every bit (a high-fanout net), slower than its levels say.
   */
  sel: number;
  /**
   * The square root of the bits a reuse > 1 layer's phase counter selects (its operand and accumulator multiplexers),
   * in thousands: the phase select's fan-out, a net no global buffer drives on iCE40, whose routing spans the sinks'
   * area (its delay grows with the square root of the sinks: linear in the sinks, the fit overestimated the widest
   * layer, `c79_dense_reuse_wide`'s 1,530 sinks, by 30 % on the HX8K); 0 elsewhere.
   */
  fanout: number;
  /**
   * 1 when a table's index goes through a rounding increment (a carry chain) on the path: abc maps the index logic,
   * its clamp and the table as one cone of the register bits when no carry chain cuts it (nextpnr: t13's and t17's
   * 256-entry reads are 6 to 7 LUT levels), not across the chain's sum outputs (t11's, t18's 12 levels).
   */
  romInc: number;
  /**
   * log2 of the products written as one expression (a narrow input's shift-and-add, a `*` in logic) that read the
   * input of such a product on the path, when they are two or more (of its layer, times the layers of products reading
   * the same values): abc merges their adder networks (they add the same input's shifted copies) and the path runs
   * through the others' logic (nextpnr: a 6-bit input times 4-digit weights, 2 LUT levels for one output, 5 for two to
   * eight; with four inputs 6, 9, 10 and 12 levels for one, two, four and eight outputs). 0 otherwise.
   */
  shared: number;
}

export interface LayerFeatures {
  readonly f: Features;
  readonly path: PathFeatures;
  readonly mults: { dsp: number; lut: number; shift: number; skip: number };
  /** Multiplications a fully unrolled HLS implementation performs (non-zero weights), and its adds. */
  readonly hlsOps: number;
  /**
   * The raw range of the layer's outputs when it is narrower than its type's (a dense layer whose casts cannot
   * overflow, relu of such values): the next layer's sums are as narrow as these values need, as the backend, which
   * tracks every value's range through registers, builds them.
   */
  readonly out?: B;
  /**
   * Per index of the last axis (a dense unit), the raw range of the outputs there (over every position), when the layer
   * tracks it: the backend tracks every value's range, so a table read (softmax) reaches only that value's entries.
   */
  readonly chan?: readonly B[];
  /**
   * Every output is a constant although the layer reads variables: relu (or relu6) of values that are never positive
   * (a range the layer before tracks) is 0, which synthesis folds, and the layers before lose that reader.
   */
  readonly constant?: boolean;
  /**
   * Register bits of the layer's outputs that yosys' opt_merge merges: the registers of outputs equal to an earlier
   * one, and the bits of a value of a narrow range that are copies of its sign bit (or constant zeros). The plan counts
   * the registers the Verilog declares; the flip-flops are these fewer.
   */
  readonly regMerged?: number;
}

export const FEATURE_NAMES = ['addBits', 'caddBits', 'negBits', 'rndBits', 'rndOps', 'satBits', 'muxBits', 'selBits', 'cmpBits', 'maccBits', 'treeBits', 'subBits', 'tableBits', 'prodLuts', 'prodAloneLuts', 'raccBits', 'raccSplitBits', 'raccSelBits', 'lutMulBits', 'varMulBits', 'romBits', 'romIdxBits', 'smRomBits', 'romLuts', 'divBits', 'rmuxBits'] as const;
export const PATH_NAMES = ['size', 'adders', 'maxWidth', 'levels', 'mulBits', 'roms', 'out', 'sel', 'fanout', 'romInc', 'shared'] as const;

export type Flow = 'xc7' | 'ice40';

export const emptyFeatures = (): Features => ({ addBits: 0, caddBits: 0, negBits: 0, rndBits: 0, rndOps: 0, satBits: 0, muxBits: 0, selBits: 0, cmpBits: 0, maccBits: 0, treeBits: 0, subBits: 0, tableBits: 0, prodLuts: 0, prodAloneLuts: 0, raccBits: 0, raccSplitBits: 0, raccSelBits: 0, lutMulBits: 0, varMulBits: 0, romBits: 0, romIdxBits: 0, smRomBits: 0, romLuts: 0, divBits: 0, rmuxBits: 0, regBits: 0, dspRegBits: 0, dsp: 0 });
/** Every key of Features: the logic features, then registers and DSP tiles. */
const ALL_FEATURES = [...FEATURE_NAMES, 'regBits', 'dspRegBits', 'dsp'] as const satisfies readonly (keyof Features)[];

/** into += times × from, feature by feature. */
export function addFeatures(into: Features, from: Features, times = 1): void {
  for (const k of ALL_FEATURES) into[k] += times * from[k];
}
export const emptyPath = (): PathFeatures => ({ size: 0, adders: 0, maxWidth: 0, levels: 0, mulBits: 0, roms: 0, out: 0, sel: 0, fanout: 0, romInc: 0, shared: 0 });

interface B {
  lo: number;
  hi: number;
}

/** 2^n for integer n in [−1100, 1100] from a table (the estimate's hot path), Math.pow otherwise. */
const POW2 = new Float64Array(2201).map((_, i) => Math.pow(2, i - 1100));
const pow2 = (n: number) => (n >= -1100 && n <= 1100 && Number.isInteger(n) ? POW2[n + 1100] : Math.pow(2, n));

const ranges = new WeakMap<FixedType, B>();
/** Raw range of a type as doubles (cached per type object; never mutated). */
function range(t: FixedType): B {
  let r = ranges.get(t);
  if (!r) ranges.set(t, (r = t.signed ? { lo: -pow2(t.width - 1), hi: pow2(t.width - 1) - 1 } : { lo: 0, hi: pow2(t.width) - 1 }));
  return r;
}

/** The smallest k such that [lo, hi] fits k-bit two's complement. */
export function signedWidth(lo: number, hi: number): number {
  // Integers of 31 bits (the estimate's usual bounds): exact with clz32, no logarithm.
  if ((lo | 0) === lo && (hi | 0) === hi) {
    const a = 33 - Math.clz32(lo < 0 ? ~lo : lo);
    const b = 33 - Math.clz32(hi < 0 ? ~hi : hi);
    return a > b ? a : b;
  }
  return signedWidthSlow(lo, hi);
}

function signedWidthSlow(lo: number, hi: number): number {
  // bits(v) for v ≥ 0 is the k with 2^(k−2) ≤ v < 2^(k−1); for v < 0, −2^(k−1) ≤ v < −2^(k−2).
  const need = (v: number) => (v >= 0 ? (v === 0 ? 1 : Math.floor(Math.log2(v)) + 2) : v === -1 ? 1 : Math.ceil(Math.log2(-v)) + 1);
  let k = Math.max(need(lo), need(hi));
  // Correct the rare rounding of log2 near powers of two.
  while (k > 1 && lo >= -pow2(k - 2) && hi <= pow2(k - 2) - 1) k--;
  while (lo < -pow2(k - 1) || hi > pow2(k - 1) - 1) k++;
  return k;
}

const typeSignedBits = (t: FixedType) => t.width + (t.signed ? 0 : 1);

/** Quantized weight raws as doubles, cached per tensor (weights are immutable values of the model). */
const rawCache = new WeakMap<ConstTensor, Float64Array>();
export function raws(t: ConstTensor): Float64Array {
  let r = rawCache.get(t);
  if (!r) {
    const v = t.values();
    r = new Float64Array(v.length);
    const scale = Math.pow(2, fracBits(t.type));
    const rr = range(t.type);
    // A fast exact path for the common case (in range, no tie in a mode that breaks ties its own way); otherwise
    // quantizeToDouble, which is exact for every case. Raws beyond 2^53 lose low bits, which the estimate does not need.
    for (let i = 0; i < v.length; i++) {
      const q = fastRaw(t.type.quant, v[i] * scale, rr);
      r[i] = q ?? quantizeToDouble(t.type, v[i]).value * scale;
    }
    rawCache.set(t, r);
  }
  return r;
}

/** The quantized raw of s = x · 2^F when it is in range and no tie needs the mode's own rule; else undefined. */
function fastRaw(quant: FixedType['quant'], s: number, r: B): number | undefined {
  if (!(Math.abs(s) < 4503599627370496)) return undefined;
  const f = Math.floor(s);
  const frac = s - f;
  let q: number;
  if (frac === 0 || quant === 'TRN') q = f;
  else if (quant === 'TRN_ZERO') q = s < 0 ? f + 1 : f;
  else if (frac !== 0.5) q = frac > 0.5 ? f + 1 : f;
  else if (quant === 'RND') q = f + 1;
  else return undefined;
  return q >= r.lo && q <= r.hi ? q : undefined;
}

const classified = [new Map<number, ConstantPlan>(), new Map<number, ConstantPlan>()];
/** The plan's classification of x · w for an operand of sv bits (memoized: weights repeat across layers and models). */
function classify(w: number, sv: number, dsp: boolean): ConstantPlan {
  const m = classified[dsp ? 1 : 0];
  if (m.size > 200_000) m.clear();
  const key = w * 128 + sv; // sv < 128 in practice; a collision only costs a wrong memo when sv ≥ 128, so check it
  let c = m.get(key);
  if (!c || sv >= 128) {
    c = classifyConstant(BigInt(w), { operandBits: sv, dspAvailable: dsp });
    if (sv < 128) m.set(key, c);
  }
  return c;
}

type ProductTable = Record<Flow, Record<string, Record<string, number>>>;
const PRODUCT_LUTS = productLutTable as unknown as { readonly maxWeight: number; readonly withOffset: ProductTable } & ProductTable;
/**
 * LUTs that yosys builds for the flat canonical-signed-digit product of a signed input of sv bits by w (measured alone,
 * every product bit read; product-luts.json): the same for w · 2^k, whose digits are shifted. With `withOffset`, the
 * product with a constant added (a batchnorm's offset), which yosys merges into the product's own $macc. Undefined
 * outside the measured range.
 */
export function productLuts(flow: Flow, sv: number, w: number, withOffset = false): number | undefined {
  let m = w;
  while (m !== 0 && m % 2 === 0) m /= 2;
  if (Math.abs(m) > PRODUCT_LUTS.maxWeight) return undefined;
  return (withOffset ? PRODUCT_LUTS.withOffset : PRODUCT_LUTS)?.[flow]?.[sv]?.[m];
}

interface BatchnormRaws {
  readonly s: readonly number[];
  readonly o: readonly number[];
  readonly sFrac: number;
  readonly oFrac: number;
}
const bnMemo = new WeakMap<LayerModel, BatchnormRaws | undefined>();
/**
 * A batchnorm layer's per-channel scale and offset raws as the backend builds them (semantics/batchnorm.ts: the folded
 * form's scale and bias, or the standalone form's s and o computed from gamma, beta, mean and variance); undefined
 * without constants.
 */
export function batchnormRaws(layer: LayerModel): BatchnormRaws | undefined {
  if (bnMemo.has(layer)) return bnMemo.get(layer);
  const r = layer.consts.scale || layer.consts.gamma ? batchnormCoefficients(layer) : undefined;
  const v = r ? { s: r.s.map(Number), o: r.o.map(Number), sFrac: fracBits(r.sType), oFrac: fracBits(r.oType) } : undefined;
  bnMemo.set(layer, v);
  return v;
}

/** Whether |w| is a power of two (the product is a shift). */
export function isPow2(w: number): boolean {
  const a = Math.abs(w);
  if (a < 2147483648) return a !== 0 && (a & (a - 1)) === 0;
  return Number.isInteger(Math.log2(a));
}

/** Non-zero digits of the canonical signed-digit form of an integer (a LUT multiplier needs that many − 1 adders). */
export function csdDigits(w: number): number {
  let x = Math.abs(w);
  // The non-adjacent form's weight is popcount((x >> 1) ^ (x + (x >> 1))) (exact below 2^30).
  if (x < 1073741824 && (x | 0) === x) {
    let c = (x >>> 1) ^ (x + (x >>> 1));
    c = c - ((c >>> 1) & 0x55555555);
    c = (c & 0x33333333) + ((c >>> 2) & 0x33333333);
    return (((c + (c >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
  }
  let n = 0;
  while (x !== 0) {
    if (x % 2 !== 0) {
      n++;
      x = x % 4 === 3 ? x + 1 : x - 1;
    }
    x /= 2;
  }
  return n;
}

/**
 * How constant multipliers are priced. `plan` (the default): as the plan classifies them (plan/multipliers.ts) and
 * backends/verilog builds them — ±2^k as shifts, small constants as shift-and-add trees over their canonical signed
 * digits, the others as `*`, which yosys maps to DSP48E1 tiles on xc7 above its minimum widths and to logic otherwise
 * (always on iCE40: synth_ice40 runs without -dsp). `written`: every non-power-of-two constant as `*` (the backend
 * before it followed the plan; kept for comparisons). Shared multipliers of reuse > 1 are always a `*` of multiplexed
 * operands, whose mapping yosys decides. estimate-yosys.test.ts checks the DSP count against yosys.
 */
export type MultiplierPricing = 'written' | 'plan';

/**
 * DSP blocks that yosys synth_xilinx -family xc7 uses for a signed a × b multiplier (mul2dsp with 25 × 18 DSP48E1
 * tiles, 18-bit partial slices, minimum widths 2 and product width 9; unsigned operands gain a sign bit).
 */
export function xc7DspTiles(a: number, b: number, y = a + b): number {
  if (a < 2 || b < 2 || y < 9) return 0;
  if (a < b) [a, b] = [b, a];
  let tiles = 1;
  if (a > 25) {
    const n = Math.floor((a - 25 + 18 - 1 - 1) / (18 - 1));
    const last = a - n * 17;
    tiles = n * xc7DspTiles(18, b) + Math.max(1, xc7DspTiles(last, b));
    return tiles;
  }
  if (b > 18) {
    const n = Math.floor((b - 18 + 18 - 1 - 1) / (18 - 1));
    const last = b - n * 17;
    return n + Math.max(1, xc7DspTiles(a, last));
  }
  return tiles;
}

/** The known-zero low bits of an integer constant (0: every bit; capped at 64). */
export function trailingZeros(c: number): number {
  let v = Math.abs(c);
  if (v === 0) return 64;
  let k = 0;
  while (k < 64 && v % 2 === 0) {
    v /= 2;
    k++;
  }
  return k;
}

/** An addend of a sum tree: its bounds, its known-zero low bits and whether it is subtracted. */
export interface TreeLeaf {
  readonly lo: number;
  readonly hi: number;
  readonly tz: number;
  readonly neg: boolean;
}

/** Collects the features of one layer. */
class Acc {
  readonly f = emptyFeatures();
  readonly path = emptyPath();
  readonly mults = { dsp: 0, lut: 0, shift: 0, skip: 0 };
  hlsOps = 0;
  /** Register bits that synthesis merges (LayerFeatures.regMerged). */
  regMerged = 0;
  constructor(
    readonly flow: Flow,
    readonly pricing: MultiplierPricing = 'plan',
  ) {}

  /**
   * cast_to(v) for v at fromFrac fractional bits (arith.ts castTo); returns the result's bounds. `tz`: v's low bits that
   * are known zeros (a cast that drops no more than those is exact: no rounding increment).
   */
  cast(v: B, width: number, fromFrac: number, to: FixedType, path?: PathFeatures, tz = 0): B {
    const n = fromFrac - fracBits(to);
    const r = range(to);
    let q: B;
    let wq = width;
    if (n <= 0) {
      q = { lo: v.lo * pow2(-n), hi: v.hi * pow2(-n) };
      wq = width - n;
    } else {
      // backends/verilog castTo: the rounded bounds (every quantization mode is monotone).
      q = { lo: roundShift(v.lo, n, to.quant), hi: roundShift(v.hi, n, to.quant) };
      wq = Math.max(width, n + 1) - n;
      if (to.quant !== 'TRN' && tz < n) {
        // synth_xilinx: a LUT for the lowest bit, the others feed the carry chain; synth_ice40: a LUT per bit, of the
        // bits something reads: the result's own when it fits or wraps (yosys trims the increment to them), all of
        // them when a saturation tests the top ones.
        if (this.flow === 'xc7') this.f.rndOps++;
        else this.f.rndBits += ((q.lo >= r.lo && q.hi <= r.hi) || to.overflow === 'WRAP' ? Math.min(wq, to.width) : wq) + 1;
        wq += 1;
        if (path) {
          path.adders++;
          path.maxWidth = Math.max(path.maxWidth, wq);
        }
      }
    }
    if (q.lo >= r.lo && q.hi <= r.hi) return q;
    if (to.overflow === 'WRAP') return r;
    this.f.satBits += to.width + Math.max(0, wq - to.width);
    // Saturation: whether the top wq − width + 1 bits are all equal (a tree of LUT4s, 4 bits a level), then the select.
    if (path) path.levels += Math.ceil(Math.log(Math.max(2, wq - to.width + 1)) / Math.log(4)) + 1;
    return r;
  }

  /** Runs `build` (a productConst) and counts its prodLuts as prodAloneLuts: a product no sum of products takes in. */
  aloneProduct<T>(build: () => T): T {
    const before = this.f.prodLuts;
    const r = build();
    this.f.prodAloneLuts += this.f.prodLuts - before;
    this.f.prodLuts = before;
    return r;
  }

  /**
   * The product x · w of an input of signed bits sv and bounds xb with a constant weight raw w ≠ 0, built as the plan
   * classifies it (plan/multipliers.ts): a shift for ±2^k, a shift-and-add tree over the canonical signed digits for
   * `lut`, a `*` for `dsp` (which yosys maps to DSP48E1 tiles, or to logic below its minimum widths).
   */
  productConst(xb: B, sv: number, w: number, path?: PathFeatures, need = Infinity, drop = 0, offset = false): { b: B; width: number; tz: number; inline?: number; offsetJoined?: boolean; instances?: true } {
    const a = xb.lo * w;
    const c = xb.hi * w;
    const b = { lo: Math.min(a, c), hi: Math.max(a, c) };
    if (isPow2(w)) {
      const k = Math.log2(Math.abs(w));
      this.mults.shift++;
      if (w < 0) {
        // −(x · 2^k): the negation of x's sv + 1 bits (the k low bits are zeros, no logic; measured with synth_ice40:
        // −(x << 3) of a 4-bit x is 8 LUT4s, as −x is). A constant added to it (a batchnorm's offset) joins the same
        // chain, c − x · 2^k (7 LUT4s with the offset).
        this.f.negBits += sv + 1;
        if (path) {
          path.adders = Math.max(path.adders, 1);
          // iCE40: SB_CARRY cannot invert an operand, so ~x is a LUT before the chain (subBits).
          if (this.flow === 'ice40') path.levels = Math.max(path.levels, 1);
        }
        return { b, width: sv + k + 1, tz: k, inline: 1, ...(offset ? { offsetJoined: true } : {}) };
      }
      return { b, width: sv + k + 1, tz: k };
    }
    const bw = signedWidth(w, w);
    const plan = this.pricing === 'plan' ? classify(w, sv, planDsp) : undefined;
    // An input of no more bits than a LUT has inputs, a product the plan does not give as canonical signed digits (a
    // `*` in logic): a table of the product bits that are read.
    const tiles0 = plan && plan.kind === 'lut' && plan.csd ? 0 : this.flow === 'xc7' ? xc7DspTiles(sv, bw, Math.min(sv + bw, need)) : 0;
    const measured = plan && plan.kind === 'lut' && plan.csd && sv <= TABLE_INPUT_BITS ? productLuts(this.flow, sv, w) : undefined;
    // `offset`: a constant is added to the product (a batchnorm's offset). For a measured product, the measured cost of
    // the product with the constant merged into its $macc replaces the product's and the constant adder's.
    const joined = offset && measured !== undefined ? productLuts(this.flow, sv, w, true) : undefined;
    // A measured product is one expression of carry chains (below), not a table: yosys maps its adders to carry
    // chains before abc sees the logic.
    if (tiles0 === 0 && sv <= (this.flow === 'xc7' ? 6 : 4) && measured === undefined) {
      this.mults.lut++;
      this.f.tableBits += Math.max(1, Math.min(sv + bw, need) - drop);
      if (path) {
        if (this.flow === 'ice40') {
          // synth_ice40 builds the `*` as the constant `*` in logic below (nextpnr: n02's 3-bit x · 19661 is three
          // LUT levels and a 12-step carry chain), whatever LUTs abc then packs it into.
          path.adders = Math.max(path.adders, 1);
          path.maxWidth = Math.max(path.maxWidth, sv + bw);
          path.levels = Math.max(path.levels, Math.ceil(Math.log2(Math.max(2, bw))));
        } else path.levels = Math.max(path.levels, 1);
      }
      return { b, width: sv + bw, tz: 0 };
    }
    if (plan && plan.kind === 'lut' && plan.csd && sv > TABLE_INPUT_BITS) {
      // A tree of adder instances over the input's shifted copies, modulo 2^(sv + top + 2) (arith.ts productConst).
      const top = plan.csd[plan.csd.length - 1].shift;
      const width = sv + top + 2;
      this.mults.lut++;
      const copies: TreeLeaf[] = plan.csd.map((d) => ({ lo: xb.lo * pow2(d.shift), hi: xb.hi * pow2(d.shift), tz: Math.min(d.shift, sv + d.shift - 1), neg: d.negative }));
      const t = this.tree(copies, 0, width);
      if (path) {
        path.adders = Math.max(path.adders, t.depth);
        path.maxWidth = Math.max(path.maxWidth, t.width);
        // x · 2^a − x · 2^b: the subtrahend's inversion is a LUT level before the one chain (iCE40, subBits); with
        // more digits an adder before the subtractor runs beside it.
        if (this.flow === 'ice40' && copies.length === 2 && copies[0].neg !== copies[1].neg) path.levels = Math.max(path.levels, 1);
      }
      return { b, width: Math.min(t.width, signedWidth(b.lo, b.hi)), tz: t.tz, instances: true };
    }
    if (plan && plan.kind === 'lut' && plan.csd) {
      const digits = plan.csd.length;
      const span = plan.csd[digits - 1].shift - plan.csd[0].shift;
      this.mults.lut++;
      // One expression (arith.ts productConst): two digits are one adder (a carry chain); more are one $macc, a
      // carry-save tree of digits − 2 full-adder rows (a LUT level per 3:2 step) and one carry chain. A constant
      // added to the expression (a batchnorm's offset) joins the same $macc (measured with yosys synth_ice40).
      if (joined !== undefined) this.f.prodLuts += joined;
      else if (measured !== undefined) this.f.prodLuts += measured;
      else {
        this.f.addBits += sv + span + 1;
        if (digits > 2) this.f.maccBits += (digits - 2) * (sv + span + 1);
      }
      if (path) {
        path.adders = Math.max(path.adders, 1);
        // Two digits of opposite signs: one subtractor, its subtrahend's inversion a LUT level (iCE40, subBits).
        const sub = this.flow === 'ice40' && digits === 2 && plan.csd[0].negative !== plan.csd[1].negative ? 1 : 0;
        path.levels = Math.max(path.levels, csaLevels(digits), sub);
        path.maxWidth = Math.max(path.maxWidth, sv + span + 1);
      }
      return { b, width: sv + bw, tz: 0, inline: digits, ...(joined !== undefined ? { offsetJoined: true } : {}) };
    }
    // yosys' wreduce drops product bits nothing reads (`need`) before mul2dsp checks the product width.
    const tiles = this.flow === 'xc7' ? xc7DspTiles(sv, bw, Math.min(sv + bw, need)) : 0;
    if (tiles > 0) {
      this.mults.dsp++;
      this.f.dsp += tiles;
    } else {
      this.mults.lut++;
      this.f.lutMulBits += sv * bw;
      // A constant `*` in logic: synthesis adds the input's shifted copies of the constant's bits in a carry-save tree
      // (about one LUT level per halving of the rows) and one carry chain, not the rows of a two-variable multiplier.
      if (path) {
        path.adders = Math.max(path.adders, 1);
        path.maxWidth = Math.max(path.maxWidth, sv + bw);
        path.levels = Math.max(path.levels, Math.ceil(Math.log2(Math.max(2, bw))));
      }
    }
    return { b, width: sv + bw, tz: 0 };
  }

  /** An adder of two variables. */
  add(width: number): void {
    this.f.addBits += width;
  }

  /** An adder of a variable and a constant. */
  addConst(width: number): void {
    this.f.caddBits += width;
  }

  /**
   * The adders of arith.ts sumTree over `leaves` and the constant c (modulo 2^mod when given), on the backend's own
   * tree (arith.ts treeShape: the added and the subtracted leaves each a balanced tree, then one subtractor): every
   * node's width without the low bits that one operand has as zeros into treeBits; the constant's (or a negative
   * root's) flat adder into addBits. Returns the sum's bounds, its known-zero low bits, the widest node and the depth.
   */
  tree(leaves: readonly TreeLeaf[], c: number, mod?: number): { lo: number; hi: number; tz: number; width: number; depth: number } {
    interface N {
      lo: number;
      hi: number;
      tz: number;
      d: number;
    }
    let widest = 0;
    const node = (a: N, b: N, plus: boolean): N => {
      let lo = plus ? a.lo + b.lo : a.lo - b.hi;
      let hi = plus ? a.hi + b.hi : a.hi - b.lo;
      let W = Math.max(signedWidth(lo, hi), signedWidth(a.lo, a.hi), signedWidth(b.lo, b.hi));
      if (mod !== undefined && W > mod) {
        W = mod;
        lo = -pow2(W - 1);
        hi = pow2(W - 1) - 1;
      }
      const t = Math.min(W - 1, plus ? Math.max(a.tz, b.tz) : b.tz);
      this.f.treeBits += W - t;
      if (!plus) this.f.subBits += W - t;
      widest = Math.max(widest, W - t);
      return { lo, hi, tz: t > 0 ? Math.min(a.tz, b.tz, W - 1) : 0, d: Math.max(a.d, b.d) + 1 };
    };
    if (leaves.length === 0) return { lo: c, hi: c, tz: 0, width: signedWidth(c, c), depth: 0 };
    // The backend's own tree shape (arith.ts treeShape), node by node.
    const shape = treeShape(leaves.map((l) => l.neg));
    const all: N[] = leaves.map((l) => ({ lo: l.lo, hi: l.hi, tz: l.tz, d: 0 }));
    for (const [ia, ib, op] of shape.nodes) all.push(node(all[ia], all[ib], op === '+'));
    const r = all[shape.root];
    const negRoot = shape.negRoot;
    if (!negRoot && c === 0) return { lo: r.lo, hi: r.hi, tz: r.tz, width: Math.max(widest, signedWidth(r.lo, r.hi)), depth: r.d };
    let lo = negRoot ? c - r.hi : c + r.lo;
    let hi = negRoot ? c - r.lo : c + r.hi;
    let W = Math.max(signedWidth(lo, hi), signedWidth(r.lo, r.hi) + (negRoot ? 1 : 0), signedWidth(c, c));
    if (mod !== undefined && W > mod) {
      W = mod;
      lo = -pow2(W - 1);
      hi = pow2(W - 1) - 1;
    }
    // c + root: an adder of a constant; c − root (0 − root: a negation) a subtraction from a constant.
    if (negRoot) this.f.negBits += W;
    else this.f.caddBits += W;
    return { lo, hi, tz: 0, width: Math.max(widest, W), depth: r.d + 1 };
  }
}

export interface InputInfo {
  readonly type: FixedType;
  readonly shape: readonly number[];
  readonly count: number;
  /** The values come straight from registers (no logic between): DSP input registers can absorb them. */
  readonly registered?: boolean;
  /** The raw range of the values when narrower than the type's (LayerFeatures.out of the producer). */
  readonly lo?: number;
  readonly hi?: number;
  /** Per index of the last axis, the raw range of the values there (LayerFeatures.chan of the producer). */
  readonly chan?: readonly B[];
  /** The layers of products (dense and convolutions at reuse 1) that read the values: each builds its own products. */
  readonly readers?: number;
  /**
   * Per value, 1 when it is a constant (an output of a dense layer whose weights on non-constant inputs are all zero, a
   * batchnorm element of scale 0, element-wise logic on such): the backend folds it, so its products build nothing.
   */
  readonly constant?: Uint8Array;
}

/**
 * A dense layer's weight raws as the backend builds them: a product of a constant input is a constant (folded into the
 * sum's constant, which the estimate leaves as the bias), so the rows of inputs that are constant at every position
 * are zero.
 */
function denseWeights(layer: LayerModel, x: InputInfo): { w: Float64Array; folded?: Uint8Array } {
  const w = raws(layer.consts.weight);
  const k = x.constant;
  if (!k) return { w };
  const C = x.shape[x.shape.length - 1];
  const units = layer.params.units as number;
  let copy: Float64Array | undefined;
  let folded: Uint8Array | undefined;
  for (let c = 0; c < C; c++) {
    let all = true;
    for (let i = c; i < k.length && all; i += C) all = k[i] === 1;
    if (!all) continue;
    copy ??= Float64Array.from(w);
    folded ??= new Uint8Array(units);
    for (let o = 0; o < units; o++) if (w[c * units + o] !== 0) folded[o] = 1;
    copy.fill(0, c * units, (c + 1) * units);
  }
  return copy ? { w: copy, folded } : { w };
}

/**
 * The bias raws a dense layer's sums add as the backend builds them: the layer's bias, and where a unit has a product
 * of a constant input (folded into its sum's constant, denseWeights) but no bias, a stand-in of one raw of the
 * accumulator (in the bias's raws): the constant's value is not tracked, but its adder is built (at the sum's root, in
 * series on the path).
 */
function denseBias(layer: LayerModel, folded: Uint8Array | undefined): Float64Array | undefined {
  const bT = layer.consts.bias;
  const bias = bT ? raws(bT) : undefined;
  if (!folded) return bias;
  // denseOne scales the bias to the accumulator's fraction and floors it: one accumulator raw survives that.
  const one = bT ? pow2(Math.max(0, fracBits(bT.type) - fracBits(layer.types.accum ?? layer.tensor.type))) : 1;
  const out = bias ? Float64Array.from(bias) : new Float64Array(folded.length);
  for (let o = 0; o < folded.length; o++) if (folded[o] && out[o] === 0) out[o] = one;
  return out;
}

/** The raw range of an input's values: its producer's when known, else its type's. */
const inputRange = (x: InputInfo): B => (x.lo !== undefined && x.hi !== undefined ? { lo: x.lo, hi: x.hi } : range(x.type));

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/**
 * Whether the implementation plan had DSPs (its part's, plan/index.ts dspAvailableOn): the Verilog writes `*` for the
 * plan's `dsp` constants, which the synthesis flow then maps (xc7: DSP48E1 tiles; iCE40 without -dsp: logic). Set per
 * layerFeatures call (the estimate is synchronous).
 */
let planDsp = true;

/**
 * The features of a layer. `live`, per output value: for a dense layer at reuse 1 the outputs something reads; for an
 * element-wise layer (and add) the elements it builds (read, and not folded to a constant); other layers ignore it.
 * `dspPlan`: whether the plan the Verilog follows had DSPs (default: the flow's).
 */
export function layerFeatures(layer: LayerModel, ins: readonly InputInfo[], flow: Flow, schedule?: ReuseSchedule, live?: Uint8Array, pricing: MultiplierPricing = 'plan', dspPlan: boolean = flow === 'xc7'): LayerFeatures {
  planDsp = dspPlan;
  const acc = new Acc(flow, pricing);
  const Y = layer.tensor.type;
  const x = ins[0];
  const outCount = size(layer.tensor.shape);
  // Element-wise layers build only the elements in `live` (when given): the others nothing reads, or they are folded.
  let builtN = outCount;
  if (live && layer.opName !== 'dense') {
    builtN = 0;
    for (let i = 0; i < live.length; i++) builtN += live[i];
  }
  const built = (i: number) => !live || live[i] === 1;
  let out: B | undefined;
  let chan: readonly B[] | undefined;
  switch (layer.opName) {
    case 'dense':
      if (layer.reuse > 1) denseReuse(acc, layer, x, schedule);
      else ({ out, chan } = dense(acc, layer, x, live));
      break;
    case 'conv1d':
    case 'conv2d':
    case 'depthwise_conv1d':
    case 'depthwise_conv2d':
      if (layer.reuse > 1) conv(acc, layer, x);
      else out = windowedMac(acc, layer, x);
      break;
    case 'relu':
    case 'relu6': {
      // Values that are never positive: every output is 0, a constant (no logic; see LayerFeatures.constant).
      if (x.hi !== undefined && x.hi <= 0) return { f: acc.f, path: acc.path, mults: acc.mults, hlsOps: 0, constant: true };
      const xr = range(x.type);
      const p = emptyPath();
      for (let i = 0; i < builtN; i++) acc.cast(xr, x.type.width, fracBits(x.type), Y, p);
      // relu of values of a narrower range, at the same scale and within Y: [max(0, lo), hi].
      const vr = inputRange(x);
      const yr = range(Y);
      if (layer.opName === 'relu' && x.lo !== undefined && fracBits(Y) === fracBits(x.type) && vr.hi <= yr.hi) out = { lo: Math.max(0, vr.lo), hi: Math.max(0, vr.hi) };
      // layers.ts relu: the sign bit selects 0 (a wire, no compare) when the values can be negative; relu6 also
      // compares x ≥ 6, which synth_ice40 builds as a carry chain of x's signed width whose result selects every bit.
      if (vr.lo < 0) {
        acc.f.muxBits += builtN * Y.width;
        p.levels += 1;
      }
      if (layer.opName === 'relu6') {
        acc.f.muxBits += builtN * (Y.width + typeSignedBits(x.type));
        p.adders += 1;
        p.maxWidth = Math.max(p.maxWidth, typeSignedBits(x.type));
        p.levels += 1;
        p.sel += 1;
      }
      merge(acc.path, p);
      break;
    }
    case 'leaky_relu': {
      const xr = range(x.type);
      const alpha = Number(layer.params.alpha ?? 0.3);
      const aType = alphaType(alpha);
      const a = quantizeToDouble(aType, alpha).value * pow2(fracBits(aType));
      const sv = typeSignedBits(x.type);
      // Per element: x's cast and α·x's product and cast side by side, then the select (the stage's path is the
      // longest branch of one element, not a sum over the elements).
      let first = true;
      for (let i = 0; i < x.count; i++) {
        if (!built(i)) continue;
        const ep = first ? emptyPath() : undefined;
        acc.cast(xr, x.type.width, fracBits(x.type), Y, ep);
        if (xr.lo < 0) {
          if (a !== 0) {
            const bp = first ? emptyPath() : undefined;
            const p = acc.aloneProduct(() => acc.productConst({ lo: xr.lo, hi: 0 }, sv, a, bp));
            acc.cast(p.b, p.width, fracBits(x.type) + fracBits(aType), Y, bp, p.tz);
            if (ep && bp) merge(ep, bp);
            acc.f.selBits += Y.width;
          }
          acc.f.muxBits += Y.width;
        }
        if (ep) merge(acc.path, ep);
        first = false;
      }
      acc.path.levels += 1;
      break;
    }
    case 'linear':
    case 'flatten':
    case 'reshape':
      for (let i = 0; i < builtN; i++) acc.cast(range(x.type), x.type.width, fracBits(x.type), Y, i === 0 ? acc.path : undefined);
      break;
    case 'add': {
      const f = Math.max(...ins.map((n) => fracBits(n.type)));
      let lo = 0;
      let hi = 0;
      for (const n of ins) {
        const r = range(n.type);
        lo += r.lo * pow2(f - fracBits(n.type));
        hi += r.hi * pow2(f - fracBits(n.type));
      }
      const w = signedWidth(lo, hi);
      for (let i = 0; i < builtN; i++) {
        acc.add(w * (ins.length - 1));
        acc.cast({ lo, hi }, w, f, Y);
      }
      acc.path.adders = ins.length - 1;
      acc.path.maxWidth = w;
      acc.path.levels = 1;
      break;
    }
    case 'concat':
      for (const n of ins) for (let i = 0; i < n.count; i++) acc.cast(range(n.type), n.type.width, fracBits(n.type), Y);
      break;
    case 'sigmoid':
    case 'tanh': {
      const n = Number(layer.settings.table ?? 1024);
      if (n <= 1) break;
      const b = Math.log2(n);
      // The table index as backends/verilog builds it (tableIndex): a cast to fixed<b + 1, b + 1, TRN_ZERO, SAT> of x
      // scaled by N / R (a rounding increment, saturation), + N/2, a saturating cast to ufixed<b, b>; then the ROM.
      const one = new Acc(acc.flow, acc.pricing);
      const p = emptyPath();
      const R = layer.opName === 'sigmoid' ? 16 : 8;
      const t = one.cast(inputRange(x), x.type.width, fracBits(x.type) + Math.log2(R) - b, fixedType(true, b + 1, b + 1, 'TRN_ZERO', 'SAT'), p);
      const sw = signedWidth(t.lo + n / 2, t.hi + n / 2);
      one.addConst(sw);
      const satBits = one.f.satBits;
      one.cast({ lo: t.lo + n / 2, hi: t.hi + n / 2 }, sw, 0, fixedType(false, b, b, 'TRN', 'SAT'), p);
      const rom = activationRomCells(layer, x.type, inputRange(x), acc.flow);
      // The index cast's rounding increment (Acc.cast counts it as an adder on the path).
      if (p.adders > 0) p.romInc = 1;
      one.f.romBits += rom.cells;
      // A clamped index: synthesis folds the clamp into the table, a function of the sw bits before the clamp.
      const clamped = rom.cells > 0 && one.f.satBits > satBits;
      if (clamped) one.f.romIdxBits += romCells(pow2(sw), layer.tensor.type.width, acc.flow);
      one.f.romLuts += rom.luts;
      addFeatures(acc.f, one.f, builtN);
      // + N/2 changes the index's top bits only: yosys builds it in a LUT level, not a carry chain (nextpnr: no carry
      // entry on the paths of t00, t01, t05 and t08, one, the rounding increment's, on t07's and t11's).
      p.maxWidth = Math.max(p.maxWidth, sw);
      p.levels += 2;
      // A ROM of few reachable entries is one LUT level (romLutsOf); a larger one a tree of them and multiplexers.
      // On iCE40 a LUT4 of four index bits and a 2:1 multiplexer level per further bit (nextpnr: 3, 4 and 5 LUT levels
      // for t00's 7, t05's 8 and t08's 9 index bits). With the clamp folded in, the bits are those before the clamp.
      if (rom.cells > 0) {
        p.roms = 1;
        if (acc.flow === 'ice40') p.levels += Math.max(0, (clamped ? sw : rom.indexBits) - 4);
      } else p.levels += 1;
      // The clamp's test of the sw − b bits above the table's index, in series: nextpnr times 12 LUT levels through
      // t11's and t18's clamped reads, where the table of sw bits accounts for 5 to 6 of them.
      if (clamped) p.levels += sw - b;
      merge(acc.path, p);
      break;
    }
    case 'softmax':
      softmax(acc, layer, x);
      break;
    case 'batchnorm': {
      const sT = layer.consts.scale ?? layer.consts.gamma;
      const sw = sT ? sT.type.width : 16;
      const C = x.shape[x.shape.length - 1] ?? 1;
      const sv = typeSignedBits(x.type);
      const bn = batchnormRaws(layer);
      const sr = bn?.s;
      const or = bn?.o;
      let lo = Infinity;
      let hi = -Infinity;
      for (let i = 0; i < x.count; i++) {
        if (!built(i)) continue;
        const s = sr ? sr[(i % C) % sr.length] : 1;
        if (s === 0) {
          acc.mults.skip++;
          continue;
        }
        const before = acc.f.dsp;
        // Every element is its own path (the stage's is the longest of them, not their sum).
        const ep = emptyPath();
        const o = or ? or[(i % C) % or.length] : 1;
        const p = acc.aloneProduct(() => acc.productConst(inputRange(x), sv, s, ep, Infinity, 0, o !== 0));
        // The offset's adder goes into the DSP's post-adder when the product is a DSP. Its carry chain is one more
        // in series, unless the product is an inline sum, which the offset joins (one more carry-save operand; a
        // measured product's LUTs with the offset are measured as one). An offset of 0 adds nothing.
        if (acc.f.dsp !== before) acc.f.dspRegBits -= Y.width;
        else if (o !== 0 && !p.offsetJoined) acc.addConst(p.width + 1);
        if (o !== 0) {
          if (p.inline) ep.levels = Math.max(ep.levels, csaLevels(p.inline + 1));
          else ep.adders += 1;
        }
        // The exact sum (layers.ts batchnorm): the product and the offset aligned to the finer of their fractions.
        const fp = fracBits(x.type) + (bn ? bn.sFrac : 0);
        const ft = Math.max(fp, bn ? bn.oFrac : 0);
        const oo = o * pow2(ft - (bn ? bn.oFrac : 0));
        const sum = { lo: p.b.lo * pow2(ft - fp) + oo, hi: p.b.hi * pow2(ft - fp) + oo };
        const y = acc.cast(sum, Math.max(signedWidth(sum.lo, sum.hi), p.width + ft - fp), ft, Y, ep, Math.min(p.tz + ft - fp, trailingZeros(oo)));
        merge(acc.path, ep);
        lo = Math.min(lo, y.lo);
        hi = Math.max(hi, y.hi);
      }
      const yRange = range(Y);
      if (lo <= hi && (lo > yRange.lo || hi < yRange.hi)) out = { lo, hi };
      acc.f.regBits += x.count * Y.width;
      acc.path.maxWidth = Math.max(acc.path.maxWidth, sv + sw + 1);
      break;
    }
    case 'maxpool1d':
    case 'maxpool2d':
    case 'global_maxpool1d':
    case 'global_maxpool2d': {
      const taps = Math.max(1, Math.round(x.count / Math.max(1, outCount)) || 1);
      const t = window(layer, x);
      const perOut = t ?? taps;
      // Per output, perOut − 1 comparators (a subtraction's carry chain of the signed width) and 2:1 multiplexers.
      acc.f.cmpBits += outCount * (perOut - 1) * typeSignedBits(x.type);
      acc.f.muxBits += outCount * (perOut - 1) * x.type.width;
      for (let i = 0; i < outCount; i++) acc.cast(range(x.type), x.type.width, fracBits(x.type), Y);
      acc.path.levels = Math.ceil(Math.log2(Math.max(2, perOut))) * 2;
      acc.path.sel = Math.ceil(Math.log2(Math.max(2, perOut)));
      acc.path.maxWidth = x.type.width;
      break;
    }
    case 'avgpool1d':
    case 'avgpool2d':
    case 'global_avgpool1d':
    case 'global_avgpool2d': {
      const A = layer.types.accum ?? x.type;
      const n = window(layer, x) ?? Math.max(1, Math.round(x.count / Math.max(1, outCount)));
      // layers.ts avgPool: acc = cast_A(acc + cast_A(x)) per tap, every step one adder instance (sumTree of two
      // leaves) as wide as its operands' ranges, without the low bits that scaling x up to A's fraction leaves zero.
      const up = fracBits(A) - fracBits(x.type);
      // The path: output 0's chain (every output's is alike), its adders and casts in series.
      const p = emptyPath();
      for (let i = 0; i < outCount; i++) {
        const ip = i === 0 ? p : undefined;
        let cur: TreeLeaf | undefined;
        for (let t = 0; t < n; t++) {
          const sat0 = acc.f.satBits;
          const xb = acc.cast(range(x.type), x.type.width, fracBits(x.type), A, t === 0 ? ip : undefined);
          const xl: TreeLeaf = { lo: xb.lo, hi: xb.hi, tz: up > 0 && acc.f.satBits === sat0 ? Math.min(up, A.width - 1) : 0, neg: false };
          if (!cur) {
            cur = xl;
            continue;
          }
          const s = acc.tree([cur, xl], 0);
          const sat1 = acc.f.satBits;
          if (ip) {
            ip.adders++;
            ip.maxWidth = Math.max(ip.maxWidth, s.width);
          }
          const b = acc.cast({ lo: s.lo, hi: s.hi }, s.width, fracBits(A), A, ip);
          cur = { lo: b.lo, hi: b.hi, tz: acc.f.satBits === sat1 ? s.tz : 0, neg: false };
        }
        if ((n & (n - 1)) !== 0) {
          acc.f.divBits += (A.width + 4) * (A.width + 4);
          // A divider by a constant: about a level per quotient bit.
          if (ip) ip.levels += A.width;
        }
        // The sum's range, as the backend tracks it: the division's cast saturates only if it can leave Y.
        acc.cast(cur && (n & (n - 1)) === 0 ? { lo: cur.lo, hi: cur.hi } : range(A), A.width, fracBits(A) + Math.log2(n), Y, ip);
      }
      merge(acc.path, p);
      break;
    }
    default:
      // Network calls are estimated through their own layers by the caller.
      break;
  }
  return { f: acc.f, path: acc.path, mults: acc.mults, hlsOps: acc.hlsOps, ...(out ? { out } : {}), ...(chan ? { chan } : {}), ...(acc.regMerged > 0 ? { regMerged: acc.regMerged } : {}) };
}

/**
 * LUT cells of one read of an n-entry ROM of `width` bits: every output bit is a function of log2(n) index bits, one
 * LUT6 (xc7) or LUT4 (iCE40) up to 64 or 16 entries, n / 64 or n / 16 cells beyond (with their multiplexers).
 */
function romCells(n: number, width: number, flow: Flow): number {
  return width * Math.max(1, n / (flow === 'xc7' ? 64 : 16));
}

/**
 * LUT cells of one read of a ROM by its content (synthesis minimizes the table): per output bit, the blocks of 64
 * (xc7 LUT6) or 16 (iCE40 LUT4) consecutive entries in which the bit is not constant over the reachable entries, and
 * the multiplexers that select among the blocks (a LUT6 selects 4, a LUT4 2), as a tree over the blocks in which a
 * subtree whose reachable entries are all one constant is that constant (no multiplexer): a bit that changes once
 * (a threshold, the high bits of a monotone function) costs a multiplexer per tree level, not one per block.
 * `lo`, `hi`, `step`: the reachable indices lo, lo + step, … ≤ hi (the others are don't-cares).
 */
export function romCellsOf(entries: readonly bigint[], width: number, flow: Flow, lo = 0, hi = entries.length - 1, step = 1): number {
  if (step > 1) {
    // The index bits below a power-of-two step are constants (x has fewer fractional bits than the table resolves):
    // the table is a function of the bits above them, entry p · step + (lo mod step) at position p (blind c181: a
    // 256-entry sigmoid read by a 6-bit x every 4th entry is a 64-entry function, not 16 blocks of 16 on iCE40).
    const r = lo % step;
    const packed = Array.from({ length: Math.ceil((entries.length - r) / step) }, (_, p) => entries[p * step + r]);
    return romCellsOf(packed, width, flow, Math.floor(lo / step), Math.floor(hi / step), 1);
  }
  const B = flow === 'xc7' ? 64 : 16;
  const ways = flow === 'xc7' ? 4 : 2;
  const nb = Math.floor(entries.length / B) + (entries.length % B ? 1 : 0);
  // Per block: 0 unreachable, 1 constant 0, 2 constant 1, 3 varies.
  const kind = new Uint8Array(nb);
  let cells = 0;
  /** The multiplexers of the subtree of blocks [a, a + span): returns [its kind over the subtree, its multiplexers]. */
  const tree = (a: number, span: number): [number, number] => {
    if (span === 1) return [a < nb ? kind[a] : 0, 0];
    const sub = span / ways;
    let k = 0;
    let muxes = 0;
    let children = 0;
    for (let c = 0; c < ways; c++) {
      if (a + c * sub >= nb) break;
      const [ck, cm] = tree(a + c * sub, sub);
      muxes += cm;
      if (ck !== 0) children++;
      k = k === 0 ? ck : ck === 0 || ck === k ? k : 3;
    }
    // A subtree of one constant (or one reachable child) needs no multiplexer of its own.
    if (k === 3 && children > 1) muxes++;
    return [k, muxes];
  };
  let span = 1;
  while (span < nb) span *= ways;
  for (let j = 0; j < width; j++) {
    const bit = BigInt(j);
    kind.fill(0);
    for (let i = lo; i <= hi; i += step) {
      const k = Math.floor(i / B);
      const v = (BigInt.asUintN(width, entries[i]) >> bit) & 1n ? 2 : 1;
      kind[k] = kind[k] === 0 ? v : kind[k] === v ? v : 3;
    }
    for (let k = 0; k < nb; k++) if (kind[k] === 3) cells++;
    cells += tree(0, span)[1];
  }
  return cells;
}

/**
 * LUTs of one read of a ROM whose reachable entries (lo, lo + step, … ≤ hi) are no more than a LUT can tell apart (64
 * on xc7, 16 on iCE40): every output bit that is not constant over them is a function of that few index bits, one
 * LUT (measured with yosys on the sigmoid and tanh networks). Undefined for more entries (romCellsOf).
 */
export function romLutsOf(entries: readonly bigint[], width: number, flow: Flow, lo = 0, hi = entries.length - 1, step = 1): number | undefined {
  if (Math.floor((hi - lo) / step) + 1 > (flow === 'xc7' ? 64 : 16)) return undefined;
  let luts = 0;
  for (let j = 0; j < width; j++) {
    const bit = BigInt(j);
    let any0 = false;
    let any1 = false;
    for (let i = lo; i <= hi && !(any0 && any1); i += step) {
      if ((BigInt.asUintN(width, entries[i]) >> bit) & 1n) any1 = true;
      else any0 = true;
    }
    if (any0 && any1) luts++;
  }
  return luts;
}

/** roundShiftRight on a number: v / 2^n (n > 0) rounded by `mode` (backends/verilog castTo's bounds). */
function roundShift(v: number, n: number, mode: FixedType['quant']): number {
  const p = pow2(n);
  const floor = Math.floor(v / p);
  const dropped = v - floor * p;
  const half = p / 2;
  return roundsUp(mode, dropped >= half, dropped % half !== 0, v < 0, Math.abs(floor % 2) === 1) ? floor + 1 : floor;
}

const activationCells = new Map<string, { luts: number; cells: number; indexBits: number }>();
/**
 * The ROM of a sigmoid or tanh layer read from inputs of type X (cached by context): `luts` when its reachable entries
 * are few (romLutsOf), else its `cells` (romCellsOf).
 */
function activationRomCells(layer: LayerModel, X: FixedType, xr: B, flow: Flow): { luts: number; cells: number; indexBits: number } {
  const fn = layer.opName === 'sigmoid' ? 'sigmoid' : 'tanh';
  const n = Number(layer.settings.table ?? 1024);
  const Y = layer.tensor.type;
  const T = layer.types.table_type;
  if (!T) return { luts: 0, cells: romCells(n, Y.width, flow), indexBits: Math.log2(n) };
  const key = `${fn}|${n}|${flow}|${typeKey(X)}|${xr.lo}|${xr.hi}|${typeKey(T)}|${typeKey(Y)}`;
  let c = activationCells.get(key);
  if (c === undefined) {
    const table = activationTable(fn, n, T);
    const entries = table.raws.map((r) => castConst(r, fracBits(T), Y));
    // The reachable indices: clamp(trunc(x · N / R) + N/2, 0, N − 1) over x's range (the type's, or the narrower one
    // the layer before tracks: the backend's registers hold only that), every (2^−F · N / R)-th entry.
    const scale = n / table.range / pow2(fracBits(X));
    const idx = (v: number) => Math.min(n - 1, Math.max(0, Math.trunc(v * scale) + n / 2));
    const step = Math.max(1, Math.floor(scale));
    const luts = romLutsOf(entries, Y.width, flow, idx(xr.lo), idx(xr.hi), step);
    // The index bits that vary over the reachable entries.
    const indexBits = Math.ceil(Math.log2(Math.floor((idx(xr.hi) - idx(xr.lo)) / step) + 1));
    c = luts !== undefined ? { luts, cells: 0, indexBits } : { luts: 0, cells: romCellsOf(entries, Y.width, flow, idx(xr.lo), idx(xr.hi), step), indexBits };
    if (activationCells.size > 256) activationCells.clear();
    activationCells.set(key, c);
  }
  return c;
}

function merge(into: PathFeatures, p: PathFeatures): void {
  into.adders = Math.max(into.adders, p.adders);
  into.maxWidth = Math.max(into.maxWidth, p.maxWidth);
  into.levels = Math.max(into.levels, p.levels);
  into.mulBits = Math.max(into.mulBits, p.mulBits);
  into.roms = Math.max(into.roms, p.roms);
  into.out = Math.max(into.out, p.out);
  into.sel = Math.max(into.sel, p.sel);
  into.fanout = Math.max(into.fanout, p.fanout);
  into.romInc = Math.max(into.romInc, p.romInc);
  into.shared = Math.max(into.shared, p.shared);
}

/** Taps per window of a (non-global) pooling layer. */
function window(layer: LayerModel, x: InputInfo): number | undefined {
  const op = layer.opName;
  const spatial = op.endsWith('1d') ? 1 : 2;
  if (op.startsWith('global_')) return x.shape.slice(0, spatial).reduce((a, b) => a * b, 1);
  const k = layer.params.pool;
  const ks = Array.isArray(k) ? k.map(Number) : new Array<number>(spatial).fill(typeof k === 'number' ? k : 2);
  return ks.reduce((a, b) => a * b, 1);
}

/**
 * The flip-flops of a register of Y holding values in `v`: bits above the range's signed width are copies of its sign
 * bit (of 0, unsigned), whose flip-flops yosys' opt_merge merges into one (or removes as constants).
 */
function regBitsOf(v: B, Y: FixedType): number {
  if (!Y.signed) return Math.min(Y.width, v.hi > 0 ? Math.floor(Math.log2(v.hi)) + 1 : 0);
  return Math.min(Y.width, signedWidth(v.lo, v.hi));
}

/**
 * What building one product x · w and its cast to the accumulator adds (dense at reuse 1): the same for every input
 * column and output of a layer that meets weight raw w, so it is computed once per distinct raw of the layer.
 */
interface ProductEntry {
  /** The cast product's bounds (of x · |w| when `neg`). */
  readonly lo: number;
  readonly hi: number;
  /** Its known-zero low bits (a shift, a tree of shifted copies, a cast that scales up). */
  readonly tz: number;
  /** A negative weight whose product is built for |w| and subtracted by the sum tree (mac.ts negatable). */
  readonly neg: boolean;
  readonly dsp: boolean;
  /** Its resource features (the logic bits and DSP tiles; no registers). */
  readonly f: Features;
  readonly shift: number;
  readonly lutMults: number;
  readonly dspMults: number;
  /** Path effects: adders = max(adders, adderMax + adderInc); maxWidth = max; levels = max(levels, levelMax + levelInc). */
  readonly adderMax: number;
  readonly adderInc: number;
  readonly maxWidth: number;
  /** Logic levels of the product (a table, a constant `*`'s carry-save rows), before its cast's. */
  readonly levelMax: number;
  readonly levelInc: number;
  /**
   * A negated narrow product (`neg` with measured prodLuts): yosys' alumacc merges a negation of the product alone
   * (a dense output of that one term) into the product's expression, which then costs what x · (−|w|) does: the change
   * in prodLuts.
   */
  readonly negDelta?: number;
  /**
   * The product is a tree of adder instances (a wide input's shift-and-add, arith.ts sumTree): each keeps its own
   * hierarchy, so a negation of the product is a carry chain of its own, not merged into the product's.
   */
  readonly instances: boolean;
}

/**
 * The product entries of a layer context (flow, pricing, input, weight and accumulator types, the product bits read),
 * shared by the layers and models with the same context: the editor re-checks on every keystroke, and the weights and
 * types rarely change. Bounded: the cache is dropped beyond PRODUCT_CACHE_MAX entries.
 */
interface ProductEntries {
  /** By raw − the weight type's minimum, for weight types of at most INDEX_MAX_BITS bits. */
  readonly byIndex: (ProductEntry | undefined)[] | undefined;
  readonly byRaw: Map<number, ProductEntry>;
}
const productCache = new Map<string, ProductEntries>();
let productCacheSize = 0;
const PRODUCT_CACHE_MAX = 200_000;
/** Weight types up to this width index their entries by raw (at most 256 contexts × 4096 slots); wider ones use a map. */
const INDEX_MAX_BITS = 12;
function productEntries(key: string, wType: FixedType): ProductEntries {
  if (productCacheSize > PRODUCT_CACHE_MAX || productCache.size > 256) {
    productCache.clear();
    productCacheSize = 0;
  }
  let m = productCache.get(key);
  if (!m) productCache.set(key, (m = { byIndex: wType.width <= INDEX_MAX_BITS ? new Array<ProductEntry | undefined>(2 ** wType.width).fill(undefined) : undefined, byRaw: new Map() }));
  return m;
}
const typeKey = (t: FixedType) => `${t.signed ? 's' : 'u'}${t.width}.${fracBits(t)}.${t.quant}.${t.overflow}`;

/** Per-column first-occurrence stamps of weight raws (indexed by raw − the type's minimum), reused across layers. */
let stamps = new Int32Array(0);
let stampGen = 0;
const STAMP_MAX_BITS = 16;

/**
 * Per output of a dense position, the index of an earlier live output with the same weights and bias (-1 when none):
 * the backend builds both sums alike, and yosys' opt_merge merges identical logic, so the second costs no logic (a
 * sparse layer's outputs of one equal term, as often as not).
 */
function duplicateOutputs(w: Float64Array, C: number, units: number, liveUnit: Uint8Array, bias: Float64Array | undefined): Int32Array {
  const dup = new Int32Array(units).fill(-1);
  const byHash = new Map<number, number[]>();
  for (let o = 0; o < units; o++) {
    if (!liveUnit[o]) continue;
    // A hash of the output's bias and non-zero (input, raw) pairs; equal hashes are compared in full.
    let h = Math.imul(0x811c9dc5 ^ ((bias ? bias[o] : 0) | 0), 0x01000193);
    for (let c = 0; c < C; c++) {
      const v = w[c * units + o];
      if (v !== 0) h = Math.imul(Math.imul(h ^ c, 0x01000193) ^ (v | 0), 0x01000193);
    }
    const same = byHash.get(h);
    if (!same) {
      byHash.set(h, [o]);
      continue;
    }
    const q = same.find((e) => (bias ? bias[e] : 0) === (bias ? bias[o] : 0) && columnEqual(w, C, units, e, o));
    if (q !== undefined) dup[o] = q;
    else same.push(o);
  }
  return dup;
}
function columnEqual(w: Float64Array, C: number, units: number, a: number, b: number): boolean {
  for (let c = 0; c < C; c++) if (w[c * units + a] !== w[c * units + b]) return false;
  return true;
}

/**
 * Per weight (index c · units + o), whether it is the first product of its input column c with its raw among the live
 * outputs in output order: synthesis builds each (input, weight) product once, whichever outputs read it.
 */
function firstProducts(w: Float64Array, C: number, units: number, liveUnit: Uint8Array, wType: FixedType): Uint8Array {
  const first = new Uint8Array(w.length);
  const wMin = range(wType).lo;
  if (wType.width <= STAMP_MAX_BITS) {
    const n = 2 ** wType.width;
    if (stamps.length < n) stamps = new Int32Array(n);
    if (stampGen > 2_000_000_000) {
      stamps.fill(0);
      stampGen = 0;
    }
    let ok = true;
    for (let c = 0; c < C && ok; c++) {
      const g = ++stampGen;
      const row = c * units;
      for (let o = 0; o < units; o++) {
        if (!liveUnit[o]) continue;
        const i = w[row + o] - wMin;
        if (!(i >= 0 && i < n && (i | 0) === i)) {
          ok = false;
          break;
        }
        if (stamps[i] !== g) {
          stamps[i] = g;
          first[row + o] = 1;
        }
      }
    }
    if (ok) return first;
    first.fill(0);
  }
  const seen = new Map<number, number>();
  for (let c = 0; c < C; c++) {
    const row = c * units;
    for (let o = 0; o < units; o++) {
      if (!liveUnit[o]) continue;
      const v = w[row + o];
      if (seen.get(v) !== c) {
        seen.set(v, c);
        first[row + o] = 1;
      }
    }
  }
  return first;
}

/** dense at reuse 1 over `positions` rows (hls4ml order: acc = cast_A(bias); acc = cast_A(acc + cast_A(x · w))). */
/** `live`: per output value, whether an output of the network reads it (synthesis removes the others). */
/**
 * Dense layers (reuse 1) by content: the editor re-checks on every keystroke, which builds new (equal) weight arrays,
 * so one position's features are cached by the layer's context and its weight, bias and live-output content (hash,
 * then an exact comparison). Bounded (least recently used, by weights held).
 */
interface DenseEntry {
  readonly w: Float64Array;
  readonly bias: Float64Array | undefined;
  readonly liveUnit: Uint8Array;
  readonly f: Features;
  readonly path: PathFeatures;
  readonly mults: LayerFeatures['mults'];
  readonly hlsOps: number;
  readonly regs: number;
  readonly merged: number;
  readonly out: B | undefined;
  readonly chan: readonly B[];
}
const denseCache = new Map<string, DenseEntry>();
let denseCacheWeights = 0;
const DENSE_CACHE_MAX_WEIGHTS = 4_000_000;

function hashRaws(h: number, a: Float64Array | Uint8Array): number {
  for (let i = 0; i < a.length; i++) h = Math.imul(h ^ (a[i] | 0), 0x01000193) ^ ((a[i] / 4294967296) | 0);
  return h >>> 0;
}
function sameContent(a: Float64Array | Uint8Array | undefined, b: Float64Array | Uint8Array | undefined): boolean {
  if (a === b) return true;
  if (!a || !b || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

/** dense at reuse 1 (one position's features, cached by content; see denseOne), repeated over the positions. */
function dense(acc: Acc, layer: LayerModel, x: InputInfo, live: Uint8Array | undefined): { out: B | undefined; chan: readonly B[] } {
  const C = x.shape[x.shape.length - 1];
  const units = layer.params.units as number;
  const positions = Math.max(1, Math.round(x.count / C));
  const wT = layer.consts.weight;
  const bT = layer.consts.bias;
  const Y = layer.tensor.type;
  const A = layer.types.accum ?? Y;
  const { w, folded } = denseWeights(layer, x);
  const bias = denseBias(layer, folded);
  const liveUnit = new Uint8Array(units).fill(live ? 0 : 1);
  if (live) for (let i = 0; i < live.length; i++) if (live[i]) liveUnit[i % units] = 1;
  const ctx = `${acc.flow}|${planDsp ? 1 : 0}|${acc.pricing}|${typeKey(x.type)}|${x.registered ? 1 : 0}|${typeKey(wT.type)}|${bT ? typeKey(bT.type) : '-'}|${typeKey(A)}|${typeKey(Y)}|${C}|${units}|${x.lo ?? ''}|${x.hi ?? ''}|${x.readers ?? 1}`;
  const key = `${ctx}|${hashRaws(hashRaws(hashRaws(0x811c9dc5, w), bias ?? new Float64Array(0)), liveUnit).toString(36)}`;
  let e = denseCache.get(key);
  if (!(e && sameContent(e.w, w) && sameContent(e.bias, bias) && sameContent(e.liveUnit, liveUnit))) {
    const r = denseOne(acc.flow, acc.pricing, layer, x, w, bias, liveUnit, true);
    e = { w, bias, liveUnit, f: r.one.f, path: r.one.path, mults: r.one.mults, hlsOps: r.one.hlsOps, regs: r.regs, merged: r.merged, out: r.out, chan: r.chan };
    const old = denseCache.get(key);
    if (old) denseCacheWeights -= old.w.length;
    denseCache.delete(key);
    denseCache.set(key, e);
    denseCacheWeights += w.length;
    for (const [k, v] of denseCache) {
      if (denseCacheWeights <= DENSE_CACHE_MAX_WEIGHTS || k === key) break;
      denseCache.delete(k);
      denseCacheWeights -= v.w.length;
    }
  } else {
    // Least recently used first in iteration order.
    denseCache.delete(key);
    denseCache.set(key, e);
  }
  addFeatures(acc.f, e.f, positions);
  for (const k of Object.keys(e.mults) as (keyof LayerFeatures['mults'])[]) acc.mults[k] += e.mults[k] * positions;
  acc.hlsOps += e.hlsOps * positions;
  acc.f.regBits += e.regs * positions;
  acc.regMerged += e.merged * positions;
  merge(acc.path, e.path);
  return { out: e.out, chan: e.chan };
}

/**
 * One position of a dense layer at reuse 1. `out`: the built outputs' range when narrower than Y's; `built`: whether
 * any output was built (the others are their constant bias). `mergeEqual`: outputs equal to an earlier one cost no
 * logic and no flip-flops (duplicateOutputs; the outputs of one position, which mac.ts builds once). `merged`: the
 * register bits yosys merges (LayerFeatures.regMerged).
 */
function denseOne(flow: Flow, pricing: MultiplierPricing, layer: LayerModel, x: InputInfo, w: Float64Array, bias: Float64Array | undefined, liveUnit: Uint8Array, mergeEqual = false): { one: Acc; regs: number; merged: number; out: B | undefined; chan: B[]; built: boolean; product: (raw: number) => ProductEntry } {
  const C = x.shape[x.shape.length - 1];
  const units = layer.params.units as number;
  const wT = layer.consts.weight;
  const bT = layer.consts.bias;
  const Y = layer.tensor.type;
  const A = layer.types.accum ?? Y;
  const sv = typeSignedBits(x.type);
  const xr = inputRange(x);
  const xlo = xr.lo;
  const xhi = xr.hi;
  const fp = fracBits(x.type) + fracBits(wT.type);
  const fa = fracBits(A);
  const ar = range(A);
  const alo = ar.lo;
  const ahi = ar.hi;
  const wrap = A.overflow === 'WRAP';
  const bFrac = bT ? fracBits(bT.type) : fa;
  const sp = pow2(fa - fp);
  const sb = pow2(fa - bFrac);
  // Bits of each product that something reads (yosys trims the rest): casts that only slice (WRAP, or a range that
  // cannot overflow) keep their target's width plus the dropped fractional bits; a saturating cast reads every bit.
  const yr = range(Y);
  const fy = fracBits(Y);
  let sumLo = 0;
  let sumHi = 0;
  for (let o = 0; o < units; o++) {
    let lo = bias ? bias[o] * sb : 0;
    let hi = lo;
    for (let c = 0; c < C; c++) {
      const wr = w[c * units + o] * sp;
      // Math.min(0, wr · xlo, wr · xhi) and the max, without the calls (xlo ≤ xhi).
      if (wr > 0) {
        const a = wr * xlo;
        const b = wr * xhi;
        if (a < 0) lo += a;
        if (b > 0) hi += b;
      } else if (wr < 0) {
        const a = wr * xhi;
        const b = wr * xlo;
        if (a < 0) lo += a;
        if (b > 0) hi += b;
      }
    }
    sumLo = Math.min(sumLo, lo);
    sumHi = Math.max(sumHi, hi);
  }
  const accFits = sumLo >= alo && sumHi <= ahi;
  const accNeed = !wrap && !accFits ? A.width : Math.min(A.width, Y.overflow === 'WRAP' || (Math.floor(sumLo / pow2(fa - fy)) >= yr.lo && Math.ceil(sumHi / pow2(fa - fy)) <= yr.hi) ? Y.width + Math.max(0, fa - fy) : Infinity);
  const prodNeed = accNeed + Math.max(0, fp - fa);
  // Per input: whether every product that reads it is a DSP (its register can then move into the DSPs' A registers).
  const onlyDsp = new Uint8Array(C).fill(1);
  const readBy = new Uint8Array(C);
  // One position's structure; every position repeats it (the weights are the same).
  const one = new Acc(flow, pricing);
  const f = one.f;
  let regs = 0;
  /** Register bits yosys merges: equal outputs' registers and the copies of a narrow value's sign bit. */
  let merged = 0;
  // The backend builds each (input, weight raw) product once, whichever outputs read it (mac.ts): `first` marks the
  // pairs met for the first time in output order (o outer, c inner).
  const first = firstProducts(w, C, units, liveUnit, wT.type);
  // What a product adds, per distinct weight raw (computed on first use with the backend-mirroring productConst and cast).
  const entries = productEntries(`${flow}|${planDsp ? 1 : 0}|${pricing}|${typeKey(x.type)}|${xlo}|${xhi}|${typeKey(wT.type)}|${typeKey(A)}|${prodNeed}`, wT.type);
  const byIndex = entries.byIndex;
  const wMin = range(wT.type).lo;
  const n = fa - fp;
  const entryOf = (wr: number): ProductEntry => {
    const i = wr - wMin;
    const indexed = byIndex !== undefined && i >= 0 && i < byIndex.length;
    let e = indexed ? byIndex[i] : entries.byRaw.get(wr);
    if (e) return e;
    const s = new Acc(flow, pricing);
    // mac.ts negatable: the cast of x · w and of x · (−w) only scales up and stays in A's range.
    const neg = wr < 0 && n >= 0 && -wr * xlo * sp >= alo && -wr * xhi * sp <= ahi && wr * xhi * sp >= alo && wr * xlo * sp <= ahi;
    const wb = neg ? -wr : wr;
    const pLo = Math.min(wb * xlo, wb * xhi);
    const pHi = Math.max(wb * xlo, wb * xhi);
    const overflows = pLo * sp < alo || pHi * sp > ahi;
    const p1 = emptyPath();
    const prod = s.productConst(xr, sv, wb, p1, overflows && !wrap ? Infinity : prodNeed, Math.max(0, fp - fa));
    const p2 = emptyPath();
    const t = s.cast(prod.b, prod.width, fp, A, p2, prod.tz);
    const scaled = n >= 0 && s.f.satBits === 0;
    const mPos = neg && s.f.prodLuts > 0 ? productLuts(flow, sv, wb) : undefined;
    const mNeg = mPos !== undefined ? productLuts(flow, sv, -wb) : undefined;
    e = {
      ...(mPos !== undefined && mNeg !== undefined ? { negDelta: mNeg - mPos } : {}),
      lo: t.lo,
      hi: t.hi,
      tz: scaled ? Math.min(prod.tz + n, A.width - 1) : 0,
      neg,
      dsp: s.f.dsp > 0,
      f: s.f,
      shift: s.mults.shift,
      lutMults: s.mults.lut,
      dspMults: s.mults.dsp,
      instances: prod.instances === true,
      adderMax: p1.adders,
      adderInc: p2.adders,
      maxWidth: Math.max(p1.maxWidth, p2.maxWidth),
      levelMax: p1.levels,
      levelInc: p2.levels,
    };
    if (indexed) byIndex[i] = e;
    else entries.byRaw.set(wr, e);
    productCacheSize++;
    return e;
  };
  const oneExpr = (e: ProductEntry) => e.adderMax > 0 && !e.instances && !e.dsp;
  // Inputs that two or more distinct one-expression products read, of this layer and of the other layers reading the
  // same values (as many, taken alike): log2 of their number (PathFeatures.shared).
  const sharedIn = new Float64Array(C);
  const readers = x.readers ?? 1;
  for (let c = 0; c < C; c++) {
    let k = 0;
    for (let o = 0; o < units; o++) {
      const i = c * units + o;
      if (first[i] && liveUnit[o] && w[i] !== 0 && oneExpr(entryOf(w[i]))) k++;
    }
    sharedIn[c] = k * readers >= 2 ? Math.log2(k * readers) : 0;
  }
  let skips = 0;
  let hlsOps = 0;
  let outLo = Infinity;
  let outHi = -Infinity;
  const leaves: ProductEntry[] = [];
  // Per unit, its outputs' range (Y's when not built: the unit's constant bias, or an output nothing reads).
  const chan: B[] = Array.from({ length: units }, () => range(Y));
  const dupOf = mergeEqual ? duplicateOutputs(w, C, units, liveUnit, bias) : undefined;
  for (let o = 0; o < units; o++) {
    if (!liveUnit[o]) continue;
    // An output equal to an earlier one is merged into it, its register too (yosys opt_merge: no logic, no FFs).
    if (dupOf && dupOf[o] >= 0) {
      let terms = 0;
      for (let c = 0; c < C; c++) {
        if (w[c * units + o] === 0) skips++;
        else terms++;
      }
      hlsOps += terms;
      if (terms > 0) {
        regs += Y.width;
        merged += Y.width;
      }
      chan[o] = chan[dupOf[o]];
      continue;
    }
    const p = emptyPath();
    let dspTerms = 0;
    const b0 = Math.floor(bias ? bias[o] * sb : 0);
    leaves.length = 0;
    let exLo = b0;
    let exHi = b0;
    for (let c = 0; c < C; c++) {
      const i = c * units + o;
      const wr = w[i];
      if (wr === 0) {
        skips++;
        continue;
      }
      hlsOps++;
      const e = entryOf(wr);
      leaves.push(e);
      if (sharedIn[c] > 0 && oneExpr(e)) p.shared = Math.max(p.shared, sharedIn[c]);
      const lo = e.neg ? -e.hi : e.lo;
      const hi = e.neg ? -e.lo : e.hi;
      if (lo < 0) exLo += lo;
      if (hi > 0) exHi += hi;
      if (first[i]) {
        if (!e.dsp) onlyDsp[c] = 0;
        if (readBy[c] < 2) readBy[c]++;
        addFeatures(f, e.f);
        one.mults.shift += e.shift;
        one.mults.lut += e.lutMults;
        one.mults.dsp += e.dspMults;
        p.adders = Math.max(p.adders, e.adderMax + e.adderInc);
        p.maxWidth = Math.max(p.maxWidth, e.maxWidth);
        p.levels = Math.max(p.levels, e.levelMax + e.levelInc);
      }
      if (e.dsp) dspTerms++;
    }
    const terms = leaves.length;
    // mac.ts: an exact chain (no partial sum leaves A's range) is one exact sum tree, a WRAP accumulator one tree
    // modulo 2^width(A); otherwise every step is an adder and a saturating cast.
    let cur: B;
    // The sum's known-zero low bits, the bias's and every term's: the final cast drops no increment for them (unless a
    // step of the chain saturates: A's bounds have ones there).
    let curTz = trailingZeros(b0);
    for (const e of leaves) curTz = Math.min(curTz, e.tz);
    let width = A.width;
    if (terms >= 2 && exLo >= alo && exHi <= ahi) {
      const t = one.tree(leaves, b0);
      cur = { lo: t.lo, hi: t.hi };
      p.adders += t.depth;
      p.maxWidth = Math.max(p.maxWidth, t.width);
    } else if (wrap && terms >= 2) {
      one.tree(leaves, b0, A.width);
      cur = range(A);
      p.adders += Math.ceil(Math.log2(terms + 1));
      p.maxWidth = Math.max(p.maxWidth, A.width);
    } else {
      cur = { lo: b0, hi: b0 };
      let isConst = true;
      for (const e of leaves) {
        const negBits = one.f.negBits;
        const t = one.tree(isConst ? [e] : [{ lo: cur.lo, hi: cur.hi, tz: 0, neg: false }, e], isConst ? cur.lo : 0);
        if (terms === 1 && e.negDelta !== undefined) {
          one.f.negBits = negBits;
          one.f.prodLuts += e.negDelta;
        }
        isConst = false;
        width = t.width;
        // A lone negated product that is itself one adder expression (a narrow input's shift-and-add, a constant `*`):
        // alumacc merges the negation into the product's $macc, one carry chain (nextpnr: c135's −(x + 4x) is one
        // chain). A wide input's shift-and-add is a tree of adder instances, each its own hierarchy level: the
        // negation is a chain of its own after it (nextpnr: c142's −(4x − x), two carry entries).
        if (!(terms === 1 && e.neg && e.adderMax > 0 && !e.instances)) p.adders += t.depth;
        // A lone negated shift of the input (a register): iCE40 inverts it in a LUT before the chain (subBits).
        if (flow === 'ice40' && terms === 1 && e.neg && e.adderMax === 0 && e.shift > 0) p.levels += 1;
        p.maxWidth = Math.max(p.maxWidth, t.width);
        if (t.lo < alo || t.hi > ahi) curTz = 0;
        cur = one.cast({ lo: t.lo, hi: t.hi }, t.width, fa, A, p);
      }
    }
    if (terms > 0) {
      const y = one.cast(cur, Math.max(width, A.width), fa, Y, p, curTz);
      outLo = Math.min(outLo, y.lo);
      outHi = Math.max(outHi, y.hi);
      chan[o] = y;
      regs += Y.width;
      merged += Y.width - regBitsOf(y, Y);
      // The output register moves into the DSP48E1's P register when the output is one DSP product (with its cast's
      // slicing); after an adder tree of several terms it stays.
      if (dspTerms === 1 && terms === 1) f.dspRegBits -= Y.width;
    } else chan[o] = new Acc(flow, pricing).cast(cur, A.width, fa, Y);
    merge(one.path, p);
  }
  one.mults.skip += skips;
  one.hlsOps += hlsOps;
  // An input register that one DSP product alone reads moves into its A register (xilinx_dsp takes a flip-flop whose
  // output nothing else uses); one that feeds several stays.
  if (x.registered) for (let c = 0; c < C; c++) if (readBy[c] === 1 && onlyDsp[c]) f.dspRegBits -= x.type.width;
  // The outputs' range when every output was built (an output without terms is its constant bias, not counted).
  const yRange = range(Y);
  const out = outLo <= outHi && (outLo > yRange.lo || outHi < yRange.hi) ? { lo: outLo, hi: outHi } : undefined;
  return { one, regs, merged, out, chan, built: outLo <= outHi, product: entryOf };
}

function scaleInto(acc: Acc, one: Acc, k: number): void {
  addFeatures(acc.f, one.f, k);
  for (const key of Object.keys(one.mults) as (keyof LayerFeatures['mults'])[]) acc.mults[key] += one.mults[key] * k;
  acc.hlsOps += one.hlsOps * k;
}

/** dense with reuse R > 1: ceil(non-zero / R) shared multipliers fed by R-way multiplexers, an accumulator per output. */
function denseReuse(acc: Acc, layer: LayerModel, x: InputInfo, schedule: ReuseSchedule | undefined): void {
  const R = layer.reuse;
  const C = x.shape[x.shape.length - 1];
  const units = layer.params.units as number;
  const positions = Math.max(1, Math.round(x.count / C));
  const wT = layer.consts.weight;
  const Y = layer.tensor.type;
  const A = layer.types.accum ?? Y;
  const w = raws(wT);
  const sv = typeSignedBits(x.type);
  let nz = 0;
  let maxW = 1;
  let outsWithTerms = 0;
  for (let o = 0; o < units; o++) {
    let any = false;
    for (let c = 0; c < C; c++) {
      const wr = w[c * units + o];
      if (wr === 0) continue;
      nz++;
      any = true;
      maxW = Math.max(maxW, signedWidth(wr, wr));
    }
    if (any) outsWithTerms++;
  }
  nz *= positions;
  outsWithTerms *= positions;
  acc.mults.skip += C * units * positions - nz;
  acc.hlsOps += nz;
  const M = Math.ceil(nz / R);
  // The shared multipliers as macReuse builds them: the terms, outputs one after the other (positions, then outputs,
  // each input in order), are poured into the R phases, ⌈T / R⌉ per phase; multiplier m serves the m-th term of every
  // phase that has one. When it sees one weight in all its phases it is that constant's multiplier (a shift, a CSD
  // tree or a `*`, as the plan classifies it); otherwise a `*` of multiplexed operands, which yosys maps to DSP48E1
  // tiles (xc7) or logic. Its operand multiplexers select among the phases it serves.
  void schedule;
  const cap = Math.max(1, M);
  const order = new Float64Array(nz);
  /** The input (position · C + c) of each term. */
  const orderIn = new Int32Array(nz);
  {
    let t = 0;
    for (let pos = 0; pos < positions; pos++)
      for (let o = 0; o < units; o++)
        for (let c = 0; c < C; c++)
          if (w[c * units + o] !== 0) {
            orderIn[t] = pos * C + c;
            order[t++] = w[c * units + o];
          }
  }
  const xr0 = range(x.type);
  const fp = fracBits(x.type) + fracBits(wT.type);
  const prodB: B = { lo: -pow2(sv + maxW - 2), hi: pow2(sv + maxW - 2) };
  /** The longest path through a multiplier: its operand selects, its product and the product's cast to A. */
  const multPath = emptyPath();
  /** Each multiplier's output as mac.ts casts it to A: its bounds and known-zero low bits (a leaf of the sum trees). */
  const multLeaf: TreeLeaf[] = [];
  const ar = range(A);
  const fa = fracBits(A);
  /** A product's raw cast to A's scale (castTo's bounds: rounded when A is coarser). */
  const toA = (v: number) => (fp > fa ? roundShift(v, fp - fa, A.quant) : v * pow2(fa - fp));
  // Per input value: 1 when a DSP multiplier reads it with no select between (its register can move into the DSP48E1's
  // A register), 2 when anything else reads it (xilinx_dsp then leaves the register; c240_dense_reuse).
  const dspDirect = new Uint8Array(x.count);
  for (let m = 0; m < M; m++) {
    let phases = 0;
    let same = true;
    let sw = 1;
    /** The weight bits that are 1 in some phase (two's complement of sw bits): the rows of its product. */
    let ones = 0;
    const inputs = new Set<number>();
    let ulo = 0;
    let uhi = 0;
    for (let r = 0; r * cap + m < nz; r++) {
      const wr = order[r * cap + m];
      for (const v of [wr * xr0.lo, wr * xr0.hi]) {
        ulo = Math.min(ulo, v);
        uhi = Math.max(uhi, v);
      }
      if (phases > 0 && wr !== order[m]) same = false;
      sw = Math.max(sw, signedWidth(wr, wr));
      ones |= wr & 0x3fffffff;
      inputs.add(orderIn[r * cap + m]);
      phases++;
    }
    // The operand multiplexers: the input one selects among its distinct inputs (x.width bits × (inputs − 1) ways);
    // the weight one is a function of the phase counter alone, one LUT per weight bit.
    acc.f.rmuxBits += x.type.width * (inputs.size - 1);
    const dspBefore = acc.f.dsp;
    const mp = emptyPath();
    // The operand selects are balanced trees of 2:1 multiplexers on the phase counter's bits (mac.ts phaseMux): about
    // a LUT level per bit of the phases the multiplier serves (measured with yosys synth_ice40, 2 to 32 phases); a
    // weight that changes with the phase is a function of the counter, selected beside the input.
    const selLevels = inputs.size > 1 || !same ? Math.ceil(Math.log2(Math.max(2, phases))) : 0;
    let pb: B = { lo: ulo, hi: uhi };
    let ptz = 0;
    if (same) {
      const pc = acc.productConst(xr0, sv, order[m], mp);
      pb = pc.b;
      ptz = pc.tz;
      mp.levels += selLevels;
    } else {
      mp.levels = selLevels;
      const t = acc.flow === 'xc7' ? xc7DspTiles(sv, sw) : 0;
      if (t > 0) {
        acc.mults.dsp++;
        acc.f.dsp += t;
      } else {
        acc.mults.lut++;
        acc.f.lutMulBits += sv * sw;
        acc.f.varMulBits += sv * sw;
        // A multiplier of two variables in logic: a row per weight bit that can be 1 (synthesis drops the constant
        // zeros), and one correction row when a weight is negative (the sign bit's row is subtracted, not sign-extended
        // into sv rows: measured with yosys synth_ice40 on multipliers of 2 to 16 phases); the rows are summed in a
        // carry-save tree, then one carry chain.
        let rows = sw;
        if (sw <= 30) {
          rows = 0;
          for (let v = ones & (pow2(sw) - 1); v; v &= v - 1) rows++;
          if (ones & pow2(sw - 1)) rows += 1;
        }
        mp.levels += csaLevels(rows);
        mp.adders += 1;
        mp.maxWidth = Math.max(mp.maxWidth, sv + sw);
      }
      acc.f.rmuxBits += sw;
    }
    acc.cast(prodB, sv + maxW, fp, A, mp);
    merge(multPath, mp);
    const direct = inputs.size === 1 && acc.f.dsp > dspBefore;
    for (const v of inputs) dspDirect[v] = direct && dspDirect[v] !== 2 ? 1 : 2;
    // castTo's bounds and known zeros: the rounded bounds when they fit A (zeros shifted in when A is finer), else A's
    // range (a wrapped value keeps its zeros, a saturated one does not).
    let q: B = { lo: toA(pb.lo), hi: toA(pb.hi) };
    let qtz = fp <= fa ? ptz + fa - fp : 0;
    if (q.lo < ar.lo || q.hi > ar.hi) {
      q = ar;
      if (A.overflow !== 'WRAP') qtz = 0;
    }
    multLeaf.push({ lo: q.lo, hi: q.hi, tz: qtz, neg: false });
  }
  /**
   * The segment tree's nodes over the multipliers' outputs that exact chunks use (mac.ts macReuse), each an adder
   * instance built once for the layer, modulo 2^A.width (Acc.tree, as arith.ts sumTree builds it): the node as a leaf
   * of the trees above it, and its depth in adders.
   */
  const nodes = new Map<number, { leaf: TreeLeaf; depth: number }>();
  const treeNode = (lo: number, hi: number): { leaf: TreeLeaf; depth: number } => {
    if (hi - lo === 1) return { leaf: multLeaf[lo], depth: 0 };
    const key = lo * (M + 1) + hi;
    let v = nodes.get(key);
    if (!v) {
      const mid = (lo + hi) >> 1;
      const t = acc.tree([treeNode(lo, mid).leaf, treeNode(mid, hi).leaf], 0, A.width);
      v = { leaf: { lo: t.lo, hi: t.hi, tz: t.tz, neg: false }, depth: t.depth };
      nodes.set(key, v);
    }
    return v;
  };
  // The terms, outputs one after the other, are poured into the R phases (⌈T / R⌉ per phase, macReuse). In a phase, an
  // output's chunk of k terms continues its chain: when no partial sum of the output can leave A's range (exactChain)
  // the chunk is one exact sum (k + 1 addends with the accumulator); otherwise every term is an adder and a
  // saturating cast in A. Both count as raccBits (k + 1 addends × A's width). The accumulators are registers (each output's next value is multiplexed
  // over the phases where it has terms).
  const xr = inputRange(x);
  const bT = layer.consts.bias;
  const bias = bT ? raws(bT) : undefined;
  const sb = bT ? pow2(fa - fracBits(bT.type)) : 1;
  let poured = 0;
  const outBounds: B[] = [];
  /** The path of the longest chunk: an exact chunk's adder and carry-save levels, or a chain's saturating steps. */
  const chunkPath = emptyPath();
  for (let pos = 0; pos < positions; pos++) {
    for (let o = 0; o < units; o++) {
      let lo = bias ? bias[o] * sb : 0;
      let hi = lo;
      let n = 0;
      for (let c = 0; c < C; c++) {
        const wr = w[c * units + o];
        if (wr === 0) continue;
        n++;
        // The term's bounds as mac.ts termBounds: its cast's, or A's range when they do not fit.
        let a = toA(wr * xr.lo);
        let b = toA(wr * xr.hi);
        if (a > b) [a, b] = [b, a];
        if (a < ar.lo || b > ar.hi) [a, b] = [ar.lo, ar.hi];
        lo += Math.min(0, a);
        hi += Math.max(0, b);
      }
      if (n === 0) continue;
      const exact = lo >= ar.lo && hi <= ar.hi;
      // The output's cast reads the accumulator: an exact chain's partial sums (and its power-up 0), else A's range.
      outBounds.push(exact ? { lo: Math.min(lo, 0), hi: Math.max(hi, 0) } : ar);
      // Chunk sizes: terms poured..poured + n − 1 fall into phases floor(i / cap), on the phase's multipliers
      // i − phase · cap onward. mac.ts builds the chunks of the same multipliers and start (bias or accumulator) once.
      const chunks = new Set<string>();
      let i = poured;
      while (i < poured + n) {
        const r = Math.floor(i / cap);
        const end = Math.min(poured + n, (r + 1) * cap);
        const k = end - i;
        const key = `${r === 0 ? 'bias' : 'acc'}|${i - r * cap}|${k}`;
        if (chunks.has(key)) {
          i = end;
          continue;
        }
        chunks.add(key);
        const cp = emptyPath();
        if (exact) {
          // mac.ts: the chunk's multipliers [a, b) are covered by nodes of one segment tree over the layer's
          // multipliers (adder instances built once for the layer, modulo 2^A.width), added to the accumulator (after
          // phase 0) and a non-zero bias (a constant, at the root).
          const parts: TreeLeaf[] = [];
          let depth = 0;
          const cover = (a: number, b: number, nlo: number, nhi: number): void => {
            if (b <= nlo || nhi <= a) return;
            if (a <= nlo && nhi <= b) {
              const nd = treeNode(nlo, nhi);
              parts.push(nd.leaf);
              depth = Math.max(depth, nd.depth);
              return;
            }
            const mid = (nlo + nhi) >> 1;
            cover(a, b, nlo, mid);
            cover(a, b, mid, nhi);
          };
          cover(i - r * cap, end - r * cap, 0, M);
          const ob = outBounds[outBounds.length - 1];
          const leaves = r > 0 ? [{ lo: ob.lo, hi: ob.hi, tz: 0, neg: false }, ...parts] : parts;
          const t = acc.tree(leaves, r === 0 && bias ? bias[o] * sb : 0, A.width);
          cp.adders = depth + t.depth;
        } else {
          acc.f.raccBits += (k + 1) * A.width;
          acc.f.raccSplitBits += ((k + 1) * A.width) / R;
          for (let t = 0; t < k; t++) acc.cast({ lo: ar.lo * 2, hi: ar.hi * 2 }, A.width + 1, fa, A, t === 0 ? cp : undefined);
          cp.adders = k;
          cp.levels *= k;
        }
        merge(chunkPath, cp);
        i = end;
      }
      // The accumulator's next-value select (mac.ts: phaseMux over the phases): one choice per distinct chunk, the
      // bias when phase 0 has no term of this output, and the held value when a later phase has none.
      const first = Math.floor(poured / cap);
      const last = Math.floor((poured + n - 1) / cap);
      const choices = chunks.size + (first > 0 ? 1 : 0) + (first > 1 || last < R - 1 ? 1 : 0);
      acc.f.raccSelBits += (choices - 1) * A.width;
      poured += n;
    }
  }
  acc.f.regBits += outsWithTerms * (A.width + Y.width);
  if (x.registered) for (let v = 0; v < x.count; v++) if (dspDirect[v] === 1) acc.f.dspRegBits -= x.type.width;
  const yPath = emptyPath();
  for (let o = 0; o < outBounds.length; o++) acc.cast(outBounds[o], A.width, fracBits(A), Y, o === 0 ? yPath : undefined);
  // The path: a multiplier (operand selects, product, cast), the chunk's sum, the accumulator's next-value select (one
  // level) and the output's cast.
  acc.path.levels = multPath.levels + chunkPath.levels + 1 + yPath.levels;
  acc.path.adders = multPath.adders + chunkPath.adders + yPath.adders;
  // The phase counter's bits select every operand and accumulator bit: a net of high fan-out.
  acc.path.fanout = Math.sqrt((acc.f.rmuxBits + acc.f.muxBits + acc.f.raccSelBits) / 1000);
  acc.path.maxWidth = Math.max(A.width + 1, multPath.maxWidth);
}

/** LUT levels of a carry-save tree reducing n addends to two (3:2 compressors, one level each). */
function csaLevels(n: number): number {
  let lv = 0;
  for (let k = n; k > 2; k = k - Math.floor(k / 3)) lv++;
  return lv;
}

/**
 * conv1d / conv2d and their depthwise forms at reuse 1, as backends/verilog builds them (mac.ts): at every output
 * position, a dense layer over the window's valid taps × input channels (padding taps are left out). Windows with the
 * same valid taps build the same logic, so each such group is one dense (the weight rows of its taps, dense's
 * [taps · C][outputs] layout), counted once per window of the group. A depthwise layer is the dense whose weight is
 * zero outside each output's own input channel (zero weights build nothing). A product that several windows read is
 * counted once (shareProducts), with the features it has in the largest group (its tree is the same in every group;
 * how many of its bits synthesis keeps may differ).
 */
function windowedMac(acc: Acc, layer: LayerModel, x: InputInfo): B | undefined {
  const g = windowGeometry(layer, x.shape);
  const K = g.KH * g.KW;
  const C = g.C;
  const depthwise = layer.opName.startsWith('depthwise');
  const M = depthwise ? ((layer.params.multiplier as number | undefined) ?? 1) : 1;
  const O = depthwise ? C * M : (layer.params.filters as number);
  const groups = new Map<string, { kps: number[]; count: number }>();
  for (const win of g.windows) {
    const key = win.map((t) => t.kp).join(',');
    const grp = groups.get(key);
    if (grp) grp.count++;
    else groups.set(key, { kps: win.map((t) => t.kp), count: 1 });
  }
  let product: ((raw: number) => ProductEntry) | undefined;
  let most = 0;
  // The outputs' range: the union of the groups' (undefined when one group's is the type's, or has no taps: its
  // outputs are the bias, which is not tracked).
  let outLo = Infinity;
  let outHi = -Infinity;
  let tracked = true;
  for (const { kps, count } of groups.values()) {
    if (kps.length === 0) {
      tracked = false;
      continue;
    }
    const weight = tapWeights(layer.consts.weight, kps, K, C, O, M, depthwise);
    const flat = { params: { units: O }, consts: { weight, bias: layer.consts.bias }, tensor: layer.tensor, types: layer.types } as unknown as LayerModel;
    const n = kps.length * C;
    const info: InputInfo = { type: x.type, shape: [n], count: n, ...(x.registered ? { registered: true } : {}), ...(x.lo !== undefined ? { lo: x.lo, hi: x.hi } : {}) };
    const r = denseOne(acc.flow, acc.pricing, flat, info, raws(flat.consts.weight), flat.consts.bias ? raws(flat.consts.bias) : undefined, new Uint8Array(O).fill(1), true);
    scaleInto(acc, r.one, count);
    acc.f.regBits += r.regs * count;
    acc.regMerged += r.merged * count;
    merge(acc.path, r.one.path);
    if (count > most) [most, product] = [count, r.product];
    if (r.out) {
      outLo = Math.min(outLo, r.out.lo);
      outHi = Math.max(outHi, r.out.hi);
    } else if (r.built) tracked = false;
  }
  if (product) shareProducts(acc, g.windows, raws(tapWeights(layer.consts.weight, Array.from({ length: K }, (_, i) => i), K, C, O, M, depthwise)), C, O, product);
  return tracked && outLo <= outHi ? { lo: outLo, hi: outHi } : undefined;
}

/**
 * The backend builds one product per input value and weight raw for the whole layer (mac.ts), while each window's
 * dense above counts the products of its own pixels: a pixel that two windows read through equal weights (overlapping
 * windows, a kernel with repeated weights) is built once. Takes the repeats' product features off (`w`: the weight as
 * dense rows [kp · C + c][O]).
 */
function shareProducts(acc: Acc, windows: readonly (readonly { readonly kp: number; readonly pix: number }[])[], w: Float64Array, C: number, O: number, product: (raw: number) => ProductEntry): void {
  // The distinct non-zero raws of every weight row (a tap and an input channel, over the outputs).
  const rows: number[][] = [];
  for (let row = 0; row * O < w.length; row++) {
    const set = new Set<number>();
    for (let o = 0; o < O; o++) if (w[row * O + o] !== 0) set.add(w[row * O + o]);
    rows.push([...set]);
  }
  const counted = new Map<number, number>();
  const seen = new Map<number, Set<number>>();
  for (const win of windows)
    for (const t of win)
      for (let c = 0; c < C; c++) {
        const rs = rows[t.kp * C + c];
        if (rs.length === 0) continue;
        const key = t.pix * C + c;
        let s = seen.get(key);
        if (!s) seen.set(key, (s = new Set()));
        for (const r of rs) {
          counted.set(r, (counted.get(r) ?? 0) + 1);
          s.add(r);
        }
      }
  const built = new Map<number, number>();
  for (const s of seen.values()) for (const r of s) built.set(r, (built.get(r) ?? 0) + 1);
  const f = acc.f;
  for (const [r, n] of counted) {
    const dup = n - (built.get(r) ?? 0);
    if (dup <= 0) continue;
    const e = product(r);
    addFeatures(f, e.f, -dup);
    acc.mults.shift -= dup * e.shift;
    acc.mults.lut -= dup * e.lutMults;
    acc.mults.dsp -= dup * e.dspMults;
  }
}

/** The weight of a window's taps as a dense weight ([taps · C][O], row kp · C + c), cached per tensor and taps. */
const tapWeightCache = new WeakMap<ConstTensor, Map<string, ConstTensor>>();
function tapWeights(wT: ConstTensor, kps: readonly number[], K: number, C: number, O: number, M: number, depthwise: boolean): ConstTensor {
  if (!depthwise && kps.length === K && kps.every((kp, i) => kp === i)) return wT;
  let byTaps = tapWeightCache.get(wT);
  if (!byTaps) tapWeightCache.set(wT, (byTaps = new Map()));
  const key = kps.join(',');
  let t = byTaps.get(key);
  if (!t) {
    const v = wT.values();
    const out = new Float64Array(kps.length * C * O);
    kps.forEach((kp, j) => {
      for (let c = 0; c < C; c++) {
        const row = (j * C + c) * O;
        // conv: [kp · C + c][O]; depthwise: [kp · C + c][M], output o = c · M + m reads channel c only.
        if (depthwise) for (let m = 0; m < M; m++) out[row + c * M + m] = v[(kp * C + c) * M + m];
        else for (let o = 0; o < O; o++) out[row + o] = v[(kp * C + c) * O + o];
      }
    });
    t = { name: wT.name, type: wT.type, shape: [kps.length * C, O], source: wT.source, decl: wT.decl, values: () => out };
    byTaps.set(key, t);
  }
  return t;
}

/** Convolutions (and depthwise ones) at reuse > 1: dense over the kernel taps at every output position. */
function conv(acc: Acc, layer: LayerModel, x: InputInfo): void {
  const wT = layer.consts.weight;
  const Y = layer.tensor.type;
  const A = layer.types.accum ?? Y;
  const w = raws(wT);
  const outs = layer.tensor.shape[layer.tensor.shape.length - 1];
  const positions = Math.max(1, Math.round(size(layer.tensor.shape) / outs));
  const taps = Math.max(1, Math.round(w.length / outs));
  const sv = typeSignedBits(x.type);
  const xr = range(x.type);
  const fp = fracBits(x.type) + fracBits(wT.type);
  const one = new Acc(acc.flow, acc.pricing);
  for (let o = 0; o < outs; o++) {
    let terms = 0;
    // The products (and their casts) side by side, then the chain of terms in series.
    const p = emptyPath();
    for (let t = 0; t < taps; t++) {
      const wr = w[t * outs + o];
      if (wr === 0) {
        one.mults.skip++;
        continue;
      }
      one.hlsOps++;
      const pt = emptyPath();
      const prod = one.productConst(xr, sv, wr, pt);
      one.cast(prod.b, prod.width, fp, A, pt);
      merge(p, pt);
      terms++;
    }
    one.add(terms * (A.width + 1));
    for (let t = 0; t < terms; t++) one.cast({ lo: range(A).lo * 2, hi: range(A).hi * 2 }, A.width + 1, fracBits(A), A);
    one.cast(range(A), A.width, fracBits(A), Y);
    one.f.regBits += Y.width;
    p.adders += terms;
    p.maxWidth = Math.max(p.maxWidth, A.width + 1);
    merge(one.path, p);
  }
  scaleInto(acc, one, layer.reuse > 1 ? Math.ceil(positions / layer.reuse) : positions);
  merge(acc.path, one.path);
}

interface SoftmaxShape {
  /** Signed operand widths of the e · inv products. */
  readonly widths: [number, number];
  /** The least and largest exponent entry (the bounds of a read, layers.ts romRead). */
  readonly exp: B;
}
const softmaxShapes = new Map<string, SoftmaxShape>();
/**
 * What softmax's tables fix, cached by context: the signed operand widths of its e · inv products as yosys maps them
 * (the ROM output bits that are zero in every entry are constants, which wreduce drops before mul2dsp, whose
 * signed-only tiles add a sign bit), and the range of its exponent entries (the addends of Σ e).
 */
function softmaxShape(n: number, L: number, stable: boolean, layer: LayerModel): SoftmaxShape {
  const Ex = layer.types.exp_table;
  const V = layer.types.inv_table;
  if (!Ex || !V || n <= 1) return { widths: [(Ex?.width ?? 18) + 1, (V?.width ?? 18) + 1], exp: { lo: 0, hi: pow2(Ex?.width ?? 18) - 1 } };
  const key = `${n}|${L}|${stable ? 1 : 0}|${typeKey(Ex)}|${typeKey(V)}`;
  let r = softmaxShapes.get(key);
  if (!r) {
    const t = softmaxTables(n, L, stable, Ex, V);
    const extent = (raws: readonly bigint[]) => {
      let lo = raws[0] ?? 0n;
      let hi = lo;
      for (const v of raws) {
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
      return { lo, hi };
    };
    const width = (raws: readonly bigint[], T: FixedType) => {
      const e = extent(raws);
      const lo = e.lo < 0n ? e.lo : 0n;
      const hi = e.hi > 0n ? e.hi : 0n;
      const used = Math.max(lo < 0n ? (~lo).toString(2).length : 0, hi > 0n ? hi.toString(2).length : 0);
      return Math.min(T.width, used) + 1;
    };
    const e = extent(t.exp);
    r = { widths: [width(t.exp, Ex), width(t.inv, V)], exp: { lo: Number(e.lo), hi: Number(e.hi) } };
    if (softmaxShapes.size > 256) softmaxShapes.clear();
    softmaxShapes.set(key, r);
  }
  return r;
}

const softmaxTableCache = new Map<string, ReturnType<typeof softmaxTables>>();
const softmaxCells = new Map<string, number>();

/** What one row of a softmax reads (softmaxReads). */
interface SoftmaxReads {
  /** Per element, the bounds of its exponent read (the least and largest entry its index reaches). */
  readonly e: B[];
  /** LUT cells of the reads of many entries (romCellsOf), and LUTs of those of few (romLutsOf). */
  readonly cells: number;
  readonly luts: number;
  /** The bounds of the inverse read, of the sum of the exponent reads, and the sum's fractional bits less log2(n) (j's cast). */
  readonly inv: B;
  readonly sum: B;
  readonly jFrom: number;
  /** The index bits that vary over the reachable entries: the widest exponent read's, and the inverse read's. */
  readonly expBits: number;
  readonly invBits: number;
}

/**
 * The ROM reads of one softmax row as backends/verilog builds them (layers.ts softmax), each of the entries its index
 * reaches (the index's bounds follow the element's, the range the layer before tracks for its channel): an exponent
 * read per element (latency: but for the constants), and the inverse read, at the sum of the exponent reads. A read of no more
 * entries than a LUT tells apart is a LUT per output bit that varies (romLutsOf), else a tree of them (romCellsOf).
 * `idx`: per element, the reachable exponent indices [lo, hi] (every `step`-th); `bnd`: their bounds as the backend
 * tracks them (a saturating cast's are its type's whole range), which bound the reads' values.
 */
function softmaxReads(n: number, L: number, stable: boolean, layer: LayerModel, flow: Flow, x: InputInfo, row: number, idx: readonly [number, number][], bnd: readonly [number, number][], step: number): SoftmaxReads | undefined {
  const Ex = layer.types.exp_table;
  const V = layer.types.inv_table;
  if (!Ex || !V || n <= 1) return undefined;
  const tkey = `${n}|${L}|${stable ? 1 : 0}|${typeKey(Ex)}|${typeKey(V)}`;
  let t = softmaxTableCache.get(tkey);
  if (!t) {
    t = softmaxTables(n, L, stable, Ex, V);
    if (softmaxTableCache.size > 64) softmaxTableCache.clear();
    softmaxTableCache.set(tkey, t);
  }
  const tab = t;
  let cells = 0;
  let luts = 0;
  const read = (which: 'exp' | 'inv', lo: number, hi: number, st: number): void => {
    const key = `${tkey}|${flow}|${which}|${lo}|${hi}|${st}`;
    let c = softmaxCells.get(key);
    if (c === undefined) {
      const entries = which === 'exp' ? tab.exp : tab.inv;
      const w = which === 'exp' ? Ex.width : V.width;
      const few = romLutsOf(entries, w, flow, lo, hi, st);
      // Encoded: LUTs as −1 − luts, cells as themselves.
      c = few !== undefined ? -1 - few : romCellsOf(entries, w, flow, lo, hi, st);
      if (softmaxCells.size > 4096) softmaxCells.clear();
      softmaxCells.set(key, c);
    }
    if (c < 0) luts += -1 - c;
    else cells += c;
  };
  const extent = (entries: readonly bigint[], lo: number, hi: number, st: number): B => {
    let a = Number(entries[lo]);
    let b = a;
    for (let j = lo; j <= hi; j += st) {
      const v = Number(entries[j]);
      if (v < a) a = v;
      if (v > b) b = v;
    }
    return { lo: a, hi: b };
  };
  const e: B[] = [];
  const bitsOf = (lo: number, hi: number, st: number) => Math.ceil(Math.log2(Math.floor((hi - lo) / st) + 1));
  let expBits = 0;
  // The sum's reach (of the entries the indices reach: its other bits are constants synthesis folds) and its bounds.
  let sLo = 0;
  let sHi = 0;
  let bLo = 0;
  let bHi = 0;
  let maxLeast = -Infinity;
  for (let i = 0; i < L; i++) {
    const [lo, hi] = idx[i];
    if (stable || !x.constant?.[row * L + i]) expBits = Math.max(expBits, bitsOf(lo, hi, step));
    const b = extent(tab.exp, bnd[i][0], bnd[i][1], step);
    e.push(b);
    bLo += b.lo;
    bHi += b.hi;
    const rb = extent(tab.exp, lo, hi, step);
    sLo += rb.lo;
    sHi += rb.hi;
    maxLeast = Math.max(maxLeast, rb.lo);
    // Latency: a constant's index is a constant (stable: max − c is not).
    if (stable || !x.constant?.[row * L + i]) read('exp', lo, hi, step);
  }
  // The inverse table is read at j = min(⌊S · n / R⌋, n − 1). Stable: the maximum's own entry is the first (max − max
  // = 0), in place of its least one, which synthesis finds in the logic (the backend's bounds of the sum, and so of
  // the inverse read, do not know it).
  const j = (v: number) => Math.floor((v * n) / pow2(tab.r + fracBits(Ex)));
  const jOf = (v: number) => Math.max(0, Math.min(n - 1, j(v)));
  const jLo = jOf(stable ? sLo + Math.max(0, Number(tab.exp[0]) - maxLeast) : sLo);
  read('inv', jLo, jOf(sHi), 1);
  // The backend's bounds of j: its cast's, or the index's whole range when the cast saturates.
  const jb = j(bLo) >= 0 && j(bHi) <= n - 1 ? [j(bLo), j(bHi)] : [0, n - 1];
  return { e, cells, luts, inv: extent(tab.inv, jb[0], jb[1], 1), sum: { lo: bLo, hi: bHi }, jFrom: tab.r + fracBits(Ex) - Math.log2(n), expBits, invBits: bitsOf(jLo, jOf(sHi), 1) };
}

/** ⌊v / 2^n⌋ (v · 2^−n for n ≤ 0) clamped to [lo, hi]: the bounds of a saturating TRN cast to an integer type. */
function clampShift(v: number, n: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, n > 0 ? Math.floor(v / pow2(n)) : v * pow2(-n)));
}

/** softmax over the last axis: maximum tree (stable), exponent ROM reads, the sum, the inverse ROM, products. */
function softmax(acc: Acc, layer: LayerModel, x: InputInfo): void {
  const L = x.shape[x.shape.length - 1];
  const rows = Math.max(1, Math.round(x.count / L));
  const n = Number(layer.settings.table ?? 1024);
  const stable = (layer.settings.implementation ?? 'stable') !== 'latency';
  const Ex = layer.types.exp_table ?? fixedType(true, 18, 8, 'TRN', 'WRAP');
  const V = layer.types.inv_table ?? fixedType(false, 18, 8, 'TRN', 'WRAP');
  const Y = layer.tensor.type;
  const b = Math.log2(n);
  const F = fracBits(x.type);
  const xw = typeSignedBits(x.type);
  const xr = inputRange(x);
  // Each element's range: the one the layer before tracks for its channel, else the tensor's.
  const el = Array.from({ length: L }, (_, i) => x.chan?.[i] ?? xr);
  const shape = softmaxShape(n, L, stable, layer);
  const [ew, vw] = shape.widths;
  const idxType = fixedType(false, b, b, 'TRN', 'SAT');
  let lastReads: SoftmaxReads | undefined;
  for (let r = 0; r < rows; r++) {
    const isConst = (i: number) => x.constant?.[r * L + i] === 1;
    // The exponent indices per element, and their casts (a saturation only where the bounds can leave the table).
    const idx: [number, number][] = [];
    const bnd: [number, number][] = [];
    let step = 1;
    if (stable) {
      // Elements that are constants (a pruned neuron of the layer before, InputInfo.constant): the backend folds them,
      // so a compare with one is against a constant, and max − c is an adder of a constant, not a subtractor.
      let kc = 0;
      for (let i = 0; i < L; i++) kc += isConst(i) ? 1 : 0;
      acc.f.cmpBits += Math.max(0, L - 1 - kc) * xw;
      acc.f.muxBits += (L - 1) * x.type.width;
      // max − x: one subtractor instance per element (layers.ts softmax, sumTree of max and −x), in [m.lo − x.hi,
      // m.hi − x.lo] (the backend's bounds; max − x ≥ 0 is not among them); the index min(⌊(max − x) · n / 8⌋,
      // n − 1), a saturating cast.
      acc.f.treeBits += (L - kc) * (xw + 1);
      acc.f.subBits += (L - kc) * (xw + 1);
      acc.f.caddBits += kc * (xw + 1);
      const mlo = Math.max(...el.map((v) => v.lo));
      const mhi = Math.max(...el.map((v) => v.hi));
      for (const v of el) {
        const d = { lo: mlo - v.hi, hi: mhi - v.lo };
        const c = acc.cast(d, xw + 1, F + 3 - b, idxType);
        bnd.push([c.lo, c.hi]);
        idx.push([clampShift(Math.max(0, d.lo), F + 3 - b, 0, n - 1), clampShift(d.hi, F + 3 - b, 0, n - 1)]);
      }
    } else {
      // layers.ts tableIndex: clamp(⌊x · 2^k⌋ + n/2, 0, n − 1), k = log2(n) − 4 − F, a cast to fixed<b + 1, b + 1,
      // TRN, SAT>, an adder of n/2 and a cast to ufixed<b, b> (every 2^k-th entry when k > 0).
      for (let i = 0; n > 1 && i < L; i++) {
        const reach = (v: number) => Math.min(n - 1, Math.max(0, clampShift(v, F + 4 - b, -n, n - 1) + n / 2));
        idx.push([reach(el[i].lo), reach(el[i].hi)]);
        // A constant's index is a constant: no logic, and its bounds are its reach.
        if (isConst(i)) {
          bnd.push(idx[i]);
          continue;
        }
        const t = acc.cast(el[i], x.type.width, F + 4 - b, fixedType(true, b + 1, b + 1, 'TRN', 'SAT'));
        acc.addConst(b + 1);
        const c = acc.cast({ lo: t.lo + n / 2, hi: t.hi + n / 2 }, b + 1, 0, idxType);
        bnd.push([c.lo, c.hi]);
      }
      step = Math.max(1, pow2(b - 4 - F));
    }
    const reads = softmaxReads(n, L, stable, layer, acc.flow, x, r, idx, bnd, step);
    lastReads = reads;
    if (reads) {
      acc.f.smRomBits += reads.cells;
      acc.f.romLuts += reads.luts;
    } else if (n > 1) acc.f.smRomBits += L * romCells(n, Ex.width, acc.flow) + romCells(n, V.width, acc.flow);
    // Σ e: a tree of adder instances over the L exponent reads (their bounds: the least and largest entry they reach).
    if (L > 1) acc.tree(Array.from({ length: L }, (_, i) => ({ lo: reads ? reads.e[i].lo : shape.exp.lo, hi: reads ? reads.e[i].hi : shape.exp.hi, tz: 0, neg: false })), 0);
    // j: the sum's saturating cast to the inverse table's index.
    if (reads) acc.cast(reads.sum, signedWidth(reads.sum.lo, reads.sum.hi), reads.jFrom, idxType);
    else if (n > 1) acc.f.satBits += b;
    for (let i = 0; i < L; i++) {
      const tiles = acc.flow === 'xc7' ? xc7DspTiles(ew, vw) : 0;
      if (tiles > 0) {
        acc.mults.dsp++;
        acc.f.dsp += tiles;
      } else {
        acc.mults.lut++;
        acc.f.lutMulBits += (Ex.width + 1) * (V.width + 1);
        acc.f.varMulBits += (Ex.width + 1) * (V.width + 1);
      }
      // y = cast_Y(e · inv), saturating only where the product's bounds can leave Y.
      const eb = reads ? reads.e[i] : range(Ex);
      const ib = reads ? reads.inv : range(V);
      const ps = [eb.lo * ib.lo, eb.lo * ib.hi, eb.hi * ib.lo, eb.hi * ib.hi];
      acc.cast({ lo: Math.min(...ps), hi: Math.max(...ps) }, Ex.width + V.width, fracBits(Ex) + fracBits(V), Y);
    }
    acc.f.regBits += L * Y.width;
  }
  acc.path.levels = (stable ? Math.ceil(Math.log2(Math.max(2, L))) * 2 + 2 : 2) + 2;
  // The two reads in series: on iCE40 a LUT4 of four index bits and a 2:1 multiplexer level per further bit (as a
  // sigmoid's table; the reads of the last row stand for all).
  if (acc.flow === 'ice40') acc.path.levels += Math.max(0, (lastReads?.expBits ?? b) - 4) + Math.max(0, (lastReads?.invBits ?? b) - 4);
  acc.path.adders = (stable ? 1 : 0) + Math.ceil(Math.log2(Math.max(2, L)));
  acc.path.maxWidth = Ex.width + 4;
  acc.path.roms = 2;
  acc.path.sel = stable ? Math.ceil(Math.log2(Math.max(2, L))) : 0;
  acc.path.mulBits = acc.flow === 'xc7' ? 0 : Ex.width + V.width;
}
