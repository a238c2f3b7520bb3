// The hls4ml reuse-factor validity rule for dense and convolution layers, and the nearest valid values.

/**
 * With mf = min(nIn, R) and ml = ceil(nIn·nOut / mf), R is valid iff (ml % nOut == 0 or R ≥ nIn) and
 * (R % nIn == 0 or R < nIn) and (nIn·nOut) % R == 0 (hls4ml's `_validate_reuse_factor`).
 */
export function isValidReuse(nIn: number, nOut: number, r: number): boolean {
  if (!Number.isInteger(r) || r < 1) return false;
  const total = nIn * nOut;
  const mf = Math.min(nIn, r);
  const ml = Math.ceil(total / mf);
  return (ml % nOut === 0 || r >= nIn) && (r % nIn === 0 || r < nIn) && total % r === 0;
}

/** The valid reuse factors closest to `r`: the largest below and the smallest above (each if it exists). */
export function nearestValidReuse(nIn: number, nOut: number, r: number): number[] {
  const total = nIn * nOut;
  let below: number | undefined;
  let above: number | undefined;
  // Every valid R divides nIn·nOut, so only divisors need testing.
  for (const d of divisors(total)) {
    if (!isValidReuse(nIn, nOut, d)) continue;
    if (d < r && (below === undefined || d > below)) below = d;
    if (d > r && (above === undefined || d < above)) above = d;
  }
  return [below, above].filter((x): x is number => x !== undefined);
}

/** Divisors of n (n ≤ 2^53), by trial division up to √n. */
export function divisors(n: number): number[] {
  const small: number[] = [];
  const large: number[] = [];
  for (let i = 1; i * i <= n; i++) {
    if (n % i === 0) {
      small.push(i);
      if (i * i !== n) large.push(n / i);
    }
  }
  return small.concat(large.reverse());
}
