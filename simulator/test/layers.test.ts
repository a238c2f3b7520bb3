// Every layer on tiny inputs with hand-computed raws (docs/semantics.md), on both integer paths.
import { describe, expect, it } from 'vitest';
import { fixedType } from '@qnn/language';
import { alphaType } from '../src/index.js';
import { network, raws, runBoth, values } from './helpers.js';

const stages = (o: { stages: readonly { stage: string; wrapped: number; saturated: number; firstSample: number }[] }) =>
  Object.fromEntries(o.stages.map((s) => [s.stage, [s.wrapped, s.saturated, s.firstSample]]));

describe('dense', () => {
  const src = (accum: string) => `
    type d = fixed<8, 4>  // step 1/16, range [-8, 8)
    network n {
      input x : d[2]
      y = dense(x, 2) {
        weight: d = [[4, 1], [4, -1]]
        bias: d = [1, 0]
        accum: ${accum}
      } : d
      output y
    }`;
  it('a WRAP accumulator wraps on the step that leaves its range (1 + 4 + 4 = 9 → -7)', () => {
    const r = runBoth(network(src('fixed<8, 4>')), { x: [[1, 1], [0.5, -0.25]] });
    expect(values(r.outputs.get('y'))).toEqual([-7, 0, 2, 0.75]);
    expect(raws(r.outputs.get('y'))).toEqual([-112, 0, 32, 12]);
    const ov = r.layers.get('y')!.overflow;
    expect([ov.wrapped, ov.saturated, ov.firstSample]).toEqual([1, 0, 0]);
    expect(stages(ov)).toEqual({ accum: [1, 0, 0] });
  });
  it('a SAT accumulator saturates (9 → 7.9375)', () => {
    const r = runBoth(network(src('fixed<8, 4, TRN, SAT>')), { x: [[0.5, -0.25], [1, 1]] });
    expect(values(r.outputs.get('y'))).toEqual([2, 0.75, 7.9375, 0]);
    expect(r.layers.get('y')!.overflow).toEqual({ wrapped: 0, saturated: 1, firstSample: 1, stages: [{ stage: 'accum', wrapped: 0, saturated: 1, firstSample: 1 }] });
  });
  const three = (accum: string) => `
    type d = fixed<8, 4>
    network n {
      input x : d[3]
      y = dense(x, 1) {
        weight: d = [[4], [4], [-4]]
        accum: ${accum}
      } : d
      output y
    }`;
  it('the cast on every step makes the order matter: 4, 8 → 7.9375 (SAT), then 3.9375', () => {
    const r = runBoth(network(three('fixed<8, 4, TRN, SAT>')), { x: [[1, 1, 1], [3, 0, 0]] });
    // Row 1: the product 3·4 = 12 itself saturates when cast to the accumulator.
    expect(raws(r.outputs.get('y'))).toEqual([63, 127]);
    expect(stages(r.layers.get('y')!.overflow)).toEqual({ product: [0, 1, 1], accum: [0, 1, 0] });
  });
  it('with WRAP the two wraps cancel: 4, 8 → -8, -12 → 4', () => {
    const r = runBoth(network(three('fixed<8, 4>')), { x: [[1, 1, 1]] });
    expect(values(r.outputs.get('y'))).toEqual([4]);
    expect(stages(r.layers.get('y')!.overflow)).toEqual({ accum: [2, 0, 0] });
  });
  it('a bias that does not fit the accumulator is counted once per output and sample', () => {
    const net = network(`
      network n {
        input x : fixed<8, 4>[1]
        y = dense(x, 2) {
          weight: fixed<8, 4> = [[1, 1]]
          bias: fixed<8, 6> = [20, 1]
          accum: fixed<8, 4, TRN, SAT>
        } : fixed<8, 4>
        output y
      }`);
    const r = runBoth(net, { x: [[0], [1]] });
    // 20 saturates to 7.9375 in the accumulator; with x = 1 the sum saturates again.
    expect(values(r.outputs.get('y'))).toEqual([7.9375, 1, 7.9375, 2]);
    expect(stages(r.layers.get('y')!.overflow)).toEqual({ bias: [0, 2, 0], accum: [0, 1, 1] });
  });
  it('applies to every row of the last axis, and rounds the result by its mode', () => {
    const net = network(`
      network n {
        input x : fixed<8, 4>[2, 2]
        y = dense(x, 1) {
          weight: fixed<8, 4> = [[0.5], [0.25]]
        } : fixed<6, 4, RND, SAT>
        output y
      }`);
    // Row [1.0625, 0.5]: 0.53125 + 0.125 = 0.65625 → step 0.25: 2.625 steps → 3 → 0.75. Row [-3, 1]: -1.25.
    const r = runBoth(net, { x: [[1.0625, 0.5, -3, 1]] });
    expect(values(r.outputs.get('y'))).toEqual([0.75, -1.25]);
  });
});

