// The TensorFlow.js float reference, layer by layer, against hand-computed values and against a plain-JS float64
// evaluation of the same network (written here, independently of tfjs), on both the wasm and the cpu backend.
//
// Tolerance. tfjs computes in float32: every input and weight is rounded once to float32 (relative error ≤ 2^-24
// ≈ 6e-8), and every operation rounds again. The largest computation in these tests is a sum of 64 products, so the
// float32 result can differ from the float64 one by about 70 roundings of the larger terms: a few 1e-6 relative to
// the largest magnitude in play. We accept |float32 − float64| ≤ 1e-5 · max(1, |expected|) per value for single
// layers, and 1e-5 · max(1, max |expected| of the layer) for whole sample networks (where a sum of large terms may
// cancel to a small value, so the error is relative to the layer's scale, not to the value).
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkProgram, memoryFileSystem, seededUniform, valueRange, type LayerModel, type NetworkModel } from '@qnn/language';
import { nodeFileSystem, partCatalog } from '@qnn/compiler';
import { floatReference, FloatReferenceError, type FloatBackend, type FloatInput, type FloatResult } from '../src/float/index.js';

const REL = 1e-5;

// ---- building networks ----------------------------------------------------------------------------------------------

const HEAD = `target xcu250 clock 5ns
type data = fixed<16, 6>
type coef = fixed<8, 1, RND, SAT>
`;

/** Checks a file of networks held in memory; fails the test on any error (lints such as unused types are fine). */
function networks(qnn: string): Map<string, NetworkModel> {
  const program = checkProgram(['/t/main.qnn'], { fs: memoryFileSystem({ '/t/main.qnn': HEAD + qnn }) });
  const diags = [...program.diagnostics.values()].flat().filter((d) => d.severity === 'error').map((d) => `${d.code} ${d.message}`);
  expect(diags).toEqual([]);
  return new Map(program.files.get('/t/main.qnn')!.networks);
}

function network(qnn: string): NetworkModel {
  const nets = [...networks(qnn).values()];
  return nets[nets.length - 1];
}

/** Seeded inputs, uniform in [lo, hi), for every input of the network. */
function seededInputs(net: NetworkModel, rows: number, seed = 1, range?: (i: NetworkModel['inputs'][number]) => [number, number]): Map<string, FloatInput> {
  const out = new Map<string, FloatInput>();
  for (const i of net.inputs) {
    const size = i.tensor.shape.reduce((a, b) => a * b, 1);
    const [lo, hi] = range ? range(i) : [-3, 3];
    const u = seededUniform(seed, `float-test/${net.name}/${i.name}`, rows * size);
    out.set(i.name, { rows, data: u.map((v) => lo + ((v + 1) / 2) * (hi - lo)) });
  }
  return out;
}

// ---- the plain float64 oracle -------------------------------------------------------------------------------------

interface Arr {
  readonly shape: readonly number[];
  readonly data: Float64Array;
}

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
const ints = (v: unknown): number[] => (Array.isArray(v) ? (v as number[]) : [v as number]);

/** Output size and padding before, per spatial axis, exactly as TensorFlow computes them. */
function window(len: number, k: number, s: number, same: boolean): { out: number; before: number } {
  if (!same) return { out: Math.floor((len - k) / s) + 1, before: 0 };
  const out = Math.ceil(len / s);
  const total = Math.max((out - 1) * s + k - len, 0);
  return { out, before: Math.floor(total / 2) };
}

/**
 * A sliding window over a [H, W, C] tensor (1-D tensors [L, C] are [L, 1, C]): calls `visit(oh, ow, ih, iw, i, j)`
 * for every output position and every kernel position that falls inside the input.
 */
