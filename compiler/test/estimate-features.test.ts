// The structural features the cost tables weigh (compiler/src/estimate/features.ts), on small networks whose synthesis
// is known: products of inputs no wider than a LUT are tables, ROMs cost by their content, constants fold away, the
// reuse multiplexers count distinct inputs, and the stage paths carry the wrapper and compare-select flags that the
// fmax model fits.
import { describe, expect, it } from 'vitest';
import { computeEstimate, generateVerilog, networkFeatures } from '../src/index.js';
import { productLuts, romCellsOf, romLutsOf } from '../src/estimate/features.js';
import { load } from './load.js';

/** A dense layer of two inputs and three outputs; weights 0.375 = 2^-1 − 2^-3 (two CSD digits) and 0.75. */
const dense = (x: string) => `target xc7a100t clock 10ns
network n {
  io parallel
  input x : ${x}[2]
  d = dense(x, 3) {
    weight: fixed<8, 3> = [[0.375, 0.75, 0.375], [0.75, 0.375, 0.75]]
    accum: fixed<20, 8>
  } : fixed<20, 8>
  output d
}
`;

describe('products of narrow inputs', () => {
  it('cost what yosys builds for each one alone (product-luts.json), once per input and weight', () => {
    // Raws 12 and 24 (F = 5) are 3 · 2^2 and 3 · 2^3: the same digits shifted, so each costs what x · 3 does; the two
    // inputs meet both raws: four products.
    for (const [part, flow] of [['xc7a100t', 'xc7'], ['ice40up5k', 'ice40']] as const) {
      const f = networkFeatures(load(dense('fixed<4, 2>')), { part }).features;
      expect(productLuts(flow, 4, 3)).toBeGreaterThan(0);
      expect(f.prodLuts).toBe(4 * productLuts(flow, 4, 3)!);
      expect(f.tableBits).toBe(0);
      // A 6-bit input is written as one expression too, on both flows.
      expect(networkFeatures(load(dense('fixed<6, 2>')), { part }).features.prodLuts).toBe(4 * productLuts(flow, 6, 3)!);
    }
    // A wider input's products are trees of adder instances over shifted copies, and so are the sums.
    const wide = networkFeatures(load(dense('fixed<8, 3>')), { part: 'ice40up5k' }).features;
    expect(wide.prodLuts).toBe(0);
    expect(wide.treeBits).toBeGreaterThan(0);
  });
  it('are carry chains on the stage path (yosys maps their adders before abc), not a LUT level of a table', () => {
    const src = (w: number) => `target xc7a100t clock 10ns
network n {
  io parallel
  input x : fixed<4, 4>[1]
  d = dense(x, 1) { weight: fixed<8, 8> = [[${w}]] } : fixed<12, 12>
  output d
}
`;
    // x · 5 = 4x + x: one carry chain. x · 3 = 4x − x: SB_CARRY cannot invert x, so ~x is a LUT level before it.
    const add = networkFeatures(load(src(5)), { part: 'ice40up5k' }).critical;
    expect(add.adders).toBe(1);
    expect(add.levels).toBe(0);
    const sub = networkFeatures(load(src(3)), { part: 'ice40up5k' }).critical;
    expect(sub.adders).toBe(1);
    expect(sub.levels).toBe(1);
  });
  it('looks weights up by their odd part, and knows nothing outside the measured range', () => {
    expect(productLuts('xc7', 5, 3 * 16)).toBe(productLuts('xc7', 5, 3));
    expect(productLuts('ice40', 5, -11 * 4)).toBe(productLuts('ice40', 5, -11));
    expect(productLuts('xc7', 5, 257)).toBeUndefined();
    expect(productLuts('xc7', 7, 3)).toBeUndefined();
  });
  it('prices a lone negated product as the product by the negative weight (alumacc merges the negation)', () => {
    // One term per output: d0 = −5 · x0, d1 = 5 · x1. The backend builds x · 5 and negates it; yosys merges the two.
    const src = `target xc7a100t clock 10ns
network n {
  io parallel
  input x : fixed<4, 4>[2]
  d = dense(x, 2) { weight: fixed<8, 8> = [[-5, 0], [0, 5]] } : fixed<12, 12>
  output d
}
`;
    for (const [part, flow] of [['xc7a100t', 'xc7'], ['ice40up5k', 'ice40']] as const) {
      const f = networkFeatures(load(src), { part }).features;
      expect(f.prodLuts).toBe(productLuts(flow, 4, -5)! + productLuts(flow, 4, 5)!);
      expect(f.negBits).toBe(0);
    }
  });
});

describe('ROM cells by content', () => {
  const table = (f: (i: number) => number, n: number) => Array.from({ length: n }, (_, i) => BigInt(f(i)));
  it('costs nothing for a constant table', () => {
    expect(romCellsOf(table(() => 5, 128), 4, 'xc7')).toBe(0);
  });
  it('counts the blocks where a bit varies, and a multiplexer over the blocks where it varies at all', () => {
    // One bit, a step at entry 64 of 128: both 64-entry blocks are constant, a LUT selects between them.
    expect(romCellsOf(table((i) => (i >= 64 ? 1 : 0), 128), 1, 'xc7')).toBe(1);
    // A step at entry 32: the first block varies (one LUT6), plus the multiplexer.
    expect(romCellsOf(table((i) => (i >= 32 ? 1 : 0), 128), 1, 'xc7')).toBe(2);
    // iCE40: 16-entry blocks, 2:1 multiplexers; a step at a block boundary is the tree's root multiplexer alone.
    expect(romCellsOf(table((i) => (i >= 64 ? 1 : 0), 128), 1, 'ice40')).toBe(1);
  });
  it('costs one LUT per varying output bit when the reachable entries fit one LUT (64 on xc7, 16 on iCE40)', () => {
    // 3 output bits; bit 0 alternates, bit 1 is constant 1, bit 2 steps at entry 8.
    const t = table((i) => (i & 1) | 2 | (i >= 8 ? 4 : 0), 128);
    expect(romLutsOf(t, 3, 'xc7', 0, 63)).toBe(2);
    expect(romLutsOf(t, 3, 'ice40', 0, 15)).toBe(2);
    // Every other entry of 0 … 30: bit 0 is constant too.
    expect(romLutsOf(t, 3, 'ice40', 0, 30, 2)).toBe(1);
    // More entries than a LUT tells apart: the block model (romCellsOf) applies.
    expect(romLutsOf(t, 3, 'xc7', 0, 64)).toBeUndefined();
    expect(romLutsOf(t, 3, 'ice40', 0, 16)).toBeUndefined();
  });
  it('treats unreachable entries as don’t-cares', () => {
    const t = table((i) => i & 1, 128);
    expect(romCellsOf(t, 1, 'xc7')).toBe(3);
    // Only entries 0 … 63 reachable: one block, no multiplexer; every other entry: the bit is constant.
    expect(romCellsOf(t, 1, 'xc7', 0, 63)).toBe(1);
    expect(romCellsOf(t, 1, 'xc7', 0, 127, 2)).toBe(0);
  });
  it('read every step-th entry is a function of the index bits above the step (blind c181)', () => {
    // A 256-entry table read at 0, 4, …, 252 (an input with 2 fractional bits fewer than the table resolves) is a
    // table of 64 entries: on iCE40 4 blocks of 16 per bit, not 16 blocks of 4 reachable entries.
    const t = table((i) => Math.round(255 / (1 + Math.exp(-(i - 128) / 32))), 256);
    const packed = Array.from({ length: 64 }, (_, p) => t[4 * p]);
    for (const flow of ['ice40', 'xc7'] as const) expect(romCellsOf(t, 8, flow, 0, 252, 4), flow).toBe(romCellsOf(packed, 8, flow));
    expect(romCellsOf(t, 8, 'ice40', 0, 252, 4)).toBeLessThanOrEqual(8 * (4 + 3));
  });
  it('selects among blocks through a tree in which a subtree of one constant needs no multiplexer', () => {
    // A threshold (the high bit of a monotone function) over 256 entries on iCE40: 16 blocks of 16, one of which
    // varies; the path to it is a multiplexer per level of the binary tree (4), not one per block (15).
    const t = table((i) => (i >= 100 ? 1 : 0), 256);
    expect(romCellsOf(t, 1, 'ice40')).toBe(1 + 4);
    // A bit that varies in every block needs every multiplexer.
    expect(romCellsOf(table((i) => i & 1, 256), 1, 'ice40')).toBe(16 + 15);
  });
});

