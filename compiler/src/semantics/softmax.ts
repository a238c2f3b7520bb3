// The constant tables of softmax (docs/semantics.md section 11), shared by the simulator and the backends.
import { fracBits, type FixedType } from '@qnn/language';
import { quantizeValues } from './quantize.js';

export interface SoftmaxTables {
  readonly size: number;
  readonly stable: boolean;
  readonly expType: FixedType;
  readonly invType: FixedType;
  /** Exponential table raws (exp_table type). */
  readonly exp: readonly bigint[];
  /** log2 of the range R of the sum that the reciprocal table covers. */
  readonly r: number;
  /** Reciprocal table raws (inv_table type). */
  readonly inv: readonly bigint[];
  readonly overflows: number;
}

/** The two tables of a softmax over `length` values. */
export function softmaxTables(n: number, length: number, stable: boolean, expType: FixedType, invType: FixedType): SoftmaxTables {
  const expVals: number[] = [];
  for (let j = 0; j < n; j++) expVals.push(Math.exp(stable ? (-(2 * j + 1) * 4) / n : ((2 * j + 1 - n) * 8) / n));
  const eq = quantizeValues(expType, expVals);
  const exp = eq.raws;
  let eMax = 0n;
  for (const e of exp) if (e > eMax) eMax = e;
  const total = BigInt(length) * eMax;
  const r = (total > 1n ? (total - 1n).toString(2).length : 0) - fracBits(expType);
  const invVals: number[] = [];
  for (let j = 0; j < n; j++) invVals.push(((2 * n) / (2 * j + 1)) * 2 ** -r);
  const iq = quantizeValues(invType, invVals);
  const inv = iq.raws;
  const overflows = eq.overflows + iq.overflows;
  return { size: n, stable, expType, invType, exp, r, inv, overflows };
}