function slide(shape: readonly number[], k: number[], s: number[], same: boolean, visit: (o: number, ih: number, iw: number, i: number, j: number) => void): { oh: number; ow: number } {
  const [h, w] = shape.length === 2 ? [shape[0], 1] : [shape[0], shape[1]];
  const [kh, kw] = k.length === 1 ? [k[0], 1] : k;
  const [sh, sw] = s.length === 1 ? [s[0], 1] : s;
  const a = window(h, kh, sh, same);
  const b = window(w, kw, sw, same);
  for (let oh = 0; oh < a.out; oh++) {
    for (let ow = 0; ow < b.out; ow++) {
      for (let i = 0; i < kh; i++) {
        for (let j = 0; j < kw; j++) {
          const ih = oh * sh - a.before + i;
          const iw = ow * sw - b.before + j;
          if (ih >= 0 && ih < h && iw >= 0 && iw < w) visit(oh * b.out + ow, ih, iw, i, j);
        }
      }
    }
  }
  return { oh: a.out, ow: b.out };
}

function oracleLayer(l: LayerModel, xs: Arr[], evalNet: (n: NetworkModel, ins: Arr[]) => Arr): Arr {
  const x = xs[0];
  const out = new Float64Array(size(l.tensor.shape));
  const r: Arr = { shape: l.tensor.shape, data: out };
  if ('network' in l.op) return { shape: l.tensor.shape, data: evalNet(l.op.network, xs).data };
  const c = Object.fromEntries(Object.entries(l.consts).map(([k, t]) => [k, t.values()]));
  const ch = x.shape[x.shape.length - 1];
  const rank = x.shape.length;
  const same = l.params.padding === 'same';
  const unary = (f: (v: number) => number) => {
    x.data.forEach((v, i) => (out[i] = f(v)));
    return r;
  };
  switch (l.opName) {
    case 'dense': {
      const units = l.params.units as number;
      for (let row = 0; row < x.data.length / ch; row++) {
        for (let u = 0; u < units; u++) {
          let acc = c.bias[u];
          for (let k = 0; k < ch; k++) acc += x.data[row * ch + k] * c.weight[k * units + u];
          out[row * units + u] = acc;
        }
      }
      return r;
    }
    case 'conv1d':
    case 'conv2d': {
      const f = l.params.filters as number;
      const k = ints(l.params.kernel);
      const kw = k.length === 1 ? 1 : k[1];
      const wIn = rank === 2 ? 1 : x.shape[1];
      for (let o = 0; o < out.length / f; o++) for (let q = 0; q < f; q++) out[o * f + q] = c.bias[q];
      slide(x.shape, k, ints(l.params.stride), same, (o, ih, iw, i, j) => {
        for (let cc = 0; cc < ch; cc++) {
          const xv = x.data[(ih * wIn + iw) * ch + cc];
          for (let q = 0; q < f; q++) out[o * f + q] += xv * c.weight[((i * kw + j) * ch + cc) * f + q];
        }
      });
      return r;
    }
    case 'depthwise_conv1d':
    case 'depthwise_conv2d': {
      const m = l.params.multiplier as number;
      const k = ints(l.params.kernel);
      const kw = k.length === 1 ? 1 : k[1];
      const wIn = rank === 2 ? 1 : x.shape[1];
      const oc = ch * m;
      for (let o = 0; o < out.length / oc; o++) for (let q = 0; q < oc; q++) out[o * oc + q] = c.bias[q];
      slide(x.shape, k, ints(l.params.stride), same, (o, ih, iw, i, j) => {
        for (let cc = 0; cc < ch; cc++) {
          const xv = x.data[(ih * wIn + iw) * ch + cc];
          for (let q = 0; q < m; q++) out[o * oc + cc * m + q] += xv * c.weight[((i * kw + j) * ch + cc) * m + q];
        }
      });
      return r;
    }
    case 'maxpool1d':
    case 'maxpool2d':
    case 'avgpool1d':
    case 'avgpool2d': {
      const isMax = l.opName.startsWith('max');
      const wIn = rank === 2 ? 1 : x.shape[1];
      const count = new Float64Array(out.length / ch);
      out.fill(isMax ? -Infinity : 0);
      slide(x.shape, ints(l.params.pool), ints(l.params.stride), same, (o, ih, iw) => {
        count[o]++;
        for (let cc = 0; cc < ch; cc++) {
          const xv = x.data[(ih * wIn + iw) * ch + cc];
          out[o * ch + cc] = isMax ? Math.max(out[o * ch + cc], xv) : out[o * ch + cc] + xv;
        }
      });
      if (!isMax) out.forEach((v, i) => (out[i] = v / count[Math.floor(i / ch)]));
      return r;
    }
    case 'global_maxpool1d':
    case 'global_maxpool2d':
    case 'global_avgpool1d':
    case 'global_avgpool2d': {
      const n = x.data.length / ch;
      const isMax = l.opName.includes('max');
      for (let cc = 0; cc < ch; cc++) {
        let acc = isMax ? -Infinity : 0;
        for (let p = 0; p < n; p++) acc = isMax ? Math.max(acc, x.data[p * ch + cc]) : acc + x.data[p * ch + cc];
        out[cc] = isMax ? acc : acc / n;
      }
      return r;
    }
    case 'batchnorm': {
      const eps = l.settings.epsilon as number;
      x.data.forEach((v, i) => {
        const k = i % ch;
        out[i] = c.gamma ? (c.gamma[k] * (v - c.mean[k])) / Math.sqrt(c.variance[k] + eps) + c.beta[k] : v * c.scale[k] + c.bias[k];
      });
      return r;
    }
    case 'relu':
      return unary((v) => Math.max(v, 0));
    case 'relu6':
      return unary((v) => Math.min(Math.max(v, 0), 6));
    case 'leaky_relu':
      return unary((v) => (v >= 0 ? v : (l.params.alpha as number) * v));
    case 'linear':
      return unary((v) => v);
    case 'sigmoid':
      return unary((v) => 1 / (1 + Math.exp(-v)));
    case 'tanh':
      return unary(Math.tanh);
    case 'softmax': {
      for (let row = 0; row < x.data.length / ch; row++) {
        const seg = x.data.subarray(row * ch, (row + 1) * ch);
        const m = Math.max(...seg);
        const e = seg.map((v) => Math.exp(v - m));
        const sum = e.reduce((a, b) => a + b, 0);
        e.forEach((v, k) => (out[row * ch + k] = v / sum));
      }
      return r;
    }
    case 'add':
      for (const t of xs) t.data.forEach((v, i) => (out[i] += v));
      return r;
    case 'concat': {
      const a = l.params.axis as number;
      const axis = a < 0 ? a + rank : a;
      const outer = size(x.shape.slice(0, axis));
      let pos = 0;
      for (let o = 0; o < outer; o++) {
        for (const t of xs) {
          const inner = size(t.shape.slice(axis));
          out.set(t.data.subarray(o * inner, (o + 1) * inner), pos);
          pos += inner;
        }
      }
      return r;
    }
    case 'flatten':
    case 'reshape':
      out.set(x.data);
      return r;
  }
  throw new Error(`oracle: unknown op ${l.opName}`);
}

