// The simulation behind qnn/simulate, run in a worker thread (sim-worker.ts) so that the server stays responsive
// and a cancellation stops it at once: the same inputs and report as `qnn sim --json`.
import { checkProgram, memoryFileSystem, type FileModel, type NetworkModel } from '@qnn/language';
import { nodeFileSystem, partCatalog } from '@qnn/compiler';
import { buildReport, coSimulate, randomInputs, runBoth, testInputs, type LoadedInputs, type RunResult } from '@qnn/simulator';

export interface SimulationJob {
  readonly path: string;
  /** Texts of the open documents (unsaved changes), by path. */
  readonly buffers: Readonly<Record<string, string>>;
  readonly network?: string;
  readonly count?: number;
  readonly seed?: number;
  readonly rtl?: 'iverilog' | 'verilator';
  readonly hls?: boolean;
}

/** A failure with a diagnostic code, sent back to the client as the error's data. */
export class JobError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function pickNetwork(file: FileModel, name: string | undefined): NetworkModel {
  const names = [...file.networks.keys()];
  if (name !== undefined) {
    const n = file.networks.get(name);
    if (!n) throw new JobError('QNN4001', `The file defines no network '${name}'${names.length ? `; it defines ${names.join(', ')}` : ''}.`);
    return n;
  }
  if (names.length === 1) return file.networks.get(names[0])!;
  throw new JobError('QNN4001', names.length ? `The file defines ${names.length} networks (${names.join(', ')}); name one.` : 'The file defines no network.');
}

/** As `qnn sim`: the file's test data of the network, else `count` seeded random inputs over the input range. */
export function jobInputs(file: FileModel, net: NetworkModel, count: number | undefined, seed: number): LoadedInputs {
  const test = [...file.tests.values()].find((t) => t.network === net.name);
  if (test) return testInputs(test);
  const n = count ?? 1000;
  return { inputs: randomInputs(net, n, seed), rows: n, labels: undefined, source: `${n} random inputs (seed ${seed})` };
}

export async function runSimulation(job: SimulationJob, signal: AbortSignal, onProgress: (done: number, total: number) => void): Promise<unknown> {
  const fs = memoryFileSystem(job.buffers, nodeFileSystem);
  const program = checkProgram([job.path], { fs, parts: partCatalog });
  const file = program.files.get(job.path);
  if (!file) throw new JobError('QNN2036', `'${job.path}' cannot be read.`);
  const net = pickNetwork(file, job.network);
  if (!net.complete) throw new JobError('QNN4002', `Network '${net.name}' has errors.`);
  const data = jobInputs(file, net, job.count, job.seed ?? 1);
  const run = await runBoth(net, data.inputs, { signal, onProgress });
  const built = buildReport(net, job.path, data, run).json;
  const report = { ...built, outputs: built.outputs.map((o) => ({ ...o, scatter: outputScatter(run, o.name) })) };
  if (!job.rtl && !job.hls) return report;
  const cosim = await coSimulate({ net, source: job.path, inputs: data.inputs, rows: data.rows, vectorSource: data.source, rtl: job.rtl, hls: job.hls, signal });
  return { ...report, cosim };
}

/** Most points of an output's fixed-vs-float scatter in the qnn/simulate response (docs/server.md). */
export const SCATTER_POINTS = 2000;

/**
 * The fixed-vs-float pairs of one output: its values over the simulated samples in row-major order (sample, then
 * element), all of them when there are at most SCATTER_POINTS, else SCATTER_POINTS evenly spaced ones (value
 * floor(i·n/SCATTER_POINTS) for i = 0…SCATTER_POINTS−1), so the same seed gives the same points.
 */
export function outputScatter(run: RunResult, name: string): { fixed: number[]; float: number[] } {
  const layer = run.layers.find((l) => l.name === name);
  const values = layer?.values;
  if (!layer || !values) return { fixed: [], float: [] };
  // Only the samples simulated (fewer than requested when stopped) hold values.
  const n = Math.min(values.fixed.length, values.float.length, run.rows * layer.shape.reduce((a, b) => a * b, 1));
  const k = Math.min(n, SCATTER_POINTS);
  const fixed: number[] = new Array<number>(k);
  const float: number[] = new Array<number>(k);
  for (let i = 0; i < k; i++) {
    const j = k === n ? i : Math.floor((i * n) / k);
    fixed[i] = values.fixed[j];
    float[i] = values.float[j];
  }
  return { fixed, float };
}

