// ONNX models built here: a channels-first (NCHW) CNN whose input the imported network takes channels last, and a
// QONNX model (Quant on inputs, weights, biases and activations, BipolarQuant weights). The CNN's float reference
// agrees with the independent float64 evaluation of the graph (1,000 seeded inputs, 1e-5 relative to the largest
// output of each sample); the QONNX model's bit-accurate simulation equals the Quant arithmetic exactly.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { floatReference, rawsToDoubles, simulate } from '../src/index.js';
import { onnxModel, seeded } from '../../compiler/test/import-builders.js';
import { evalOnnx, f32, importAndCheck, maxRelativeError, onnx, seededRows, toChannelsLast } from './import-helpers.js';

const ROWS = 1000;
const TIMEOUT = 120_000;

function write(bytes: Uint8Array, name: string): string {
  const p = join(mkdtempSync(join(tmpdir(), 'qnn-import-onnx-')), name);
  writeFileSync(p, bytes);
  return p;
}

const init = (name: string, dims: number[], seed: number, lo = -0.5, hi = 0.5) => ({ name, dims, values: seeded(seed, dims.reduce((a, b) => a * b, 1), lo, hi) });
const scalar = (name: string, v: number) => ({ name, dims: [], values: [v] });

describe('import: ONNX layouts and QONNX', () => {
  it('an NCHW CNN: Conv (same pads) + Relu + MaxPool + Conv + bias Add + BatchNormalization + Flatten + Gemm + Softmax', { timeout: TIMEOUT }, async () => {
    const bytes = onnxModel({
      inputs: [{ name: 'x', shape: [1, 2, 6, 6] }],
      outputs: ['y'],
      initializers: [
        init('w1', [3, 2, 3, 3], 1),
        init('b1', [3], 2),
        init('w2', [4, 3, 2, 2], 3),
        init('b2', [1, 4, 1, 1], 4),
        init('gamma', [4], 5, 0.5, 1.5),
        init('beta', [4], 6),
        init('mean', [4], 7),
        init('var', [4], 8, 0.5, 2),
        init('w3', [5, 16], 9),
        init('b3', [5], 10),
      ],
      nodes: [
        { op: 'Conv', inputs: ['x', 'w1', 'b1'], outputs: ['c1'], name: 'conv1', attrs: { kernel_shape: [3, 3], pads: [1, 1, 1, 1], strides: [1, 1] } },
        { op: 'Relu', inputs: ['c1'], outputs: ['r1'], name: 'relu1' },
        { op: 'MaxPool', inputs: ['r1'], outputs: ['p1'], name: 'pool1', attrs: { kernel_shape: [2, 2], strides: [2, 2] } },
        { op: 'Conv', inputs: ['p1', 'w2'], outputs: ['c2'], name: 'conv2', attrs: { kernel_shape: [2, 2] } },
        { op: 'Add', inputs: ['c2', 'b2'], outputs: ['c2b'], name: 'bias2' },
        { op: 'BatchNormalization', inputs: ['c2b', 'gamma', 'beta', 'mean', 'var'], outputs: ['bn'], name: 'bn', attrs: { epsilon: 0.001 } },
        { op: 'Flatten', inputs: ['bn'], outputs: ['f'], name: 'flat', attrs: { axis: 1 } },
        { op: 'Gemm', inputs: ['f', 'w3', 'b3'], outputs: ['g'], name: 'fc', attrs: { transB: 1 } },
        { op: 'Softmax', inputs: ['g'], outputs: ['y'], name: 'soft', attrs: { axis: -1 } },
      ],
    });
    const { net, text, warnings } = await importAndCheck({ model: write(bytes, 'cnn.onnx') });
    expect(warnings).toEqual([]);
    expect(text).toContain('input x : data[6, 6, 2]');
    expect(text).toMatch(/channels first.*transpose the data/);
    const x = f32(seededRows(21, ROWS, 72));
    const ours = await floatReference(net, new Map([['x', { rows: ROWS, data: toChannelsLast(x, ROWS, [2, 6, 6]) }]]));
    const want = evalOnnx(onnx.ModelProto.decode(bytes), { shape: [ROWS, 2, 6, 6], data: x }).get('y')!.data;
    const got = ours.layers.get(net.outputs[0])!.data;
    expect(maxRelativeError(got, want, 5)).toBeLessThanOrEqual(1e-5);
  });

  it('QONNX: Quant and BipolarQuant become types, and the simulation is bit-exact', { timeout: TIMEOUT }, async () => {
    const q = (x: string, s: string, bits: string, out: string, signed: number, narrow = 0) => ({
      op: 'Quant',
      domain: 'qonnx.custom_op.general',
      inputs: [x, s, 'zero', bits],
      outputs: [out],
      name: `q_${out}`,
      attrs: { signed, narrow, rounding_mode: 'ROUND' },
    });
    const bytes = onnxModel({
      inputs: [{ name: 'x', shape: [1, 8] }],
      outputs: ['y'],
      initializers: [
        init('w0', [8, 6], 31, -1, 1),
        init('b0', [6], 32, -1, 1),
        init('w1', [6, 3], 33),
        scalar('zero', 0),
        scalar('s4', 2 ** -4),
        scalar('s5', 2 ** -5),
        scalar('s3', 2 ** -3),
        scalar('half', 0.5),
        scalar('bits8', 8),
        scalar('bits6', 6),
        scalar('bits4', 4),
      ],
      nodes: [
        q('x', 's4', 'bits8', 'xq', 1),
        q('w0', 's5', 'bits6', 'w0q', 1, 1),
        q('b0', 's5', 'bits8', 'b0q', 1),
        { op: 'MatMul', inputs: ['xq', 'w0q'], outputs: ['m'], name: 'mm' },
        { op: 'Add', inputs: ['m', 'b0q'], outputs: ['a'], name: 'add' },
        { op: 'Relu', inputs: ['a'], outputs: ['r'], name: 'relu' },
        q('r', 's3', 'bits4', 'rq', 0),
        { op: 'BipolarQuant', domain: 'qonnx.custom_op.general', inputs: ['w1', 'half'], outputs: ['w1q'], name: 'bq' },
        { op: 'Gemm', inputs: ['rq', 'w1q'], outputs: ['y'], name: 'fc' },
      ],
    });
    const { net, text } = await importAndCheck({ model: write(bytes, 'qonnx.onnx') });
    expect(text).toContain('fixed<8, 4, RND_CONV, SAT>'); // the input Quant
    expect(text).toContain('fixed<6, 1, RND_CONV, SAT_SYM>'); // narrow weights
    expect(text).toContain('relu(mm) : ufixed<4, 1, RND_CONV, SAT>'); // the activation Quant folded into the relu
    // Inputs on the grid of the input type (fixed<16, 6>), which the model's own Quant then rounds.
    const x = seededRows(22, ROWS, 8, -10, 10).map((v) => Math.round(v * 1024) / 1024);
    const sim = await simulate(net, new Map([['x', { rows: ROWS, data: x }]]), { keepLayers: true });
    const env = evalOnnx(onnx.ModelProto.decode(bytes), { shape: [ROWS, 8], data: x });
    const check = (layer: string, value: string) => {
      const got = rawsToDoubles(sim.layers.get(layer)!.tensor!);
      const want = env.get(value)!.data;
      let diff = 0;
      for (let i = 0; i < want.length; i++) if (got[i] !== want[i]) diff++;
      expect(`${layer}: ${diff} of ${want.length} differ`).toBe(`${layer}: 0 of ${want.length} differ`);
    };
    check('q_xq', 'xq');
    check('relu', 'rq');
    check('fc', 'y');
  });

  it('a PyTorch-style 1-D CNN: Conv, batchnorm as Mul + Add, Unsqueeze/Conv/Squeeze, AveragePool, GlobalAveragePool, Shape/Gather/Concat/Reshape flatten', { timeout: TIMEOUT }, async () => {
    const bytes = onnxModel({
      opset: 11,
      inputs: [{ name: 'x', shape: [1, 3, 16] }],
      outputs: ['y', 'g'],
      initializers: [
        init('w1', [4, 3, 3], 41),
        init('s', [1, 4, 1], 42, 0.5, 1.5),
        init('t', [1, 4, 1], 43),
        init('w2', [5, 4, 1, 3], 44),
        init('b2', [5], 45),
        init('w3', [6, 40], 46),
        { name: 'zero_idx', dims: [], values: [0], int64: true },
        { name: 'minus1', dims: [1], values: [-1], int64: true },
      ],
      nodes: [
        { op: 'Conv', inputs: ['x', 'w1'], outputs: ['c1'], name: 'conv1', attrs: { kernel_shape: [3], pads: [1, 1] } },
        { op: 'Mul', inputs: ['c1', 's'], outputs: ['m'], name: 'bn_mul' },
        { op: 'Add', inputs: ['m', 't'], outputs: ['a'], name: 'bn_add' },
        { op: 'Relu', inputs: ['a'], outputs: ['r'], name: 'relu' },
        { op: 'Unsqueeze', inputs: ['r'], outputs: ['u'], name: 'unsq', attrs: { axes: [2] } },
        { op: 'Conv', inputs: ['u', 'w2', 'b2'], outputs: ['c2'], name: 'conv2', attrs: { kernel_shape: [1, 3], pads: [0, 1, 0, 1] } },
        { op: 'Squeeze', inputs: ['c2'], outputs: ['sq'], name: 'sq', attrs: { axes: [2] } },
        { op: 'AveragePool', inputs: ['sq'], outputs: ['p'], name: 'pool', attrs: { kernel_shape: [2], strides: [2] } },
        { op: 'GlobalAveragePool', inputs: ['p'], outputs: ['gp'], name: 'gap' },
        { op: 'Flatten', inputs: ['gp'], outputs: ['g'], name: 'gflat', attrs: { axis: 1 } },
        { op: 'Shape', inputs: ['p'], outputs: ['shp'], name: 'shape' },
        { op: 'Gather', inputs: ['shp', 'zero_idx'], outputs: ['n'], name: 'gather', attrs: { axis: 0 } },
        { op: 'Unsqueeze', inputs: ['n'], outputs: ['n1'], name: 'unsq_n', attrs: { axes: [0] } },
        { op: 'Concat', inputs: ['n1', 'minus1'], outputs: ['target'], name: 'cat_shape', attrs: { axis: 0 } },
        { op: 'Reshape', inputs: ['p', 'target'], outputs: ['f'], name: 'flatten' },
        { op: 'Gemm', inputs: ['f', 'w3'], outputs: ['gm'], name: 'fc', attrs: { transB: 1 } },
        { op: 'Tanh', inputs: ['gm'], outputs: ['y'], name: 'tanh' },
      ],
    });
    const { net, warnings } = await importAndCheck({ model: write(bytes, 'cnn1d.onnx') });
    expect(warnings).toEqual([]);
    const x = f32(seededRows(23, ROWS, 48));
    const ours = await floatReference(net, new Map([['x', { rows: ROWS, data: toChannelsLast(x, ROWS, [3, 16]) }]]));
    const env = evalOnnx(onnx.ModelProto.decode(bytes), { shape: [ROWS, 3, 16], data: x });
    expect(maxRelativeError(ours.layers.get(net.outputs[0])!.data, env.get('y')!.data, 6)).toBeLessThanOrEqual(1e-5);
    expect(maxRelativeError(ours.layers.get(net.outputs[1])!.data, env.get('g')!.data, 5)).toBeLessThanOrEqual(1e-5);
  });
});
