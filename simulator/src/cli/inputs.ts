// Inputs and labels for `qnn sim`: from .npy/.csv files, from the file's test data, or seeded random values.
import { formatShape, readCsv, readNpy, seededUniform, valueRange, type FileSystem, type NetworkModel, type TestDataModel } from '@qnn/language';
import { SimError } from './sim-error.js';

export type InputSet = ReadonlyMap<string, { readonly rows: number; readonly data: Float64Array }>;

export interface LoadedInputs {
  readonly inputs: InputSet;
  readonly rows: number;
  readonly labels: Int32Array | undefined;
  /** Where the inputs came from, for the report. */
  readonly source: string;
}

/** Reads a .npy or .csv file as rows: [N, …] → N rows of the remaining elements. */
export function readRows(fs: FileSystem, path: string, what: string): { rows: number; shape: readonly number[]; data: Float64Array } {
  const lower = path.toLowerCase();
  if (!lower.endsWith('.npy') && !lower.endsWith('.csv')) {
    throw new SimError('QNN4003', `${what} '${path}' is neither a .npy nor a .csv file.`);
  }
  let res;
  if (lower.endsWith('.csv')) {
    const t = fs.readText(path);
    if (t.kind === 'missing') throw new SimError('QNN4003', `${what} '${path}' does not exist.`);
    if (t.kind === 'error') throw new SimError('QNN4003', `${what} '${path}' cannot be read: ${t.message}`);
    res = readCsv(t.value);
  } else {
    const b = fs.readBytes(path);
    if (b.kind === 'missing') throw new SimError('QNN4003', `${what} '${path}' does not exist.`);
    if (b.kind === 'error') throw new SimError('QNN4003', `${what} '${path}' cannot be read: ${b.message}`);
    res = readNpy(b.value);
  }
  if (!res.ok) throw new SimError('QNN4003', `${what} '${path}' cannot be read: ${res.message}`);
  const { shape, data } = res.array;
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) {
      throw new SimError('QNN4005', `${what} '${path}' holds ${data[i]} at index ${i}; every value must be a finite number.`);
    }
  }
  return { rows: shape.length === 0 ? 1 : shape[0], shape, data };
}

/** Checks that `shape` is [N, ...want] or [N, elements] (or [N] for one element) and returns N. */
export function checkRowShape(shape: readonly number[], want: readonly number[], what: string): number {
  const per = want.reduce((a, b) => a * b, 1);
  const rest = shape.slice(1);
  const restCount = rest.reduce((a, b) => a * b, 1);
  const fits = shape.length >= 1 && restCount === per && (rest.length <= 1 || rest.every((d, i) => d === want[i]) && rest.length === want.length);
  if (!fits || (rest.length === 0 && per !== 1)) {
    const forms = want.length === 1 ? `[N, ${per}]` : `[N, ${want.join(', ')}] or [N, ${per}]`;
    throw new SimError('QNN4004', `${what} has shape ${formatShape(shape)}; the network expects ${forms}.`);
  }
  return shape[0];
}

/** Labels: [N] or [N, 1] integers in [0, classes). */
export function checkLabels(data: Float64Array, shape: readonly number[], rows: number, classes: number | undefined, what: string): Int32Array {
  if (shape.length > 2 || (shape.length === 2 && shape[1] !== 1)) throw new SimError('QNN4006', `${what} has shape ${formatShape(shape)}; labels are one class index per sample ([N] or [N, 1]).`);
  if (shape[0] !== rows) throw new SimError('QNN4006', `${what} has ${shape[0]} labels for ${rows} samples.`);
  const out = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    const v = data[i];
    if (!Number.isInteger(v) || v < 0 || (classes !== undefined && v >= classes)) {
      throw new SimError('QNN4006', `${what}: label ${v} of sample ${i} is not a class index${classes !== undefined ? ` between 0 and ${classes - 1}` : ''}.`);
    }
    out[i] = v;
  }
  return out;
}

/**
 * Seeded random inputs spanning each input type's range: uniform over [min, max] of the type (stream `inputs/NAME`
 * of the language's seeded generator), so that the simulation exercises the whole range, overflow included.
 */
export function randomInputs(net: NetworkModel, count: number, seed: number): InputSet {
  const out = new Map<string, { rows: number; data: Float64Array }>();
  for (const input of net.inputs) {
    const per = input.tensor.shape.reduce((a, b) => a * b, 1);
    const u = seededUniform(seed, `inputs/${input.name}`, count * per); // in [-1, 1)
    const { min, max } = valueRange(input.tensor.type);
    const mid = (min + max) / 2;
    const half = (max - min) / 2;
    const data = new Float64Array(count * per);
    for (let i = 0; i < data.length; i++) data[i] = mid + half * u[i];
    out.set(input.name, { rows: count, data });
  }
  return out;
}

/** Inputs of a `test` block of the file. */
export function testInputs(test: TestDataModel): LoadedInputs {
  const rows = [...test.inputs.values()][0]?.rows ?? 0;
  return { inputs: test.inputs, rows, labels: test.labels, source: `test '${test.name}'` };
}