describe('ROM reads in networks', () => {
  const act = (x: string, table: number) => `target xc7a100t clock 10ns
network n {
  io parallel
  input x : ${x}[2]
  s = tanh(x) { table: ${table} } : fixed<8, 1, RND, SAT>
  output s
}
`;
  it('a table read by a 4-bit input is one LUT per varying bit and one LUT level, not a ROM of the whole table', () => {
    for (const part of ['xc7a100t', 'ice40up5k']) {
      const { features, critical } = networkFeatures(load(act('fixed<4, 3>', 64)), { part });
      expect(features.romLuts, part).toBeGreaterThan(0);
      expect(features.romLuts, part).toBeLessThanOrEqual(2 * 8);
      expect(features.romBits, part).toBe(0);
      expect(critical.roms, part).toBe(0);
    }
    // A 10-bit input reaches the whole 1024-entry table: the block model and a ROM on the path.
    const wide = networkFeatures(load(act('fixed<10, 3>', 1024)), { part: 'ice40up5k' });
    expect(wide.features.romLuts).toBe(0);
    expect(wide.features.romBits).toBeGreaterThan(0);
    expect(wide.critical.roms).toBe(1);
  });
  it('whose index rounds pass a carry chain before the table (romInc): t11 against t13', () => {
    // t11: x has 11 fractional bits, the 128-entry tanh index 4: the cast toward zero drops 7 bits, an increment.
    // t13: 4 fractional bits, the 256-entry index 5: x scaled up, no increment, one cone of the register bits.
    const t11 = networkFeatures(load(act('fixed<16, 5, TRN, SAT>', 128)), { part: 'ice40up5k' }).critical;
    expect(t11.adders).toBe(1);
    expect(t11.romInc).toBe(1);
    const t13 = networkFeatures(load(act('fixed<9, 5, RND>', 256)), { part: 'ice40up5k' }).critical;
    expect(t13.adders).toBe(0);
    expect(t13.romInc).toBe(0);
  });
  it('through a clamped index count the table over the index before the clamp in romIdxBits; a slice or a rounded x does not', () => {
    const sg = (x: string) => `target xc7a100t clock 10ns
network n {
  io parallel
  input x : ${x}[1]
  s = sigmoid(x) { table: 256 } : ufixed<8, 0, RND, SAT>
  output s
}
`;
    for (const [part, perCell] of [['xc7a100t', 64], ['ice40up5k', 16]] as const) {
      // fixed<8, 4>: the index x · 16 + 128 is x's bits with the sign inverted. fixed<16, 4, TRN, SAT> drops 8 bits
      // toward zero, and its bounds round to [−128, 127]: + 128 needs no clamp. fixed<10, 5> reaches [−16, 16): the
      // index before the clamp is x · 16 + 128 in [−128, 383], 10 bits, and the clamp folded into the table makes it a
      // function of all 10 (synth_xilinx: 140 LUTs where the 256-entry table read by x's bits is 30).
      const slice = networkFeatures(load(sg('fixed<8, 4>')), { part }).features;
      const rounded = networkFeatures(load(sg('fixed<16, 4, TRN, SAT>')), { part }).features;
      const clamped = networkFeatures(load(sg('fixed<10, 5>')), { part }).features;
      expect(slice.romBits, part).toBeGreaterThan(0);
      expect(slice.romIdxBits, part).toBe(0);
      expect(rounded.romBits, part).toBeGreaterThan(0);
      expect(rounded.romIdxBits, part).toBe(0);
      expect(clamped.romIdxBits, part).toBe((8 * 1024) / perCell);
    }
  });
  it('softmax of inputs of a narrow range reads fewer entries of its tables', () => {
    const sm = (scale: string) => `target xc7a100t clock 10ns
network n {
  io parallel
  input x : fixed<4, 4>[4]
  d = dense(x, 3) { weight: fixed<8, 4> = ${scale} } : fixed<10, 5>
  p = softmax(d) { table: 128 } : ufixed<10, 0, TRN, SAT>
  output p
}
`;
    // The same types; weights of 1/16 make d span 1 (of the type's 32): the exponent table's first 16 entries.
    const narrow = networkFeatures(load(sm('[[0.0625, 0, 0], [0, 0.0625, 0], [0, 0, 0.0625], [0, 0, 0]]')), { part: 'xc7a100t' }).features;
    const wide = networkFeatures(load(sm('[[4, 0, 0], [0, 4, 0], [0, 0, 4], [0, 0, 0]]')), { part: 'xc7a100t' }).features;
    // Stable: max − x spans 2, indices 0..15: a LUT per varying bit (romLutsOf), not the tree of the whole table.
    expect(narrow.smRomBits).toBe(0);
    expect(narrow.romLuts).toBeGreaterThan(0);
    expect(narrow.romLuts).toBeLessThan(wide.smRomBits);
  });
});

describe('constants', () => {
  it('made by a range: relu of a convolution whose outputs are never positive is 0, and the convolution is dead', () => {
    // As the blind c139_conv1d: |x · w| < 0.06, truncated to the output's steps of 0.5, lies in [−0.5, 0].
    const net = (w: string) =>
      load(`target xc7a100t clock 10ns
network n {
  io parallel
  input x : fixed<4, 3, TRN, SAT>[8, 1]
  c = conv1d(x, 4, 1, padding: same) { weight: fixed<8, 1> = [[[${w}]]] } : fixed<4, 3, TRN, SAT>
  a = relu(c) : fixed<4, 3, TRN, SAT>
  output a
}
`);
    for (const part of ['xc7a100t', 'ice40up5k']) {
      const small = computeEstimate(net('0.015625, -0.015625, 0, 0.0078125'), { part });
      for (const l of small.layers) expect([l.name, l.lut, l.ff], part).toEqual([l.name, 0, 0]);
      // Weights of 0.5 make the outputs positive: the same network builds its products, relu and registers.
      const large = computeEstimate(net('0.5, -0.5, 0, 0.25'), { part });
      expect(large.layers.find((l) => l.name === 'c')!.ff, part).toBeGreaterThan(0);
      expect(large.total.lut, part).toBeGreaterThan(0);
    }
  });
  it('fold away: element-wise logic on a layer of zero weights builds nothing and has no path', () => {
    const net = load(`target xc7a100t clock 10ns
network n {
  io parallel
  input x : fixed<8, 3>[2]
  d = dense(x, 2) { weight: fixed<8, 3> = [[0, 0], [0, 0]] } : fixed<8, 3>
  r = relu(d) : fixed<8, 3>
  output r
}
`);
    const nf = networkFeatures(net, { part: 'ice40up5k' });
    expect(nf.features.muxBits).toBe(0);
    expect(nf.features.addBits).toBe(0);
    for (const p of nf.paths) expect(p.sel).toBe(0);
  });

  // Pruned neurons: a dense output whose weights are all zero is its bias, a batchnorm element of scale 0 its offset.
  // The backend folds a product of such a constant into the sum's constant, so the next layer builds nothing for it.
  const pruned = (w0: string, scale: string) => `target xc7a100t clock 10ns
network n {
  io parallel
  input x : fixed<12, 4>[3]
  b = batchnorm(x) {
    scale: fixed<8, 3> = ${scale}
    bias: fixed<8, 3> = [0.5, 0.25, 0.5]
  } : fixed<12, 4>
  h = dense(b, 2) { weight: fixed<8, 3> = [${w0}, [0.375, 0.625], [0.375, 0.625]] } : fixed<12, 4>
  r = relu(h) : fixed<12, 4>
  d = dense(r, 2) { weight: fixed<8, 3> = [[0.375, 0.625], [0.625, 0.375]] } : fixed<12, 4>
  output d
}
`;
  it('fold the products of pruned neurons: a constant input costs its reader nothing', () => {
    const h = (w0: string, scale: string) => computeEstimate(load(pruned(w0, scale)), { part: 'xc7a100t' }).layers.find((l) => l.name === 'h')!;
    // Input 0 of h is a constant (scale 0): h builds the products of inputs 1 and 2 only, as if its row 0 were zero.
    const all = h('[0.375, 0.625]', '[1.375, 1.625, 1.375]');
    const scale0 = h('[0.375, 0.625]', '[0, 1.625, 1.375]');
    const row0 = h('[0, 0]', '[0, 1.625, 1.375]');
    expect(scale0.lut).toBeLessThan(all.lut);
    expect(scale0.lut).toBe(row0.lut);
    expect(scale0.multipliers).toEqual(row0.multipliers);
    // A neuron of h with no weight on a non-constant input (h's output 0 reads only the constant b[0]) is a constant:
    // relu builds nothing for it, and d's products of it fold as if d's row 0 were zero.
    const net = (dRow0: string) =>
      computeEstimate(load(pruned('[0.375, 0.625]', '[0, 1.625, 1.375]').replace('[0.375, 0.625], [0.375, 0.625]]', '[0, 0.625], [0, 0.625]]').replace('[[0.375, 0.625], [0.625, 0.375]]', `[${dRow0}, [0.625, 0.375]]`)), { part: 'xc7a100t' }).layers;
    const folded = net('[0.375, 0.625]');
    const zero = net('[0, 0]');
    expect(folded.find((l) => l.name === 'd')!.lut).toBe(zero.find((l) => l.name === 'd')!.lut);
    expect(folded.find((l) => l.name === 'r')!.lut).toBeLessThan(computeEstimate(load(pruned('[0.375, 0.625]', '[1.375, 1.625, 1.375]')), { part: 'xc7a100t' }).layers.find((l) => l.name === 'r')!.lut);
  });
});

