// Prints an ImportGraph as a formatted .qnn file and its .npy weight files, choosing every type on the way.
//
// Types. Tensors and layers with a quantizer get the quantizer's type. Everything else gets the precision
// (`--precision`, default fixed<16, 6>, as hls4ml's default), except that
// - a weight tensor whose values do not fit the precision gets more integer bits (same fractional bits), so that
//   importing never clips a trained weight;
// - the operations that keep their input's type (relu, max pooling, flatten, reshape, …) keep it;
// - in a quantized model, dense and convolution layers without an output quantizer, and add, get the lossless type
//   (the language's lossless accumulator, the exact sum type), so that the next quantizer sees the exact value the
//   quantized model computes.
import {
  fixedType,
  format,
  formatFixedType,
  losslessAccum,
  MAX_FIXED_WIDTH,
  OPS_BY_NAME,
  sameFixedType,
  writeNpy,
  type FixedType,
} from '@qnn/language';
import type { ImportGraph, ImportLayer, ImportTensor } from './graph.js';

export interface EmitOptions {
  /** The network's name (a valid .qnn name). */
  readonly network: string;
  readonly precision: FixedType;
  readonly part: string;
  readonly clockNs: number;
  /** Folder of the weight files, relative to the .qnn file. */
  readonly weightsDir: string;
}

export interface Emitted {
  /** The formatted .qnn text. */
  readonly text: string;
  /** Weight files by path relative to the .qnn file. */
  readonly files: ReadonlyMap<string, Uint8Array>;
  /** Model names → the names in the .qnn file. */
  readonly names: ReadonlyMap<string, string>;
}

export function emitQnn(graph: ImportGraph, opts: EmitOptions): Emitted {
  const names = new NameTable();
  const types = new Map<string, FixedType>();
  const files = new Map<string, Uint8Array>();
  const P = opts.precision;
  const typeText = (t: FixedType) => (sameFixedType(t, P) ? 'data' : formatFixedType(t));
  const lines: string[] = [];

  lines.push(`// Imported by 'qnn import' from ${graph.description}.`);
  for (const n of graph.notes) lines.push(`// ${n}`);
  lines.push(`target ${opts.part} clock ${opts.clockNs}ns`, '');
  lines.push(`type data = ${formatFixedType(P)}  // the precision of values without a quantizer in the model`, '');
  lines.push(`network ${opts.network} {`, '  io parallel', '  precision data');
  for (const i of graph.inputs) {
    types.set(i.name, P);
    lines.push(`  input ${names.define(i.name)} : data[${i.shape.join(', ')}]`);
  }
  for (const layer of graph.layers) {
    const name = names.define(layer.name);
    const inTypes = layer.inputs.map((i) => types.get(i) ?? P);
    const tensors = layer.tensors.map((t) => ({ t, type: t.type ?? fitPrecision(P, t.values) }));
    const result = resultType(layer, inTypes, tensors, graph.quantized, P);
    types.set(layer.name, result);

    const args = [...layer.inputs.map((i) => names.get(i)), ...paramTexts(layer)];
    const body: string[] = [];
    for (const { t, type } of tensors) {
      const file = `${opts.weightsDir}/${weightFileName(name, t.attr, layer)}`;
      files.set(file, writeNpy({ shape: t.shape, data: t.values }, t.quantized ? '<f8' : '<f4'));
      body.push(sameFixedType(type, result) ? `    ${t.attr}: load("${file}")` : `    ${t.attr}: ${typeText(type)} = load("${file}")`);
    }
    for (const [k, v] of Object.entries(layer.numbers ?? {})) body.push(`    ${k}: ${formatNumber(v)}`);
    if (layer.reuse !== undefined && layer.reuse > 1) body.push(`    reuse: ${layer.reuse}  // Vitis HLS unrolls at most about 4096 multiplications`);
    const resultText = sameFixedType(result, P) ? '' : ` : ${typeText(result)}`;
    const head = `  ${name} = ${layer.op}(${args.join(', ')})`;
    const comment = layer.source ? `  // ${layer.source}` : '';
    if (body.length) lines.push(`${head} {${comment}`, ...body, `  }${resultText}`);
    else lines.push(`${head}${resultText}${comment}`);
  }
  lines.push(`  output ${graph.outputs.map((o) => names.get(o)).join(', ')}`, '}', '');
  const text = lines.join('\n');
  const formatted = format(text);
  return { text: formatted.ok ? formatted.text : text, files, names: names.all() };
}

