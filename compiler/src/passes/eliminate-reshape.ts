// eliminate-reshape: removes flatten and reshape nodes that do not change the type (they only re-index values, which
// are stored row-major either way): their consumers read the producer directly, through an edge that keeps the shape
// they read, and a FIFO depth given on the removed edge moves to the new one. The node's name survives as an alias
// (for reports); a network output stays a node.
import type { IrAlias, IrEdge, IrNode } from '../ir/types.js';
import type { Pass } from './pass.js';

const sameType = (a: IrNode['type'], b: IrNode['type']) => a.width === b.width && a.intBits === b.intBits && a.signed === b.signed;

export const eliminateReshape: Pass = {
  name: 'eliminate-reshape',
  description: 'flatten/reshape without a type change → an edge with the shape the consumer reads (row-major values are unchanged)',
  run: (g) => {
    const types = new Map<string, IrNode['type']>(g.inputs.map((i) => [i.name, i.type]));
    const outputs = new Set(g.outputs);
    const target = new Map<string, string>();
    const aliases: IrAlias[] = [...g.aliases];
    const nodes: IrNode[] = [];
    const edge = (e: IrEdge): IrEdge => (target.has(e.node) ? { node: target.get(e.node)!, shape: e.shape } : e);
    const fifoEdges = new Map(g.fifoEdges);
    for (const n0 of g.nodes) {
      const inputs = n0.inputs.map(edge);
      // A FIFO depth given on the eliminated edge (`fifo flat -> fc depth 32`) moves to the edge that replaces it.
      n0.inputs.forEach((e, i) => {
        const depth = g.fifoEdges.get(`${e.node}->${n0.name}`);
        if (inputs[i] !== e && depth !== undefined) fifoEdges.set(`${inputs[i].node}->${n0.name}`, depth);
      });
      const n = inputs.some((e, i) => e !== n0.inputs[i]) ? ({ ...n0, inputs } as IrNode) : n0;
      const m = n.kind === 'call' ? { ...n, network: eliminateReshape.run(n.network) } : n;
      types.set(m.name, m.type);
      if ((m.kind === 'flatten' || m.kind === 'reshape') && !outputs.has(m.name) && sameType(m.type, types.get(m.inputs[0].node)!)) {
        target.set(m.name, m.inputs[0].node);
        aliases.push({ name: m.name, kind: m.kind, of: m.inputs[0].node, shape: m.shape, type: m.type, live: m.live });
        continue;
      }
      nodes.push(m);
    }
    if (nodes.length === g.nodes.length && nodes.every((n, i) => n === g.nodes[i])) return g;
    return { ...g, nodes, aliases, fifoEdges };
  },
};
