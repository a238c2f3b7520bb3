// Checks one layer: its operation, arguments, attributes, shape inference, types and constant tensors.
import type * as A from '../ast.js';
import { formatShape } from '../data-files.js';
import { fixedType, MAX_FIXED_WIDTH, sameFixedType, type FixedType } from '../fixed-type.js';
import type { ConstTensor, LayerModel, NetworkModel, ParamValue, TensorInfo } from '../model.js';
import { OPS, OPS_BY_NAME, opSignature, type OpSpec, type ParamSpec } from '../ops.js';
import type { Reporter } from './context.js';
import { resolveConst, type ConstRequest } from './consts.js';
import { isValidReuse, nearestValidReuse } from './reuse.js';
import { closestNames, didYouMean } from './suggest.js';

/** Largest single dimension, and largest number of elements of a tensor. */
export const MAX_DIM = 2 ** 24;
export const MAX_ELEMENTS = 2 ** 28;

export const DEFAULT_TABLE_SIZE = 1024;
export const DEFAULT_TABLE_TYPE: FixedType = fixedType(true, 18, 8);
export const DEFAULT_SOFTMAX_TABLE_TYPE: FixedType = fixedType(true, 18, 8, 'RND', 'SAT');

export interface LayerEnv {
  readonly r: Reporter;
  readonly network: string;
  readonly reuse: number;
  readonly precision: FixedType | undefined;
  readonly init: A.Expr | undefined;
  /** The checked tensor of an input or earlier layer; 'failed' when it exists but could not be checked. */
  tensorOf(name: A.Ident): TensorInfo | 'failed' | undefined;
  knownNodes(): Iterable<string>;
  resolveType(t: A.TypeExpr): FixedType | undefined;
  /** A network usable as a layer (defined before use, or imported); 'failed' when it has errors. */
  lookupNetwork(name: string): NetworkModel | 'failed' | undefined;
  knownNetworks(): Iterable<string>;
}

type Args = { readonly inputs: A.Ident[]; readonly named: Map<string, A.Arg>; readonly positional: A.Arg[] };

