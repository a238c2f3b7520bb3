// inline-calls: a network used as a layer becomes the called network's nodes under `<call>__<name>`, with a cast of
// each argument to the called input's type and an identity named after the call; nested calls are inlined too, FIFO
// depths are renamed, the input graph is unchanged, and the verifier accepts the result.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkProgram, memoryFileSystem } from '@qnn/language';
import { buildIr, verifyIr } from '../src/ir/index.js';
import { inlineCalls } from '../src/passes/index.js';
import { nodeFileSystem } from '../src/node-fs.js';
import { partCatalog } from '../src/devices/device-table.js';

const FIXTURE = join(import.meta.dirname, 'plan-fixtures/calls.qnn');

describe('inline-calls', () => {
  const program = checkProgram([FIXTURE], { fs: nodeFileSystem, parts: partCatalog });
  const nets = program.files.get(FIXTURE)!.networks;

  it('inlines every call with its casts, in topological order', () => {
    const g = buildIr(nets.get('outer')!);
    expect(g.nodes.map((n) => n.kind)).toEqual(['call', 'call', 'dense']);
    const out = inlineCalls.run(g);
    expect(verifyIr(out)).toEqual([]);
    expect(out.nodes.map((n) => `${n.name}:${n.kind}`)).toEqual([
      'b1__a:linear', 'b1__h:dense', 'b1__r:relu', 'b1:linear',
      'b2__a:linear', 'b2__h:dense', 'b2__r:relu', 'b2:linear',
      'd:dense',
    ]);
    expect(out.nodes[0].inputs).toEqual([{ node: 'x', shape: [4] }]);
    expect(out.nodes[0].type).toEqual(nets.get('block')!.inputs[0].tensor.type);
    expect(out.nodes[4].inputs[0].node).toBe('b1');
    expect(g.nodes.map((n) => n.kind)).toEqual(['call', 'call', 'dense']);
    expect(inlineCalls.run(out)).toBe(out);
  });

  it('inlines nested calls and renames FIFO depths', () => {
    const src = `network inner {\n  io stream\n  fifo 3\n  fifo a -> r depth 5\n  input a : fixed<8, 3>[2, 2]\n  r = relu(a)\n  output r\n}\nnetwork mid {\n  io stream\n  input a : fixed<8, 3>[2, 2]\n  i = inner(a)\n  output i\n}\nnetwork top {\n  io stream\n  input x : fixed<8, 3>[2, 2]\n  m = mid(x)\n  output m\n}\n`;
    const path = '/t/n.qnn';
    const p = checkProgram([path], { fs: memoryFileSystem({ [path]: src }) });
    const out = inlineCalls.run(buildIr(p.files.get(path)!.networks.get('top')!));
    expect(verifyIr(out)).toEqual([]);
    expect(out.nodes.map((n) => n.name)).toEqual(['m__a', 'm__i__a', 'm__i__r', 'm__i', 'm']);
    expect(out.fifoEdges.get('m__i__a->m__i__r')).toBe(5);
  });
});
