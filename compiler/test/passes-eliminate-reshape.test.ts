// eliminate-reshape: identity flatten/reshape nodes disappear (their consumers read the producer with the shape they
// read before, FIFO depths move to the new edge); casting ones, and outputs, stay. The plan is the same either way.
import { describe, expect, it } from 'vitest';
import { checkProgram, memoryFileSystem } from '@qnn/language';
import { buildIr, verifyIr } from '../src/ir/index.js';
import { eliminateReshape } from '../src/passes/index.js';
import { planSource } from '../src/plan/index.js';
import { planSourceFromIr } from '../src/plan/from-ir.js';

const SRC = `network n {
  io stream
  fifo 8
  fifo f -> d depth 40
  input x : fixed<8, 3>[2, 3, 2]
  f = flatten(x)
  r = reshape(f, [3, 4]) : fixed<9, 3>
  d = dense(f, 2) {
    weight: fixed<6, 2> = random(seed: 1)
  } : fixed<8, 3>
  k = dense(r, 2) {
    weight: fixed<6, 2> = random(seed: 2)
  } : fixed<8, 3>
  o = flatten(k)
  output d, o
}`;

describe('eliminate-reshape', () => {
  const path = '/t/r.qnn';
  const program = checkProgram([path], { fs: memoryFileSystem({ [path]: SRC }) });
  const g = buildIr([...program.files.get(path)!.networks.values()][0]);

  it('removes identity flatten/reshape, keeps casting ones and outputs, keeps the views and FIFO depths', () => {
    expect(verifyIr(g)).toEqual([]);
    const out = eliminateReshape.run(g);
    expect(verifyIr(out)).toEqual([]);
    expect(out.nodes.map((n) => n.name)).toEqual(['r', 'd', 'k', 'o']);
    expect(out.aliases).toEqual([{ name: 'f', kind: 'flatten', of: 'x', shape: [12], type: g.inputs[0].type, live: true }]);
    const d = out.nodes.find((n) => n.name === 'd')!;
    expect(d.inputs).toEqual([{ node: 'x', shape: [12] }]);
    expect(out.nodes[0].inputs).toEqual([{ node: 'x', shape: [12] }]);
    expect(out.fifoEdges.get('x->d')).toBe(40);
    // Idempotent, and the input graph is unchanged.
    expect(eliminateReshape.run(out)).toBe(out);
    expect(g.nodes.map((n) => n.name)).toEqual(['f', 'r', 'd', 'k', 'o']);
  });

  it('gives the same io parallel plan as the graph with the reshapes (io stream keeps them: each is a stage)', () => {
    const src = SRC.replace('io stream\n  fifo 8\n  fifo f -> d depth 40', 'io parallel');
    const program2 = checkProgram([path], { fs: memoryFileSystem({ [path]: src }) });
    const g2 = buildIr([...program2.files.get(path)!.networks.values()][0]);
    expect(g2.io).toBe('parallel');
    const a = planSource(planSourceFromIr(g2));
    const b = planSource(planSourceFromIr(eliminateReshape.run(g2)));
    const key = (p: typeof a) => JSON.stringify({ ...p, layers: [...p.layers].sort((x, y) => x.name.localeCompare(y.name)).map((l) => ({ ...l, inputs: undefined, constants: undefined, schedule: undefined })) });
    expect(JSON.parse(key(b))).toEqual(JSON.parse(key(a)));
  });
});
