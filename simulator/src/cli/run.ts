// Runs the bit-accurate simulation and the float reference on the same inputs, block by block, so that Ctrl-C
// keeps the blocks done and a progress bar can follow.
import type { FixedType, NetworkModel } from '@qnn/language';
import { rawsToDoubles } from '../exec/result.js';
import { simulate } from '../exec/simulate.js';
import { floatReference, type FloatBackend } from '../float/index.js';
import { ErrorAccumulator, type ErrorStats } from '../report/compare.js';
import type { InputSet } from './inputs.js';
import { SimError } from './sim-error.js';

export interface LayerRun {
  readonly name: string;
  readonly op: string;
  readonly shape: readonly number[];
  readonly type: FixedType;
  /** Error of the fixed-point values against float, over every sample. */
  readonly error: ErrorStats;
  /** For the network's outputs only: every value, rows × elements (fixed as doubles, and float). */
  readonly values: { readonly fixed: Float64Array; readonly float: Float32Array } | undefined;
  readonly overflow: { readonly wrapped: number; readonly saturated: number; readonly firstSample: number };
}

export interface RunResult {
  /** Samples simulated (fewer than requested when stopped). */
  readonly rows: number;
  /** The inputs, then every layer in execution order. */
  readonly layers: readonly LayerRun[];
  readonly stopped: boolean;
  readonly backend: string;
  readonly fixedMs: number;
  readonly floatMs: number;
}

/** Samples per block: large enough for fast kernels, small enough that Ctrl-C answers quickly. */
const BLOCK = 8192;

export async function runBoth(
  net: NetworkModel,
  inputs: InputSet,
  opts: { readonly signal: AbortSignal; readonly backend?: FloatBackend; readonly onProgress?: (done: number, total: number) => void },
): Promise<RunResult> {
  const total = [...inputs.values()][0]?.rows ?? 0;
  const nodes = [
    ...net.inputs.map((i) => ({ name: i.name, op: 'input', shape: i.tensor.shape, type: i.tensor.type })),
    ...net.layers.map((l) => ({ name: l.name, op: l.opName, shape: l.tensor.shape, type: l.tensor.type })),
  ];
  const per = new Map(nodes.map((n) => [n.name, n.shape.reduce((a, b) => a * b, 1)]));
  const errors = new Map(nodes.map((n) => [n.name, new ErrorAccumulator()]));
  // Only the outputs keep every value (for classification and --out); other layers keep running error sums.
  const outputs = new Set(net.outputs);
  const fixed = new Map(nodes.filter((n) => outputs.has(n.name)).map((n) => [n.name, new Float64Array(total * per.get(n.name)!)]));
  const float = new Map(nodes.filter((n) => outputs.has(n.name)).map((n) => [n.name, new Float32Array(total * per.get(n.name)!)]));
  const blockFixed = new Map<string, Float64Array>();
  const overflow = new Map(nodes.map((n) => [n.name, { wrapped: 0, saturated: 0, firstSample: -1 }]));
  let done = 0;
  let fixedMs = 0;
  let floatMs = 0;
  let backend = '';
  let stopped = false;
  while (done < total) {
    if (opts.signal.aborted) {
      stopped = true;
      break;
    }
    const rows = Math.min(BLOCK, total - done);
    const block = new Map([...inputs].map(([k, v]) => {
      const n = per.get(k)!;
      return [k, { rows, data: v.data.subarray(done * n, (done + rows) * n) }] as const;
    }));
    try {
      let t0 = performance.now();
      const fx = await simulate(net, block, { signal: opts.signal, keepLayers: true });
      fixedMs += performance.now() - t0;
      t0 = performance.now();
      const fl = await floatReference(net, block, { signal: opts.signal, backend: opts.backend }).catch((e: unknown) => {
        if (opts.signal.aborted) throw e;
        throw new SimError('QNN4007', `The float reference failed: ${e instanceof Error ? e.message : String(e)}`);
      });
      floatMs += performance.now() - t0;
      backend = fl.backend + (fl.fallback ? ` (${fl.fallback})` : '');
      const results: [string, { tensor?: Parameters<typeof rawsToDoubles>[0]; overflow: { wrapped: number; saturated: number; firstSample: number | undefined } }][] = [
        ...[...fx.inputs].map(([k, v]) => [k, { tensor: v.tensor, overflow: v.overflow }] as [string, { tensor?: Parameters<typeof rawsToDoubles>[0]; overflow: { wrapped: number; saturated: number; firstSample: number | undefined } }]),
        ...[...fx.layers].map(([k, v]) => [k, { tensor: v.tensor, overflow: v.overflow }] as [string, { tensor?: Parameters<typeof rawsToDoubles>[0]; overflow: { wrapped: number; saturated: number; firstSample: number | undefined } }]),
      ];
      for (const [name, r] of results) {
        const n = per.get(name);
        if (n === undefined || !r.tensor) continue;
        const values = rawsToDoubles(r.tensor);
        blockFixed.set(name, values);
        fixed.get(name)?.set(values, done * n);
        const o = overflow.get(name)!;
        o.wrapped += r.overflow.wrapped;
        o.saturated += r.overflow.saturated;
        if (o.firstSample < 0 && r.overflow.firstSample !== undefined) o.firstSample = done + r.overflow.firstSample;
      }
      for (const [name, t] of [...fl.inputs, ...fl.layers]) {
        const n = per.get(name);
        if (n === undefined) continue;
        float.get(name)?.set(t.data, done * n);
        const fv = blockFixed.get(name);
        if (fv) errors.get(name)!.add(fv, t.data, done * n);
      }
      blockFixed.clear();
    } catch (e) {
      if (opts.signal.aborted) {
        stopped = true;
        break;
      }
      throw e;
    }
    done += rows;
    opts.onProgress?.(done, total);
  }
  return {
    rows: done,
    layers: nodes.map((n) => {
      const fx = fixed.get(n.name);
      const fl = float.get(n.name);
      const len = done * per.get(n.name)!;
      return {
        ...n,
        error: errors.get(n.name)!.stats(),
        values: fx && fl ? { fixed: fx.subarray(0, len), float: fl.subarray(0, len) } : undefined,
        overflow: overflow.get(n.name)!,
      };
    }),
    stopped,
    backend: backend || 'none',
    fixedMs,
    floatMs,
  };
}