export function checkLayer(decl: A.LayerDecl, env: LayerEnv): LayerModel | undefined {
  const { r } = env;
  if (!decl.op) return undefined;
  const opName = decl.op.name;
  const spec = OPS_BY_NAME.get(opName);
  if (!spec) {
    const net = env.lookupNetwork(opName);
    if (net === 'failed') return undefined;
    if (net) return checkNetworkCall(decl, net, env);
    const names = closestNames(opName, [...OPS.map((o) => o.name), ...env.knownNetworks()]);
    r.report('QNN2007', decl.op.span, `'${opName}' is not an operation or a network.${didYouMean(names)}`, { data: { suggestions: names } });
    return undefined;
  }

  const args = splitArgs(decl, spec, env);
  if (!args) return undefined;
  const inputs: TensorInfo[] = [];
  for (const id of args.inputs) {
    const t = env.tensorOf(id);
    if (t === 'failed') return undefined;
    if (!t) return undefined; // reported by splitArgs
    inputs.push(t);
  }
  const params = checkParams(decl, spec, args, env);
  if (!params) return undefined;

  const shape = inferShape(decl, spec, inputs, params, args, env);
  if (!shape) return undefined;
  if (!checkElements(shape, decl.name, r)) return undefined;

  // Result type: written, else the network's precision, else (for ops that keep it) the input type.
  let type: FixedType | undefined;
  if (decl.result?.type) {
    type = env.resolveType(decl.result.type);
    if (!type) return undefined;
  } else if (env.precision) {
    type = env.precision;
  } else if (spec.keepsType && inputs.every((t) => sameFixedType(t.type, inputs[0].type))) {
    type = inputs[0].type;
  } else {
    r.report('QNN2033', decl.name.span, `Layer '${decl.name.name}' has no result type: write '${decl.name.name} = ${opName}(…) : data' or add 'precision data' to the network.`);
    return undefined;
  }
  if (decl.result?.shape) {
    const written = decl.result.shape.map((n) => n.value);
    if (!sameShape(written, shape)) {
      r.report('QNN2010', decl.result.span, `'${decl.name.name}' has shape ${formatShape(shape)}, not the ${formatShape(written)} written here.`, {
        data: { expected: written, found: shape },
      });
      return undefined;
    }
  }

  const attrs = checkAttrs(decl, spec, env);
  if (!attrs) return undefined;
  const types: Record<string, FixedType> = { ...attrs.types };
  const settings: Record<string, number | string> = { ...attrs.settings };

  // Constant tensors and defaults.
  const consts: Record<string, ConstTensor> = {};
  const inShape = inputs[0].shape;
  const constShapes = constShapesOf(spec, inShape, params, attrs.tensors);
  let ok = true;
  for (const [name, cshape] of Object.entries(constShapes.shapes)) {
    const attr = attrs.tensors.get(name);
    const ctype = attr?.type ? env.resolveType(attr.type) : type;
    if (!ctype) {
      ok = false;
      continue;
    }
    const req: ConstRequest = { name, shape: cshape, type: ctype, fan: constShapes.fan, stream: `${env.network}/${decl.name.name}/${name}` };
    if (attr?.value) {
      const c = resolveConst(attr.value, req, attr, r, { allowFiles: true });
      if (c) consts[name] = c;
      else ok = false;
    } else if (attr && !attr.value) {
      r.report('QNN2032', attr.span, `'${name}' has a type but no values: write '${name}: ${attr.type && attr.type.kind === 'typeRef' ? attr.type.name.name : 'coef'} = load("${name}.npy")'.`);
      ok = false;
    } else if (constShapes.defaults.has(name)) {
      // Optional tensors take their neutral value: zero biases and offsets, unit scales and variances.
      const fill = constShapes.defaults.get(name)!;
      const c = resolveConst({ kind: 'call', callee: { kind: 'ident', name: fill, span: decl.name.span }, args: [], span: decl.name.span }, req, undefined, r, { allowFiles: false });
      if (c) consts[name] = c;
    } else if (env.init) {
      const c = resolveConst(env.init, req, undefined, r, { allowFiles: false });
      if (c) consts[name] = c;
      else ok = false;
    } else if (constShapes.required.has(name)) {
      r.report('QNN2013', decl.name.span, `Layer '${decl.name.name}' has no '${name}': add '${name}: coef = load("${decl.name.name}_${name}.npy")' or 'random(seed: 1)', or 'init random(seed: 1)' to the network.`);
      ok = false;
    }
  }
  if (spec.name === 'batchnorm' && ok) {
    const folded = attrs.tensors.has('scale') || attrs.tensors.has('bias');
    const unfolded = ['gamma', 'beta', 'mean', 'variance'].some((k) => attrs.tensors.has(k));
    if (folded && unfolded) {
      r.report('QNN2008', decl.name.span, 'batchnorm takes either scale and bias (folded) or gamma, beta, mean and variance, not both.');
      ok = false;
    }
  }
  if (!ok) return undefined;

  // Internal types with their defaults.
  if (spec.category === 'dense' || spec.category === 'conv') {
    const w = consts.weight?.type ?? type;
    const b = consts.bias?.type ?? type;
    types.accum ??= losslessAccum(inputs[0].type, w, b, constShapes.fan.fanIn);
  } else if (spec.name.includes('avgpool')) {
    const n = constShapes.fan.fanIn;
    types.accum ??= widen(inputs[0].type, Math.ceil(Math.log2(Math.max(n, 1))));
  } else if (spec.name === 'sigmoid' || spec.name === 'tanh') {
    types.table_type ??= DEFAULT_TABLE_TYPE;
    settings.table ??= DEFAULT_TABLE_SIZE;
  } else if (spec.name === 'softmax') {
    types.exp_table ??= DEFAULT_SOFTMAX_TABLE_TYPE;
    types.inv_table ??= DEFAULT_SOFTMAX_TABLE_TYPE;
    settings.table ??= DEFAULT_TABLE_SIZE;
    settings.implementation ??= 'stable';
  } else if (spec.name === 'batchnorm' && attrs.tensors.has('gamma')) {
    settings.epsilon ??= 0.001;
  }

  // Reuse factor and the hls4ml validity rule.
  const reuse = typeof settings.reuse === 'number' ? settings.reuse : env.reuse;
  if ((spec.category === 'dense' || (spec.category === 'conv' && !spec.name.startsWith('depthwise'))) && reuse > 1) {
    const nIn = constShapes.fan.fanIn;
    const nOut = constShapes.fan.fanOut;
    if (!isValidReuse(nIn, nOut, reuse)) {
      const near = nearestValidReuse(nIn, nOut, reuse);
      const at = attrs.reuseSpan ?? decl.name.span;
      r.report('QNN2021', at, `Reuse factor ${reuse} is not valid for '${decl.name.name}' (${nIn} inputs × ${nOut} outputs); the nearest valid ${near.length === 1 ? 'value is' : 'values are'} ${near.join(' and ')}.`, {
        data: { suggestions: near },
      });
      return undefined;
    }
  }
  delete settings.reuse;

  return {
    kind: 'layer',
    name: decl.name.name,
    op: spec,
    opName,
    inputs: args.inputs.map((i) => i.name),
    params,
    tensor: { shape, type },
    consts,
    types,
    settings,
    reuse,
    decl,
  };
}