/** Evaluates one sample of a network in float64; every node's value. */
function oracleSample(net: NetworkModel, ins: Arr[]): Map<string, Arr> {
  const values = new Map<string, Arr>();
  net.inputs.forEach((i, k) => values.set(i.name, ins[k]));
  for (const l of net.layers) {
    values.set(l.name, oracleLayer(l, l.inputs.map((n) => values.get(n)!), (sub, xs) => oracleSample(sub, xs).get(sub.outputs[0])!));
  }
  return values;
}

/** The oracle over all rows: per node, rows × elements. */
function oracle(net: NetworkModel, inputs: ReadonlyMap<string, FloatInput>): Map<string, Float64Array> {
  const rows = inputs.get(net.inputs[0].name)!.rows;
  const out = new Map<string, Float64Array>();
  for (const n of [...net.inputs, ...net.layers]) out.set(n.name, new Float64Array(rows * size(n.tensor.shape)));
  for (let row = 0; row < rows; row++) {
    const ins = net.inputs.map((i) => {
      const s = size(i.tensor.shape);
      // The model sees float32 inputs: so does the oracle (weights stay float64).
      return { shape: i.tensor.shape, data: Float64Array.from(Float32Array.from(inputs.get(i.name)!.data.subarray(row * s, (row + 1) * s))) };
    });
    for (const [name, v] of oracleSample(net, ins)) out.get(name)!.set(v.data, row * v.data.length);
  }
  return out;
}