describe('folded constants', () => {
  // c111_batchnorm: a batchnorm element of scale 0 is its offset, a constant; the dense layer that reads it folds the
  // product into its sum's constant, which the backend adds at the sum's root: a carry chain on the path (nextpnr
  // showed three in series where the estimate counted two).
  const src = (w: string) => `target xc7a100t clock 10ns
network n {
  io parallel
  input x : fixed<6, 3>[2]
  b = batchnorm(x) {
    scale: fixed<8, 3> = [0, 1.625]
    bias: fixed<8, 3> = [0.5, 0.25]
  } : fixed<6, 3>
  h = dense(b, 1) { weight: fixed<8, 3> = ${w} } : fixed<12, 4>
  output h
}
`;
  it('still cost their sum the constant’s adder on the path', () => {
    const folded = networkFeatures(load(src('[[0.375], [0.625]]')), { part: 'ice40up5k' });
    const zero = networkFeatures(load(src('[[0], [0.625]]')), { part: 'ice40up5k' });
    // h's stage: the product of b[1] (an inline expression: one chain), and with the folded constant its adder.
    const hStage = (f: typeof folded) => f.paths[f.paths.length - 2];
    expect(hStage(folded).adders).toBe(hStage(zero).adders + 1);
    expect(folded.features.caddBits).toBeGreaterThan(zero.features.caddBits);
    // A zero bias of more fractional bits (fixed<12, 0>: 12) than the accumulator (fixed<16, 8>: 8) does not
    // hide the folded constant's adder.
    const withBias = (w: string) => networkFeatures(load(src(w).replace('} : fixed<12, 4>', 'bias: fixed<12, 0> = [0]\n accum: fixed<16, 8> } : fixed<12, 4>')), { part: 'ice40up5k' });
    expect(hStage(withBias('[[0.375], [0.625]]')).adders).toBe(hStage(withBias('[[0], [0.625]]')).adders + 1);
  });
});

describe('softmax of a constant element', () => {
  // c98_softmax: dense output 0 has no weight on a non-constant input (a constant the backend folds); softmax's compare
  // with it is against a constant and max − c an adder of a constant, not a subtractor.
  const src = (w0: string) => `target xc7a100t clock 10ns
network n {
  io parallel
  input x : fixed<6, 3>[2]
  d = dense(x, 3) { weight: fixed<8, 3> = [[${w0}, 0.375, 0.625], [${w0}, 0.625, -0.375]] } : fixed<10, 5>
  p = softmax(d) { table: 128 exp_table: fixed<12, 6, RND, SAT> inv_table: ufixed<12, 4, RND, SAT> } : ufixed<10, 0, TRN, SAT>
  output p
}
`;
  it('compares and subtracts only the elements that vary', () => {
    const varying = networkFeatures(load(src('0.25')), { part: 'xc7a100t' }).features;
    const constant = networkFeatures(load(src('0')), { part: 'xc7a100t' }).features;
    // Element 0 constant: of the 2 compares of the maximum's tree one is against the constant; one subtractor fewer.
    expect(constant.cmpBits).toBeLessThan(varying.cmpBits);
    expect(constant.treeBits).toBeLessThan(varying.treeBits);
    expect(constant.caddBits).toBeGreaterThan(varying.caddBits);
  });
});

describe('softmax reads per element', () => {
  // c218_softmax (blind): a sparse dense layer gives each softmax element its own narrow range; the backend tracks each
  // value's bounds, so each index reaches its own few entries and casts saturate only where those bounds can overflow.
  // Element 2 has no weight: a constant.
  const src = (w: string, impl: string, out = 'p') => `target xc7a100t clock 10ns
network n {
  io parallel
  input x : fixed<4, 2>[2]
  d = dense(x, 3) { weight: fixed<8, 3> = ${w} } : fixed<10, 4>
  p = softmax(d) { table: 128 exp_table: fixed<12, 6, RND, SAT> inv_table: ufixed<12, 4, RND, SAT> implementation: ${impl} } : ufixed<10, 0, TRN, SAT>
  output ${out}
}
`;
  const NARROW = '[[0.25, 0, 0], [0, 0.25, 0]]';
  const WIDE = '[[4, 0, 0], [0, 4, 0]]';
  const MIXED = '[[0.25, 0, 0], [0, 4, 0]]';
  /** The softmax's saturating casts in the Verilog, by kind: the outputs' (y) and the exponent indices' (x). */
  const saturations = (w: string, impl: string) => {
    const text = [...generateVerilog(load(src(w, impl))).files.values()].join('\n');
    const sats = [...text.matchAll(/assign l_p_0_(x|y)\d+_y_\d+ = .*\?/g)].map((m) => m[1]);
    return { y: sats.filter((k) => k === 'y').length, x: sats.filter((k) => k === 'x').length };
  };
  it('saturates the casts the Verilog saturates', () => {
    for (const w of [NARROW, WIDE, MIXED]) expect(networkFeatures(load(src(w, 'latency', 'd')), { part: 'xc7a100t' }).features.satBits).toBe(0);
    // The saturating cast of e · inv (24 bits, 14 fractional) to ufixed<10, 0>: 10 bits and the 10 above them; the
    // stable index's (max − x, 11 bits, to ufixed<7, 7> from 2 fractional): 7 and 2.
    const cases = [
      [NARROW, 'latency', 0, 0],
      [WIDE, 'latency', 2, 0],
      // The narrow element's product saturates too: the inverse read's bounds follow the wide element's.
      [MIXED, 'latency', 2, 0],
      [NARROW, 'stable', 3, 2],
      [WIDE, 'stable', 3, 2],
    ] as const;
    for (const [w, impl, y, x] of cases) {
      expect(saturations(w, impl), `${impl} ${w}`).toEqual({ y, x });
      expect(networkFeatures(load(src(w, impl)), { part: 'xc7a100t' }).features.satBits, `${impl} ${w}`).toBe(y * 20 + x * 9);
    }
  });
  it('reads, per element, the entries its own range reaches', () => {
    const f = (w: string) => networkFeatures(load(src(w, 'latency')), { part: 'xc7a100t' }).features;
    const narrow = f(NARROW);
    const wide = f(WIDE);
    const mixed = f(MIXED);
    // Narrow elements reach no more entries than a LUT6 tells apart (a LUT per varying bit); wide ones the whole table.
    expect(narrow.smRomBits).toBe(0);
    expect(narrow.romLuts).toBeGreaterThan(0);
    expect(wide.romLuts).toBe(0);
    expect(mixed.romLuts).toBeGreaterThan(0);
    expect(mixed.smRomBits).toBeGreaterThan(0);
    expect(mixed.smRomBits).toBeLessThan(wide.smRomBits);
    // The constant element builds no read: two reads of the whole exponent table and the inverse read.
    const two = networkFeatures(load(src('[[4, 0, 4], [0, 4, 0]]', 'latency')), { part: 'xc7a100t' }).features;
    expect(two.smRomBits).toBeGreaterThan(wide.smRomBits);
  });
});

