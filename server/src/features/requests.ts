// The custom requests of the client (docs/server.md): estimate, simulate (with progress and cancellation), build,
// import; and the server command that writes a seeded weights file.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import * as compiler from '@qnn/compiler';
import { partCatalog } from '@qnn/compiler';
import { checkProgram, memoryFileSystem, resolveRelative, writeNpy, type FileModel, type NetworkModel } from '@qnn/language';
import { Worker } from 'node:worker_threads';
import { checkOutFolder, isGeneratedProject, ProjectError, randomInputs, SimError, testInputs, writeProject, type LoadedInputs } from '@qnn/simulator';
import type { SimulationJob } from '../simulation.js';
import { ResponseError, type CancellationToken } from 'vscode-languageserver';
import type { NetworkEstimate } from '../estimates.js';
import { uriToPath } from '../paths.js';
import type { Analysis, Workspace } from '../workspace.js';
import { loadCallAt } from './actions.js';

/** Error codes of the custom requests (in the JSON-RPC range reserved for servers). */
export const ERROR_CODES = { badRequest: -32602, failed: -32001, cancelled: -32800 } as const;

export interface EstimateParams {
  readonly uri: string;
  readonly network?: string;
}

export interface SimulateParams {
  readonly uri: string;
  readonly network?: string;
  readonly count?: number;
  readonly seed?: number;
  readonly rtl?: 'iverilog' | 'verilator';
  readonly hls?: boolean;
}

export interface BuildParams {
  readonly uri: string;
  readonly network?: string;
  readonly out: string;
  readonly backends: readonly ('verilog' | 'hls')[];
  readonly overwrite?: boolean;
  readonly vectors?: number;
  readonly seed?: number;
}

export interface ImportParams {
  readonly model: string;
  readonly weights?: string;
  readonly out: string;
  readonly name?: string;
  readonly precision?: string;
  readonly part?: string;
}

function fail(code: string, message: string, data: Record<string, unknown> = {}): ResponseError<Record<string, unknown>> {
  return new ResponseError(ERROR_CODES.failed, `${code}: ${message}`, { code, ...data });
}

function fileOf(ws: Workspace, uri: unknown): { a: Analysis; file: FileModel; path: string } {
  if (typeof uri !== 'string') throw new ResponseError(ERROR_CODES.badRequest, 'The request needs the uri of a .qnn document.');
  const path = uriToPath(uri);
  const a = ws.analysis(path);
  const file = a.file;
  if (!file) {
    const d = a.program.diagnostics.get(path)?.[0];
    throw fail('QNN2036', d?.message ?? `'${uri}' cannot be read.`);
  }
  return { a, file, path };
}

function pickNetwork(file: FileModel, name: string | undefined): NetworkModel {
  const names = [...file.networks.keys()];
  if (name !== undefined) {
    const n = file.networks.get(name);
    if (!n) throw fail('QNN4001', `The file defines no network '${name}'${names.length ? `; it defines ${names.join(', ')}` : ''}.`);
    return n;
  }
  if (names.length === 1) return file.networks.get(names[0])!;
  throw fail('QNN4001', names.length ? `The file defines ${names.length} networks (${names.join(', ')}); name one.` : 'The file defines no network.');
}

function requireComplete(a: Analysis, net: NetworkModel): void {
  if (net.complete) return;
  const first = (a.program.diagnostics.get(net.path) ?? []).filter((d) => d.severity === 'error').slice(0, 3);
  throw fail('QNN4002', `Network '${net.name}' has errors.${first.length ? ` First: ${first.map((d) => `${d.code} ${d.message}`).join(' | ')}` : ''}`);
}

// ---- qnn/estimate ----------------------------------------------------------------------------------------------

