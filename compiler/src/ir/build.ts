// Builds the IR of a checked network: one node per layer (kind = the operation), constants quantized to raws once
// (cached by content), every edge with the shape its consumer reads.
import type { ConstTensor, FixedType, LayerModel, NetworkModel } from '@qnn/language';
import { quantizedRaws } from './constant-cache.js';
import type { ConvKind, IrConst, IrEdge, IrGraph, IrNode, PoolKind } from './types.js';

const graphs = new WeakMap<NetworkModel, IrGraph>();

/**
 * The IR of a checked network (cached per network object). With `retain: false` a graph not cached yet is built
 * without being kept (the estimator's transient plans: the IR holds every weight as a BigInt raw).
 */
export function buildIr(net: NetworkModel, opts: { readonly retain?: boolean } = {}): IrGraph {
  let g = graphs.get(net);
  if (!g) {
    g = build(net);
    if (opts.retain !== false) graphs.set(net, g);
  }
  return g;
}

function konst(t: ConstTensor | undefined): IrConst | undefined {
  return t ? { type: t.type, shape: t.shape, raws: quantizedRaws(t.type, t.values()) } : undefined;
}

function build(net: NetworkModel): IrGraph {
  const shapes = new Map<string, readonly number[]>(net.inputs.map((i) => [i.name, i.tensor.shape]));
  const nodes = net.layers.map((l) => {
    const n = node(l, l.inputs.map((name) => ({ node: name, shape: shapes.get(name)! })), !net.deadLayers.has(l.name));
    shapes.set(l.name, l.tensor.shape);
    return n;
  });
  return {
    name: net.name,
    io: net.io,
    part: net.target?.part,
    reuse: net.reuse,
    fifoDepth: net.fifoDepth,
    fifoEdges: net.fifoEdges,
    inputs: net.inputs.map((i) => ({ name: i.name, shape: i.tensor.shape, type: i.tensor.type })),
    nodes,
    outputs: net.outputs,
    aliases: [],
  };
}

function node(l: LayerModel, inputs: readonly IrEdge[], live: boolean): IrNode {
  const base = { name: l.name, inputs, shape: l.tensor.shape, type: l.tensor.type, reuse: l.reuse, live, params: l.params, settings: l.settings, types: l.types };
  if ('network' in l.op) return { ...base, kind: 'call', network: buildIr(l.op.network) };
  const c = l.consts;
  const accum: FixedType = l.types.accum ?? l.tensor.type;
  const op = l.opName;
  switch (op) {
    case 'dense':
      return { ...base, kind: 'dense', units: l.params.units as number, weight: konst(c.weight)!, bias: konst(c.bias), accum };
    case 'conv1d':
    case 'conv2d':
    case 'depthwise_conv1d':
    case 'depthwise_conv2d':
      return { ...base, kind: op as ConvKind, weight: konst(c.weight)!, bias: konst(c.bias), accum };
    case 'batchnorm':
      if (c.gamma) return { ...base, kind: 'batchnorm', form: 'standalone', gamma: konst(c.gamma)!, beta: konst(c.beta)!, mean: konst(c.mean)!, variance: konst(c.variance)!, epsilon: Number(l.settings.epsilon ?? 0.001) };
      return { ...base, kind: 'batchnorm', form: 'folded', scale: konst(c.scale)!, offset: konst(c.bias)! };
    case 'relu':
    case 'relu6':
    case 'linear':
      return { ...base, kind: op };
    case 'leaky_relu':
      return { ...base, kind: 'leaky_relu', alpha: Number(l.params.alpha ?? 0.3) };
    case 'sigmoid':
    case 'tanh':
      return { ...base, kind: op, table: Number(l.settings.table ?? 1024), tableType: l.types.table_type };
    case 'softmax':
      return { ...base, kind: 'softmax', table: Number(l.settings.table ?? 1024), stable: (l.settings.implementation ?? 'stable') !== 'latency', expTable: l.types.exp_table, invTable: l.types.inv_table };
    case 'add':
      return { ...base, kind: 'add' };
    case 'concat': {
      const a = Number(l.params.axis ?? -1);
      return { ...base, kind: 'concat', axis: a < 0 ? l.tensor.shape.length + a : a };
    }
    case 'flatten':
    case 'reshape':
      return { ...base, kind: op };
    default:
      if (/^(global_)?(max|avg)pool[12]d$/.test(op)) return { ...base, kind: op as PoolKind, accum: op.includes('avg') ? l.types.accum : undefined };
      throw new Error(`internal error: no IR node kind for operation '${op}'`);
  }
}