/** Full-precision accumulator: the product type, aligned with the bias, plus ceil(log2(n + 1)) carry bits. */
export function losslessAccum(x: FixedType, w: FixedType, b: FixedType, n: number): FixedType {
  const signed = x.signed || w.signed || b.signed;
  const pInt = x.intBits + w.intBits;
  const pFrac = x.width - x.intBits + (w.width - w.intBits);
  const frac = Math.max(pFrac, b.width - b.intBits);
  const carry = Math.ceil(Math.log2(n + 2));
  const int = Math.max(pInt, b.intBits + (signed && !b.signed ? 1 : 0)) + carry;
  const width = Math.min(MAX_FIXED_WIDTH, Math.max(1, int + frac));
  return fixedType(signed, width, width - frac);
}

function widen(t: FixedType, extraInt: number): FixedType {
  const width = Math.min(MAX_FIXED_WIDTH, t.width + extraInt);
  return fixedType(t.signed, width, t.intBits + (width - t.width));
}

function splitArgs(decl: A.LayerDecl, spec: OpSpec, env: LayerEnv): Args | undefined {
  const { r } = env;
  const positional = decl.args.filter((a) => !a.name);
  const named = new Map<string, A.Arg>();
  for (const a of decl.args) {
    if (!a.name) continue;
    if (named.has(a.name.name)) {
      r.report('QNN2008', a.span, `'${a.name.name}' is given twice.`);
      return undefined;
    }
    named.set(a.name.name, a);
  }
  const nInputs = spec.inputs === 1 ? 1 : positional.length;
  if (spec.inputs === 'many' && positional.length < 2) {
    if (!decl.recovered) r.report('QNN2008', decl.op!.span, `${spec.name} needs at least two inputs: ${decl.name.name} = ${spec.name}(a, b).`);
    return undefined;
  }
  if (positional.length === 0) {
    if (!decl.recovered) r.report('QNN2008', decl.op!.span, `${spec.name} needs an input: ${opSignature(spec)}.`);
    return undefined;
  }
  const inputs: A.Ident[] = [];
  let ok = true;
  for (const a of positional.slice(0, nInputs)) {
    if (a.value?.kind !== 'name') {
      if (a.value) r.report('QNN2008', a.span, `${spec.name} takes ${spec.inputs === 1 ? 'an input tensor as its first argument' : 'input tensors as its arguments'}: the name of an input or a layer.`);
      ok = false;
      continue;
    }
    const id = a.value.name;
    const t = env.tensorOf(id);
    if (t === undefined) {
      const names = closestNames(id.name, env.knownNodes());
      r.report('QNN2001', id.span, `'${id.name}' is not defined in network '${env.network}'.${didYouMean(names)}`, { data: { suggestions: names } });
      ok = false;
    }
    inputs.push(id);
  }
  return ok ? { inputs, named, positional: positional.slice(nInputs) } : undefined;
}

