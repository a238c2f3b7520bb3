// The timing helper of the benchmarks: warm-up runs, then timed runs; median, p99, mean, min and max in ms.

/** Runs `fn` `warmup` times, then `runs` timed times. */
export function measure(fn, { warmup = 10, runs = 100 } = {}) {
  for (let i = 0; i < warmup; i++) fn();
  const times = new Float64Array(runs);
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    times[i] = performance.now() - t0;
  }
  times.sort();
  let sum = 0;
  for (const t of times) sum += t;
  const q = (p) => times[Math.min(runs - 1, Math.max(0, Math.ceil(p * runs) - 1))];
  return { runs, medianMs: q(0.5), p99Ms: q(0.99), meanMs: sum / runs, minMs: times[0], maxMs: times[runs - 1] };
}
