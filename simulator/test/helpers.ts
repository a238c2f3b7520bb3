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