/** The result type of a layer (see the file comment). */
function resultType(layer: ImportLayer, inTypes: readonly FixedType[], tensors: readonly { t: ImportTensor; type: FixedType }[], quantized: boolean, P: FixedType): FixedType {
  if (layer.result !== undefined && layer.result !== 'exact') return layer.result;
  const spec = OPS_BY_NAME.get(layer.op);
  const exact = layer.result === 'exact' || quantized;
  if (spec?.keepsType) return inTypes.length === 1 ? inTypes[0] : union(inTypes);
  if (exact && (spec?.category === 'dense' || spec?.category === 'conv')) {
    const w = tensors.find((t) => t.t.attr === 'weight');
    if (w) {
      const b = tensors.find((t) => t.t.attr === 'bias')?.type ?? w.type;
      const n = spec.category === 'dense' || !layer.op.startsWith('depthwise') ? product(w.t.shape.slice(0, -1)) : product(w.t.shape.slice(0, -2));
      return losslessAccum(inTypes[0], w.type, b, n);
    }
  }
  if (exact && layer.op === 'add') return inTypes.reduce(sumType);
  return P;
}

/** The type of a + b (docs/semantics.md). */
function sumType(a: FixedType, b: FixedType): FixedType {
  const sa = a.signed ? 1 : 0;
  const sb = b.signed ? 1 : 0;
  const int = Math.max(a.intBits + (sb & (1 - sa)), b.intBits + (sa & (1 - sb))) + 1;
  const frac = Math.max(a.width - a.intBits, b.width - b.intBits);
  return fixedType(a.signed || b.signed, Math.min(MAX_FIXED_WIDTH, int + frac), int);
}

/** The smallest type holding each of the types exactly (concat of differently typed inputs). */
function union(ts: readonly FixedType[]): FixedType {
  const signed = ts.some((t) => t.signed);
  const int = Math.max(...ts.map((t) => t.intBits + (signed && !t.signed ? 1 : 0)));
  const frac = Math.max(...ts.map((t) => t.width - t.intBits));
  return fixedType(signed, Math.min(MAX_FIXED_WIDTH, int + frac), int);
}

/** The precision, with more integer bits (and signed) when the values need them. */
export function fitPrecision(P: FixedType, values: Float64Array): FixedType {
  let max = 0;
  let negative = false;
  for (const v of values) {
    if (Math.abs(v) > max) max = Math.abs(v);
    if (v < 0) negative = true;
  }
  const signed = P.signed || negative;
  const frac = P.width - P.intBits;
  const lsb = 2 ** -frac;
  let int = P.intBits + (signed && !P.signed ? 1 : 0);
  // Range of a type with `int` integer bits: [-2^(int-1), 2^(int-1) - lsb] signed, [0, 2^int - lsb] unsigned.
  const top = (i: number) => (signed ? 2 ** (i - 1) : 2 ** i) - lsb;
  while (max > top(int) + lsb / 2 && int + frac < MAX_FIXED_WIDTH) int++;
  if (int === P.intBits && signed === P.signed) return P;
  return fixedType(signed, int + frac, int, P.quant, P.overflow);
}

function paramTexts(layer: ImportLayer): string[] {
  const spec = OPS_BY_NAME.get(layer.op);
  const out: string[] = [];
  let positional = true;
  for (const p of spec?.params ?? []) {
    const v = layer.params[p.name];
    if (v === undefined) {
      positional = false;
      continue;
    }
    if (p.default !== undefined && String(v) === String(p.default)) {
      positional = false;
      continue;
    }
    const text = Array.isArray(v) ? `[${(v as readonly number[]).map(formatNumber).join(", ")}]` : typeof v === "number" ? formatNumber(v) : String(v);
    out.push(positional && p.positional ? text : `${p.name}: ${text}`);
    if (!p.positional) positional = false;
  }
  return out;
}

/** A number as the language reads it back to the same double. */
function formatNumber(v: number): string {
  return String(v).replace('e+', 'e');
}

function weightFileName(layer: string, attr: string, l: ImportLayer): string {
  const main = l.op === 'batchnorm' ? 'scale' : 'weight';
  return attr === main ? `${layer}.npy` : `${layer}_${attr}.npy`;
}

const product = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

const RESERVED = new Set([
  'import', 'from', 'as', 'target', 'clock', 'type', 'network', 'test', 'for', 'io', 'reuse', 'precision', 'init', 'require',
  'fifo', 'depth', 'input', 'output', 'fixed', 'ufixed', 'int', 'uint', 'parallel', 'stream', 'load', 'random', 'zeros',
  'ones', 'inputs', 'labels', 'expected',
]);

/** Model names → unique names of the language: letters, digits and _, not starting with a digit, not a keyword. */
class NameTable {
  private readonly map = new Map<string, string>();
  private readonly used = new Set<string>();

  define(original: string): string {
    let base = original.replace(/[^A-Za-z0-9_]/g, '_').replace(/^_+(?=[A-Za-z])/, '');
    if (!/^[A-Za-z]/.test(base)) base = `t_${base}`;
    if (RESERVED.has(base)) base = `${base}_`;
    let name = base;
    for (let k = 2; this.used.has(name); k++) name = `${base}_${k}`;
    this.used.add(name);
    this.map.set(original, name);
    return name;
  }

  get(original: string): string {
    return this.map.get(original) ?? original;
  }

  all(): ReadonlyMap<string, string> {
    return this.map;
  }
}