describe('DSP registers', () => {
  // xilinx_dsp moves a flip-flop into a DSP48E1's A register when the DSP alone reads it (blind c240_dense_reuse: 12
  // multipliers at reuse 4, each reading one input register, 137 FFs where 285 were estimated).
  const reuse = (outputs: number, w: string) => `target xc7a100t clock 10ns
network n {
  io parallel
  input x : fixed<12, 3>[4]
  d = dense(x, ${outputs}) { weight: fixed<8, 1> = ${w} reuse: 2 } : fixed<12, 3>
  output d
}
`;
  it('take the input registers of reuse multipliers that read one input each, not those behind a select', () => {
    // 4 inputs × 2 outputs at reuse 2: four multipliers, multiplier m reads input m in both phases (two weights: a DSP).
    const direct = networkFeatures(load(reuse(2, '[[0.40625, -0.7265625], [0.6171875, 0.3359375], [-0.5546875, 0.4453125], [0.6953125, -0.3828125]]')), { part: 'xc7a100t' }).features;
    expect(direct.dsp).toBe(4);
    expect(direct.dspRegBits).toBe(-4 * 12);
    // 4 inputs × 1 output at reuse 2: two multipliers, each selecting between two inputs by the phase.
    const selected = networkFeatures(load(reuse(1, '[[0.40625], [0.6171875], [-0.5546875], [0.6953125]]')), { part: 'xc7a100t' }).features;
    expect(selected.dsp).toBe(2);
    expect(selected.dspRegBits).toBe(0);
  });
  it('are logic on iCE40: multipliers of two variables, every partial product a variable (varMulBits)', () => {
    const ice = networkFeatures(load(reuse(1, '[[0.40625], [0.6171875], [-0.5546875], [0.6953125]]')), { part: 'ice40up5k' }).features;
    // Two multipliers of the 12-bit input by the 8-bit weight the phase selects.
    expect(ice.dsp).toBe(0);
    expect(ice.varMulBits).toBe(2 * 12 * 8);
    expect(ice.lutMulBits).toBe(ice.varMulBits);
    // A constant `*` in logic (the xc7 plan's DSP constant on iCE40) is not one.
    const constant = networkFeatures(load(reuse(1, '[[0.40625], [0.6171875], [-0.5546875], [0.6953125]]').replace(' reuse: 2', '')), { part: 'ice40up5k' }).features;
    expect(constant.varMulBits).toBe(0);
  });
});

describe('batchnorm offsets', () => {
  const bn = (bias: string, input = 'fixed<6, 3>') => `target xc7a100t clock 10ns
network n {
  io parallel
  input x : ${input}[2]
  y = batchnorm(x) {
    scale: fixed<8, 4> = [0.4375, 0.8125]
    bias: fixed<8, 4> = ${bias}
  } : fixed<12, 6>
  output y
}
`;
  it('of a narrow product are measured with it (product-luts.json withOffset); an offset of 0 adds nothing', () => {
    for (const [part, flow] of [['xc7a100t', 'xc7'], ['ice40up5k', 'ice40']] as const) {
      // 0.4375 = 7 · 2^-4 (−1 + 8: a negated digit first), 0.8125 = 13 · 2^-4; inputs of 6 signed bits.
      const f = networkFeatures(load(bn('[0.5, 0.25]')), { part }).features;
      expect(f.prodAloneLuts).toBe(productLuts(flow, 6, 7, true)! + productLuts(flow, 6, 13, true)!);
      expect(f.caddBits).toBe(0);
      const none = networkFeatures(load(bn('[0, 0]')), { part });
      expect(none.features.prodAloneLuts).toBe(productLuts(flow, 6, 7)! + productLuts(flow, 6, 13)!);
      expect(none.features.caddBits).toBe(0);
      expect(none.critical.levels).toBeLessThanOrEqual(networkFeatures(load(bn('[0.5, 0.25]')), { part }).critical.levels);
    }
    // Measured on xc7: a constant merged into −x + 8x (x · 7) costs about sv LUTs more than the product alone, where a
    // constant adder on its own builds no LUT (caddBits fits 0 on xc7).
    expect(productLuts('xc7', 6, 7, true)! - productLuts('xc7', 6, 7)!).toBeGreaterThanOrEqual(4);
  });
  it('are added to the sum as the backend builds it: a wider input keeps the constant adder', () => {
    const f = networkFeatures(load(bn('[0.5, 0.25]', 'fixed<12, 6>')), { part: 'xc7a100t' }).features;
    expect(f.prodLuts + f.prodAloneLuts).toBe(0);
    expect(f.caddBits).toBeGreaterThan(0);
    expect(networkFeatures(load(bn('[0, 0]', 'fixed<12, 6>')), { part: 'xc7a100t' }).features.caddBits).toBe(0);
  });
  it('of the standalone form are the backend’s s and o, not gamma and beta', () => {
    const src = (mean: string) => `target xc7a100t clock 10ns
network n {
  io parallel
  input x : fixed<6, 3>[1]
  y = batchnorm(x) {
    gamma: fixed<8, 4> = [0.5]
    beta: fixed<8, 4> = [0]
    mean: fixed<8, 4> = [${mean}]
    variance: fixed<8, 4> = [0.25]
  } : fixed<12, 6>
  output y
}
`;
    // s = 0.5 / sqrt(0.25 + 0.001) ≈ 0.998 → 15/16 (fixed<8, 4>, TRN): a product by 15 = 16 − 1, where gamma (0.5)
    // would be a shift; o = −mean · s: 0 without a mean, else an offset that joins the product.
    const noOffset = networkFeatures(load(src('0')), { part: 'ice40up5k' }).features;
    const offset = networkFeatures(load(src('1')), { part: 'ice40up5k' }).features;
    expect(noOffset.prodAloneLuts).toBe(productLuts('ice40', 6, 15));
    expect(offset.prodAloneLuts).toBe(productLuts('ice40', 6, 15, true));
    expect(noOffset.caddBits + offset.caddBits).toBe(0);
  });
});

