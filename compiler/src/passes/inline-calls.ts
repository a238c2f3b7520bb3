// inline-calls: replaces every network used as a layer by the called network's nodes, named `<call>__<node>`, as the
// Verilog backend inlines them (compiler/src/backends/verilog/inline.ts): a `linear` cast of each argument to the
// called input's type (named `<call>__<input>`), the called layers, and an identity `linear` named after the call
// that reads the called network's output (both marked `boundary`: io stream builds them as wiring, no stage and no
// FIFO of their own). docs/semantics.md section 13 defines a call by exactly these casts, so no
// bit changes; FIFO depths of the called network's edges are renamed with its nodes.
import type { IrEdge, IrNode } from '../ir/types.js';
import type { Pass } from './pass.js';

export const inlineCalls: Pass = {
  name: 'inline-calls',
  description: 'network calls → the called network’s nodes (renamed), with the casts a call is defined by',
  run: (g) => {
    if (!g.nodes.some((n) => n.kind === 'call')) return g;
    const nodes: IrNode[] = [];
    const fifoEdges = new Map(g.fifoEdges);
    const shapes = new Map<string, readonly number[]>(g.inputs.map((i) => [i.name, i.shape]));
    for (const n of g.nodes) {
      shapes.set(n.name, n.shape);
      if (n.kind !== 'call') {
        nodes.push(n);
        continue;
      }
      const callee = inlineCalls.run(n.network);
      const inner = (x: string) => `${n.name}__${x}`;
      const base = { reuse: 1, live: n.live, params: {}, settings: {}, types: {} };
      callee.inputs.forEach((inp, k) => {
        const arg: IrEdge = n.inputs[k];
        nodes.push({ ...base, kind: 'linear', boundary: 'input', name: inner(inp.name), inputs: [{ node: arg.node, shape: inp.shape }], shape: inp.shape, type: inp.type });
      });
      for (const m of callee.nodes) nodes.push({ ...m, name: inner(m.name), live: m.live && n.live, inputs: m.inputs.map((e) => ({ node: inner(e.node), shape: e.shape })) } as IrNode);
      for (const a of callee.aliases) nodes.push({ ...base, kind: a.kind, name: inner(a.name), inputs: [{ node: inner(a.of), shape: callee.nodes.find((m) => m.name === a.of)?.shape ?? a.shape }], shape: a.shape, type: a.type } as IrNode);
      for (const [edge, d] of callee.fifoEdges) {
        const [a, b] = edge.split('->');
        fifoEdges.set(`${inner(a)}->${inner(b)}`, d);
      }
      const out = callee.outputs[0];
      const outShape = callee.nodes.find((m) => m.name === out)?.shape ?? callee.inputs.find((i) => i.name === out)?.shape ?? n.shape;
      nodes.push({ ...base, kind: 'linear', boundary: 'output', name: n.name, inputs: [{ node: inner(out), shape: outShape }], shape: n.shape, type: n.type });
    }
    return { ...g, nodes, fifoEdges };
  },
};
