// `qnn build FILE --out DIR`: writes the FPGA project of a network (simulator/src/project/write-project.ts). It lives
// in the simulator package because the expected outputs of the test vectors are the simulator's.
import { resolve } from 'node:path';
import { checkProgram, type FileModel, type NetworkModel } from '@qnn/language';
import { nodeFileSystem, partCatalog, type CliExtension } from '@qnn/compiler';
import type { Command } from 'commander';
import { randomInputs, testInputs, type LoadedInputs } from './inputs.js';
import { intOption, pickNetwork } from './sim-command.js';
import { SimError } from './sim-error.js';
import { checkOutFolder, ProjectError, writeProject, type BackendChoice } from '../project/write-project.js';

export interface BuildOptions {
  readonly out?: string;
  readonly network?: string;
  readonly backend?: string;
  readonly vectors?: string;
  readonly seed?: string;
}

export const buildCommand: CliExtension = {
  register(program: Command, exit: (code: number) => void): void {
    program
      .command('build')
      .description('Write the FPGA project of a network: HLS C++ and Verilog with testbenches, test vectors, Makefile, Tcl, README.')
      .argument('<file>', 'the .qnn file')
      .requiredOption('--out <dir>', 'the project folder (replaced if qnn build wrote it; any other existing folder is refused)')
      .option('--network <name>', 'the network to build (default: the only network of the file)')
      .option('--backend <name>', "verilog, hls or all (all writes what the backends support)", 'all')
      .option('--vectors <n>', "number of seeded random test vectors spanning the input range (default: the file's test data, else 200)")
      .option('--seed <s>', 'seed of the random test vectors', '1')
      .action((file: string, opts: BuildOptions) => exit(runBuild(file, opts)));
  },
};

const MAX_VECTORS = 100_000;

export function runBuild(file: string, opts: BuildOptions): number {
  try {
    const backend = opts.backend ?? 'all';
    if (!['verilog', 'hls', 'all'].includes(backend)) throw new SimError('QNN4010', `--backend is verilog, hls or all, not '${backend}'.`);
    const out = opts.out!;
    checkOutFolder(out); // before any work
    const path = resolve(file);
    const program = checkProgram([path], { fs: nodeFileSystem, parts: partCatalog });
    const errors = [...program.diagnostics].flatMap(([p, ds]) => ds.filter((d) => d.severity === 'error').map((d) => ({ p, d })));
    const fileModel = program.files.get(path);
    if (!fileModel) throw new SimError('QNN4003', errors[0] ? errors[0].d.message : `'${file}' cannot be read.`);
    const net = pickNetwork(fileModel, opts.network, file);
    if (!net.complete) {
      const own = errors.filter((e) => e.p === net.path).slice(0, 3).map((e) => `${e.d.code} ${e.d.message}`);
      throw new SimError('QNN4002', `Network '${net.name}' has errors; run 'qnn check ${file}'.${own.length ? ` First: ${own.join(' | ')}` : ''}`);
    }
    const data = vectors(net, fileModel, opts);
    const res = writeProject({ net, source: file, out, backend: backend as BackendChoice, inputs: data.inputs, rows: data.rows, vectorSource: data.source });
    for (const [b, m] of res.refused) {
      process.stderr.write(`qnn build: warning QNN4011: ${b === 'hls' ? 'HLS' : 'Verilog'} backend: ${m}; the project has the ${res.backends.join(' and ')} files only.\n`);
    }
    process.stdout.write(
      `${res.replaced ? 'Replaced' : 'Wrote'} ${out}: network ${net.name}, ${res.backends.map((b) => (b === 'hls' ? 'HLS C++' : 'Verilog')).join(' + ')}, ${data.rows} test vectors (${data.source}), ${res.files.length} files. See ${out}/README.md.\n`,
    );
    return 0;
  } catch (e) {
    if (e instanceof SimError || e instanceof ProjectError) {
      process.stderr.write(`qnn build: error ${e.code}: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}

function vectors(net: NetworkModel, f: FileModel, opts: BuildOptions): LoadedInputs {
  const seed = intOption(opts.seed ?? '1', 'seed', 0, 0xffffffff);
  if (opts.vectors === undefined) {
    const test = [...f.tests.values()].find((t) => t.network === net.name);
    if (test) {
      const t = testInputs(test);
      if (t.rows > 0) return t;
    }
  }
  const count = intOption(opts.vectors ?? '200', 'vectors', 1, MAX_VECTORS);
  return { inputs: randomInputs(net, count, seed), rows: count, labels: undefined, source: `${count} seeded random vectors spanning the input range, seed ${seed}` };
}
