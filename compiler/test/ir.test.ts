// The IR: built from every sample (one node kind per operation, constants as raws), verified, readonly in practice
// (the passes never change their input), and the verifier catches broken graphs with a message naming the node.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkProgram, memoryFileSystem } from '@qnn/language';
import { buildIr, verifyIr, type IrGraph, type IrNode } from '../src/ir/index.js';
import { PIPELINE, runPipeline } from '../src/passes/index.js';
import { nodeFileSystem } from '../src/node-fs.js';
import { partCatalog } from '../src/devices/device-table.js';

const SAMPLES = join(import.meta.dirname, '../../samples');

export function irOf(src: string, name?: string): IrGraph {
  const path = '/t/n.qnn';
  const program = checkProgram([path], { fs: memoryFileSystem({ [path]: src }) });
  const errors = [...program.diagnostics.values()].flat().filter((d) => d.severity === 'error');
  if (errors.length) throw new Error(errors.map((d) => d.message).join('\n'));
  const nets = [...program.files.get(path)!.networks.values()];
  return buildIr(name ? nets.find((n) => n.name === name)! : nets[nets.length - 1]);
}

function deepFreeze<T>(x: T): T {
  if (x && typeof x === 'object' && !Object.isFrozen(x) && !(x instanceof Map)) {
    Object.freeze(x);
    for (const v of Object.values(x)) deepFreeze(v);
  }
  return x;
}

describe('IR', () => {
  const files = readdirSync(SAMPLES, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .flatMap((d) => readdirSync(join(SAMPLES, d.name)).filter((f) => f.endsWith('.qnn')).map((f) => join(SAMPLES, d.name, f)));

  it('builds every sample network, verified before and after every pass, passes never mutate their input', () => {
    let count = 0;
    for (const path of files) {
      const program = checkProgram([path], { fs: nodeFileSystem, parts: partCatalog });
      for (const net of program.files.get(path)!.networks.values()) {
        if (!net.complete) continue;
        const g = deepFreeze(buildIr(net));
        expect(g.nodes.map((n) => n.kind === 'call' ? n.network.name : n.kind)).toEqual(net.layers.map((l) => l.opName));
        // Frozen input: a pass that mutated it would throw in strict mode.
        const out = runPipeline(g, PIPELINE, { verify: true });
        expect(verifyIr(out)).toEqual([]);
        count++;
      }
    }
    expect(count).toBeGreaterThanOrEqual(7);
  });

  it('quantizes constants to raws of their type', () => {
    const g = irOf(`network n {\n  io parallel\n  input x : fixed<8, 3>[2]\n  d = dense(x, 1) {\n    weight: fixed<6, 2, RND> = [[0.3], [-1.55]]\n  } : fixed<8, 3>\n  output d\n}`);
    const d = g.nodes[0] as Extract<IrNode, { kind: 'dense' }>;
    // 0.3 · 16 = 4.8 → 5; −1.55 · 16 = −24.8 → −25 (RND: half up).
    expect(d.weight.raws).toEqual([5n, -25n]);
    expect(d.units).toBe(1);
  });

  it('the verifier reports broken graphs, naming the node', () => {
    const g = irOf(`network n {\n  io parallel\n  input x : fixed<8, 3>[4]\n  d = dense(x, 2) {\n    weight: fixed<6, 2> = zeros()\n  } : fixed<8, 3>\n  r = relu(d)\n  output r\n}`);
    expect(verifyIr(g)).toEqual([]);
    const [d, r] = g.nodes as [Extract<IrNode, { kind: 'dense' }>, IrNode];
    const broken = (nodes: IrNode[], outputs = g.outputs): IrGraph => ({ ...g, nodes, outputs });
    expect(verifyIr(broken([r, d]))).toContain("n/r: reads 'd', which is not defined before it");
    expect(verifyIr(broken([{ ...d, weight: { ...d.weight, raws: d.weight.raws.slice(1) } }, r]))[0]).toMatch(/n\/d: weight: 7 raws/);
    expect(verifyIr(broken([{ ...d, weight: { ...d.weight, raws: d.weight.raws.map(() => 99n) } }, r]))[0]).toMatch(/raw 99 outside its type/);
    expect(verifyIr(broken([d, { ...r, shape: [3] }]))).toContain('n/r: changes the shape');
    expect(verifyIr(broken([d, r], ['nothing']))).toContain("n: output 'nothing' is not defined");
    expect(verifyIr(broken([d, d]))).toContain('n/d: defined twice');
  });
});
