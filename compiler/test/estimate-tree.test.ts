// The adder trees of the Verilog backend (backends/verilog/arith.ts sumTree: every node an instance of a kept adder
// module of its width) and the estimator's replay of them (estimate/features.ts Acc.tree) must agree node for node:
// the estimate's `treeBits` is the Σ of the adder widths that the generated Verilog instantiates. Seeded random dense
// layers over the cases that shape a tree: data and weight widths (narrow inputs are tables, not trees), fractional
// alignments (known-zero low bits), sparsity, negative weights (subtracted), exact, saturating and wrapping
// accumulators, biases.
import { describe, expect, it } from 'vitest';
import { isValidReuse, type NetworkModel } from '@qnn/language';
import { generateVerilog, networkFeatures } from '../src/index.js';
import { prng } from '../../language/test/prng.js';
import { load } from './load.js';

/** Σ of the widths of the adder and subtractor instances in the generated Verilog (tree), and of the subtractors'. */
function instancedBits(net: NetworkModel): { tree: number; sub: number } {
  const text = [...generateVerilog(net).files.values()].join('\n');
  let tree = 0;
  let sub = 0;
  for (const m of text.matchAll(/^ {2}qnn_n_(add|sub)(\d+) u_/gm)) {
    tree += Number(m[2]);
    if (m[1] === 'sub') sub += Number(m[2]);
  }
  return { tree, sub };
}

/** The estimate's treeBits and subBits equal the Verilog's instances' widths. */
function expectInstanced(net: NetworkModel, f: { treeBits: number; subBits: number }, source: string): void {
  expect({ tree: f.treeBits, sub: f.subBits }, source).toEqual(instancedBits(net));
}

function randomDense(seed: number, part: string): string {
  const r = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  const xw = pick([5, 7, 8, 10, 12, 16]);
  const xi = 1 + Math.floor(r() * (xw - 1));
  const ww = pick([3, 4, 6, 8]);
  const wi = 1 + Math.floor(r() * ww);
  const aw = pick([12, 16, 20, 24]);
  const ai = Math.min(aw, xi + wi + pick([-2, 0, 3]));
  const mode = pick(['SAT', 'WRAP']);
  const quant = pick(['TRN', 'RND']);
  const C = 2 + Math.floor(r() * 10);
  const O = 1 + Math.floor(r() * 5);
  const sparsity = pick([0, 0.3, 0.7]);
  return `target ${part} clock 10ns
network n {
  io parallel
  input x : fixed<${xw}, ${xi}>[${C}]
  d = dense(x, ${O}) {
    weight: fixed<${ww}, ${wi}> = random(seed: ${seed}, sparsity: ${sparsity})
    bias: fixed<${ww}, ${wi}> = random(seed: ${seed + 1})
    accum: fixed<${aw}, ${ai}, ${quant}, ${mode}>
  } : fixed<${aw}, ${ai}>
  output d
}
`;
}

function randomPool(seed: number): string {
  const r = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  const xw = pick([4, 6, 8, 12]);
  const xi = 1 + Math.floor(r() * (xw - 1));
  const extra = pick([0, 1, 3]);
  const frac = pick([0, 2]);
  const L = pick([4, 6, 8, 9]);
  const pool = pick([2, 3, 4, 0]);
  const layer = pool === 0 ? 'global_avgpool1d(x)' : `avgpool1d(x, ${pool})`;
  return `target ice40up5k clock 10ns
network n {
  io parallel
  input x : fixed<${xw}, ${xi}>[${L}, 2]
  p = ${layer} { accum: fixed<${xw + extra + frac}, ${xi + extra}, TRN, ${pick(['SAT', 'WRAP'])}> } : fixed<${xw}, ${xi}>
  output p
}
`;
}

/** A convolution or depthwise convolution (1-D or 2-D, valid or same padding, strides, multipliers) over random weights. */
function randomConv(seed: number, depthwise: boolean): string {
  const r = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  const xw = pick([5, 8, 10, 12]);
  const xi = 1 + Math.floor(r() * (xw - 1));
  const ww = pick([4, 6, 8]);
  const wi = 1 + Math.floor(r() * ww);
  const aw = pick([14, 18, 24]);
  const ai = Math.min(aw, xi + wi + pick([-1, 1, 3]));
  const two = r() < 0.5;
  const k = pick([2, 3]);
  const C = pick([1, 2, 3]);
  const L = pick([5, 6, 8]);
  const shape = two ? `[${L}, ${L - 1}, ${C}]` : `[${L}, ${C}]`;
  const op = `${depthwise ? 'depthwise_' : ''}conv${two ? '2d' : '1d'}`;
  const args = [...(depthwise ? [] : [`${pick([1, 2, 3])}`]), `${k}`, `stride: ${pick([1, 1, 2])}`, `padding: ${pick(['valid', 'same'])}`, ...(depthwise ? [`multiplier: ${pick([1, 2])}`] : [])].join(', ');
  return `target ice40up5k clock 10ns
network n {
  io parallel
  input x : fixed<${xw}, ${xi}>${shape}
  d = ${op}(x, ${args}) {
    weight: fixed<${ww}, ${wi}> = random(seed: ${seed}, sparsity: ${pick([0, 0.3])})
    bias: fixed<${ww}, ${wi}> = random(seed: ${seed + 1})
    accum: fixed<${aw}, ${ai}, ${pick(['TRN', 'RND'])}, ${pick(['SAT', 'WRAP'])}>
  } : fixed<${aw}, ${ai}>
  output d
}
`;
}

