// Test helpers: check a network from source text, run it on rows of numbers, read results as numbers.
import { checkProgram, memoryFileSystem, type NetworkModel } from '@qnn/language';
import { rawsToDoubles, simulateSync, type NetworkResult, type RawTensor, type SimulateOptions } from '../src/index.js';

/** The network `name` (default: the last one) of a one-file program; fails on any diagnostic. */
export function network(src: string, name?: string): NetworkModel {
  const path = '/test/net.qnn';
  const program = checkProgram([path], { fs: memoryFileSystem({ [path]: src }) });
  const diags = [...program.diagnostics.values()].flat().filter((d) => d.severity === 'error');
  if (diags.length) throw new Error(diags.map((d) => `${d.code} ${d.message}`).join('\n'));
  const nets = [...program.files.get(path)!.networks.values()];
  const net = name ? nets.find((n) => n.name === name) : nets[nets.length - 1];
  if (!net) throw new Error(`no network ${name}`);
  return net;
}

/** Runs `net` on rows given per input as arrays of per-sample value lists (flattened row-major). */
export function run(net: NetworkModel, rows: Record<string, number[][]>, opts: SimulateOptions = {}): NetworkResult {
  const inputs = new Map(Object.entries(rows).map(([k, v]) => [k, { rows: v.length, data: Float64Array.from(v.flat()) }]));
  return simulateSync(net, inputs, opts);
}

export function raws(t: RawTensor | undefined): number[] {
  if (!t) throw new Error('tensor not kept');
  return Array.from(t.data as ArrayLike<number | bigint>, Number);
}

export function values(t: RawTensor | undefined): number[] {
  if (!t) throw new Error('tensor not kept');
  return Array.from(rawsToDoubles(t));
}

/** Runs on both paths and checks that they agree bit for bit (values and overflow accounting); returns the number path's result. */
export function runBoth(net: NetworkModel, rows: Record<string, number[][]>, opts: SimulateOptions = {}): NetworkResult {
  const a = run(net, rows, { ...opts, keepLayers: true });
  const b = run(net, rows, { ...opts, keepLayers: true, forceBigInt: true });
  for (const [name, l] of a.layers) {
    const m = b.layers.get(name)!;
    if (raws(l.tensor).join() !== raws(m.tensor).join()) throw new Error(`layer ${name}: number ${raws(l.tensor)} vs bigint ${raws(m.tensor)}`);
    if (JSON.stringify(l.overflow) !== JSON.stringify(m.overflow)) throw new Error(`layer ${name}: overflow ${JSON.stringify(l.overflow)} vs ${JSON.stringify(m.overflow)}`);
  }
  return a;
}

/** A seeded xorshift32 generator of numbers in [0, 1), for the randomized tests. */
export function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
}

/** Integers and choices drawn from a seeded generator; each randomized test extends it with its own types. */
export class RandomSource {
  constructor(readonly rnd: () => number) {}
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.rnd() * (hi - lo + 1));
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.rnd() * xs.length)];
  }
}
