// `qnn import`: a trained Keras / QKeras / ONNX / QONNX model → a formatted .qnn file and .npy weights, checked
// before anything is written (an error anywhere writes nothing).
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { checkProgram, diag, fixedType, memoryFileSystem, type FileSystem, type ProgramModel, OVERFLOW_MODES, QUANT_MODES, type Diagnostic, type FixedType, type OverflowMode, type QuantMode } from '@qnn/language';
import { nearestParts, partCatalog } from '../devices/device-table.js';
import { estimateDiagnostics } from '../estimate/index.js';
import { nodeFileSystem } from '../node-fs.js';
import { emitQnn } from './emit.js';
import { ImportError } from './errors.js';
import type { ImportGraph } from './graph.js';
import { kerasToGraph } from './keras.js';
import { base, readKerasArchive, readKerasH5, readKerasJson } from './keras-files.js';
import { readOnnx } from './onnx.js';

export { ImportError } from './errors.js';
export type { ImportGraph, ImportLayer, ImportTensor } from './graph.js';
export { SUPPORTED_KERAS_LAYERS } from './keras.js';
export { SUPPORTED_ONNX_OPS } from './onnx.js';

export interface ImportOptions {
  /** The model: `.json` (Keras config; weights from `weights` or found beside it), `.h5`, `.keras` or `.onnx`. */
  readonly model: string;
  /** The weights of a `.json` model. Default: `<model>_weights.h5`, `<model>.weights.h5` or `<model>.h5` beside it. */
  readonly weights?: string;
  /** The folder to write to (created when missing). */
  readonly out: string;
  /** The network's name and the .qnn file's base name. Default: from the model file's name. */
  readonly name?: string;
  /** The type of values without a quantizer in the model, as in the language: `fixed<16, 6>` (the default). */
  readonly precision?: string;
  /** The target part (default xcu250) and clock in ns (default 5). */
  readonly part?: string;
  readonly clockNs?: number;
  /** Replace files that exist. Without it, an existing .qnn or weight file is error QNN5006. */
  readonly force?: boolean;
  /** Check and return the files without writing them. */
  readonly dryRun?: boolean;
  /** Where the model and weights are read from (default: the disk). Output is always written to the disk. */
  readonly fs?: FileSystem;
}

export interface ImportResult {
  readonly ok: boolean;
  /** Absolute paths of the files written (or, with dryRun, that would be written); empty on error. */
  readonly files: readonly string[];
  /** The .qnn file and the network's name, on success. */
  readonly qnnPath?: string;
  readonly network?: string;
  /** The .qnn text, on success. */
  readonly text?: string;
  /** Errors (on failure) and warnings; paths are the model's or the generated .qnn's. */
  readonly diagnostics: readonly Diagnostic[];
}

export const DEFAULT_PRECISION = 'fixed<16, 6>';
export const DEFAULT_PART = 'xcu250';

export async function importModel(options: ImportOptions): Promise<ImportResult> {
  try {
    return await importChecked(options);
  } catch (e) {
    if (e instanceof ImportError) return { ok: false, files: [], diagnostics: [e.toDiagnostic()] };
    // A bug, or a file that breaks a reader in a way it does not recognise: still a diagnostic, never a crash.
    const msg = e instanceof Error ? e.message : String(e);
    return { ok: false, files: [], diagnostics: [diag('QNN5001', options.model, { start: 0, end: 0 }, `'${options.model}' could not be imported: ${msg}.`)] };
  }
}

