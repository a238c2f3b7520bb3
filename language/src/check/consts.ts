// Constant tensors (weights, biases, batchnorm parameters): load("…npy"), inline literals, random(seed: …), zeros().
import type * as A from '../ast.js';
import { readCsv, readNpy, formatShape, type DataResult } from '../data-files.js';
import { formatFixedType, quantizeAllToDouble, quantizeToDouble, valueRange, type FixedType } from '../fixed-type.js';
import { resolveRelative } from '../host.js';
import type { ConstTensor, TensorSource } from '../model.js';
import { generateWeights } from '../random.js';
import type { Reporter } from './context.js';

/** A layer's weights may hold at most this many values. */
export const MAX_CONST_ELEMENTS = 2 ** 27;

export interface ConstRequest {
  /** `weight`, `bias`, `gamma`, … */
  readonly name: string;
  readonly shape: readonly number[];
  readonly type: FixedType;
  readonly fan: { readonly fanIn: number; readonly fanOut: number };
  /** `network/layer/name`: the random stream of a generated tensor. */
  readonly stream: string;
}

/**
 * Resolves the value expression of a constant tensor and checks it against the expected shape and type.
 * Returns undefined (after reporting) when the tensor cannot be used.
 */
export function resolveConst(
  value: A.Expr,
  req: ConstRequest,
  decl: A.Attr | undefined,
  r: Reporter,
  opts: { readonly allowFiles: boolean },
): ConstTensor | undefined {
  const count = req.shape.reduce((a, b) => a * b, 1);
  if (count > MAX_CONST_ELEMENTS) {
    r.report('QNN2011', value.span, `'${req.name}' would hold ${count.toLocaleString('en-US')} values; the limit is ${MAX_CONST_ELEMENTS.toLocaleString('en-US')}. Make the layer smaller.`);
    return undefined;
  }
  const make = (source: TensorSource, values: () => Float64Array): ConstTensor => {
    let cache: Float64Array | undefined;
    return {
      name: req.name,
      type: req.type,
      shape: req.shape,
      source,
      decl,
      values: () => (cache ??= values()),
    };
  };

  if (value.kind === 'call') {
    const fn = value.callee.name;
    if (fn === 'zeros' || fn === 'ones') {
      if (value.args.length > 0) r.report('QNN2032', value.span, `${fn}() takes no arguments.`);
      return make({ kind: fn }, () => new Float64Array(count).fill(fn === 'ones' ? 1 : 0));
    }
    if (fn === 'random') {
      const init = parseRandom(value, r);
      if (!init) return undefined;
      return make({ kind: 'random', ...init, stream: req.stream }, () =>
        snapToType(generateWeights({ seed: init.seed, scale: init.scale, sparsity: init.sparsity, distribution: init.distribution }, req.stream, req.shape, req.fan), req.type),
      );
    }
    if (fn === 'load') {
      if (!opts.allowFiles) {
        r.report('QNN2032', value.span, "A network's 'init' generates values: use random(seed: N), zeros() or ones(), not load().");
        return undefined;
      }
      const loaded = loadArray(value, r);
      if (!loaded) return undefined;
      if (!sameShape(loaded.array.shape, req.shape)) {
        const sameCount = loaded.array.data.length === count;
        const hint = transposeHint(loaded.array.shape, req.shape) ?? (sameCount ? ' The number of values matches: reshape the array before saving it.' : '');
        r.report('QNN2019', value.span, `'${req.name}' in '${loaded.rel}' has shape ${formatShape(loaded.array.shape)}; the layer expects ${formatShape(req.shape)}.${hint}`, {
          data: { expected: req.shape, found: loaded.array.shape },
        });
        return undefined;
      }
      checkRepresentable(loaded.array.data, req, value, r);
      const data = loaded.array.data;
      return make({ kind: 'file', path: loaded.path }, () => data);
    }
    r.report('QNN2032', value.callee.span, `'${fn}' is not a value function; use load("file.npy"), random(seed: N), zeros() or ones().`);
    return undefined;
  }
  if (value.kind === 'number' || value.kind === 'array') {
    const lit = literalArray(value, r);
    if (!lit) return undefined;
    let data: Float64Array;
    if (lit.shape.length === 0) {
      data = new Float64Array(count).fill(lit.data[0]); // a scalar fills the tensor
    } else if (!sameShape(lit.shape, req.shape)) {
      r.report('QNN2019', value.span, `'${req.name}' is written with shape ${formatShape(lit.shape)}; the layer expects ${formatShape(req.shape)}.`, {
        data: { expected: req.shape, found: lit.shape },
      });
      return undefined;
    } else data = lit.data;
    checkRepresentable(data, req, value, r);
    return make({ kind: 'inline' }, () => data);
  }
  r.report('QNN2032', value.span, `'${req.name}' needs values: load("file.npy"), a list such as [0.5, -0.25], random(seed: 1), zeros() or ones().`);
  return undefined;
}

