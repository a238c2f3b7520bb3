// Shape inference of layers, the shapes of their constant tensors, and tensor size limits.
import type * as A from '../ast.js';
import { formatShape } from '../data-files.js';
import type { ParamValue, TensorInfo } from '../model.js';
import type { OpSpec } from '../ops.js';
import type { Args } from './args.js';
import type { Reporter } from './context.js';

/** Largest single dimension, and largest number of elements of a tensor. */
export const MAX_DIM = 2 ** 24;
export const MAX_ELEMENTS = 2 ** 28;

/** Output shape of the layer, or undefined after reporting why there is none. */
export function inferShape(decl: A.LayerDecl, spec: OpSpec, inputs: TensorInfo[], params: Record<string, ParamValue>, args: Args, r: Reporter): number[] | undefined {
  const x = inputs[0].shape;
  const inName = args.inputs[0];
  const rankError = (want: string) => {
    r.report('QNN2010', inName.span, `${spec.name} expects ${want}; '${inName.name}' has shape ${formatShape(x)}.`, { data: { found: x } });
    return undefined;
  };
  switch (spec.category) {
    case 'dense': {
      if (x.length < 1) return rankError('a tensor of rank 1 or more');
      return [...x.slice(0, -1), params.units as number];
    }
    case 'conv':
    case 'pool': {
      const n = spec.spatial!;
      if (x.length !== n + 1) return rankError(n === 1 ? 'a [length, channels] tensor' : 'a [height, width, channels] tensor (channels last); reshape the input first');
      const channels = x[n];
      if (spec.name.startsWith('global_')) return [channels];
      const kernel = (spec.category === 'conv' ? params.kernel : params.pool) as number[] | number;
      const k = Array.isArray(kernel) ? kernel : [kernel];
      const strideP = params.stride as number[] | number;
      const s = Array.isArray(strideP) ? strideP : new Array<number>(n).fill(strideP);
      const out: number[] = [];
      for (let i = 0; i < n; i++) {
        if (params.padding === 'same') out.push(Math.ceil(x[i] / s[i]));
        else {
          if (k[i] > x[i]) {
            r.report('QNN2010', decl.op!.span, `The ${spec.category === 'conv' ? 'kernel' : 'pool'} (${k.join('×')}) is larger than the input '${inName.name}' (${x.slice(0, n).join('×')}) with padding valid; use padding: same or a smaller ${spec.category === 'conv' ? 'kernel' : 'pool'}.`);
            return undefined;
          }
          out.push(Math.floor((x[i] - k[i]) / s[i]) + 1);
        }
      }
      if (spec.category === 'pool') return [...out, channels];
      if (spec.name.startsWith('depthwise')) return [...out, channels * (params.multiplier as number)];
      return [...out, params.filters as number];
    }
    case 'norm':
    case 'activation':
    case 'table':
      if (spec.name === 'softmax') {
        const axis = params.axis as number;
        if (axis !== -1 && axis !== x.length - 1) {
          r.report('QNN2009', decl.op!.span, `softmax normalizes the last axis only (axis -1 or ${x.length - 1}).`);
          return undefined;
        }
      }
      return [...x];
    case 'merge': {
      if (spec.name === 'add') {
        for (let i = 1; i < inputs.length; i++) {
          if (!sameShape(inputs[i].shape, x)) {
            r.report('QNN2010', args.inputs[i].span, `add expects inputs of the same shape: '${args.inputs[i].name}' has ${formatShape(inputs[i].shape)}, '${inName.name}' has ${formatShape(x)}.`, {
              data: { expected: x, found: inputs[i].shape },
            });
            return undefined;
          }
        }
        return [...x];
      }
      const rank = x.length;
      const axisRaw = params.axis as number;
      const axis = axisRaw < 0 ? rank + axisRaw : axisRaw;
      if (axis < 0 || axis >= rank) {
        r.report('QNN2009', decl.op!.span, `axis ${axisRaw} does not exist for rank ${rank} inputs.`);
        return undefined;
      }
      let total = 0;
      for (let i = 0; i < inputs.length; i++) {
        const s = inputs[i].shape;
        const mismatch = s.length !== rank || s.some((d, j) => j !== axis && d !== x[j]);
        if (mismatch) {
          const expected = x.map((d, j) => (j === axis ? s[j] ?? d : d));
          r.report('QNN2010', args.inputs[i].span, `concat along axis ${axisRaw} expects inputs that agree on the other axes: '${args.inputs[i].name}' has ${formatShape(s)}, expected ${formatShape(expected)}.`, {
            data: { expected, found: s },
          });
          return undefined;
        }
        total += s[axis];
      }
      return x.map((d, j) => (j === axis ? total : d));
    }
    case 'shape': {
      const count = x.reduce((a, b) => a * b, 1);
      if (spec.name === 'flatten') return [count];
      const want = params.shape as number[];
      const known = want.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
      if (want.includes(-1)) {
        if (count % known !== 0) {
          r.report('QNN2010', decl.op!.span, `reshape cannot fit ${count} values into ${formatShape(want)}: ${count} is not a multiple of ${known}.`);
          return undefined;
        }
        return want.map((d) => (d === -1 ? count / known : d));
      }
      if (known !== count) {
        r.report('QNN2010', decl.op!.span, `reshape to ${formatShape(want)} needs ${known} values; '${inName.name}' has ${count} (shape ${formatShape(x)}).`, {
          data: { expected: [count], found: [known] },
        });
        return undefined;
      }
      return [...want];
    }
  }
}