describe('element-wise layers', () => {
  it('build only the elements of non-constant inputs, DSPs exactly (the blind c102_leaky counted 6 for 3)', () => {
    // leaky_relu's α · x is a DSP per element on xc7; dense output 1 has no non-zero weight: a constant, folded.
    const est = (w1: string) =>
      computeEstimate(
        load(`target xc7a100t clock 10ns
network n {
  io parallel
  input x : fixed<12, 2>[2]
  d = dense(x, 3) { weight: fixed<4, 1> = [[0.5, ${w1}, -0.5], [0.75, ${w1}, 0.25]] } : fixed<12, 2, RND, SAT>
  l = leaky_relu(d, 0.3) : fixed<12, 2, RND, SAT>
  output l
}
`),
        { part: 'xc7a100t' },
      ).layers.find((l) => l.name === 'l')!;
    expect(est('0.25').dsp).toBe(3);
    expect(est('0').dsp).toBe(2);
    expect(est('0').lut).toBeLessThan(est('0.25').lut);
  });
  it("leaky_relu's select between x and α · x is selBits as well as muxBits; relu's select of 0 is not (blind c90)", () => {
    const feats = (op: string) =>
      networkFeatures(
        load(`target xc7a100t clock 10ns
network n {
  io parallel
  input x : fixed<12, 3>[3]
  l = ${op} : fixed<12, 3>
  output l
}
`),
        { part: 'xc7a100t' },
      ).features;
    const leaky = feats('leaky_relu(x, 0.125)');
    const relu = feats('relu(x)');
    expect(leaky.selBits).toBe(3 * 12);
    expect(leaky.muxBits).toBe(3 * 12);
    expect(relu.selBits).toBe(0);
    expect(relu.muxBits).toBe(3 * 12);
  });
});

describe('average pooling', () => {
  it("divides the sum's range, not the accumulator's: no saturation where the mean stays in range (blind c172)", () => {
    const f = networkFeatures(
      load(`target xc7a100t clock 10ns
network n {
  io parallel
  input x : fixed<12, 4, RND, SAT>[4, 2]
  m = avgpool1d(x, 2) : fixed<12, 4, RND, SAT>[2, 2]
  output m
}
`),
      { part: 'xc7a100t' },
    ).features;
    // (a + b) / 2 rounded lies in [−8, 7.99…] for a, b of fixed<12, 4>: the backend builds no saturation.
    expect(f.satBits).toBe(0);
    expect(f.rndOps).toBe(4);
  });
});

describe('rounding increments', () => {
  const bn = (scale: string, bias: string) => `target xc7a100t clock 10ns
network n {
  io parallel
  input x : fixed<12, 2, RND>[1]
  b = batchnorm(x) {
    scale: fixed<5, 1, RND, SAT> = [${scale}]
    bias: fixed<5, 1, RND, SAT> = [${bias}]
  } : fixed<12, 2, RND>
  output b
}
`;
  it('are left out where the dropped bits are known zeros: x · −1 + 0.75 needs none, x · 0.375 one (blind c195)', () => {
    // x has 10 fraction bits, the scale 4: x · s has 14, and the cast to fixed<12, 2> drops 4. With s = −1 (−16 at
    // 2^−4) the product's 4 low bits are zeros, and so are the bias 0.75's: the cast is exact, yosys folds the
    // increment of a constant 0. With s = 0.375 (6 at 2^−4) only one low bit is zero: a rounding increment.
    for (const part of ['xc7a100t', 'ice40up5k']) {
      const exact = networkFeatures(load(bn('-1', '0.75')), { part }).features;
      const rounded = networkFeatures(load(bn('0.375', '0.75')), { part }).features;
      expect(exact.rndOps + exact.rndBits, part).toBe(0);
      expect(rounded.rndOps + rounded.rndBits, part).toBeGreaterThan(0);
    }
  });
  it('are one LUT each on synth_xilinx (the lowest bit; the others feed the carry chain), a LUT per bit on synth_ice40', () => {
    const xc7 = networkFeatures(load(bn('0.375', '0.75')), { part: 'xc7a100t' }).features;
    const ice = networkFeatures(load(bn('0.375', '0.75')), { part: 'ice40up5k' }).features;
    expect([xc7.rndOps, xc7.rndBits]).toEqual([1, 0]);
    expect(ice.rndOps).toBe(0);
    expect(ice.rndBits).toBeGreaterThan(8);
  });
  it('on synth_ice40 are as wide as the bits read: the result when it fits or wraps, all when a saturation tests them', () => {
    // blind c237_conv2d: round(x · 2^−3) of a 4-bit x into fixed<4, 3, RND> (WRAP) from an 11-bit accumulator: the
    // increment of the 8 kept bits is read only in the 4 the output keeps; yosys trims the rest.
    const one = (w: number, y: string) => `target xc7a100t clock 10ns
network n {
  io parallel
  input x : fixed<4, 3>[1]
  d = dense(x, 1) { weight: fixed<4, 1> = [[${w}]] accum: fixed<11, 8> } : ${y}
  output d
}
`;
    const ice = (w: number, y: string) => networkFeatures(load(one(w, y)), { part: 'ice40up5k' }).features.rndBits;
    // The cast from the accumulator's 3 fractional bits to 1 drops 2: 9 bits, of which the output reads 4.
    expect(ice(0.125, 'fixed<4, 3, RND>')).toBe(4 + 1);
    expect(ice(0.125, 'fixed<4, 3, RND, SAT>')).toBe(4 + 1);
    // x · 0.875 ∈ [−3.5, 3.06] leaves fixed<2, 1>'s [−1, 0.5]: the saturation tests all 9 bits.
    expect(ice(0.875, 'fixed<2, 1, RND, SAT>')).toBe(9 + 1);
    expect(ice(0.875, 'fixed<2, 1, RND>')).toBe(2 + 1);
  });
});

describe('narrow products alone', () => {
  it("are prodAloneLuts in batchnorm and leaky_relu, prodLuts in a dense layer's sum (n00–n07)", () => {
    const net = (layer: string) =>
      networkFeatures(
        load(`target xc7a100t clock 10ns
network n {
  io parallel
  input x : fixed<4, 2>[2]
  ${layer} : fixed<10, 4>
  output y
}
`),
        { part: 'ice40up5k' },
      ).features;
    // 0.375 = 3 · 2^−3: a measured product of a 4-bit x (product-luts.json), with the batchnorm's offset joined.
    const b = net('y = batchnorm(x) { scale: fixed<6, 2> = [0.375, 0.375] bias: fixed<6, 2> = [0.5, 0.5] }');
    expect(b.prodAloneLuts).toBe(2 * productLuts('ice40', 4, 3, true)!);
    expect(b.prodLuts).toBe(0);
    const d = net('y = dense(x, 1) { weight: fixed<6, 2> = [[0.375], [0.625]] }');
    expect(d.prodLuts).toBe(productLuts('ice40', 4, 3)! + productLuts('ice40', 4, 5)!);
    expect(d.prodAloneLuts).toBe(0);
  });
});