/** Per value: |actual − expected| ≤ REL · max(1, |expected|), or relative to the layer's scale when `layerScale`. */
function expectClose(actual: Float32Array, expected: Float64Array, what: string, layerScale = false): void {
  expect(actual.length, what).toBe(expected.length);
  let scale = 1;
  if (layerScale) for (const v of expected) scale = Math.max(scale, Math.abs(v));
  for (let i = 0; i < expected.length; i++) {
    const tol = REL * (layerScale ? scale : Math.max(1, Math.abs(expected[i])));
    if (!(Math.abs(actual[i] - expected[i]) <= tol)) {
      expect.fail(`${what}[${i}]: float32 ${actual[i]} vs float64 ${expected[i]} (difference ${Math.abs(actual[i] - expected[i])}, tolerance ${tol})`);
    }
  }
}

/** Runs the network on seeded inputs and compares every layer with the oracle. */
async function agrees(net: NetworkModel, backend: FloatBackend, rows = 5, range?: (i: NetworkModel['inputs'][number]) => [number, number]): Promise<FloatResult> {
  const inputs = seededInputs(net, rows, 1, range);
  const res = await floatReference(net, inputs, { backend });
  expect(res.backend).toBe(backend);
  expect(res.precision).toBe('float32');
  const want = oracle(net, inputs);
  for (const l of net.layers) {
    const got = res.layers.get(l.name)!;
    expect(got.shape, l.name).toEqual(l.tensor.shape);
    expect(got.rows).toBe(rows);
    expectClose(got.data, want.get(l.name)!, `${net.name}/${l.name}`);
  }
  return res;
}

// ---- hand-computed values -----------------------------------------------------------------------------------------

