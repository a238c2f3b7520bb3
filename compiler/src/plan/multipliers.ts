// The rule that decides how a multiplication is built: skipped (zero), a shift (±2^k), a constant multiplier in LUTs
// (a shift-and-add tree over the constant's canonical signed digits) or a DSP. Written down in docs/build.md.
import type { ConstantPlan, CsdDigit, MultiplierKind } from './types.js';

/**
 * A constant multiplier is built in LUTs when its adder tree is small: (digits − 1) adders of about
 * (operand bits + digit span) bits each, at most this many adder bits in total. 64 adder bits is about 64 LUTs
 * (one LUT6 and carry per bit on AMD parts), the area at which a DSP48 slice is usually considered cheaper
 * (hls4ml and FINN switch to DSPs at a similar size). A starting point to calibrate against synthesis.
 */
export const LUT_MULTIPLIER_MAX_ADDER_BITS = 64;

/** A multiplier of two variables (a multiplexed weight, softmax's e · 1/S) is built in LUTs when an operand has at most this many bits. */
export const LUT_VARIABLE_MULTIPLIER_MAX_BITS = 4;

/** DSP48E2 operand widths (UltraScale+; a DSP48E1 is 25 × 18, the same count for our widths up to 25). */
export const DSP_A_BITS = 27;
export const DSP_B_BITS = 18;

/** Bits of a raw as a signed number: a signed type's width, one more for an unsigned type. */
export function operandBits(t: { readonly width: number; readonly signed: boolean }): number {
  return t.width + (t.signed ? 0 : 1);
}

/** The smallest k ≥ 1 such that v is a k-bit two's-complement number. */
export function signedBitsOf(v: bigint): number {
  if (v >= -0x40000000n && v < 0x40000000n) {
    const n = Number(v);
    const a = n < 0 ? -n - 1 : n;
    return 33 - Math.clz32(a);
  }
  const a = v < 0n ? -v - 1n : v;
  return a === 0n ? 1 : a.toString(2).length + 1;
}

/** DSP slices of one a × b multiplier. */
export function dspSlices(a: number, b: number): number {
  const hi = Math.max(a, b);
  const lo = Math.min(a, b);
  return Math.ceil(hi / DSP_A_BITS) * Math.ceil(lo / DSP_B_BITS);
}

/** The non-adjacent form (canonical signed digits) of v, least significant digit first. */
export function canonicalSignedDigits(v: bigint): CsdDigit[] {
  const out: CsdDigit[] = [];
  if (v === 0n) return out;
  if (v >= -(2n ** 52n) && v <= 2n ** 52n) {
    let n = Number(v);
    let shift = 0;
    while (n !== 0) {
      if (n % 2 !== 0) {
        // n mod 4 = 1 → digit +1, n mod 4 = 3 → digit −1 (so that the next bit is zero).
        const m = ((n % 4) + 4) % 4;
        const d = m === 1 ? 1 : -1;
        out.push({ shift, negative: d < 0 });
        n -= d;
      }
      n /= 2;
      shift++;
    }
    return out;
  }
  let n = v;
  let shift = 0;
  while (n !== 0n) {
    if ((n & 1n) !== 0n) {
      const m = n & 3n;
      const d = m === 1n ? 1n : -1n;
      out.push({ shift, negative: d < 0n });
      n -= d;
    }
    n >>= 1n;
    shift++;
  }
  return out;
}

/** Options of the classification: the other operand's width and whether the target has DSPs. */
export interface ClassifyOptions {
  /** Bits of the variable operand as a signed number (operandBits of its type). */
  readonly operandBits: number;
  readonly dspAvailable: boolean;
}

/**
 * How x · raw is built: `skip` for 0, `shift` for ±2^k, `lut` when the CSD adder tree is at most
 * LUT_MULTIPLIER_MAX_ADDER_BITS adder bits (or the target has no DSPs), else `dsp`.
 */
export function classifyConstant(raw: bigint, opts: ClassifyOptions): ConstantPlan {
  if (raw === 0n) return { raw, kind: 'skip', digits: 0 };
  const csd = canonicalSignedDigits(raw);
  const digits = csd.length;
  if (digits === 1) return { raw, kind: 'shift', digits, csd };
  const span = csd[digits - 1].shift - csd[0].shift;
  const adderBits = (digits - 1) * (opts.operandBits + span);
  if (!opts.dspAvailable || adderBits <= LUT_MULTIPLIER_MAX_ADDER_BITS) return { raw, kind: 'lut', digits, csd };
  return { raw, kind: 'dsp', digits, dspSlices: dspSlices(opts.operandBits, signedBitsOf(raw)) };
}

/** How a multiplier of two variables of a and b bits is built. */
export function classifyVariable(a: number, b: number, dspAvailable: boolean): { kind: MultiplierKind; dspSlices: number } {
  if (!dspAvailable || Math.min(a, b) <= LUT_VARIABLE_MULTIPLIER_MAX_BITS) return { kind: 'lut', dspSlices: 0 };
  return { kind: 'dsp', dspSlices: dspSlices(a, b) };
}

/** Mutable counts, frozen into MultiplierCounts at the end. */
export class Counts {
  dsp = 0;
  lut = 0;
  shift = 0;
  skip = 0;
  add(kind: MultiplierKind, n = 1): void {
    this[kind] += n;
  }
  plus(c: { readonly dsp: number; readonly lut: number; readonly shift: number; readonly skip: number }): void {
    this.dsp += c.dsp;
    this.lut += c.lut;
    this.shift += c.shift;
    this.skip += c.skip;
  }
  freeze(): { readonly dsp: number; readonly lut: number; readonly shift: number; readonly skip: number } {
    return { dsp: this.dsp, lut: this.lut, shift: this.shift, skip: this.skip };
  }
}
