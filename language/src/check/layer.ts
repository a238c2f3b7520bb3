// Checks one layer: its operation, arguments, attributes, shape inference, types and constant tensors.
import type * as A from '../ast.js';
import { formatShape } from '../data-files.js';
import { fixedType, MAX_FIXED_WIDTH, sameFixedType, type FixedType } from '../fixed-type.js';
import type { ConstTensor, LayerModel, NetworkModel, TensorInfo } from '../model.js';
import { OPS, OPS_BY_NAME } from '../ops.js';
import { checkAttrs, checkParams, splitArgs } from './args.js';
import { checkElements, constShapesOf, inferShape, sameShape } from './shapes.js';
import type { Reporter } from './context.js';
import { constantTensor, resolveConst, type ConstRequest } from './consts.js';
import { isValidReuse, nearestValidReuse } from './reuse.js';
import { closestNames, didYouMean } from './suggest.js';

export { MAX_DIM, MAX_ELEMENTS, checkElements, sameShape } from './shapes.js';

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

  const shape = inferShape(decl, spec, inputs, params, args, env.r);
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
      consts[name] = constantTensor(req, constShapes.defaults.get(name)!);
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
    } else if (!unfolded && attrs.settings.epsilon !== undefined) {
      r.report('QNN2008', decl.name.span, "'epsilon' belongs to the standalone form (gamma, beta, mean, variance); a folded batchnorm (scale, bias) has it folded in already.");
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

/**
 * Full-precision accumulator: the product type, aligned with the bias, plus ceil(log2(n + 1)) carry bits for the sum
 * of n products and the bias (n + 1 terms, each within the aligned range).
 */
export function losslessAccum(x: FixedType, w: FixedType, b: FixedType, n: number): FixedType {
  const signed = x.signed || w.signed || b.signed;
  const pInt = x.intBits + w.intBits;
  const pFrac = x.width - x.intBits + (w.width - w.intBits);
  const frac = Math.max(pFrac, b.width - b.intBits);
  const carry = Math.ceil(Math.log2(n + 1));
  const int = Math.max(pInt, b.intBits + (signed && !b.signed ? 1 : 0)) + carry;
  const width = Math.min(MAX_FIXED_WIDTH, Math.max(1, int + frac));
  return fixedType(signed, width, width - frac);
}

function widen(t: FixedType, extraInt: number): FixedType {
  const width = Math.min(MAX_FIXED_WIDTH, t.width + extraInt);
  return fixedType(t.signed, width, t.intBits + (width - t.width));
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