export function estimateRequest(ws: Workspace, p: EstimateParams): NetworkEstimate | NetworkEstimate[] {
  const { a, file } = fileOf(ws, p?.uri);
  const one = (net: NetworkModel): NetworkEstimate => {
    requireComplete(a, net);
    const e = a.estimate(net).estimate;
    if (!e) throw fail('QNN3000', `Network '${net.name}' cannot be estimated.`);
    return e;
  };
  if (p.network !== undefined) return one(pickNetwork(file, p.network));
  const out: NetworkEstimate[] = [];
  for (const net of file.networks.values()) {
    const e = net.complete ? a.estimate(net).estimate : undefined;
    if (e) out.push(e);
  }
  return out;
}

// ---- qnn/simulate ----------------------------------------------------------------------------------------------

export interface Progress {
  begin(title: string): void;
  report(percentage: number, message: string): void;
  done(): void;
}

export async function simulateRequest(ws: Workspace, p: SimulateParams, token: CancellationToken, progress: Progress): Promise<unknown> {
  // Quick checks here, so that a wrong request fails at once; the simulation itself runs in a worker thread.
  const { a, file, path } = fileOf(ws, p?.uri);
  const net = pickNetwork(file, p.network);
  requireComplete(a, net);
  if (p.rtl !== undefined && p.rtl !== 'iverilog' && p.rtl !== 'verilator') throw new ResponseError(ERROR_CODES.badRequest, `rtl is 'iverilog' or 'verilator', not '${String(p.rtl)}'.`);
  if (p.count !== undefined && (!Number.isInteger(p.count) || p.count < 1 || p.count > 1_000_000)) throw fail('QNN4010', 'count must be an integer between 1 and 1000000.');
  if (p.seed !== undefined && (!Number.isInteger(p.seed) || p.seed < 0 || p.seed > 0xffffffff)) throw fail('QNN4010', 'seed must be an integer between 0 and 4294967295.');
  const buffers: Record<string, string> = {};
  for (const d of ws.openDocuments()) buffers[d.path] = d.text;
  const job: SimulationJob = { path, buffers, network: net.name, count: p.count, seed: p.seed, rtl: p.rtl, hls: p.hls };
  if (token.isCancellationRequested) throw new ResponseError(ERROR_CODES.cancelled, 'The simulation was cancelled.');
  progress.begin(`Simulating ${net.name}`);
  const worker = new Worker(new URL('../sim-worker.js', import.meta.url), { workerData: job, stdout: true, stderr: true });
  try {
    return await new Promise<unknown>((resolve, reject) => {
      const sub = token.onCancellationRequested(() => {
        sub.dispose();
        void worker.terminate();
        reject(new ResponseError(ERROR_CODES.cancelled, 'The simulation was cancelled.'));
      });
      worker.on('message', (m: { kind: string; done?: number; total?: number; result?: unknown; code?: string; message?: string }) => {
        if (m.kind === 'progress') progress.report(Math.floor((100 * m.done!) / Math.max(m.total!, 1)), `${m.done} of ${m.total} samples`);
        else if (m.kind === 'done') resolve(m.result);
        else if (m.kind === 'error') reject(fail(m.code ?? 'QNN4007', m.message ?? 'The simulation failed.'));
      });
      worker.on('error', (e) => reject(fail('QNN4007', e.message)));
      worker.on('exit', (code) => reject(fail('QNN4007', `The simulation stopped (exit code ${code}).`)));
    });
  } finally {
    progress.done();
    void worker.terminate();
  }
}

// ---- qnn/build -------------------------------------------------------------------------------------------------

