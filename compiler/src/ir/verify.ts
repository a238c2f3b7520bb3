// The IR verifier: the invariants every pass keeps. Tests run it between passes; it returns the violations (empty
// when the graph is well formed) rather than throwing, so that a test can print them all.
import { assertNever, type IrConst, type IrGraph, type IrNode } from './types.js';

const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
const same = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((v, i) => v === b[i]);

export function verifyIr(g: IrGraph): string[] {
  const errors: string[] = [];
  const err = (n: { name: string }, msg: string) => errors.push(`${g.name}/${n.name}: ${msg}`);
  const defined = new Map<string, { shape: readonly number[] }>();
  for (const i of g.inputs) {
    if (defined.has(i.name)) err(i, 'defined twice');
    defined.set(i.name, i);
  }
  const constOk = (n: IrNode, what: string, c: IrConst | undefined, shape?: readonly number[]) => {
    if (!c) return;
    if (c.raws.length !== size(c.shape)) err(n, `${what}: ${c.raws.length} raws for shape [${c.shape.join(', ')}]`);
    if (shape && size(c.shape) !== size(shape)) err(n, `${what}: shape [${c.shape.join(', ')}], expected [${shape.join(', ')}]`);
    const lim = 1n << BigInt(c.type.width - (c.type.signed ? 1 : 0));
    for (const r of c.raws) if (r >= lim || r < (c.type.signed ? -lim : 0n)) return err(n, `${what}: raw ${r} outside its type`);
  };
  for (const n of g.nodes) {
    if (defined.has(n.name)) err(n, 'defined twice');
    if (n.inputs.length === 0) err(n, 'has no inputs');
    for (const e of n.inputs) {
      const src = defined.get(e.node);
      if (!src) err(n, `reads '${e.node}', which is not defined before it`);
      else if (size(src.shape) !== size(e.shape)) err(n, `reads '${e.node}' as [${e.shape.join(', ')}] but it has ${size(src.shape)} values`);
    }
    if (!Number.isInteger(n.reuse) || n.reuse < 1) err(n, `reuse ${n.reuse}`);
    if (n.range && n.range.lo > n.range.hi) err(n, 'empty range');
    const x = n.inputs[0]?.shape ?? [];
    const C = x[x.length - 1] ?? 0;
    switch (n.kind) {
      case 'dense':
        constOk(n, 'weight', n.weight, [C, n.units]);
        constOk(n, 'bias', n.bias, [n.units]);
        if (!same(n.shape, [...x.slice(0, -1), n.units])) err(n, `shape [${n.shape.join(', ')}] is not [${[...x.slice(0, -1), n.units].join(', ')}]`);
        break;
      case 'conv1d':
      case 'conv2d':
      case 'depthwise_conv1d':
      case 'depthwise_conv2d':
        constOk(n, 'weight', n.weight);
        constOk(n, 'bias', n.bias, [n.shape[n.shape.length - 1]]);
        if (n.weight.shape[n.weight.shape.length - 2] !== C) err(n, `weight has ${n.weight.shape[n.weight.shape.length - 2]} input channels, the input ${C}`);
        break;
      case 'batchnorm':
        if (n.form === 'folded') {
          constOk(n, 'scale', n.scale, [C]);
          constOk(n, 'offset', n.offset, [C]);
        } else for (const [k, c] of [['gamma', n.gamma], ['beta', n.beta], ['mean', n.mean], ['variance', n.variance]] as const) constOk(n, k, c, [C]);
        if (!same(n.shape, x)) err(n, 'changes the shape');
        break;
      case 'relu':
      case 'relu6':
      case 'linear':
      case 'leaky_relu':
      case 'sigmoid':
      case 'tanh':
      case 'softmax':
        if (!same(n.shape, x)) err(n, 'changes the shape');
        if ((n.kind === 'sigmoid' || n.kind === 'tanh' || n.kind === 'softmax') && (n.table < 1 || (n.table & (n.table - 1)) !== 0)) err(n, `table size ${n.table} is not a power of two`);
        break;
      case 'add':
        for (const e of n.inputs) if (!same(e.shape, n.shape)) err(n, `operand '${e.node}' has shape [${e.shape.join(', ')}]`);
        break;
      case 'concat': {
        const total = n.inputs.reduce((s, e) => s + (e.shape[n.axis] ?? 0), 0);
        if (total !== n.shape[n.axis]) err(n, `axis ${n.axis}: operands give ${total}, the result has ${n.shape[n.axis]}`);
        break;
      }
      case 'flatten':
      case 'reshape':
        if (size(n.shape) !== size(x)) err(n, 'changes the number of values');
        break;
      case 'maxpool1d':
      case 'maxpool2d':
      case 'global_maxpool1d':
      case 'global_maxpool2d':
      case 'avgpool1d':
      case 'avgpool2d':
      case 'global_avgpool1d':
      case 'global_avgpool2d':
        if (n.shape[n.shape.length - 1] !== C) err(n, 'changes the number of channels');
        break;
      case 'call':
        for (const e of verifyIr(n.network)) errors.push(`${g.name}/${n.name} → ${e}`);
        break;
      default:
        assertNever(n);
    }
    defined.set(n.name, n);
  }
  for (const a of g.aliases) {
    if (!defined.has(a.of)) err(a, `alias of '${a.of}', which is not defined`);
    if (defined.has(a.name)) err(a, 'is both an alias and a node');
  }
  const known = new Set([...defined.keys(), ...g.aliases.map((a) => a.name)]);
  for (const o of g.outputs) if (!known.has(o)) errors.push(`${g.name}: output '${o}' is not defined`);
  return errors;
}