async function importChecked(o: ImportOptions): Promise<ImportResult> {
  const modelPath = resolve(o.model);
  const precision = parsePrecision(o.precision ?? DEFAULT_PRECISION, modelPath);
  const part = o.part ?? DEFAULT_PART;
  if (!partCatalog.has(part)) {
    const near = nearestParts(part);
    throw new ImportError('QNN5007', `--part '${part}' is not in the device table${near.length ? `; did you mean ${near.map((p) => `'${p}'`).join(', ')}?` : '.'} 'qnn parts' lists the parts.`, modelPath);
  }
  const clockNs = o.clockNs ?? 5;
  if (!(clockNs > 0) || !Number.isFinite(clockNs)) throw new ImportError('QNN5007', `The clock must be a positive number of ns, not ${clockNs}.`, modelPath);
  const name = o.name ?? defaultName(modelPath);
  if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(name)) {
    throw new ImportError('QNN5007', `--name '${name}' is not a valid network name; use letters, digits and _, starting with a letter.`, modelPath);
  }
  const fs = o.fs ?? nodeFileSystem;
  if (fs.readBytes(modelPath).kind === 'missing') throw new ImportError('QNN5001', `The model file '${o.model}' does not exist.`, modelPath);

  let graph = await readModel(fs, modelPath, o.weights ? resolve(o.weights) : undefined, name);
  const outDir = resolve(o.out);
  const weightsDir = `weights/${name}`;
  const qnnPath = join(outDir, `${name}.qnn`);
  const emit = (g: ImportGraph) => {
    const e = emitQnn(g, { network: name, precision, part, clockNs, weightsDir });
    const files: Record<string, string | Uint8Array> = { [qnnPath]: e.text };
    for (const [rel, bytes] of e.files) files[join(outDir, rel)] = bytes;
    return { emitted: e, mem: files, program: checkProgram([qnnPath], { fs: memoryFileSystem(files), parts: partCatalog }) };
  };

  // The generated file must check without errors, with its weights, before anything is written.
  let { emitted, mem, program } = emit(graph);
  // Layers that Vitis HLS would refuse to unroll fully get the smallest valid reuse factor the estimator names.
  const reuse = reuseFactors(program, qnnPath);
  if (reuse.size > 0) {
    const qnnName = (l: { name: string }) => emitted.names.get(l.name) ?? l.name;
    graph = { ...graph, layers: graph.layers.map((l) => (reuse.has(qnnName(l)) ? { ...l, reuse: reuse.get(qnnName(l)) } : l)) };
    ({ emitted, mem, program } = emit(graph));
  }
  const generated = program.diagnostics.get(qnnPath) ?? [];
  const errors = generated.filter((d) => d.severity === 'error');
  const shapes = errors.find((d) => d.code === 'QNN2019');
  if (shapes) throw new ImportError('QNN5004', `The weights do not fit the model's layers: ${shapes.message} Give the weights file saved with this model.`, modelPath);
  if (errors.length > 0) {
    const first = errors.slice(0, 5).map((d) => `${d.code}: ${d.message}`).join(' ');
    throw new ImportError('QNN5008', `The network imported from '${base(modelPath)}' does not check (${errors.length} error${errors.length === 1 ? '' : 's'}): ${first}`, modelPath);
  }

  const files = Object.keys(mem);
  if (!o.force) {
    const existing = files.filter((f) => existsSync(f));
    if (existing.length > 0) {
      const rel = (f: string) => relative(process.cwd(), f) || f;
      throw new ImportError(
        'QNN5006',
        `'${rel(existing[0])}'${existing.length > 1 ? ` and ${existing.length - 1} more of the files to write` : ''} already exist${existing.length === 1 ? 's' : ''}; nothing was written. Pass --force to replace them, or choose another --out or --name.`,
        qnnPath,
      );
    }
  }
  if (!o.dryRun) writeAll(mem, qnnPath);
  return { ok: true, files, qnnPath, network: name, text: emitted.text, diagnostics: generated };
}

/** Model layer name → the reuse factor of the estimator's QNN3003 suggestion (none when estimation fails). */
function reuseFactors(program: ProgramModel, qnnPath: string): Map<string, number> {
  const out = new Map<string, number>();
  const file = program.files.get(qnnPath);
  if (!file || (program.diagnostics.get(qnnPath) ?? []).some((d) => d.severity === 'error')) return out;
  let ds: readonly Diagnostic[];
  try {
    ds = estimateDiagnostics(program);
  } catch {
    return out;
  }
  for (const d of ds) {
    const r = d.code === 'QNN3003' ? (d.data as { reuse?: unknown } | undefined)?.reuse : undefined;
    if (typeof r !== 'number') continue;
    for (const net of file.networks.values()) {
      const l = net.layers.find((x) => x.decl.span.start <= d.span.start && d.span.end <= x.decl.span.end);
      if (l) out.set(l.name, r);
    }
  }
  return out;
}