describe('float reference: hand-computed values', () => {
  const run = async (qnn: string, x: number[], rows = 1) => {
    const net = network(qnn);
    return floatReference(net, new Map([[net.inputs[0].name, { rows, data: Float64Array.from(x) }]]), { backend: 'cpu' });
  };

  it('dense: x·W + b with Keras [in, units] weights', async () => {
    const res = await run(
      `network n {
  input x : data[2]
  fc = dense(x, 3) {
    weight: coef = [[0.5, -0.25, 0], [0.125, 0.75, -1]]
    bias: coef = 0.0625
  } : data
  output fc
}`,
      [1, 2],
    );
    expect([...res.layers.get('fc')!.data]).toEqual([0.8125, 1.3125, -1.9375]);
  });

  it("conv1d 'same' with an even kernel pads after (TF): [1 2 3 4] * [1 10] = [21 32 43 4]", async () => {
    const res = await run(
      `network n {
  input x : data[4, 1]
  c = conv1d(x, 1, 2, padding: same) { weight: data = [[[1]], [[10]]] } : data[4, 1]
  output c
}`,
      [1, 2, 3, 4],
    );
    expect([...res.layers.get('c')!.data]).toEqual([21, 32, 43, 4]);
  });

  it("conv1d 'same' with stride 2 pads one value on each side", async () => {
    // L = 5, k = 3, s = 2: 3 outputs, total padding 2: windows [0 1 2], [2 3 4], [4 5 0] of x = [1 2 3 4 5].
    const res = await run(
      `network n {
  input x : data[5, 1]
  c = conv1d(x, 1, 3, stride: 2, padding: same) { weight: data = [[[1]], [[10]], [[100]]] } : data[3, 1]
  output c
}`,
      [1, 2, 3, 4, 5],
    );
    expect([...res.layers.get('c')!.data]).toEqual([210, 432, 54]);
  });

  it("avgpool1d 'same' divides by the real values only; maxpool ignores the padding", async () => {
    // L = 3, pool 2, stride 2: windows [1 2] and [3 pad] (TF pads after): averages 1.5 and 3, maxima 2 and 3.
    const res = await run(
      `network n {
  input x : data[3, 1]
  a = avgpool1d(x, 2, padding: same) : data[2, 1]
  m = maxpool1d(x, 2, padding: same) : data[2, 1]
  output a, m
}`,
      [1, 2, 3].map((v) => -v),
    );
    expect([...res.layers.get('a')!.data]).toEqual([-1.5, -3]);
    expect([...res.layers.get('m')!.data]).toEqual([-1, -3]);
  });

  it('depthwise_conv1d: output channel c·multiplier + m (Keras order)', async () => {
    // Two channels, multiplier 2, kernel 1: channel 0 → (×1, ×2), channel 1 → (×10, ×20).
    const res = await run(
      `network n {
  input x : data[1, 2]
  d = depthwise_conv1d(x, 1, multiplier: 2) { weight: data = [[[1, 2], [10, 20]]] } : data[1, 4]
  output d
}`,
      [3, 5],
    );
    expect([...res.layers.get('d')!.data]).toEqual([3, 6, 50, 100]);
  });

  it('batchnorm standalone: gamma·(x − mean)/sqrt(variance + epsilon) + beta', async () => {
    const res = await run(
      `network n {
  input x : data[2]
  b = batchnorm(x) {
    gamma: data = [2, 1]
    beta: data = [0.5, -1]
    mean: data = [1, 0]
    variance: data = [3.999, 0.999]
    epsilon: 0.001
  } : data
  output b
}`,
      [3, 4],
    );
    const got = res.layers.get('b')!.data;
    expect(got[0]).toBeCloseTo((2 * (3 - 1)) / 2 + 0.5, 6);
    expect(got[1]).toBeCloseTo(4 - 1, 6);
  });

  it('softmax, sigmoid and tanh are the exact functions (no tables)', async () => {
    const res = await run(
      `network n {
  input x : data[3]
  s = softmax(x) : ufixed<16, 0, TRN, SAT>
  g = sigmoid(x) : ufixed<16, 0, TRN, SAT>
  t = tanh(x) : data
  output s, g, t
}`,
      [0, Math.log(2), Math.log(5)],
    );
    const s = res.layers.get('s')!.data;
    expect(s[0]).toBeCloseTo(1 / 8, 6);
    expect(s[1]).toBeCloseTo(2 / 8, 6);
    expect(s[2]).toBeCloseTo(5 / 8, 6);
    expect(res.layers.get('g')!.data[1]).toBeCloseTo(2 / 3, 6);
    expect(res.layers.get('t')!.data[1]).toBeCloseTo(0.6, 6); // tanh(ln 2) = 3/5
  });
});

// ---- every layer kind against the float64 oracle, on both backends ------------------------------------------------

