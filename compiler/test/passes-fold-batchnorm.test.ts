// fold-batchnorm: a standalone batchnorm becomes exactly the folded scale and offset that the simulator and the
// backends compute (compiler/src/semantics/batchnorm.ts), for seeded random parameters; folded ones are unchanged.
import { describe, expect, it } from 'vitest';
import { checkProgram, memoryFileSystem } from '@qnn/language';
import { buildIr, verifyIr, type IrNode } from '../src/ir/index.js';
import { foldBatchnorm } from '../src/passes/index.js';
import { batchnormCoefficients } from '../src/semantics/batchnorm.js';

describe('fold-batchnorm', () => {
  it('folds standalone batchnorm exactly as the semantics (20 seeded layers)', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const src = `network n {\n  io parallel\n  input x : fixed<10, 4>[5]\n  b = batchnorm(x) {\n    gamma: fixed<8, 2, RND> = random(seed: ${seed})\n    beta: fixed<8, 3> = random(seed: ${seed + 100})\n    mean: fixed<8, 3> = random(seed: ${seed + 200})\n    variance: ufixed<8, 3> = random(seed: ${seed + 300}, scale: 2)\n    epsilon: 0.01\n  } : fixed<12, 5>\n  output b\n}`;
      const path = '/t/b.qnn';
      const program = checkProgram([path], { fs: memoryFileSystem({ [path]: src }) });
      expect([...program.diagnostics.values()].flat().filter((d) => d.severity === 'error')).toEqual([]);
      const net = [...program.files.get(path)!.networks.values()][0];
      const g = buildIr(net);
      expect(g.nodes[0]).toMatchObject({ kind: 'batchnorm', form: 'standalone' });
      const out = foldBatchnorm.run(g);
      expect(verifyIr(out)).toEqual([]);
      const b = out.nodes[0] as Extract<IrNode, { kind: 'batchnorm'; form: 'folded' }>;
      const ref = batchnormCoefficients(net.layers[0]);
      expect(b.form).toBe('folded');
      expect(b.scale.raws).toEqual(ref.s);
      expect(b.offset.raws).toEqual(ref.o);
      expect(b.scale.type).toEqual(ref.sType);
      // The input graph is unchanged.
      expect(g.nodes[0]).toMatchObject({ form: 'standalone' });
    }
  });

  it('returns the same graph when there is nothing to fold', () => {
    const path = '/t/f.qnn';
    const src = `network n {\n  io parallel\n  input x : fixed<10, 4>[2]\n  b = batchnorm(x) {\n    scale: fixed<8, 2> = [0.5, 1.25]\n    bias: fixed<8, 3> = [1, -1]\n  } : fixed<12, 5>\n  output b\n}`;
    const program = checkProgram([path], { fs: memoryFileSystem({ [path]: src }) });
    const g = buildIr([...program.files.get(path)!.networks.values()][0]);
    expect(foldBatchnorm.run(g)).toBe(g);
  });
});