describe('dense outputs', () => {
  it("registers: equal outputs' and the copies of a narrow value's sign bit are merged (opt_merge; blind c163)", () => {
    const net = (w: string, wt = 'fixed<4, 1, RND, SAT>') =>
      networkFeatures(
        load(`target xc7a100t clock 10ns
network n {
  io parallel
  input x : fixed<8, 3>[2]
  d = dense(x, 2) { weight: ${wt} = ${w} } : fixed<10, 3>
  output d
}
`),
        { part: 'xc7a100t' },
      ).features.regBits;
    // 0.5 · x0 + 0.5 · x1 twice against it and 0.5 · x0 − 0.5 · x1 (both of fixed<10, 3>'s whole range, both inputs
    // read): the second register of equal outputs is merged.
    const different = net('[[0.5, 0.5], [0.5, -0.5]]');
    const equal = net('[[0.5, 0.5], [0.5, 0.5]]');
    expect(equal).toBe(different - 10);
    // 0.25 · x ([−1, 1): 8 bits) against −1 · x (the whole [−4, 4): 10 bits): two sign copies fewer per output.
    expect(net('[[0.25, 0], [0, 0.25]]', 'fixed<4, 2, RND, SAT>')).toBe(net('[[-1, 0], [0, -1]]', 'fixed<4, 2, RND, SAT>') - 2 * 2);
  });
  const two = (w: string) => `target xc7a100t clock 10ns
network n {
  io parallel
  input x : fixed<10, 2, RND>[2]
  d = dense(x, 2) { weight: fixed<5, 1, RND, SAT> = ${w} } : fixed<10, 2, RND>
  output d
}
`;
  it('of the same weights and bias are one circuit (yosys opt_merge): the second costs no logic', () => {
    for (const part of ['xc7a100t', 'ice40up5k']) {
      const same = networkFeatures(load(two('[[0.375, 0.375], [-0.5, -0.5]]')), { part }).features;
      const one = networkFeatures(load(two('[[0.375, 0], [-0.5, 0]]')), { part }).features;
      const other = networkFeatures(load(two('[[0.375, 0.625], [-0.5, -0.5]]')), { part }).features;
      expect(same.treeBits, part).toBe(one.treeBits);
      expect(same.rndBits, part).toBe(one.rndBits);
      expect(same.rndOps, part).toBe(one.rndOps);
      expect(other.treeBits, part).toBeGreaterThan(one.treeBits);
    }
  });
  it('of one negated product that is an adder are one carry chain: alumacc merges the negation (blind c135)', () => {
    // −0.625 = −5 · 2^−3: −(x + 4x), which nextpnr times as a single chain.
    const p = networkFeatures(
      load(`target xc7a100t clock 10ns
network n {
  io parallel
  input x : fixed<6, 2>[1]
  d = dense(x, 1) { weight: fixed<4, 1, RND, SAT> = [[-0.625]] } : fixed<6, 2>
  output d
}
`),
      { part: 'ice40up5k' },
    ).paths;
    expect(Math.max(...p.map((q) => q.adders))).toBe(1);
  });
  it('of one negated product of a wide input are two carry chains: its adders are instances of their own (blind c142)', () => {
    // −0.375 = −3 · 2^−3 of a 10-bit x: 4x − x as an adder instance (arith.ts sumTree, keep_hierarchy), then its
    // negation; nextpnr times two carry entries.
    const paths = (x: string) =>
      networkFeatures(
        load(`target xc7a100t clock 10ns
network n {
  io parallel
  input x : ${x}[1]
  d = dense(x, 1) { weight: fixed<4, 1, RND, SAT> = [[-0.375]] } : fixed<12, 4>
  output d
}
`),
        { part: 'ice40up5k' },
      ).paths;
    expect(Math.max(...paths('fixed<10, 4>').map((q) => q.adders))).toBe(2);
    expect(Math.max(...paths('fixed<6, 2>').map((q) => q.adders))).toBe(1);
  });
});

describe('adders', () => {
  it('of a variable and a constant are caddBits, subtractions from a constant negBits, two variables addBits', () => {
    const net = (extra: string, layer: string) =>
      networkFeatures(
        load(`target xc7a100t clock 10ns
network n {
  io parallel
  input x : fixed<12, 4>[2]
  input z : fixed<12, 4>[2]${extra}
  ${layer}
  output y
}
`),
        { part: 'xc7a100t' },
      ).features;
    const sum = net('', 'y = add(x, z) : fixed<13, 5>');
    expect(sum.addBits).toBeGreaterThan(0);
    expect(sum.caddBits).toBe(0);
    // A batchnorm's offset is added to each product: a constant operand.
    const bn = net('', 'y = batchnorm(x) { scale: fixed<8, 3> = [1.375, 1.625] bias: fixed<8, 3> = [0.5, 0.25] } : fixed<13, 5>');
    expect(bn.caddBits).toBeGreaterThan(0);
    expect(bn.addBits).toBe(0);
    expect(bn.negBits).toBe(0);
    // A sum whose terms are all subtracted is one subtraction from a constant (0 − (x0 + x1)): negBits.
    const neg = net('', 'y = dense(x, 1) { weight: fixed<8, 3> = [[-0.5], [-0.25]] } : fixed<13, 5>');
    expect(neg.negBits).toBeGreaterThan(0);
    expect(neg.caddBits).toBe(0);
  });
});

describe('stage paths', () => {
  it('mark the output path (into the serial wrapper); relu selects on the sign bit, relu6 after a compare', () => {
    const src = (op: string) => `target xc7a100t clock 10ns
network n {
  io parallel
  input x : fixed<8, 3>[2]
  d = dense(x, 2) { weight: fixed<8, 3> = [[0.5, 0.375], [0.75, -0.625]] } : fixed<8, 3>
  r = ${op}(d) : fixed<8, 3>
  output r
}
`;
    const { paths, critical } = networkFeatures(load(src('relu')), { part: 'ice40up5k' });
    const out = paths.filter((p) => p.out === 1);
    expect(out).toHaveLength(1);
    expect(paths).toContainEqual(critical);
    // relu (layers.ts): x's sign bit selects 0, a wire: one LUT level, no carry chain (the compare `x <= 0` it once
    // built was a chain of x's width in synth_ice40, and about a LUT4 per bit).
    expect(out[0]).toMatchObject({ sel: 0, adders: 0, levels: 1 });
    // relu6 also compares x ≥ 6: a carry chain whose result selects every bit.
    const six = networkFeatures(load(src('relu6')), { part: 'ice40up5k' }).paths.find((p) => p.out === 1)!;
    expect(six).toMatchObject({ sel: 1, adders: 1 });
    expect(paths.filter((p) => p.out === 0).every((p) => p.sel === 0)).toBe(true);
  });

  // Element-wise layers compute every element side by side: the stage's path is one element's (its longest), so it
  // must not grow with the element count (it once summed every element's rounding adder and saturation).
  const elementwise = (n: number, layer: string) => `target xc7a100t clock 10ns
network n {
  io parallel
  input x : fixed<12, 4, RND, SAT>[${n}]
  ${layer}
  output y
}
`;
  for (const [name, layer] of [
    ['batchnorm', 'y = batchnorm(x) { scale: fixed<6, 1, RND, SAT> = random(seed: 3)\n bias: fixed<6, 1, RND, SAT> = random(seed: 4) } : fixed<8, 3, RND, SAT>'],
    ['leaky_relu', 'y = leaky_relu(x, 0.3) : fixed<8, 3, RND, SAT>'],
    ['linear', 'y = linear(x) : fixed<8, 3, RND, SAT>'],
  ]) {
    it(`of ${name} do not grow with the element count`, () => {
      const one = networkFeatures(load(elementwise(1, layer)), { part: 'ice40up5k' });
      const many = networkFeatures(load(elementwise(16, layer)), { part: 'ice40up5k' });
      const { size: s1, ...p1 } = one.critical;
      const { size: s16, ...p16 } = many.critical;
      expect(s16).toBeGreaterThan(s1);
      expect(p1.adders + p1.levels).toBeGreaterThan(0);
      // batchnorm's scales differ per element: the longest element may differ, never by more than one element's path.
      if (name === 'batchnorm') {
        expect(p16.adders).toBeLessThanOrEqual(p1.adders + 3);
        expect(p16.levels).toBeLessThanOrEqual(p1.levels + 2);
        const { size: s64, ...p64 } = networkFeatures(load(elementwise(64, layer)), { part: 'ice40up5k' }).critical;
        expect(s64).toBeGreaterThan(s16);
        expect(p64).toEqual(p16);
      } else expect(p16).toEqual(p1);
    });
  }
});