/** A tensor of zeros or ones (the default of an optional tensor); its values are made on first use. */
export function constantTensor(req: ConstRequest, fill: 'zeros' | 'ones'): ConstTensor {
  let cache: Float64Array | undefined;
  const count = req.shape.reduce((a, b) => a * b, 1);
  return {
    name: req.name,
    type: req.type,
    shape: req.shape,
    source: { kind: fill },
    decl: undefined,
    values: () => (cache ??= new Float64Array(count).fill(fill === 'ones' ? 1 : 0)),
  };
}

/** Parses `random(seed: 1, scale: 0.5, sparsity: 0.3, distribution: normal)`; `random(1)` is `random(seed: 1)`. */
export function parseRandom(
  call: A.CallExpr,
  r: Reporter,
): { seed: number; scale: number | undefined; sparsity: number; distribution: 'uniform' | 'normal' } | undefined {
  let seed: number | undefined;
  let scale: number | undefined;
  let sparsity = 0;
  let distribution: 'uniform' | 'normal' = 'uniform';
  let ok = true;
  call.args.forEach((arg, i) => {
    const key = arg.name?.name ?? (i === 0 ? 'seed' : undefined);
    const v = arg.value;
    if (!key) {
      r.report('QNN2032', arg.span, 'random() takes one positional argument, the seed; name the others (scale: 0.5, sparsity: 0.3).');
      ok = false;
      return;
    }
    if (key === 'distribution') {
      if (v?.kind === 'name' && (v.name.name === 'uniform' || v.name.name === 'normal')) distribution = v.name.name;
      else {
        r.report('QNN2032', arg.span, "distribution is 'uniform' or 'normal'.");
        ok = false;
      }
      return;
    }
    if (!v || v.kind !== 'number' || v.unit !== undefined) {
      r.report('QNN2032', arg.span, `random(): '${key}' takes a number.`);
      ok = false;
      return;
    }
    if (key === 'seed') {
      if (!Number.isInteger(v.value) || v.value < 0 || v.value > 0xffffffff) {
        r.report('QNN2032', v.span, 'The seed is an integer between 0 and 4294967295.');
        ok = false;
      } else seed = v.value;
    } else if (key === 'scale') {
      if (!(v.value > 0) || !Number.isFinite(v.value)) {
        r.report('QNN2032', v.span, 'The scale is a positive number: values are drawn from [-scale, scale).');
        ok = false;
      } else scale = v.value;
    } else if (key === 'sparsity') {
      if (!(v.value >= 0 && v.value <= 1)) {
        r.report('QNN2032', v.span, 'The sparsity is the fraction of zero weights, between 0 and 1.');
        ok = false;
      } else sparsity = v.value;
    } else {
      r.report('QNN2032', arg.span, `random() has no parameter '${key}'; it takes seed, scale, sparsity and distribution.`);
      ok = false;
    }
  });
  if (seed === undefined) {
    if (ok) r.report('QNN2032', call.span, 'random() needs a seed, so that the weights are the same on every run: write random(seed: 1).');
    return undefined;
  }
  return ok ? { seed, scale, sparsity, distribution } : undefined;
}