function checkParams(decl: A.LayerDecl, spec: OpSpec, args: Args, env: LayerEnv): Record<string, ParamValue> | undefined {
  const { r } = env;
  const out: Record<string, ParamValue> = {};
  const positionalSpecs = spec.params.filter((p) => p.positional);
  let ok = true;
  const given = new Map<string, A.Arg>();
  args.positional.forEach((a, i) => {
    const p = positionalSpecs[i];
    if (!p) {
      r.report('QNN2008', a.span, `${spec.name} takes ${positionalSpecs.length} argument${positionalSpecs.length === 1 ? '' : 's'} after its input; name the others. Signature: ${opSignature(spec)}.`);
      ok = false;
      return;
    }
    given.set(p.name, a);
  });
  for (const [name, a] of args.named) {
    const p = spec.params.find((q) => q.name === name);
    if (!p) {
      const names = closestNames(name, spec.params.map((q) => q.name));
      r.report('QNN2008', a.name!.span, `${spec.name} has no parameter '${name}'.${didYouMean(names)} Signature: ${opSignature(spec)}.`, { data: { suggestions: names } });
      ok = false;
      continue;
    }
    if (given.has(name)) {
      r.report('QNN2008', a.span, `'${name}' is given twice (by position and by name).`);
      ok = false;
      continue;
    }
    given.set(name, a);
  }
  if (!ok) return undefined;
  for (const p of spec.params) {
    const a = given.get(p.name);
    if (!a) {
      if (p.default === undefined) {
        if (!decl.recovered) r.report('QNN2008', decl.op!.span, `${spec.name} needs '${p.name}' (${p.doc.replace(/\.$/, '')}). Signature: ${opSignature(spec)}.`);
        ok = false;
      }
      continue;
    }
    if (!a.value) {
      ok = false;
      continue;
    }
    const v = paramValue(p, a.value, spec, r);
    if (v === undefined) ok = false;
    else out[p.name] = v;
  }
  // Defaults that depend on other parameters.
  for (const p of spec.params) {
    if (out[p.name] !== undefined || p.default === undefined) continue;
    out[p.name] = p.default === 'pool' ? out.pool ?? 2 : p.default;
  }
  return ok ? out : undefined;
}

function paramValue(p: ParamSpec, v: A.Expr, spec: OpSpec, r: Reporter): ParamValue | undefined {
  const int = (e: A.Expr, min: number): number | undefined => {
    if (e.kind !== 'number' || e.unit !== undefined || !Number.isInteger(e.value)) {
      r.report('QNN2009', e.span, `'${p.name}' takes an integer.`);
      return undefined;
    }
    if (e.value < min || e.value > MAX_DIM) {
      r.report('QNN2009', e.span, `'${p.name}' is ${e.text}; it must be between ${min} and ${MAX_DIM}.`);
      return undefined;
    }
    return e.value;
  };
  switch (p.kind) {
    case 'int':
      return int(v, 1);
    case 'ints': {
      const n = spec.spatial ?? 1;
      if (v.kind === 'array') {
        if (v.elements.length !== n) {
          r.report('QNN2009', v.span, `'${p.name}' takes one integer or a list of ${n}.`);
          return undefined;
        }
        const vals = v.elements.map((e) => int(e, 1));
        return vals.every((x) => x !== undefined) ? (vals as number[]) : undefined;
      }
      const one = int(v, 1);
      return one === undefined ? undefined : new Array<number>(n).fill(one);
    }
    case 'number':
      if (v.kind !== 'number' || v.unit !== undefined || !Number.isFinite(v.value)) {
        r.report('QNN2009', v.span, `'${p.name}' takes a number.`);
        return undefined;
      }
      return v.value;
    case 'axis':
      if (v.kind !== 'number' || v.unit !== undefined || !Number.isInteger(v.value)) {
        r.report('QNN2009', v.span, `'${p.name}' takes an integer axis (negative counts from the end).`);
        return undefined;
      }
      return v.value;
    case 'shape': {
      if (v.kind !== 'array' || v.elements.length === 0) {
        r.report('QNN2009', v.span, `'${p.name}' takes a list of dimensions, such as [4, 4, 1].`);
        return undefined;
      }
      const dims: number[] = [];
      for (const e of v.elements) {
        if (e.kind !== 'number' || e.unit !== undefined || !Number.isInteger(e.value) || (e.value < 1 && e.value !== -1) || e.value > MAX_DIM) {
          r.report('QNN2009', e.span, `A dimension is an integer between 1 and ${MAX_DIM}, or -1 (inferred).`);
          return undefined;
        }
        dims.push(e.value);
      }
      if (dims.filter((d) => d === -1).length > 1) {
        r.report('QNN2009', v.span, 'Only one dimension may be -1.');
        return undefined;
      }
      return dims;
    }
    case 'enum': {
      const name = v.kind === 'name' ? v.name.name : v.kind === 'string' ? v.value : undefined;
      if (name === undefined || !p.values!.includes(name)) {
        const names = name ? closestNames(name, p.values!) : [];
        r.report('QNN2009', v.span, `'${p.name}' is one of ${p.values!.join(', ')}.${didYouMean(names)}`, { data: { suggestions: names.length ? names : p.values } });
        return undefined;
      }
      return name;
    }
  }
}

interface AttrResult {
  readonly tensors: Map<string, A.Attr>;
  readonly types: Record<string, FixedType>;
  readonly settings: Record<string, number | string>;
  readonly reuseSpan: A.Span | undefined;
}