describe('conv2d, padding same, stride 2', () => {
  // x[r][c] = 4r + c + 1; filter 0 all ones, filter 1 = 3·ky + kx. Out 2×2; pad_total = (2-1)·2 + 3 - 4 = 1, so no
  // padding before and one row/column after (TensorFlow).
  const net = network(`
    network n {
      input x : int<16>[4, 4, 1]
      y = conv2d(x, 2, 3, stride: 2, padding: same) {
        weight: int<8> = [
          [[[1, 0]], [[1, 1]], [[1, 2]]],
          [[[1, 3]], [[1, 4]], [[1, 5]]],
          [[[1, 6]], [[1, 7]], [[1, 8]]]
        ]
        accum: int<32>
      } : int<32>[2, 2, 2]
      output y
    }`);
  it('gives the hand-computed sums', () => {
    const x = Array.from({ length: 16 }, (_, i) => i + 1);
    const r = runBoth(net, { x: [x] });
    expect(raws(r.outputs.get('y'))).toEqual([54, 294, 45, 207, 72, 202, 54, 121]);
  });
});

describe('pooling', () => {
  it('maxpool2d 2×2', () => {
    const net = network(`network n { input x : int<8>[4, 4, 1]  y = maxpool2d(x)  output y }`);
    const r = runBoth(net, { x: [Array.from({ length: 16 }, (_, i) => i + 1)] });
    expect(raws(r.outputs.get('y'))).toEqual([6, 8, 14, 16]);
  });
  it('maxpool1d with padding same ignores the padding (all values negative)', () => {
    const net = network(`network n { input x : int<8>[5, 1]  y = maxpool1d(x, 3, padding: same)  output y }`);
    const r = runBoth(net, { x: [[-5, -3, -4, -9, -1]] });
    expect(raws(r.outputs.get('y'))).toEqual([-3, -1]);
  });
  it('avgpool1d divides by the valid taps (7/3 and 15/2), rounding once by the result mode', () => {
    const src = (t: string) => `network n { input x : int<8>[5, 1]  y = avgpool1d(x, 3, padding: same) : ${t}  output y }`;
    const x = { x: [[1, 2, 4, 7, 8]] };
    expect(values(runBoth(network(src('fixed<8, 6, RND>')), x).outputs.get('y'))).toEqual([2.25, 7.5]);
    expect(values(runBoth(network(src('fixed<8, 8, RND_CONV>')), x).outputs.get('y'))).toEqual([2, 8]);
    expect(values(runBoth(network(src('fixed<8, 8>')), x).outputs.get('y'))).toEqual([2, 7]);
    expect(values(runBoth(network(src('fixed<8, 8, RND_ZERO>')), { x: [[-1, -2, -4, -7, -8]] }).outputs.get('y'))).toEqual([-2, -7]);
  });
  it('an avgpool accumulator that is too narrow wraps (100 + 100 in int<8>)', () => {
    const net = network(`network n { input x : int<8>[2, 1]  y = avgpool1d(x) { accum: int<8> } : int<8>  output y }`);
    const r = runBoth(net, { x: [[100, 100]] });
    expect(raws(r.outputs.get('y'))).toEqual([-28]);
    expect(stages(r.layers.get('y')!.overflow)).toEqual({ accum: [1, 0, 0] });
  });
  it('global average and max pooling', () => {
    const net = network(`
      network n {
        input x : fixed<8, 4>[2, 2, 2]
        a = global_avgpool2d(x) : fixed<10, 4, RND>
        m = global_maxpool2d(x)
        output a, m
      }`);
    // Channel 0: 1, 2, 3, 5 → 11/4 = 2.75; channel 1: -1, 0.5, 0.25, 0.0625 → -0.1875/4 = -0.046875 → step 1/64: -3.
    const r = runBoth(net, { x: [[1, -1, 2, 0.5, 3, 0.25, 5, 0.0625]] });
    expect(values(r.outputs.get('a'))).toEqual([2.75, -3 / 64]);
    expect(values(r.outputs.get('m'))).toEqual([5, 0.5]);
  });
});