/**
 * A dense layer at reuse R > 1 (a valid reuse of its C · O terms): an accumulator wide enough for an exact chain (the
 * phase sums are the layer's shared segment tree over the multipliers, mac.ts macReuse) or a narrow saturating one.
 */
function randomDenseReuse(seed: number, part: string): string {
  const r = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  const xw = pick([5, 8, 10, 12]);
  const xi = 1 + Math.floor(r() * (xw - 1));
  const ww = pick([3, 4, 6, 8]);
  const wi = 1 + Math.floor(r() * ww);
  const C = 2 + Math.floor(r() * 14);
  const O = 1 + Math.floor(r() * 6);
  const reuses = Array.from({ length: C * O }, (_, i) => i + 1).filter((R) => R > 1 && isValidReuse(C, O, R));
  const R = reuses.length ? pick(reuses) : 1;
  const wide = r() < 0.7;
  const aw = wide ? xw + ww + 5 : pick([8, 10]);
  const ai = wide ? xi + wi + 5 : Math.min(aw, xi + wi - 1);
  return `target ${part} clock 10ns
network n {
  io parallel
  input x : fixed<${xw}, ${xi}>[${C}]
  d = dense(x, ${O}) {
    weight: fixed<${ww}, ${wi}> = random(seed: ${seed}, sparsity: ${pick([0, 0.3, 0.6])})
    bias: fixed<${ww}, ${wi}> = random(seed: ${seed + 1})
    accum: fixed<${aw}, ${ai}, ${pick(['TRN', 'RND'])}, ${pick(['SAT', 'WRAP'])}>
    reuse: ${R}
  } : fixed<${aw}, ${ai}>
  output d
}
`;
}

describe('sum trees: the estimate counts the adders the Verilog instantiates', () => {
  // Reuse R > 1: exact chains add each phase's chunk from the layer's segment tree over the shared multipliers'
  // outputs (nodes built once), a chain that can overflow adds term by term (no adder instances).
  it('dense layers at reuse > 1: 60 seeded random layers (exact and saturating chains)', () => {
    let checked = 0;
    for (let seed = 1; seed <= 60; seed++) {
      const source = randomDenseReuse(seed * 6271, seed % 2 ? 'xc7a100t' : 'ice40up5k');
      const net = load(source);
      const f = networkFeatures(net, { part: seed % 2 ? 'xc7a100t' : 'ice40up5k' }).features;
      expectInstanced(net, f, source);
      if (f.treeBits > 0) checked++;
    }
    expect(checked).toBeGreaterThan(25);
  });

  // Windows at the borders of same padding have fewer taps (their own trees), and overlapping windows that read a
  // pixel through equal weights share its product (the backend builds one per input value and weight).
  for (const depthwise of [false, true]) {
    it(`${depthwise ? 'depthwise convolutions' : 'convolutions'}: 40 seeded random layers (valid and same padding, strides${depthwise ? ', multipliers' : ''})`, () => {
      let checked = 0;
      for (let seed = 1; seed <= 40; seed++) {
        const source = randomConv(seed * 15485863, depthwise);
        const net = load(source);
        const f = networkFeatures(net, { part: 'ice40up5k' }).features;
        expectInstanced(net, f, source);
        if (f.treeBits > 0) checked++;
      }
      expect(checked).toBeGreaterThan(25);
    });
  }
  it('average pooling: 40 seeded random layers (one adder per tap after the first)', () => {
    let checked = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const source = randomPool(seed * 104729);
      const net = load(source);
      const f = networkFeatures(net, { part: 'ice40up5k' }).features;
      expectInstanced(net, f, source);
      if (f.treeBits > 0) checked++;
    }
    expect(checked).toBeGreaterThan(30);
  });
  for (const part of ['ice40up5k', 'xc7a100t']) {
    it(`on ${part}: 60 seeded random dense layers`, () => {
      let checked = 0;
      let subtracting = 0;
      for (let seed = 1; seed <= 60; seed++) {
        const source = randomDense(seed * 7919, part);
        const net = load(source);
        const f = networkFeatures(net, { part }).features;
        expectInstanced(net, f, source);
        if (f.treeBits > 0) checked++;
        if (f.subBits > 0) subtracting++;
      }
      // Most layers have trees (a layer of one term or narrow inputs may have none), many with a subtractor.
      expect(checked).toBeGreaterThan(40);
      expect(subtracting).toBeGreaterThan(20);
    });
  }
});