function checkAttrs(decl: A.LayerDecl, spec: OpSpec, env: LayerEnv): AttrResult | undefined {
  const { r } = env;
  const tensors = new Map<string, A.Attr>();
  const types: Record<string, FixedType> = {};
  const settings: Record<string, number | string> = {};
  let reuseSpan: A.Span | undefined;
  let ok = true;
  const seen = new Set<string>();
  for (const a of decl.attrs) {
    const name = a.name.name;
    const as = spec.attrs.find((x) => x.name === name);
    if (!as) {
      const names = closestNames(name, spec.attrs.map((x) => x.name));
      const list = spec.attrs.length ? `${spec.name} takes ${spec.attrs.map((x) => x.name).join(', ')}.` : `${spec.name} takes no attributes.`;
      r.report('QNN2012', a.name.span, `'${name}' is not an attribute of ${spec.name}.${didYouMean(names)} ${list}`, { data: { suggestions: names } });
      ok = false;
      continue;
    }
    if (seen.has(name)) {
      r.report('QNN2002', a.name.span, `'${name}' is set twice in '${decl.name.name}'; delete one.`);
      ok = false;
      continue;
    }
    seen.add(name);
    switch (as.kind) {
      case 'tensor':
        tensors.set(name, a);
        break;
      case 'type': {
        const t = a.type ?? (a.value?.kind === 'name' ? { kind: 'typeRef' as const, name: a.value.name, span: a.value.span } : undefined);
        if (!t || (a.type && a.value)) {
          r.report('QNN2009', a.span, `'${name}' takes a type: ${name}: fixed<24, 10>.`);
          ok = false;
          break;
        }
        const ft = env.resolveType(t);
        if (ft) types[name] = ft;
        else ok = false;
        break;
      }
      case 'int': {
        const v = a.value;
        if (a.type || !v || v.kind !== 'number' || v.unit !== undefined || !Number.isInteger(v.value) || v.value < 1) {
          r.report('QNN2009', a.span, `'${name}' takes a positive integer.`);
          ok = false;
          break;
        }
        if (name === 'table' && (v.value < 2 || v.value > 2 ** 20 || (v.value & (v.value - 1)) !== 0)) {
          r.report('QNN2009', v.span, `The table size ${v.text} is not a power of two between 2 and 1048576; try ${nearestPow2(v.value)}.`, { data: { suggestions: [nearestPow2(v.value)] } });
          ok = false;
          break;
        }
        if (name === 'reuse') {
          if (v.value > MAX_DIM) {
            r.report('QNN2009', v.span, `The reuse factor ${v.text} is too large; it is at most ${MAX_DIM}.`);
            ok = false;
            break;
          }
          reuseSpan = v.span;
        }
        settings[name] = v.value;
        break;
      }
      case 'number': {
        const v = a.value;
        if (a.type || !v || v.kind !== 'number' || v.unit !== undefined || !(v.value > 0)) {
          r.report('QNN2009', a.span, `'${name}' takes a positive number.`);
          ok = false;
          break;
        }
        settings[name] = v.value;
        break;
      }
      case 'enum': {
        const v = a.value;
        const s = v?.kind === 'name' ? v.name.name : undefined;
        if (!s || !as.values!.includes(s)) {
          r.report('QNN2009', a.span, `'${name}' is one of ${as.values!.join(', ')}.`, { data: { suggestions: as.values } });
          ok = false;
          break;
        }
        settings[name] = s;
        break;
      }
    }
  }
  return ok ? { tensors, types, settings, reuseSpan } : undefined;
}

function nearestPow2(n: number): number {
  const p = 2 ** Math.round(Math.log2(Math.max(2, Math.min(n, 2 ** 20))));
  return Math.max(2, Math.min(p, 2 ** 20));
}