export function buildRequest(ws: Workspace, p: BuildParams): { outDir: string; files: readonly string[]; backends: readonly string[]; refused: Record<string, string> } {
  const { a, file, path } = fileOf(ws, p?.uri);
  if (typeof p.out !== 'string' || p.out === '') throw new ResponseError(ERROR_CODES.badRequest, 'out (the project folder) is required.');
  const backends = p.backends?.length ? p.backends : (['verilog', 'hls'] as const);
  if (backends.some((b) => b !== 'verilog' && b !== 'hls')) throw new ResponseError(ERROR_CODES.badRequest, "backends are 'verilog' and 'hls'.");
  const outDir = isAbsolute(p.out) ? p.out : resolve(dirname(path), p.out);
  if (existsSync(outDir)) {
    const generated = isGeneratedProject(outDir);
    if (!generated) throw fail('QNN4012', `'${outDir}' exists and was not generated by QNN Studio (no .qnn-project.json); it is never overwritten.`, { exists: true, generated: false, outDir });
    if (!p.overwrite) throw fail('QNN4012', `'${outDir}' is a generated project; ask again with overwrite to replace it.`, { exists: true, generated: true, outDir });
  }
  const net = pickNetwork(file, p.network);
  requireComplete(a, net);
  let data: LoadedInputs | undefined;
  if (p.vectors === undefined) {
    const test = [...file.tests.values()].find((t) => t.network === net.name);
    if (test && testInputs(test).rows > 0) data = testInputs(test);
  }
  if (!data) {
    const n = p.vectors ?? 200;
    const seed = p.seed ?? 1;
    data = { inputs: randomInputs(net, n, seed), rows: n, labels: undefined, source: `${n} seeded random vectors spanning the input range, seed ${seed}` };
  }
  try {
    checkOutFolder(outDir);
    const backend = backends.length === 2 ? 'all' : backends[0];
    const res = writeProject({ net, source: path, out: outDir, backend, inputs: data.inputs, rows: data.rows, vectorSource: data.source });
    return { outDir: res.dir, files: res.files, backends: res.backends, refused: Object.fromEntries(res.refused) };
  } catch (e) {
    if (e instanceof ProjectError || e instanceof SimError) throw fail(e.code, e.message, { outDir });
    throw fail('QNN4011', e instanceof Error ? e.message : String(e), { outDir });
  }
}

// ---- qnn/import ------------------------------------------------------------------------------------------------

export async function importRequest(p: ImportParams): Promise<unknown> {
  const importModel = (compiler as unknown as Record<string, unknown>).importModel;
  if (typeof importModel !== 'function') throw fail('QNN5001', 'This build of the compiler has no importer.');
  if (typeof p?.model !== 'string' || typeof p.out !== 'string') throw new ResponseError(ERROR_CODES.badRequest, 'model and out are required.');
  const result = (await (importModel as (o: unknown) => Promise<unknown>)(p)) as Record<string, unknown>;
  return result;
}

// ---- qnn.generateWeights ---------------------------------------------------------------------------------------

/**
 * Writes the missing file of a `load("…")` as seeded random weights of the shape and stream that `random(seed: 1)`
 * would give there (never over an existing file). Returns the path written.
 */
export function generateWeights(ws: Workspace, uri: string, offset: number): string {
  const path = uriToPath(uri);
  const a = ws.analysis(path);
  const file = a.file;
  if (!file) throw fail('QNN2036', `'${uri}' cannot be read.`);
  const at = loadCallAt(file.ast, offset);
  const lit = at?.call.args[0]?.value;
  if (!at || !lit || lit.kind !== 'string') throw new ResponseError(ERROR_CODES.badRequest, 'There is no load("…") of a layer at this position.');
  const target = resolveRelative(path, lit.value);
  if (existsSync(target)) throw fail('QNN2017', `'${lit.value}' exists already; it is not overwritten.`);
  if (!target.toLowerCase().endsWith('.npy')) throw fail('QNN2018', 'Only .npy weights files can be generated.');
  // Check the file with random(seed: 1) in place of the load: the checker then knows the shape and the values.
  const text = file.text.slice(0, at.call.span.start) + 'random(seed: 1)' + file.text.slice(at.call.span.end);
  const program = checkProgram([path], { fs: memoryFileSystem({ [path]: text }, ws.fs), parts: partCatalog });
  let tensor;
  for (const n of program.files.get(path)?.networks.values() ?? []) {
    const l = n.layers.find((x) => x.name === at.layer.name.name);
    if (l) tensor = l.consts[at.attr.name.name];
  }
  if (!tensor) throw fail('QNN2013', `The shape of '${at.attr.name.name}' of '${at.layer.name.name}' is not known yet: fix the layer's other errors first.`);
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, writeNpy({ shape: tensor.shape, data: tensor.values() }, '<f8'), { flag: 'wx' });
  return target;
}
