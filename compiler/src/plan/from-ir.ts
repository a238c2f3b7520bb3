// The planner's input from the IR after the pass pipeline: one plan layer per node, eliminated flatten/reshape
// nodes listed as wiring layers right after the node they alias (so that every layer of the network has a plan).
import type { IrGraph, IrNode } from '../ir/types.js';
import type { PlanLayer, PlanSource } from './source.js';

export function planSourceFromIr(g: IrGraph): PlanSource {
  const aliases = new Map<string, PlanLayer[]>();
  const shapes = new Map<string, readonly number[]>([...g.inputs.map((i) => [i.name, i.shape] as const), ...g.nodes.map((n) => [n.name, n.shape] as const)]);
  for (const a of g.aliases) {
    const list = aliases.get(a.of) ?? [];
    list.push({ name: a.name, op: a.kind, inputs: [a.of], inputShapes: [shapes.get(a.of) ?? a.shape], shape: a.shape, type: a.type, params: {}, settings: {}, types: {}, reuse: 1, live: a.live });
    aliases.set(a.of, list);
  }
  const layers: PlanLayer[] = [];
  for (const i of g.inputs) layers.push(...(aliases.get(i.name) ?? []));
  for (const n of g.nodes) layers.push(layer(n), ...(aliases.get(n.name) ?? []));
  return { name: g.name, io: g.io, part: g.part, fifoDepth: g.fifoDepth, fifoEdges: g.fifoEdges, inputs: g.inputs, layers, outputs: g.outputs };
}

function layer(n: IrNode): PlanLayer {
  const base = { name: n.name, inputs: n.inputs.map((e) => e.node), inputShapes: n.inputs.map((e) => e.shape), shape: n.shape, type: n.type, params: n.params, settings: n.settings, types: n.types, reuse: n.reuse, live: n.live };
  switch (n.kind) {
    case 'call':
      return { ...base, op: 'network', subnetwork: planSourceFromIr(n.network) };
    case 'dense':
    case 'conv1d':
    case 'conv2d':
    case 'depthwise_conv1d':
    case 'depthwise_conv2d':
      return { ...base, op: n.kind, weights: n.weight.raws };
    case 'batchnorm':
      if (n.form !== 'folded') throw new Error(`internal error: batchnorm '${n.name}' reaches the planner unfolded (run fold-batchnorm)`);
      return { ...base, op: 'batchnorm', batchnorm: { s: n.scale.raws } };
    case 'linear':
      return n.boundary ? { ...base, op: n.kind, boundary: true } : { ...base, op: n.kind };
    default:
      return { ...base, op: n.kind };
  }
}