describe('activations', () => {
  it('relu, with a result cast that saturates', () => {
    const net = network(`network n { input x : fixed<8, 4>[4]  y = relu(x) : ufixed<4, 2, TRN, SAT>  output y }`);
    const r = runBoth(net, { x: [[-1.5, 0, 2.25, 4.5]] });
    expect(values(r.outputs.get('y'))).toEqual([0, 0, 2.25, 3.75]);
    expect(stages(r.layers.get('y')!.overflow)).toEqual({ result: [0, 1, 0] });
  });
  it('relu6: x ≥ 6 gives the constant 6 in the result type', () => {
    const net = network(`
      network n {
        input x : fixed<8, 4>[4]
        y = relu6(x)
        z = relu6(x) : ufixed<4, 2, TRN, SAT>
        output y, z
      }`);
    const r = runBoth(net, { x: [[7, 6, 5.9375, -1]] });
    expect(values(r.outputs.get('y'))).toEqual([6, 6, 5.9375, 0]);
    expect(values(r.outputs.get('z'))).toEqual([3.75, 3.75, 3.75, 0]);
    expect(stages(r.layers.get('z')!.overflow)).toEqual({ result: [0, 3, 0] });
  });
  it('leaky_relu: alpha 0.3 is fixed<17,1,RND,SAT> raw 19661; -1 · alpha floors to -308/1024', () => {
    const net = network(`network n { input x : fixed<8, 4>[2]  y = leaky_relu(x, 0.3) : fixed<16, 6>  output y }`);
    const r = runBoth(net, { x: [[-1, 2]] });
    expect(raws(r.outputs.get('y'))).toEqual([-308, 2048]);
  });
  it('the type of alpha holds it with 16 fractional bits', () => {
    expect(alphaType(0.3)).toEqual(fixedType(true, 17, 1, 'RND', 'SAT'));
    expect(alphaType(-0.99)).toEqual(fixedType(true, 17, 1, 'RND', 'SAT'));
    expect(alphaType(1)).toEqual(fixedType(true, 18, 2, 'RND', 'SAT'));
    expect(alphaType(-1.5)).toEqual(fixedType(true, 18, 2, 'RND', 'SAT'));
    expect(alphaType(2)).toEqual(fixedType(true, 19, 3, 'RND', 'SAT'));
    expect(alphaType(0)).toEqual(fixedType(true, 17, 1, 'RND', 'SAT'));
  });
  it('linear casts with the result modes', () => {
    const src = (t: string) => `network n { input x : fixed<8, 4>[1]  y = linear(x) : ${t}  output y }`;
    expect(values(runBoth(network(src('fixed<6, 3, RND, SAT>')), { x: [[1.5625]] }).outputs.get('y'))).toEqual([1.625]);
    expect(values(runBoth(network(src('fixed<6, 3, RND_CONV, SAT>')), { x: [[1.5625]] }).outputs.get('y'))).toEqual([1.5]);
  });
  it('sigmoid table: index trunc(x·N/16) + N/2 at the boundaries (N = 16)', () => {
    const net = network(`network n { input x : fixed<16, 6>[10]  y = sigmoid(x) { table: 16 } : fixed<18, 8>  output y }`);
    // Indices: 0, 0, 0, 7 (trunc(-1.5) = -1), 8 (trunc(-0.5) = 0, toward zero), 8, 8, 15, 15, 15.
    const r = runBoth(net, { x: [[-9, -8.5, -8, -1.5, -0.5, 0, 0.5, 8191 / 1024, 8, 20]] });
    // Entries floor(sigmoid(i - 8) · 1024): i = 0 → 0, 7 → 275, 8 → 512, 15 → 1023.
    expect(raws(r.outputs.get('y'))).toEqual([0, 0, 0, 275, 512, 512, 512, 1023, 1023, 1023]);
  });
  it('tanh table: index trunc(x·N/8) + N/2 (N = 16), entries rounded by the table type', () => {
    const net = network(`network n { input x : fixed<16, 6>[4]  y = tanh(x) { table: 16 } : fixed<18, 8>  output y }`);
    // Indices: trunc(0.5) + 8 = 8, trunc(1) + 8 = 9, trunc(-1.5) + 8 = 7, 18 → 15. Entries floor(tanh((i - 8)/2) · 1024).
    const r = runBoth(net, { x: [[0.25, 0.5, -0.75, 5]] });
    expect(raws(r.outputs.get('y'))).toEqual([0, 473, -474, 1022]);
  });
});