/** Dispatches on the file's kind (extension, then content). */
async function readModel(fs: FileSystem, path: string, weights: string | undefined, name: string): Promise<ImportGraph> {
  const read = (p: string): Uint8Array => {
    const r = fs.readBytes(p);
    if (r.kind === 'ok') return r.value;
    throw new ImportError('QNN5001', `'${p}' cannot be read: ${r.kind === 'missing' ? 'it does not exist' : r.message}.`, p);
  };
  const lower = path.toLowerCase();
  if (lower.endsWith('.onnx')) return readOnnx(path, read(path), name);
  if (lower.endsWith('.keras')) return kerasToGraph(await readKerasArchive(path, read, name));
  if (lower.endsWith('.h5') || lower.endsWith('.hdf5')) {
    if (weights) throw new ImportError('QNN5007', `--weights is for a .json model; '${base(path)}' is a whole-model .h5 that holds its weights.`, path);
    return kerasToGraph(await readKerasH5(path, read, name));
  }
  if (lower.endsWith('.json')) {
    const w = weights ?? weightCandidates(path).find((p) => fs.readBytes(p).kind === 'ok');
    if (!w) {
      throw new ImportError('QNN5004', `No weights found for '${base(path)}'; give them with --weights FILE.h5 (looked for ${weightCandidates(path).map(base).join(', ')}).`, path);
    }
    if (fs.readBytes(w).kind === 'missing') throw new ImportError('QNN5004', `The weights file '${w}' does not exist.`, path);
    return kerasToGraph(await readKerasJson(path, w, read, name));
  }
  throw new ImportError('QNN5001', `'${base(path)}' is not a model file the importer reads: give a Keras .json (with --weights), .h5 or .keras file, or an .onnx file.`, path);
}

function weightCandidates(jsonPath: string): string[] {
  const stem = jsonPath.replace(/\.json$/i, '');
  return [`${stem}_weights.h5`, `${stem}.weights.h5`, `${stem}.h5`];
}

function defaultName(modelPath: string): string {
  let n = base(modelPath).replace(/\.(json|h5|hdf5|keras|onnx)$/i, '').replace(/[^A-Za-z0-9_]/g, '_');
  if (!/^[A-Za-z]/.test(n)) n = `model_${n}`;
  return n;
}

/** `fixed<16, 6>`, `ufixed<8, 0, RND, SAT>`, `int<8>`, `uint<4>`. */
export function parsePrecision(text: string, path: string): FixedType {
  const t = text.replace(/\s+/g, '');
  const bad = () => new ImportError('QNN5007', `--precision '${text}' is not a fixed-point type; write it as in the language, for example fixed<16, 6> or fixed<16, 6, RND, SAT>.`, path);
  let m = /^(u?)int<(\d+)>$/.exec(t);
  if (m) {
    const w = Number(m[2]);
    if (w < 1 || w > 1024) throw bad();
    return fixedType(m[1] !== 'u', w, w);
  }
  m = /^(u?)fixed<(\d+),(-?\d+)(?:,([A-Z_]+))?(?:,([A-Z_]+))?>$/.exec(t);
  if (!m) throw bad();
  const w = Number(m[2]);
  const i = Number(m[3]);
  const q = (m[4] ?? 'TRN') as QuantMode;
  const ov = (m[5] ?? 'WRAP') as OverflowMode;
  if (w < 1 || w > 1024 || Math.abs(i) > 4096 || !QUANT_MODES.includes(q) || !OVERFLOW_MODES.includes(ov)) throw bad();
  return fixedType(m[1] !== 'u', w, i, q, ov);
}

function writeAll(files: Readonly<Record<string, string | Uint8Array>>, qnnPath: string): void {
  const written: string[] = [];
  try {
    for (const [p, data] of Object.entries(files)) {
      mkdirSync(dirname(p), { recursive: true });
      writeFileSync(p, data);
      written.push(p);
    }
  } catch (e) {
    for (const p of written) rmSync(p, { force: true });
    throw new ImportError('QNN5009', `Cannot write '${dirname(qnnPath)}': ${e instanceof Error ? e.message : String(e)}; nothing was kept.`, qnnPath);
  }
}