describe('reuse multiplexers', () => {
  const reuse = (w: string) => `target xc7a100t clock 10ns
network n {
  io parallel
  input x : fixed<8, 3>[2]
  d = dense(x, 2) {
    weight: fixed<8, 3> = ${w}
    reuse: 2
  } : fixed<12, 5>
  output d
}
`;
  it('select among the distinct inputs a shared multiplier reads; its weight is a function of the phase', () => {
    // Terms in order (outputs one after the other): o0: x0·w00, x1·w10; o1: x0·w01, x1·w11; two multipliers, two
    // phases: multiplier 0 reads x0 in both phases (weights 12 and 20 at 2^-5: 6 bits), multiplier 1 x1 (28 and 10:
    // 6 bits): no input multiplexer, a weight multiplexer of 6 bits each.
    const same = networkFeatures(load(reuse('[[0.375, 0.625], [0.875, 0.3125]]')), { part: 'ice40up5k' }).features;
    expect(same.rmuxBits).toBe(6 + 6);
    // With w10 = 0 the terms are o0: x0·12; o1: x0·20, x1·10: multiplier 0 reads x0 then x1 (8 bits, one more input)
    // with weights 12 and 10 (5 bits); multiplier 1 only x0 · 20, a constant multiplier without multiplexers.
    const mixed = networkFeatures(load(reuse('[[0.375, 0.625], [0, 0.3125]]')), { part: 'ice40up5k' }).features;
    expect(mixed.rmuxBits).toBe(8 + 5);
  });

  it('leave the multiplier and the operand selects off the path when every multiplier is a constant product', () => {
    // Multiplier 0 reads x0 · 12 in both phases, multiplier 1 x1 · 28: constant products (shift-and-add), no operand
    // multiplexer; the same layer with weights that change with the phase multiplies two variables in logic.
    const constant = networkFeatures(load(reuse('[[0.375, 0.375], [0.875, 0.875]]')), { part: 'ice40up5k' });
    const variable = networkFeatures(load(reuse('[[0.375, 0.625], [0.875, 0.3125]]')), { part: 'ice40up5k' });
    expect(constant.features.rmuxBits).toBe(0);
    // The weight's select (a function of the phase) and a multiplier of two variables are on the variable path only.
    expect(variable.critical.levels).toBeGreaterThan(constant.critical.levels);
    // A multiplier of two variables in logic has a row per weight bit that is 1 in some phase, and one correction row
    // when a weight is negative (yosys subtracts the sign bit's row; it does not sign-extend the weight into the
    // input's 8 rows): multiplier 0's weights 12 and 20 (01100, 10100: 3 rows), multiplier 1's 28 and 10 (011100,
    // 001010: 4 rows, 2 carry-save levels); with −10 (110110) instead of 10, 5 + 1 rows: 3 levels.
    const negative = networkFeatures(load(reuse('[[0.375, 0.625], [0.875, -0.3125]]')), { part: 'ice40up5k' });
    expect(negative.critical.levels - variable.critical.levels).toBe(3 - 2);
  });

  it('select operands through a tree on the phase counter: a level per bit of the phases, not one per phase', () => {
    // One input, 16 outputs, reuse 16: one multiplier reads x0 with a different weight in each of its 16 phases. Its
    // weight select is a tree of log2(16) = 4 levels (mac.ts phaseMux); a chain of phase == r tests had 15.
    const weights = Array.from({ length: 16 }, (_, o) => ((o % 2 ? -1 : 1) * (o + 1)) / 32);
    const src = `target xc7a100t clock 10ns
network n {
  io parallel
  input x : fixed<8, 3>[1]
  d = dense(x, 16) {
    weight: fixed<8, 3> = [[${weights.join(', ')}]]
    reuse: 16
  } : fixed<12, 5>
  output d
}
`;
    const wide = networkFeatures(load(src), { part: 'ice40up5k' }).critical.levels;
    const two = networkFeatures(load(src.replace('reuse: 16', 'reuse: 8')), { part: 'ice40up5k' }).critical.levels;
    // Reuse 8: two multipliers of 8 phases each (3 select levels), the same rows: one level less.
    expect(wide - two).toBe(1);
  });
});

