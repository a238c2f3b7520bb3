// The constant tables of sigmoid and tanh (docs/semantics.md section 10), shared by the simulator and the backends.
import type { FixedType } from '@qnn/language';
import { quantizeValues } from './quantize.js';

export interface ActivationTable {
  readonly size: number;
  /** Input range covered: [−range/2, range/2). */
  readonly range: number;
  readonly type: FixedType;
  /** Entry raws in `type`. */
  readonly raws: readonly bigint[];
  /** Entries that overflowed `type`. */
  readonly overflows: number;
}

export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/** The entries of a sigmoid or tanh table: entry i is f((i − N/2) · R / N) (exact input, f in binary64), quantized to `type`. */
export function activationTable(fn: 'sigmoid' | 'tanh', n: number, type: FixedType): ActivationTable {
  const range = fn === 'sigmoid' ? 16 : 8;
  const f = fn === 'sigmoid' ? sigmoid : Math.tanh;
  const values: number[] = [];
  for (let i = 0; i < n; i++) values.push(f(((i - n / 2) * range) / n));
  const { raws, overflows } = quantizeValues(type, values);
  return { size: n, range, type, raws, overflows };
}