describe.each(['wasm', 'cpu'] as const)('float reference on %s: every layer kind agrees with float64', (backend) => {
  it('dense over the last axis (rank 1 and rank 2)', async () => {
    await agrees(
      network(`network n {
  input x : data[6]
  input objs : data[4, 3]
  a = dense(x, 5) { weight: coef = random(seed: 1), bias: coef = random(seed: 2, scale: 0.5) } : data
  b = dense(objs, 7) { weight: coef = random(seed: 3), bias: coef = random(seed: 4) } : data[4, 7]
  output a, b
}`),
      backend,
    );
  });

  it('conv1d and conv2d: valid and same padding, strides, rectangular kernels', async () => {
    await agrees(
      network(`network n {
  input s : data[11, 3]
  input img : data[7, 6, 2]
  c1 = conv1d(s, 4, 3) { weight: coef = random(seed: 1), bias: coef = random(seed: 2) } : data[9, 4]
  c2 = conv1d(s, 2, 4, stride: 2, padding: same) { weight: coef = random(seed: 3), bias: coef = random(seed: 4) } : data[6, 2]
  c3 = conv2d(img, 3, [3, 2]) { weight: coef = random(seed: 5), bias: coef = random(seed: 6) } : data[5, 5, 3]
  c4 = conv2d(img, 5, [2, 3], stride: [2, 1], padding: same) { weight: coef = random(seed: 7), bias: coef = random(seed: 8) } : data[4, 6, 5]
  c5 = conv2d(img, 2, 3, stride: 3, padding: same) { weight: coef = random(seed: 9) } : data[3, 2, 2]
  output c1, c2, c3, c4, c5
}`),
      backend,
    );
  });

  it('depthwise_conv1d and depthwise_conv2d with multipliers, strides and padding', async () => {
    await agrees(
      network(`network n {
  input s : data[10, 3]
  input img : data[6, 7, 2]
  d1 = depthwise_conv1d(s, 3, stride: 2, padding: same, multiplier: 2) { weight: coef = random(seed: 1), bias: coef = random(seed: 2) } : data[5, 6]
  d2 = depthwise_conv1d(s, 4) { weight: coef = random(seed: 3) } : data[7, 3]
  d3 = depthwise_conv2d(img, [3, 2], multiplier: 3) { weight: coef = random(seed: 4), bias: coef = random(seed: 5) } : data[4, 6, 6]
  d4 = depthwise_conv2d(img, 3, stride: [1, 2], padding: same) { weight: coef = random(seed: 6), bias: coef = random(seed: 7) } : data[6, 4, 2]
  output d1, d2, d3, d4
}`),
      backend,
    );
  });

  it('max and average pooling, 1-D and 2-D, valid and same, strides different from the pool', async () => {
    await agrees(
      network(`network n {
  input s : data[9, 2]
  input img : data[7, 5, 3]
  m1 = maxpool1d(s, 3) : data[3, 2]
  a1 = avgpool1d(s, 2, padding: same) : data[5, 2]
  m1s = maxpool1d(s, 4, stride: 3, padding: same) : data[3, 2]
  a1s = avgpool1d(s, 3, stride: 2) : data[4, 2]
  m2 = maxpool2d(img) : data[3, 2, 3]
  a2 = avgpool2d(img, [3, 2], stride: [2, 2], padding: same) : data[4, 3, 3]
  m2s = maxpool2d(img, [2, 3], stride: 1, padding: same) : data[7, 5, 3]
  a2v = avgpool2d(img, 3, stride: [1, 2]) : data[5, 2, 3]
  output m1, a1, m1s, a1s, m2, a2, m2s, a2v
}`),
      backend,
    );
  });

  it('global max and average pooling', async () => {
    await agrees(
      network(`network n {
  input s : data[9, 2]
  input img : data[4, 5, 3]
  g1 = global_maxpool1d(s) : data[2]
  g2 = global_avgpool1d(s) : data[2]
  g3 = global_maxpool2d(img) : data[3]
  g4 = global_avgpool2d(img) : data[3]
  output g1, g2, g3, g4
}`),
      backend,
    );
  });

  it('batchnorm folded and standalone (over the last axis)', async () => {
    await agrees(
      network(`network n {
  precision data
  input x : data[5, 4]
  f = batchnorm(x) { scale: coef = random(seed: 1), bias: coef = random(seed: 2) }
  s = batchnorm(x) {
    gamma: data = [1.5, 0.5, 2, 1]
    beta: data = [0.1, -0.2, 0, 0.3]
    mean: data = [0.5, -1, 0, 2]
    variance: data = [0.25, 4, 1, 0.01]
    epsilon: 0.01
  }
  d = batchnorm(x) { gamma: data = [1, 2, 3, 4] }  // Keras defaults: beta 0, mean 0, variance 1, epsilon 0.001
  output f, s, d
}`),
      backend,
    );
  });

  it('activations: relu, relu6, leaky_relu, linear, sigmoid, tanh, softmax over the last axis', async () => {
    await agrees(
      network(`network n {
  input x : data[3, 6]
  r = relu(x)
  r6 = relu6(x)
  lk = leaky_relu(x, 0.1)
  lk3 = leaky_relu(x)  // alpha 0.3
  li = linear(x) : fixed<8, 3, RND, SAT>
  sg = sigmoid(x) : data
  th = tanh(x) : data
  sm = softmax(x) : ufixed<16, 0, TRN, SAT>
  output r, r6, lk, lk3, li, sg, th, sm
}`),
      backend,
      4,
      () => [-9, 9],
    );
  });

  it('add, concat along every axis, flatten and reshape', async () => {
    await agrees(
      network(`network n {
  input a : data[2, 3, 4]
  input b : data[2, 3, 4]
  input c : data[2, 3, 4]
  s2 = add(a, b) : data
  s3 = add(a, b, c) : data
  k0 = concat(a, b, axis: 0) : data[4, 3, 4]
  k1 = concat(a, b, c, axis: 1) : data[2, 9, 4]
  k2 = concat(a, b) : data[2, 3, 8]
  kn = concat(a, c, axis: -2) : data[2, 6, 4]
  f = flatten(k1) : data[72]
  r = reshape(f, [6, -1, 3]) : data[6, 4, 3]
  output s2, s3, k0, kn, r
}`),
      backend,
    );
  });

  it('a network used as a layer runs inline (twice, with two inputs)', async () => {
    const nets = networks(`network block {
  precision data
  input x : data[6]
  input y : data[6]
  s = add(x, y)
  fc = dense(s, 6) { weight: coef = random(seed: 1), bias: coef = random(seed: 2) }
  act = relu(fc)
  output act
}

network outer {
  input p : data[6]
  input q : data[6]
  b1 = block(p, q)
  b2 = block(b1, p)
  out = dense(b2, 2) { weight: coef = random(seed: 3) } : data
  output out
}`);
    const res = await agrees(nets.get('outer')!, backend);
    expect([...res.layers.keys()]).toEqual(['b1', 'b2', 'out']);
  });
});