describe('reuse phases', () => {
  it("that add the same multipliers to an output's accumulator are one sum, in the Verilog and in the estimate (blind c192)", () => {
    // Four terms of one output at reuse 4: one multiplier, a term per phase. Phase 0 adds it to the bias, phases 1–3
    // each add it to the accumulator: the same sum (of the multiplier's cast product), built once.
    const src = (w: string, outs: number, reuse: number, accum = 'fixed<12, 4>') => `target xc7a100t clock 10ns
network n {
  io parallel
  input x : fixed<6, 2>[4]
  d = dense(x, ${outs}) {
    weight: fixed<6, 2> = ${w}
    accum: ${accum}
    reuse: ${reuse}
  } : fixed<12, 4>
  output d
}
`;
    const one = load(src('[[0.25], [0.5], [-0.75], [1.25]]', 1, 4));
    const text = [...generateVerilog(one).files.values()].join('\n');
    const sums = new Set([...text.matchAll(/l_d_0_r(\d+)(?:_\d+)?_(?:s|n)_\d+/g)].map((m) => m[1]));
    expect([...sums].sort()).toEqual(['1']);
    // The exact chain: phase 0 is the multiplier's output alone (no bias, no adder), phases 1–3 one adder of 12 bits.
    expect(networkFeatures(one, { part: 'ice40up5k' }).features.treeBits).toBe(12);
    // A chain that can overflow its accumulator (fixed<8, 2, TRN, SAT>) adds term by term: raccBits, a chunk once.
    const A = 8;
    const sat = load(src('[[0.25], [0.5], [-0.75], [1.25]]', 1, 4, 'fixed<8, 2, TRN, SAT>'));
    expect(networkFeatures(sat, { part: 'ice40up5k' }).features.raccBits).toBe(2 * (1 + 1) * A);
    expect(networkFeatures(load(src('[[0.25], [0.5], [-0.75], [1.25]]', 1, 2, 'fixed<8, 2, TRN, SAT>')), { part: 'ice40up5k' }).features.raccBits).toBe(2 * (2 + 1) * A);
    // The next-value select of `one` chooses between its two sums (no phase holds): one choice more than one.
    expect(networkFeatures(one, { part: 'xc7a100t' }).features.raccSelBits).toBe(1 * 12);
  });

  it("select an output's next value among its distinct sums, the bias and the held value, as the Verilog does (p03)", () => {
    // Two outputs of four terms at reuse 4: two terms per phase. Output 0 adds in phases 0 and 1 (bias + 2 terms, then
    // acc + 2 terms) and holds in 2 and 3; output 1 takes the bias in phase 0, holds in 1 and adds the same multipliers to
    // its accumulator in phases 2 and 3 (one sum).
    const src = `target xc7a100t clock 10ns
network n {
  io parallel
  input x : fixed<6, 2>[4]
  d = dense(x, 2) {
    weight: fixed<6, 2> = [[0.25, 0.5], [0.5, -0.25], [-0.75, 1], [1.25, 0.75]]
    bias: fixed<6, 2> = [0.5, -0.5]
    accum: fixed<12, 4>
    reuse: 4
  } : fixed<12, 4>
  output d
}
`;
    const net = load(src);
    const text = [...generateVerilog(net).files.values()].join('\n');
    const choices = (o: number) => {
      const e = new RegExp(`assign l_d_${o}_next_\\d+ = (.*);`).exec(text)![1];
      // Nets (a sum, the held accumulator) and constants (the bias), each distinct one a choice.
      return new Set(e.replace(/phase\[\d\]/g, '').match(/l_d_\w+|\d+'sh[0-9a-f]+/g)).size;
    };
    expect([choices(0), choices(1)]).toEqual([3, 3]);
    expect(networkFeatures(net, { part: 'xc7a100t' }).features.raccSelBits).toBe((3 - 1) * 12 + (3 - 1) * 12);
  });

  it('of exact chains share one segment tree over the multipliers across outputs and phases (digits)', () => {
    // Two outputs of eight terms at reuse 4: four multipliers, each output two phases of all four. Every chunk adds
    // the same node [0, 4) (two nodes [0, 2) and [2, 4) below it): three adder instances for the layer, then one adder
    // per chunk (the bias's constant adder in phase 0).
    const src = `target xc7a100t clock 10ns
network n {
  io parallel
  input x : fixed<6, 2>[8]
  d = dense(x, 2) {
    weight: fixed<6, 2> = [[0.25, 0.5], [0.5, -0.25], [-0.75, 1], [1.25, 0.75], [0.25, -1], [-0.5, 0.5], [1, 0.25], [0.75, -0.75]]
    bias: fixed<6, 2> = [0.5, -0.5]
    accum: fixed<14, 6>
    reuse: 4
  } : fixed<12, 4>
  output d
}
`;
    const net = load(src);
    const text = [...generateVerilog(net).files.values()].join('\n');
    expect([...text.matchAll(/^ {2}qnn_n_add\d+ u_l_d_t(\d+_\d+)_/gm)].map((m) => m[1]).sort()).toEqual(['0_2', '0_4', '2_4']);
    for (const o of [0, 1]) expect(text).toMatch(new RegExp(`assign l_d_${o}_r\\d+_\\w+ = .*l_d_t0_4_n_|\\.b\\(.*l_d_t0_4_n_`));
    // Chunk adders: output 0's phase 1 (acc + node), output 1's phases 2 and 3 (one sum): two instances.
    expect([...text.matchAll(/^ {2}qnn_n_add\d+ u_l_d_\d_r/gm)].length).toBe(2);
    const f = networkFeatures(net, { part: 'xc7a100t' }).features;
    expect(f.raccBits).toBe(0);
    expect(f.treeBits).toBeGreaterThan(0);
  });
});

describe('inline constant products', () => {
  const bn = (input: string, scale: number) => `target xc7a100t clock 10ns
network n {
  io parallel
  input x : ${input}[1]
  y = batchnorm(x) {
    scale: fixed<8, 4> = [${scale}]
    bias: fixed<8, 4> = [0.5]
  } : fixed<12, 6>
  output y
}
`;
  it('join the offset of a batchnorm in one $macc: one carry chain, carry-save levels for the operands', () => {
    // 6-bit inputs (at most TABLE_INPUT_BITS: one expression) times 0.8125 = 1 − 2^-3 − 2^-4 (3 CSD digits): with the
    // offset 4 operands, 2 carry-save levels and one carry chain (measured with yosys synth_ice40: one SB_CARRY chain
    // on the path); it once counted 2 adders for the digits and 1 for the offset.
    const narrow = networkFeatures(load(bn('fixed<6, 3>', 0.8125)), { part: 'ice40up5k' }).critical;
    expect(narrow.adders).toBe(1);
    expect(narrow.levels).toBe(2);
    // A negated shift (−0.5) and the offset are one subtraction from a constant: one chain.
    expect(networkFeatures(load(bn('fixed<6, 3>', -0.5)), { part: 'ice40up5k' }).critical.adders).toBe(1);
    // Wider inputs: a tree of adder instances (a chain per level), then the offset's chain.
    const wide = networkFeatures(load(bn('fixed<12, 6>', 0.8125)), { part: 'ice40up5k' }).critical;
    expect(wide.adders).toBe(3);
  });
});

describe('path levels', () => {
  const one = (input: string, layer: string) => `target xc7a100t clock 10ns
network n {
  io parallel
  input x : ${input}[1]
  ${layer}
  output y
}
`;
  it('of a constant `*` of a narrow input on iCE40 are a carry-save tree and a carry chain too, not one table level (n02)', () => {
    // leaky_relu(x, 0.3): α = 19661 · 2^−16 is a `*` (the plan's DSP); synth_ice40 builds x · 19661 of a 3-bit x with
    // a 12-step carry chain and three LUT levels (nextpnr).
    const p = networkFeatures(load(one('fixed<3, 1>', 'y = leaky_relu(x, 0.3) : fixed<10, 3>')), { part: 'ice40up5k' }).critical;
    expect(p.adders).toBe(1);
    expect(p.levels).toBeGreaterThanOrEqual(4);
  });
  it('run through the other products of the same input when several one-expression products read it (shared)', () => {
    // A 6-bit input times 4-digit weights: each product one expression, which abc merges with the others of the input.
    const dense = (w: string) => networkFeatures(load(one('fixed<6, 3, RND, SAT>', `y = dense(x, ${w.split(',').length}) { weight: fixed<8, 1, RND, SAT> = [[${w}]] } : fixed<8, 3, RND, SAT>`)), { part: 'ice40up5k' }).critical;
    expect(dense('-0.6171875').shared).toBe(0);
    expect(dense('-0.6171875, 0.3359375').shared).toBe(1);
    // Twice the same weight is one product (mac.ts builds each input and weight once); shifts are wires.
    expect(dense('-0.6171875, -0.6171875').shared).toBe(0);
    expect(dense('0.5, 0.25').shared).toBe(0);
    // log2 of the products: four weights of one input, 2.
    expect(dense('-0.6171875, 0.3359375, -0.5546875, 0.4453125').shared).toBe(2);
    // Two layers reading the input build two such products each (c209_branch): four.
    const branch = `target xc7a100t clock 10ns
network n {
  io parallel
  input x : fixed<6, 3, RND, SAT>[1]
  a = dense(x, 2) { weight: fixed<8, 1, RND, SAT> = [[-0.6171875, 0.3359375]] } : fixed<8, 3, RND, SAT>
  b = dense(x, 2) { weight: fixed<8, 1, RND, SAT> = [[-0.5546875, 0.4453125]] } : fixed<8, 3, RND, SAT>
  y = add(a, b) : fixed<9, 4>
  output y
}
`;
    expect(networkFeatures(load(branch), { part: 'ice40up5k' }).critical.shared).toBe(2);
  });
  it('of a constant `*` in logic are a carry-save tree and one carry chain, not a multiplier of two variables', () => {
    // 16 bits × −83 (8 bits): the plan for the xc7 target makes it a `*` (a DSP), which synth_ice40 maps to logic
    // (the calibration synthesizes every network's Verilog with both flows).
    const f = networkFeatures(load(one('fixed<16, 8>', 'y = dense(x, 1) { weight: fixed<8, 1> = [[-1.296875]] } : fixed<24, 10>')), { part: 'ice40up5k' });
    expect(f.features.lutMulBits).toBeGreaterThan(0);
    expect(f.critical.mulBits).toBe(0);
    expect(f.critical.adders).toBeGreaterThanOrEqual(1);
    // Rows of an 8-bit constant: log2(8) = 3 carry-save levels.
    expect(f.critical.levels).toBe(3);
  });
  it('of a saturating cast grow with the bits it drops: an all-equal test 4 bits a level, then the select', () => {
    const sat = (w: number) => networkFeatures(load(one('fixed<16, 8>', `y = linear(x) : fixed<${w}, ${w - 8}, TRN, SAT>`)), { part: 'ice40up5k' }).critical.levels;
    // 16 → 15 bits: the top 2 bits (1 level) then the select; 16 → 12: 5 bits (2 levels); 16 → 4: 13 bits (2 levels).
    expect(sat(15)).toBe(2);
    expect(sat(12)).toBe(3);
    expect(sat(4)).toBe(3);
  });
  it('of average pooling are its chain of n − 1 adders (it once counted n)', () => {
    const pool = (n: number) =>
      networkFeatures(
        load(`target xc7a100t clock 10ns
network n {
  io parallel
  input x : fixed<8, 3>[${n}, 2]
  y = global_avgpool1d(x) { accum: fixed<12, 7> } : fixed<12, 7>
  output y
}
`),
        { part: 'ice40up5k' },
      ).critical.adders;
    expect(pool(2)).toBe(1);
    expect(pool(4)).toBe(3);
    expect(pool(8)).toBe(7);
  });
});
