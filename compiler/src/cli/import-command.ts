// `qnn import MODEL [--weights FILE] --out DIR [--name NAME] [--precision T] [--part PART] [--clock NS] [--force]`:
// a trained Keras / QKeras / ONNX / QONNX model → a formatted .qnn file and .npy weights (docs/import.md).
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { LineIndex, type Diagnostic } from '@qnn/language';
import { importModel } from '../import/index.js';
import { displayPath } from './report.js';

interface ImportFlags {
  readonly weights?: string;
  readonly out: string;
  readonly name?: string;
  readonly precision?: string;
  readonly part?: string;
  readonly clock?: string;
  readonly force?: boolean;
  readonly json?: boolean;
}

export function registerImport(program: Command, exit: (code: number) => void): void {
  program
    .command('import')
    .description('Import a trained model (Keras .json + .h5, whole-model .h5, Keras 3 .keras, QKeras, ONNX, QONNX) as a .qnn file with .npy weights.')
    .argument('<model>', 'the model file: .json (Keras config), .h5, .keras or .onnx')
    .requiredOption('--out <dir>', 'the folder to write the .qnn file and its weights/ to')
    .option('--weights <file>', 'the HDF5 weights of a .json model (default: <model>_weights.h5 beside it)')
    .option('--name <name>', 'the network name and .qnn file name (default: from the model file)')
    .option('--precision <type>', 'the type of values without a quantizer in the model', 'fixed<16, 6>')
    .option('--part <part>', "the target part ('qnn parts' lists them)", 'xcu250')
    .option('--clock <ns>', 'the target clock period in ns', '5')
    .option('--force', 'replace the .qnn and weight files if they exist')
    .option('--json', 'print { ok, files, qnnPath, network, diagnostics } as JSON')
    .action(async (model: string, flags: ImportFlags) => exit(await runImport(model, flags)));
}

export async function runImport(model: string, flags: ImportFlags): Promise<number> {
  const clockNs = Number(flags.clock ?? '5');
  const r = await importModel({
    model,
    weights: flags.weights,
    out: flags.out,
    name: flags.name,
    precision: flags.precision,
    part: flags.part,
    clockNs,
    force: flags.force,
  });
  if (flags.json) {
    const diagnostics = r.diagnostics.map((d) => ({ code: d.code, severity: d.severity, message: d.message, path: displayPath(d.path), range: rangeOf(d) }));
    process.stdout.write(JSON.stringify({ ok: r.ok, files: r.files.map(displayPath), qnnPath: r.qnnPath && displayPath(r.qnnPath), network: r.network, diagnostics }, undefined, 2) + '\n');
    return r.ok ? 0 : 1;
  }
  for (const d of r.diagnostics) {
    const { start } = rangeOf(d);
    process.stderr.write(`${displayPath(d.path)}:${start.line + 1}:${start.character + 1}: ${d.severity} ${d.code}: ${d.message}\n`);
  }
  if (!r.ok) {
    process.stderr.write('Nothing was written.\n');
    return 1;
  }
  const weights = r.files.length - 1;
  process.stdout.write(`Imported ${model} as network '${r.network}': ${displayPath(r.qnnPath!)} and ${weights} weight file${weights === 1 ? '' : 's'}.\n`);
  process.stdout.write(`Next: qnn check ${displayPath(r.qnnPath!)}; qnn sim ${displayPath(r.qnnPath!)}\n`);
  return 0;
}

/** LSP-style range of a diagnostic in its file (JSON configs have positions; binary files point at the start). */
function rangeOf(d: Diagnostic): { start: { line: number; character: number }; end: { line: number; character: number } } {
  if (d.span.end > 0) {
    try {
      const text = readFileSync(d.path, 'utf8');
      return new LineIndex(text).rangeOf(d.span);
    } catch {
      // fall through: the start of the file
    }
  }
  return { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
}