describe('softmax', () => {
  it('stable, N = 8: exp index floor(-(x - max)·N/8), exact sum, reciprocal index floor(S·N/R)', () => {
    const net = network(`network n { input x : fixed<8, 4>[3]  p = softmax(x) { table: 8 } : ufixed<16, 0, TRN, SAT>  output p }`);
    // E = [621, 228, 84] (exp(-0.5), exp(-1.5), exp(-2.5) at 2^-10, RND); S = 933; R = 2 (3·621 ≤ 2·1024);
    // j = floor(933 / 256) = 3; V[3] = 1 / (3.5 · 2 / 8) → 1170; p = e · 1170 >> 4 (TRN).
    // Equal inputs: S = 1863, j = 7, V[7] = 1 / (7.5 · 2 / 8) → 546, p = 621 · 546 >> 4 = 21191.
    const r = runBoth(net, { x: [[0, -1, -2], [1, 1, 1]] });
    expect(raws(r.outputs.get('p'))).toEqual([45410, 16672, 6142, 21191, 21191, 21191]);
    expect(r.layers.get('p')!.constOverflows).toBe(0);
  });
  it('latency, N = 8: exp index floor(x·N/16) + N/2; the saturated entries count as constant overflows', () => {
    const net = network(`
      network n {
        input x : fixed<8, 4>[2]
        p = softmax(x) { table: 8  implementation: latency } : ufixed<16, 0, TRN, SAT>
        output p
      }`);
    // Indices 4 and 3: E[4] = e^1 → 2784, E[3] = e^-1 → 377; E[6] = e^5 and E[7] = e^7 saturate at 131071, so
    // R = 2^8 (2 · 131071 ≤ 2^18 at 2^-10); j = floor(3161 · 8 / 2^18) = 0; V[0] = 1 / (0.5 · 256 / 8) → 64.
    const r = runBoth(net, { x: [[0.5, -0.5]] });
    expect(raws(r.outputs.get('p'))).toEqual([11136, 1508]);
    expect(r.layers.get('p')!.constOverflows).toBe(2);
  });
});

describe('batchnorm', () => {
  it('folded: cast(x · scale + bias), exact inside', () => {
    const net = network(`
      network n {
        input x : fixed<8, 4>[2]
        y = batchnorm(x) {
          scale: fixed<8, 4> = [2, -0.5]
          bias: fixed<8, 4> = [0.25, 1]
        } : fixed<6, 4, RND>
        output y
      }`);
    // 1.0625 · 2 + 0.25 = 2.375 → step 0.25: 9.5 → 10 → 2.5; 1 · -0.5 + 1 = 0.5.
    expect(values(runBoth(net, { x: [[1.0625, 1]] }).outputs.get('y'))).toEqual([2.5, 0.5]);
  });
  it('standalone: folded in binary64, scale in the type of gamma, offset in the type of beta', () => {
    const net = network(`
      network n {
        input x : fixed<16, 6>[1]
        y = batchnorm(x) {
          gamma: fixed<16, 4> = [2]
          beta: fixed<16, 4> = [0.5]
          mean: fixed<16, 4> = [1]
          variance: fixed<16, 4> = [0.96]
          epsilon: 0.04
        } : fixed<16, 6>
        output y
      }`);
    // variance → 3932 / 4096; s = 2 / sqrt(3932/4096 + 0.04) = 2.0000391 → 8192 (2.0); o = 0.5 - 1 · 2.0000391 → -6145
    // at 2^-12; y = 3 · 2 - 6145/4096 = 4.49976 → 4607 at 2^-10 (TRN).
    expect(raws(runBoth(net, { x: [[3]] }).outputs.get('y'))).toEqual([4607]);
  });
});