/** Reads `load("file.npy")` or `load("file.csv"[, columns: [a, b]][, column: k])` relative to the current file. */
export function loadArray(call: A.CallExpr, r: Reporter): { path: string; rel: string; array: { shape: readonly number[]; data: Float64Array } } | undefined {
  const first = call.args[0];
  if (!first || first.name || first.value?.kind !== 'string') {
    r.report('QNN2032', call.span, 'load() takes the path of a .npy or .csv file as a string: load("weights/fc1.npy").');
    return undefined;
  }
  let columns: [number, number] | undefined;
  for (const arg of call.args.slice(1)) {
    const key = arg.name?.name;
    const v = arg.value;
    if (key === 'column' && v?.kind === 'number' && Number.isInteger(v.value) && v.value >= 0) {
      columns = [v.value, v.value + 1];
    } else if (
      key === 'columns' &&
      v?.kind === 'array' &&
      v.elements.length === 2 &&
      v.elements.every((e) => e.kind === 'number' && Number.isInteger(e.value) && e.value >= 0)
    ) {
      const [a, b] = v.elements.map((e) => (e as A.NumberLit).value);
      if (b <= a) {
        r.report('QNN2032', v.span, 'columns: [first, end] selects the columns first ≤ c < end; end must be larger than first.');
        return undefined;
      }
      columns = [a, b];
    } else {
      r.report('QNN2032', arg.span, 'load() takes the path and, for .csv files, column: k or columns: [first, end].');
      return undefined;
    }
  }
  if (!first.value.closed) return undefined; // reported as a syntax error
  const rel = first.value.value;
  const path = resolveRelative(r.path, rel);
  const lower = rel.toLowerCase();
  const isCsv = lower.endsWith('.csv');
  if (!lower.endsWith('.npy') && !isCsv) {
    r.report('QNN2018', first.value.span, `'${rel}' is neither a .npy nor a .csv file; save the array with numpy.save (.npy) or as .csv.`);
    return undefined;
  }
  if (columns && !isCsv) {
    r.report('QNN2032', call.span, 'column and columns select columns of a .csv file; a .npy file is used whole.');
    return undefined;
  }
  let result: DataResult;
  if (isCsv) {
    const t = r.fs.readText(path);
    if (t.kind !== 'ok') return reportRead(t, rel, first.value.span, r);
    result = readCsv(t.value);
  } else {
    const b = r.fs.readBytes(path);
    if (b.kind !== 'ok') return reportRead(b, rel, first.value.span, r);
    result = readNpy(b.value);
  }
  if (!result.ok) {
    r.report('QNN2018', first.value.span, `'${rel}' cannot be read: ${result.message}`);
    return undefined;
  }
  let array: { shape: readonly number[]; data: Float64Array } = result.array;
  if (columns) {
    const [rows, cols] = array.shape.length === 2 ? array.shape : [array.shape[0] ?? 0, 1];
    if (columns[1] > cols) {
      r.report('QNN2032', call.span, `'${rel}' has ${cols} columns; columns ${columns[0]}..${columns[1] - 1} do not exist.`);
      return undefined;
    }
    const w = columns[1] - columns[0];
    const data = new Float64Array(rows * w);
    for (let i = 0; i < rows; i++) for (let j = 0; j < w; j++) data[i * w + j] = array.data[i * cols + columns[0] + j];
    array = { shape: [rows, w], data };
  }
  for (let i = 0; i < array.data.length; i++) {
    if (!Number.isFinite(array.data[i])) {
      r.report('QNN2018', first.value.span, `'${rel}' holds a non-finite value (${array.data[i]}) at index ${i}; every value must be a finite number.`);
      return undefined;
    }
  }
  return { path, rel, array };
}

function reportRead(res: { kind: 'missing' } | { kind: 'error'; message: string }, rel: string, span: A.Span, r: Reporter): undefined {
  if (res.kind === 'missing') {
    r.report('QNN2017', span, `The file '${rel}' does not exist (paths are relative to this .qnn file).`, { data: { path: resolveRelative(r.path, rel) } });
  } else {
    r.report('QNN2018', span, `'${rel}' cannot be read: ${res.message}`);
  }
  return undefined;
}