/** Output shape of the layer, or undefined after reporting why there is none. */
function inferShape(decl: A.LayerDecl, spec: OpSpec, inputs: TensorInfo[], params: Record<string, ParamValue>, args: Args, env: LayerEnv): number[] | undefined {
  const { r } = env;
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

/** Shapes of the constant tensors an operation takes, which are required, the defaults of the others, and fan-in/out. */
function constShapesOf(
  spec: OpSpec,
  x: readonly number[],
  params: Record<string, ParamValue>,
  given: ReadonlyMap<string, A.Attr>,
): { shapes: Record<string, number[]>; required: Set<string>; defaults: Map<string, 'zeros' | 'ones'>; fan: { fanIn: number; fanOut: number } } {
  const c = x[x.length - 1] ?? 1;
  const none = { shapes: {}, required: new Set<string>(), defaults: new Map<string, 'zeros' | 'ones'>() };
  switch (spec.category) {
    case 'dense': {
      const units = params.units as number;
      return { shapes: { weight: [c, units], bias: [units] }, required: new Set(['weight']), defaults: new Map([['bias', 'zeros']]), fan: { fanIn: c, fanOut: units } };
    }
    case 'conv': {
      const k = params.kernel as number[];
      const kk = k.reduce((a, b) => a * b, 1);
      if (spec.name.startsWith('depthwise')) {
        const m = params.multiplier as number;
        return { shapes: { weight: [...k, c, m], bias: [c * m] }, required: new Set(['weight']), defaults: new Map([['bias', 'zeros']]), fan: { fanIn: kk, fanOut: m } };
      }
      const f = params.filters as number;
      return { shapes: { weight: [...k, c, f], bias: [f] }, required: new Set(['weight']), defaults: new Map([['bias', 'zeros']]), fan: { fanIn: kk * c, fanOut: f } };
    }
    case 'norm': {
      // Standalone form when any of its parameters is given (Keras defaults for the others), else the folded form.
      const unfolded = ['gamma', 'beta', 'mean', 'variance'].some((k) => given.has(k));
      const defaults = new Map<string, 'zeros' | 'ones'>(
        unfolded ? [['gamma', 'ones'], ['beta', 'zeros'], ['mean', 'zeros'], ['variance', 'ones']] : [['scale', 'ones'], ['bias', 'zeros']],
      );
      const shapes: Record<string, number[]> = {};
      for (const k of defaults.keys()) shapes[k] = [c];
      return { shapes, required: new Set(), defaults, fan: { fanIn: 1, fanOut: 1 } };
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

/** A network used as a layer: `enc = encoder(x)`. Inputs must match its inputs' shapes; it must have one output. */
function checkNetworkCall(decl: A.LayerDecl, net: NetworkModel, env: LayerEnv): LayerModel | undefined {
  const { r } = env;
  const opName = decl.op!.name;
  if (decl.args.some((a) => a.name) || decl.attrs.length > 0 || decl.result) {
    r.report('QNN2008', decl.op!.span, `A network used as a layer takes only its inputs: ${decl.name.name} = ${opName}(${net.inputs.map((i) => i.name).join(', ')}).`);
    return undefined;
  }
  if (decl.args.length !== net.inputs.length) {
    r.report('QNN2008', decl.op!.span, `Network '${opName}' takes ${net.inputs.length} input${net.inputs.length === 1 ? '' : 's'} (${net.inputs.map((i) => i.name).join(', ')}); ${decl.args.length} given.`);
    return undefined;
  }
  if (net.outputs.length !== 1) {
    r.report('QNN2008', decl.op!.span, `Network '${opName}' has ${net.outputs.length} outputs; a network used as a layer must have exactly one.`);
    return undefined;
  }
  const inputs: string[] = [];
  for (let i = 0; i < decl.args.length; i++) {
    const a = decl.args[i];
    if (a.value?.kind !== 'name') {
      r.report('QNN2008', a.span, 'Pass the name of an input or a layer.');
      return undefined;
    }
    const id = a.value.name;
    const t = env.tensorOf(id);
    if (t === 'failed') return undefined;
    if (!t) {
      const names = closestNames(id.name, env.knownNodes());
      r.report('QNN2001', id.span, `'${id.name}' is not defined in network '${env.network}'.${didYouMean(names)}`, { data: { suggestions: names } });
      return undefined;
    }
    const want = net.inputs[i].tensor.shape;
    if (!sameShape(t.shape, want)) {
      r.report('QNN2010', id.span, `Input '${net.inputs[i].name}' of network '${opName}' has shape ${formatShape(want)}; '${id.name}' has ${formatShape(t.shape)}.`, {
        data: { expected: want, found: t.shape },
        related: [{ message: `'${net.inputs[i].name}' is declared here`, path: net.path, span: net.inputs[i].decl.span }],
      });
      return undefined;
    }
    inputs.push(id.name);
  }
  const outNode = net.node(net.outputs[0]);
  if (!outNode) return undefined;
  return {
    kind: 'layer',
    name: decl.name.name,
    op: { network: net },
    opName,
    inputs,
    params: {},
    tensor: outNode.tensor,
    consts: {},
    types: {},
    settings: {},
    reuse: env.reuse,
    decl,
  };
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