// ---- every sample network ---------------------------------------------------------------------------------------

function sampleFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((e) => {
    const p = join(dir, e);
    return statSync(p).isDirectory() ? sampleFiles(p) : p.endsWith('.qnn') ? [p] : [];
  });
}

describe('float reference: every sample network', () => {
  const files = sampleFiles(join(import.meta.dirname, '../../samples')).sort();
  const program = checkProgram(files, { fs: nodeFileSystem, parts: partCatalog });
  const nets = [...program.files.values()].filter((f) => files.includes(f.path)).flatMap((f) => [...f.networks.values()].filter((n) => n.path === f.path));

  it('finds the sample networks', () => {
    expect(nets.length).toBeGreaterThanOrEqual(7);
  });

  for (const net of nets) {
    it(`${net.name}: seeded inputs over the input type's range give the right shapes and match float64`, async () => {
      expect(net.complete).toBe(true);
      const rows = 16;
      const inputs = seededInputs(net, rows, 7, (i) => {
        const r = valueRange(i.tensor.type);
        return [r.min, r.max];
      });
      const res = await floatReference(net, inputs, { backend: 'wasm' });
      const want = oracle(net, inputs);
      for (const i of net.inputs) expect(res.inputs.get(i.name)!.shape).toEqual(i.tensor.shape);
      for (const l of net.layers) {
        const got = res.layers.get(l.name)!;
        expect(got.shape).toEqual(l.tensor.shape);
        expect(got.data.length).toBe(rows * size(l.tensor.shape));
        expect(got.data.every(Number.isFinite), l.name).toBe(true);
        expectClose(got.data, want.get(l.name)!, `${net.name}/${l.name}`, true);
      }
      for (const o of net.outputs) expect(res.layers.get(o) ?? res.inputs.get(o)).toBeDefined();
    });
  }
});

// ---- the API: batches, progress, abort, selection, validation -------------------------------------------------------

