// Every sample network runs on seeded random inputs spanning its input types, with outputs of the right shape, and
// the number path agrees with the BigInt path on them.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkProgram, seededUniform, valueRange, type NetworkModel } from '@qnn/language';
import { nodeFileSystem, partCatalog } from '@qnn/compiler';
import { simulate, simulateSync, type SimulationInputs } from '../src/index.js';
import { raws } from './helpers.js';

const samples = join(import.meta.dirname, '../../samples');
function qnnFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((e) => {
    const p = join(dir, e);
    return statSync(p).isDirectory() ? qnnFiles(p) : p.endsWith('.qnn') ? [p] : [];
  });
}

/** Rows of values uniform over each input type's range, a little beyond it (to exercise input overflow). */
function randomInputs(net: NetworkModel, rows: number, seed: number): SimulationInputs {
  return new Map(
    net.inputs.map((i) => {
      const size = i.tensor.shape.reduce((a, b) => a * b, 1);
      const u = seededUniform(seed, `${net.name}/${i.name}`, rows * size); // in [-1, 1)
      const r = valueRange(i.tensor.type);
      const mid = (r.min + r.max) / 2;
      const half = ((r.max - r.min) / 2) * 1.05;
      return [i.name, { rows, data: u.map((v) => mid + v * half) }];
    }),
  );
}

const files = qnnFiles(samples).sort();
const program = checkProgram(files, { fs: nodeFileSystem, parts: partCatalog });
const networks = [...program.files.values()].flatMap((f) => [...f.networks.values()]);

describe('samples', () => {
  it('are all found', () => expect(networks.length).toBeGreaterThanOrEqual(7));
  for (const net of networks) {
    it(`${net.name}: runs with outputs of the right shape, and both paths agree`, async () => {
      expect(net.complete).toBe(true);
      const rows = 40;
      const inputs = randomInputs(net, rows, 1);
      let progress = 0;
      const r = await simulate(net, inputs, { keepLayers: true, chunkRows: 16, onProgress: (done) => (progress = done) });
      expect(progress).toBe(rows);
      for (const name of net.outputs) {
        const t = r.outputs.get(name)!;
        const node = net.node(name)!;
        expect(t.shape).toEqual(node.tensor.shape);
        expect(t.data.length).toBe(rows * node.tensor.shape.reduce((a, b) => a * b, 1));
      }
      expect([...r.layers.keys()]).toEqual(net.layers.map((l) => l.name));
      const big = simulateSync(net, randomInputs(net, 6, 1), { keepLayers: true, forceBigInt: true });
      const num = simulateSync(net, randomInputs(net, 6, 1), { keepLayers: true });
      for (const [name, l] of num.layers) {
        expect(raws(l.tensor), name).toEqual(raws(big.layers.get(name)!.tensor));
        expect(l.overflow, name).toEqual(big.layers.get(name)!.overflow);
      }
    });
  }
  it('the test data of the samples runs too', () => {
    for (const f of program.files.values()) {
      for (const t of f.tests.values()) {
        const net = [...program.files.values()].map((g) => g.networks.get(t.network)).find((n) => n)!;
        const r = simulateSync(net, t.inputs);
        expect(r.rows).toBe([...t.inputs.values()][0].rows);
      }
    }
  });
});

describe('simulate', () => {
  const net = networks.find((n) => n.name === 'jet_tagger')!;
  it('stops on an abort signal with its reason', async () => {
    const ctl = new AbortController();
    const p = simulate(net, randomInputs(net, 5000, 2), { chunkRows: 10, signal: ctl.signal, onProgress: (done) => done >= 100 && ctl.abort(new Error('stop')) });
    await expect(p).rejects.toThrow('stop');
  });
  it('rejects inputs of the wrong size, missing inputs and non-finite values', () => {
    expect(() => simulateSync(net, new Map())).toThrow(/no values for input 'x'/);
    expect(() => simulateSync(net, new Map([['x', { rows: 2, data: new Float64Array(31) }]]))).toThrow(/16 values per row/);
    const bad = new Float64Array(32);
    bad[20] = NaN;
    expect(() => simulateSync(net, new Map([['x', { rows: 2, data: bad }]]))).toThrow(/row 1 \(element 4\)/);
  });
  it('keeps only the outputs unless asked to keep every layer', () => {
    const r = simulateSync(net, randomInputs(net, 3, 3));
    expect(r.layers.get('fc1')!.tensor).toBeUndefined();
    expect(r.outputs.get('out')!.rows).toBe(3);
    expect(r.inputs.get('x')!.tensor).toBeUndefined();
  });
  it('gives the same bits with any chunk size and without WebAssembly', () => {
    const inputs = randomInputs(net, 50, 4);
    const a = raws(simulateSync(net, inputs).outputs.get('out'));
    expect(raws(simulateSync(net, inputs, { chunkRows: 7 }).outputs.get('out'))).toEqual(a);
    expect(raws(simulateSync(net, inputs, { wasm: false }).outputs.get('out'))).toEqual(a);
  });
});
