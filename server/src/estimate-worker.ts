// The worker thread of the background estimates: checks the program of an entry file from the buffers it is sent
// (and the disk for the rest), estimates the networks the server asks for, and posts the estimates and the entry
// file's QNN3xxx diagnostics back. Estimating a large network takes hundreds of milliseconds and allocates its plan:
// here it neither blocks the server's requests nor stays in the server's heap (the worker is ended when idle).
import { parentPort } from 'node:worker_threads';
import { checkProgram, createParseCache, memoryFileSystem, type Diagnostic } from '@qnn/language';
import { estimateDiagnostics, estimateNetwork, nodeFileSystem, partCatalog, type EstimateOptions, type NetworkEstimate } from '@qnn/compiler';

/** One request: the entry file, the open buffers, and the networks with the options of each. */
export interface EstimateJob {
  readonly id: number;
  readonly entry: string;
  /** The open buffers by path (they win over the disk). */
  readonly buffers: Readonly<Record<string, string>>;
  readonly networks: readonly (readonly [string, EstimateOptions | undefined])[];
}

export interface EstimateJobResult {
  readonly id: number;
  /** Per requested network, its estimate (null when it cannot be estimated) and the milliseconds it took. */
  readonly estimates: readonly (readonly [string, NetworkEstimate | null, number])[];
  /** The QNN3xxx diagnostics of the entry file. */
  readonly diagnostics: readonly Diagnostic[];
}

const port = parentPort!;
// Kept across jobs: the next version of a file is parsed incrementally.
const parses = createParseCache();

port.on('message', (job: EstimateJob) => {
  const fs = memoryFileSystem(job.buffers, nodeFileSystem);
  const program = checkProgram([job.entry], { fs, parts: partCatalog, cache: parses });
  const file = program.files.get(job.entry);
  const estimates: [string, NetworkEstimate | null, number][] = [];
  for (const [name, options] of job.networks) {
    const net = file?.networks.get(name);
    const t0 = performance.now();
    let e: NetworkEstimate | null = null;
    if (net) {
      try {
        e = estimateNetwork(program, net, options ?? {});
      } catch {
        // A network the estimator refuses has no figures (as in the server's own adapter).
      }
    }
    estimates.push([name, e, performance.now() - t0]);
  }
  let diagnostics: readonly Diagnostic[] = [];
  try {
    diagnostics = estimateDiagnostics(program).filter((d) => d.path === job.entry);
  } catch {
    diagnostics = [];
  }
  const result: EstimateJobResult = { id: job.id, estimates, diagnostics };
  port.postMessage(result);
});
