// `qnn sim FILE`: bit-accurate simulation and TensorFlow.js float reference on the same inputs, and their comparison;
// with --rtl and --hls, co-simulation of the generated Verilog and HLS C++ on the same inputs (../cosim).
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { checkProgram, writeNpy, type DiagnosticCode, type FileModel, type NetworkModel } from '@qnn/language';
import { nodeFileSystem, partCatalog, UsageError, type CliExtension } from '@qnn/compiler';
import type { Command } from 'commander';
import { checkLabels, checkRowShape, randomInputs, readRows, testInputs, type LoadedInputs } from './inputs.js';
import { buildReport, formatReport, type SimReport } from './report.js';
import { runBoth } from './run.js';
import { SimError } from './sim-error.js';
import { Progress } from './progress.js';
import { coSimulate, CosimError, formatCosim, requireCosimTools, type CosimReport, type RtlSimulator } from '../cosim/index.js';

export interface SimOptions {
  readonly network?: string;
  readonly inputs?: string;
  readonly labels?: string;
  readonly count?: string;
  readonly seed?: string;
  readonly out?: string;
  readonly json?: boolean;
  readonly backend?: string;
  readonly rtl?: string;
  readonly hls?: boolean;
  readonly keep?: string;
}

export const simCommand: CliExtension = {
  register(program: Command, exit: (code: number) => void): void {
    program
      .command('sim')
      .description('Simulate a network bit-accurately and compare it with its TensorFlow.js float reference on the same inputs.')
      .argument('<file>', 'the .qnn file')
      .option('--network <name>', 'the network to simulate (default: the only network of the file)')
      .option('--inputs <path>', "inputs as .npy or .csv, one row per sample (default: the file's test data, else random inputs)")
      .option('--labels <path>', 'class labels as .npy or .csv, one per sample (default: those of the test data)')
      .option('--count <n>', 'number of random inputs when no data is given', '1000')
      .option('--seed <s>', 'seed of the random inputs', '1')
      .option('--out <path>', 'write the bit-accurate outputs as .npy (float64 values of the fixed-point results)')
      .option('--backend <name>', 'float reference backend: wasm, cpu or node (default: wasm, else cpu)')
      .option('--rtl <simulator>', 'also run the inputs through the generated Verilog in iverilog or verilator and compare every output value')
      .option('--hls', 'also run the inputs through the generated HLS C++ (g++ with our ap_fixed.h) and compare every output value')
      .option('--keep <dir>', 'with --rtl/--hls: keep the generated project in DIR (default: a temporary folder, removed)')
      .option('--json', 'print the report as one JSON document (schema: docs/simulation.md)')
      .action(async (file: string, opts: SimOptions) => exit(await runSim(file, opts)));
  },
};

/** Random inputs are held in memory: a million samples of the jet tagger take 128 MB. */
const MAX_COUNT = 1_000_000;

/** Ctrl-C: the report covers the samples done. */
const STOPPED: DiagnosticCode = 'QNN4008';
/** --rtl / --hls: the hardware computed other bits than the simulator. */
const MISMATCH: DiagnosticCode = 'QNN4021';

