// Networks used as layers (docs/semantics.md section 13), inlined: each call becomes the called network's layers
// under the names `<call>__<layer>`, preceded by a `linear` cast of every argument to the called input's type and
// followed by an identity `linear` named after the call (its value is the called network's output, uncast).
import type { LayerModel, NetworkModel } from '@qnn/language';

/** A layer of the flattened network: a checked layer, or a synthetic cast (`call`) at the boundary of a network call. */
export type FlatLayer = LayerModel & { readonly call?: 'input' | 'output' };

export interface FlatNetwork {
  readonly layers: readonly FlatLayer[];
  /** FIFO depth of the edge from → to (io stream). */
  readonly fifo: (from: string, to: string) => number;
}

/** A synthetic `linear` layer: a cast of `input` to `type` (no hardware when the types are equal). */
function castLayer(template: LayerModel, name: string, input: string, tensor: LayerModel['tensor'], call: 'input' | 'output'): FlatLayer {
  return { ...template, name, opName: 'linear', inputs: [input], params: {}, consts: {}, types: {}, settings: {}, tensor, reuse: 1, call };
}

/** The layers of `net` with every network call replaced by the called network's layers (recursively). */
export function flattenNetwork(net: NetworkModel): FlatNetwork {
  const depths = new Map<string, number>();
  const layers: FlatLayer[] = [];
  const visit = (n: NetworkModel, rename: (name: string) => string): void => {
    for (const [edge, d] of n.fifoEdges) {
      const [a, b] = edge.split('->');
      depths.set(`${rename(a)}->${rename(b)}`, d);
    }
    for (const l of n.layers) {
      const name = rename(l.name);
      const inputs = l.inputs.map(rename);
      if (!('network' in l.op)) {
        layers.push({ ...l, name, inputs });
        continue;
      }
      const callee = l.op.network;
      const inner = `${name}__`;
      const innerRename = (x: string) => `${inner}${x}`;
      callee.inputs.forEach((inp, k) => layers.push(castLayer(l, innerRename(inp.name), inputs[k], inp.tensor, 'input')));
      visit(callee, innerRename);
      layers.push(castLayer(l, name, innerRename(callee.outputs[0]), l.tensor, 'output'));
    }
  };
  visit(net, (x) => x);
  return { layers, fifo: (from, to) => depths.get(`${from}->${to}`) ?? net.fifoDepth };
}