describe('float reference: API', () => {
  const net = network(`network n {
  input x : data[8]
  fc = dense(x, 4) { weight: coef = random(seed: 1) } : data
  out = softmax(fc) : ufixed<16, 0, TRN, SAT>
  output out
}`);
  const inputs = seededInputs(net, 20);

  it('gives the same results in batches, reporting progress after each', async () => {
    const whole = await floatReference(net, inputs, { backend: 'cpu' });
    const progress: [number, number][] = [];
    const parts = await floatReference(net, inputs, { backend: 'cpu', batchSize: 7, onProgress: (d, t) => progress.push([d, t]) });
    expect(progress).toEqual([
      [7, 20],
      [14, 20],
      [20, 20],
    ]);
    expect(parts.layers.get('out')!.data).toEqual(whole.layers.get('out')!.data);
    expect(parts.inputs.get('x')!.data).toEqual(Float32Array.from(inputs.get('x')!.data));
  });

  it('stops between batches when aborted, with the signal reason', async () => {
    const ctl = new AbortController();
    const run = floatReference(net, inputs, {
      backend: 'cpu',
      batchSize: 5,
      signal: ctl.signal,
      onProgress: (done) => done >= 10 && ctl.abort(new Error('stopped by the user')),
    });
    await expect(run).rejects.toThrow('stopped by the user');
    const pre = new AbortController();
    pre.abort();
    await expect(floatReference(net, inputs, { signal: pre.signal })).rejects.toThrow();
  });

  it('returns only the layers asked for; zero rows give empty results', async () => {
    const res = await floatReference(net, inputs, { backend: 'cpu', layers: ['out'] });
    expect([...res.layers.keys()]).toEqual(['out']);
    expect(res.outputs).toEqual(['out']);
    const empty = await floatReference(net, new Map([['x', { rows: 0, data: new Float64Array(0) }]]), { backend: 'cpu' });
    expect(empty.rows).toBe(0);
    expect(empty.layers.get('out')!.data.length).toBe(0);
  });

  it('rejects wrong inputs with a FloatReferenceError that says what is wrong', async () => {
    const bad = (m: Map<string, FloatInput>, opts = {}) => floatReference(net, m, opts);
    await expect(bad(new Map())).rejects.toThrow(FloatReferenceError);
    await expect(bad(new Map())).rejects.toThrow("No data for input 'x'");
    await expect(bad(new Map([['x', { rows: 2, data: new Float64Array(15) }]]))).rejects.toThrow('has 15 values for 2 samples; each sample has 8 values');
    await expect(bad(new Map([...inputs, ['y', inputs.get('x')!]]))).rejects.toThrow("has no input 'y'");
    await expect(bad(inputs, { layers: ['nope'] })).rejects.toThrow("has no layer 'nope'");
    await expect(bad(inputs, { batchSize: 0 })).rejects.toThrow('batch size');
    const two = network(`network m {
  input a : data[2]
  input b : data[2]
  s = add(a, b) : data
  output s
}`);
    const rowsDiffer = new Map([
      ['a', { rows: 1, data: new Float64Array(2) }],
      ['b', { rows: 2, data: new Float64Array(4) }],
    ]);
    await expect(floatReference(two, rowsDiffer)).rejects.toThrow('different numbers of samples');
  });

  it('refuses a network with errors', async () => {
    const program = checkProgram(['/t/bad.qnn'], {
      fs: memoryFileSystem({ '/t/bad.qnn': `${HEAD}network n {\n  input x : data[4]\n  fc = dense(x, 3) : data\n  output fc\n}\n` }),
    });
    const bad = program.files.get('/t/bad.qnn')!.networks.get('n')!;
    expect(bad.complete).toBe(false);
    await expect(floatReference(bad, new Map([['x', { rows: 1, data: new Float64Array(4) }]]))).rejects.toThrow('has errors');
  });

  it('passes NaN and infinities through as float values', async () => {
    const x = new Float64Array(8).fill(1);
    x[0] = NaN;
    const res = await floatReference(net, new Map([['x', { rows: 1, data: x }]]), { backend: 'cpu' });
    expect(Number.isNaN(res.layers.get('fc')!.data[0])).toBe(true);
  });
});
