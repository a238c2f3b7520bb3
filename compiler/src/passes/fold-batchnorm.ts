// fold-batchnorm: rewrites a standalone batchnorm (gamma, beta, mean, variance, epsilon) into its folded form
// (scale, offset raws), computed exactly as docs/semantics.md section 8 specifies: the standalone layer is *defined*
// by this fold, so the bits do not change. (Folding into a preceding dense layer would: the dense result is cast
// to its type before the batchnorm reads it. That fold belongs to the user's model, not to the compiler.)
import { quantizeDouble, rawToDouble } from '@qnn/language';
import type { IrConst, IrNode } from '../ir/types.js';
import type { Pass } from './pass.js';

export const foldBatchnorm: Pass = {
  name: 'fold-batchnorm',
  description: 'standalone batchnorm → folded scale and offset (the fold of docs/semantics.md section 8, exact)',
  run: (g) => {
    if (!g.nodes.some((n) => (n.kind === 'batchnorm' && n.form === 'standalone') || n.kind === 'call')) return g;
    return { ...g, nodes: g.nodes.map(fold) };
  },
};

function fold(n: IrNode): IrNode {
  if (n.kind === 'call') {
    const sub = foldBatchnorm.run(n.network);
    return sub === n.network ? n : { ...n, network: sub };
  }
  if (n.kind !== 'batchnorm' || n.form === 'folded') return n;
  const d = (c: IrConst) => c.raws.map((r) => rawToDouble(c.type, r));
  const [gamma, beta, mean, variance] = [d(n.gamma), d(n.beta), d(n.mean), d(n.variance)];
  const s: bigint[] = [];
  const o: bigint[] = [];
  for (let i = 0; i < gamma.length; i++) {
    const scale = gamma[i] / Math.sqrt(variance[i] + n.epsilon);
    const offset = beta[i] - mean[i] * scale;
    s.push(quantizeDouble(n.gamma.type, scale).raw);
    o.push(quantizeDouble(n.beta.type, offset).raw);
  }
  const { gamma: _g, beta: _b, mean: _m, variance: _v, epsilon: _e, ...rest } = n;
  return { ...rest, form: 'folded', scale: { type: n.gamma.type, shape: n.gamma.shape, raws: s }, offset: { type: n.beta.type, shape: n.beta.shape, raws: o } };
}
