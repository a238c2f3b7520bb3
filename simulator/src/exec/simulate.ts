// The bit-accurate simulation of a checked network: quantize the inputs, run every layer on integers, count overflows.
import type { NetworkModel } from '@qnn/language';
import { ConstCache } from './consts.js';
import { Plan, quantizeInput } from './plan.js';
import type { NetworkResult } from './result.js';

/** Input values per network input name: rows × elements doubles (row-major, one row per sample). */
export type SimulationInputs = ReadonlyMap<string, { readonly rows: number; readonly data: Float64Array }>;

export interface SimulateOptions {
  /** Stops the simulation between chunks of rows; `simulate` then rejects with the signal's reason. */
  readonly signal?: AbortSignal;
  /** Called after every chunk with the rows done and the total. */
  readonly onProgress?: (done: number, total: number) => void;
  /** Keep every layer's (and input's) values; by default only the outputs are kept. */
  readonly keepLayers?: boolean;
  /** Run every layer on the BigInt path (for testing the number path against it). */
  readonly forceBigInt?: boolean;
  /** Use WebAssembly kernels where they apply (default true; false tests the JavaScript kernels). */
  readonly wasm?: boolean;
  /** Rows per chunk (default 256). */
  readonly chunkRows?: number;
}

/** Bad inputs: a missing input, a wrong number of values, rows that differ, a value that is not finite. */
export class SimulationInputError extends Error {
  override readonly name = 'SimulationInputError';
}

/**
 * Simulates `net` bit-accurately on every row of `inputs`. Yields to the event loop between chunks (so that an abort
 * signal or a progress bar can act) and rejects with the signal's reason when aborted.
 */
export async function simulate(net: NetworkModel, inputs: SimulationInputs, opts: SimulateOptions = {}): Promise<NetworkResult> {
  const run = start(net, inputs, opts);
  let last = performance.now();
  for (;;) {
    opts.signal?.throwIfAborted();
    if (!run.next()) break;
    if (performance.now() - last > 20) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      last = performance.now();
    }
  }
  opts.signal?.throwIfAborted();
  return run.plan.result();
}

/** The same, synchronously (the signal is checked between chunks; it cannot fire while this runs on the main thread unless aborted from a callback). */
export function simulateSync(net: NetworkModel, inputs: SimulationInputs, opts: SimulateOptions = {}): NetworkResult {
  const run = start(net, inputs, opts);
  while (run.next()) opts.signal?.throwIfAborted();
  return run.plan.result();
}

function start(net: NetworkModel, inputs: SimulationInputs, opts: SimulateOptions): { plan: Plan; next(): boolean } {
  if (!net.complete) throw new Error(`network '${net.name}' has errors; fix them before simulating it`);
  const rows = checkInputs(net, inputs);
  const chunkRows = Math.max(1, Math.floor(opts.chunkRows ?? 256));
  const plan = new Plan(net, { consts: new ConstCache(), forceBigInt: opts.forceBigInt ?? false, wasm: opts.wasm ?? true, rows, chunkRows, keepLayers: opts.keepLayers ?? false }, new Set(net.outputs));
  let done = 0;
  return {
    plan,
    next() {
      if (done >= rows) return false;
      const n = Math.min(chunkRows, rows - done);
      for (const i of plan.inputs) quantizeInput(i.buf, inputs.get(i.model.name)!.data, done, n, i.counter.sink('input'));
      plan.runLayers(done, n);
      done += n;
      opts.onProgress?.(done, rows);
      return done < rows;
    },
  };
}

function checkInputs(net: NetworkModel, inputs: SimulationInputs): number {
  let rows: number | undefined;
  for (const i of net.inputs) {
    const given = inputs.get(i.name);
    if (!given) throw new SimulationInputError(`no values for input '${i.name}' of network '${net.name}'`);
    const size = i.tensor.shape.reduce((a, b) => a * b, 1);
    if (!Number.isInteger(given.rows) || given.rows < 0 || given.data.length !== given.rows * size) {
      throw new SimulationInputError(`input '${i.name}' needs ${size} values per row: ${given.rows} rows need ${given.rows * size} values, not ${given.data.length}`);
    }
    if (rows !== undefined && given.rows !== rows) throw new SimulationInputError(`input '${i.name}' has ${given.rows} rows; the other inputs have ${rows}`);
    rows = given.rows;
    for (let k = 0; k < given.data.length; k++) {
      if (!Number.isFinite(given.data[k])) {
        throw new SimulationInputError(`input '${i.name}' has the value ${given.data[k]} in row ${Math.floor(k / size)} (element ${k % size}); inputs must be finite numbers`);
      }
    }
  }
  for (const name of inputs.keys()) if (!net.inputs.some((i) => i.name === name)) throw new SimulationInputError(`network '${net.name}' has no input '${name}'`);
  return rows ?? 0;
}