export async function runSim(file: string, opts: SimOptions): Promise<number> {
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  try {
    const rtl = opts.rtl as RtlSimulator | undefined;
    if (rtl !== undefined && rtl !== 'iverilog' && rtl !== 'verilator') throw new SimError('QNN4010', `--rtl is iverilog or verilator, not '${opts.rtl}'.`);
    if (opts.keep !== undefined && !rtl && !opts.hls) throw new SimError('QNN4010', '--keep keeps the co-simulation project: give it with --rtl or --hls.');
    requireCosimTools({ rtl, hls: opts.hls }); // before any work: a missing tool is QNN4020
    const run = await simulateFile(file, opts, controller.signal);
    const { report } = run;
    if (opts.out) writeOutputs(opts.out, report);
    let cosim: CosimReport | undefined;
    if ((rtl || opts.hls) && !report.json.stopped) {
      const status = (m: string) => {
        if (!opts.json && process.stderr.isTTY) process.stderr.write(`qnn sim: ${m}…\n`);
      };
      cosim = await coSimulate({ net: run.net, source: run.path, inputs: run.data.inputs, rows: run.data.rows, vectorSource: run.data.source, rtl, hls: opts.hls, signal: controller.signal, keep: opts.keep, onStatus: status });
    }
    if (opts.json) process.stdout.write(JSON.stringify(cosim ? { ...report.json, cosim } : report.json, undefined, 2) + '\n');
    else process.stdout.write(formatReport(report) + (cosim ? `\n\n${formatCosim(cosim)}` : '') + '\n');
    if (report.json.stopped) {
      process.stderr.write(`qnn sim: warning ${STOPPED}: Stopped after ${report.json.samples} samples; the report covers those${rtl || opts.hls ? ' (no co-simulation)' : ''}.\n`);
      return 130;
    }
    if (cosim && !cosim.bitExact) {
      const what = [cosim.rtl && !cosim.rtl.bitExact ? `the Verilog (${cosim.rtl.simulator}) in ${cosim.rtl.mismatches} values` : '', cosim.hls && !cosim.hls.bitExact ? `the HLS C++ (g++) in ${cosim.hls.mismatches} values` : ''].filter(Boolean).join(' and ');
      process.stderr.write(`qnn sim: error ${MISMATCH}: ${what} differ${what.includes(' and ') ? '' : 's'} from the bit-accurate simulator; the report lists the first ones.\n`);
      return 1;
    }
    return 0;
  } catch (e) {
    if (controller.signal.aborted && !(e instanceof SimError) && !(e instanceof CosimError)) {
      process.stderr.write(`qnn sim: warning ${STOPPED}: Stopped during co-simulation.\n`);
      return 130;
    }
    if (e instanceof SimError || e instanceof CosimError) {
      if (opts.json) process.stdout.write(JSON.stringify({ error: { code: e.code, message: e.message } }, undefined, 2) + '\n');
      process.stderr.write(`qnn sim: error ${e.code}: ${e.message}\n`);
      return 1;
    }
    if (e instanceof UsageError) throw e;
    throw e;
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
}

async function simulateFile(file: string, opts: SimOptions, signal: AbortSignal): Promise<{ report: SimReport; net: NetworkModel; data: LoadedInputs; path: string }> {
  const path = resolve(file);
  const program = checkProgram([path], { fs: nodeFileSystem, parts: partCatalog });
  const errors = [...program.diagnostics].flatMap(([p, ds]) => ds.filter((d) => d.severity === 'error').map((d) => ({ p, d })));
  const fileModel = program.files.get(path);
  if (!fileModel) {
    const first = errors[0];
    throw new SimError('QNN4003', first ? first.d.message : `'${file}' cannot be read.`);
  }
  const net = pickNetwork(fileModel, opts.network, file);
  if (!net.complete) {
    const own = errors.filter((e) => e.p === net.path).slice(0, 3).map((e) => `${e.d.code} ${e.d.message}`);
    throw new SimError('QNN4002', `Network '${net.name}' has errors; run 'qnn check ${file}'.${own.length ? ` First: ${own.join(' | ')}` : ''}`);
  }
  if (opts.out !== undefined && !opts.out.toLowerCase().endsWith('.npy')) throw new SimError('QNN4009', `--out '${opts.out}' must end in .npy.`);
  const count = intOption(opts.count ?? '1000', 'count', 1, MAX_COUNT);
  const seed = intOption(opts.seed ?? '1', 'seed', 0, 0xffffffff);
  const data = loadInputs(net, fileModel, opts, count, seed);
  const progress = new Progress(data.rows, opts.json === true);
  try {
    const backend = opts.backend as 'wasm' | 'cpu' | 'node' | undefined;
    if (backend !== undefined && !['wasm', 'cpu', 'node'].includes(backend)) throw new SimError('QNN4010', `--backend is wasm, cpu or node, not '${backend}'.`);
    const run = await runBoth(net, data.inputs, { signal, backend, onProgress: (d, t) => progress.update(d, t) });
    return { report: buildReport(net, path, data, run), net, data, path };
  } finally {
    progress.stop();
  }
}

export function pickNetwork(f: FileModel, name: string | undefined, file: string): NetworkModel {
  const names = [...f.networks.keys()];
  if (name !== undefined) {
    const n = f.networks.get(name);
    if (!n) throw new SimError('QNN4001', `'${file}' defines no network '${name}'${names.length ? `; it defines ${names.join(', ')}` : ''}.`);
    return n;
  }
  if (names.length === 1) return f.networks.get(names[0])!;
  if (names.length === 0) throw new SimError('QNN4001', `'${file}' defines no network.`);
  throw new SimError('QNN4001', `'${file}' defines ${names.length} networks (${names.join(', ')}); choose one with --network.`);
}

export function intOption(text: string, what: string, min: number, max: number): number {
  const v = Number(text);
  if (!Number.isInteger(v) || v < min || v > max) throw new SimError('QNN4010', `--${what} must be an integer between ${min} and ${max}; '${text}' is not.`);
  return v;
}

function loadInputs(net: NetworkModel, f: FileModel, opts: SimOptions, count: number, seed: number): LoadedInputs {
  const outShape = net.node(net.outputs[0] ?? '')?.tensor.shape;
  const classes = outShape ? outShape[outShape.length - 1] : undefined;
  let loaded: LoadedInputs;
  if (opts.inputs) {
    if (net.inputs.length !== 1) throw new SimError('QNN4004', `Network '${net.name}' has ${net.inputs.length} inputs; give its data in a test block of the file instead of --inputs.`);
    const input = net.inputs[0];
    const arr = readRows(nodeFileSystem, resolve(opts.inputs), '--inputs');
    const rows = checkRowShape(arr.shape, input.tensor.shape, `--inputs '${opts.inputs}'`);
    loaded = { inputs: new Map([[input.name, { rows, data: arr.data }]]), rows, labels: undefined, source: opts.inputs };
  } else {
    const test = [...f.tests.values()].find((t) => t.network === net.name);
    loaded = test ? testInputs(test) : { inputs: randomInputs(net, count, seed), rows: count, labels: undefined, source: `${count} random inputs (seed ${seed})` };
  }
  if (opts.labels) {
    const arr = readRows(nodeFileSystem, resolve(opts.labels), '--labels');
    loaded = { ...loaded, labels: checkLabels(arr.data, arr.shape, loaded.rows, classes, `--labels '${opts.labels}'`) };
  }
  return loaded;
}

function writeOutputs(out: string, report: SimReport): void {
  if (!out.toLowerCase().endsWith('.npy')) throw new SimError('QNN4009', `--out '${out}' must end in .npy.`);
  try {
    const o = report.outputs;
    writeFileSync(resolve(out), writeNpy({ shape: [o.rows, ...o.shape], data: o.values }, '<f8'));
  } catch (e) {
    throw new SimError('QNN4009', `--out '${out}' cannot be written: ${(e as Error).message}`);
  }
}