const NO_NAMES: ReadonlySet<string> = new Set();
const WEIGHT: ReadonlySet<string> = new Set(['weight']);
const NO_DEFAULTS: ReadonlyMap<string, 'zeros' | 'ones'> = new Map();
const ZERO_BIAS: ReadonlyMap<string, 'zeros' | 'ones'> = new Map([['bias', 'zeros']]);
const BN_FOLDED: ReadonlyMap<string, 'zeros' | 'ones'> = new Map([['scale', 'ones'], ['bias', 'zeros']]);
const BN_STANDALONE: ReadonlyMap<string, 'zeros' | 'ones'> = new Map([['gamma', 'ones'], ['beta', 'zeros'], ['mean', 'zeros'], ['variance', 'ones']]);

/** Shapes of the constant tensors an operation takes, which are required, the defaults of the others, and fan-in/out. */
export function constShapesOf(
  spec: OpSpec,
  x: readonly number[],
  params: Record<string, ParamValue>,
  given: ReadonlyMap<string, A.Attr>,
): { shapes: Record<string, number[]>; required: ReadonlySet<string>; defaults: ReadonlyMap<string, 'zeros' | 'ones'>; fan: { fanIn: number; fanOut: number } } {
  const c = x[x.length - 1] ?? 1;
  const none = { shapes: {}, required: NO_NAMES, defaults: NO_DEFAULTS };
  switch (spec.category) {
    case 'dense': {
      const units = params.units as number;
      return { shapes: { weight: [c, units], bias: [units] }, required: WEIGHT, defaults: ZERO_BIAS, fan: { fanIn: c, fanOut: units } };
    }
    case 'conv': {
      const k = params.kernel as number[];
      const kk = k.reduce((a, b) => a * b, 1);
      if (spec.name.startsWith('depthwise')) {
        const m = params.multiplier as number;
        return { shapes: { weight: [...k, c, m], bias: [c * m] }, required: WEIGHT, defaults: ZERO_BIAS, fan: { fanIn: kk, fanOut: m } };
      }
      const f = params.filters as number;
      return { shapes: { weight: [...k, c, f], bias: [f] }, required: WEIGHT, defaults: ZERO_BIAS, fan: { fanIn: kk * c, fanOut: f } };
    }
    case 'norm': {
      // Standalone form when any of its parameters is given (Keras defaults for the others), else the folded form.
      const unfolded = ['gamma', 'beta', 'mean', 'variance'].some((k) => given.has(k));
      const defaults = unfolded ? BN_STANDALONE : BN_FOLDED;
      const shapes: Record<string, number[]> = {};
      for (const k of defaults.keys()) shapes[k] = [c];
      return { shapes, required: NO_NAMES, defaults, fan: { fanIn: 1, fanOut: 1 } };
    }
    case 'pool': {
      const n = spec.spatial!;
      const size = spec.name.startsWith('global_') ? x.slice(0, n).reduce((a, b) => a * b, 1) : (params.pool as number[]).reduce((a, b) => a * b, 1);
      return { ...none, fan: { fanIn: size, fanOut: 1 } };
    }
    default:
      return { ...none, fan: { fanIn: 1, fanOut: 1 } };
  }
}

export function checkElements(shape: readonly number[], name: A.Ident, r: Reporter): boolean {
  const count = shape.reduce((a, b) => a * b, 1);
  if (count > MAX_ELEMENTS || shape.some((d) => d > MAX_DIM)) {
    r.report('QNN2011', name.span, `'${name.name}' would have shape ${formatShape(shape)} (${count.toLocaleString('en-US')} values); a tensor holds at most ${MAX_ELEMENTS.toLocaleString('en-US')} values.`);
    return false;
  }
  if (shape.some((d) => d < 1)) {
    r.report('QNN2011', name.span, `'${name.name}' would have an empty shape ${formatShape(shape)}.`);
    return false;
  }
  return true;
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