describe('merges and shapes', () => {
  it('add: the exact sum of differently typed inputs, then one cast', () => {
    const net = network(`
      network n {
        input a : fixed<8, 4>[2]
        input b : ufixed<8, 2>[2]
        s = add(a, b) : fixed<8, 4, TRN, SAT>
        output s
      }`);
    const r = runBoth(net, { a: [[7.5, -2.5]], b: [[3.25, 0.015625]] });
    expect(values(r.outputs.get('s'))).toEqual([7.9375, -2.5]);
    expect(stages(r.layers.get('s')!.overflow)).toEqual({ result: [0, 1, 0] });
  });
  it('concat interleaves along the last axis; a value that does not fit wraps', () => {
    const net = network(`
      network n {
        input a : fixed<8, 4>[2, 1]
        input b : fixed<8, 6>[2, 2]
        c = concat(a, b) : fixed<8, 4>[2, 3]
        output c
      }`);
    const r = runBoth(net, { a: [[1, 2]], b: [[3, 4, 5, 10]] });
    expect(values(r.outputs.get('c'))).toEqual([1, 3, 4, 2, 5, -6]);
    expect(stages(r.layers.get('c')!.overflow)).toEqual({ result: [1, 0, 0] });
  });
  it('concat along axis 0', () => {
    const net = network(`
      network n {
        input a : int<8>[1, 2]
        input b : int<8>[2, 2]
        c = concat(a, b, axis: 0) : int<8>[3, 2]
        output c
      }`);
    expect(raws(runBoth(net, { a: [[1, 2]], b: [[3, 4, 5, 6]] }).outputs.get('c'))).toEqual([1, 2, 3, 4, 5, 6]);
  });
  it('flatten keeps the values; reshape casts when the result type differs', () => {
    const net = network(`
      network n {
        input x : fixed<8, 4>[2, 2]
        f = flatten(x)
        r = reshape(x, [4]) : fixed<6, 2, RND, SAT>
        output f, r
      }`);
    const r = runBoth(net, { x: [[1.03125 * 2, -0.5, 3, 1.5]] });
    expect(values(r.outputs.get('f'))).toEqual([2.0625, -0.5, 3, 1.5]);
    expect(values(r.outputs.get('r'))).toEqual([1.9375, -0.5, 1.9375, 1.5]);
    expect(stages(r.layers.get('r')!.overflow)).toEqual({ result: [0, 2, 0] });
  });
});

describe('a network used as a layer', () => {
  const src = `
    network block {
      input x : fixed<8, 4>[2]
      y = dense(x, 2) {
        weight: fixed<8, 4> = [[1, 0], [0, -1]]
        accum: fixed<8, 4>
      } : fixed<8, 4>
      output y
    }
    network outer {
      input a : fixed<12, 6>[2]
      b1 = block(a)
      b2 = block(b1)
      output b2
    }`;
  it('runs inline; its inputs are cast to the called network input type', () => {
    const r = runBoth(network(src, 'outer'), { a: [[10, 1.25]] });
    // 10 does not fit fixed<8,4>: it wraps to -6 on the way in. b1 = [-6, -1.25], b2 = [-6, 1.25].
    expect(values(r.layers.get('b1')!.tensor)).toEqual([-6, -1.25]);
    expect(values(r.outputs.get('b2'))).toEqual([-6, 1.25]);
    expect(stages(r.layers.get('b1')!.overflow)).toEqual({ input: [1, 0, 0] });
    expect(r.layers.get('b2')!.overflow.firstSample).toBeUndefined();
    const inner = r.layers.get('b1')!.network!;
    expect(inner.network).toBe('block');
    expect(values(inner.layers.get('y')!.tensor)).toEqual([-6, -1.25]);
  });
});
