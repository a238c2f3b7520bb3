// Compares the bit-accurate results with the float reference: per-layer errors, SNR, classification agreement.

export interface ErrorStats {
  /** Largest |fixed − float| over all values. */
  readonly maxAbsError: number;
  readonly meanAbsError: number;
  /**
   * Signal-to-noise ratio in dB: 10·log10(Σ float² / Σ (fixed − float)²). `Infinity` when the results are equal,
   * `-Infinity` when the float signal is all zeros but the fixed results are not.
   */
  readonly snrDb: number;
  /** Index (row-major) of the value with the largest error, or -1 for empty tensors. */
  readonly worstIndex: number;
}

/** Running sums of an error comparison, so that long runs need not keep every value. */
export class ErrorAccumulator {
  private max = 0;
  private sum = 0;
  private count = 0;
  private signal = 0;
  private noise = 0;
  private worst = -1;

  /** Adds values; `offset` is the row-major index of the first one in the whole run. */
  add(fixed: ArrayLike<number>, float: ArrayLike<number>, offset = 0): void {
    const n = Math.min(fixed.length, float.length);
    for (let i = 0; i < n; i++) {
      const f = float[i];
      const d = fixed[i] - f;
      const a = Math.abs(d);
      if (a > this.max) {
        this.max = a;
        this.worst = offset + i;
      } else if (this.worst < 0) this.worst = offset + i;
      this.sum += a;
      this.signal += f * f;
      this.noise += d * d;
    }
    this.count += n;
  }

  stats(): ErrorStats {
    const snrDb = this.noise === 0 ? Infinity : this.signal === 0 ? -Infinity : 10 * Math.log10(this.signal / this.noise);
    return { maxAbsError: this.max, meanAbsError: this.count ? this.sum / this.count : 0, snrDb, worstIndex: this.worst };
  }
}

export function errorStats(fixed: ArrayLike<number>, float: ArrayLike<number>): ErrorStats {
  const n = Math.min(fixed.length, float.length);
  let max = 0;
  let sum = 0;
  let signal = 0;
  let noise = 0;
  let worst = n > 0 ? 0 : -1;
  for (let i = 0; i < n; i++) {
    const f = float[i];
    const d = fixed[i] - f;
    const a = Math.abs(d);
    if (a > max) {
      max = a;
      worst = i;
    }
    sum += a;
    signal += f * f;
    noise += d * d;
  }
  const snrDb = noise === 0 ? Infinity : signal === 0 ? -Infinity : 10 * Math.log10(signal / noise);
  return { maxAbsError: max, meanAbsError: n ? sum / n : 0, snrDb, worstIndex: worst };
}

/** The arg-max class of each row (the first maximum wins, as numpy.argmax). */
export function top1(values: ArrayLike<number>, rows: number, classes: number): Int32Array {
  const out = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    let best = 0;
    let bestValue = values[r * classes];
    for (let c = 1; c < classes; c++) {
      const v = values[r * classes + c];
      if (v > bestValue) {
        bestValue = v;
        best = c;
      }
    }
    out[r] = best;
  }
  return out;
}

/** Fraction of rows where the two class vectors agree. */
export function agreement(a: Int32Array, b: ArrayLike<number>): number {
  const n = Math.min(a.length, b.length);
  if (n === 0) return 0;
  let same = 0;
  for (let i = 0; i < n; i++) if (a[i] === b[i]) same++;
  return same / n;
}