/** Flattens a nested list literal; reports ragged lists and non-numbers. A number gives shape []. */
export function literalArray(e: A.Expr, r: Reporter): { shape: number[]; data: Float64Array } | undefined {
  if (e.kind === 'number') {
    if (e.unit !== undefined) {
      r.report('QNN2031', e.span, `'${e.text}' has a unit; weights are plain numbers.`);
      return undefined;
    }
    return { shape: [], data: Float64Array.of(e.value) };
  }
  const shape: number[] = [];
  for (let cur: A.Expr = e; cur.kind === 'array'; cur = cur.elements[0]) {
    shape.push(cur.elements.length);
    if (cur.elements.length === 0) break;
  }
  const out: number[] = [];
  let bad: A.Expr | undefined;
  let why = '';
  const walk = (x: A.Expr, depth: number): void => {
    if (bad) return;
    if (depth === shape.length) {
      if (x.kind === 'number' && x.unit === undefined) out.push(x.value);
      else {
        bad = x;
        why = x.kind === 'array' ? 'nests deeper than its neighbours' : 'is not a number';
      }
      return;
    }
    if (x.kind !== 'array' || x.elements.length !== shape[depth]) {
      bad = x;
      why = x.kind === 'array' ? `has ${x.elements.length} element${x.elements.length === 1 ? '' : 's'} where its neighbours have ${shape[depth]}` : 'is a number where a list is expected';
      return;
    }
    for (const el of x.elements) walk(el, depth + 1);
  };
  if (shape[shape.length - 1] === 0) {
    r.report('QNN2031', e.span, 'An empty list holds no values.');
    return undefined;
  }
  walk(e, 0);
  if (bad) {
    r.report('QNN2031', (bad as A.Expr).span, `This element ${why}; lists must be rectangular and hold numbers.`);
    return undefined;
  }
  return { shape, data: Float64Array.from(out) };
}

/** Warns when values of a tensor do not fit its type: how many overflow, and the worst error after quantization. */
function checkRepresentable(data: Float64Array, req: ConstRequest, at: A.Expr, r: Reporter): void {
  let overflowed = 0;
  let worst = 0;
  let worstValue = 0;
  let worstQuantized = 0;
  let firstOverflow = -1;
  for (let i = 0; i < data.length; i++) {
    const x = data[i];
    const q = quantizeToDouble(req.type, x);
    if (q.overflowed) {
      overflowed++;
      if (firstOverflow < 0) firstOverflow = i;
    }
    const err = Math.abs(q.value - x);
    if (err > worst) {
      worst = err;
      worstValue = x;
      worstQuantized = q.value;
    }
  }
  if (overflowed === 0) return;
  const range = valueRange(req.type);
  const verb = req.type.overflow === 'WRAP' ? 'wrap around' : req.type.overflow === 'SAT_ZERO' ? 'become 0' : 'saturate';
  r.report(
    'QNN2020',
    at.span,
    `${overflowed} of ${data.length} values of '${req.name}' lie outside the range of ${formatFixedType(req.type)} [${fmt(range.min)}, ${fmt(range.max)}] and ${verb}; ` +
      `the worst error is ${fmt(worst)} (${fmt(worstValue)} becomes ${fmt(worstQuantized)}). Give the type more integer bits.`,
    { data: { overflowed, worstError: worst, firstIndex: firstOverflow } },
  );
}

/** Generated values are defined as already quantized to the tensor's type, so that they never warn. */
function snapToType(values: Float64Array, t: FixedType): Float64Array {
  quantizeAllToDouble(t, values);
  return values;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

function transposeHint(found: readonly number[], expected: readonly number[]): string | undefined {
  if (found.length === 2 && expected.length === 2 && found[0] === expected[1] && found[1] === expected[0]) {
    return ' It looks transposed (PyTorch stores Linear weights as [out, in]; transpose them to [in, out]).';
  }
  return undefined;
}

export function fmt(x: number): string {
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a >= 1e6 || a < 1e-4) return x.toExponential(3);
  return String(Number(x.toPrecision(6)));
}
