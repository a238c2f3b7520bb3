// The seeded differential test of the hardware backends: random networks (random layer stacks and widths, every
// quantization and overflow mode, reuse factors, io parallel and io stream, dense, table, convolution and pooling
// layers) × 1,000 vectors each run through the bit-accurate simulator, the generated Verilog (iverilog, and Verilator
// for every fourth network) and the generated HLS C++ (g++ with QNN Studio's ap_fixed.h), through the same code path
// as `qnn sim --rtl … --hls`: one project per network, all vectors in one simulation. Every output value must agree
// bit for bit; a disagreement prints a reproducer (the .qnn text and the input vector, also written to files, and the
// command that replays it). Types follow the data's range so that outputs vary (checked), with random slack so that
// casts round, saturate and wrap. Set QNN_DIFF_SEED to explore other networks, QNN_DIFF_NETWORKS for more of them.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { formatFixedType, isValidReuse, OVERFLOW_MODES, QUANT_MODES, seededUniform, valueRange, type FixedType, type NetworkModel, type OverflowMode, type QuantMode } from '@qnn/language';
import { rawsToDoubles, simulateSync, type SimulationInputs } from '../src/index.js';
import { coSimulate, requireCosimTools, type CosimReport } from '../src/cosim/index.js';
import { network, RandomSource, rng } from './helpers.js';

const SEED = Number(process.env.QNN_DIFF_SEED ?? 20261122);
const NETWORKS = Number(process.env.QNN_DIFF_NETWORKS ?? 24);
const VECTORS = 1000;
/** The families of random networks, in turn. io stream networks use the dense and convolution stacks. */
const FAMILIES = ['dense', 'table', 'conv', 'stream-dense', 'stream-conv'] as const;
type Family = (typeof FAMILIES)[number];

class Gen extends RandomSource {
  private seedCounter = 1;
  private placeholders = 0;
  /** A result type chosen later from the layer's measured values (resolveTypes). */
  result(layer: string): string {
    return `@R${this.placeholders++}:${layer}@`;
  }
  /** An accumulator type chosen later from the layer's measured sums. */
  accum(layer: string): string {
    return `@A${this.placeholders++}:${layer}@`;
  }
  /**
   * A type for `values`: integer bits from their largest magnitude plus random slack (−1 makes the largest values
   * saturate or wrap), fractional bits enough for about 2^5 … 2^9 steps over the range; signed when a value is
   * negative (and sometimes anyway); every quantization and overflow mode.
   */
  fromValues(values: Float64Array, accum: boolean): FixedType {
    let max = 0;
    let neg = false;
    for (const v of values) {
      if (Math.abs(v) > max) max = Math.abs(v);
      if (v < 0) neg = true;
    }
    if (max === 0) max = 1;
    const signed = neg || this.rnd() < 0.15;
    const top = Math.ceil(Math.log2(max * (1 + 2 ** -20)));
    const slack = accum ? this.pick([-1, 0, 1, 1, 2]) : this.pick([-1, 0, 0, 0, 1]);
    const intBits = top + (signed ? 1 : 0) + slack;
    const frac = Math.max(1, 5 - top) + this.int(0, 4) + (accum ? this.int(0, 3) : 0);
    return { signed, width: Math.max(signed ? 2 : 1, intBits + frac), intBits, ...this.modes() };
  }
  modes(): { quant: QuantMode; overflow: OverflowMode } {
    const quant: QuantMode = this.rnd() < 0.25 ? 'TRN' : this.pick(QUANT_MODES);
    const overflow: OverflowMode = this.rnd() < 0.3 ? 'WRAP' : this.pick(OVERFLOW_MODES);
    return { quant, overflow };
  }
  /** A type for values of magnitude about 2^mag: integer bits around mag (+ sign) + slack, fracMin … fracMax fractional bits. */
  around(mag: number, slack: number, fracMin: number, fracMax: number, signed = this.rnd() < 0.8): FixedType {
    const intBits = Math.max(-3, Math.round(mag) + (signed ? 1 : 0) + slack);
    const frac = this.int(fracMin, fracMax);
    const width = Math.max(signed ? 2 : 1, intBits + frac);
    return { signed, width, intBits, ...this.modes() };
  }
  /** Weights: seeded values in [-scale, scale) snapped to the type, with some zeros. */
  weights(t: FixedType, scale: number): string {
    const r = valueRange(t);
    const s = Math.max(2 ** -(t.width - t.intBits), Math.min(scale, r.max, t.signed ? -r.min : r.max));
    const sparsity = this.pick([0, 0, 0.1, 0.3]);
    return `random(seed: ${this.seedCounter++}, scale: ${+s.toPrecision(6)}${sparsity ? `, sparsity: ${sparsity}` : ''})`;
  }
}

const spell = (t: FixedType) => formatFixedType(t);

interface Stack {
  readonly lines: string[];
  prev: string;
  shape: number[];
  /** log2 of the values' typical magnitude. */
  mag: number;
  n: number;
}

function reuseAttr(g: Gen, nIn: number, nOut: number): string[] {
  if (g.rnd() < 0.6) return [];
  const valid = Array.from({ length: 15 }, (_, i) => i + 2).filter((r) => isValidReuse(nIn, nOut, r));
  return valid.length ? [`    reuse: ${g.pick(valid)}`] : [];
}

function activation(g: Gen, s: Stack, name: string, tables: boolean): void {
  const u = g.rnd();
  const t = () => g.result(name);
  if (tables && u < 0.3) {
    const fn = g.pick(['sigmoid', 'tanh']);
    const attrs = [...(g.rnd() < 0.8 ? [`table: ${2 ** g.int(4, 10)}`] : []), ...(g.rnd() < 0.6 ? [`table_type: ${spell(g.around(0, g.int(0, 2), 4, 12, fn === 'tanh' || g.rnd() < 0.5))}`] : [])];
    s.lines.push(`  ${name} = ${fn}(${s.prev})${attrs.length ? ` { ${attrs.join(', ')} }` : ''} : ${spell(g.around(0, g.int(0, 1), 4, 10, fn === 'tanh' || g.rnd() < 0.5))}`);
    s.mag = -1;
  } else if (u < 0.55) s.lines.push(`  ${name} = relu(${s.prev}) : ${t()}`);
  else if (u < 0.65) s.lines.push(`  ${name} = relu6(${s.prev}) : ${t()}`);
  else if (u < 0.8) s.lines.push(`  ${name} = leaky_relu(${s.prev}, ${g.pick([0.1, 0.3, -0.5, 0.25])}) : ${t()}`);
  else if (u < 0.9) s.lines.push(`  ${name} = linear(${s.prev}) : ${t()}`);
  else s.lines.push(`  ${name} = relu(${s.prev})`);
  s.prev = name;
}

function dense(g: Gen, s: Stack, name: string, units: number): void {
  const n = s.shape.reduce((a, b) => a * b, 1);
  const w = g.around(g.int(-1, 0), 0, 3, 7, g.rnd() < 0.9);
  const scale = g.pick([0.5, 1]);
  const sumMag = s.mag + Math.log2(scale) - 1 + Math.log2(n) / 2;
  s.lines.push(
    `  ${name} = dense(${s.prev}, ${units}) {`,
    `    weight: ${spell(w)} = ${g.weights(w, scale)}`,
    ...(g.rnd() < 0.8 ? [(() => { const b = g.around(s.mag - 1, g.int(0, 1), 3, 8, true); return `    bias: ${spell(b)} = ${g.weights(b, 2 ** (s.mag - 1))}`; })()] : []),
    // Accumulators sometimes one bit too narrow: they saturate or wrap on some vectors.
    ...(g.rnd() < 0.8 ? [`    accum: ${g.accum(name)}`] : []),
    ...reuseAttr(g, n, units),
    `  } : ${g.result(name)}`,
  );
  s.prev = name;
  s.shape = [units];
  s.mag = Math.max(-1, Math.round(sumMag));
}

/** dense / activation blocks with residual adds and concats; tables (sigmoid, tanh, batchnorm, softmax) when asked. */
function denseStack(g: Gen, s: Stack, tables: boolean, merges: boolean): void {
  const depth = g.int(1, 3);
  const earlier: { name: string; n: number }[] = [];
  for (let k = 0; k < depth; k++) {
    const units = g.int(2, 10);
    dense(g, s, `d${k}`, units);
    if (tables && g.rnd() < 0.35) {
      const st = g.around(0, g.int(0, 1), 3, 8, g.rnd() < 0.85);
      const ot = g.around(s.mag, g.int(0, 1), 3, 8, true);
      s.lines.push(`  bn${k} = batchnorm(${s.prev}) {`, `    scale: ${spell(st)} = ${g.weights(st, 1)}`, `    bias: ${spell(ot)} = ${g.weights(ot, 2 ** s.mag)}`, `  } : ${g.result(`bn${k}`)}`);
      s.prev = `bn${k}`;
    }
    const dk = s.prev;
    activation(g, s, `a${k}`, tables);
    const m = g.rnd();
    if (merges && m < 0.2 && !s.prev.startsWith('bn')) {
      s.lines.push(`  s${k} = add(${s.prev}, ${dk}) : ${g.result(`s${k}`)}`);
      s.prev = `s${k}`;
    } else if (merges && m < 0.4 && earlier.length) {
      const e = g.pick(earlier);
      s.lines.push(`  j${k} = concat(${s.prev}, ${e.name}) : ${g.result(`j${k}`)}`);
      s.prev = `j${k}`;
      s.shape = [s.shape[0] + e.n];
    }
    earlier.push({ name: s.prev, n: s.shape[0] });
  }
  if (tables && g.rnd() < 0.6) {
    const units = g.int(2, 6);
    dense(g, s, 'logits', units);
    const attrs = [
      `table: ${2 ** g.int(5, 10)}`,
      ...(g.rnd() < 0.7 ? [`implementation: ${g.pick(['stable', 'latency'])}`] : []),
      ...(g.rnd() < 0.7 ? [`exp_table: ${spell(g.around(g.rnd() < 0.5 ? 1 : 5, g.int(-1, 1), 4, 12, g.rnd() < 0.7))}`] : []),
      ...(g.rnd() < 0.7 ? [`inv_table: ${spell(g.around(g.int(0, 3), g.int(-1, 1), 4, 12, g.rnd() < 0.5))}`] : []),
    ];
    s.lines.push(`  sm = softmax(${s.prev}) { ${attrs.join(', ')} } : ${spell(g.around(0, g.int(-1, 1), 4, 14, g.rnd() < 0.5))}`);
    s.prev = 'sm';
  }
}

/** A convolution (1-D or 2-D, regular or depthwise), an activation, maybe pooling, then flatten and dense. */
function convStack(g: Gen, s: Stack): void {
  const two = s.shape.length === 3;
  const C = s.shape[s.shape.length - 1];
  const dims = s.shape.slice(0, -1);
  const d = two ? '2d' : '1d';
  const depthwise = g.rnd() < 0.3;
  const kernel = dims.map((x) => g.int(1, Math.min(3, x)));
  const stride = kernel.map(() => (g.rnd() < 0.75 ? 1 : 2));
  const padding = g.pick(['valid', 'same']);
  const ints = (xs: number[]) => (two ? `[${xs.join(', ')}]` : String(xs[0]));
  const w = g.around(-1, 0, 3, 6, true);
  const taps = kernel.reduce((a, b) => a * b, 1) * (depthwise ? 1 : C);
  const sumMag = s.mag - 2 + Math.log2(taps) / 2;
  const filters = depthwise ? C * g.int(1, 2) : g.int(1, 4);
  const out = dims.map((x, i) => (padding === 'same' ? Math.ceil(x / stride[i]) : Math.floor((x - kernel[i]) / stride[i]) + 1));
  s.lines.push(
    depthwise
      ? `  c0 = depthwise_conv${d}(${s.prev}, ${ints(kernel)}, stride: ${ints(stride)}, padding: ${padding}${filters > C ? `, multiplier: ${filters / C}` : ''}) {`
      : `  c0 = conv${d}(${s.prev}, ${filters}, ${ints(kernel)}, stride: ${ints(stride)}, padding: ${padding}) {`,
    `    weight: ${spell(w)} = ${g.weights(w, 0.5)}`,
    ...(g.rnd() < 0.7 ? [(() => { const b = g.around(s.mag - 1, 0, 3, 6, true); return `    bias: ${spell(b)} = ${g.weights(b, 2 ** (s.mag - 2))}`; })()] : []),
    ...(g.rnd() < 0.7 ? [`    accum: ${g.accum('c0')}`] : []),
    ...(!depthwise ? reuseAttr(g, taps, filters) : []),
    `  } : ${g.result('c0')}`,
  );
  s.prev = 'c0';
  s.shape = [...out, filters];
  s.mag = Math.max(-1, Math.round(sumMag));
  activation(g, s, 'ca', false);
  const p = g.rnd();
  if (p < 0.35 && out.every((x) => x >= 2)) {
    const kind = g.pick(['max', 'avg']);
    s.lines.push(`  p0 = ${kind}pool${d}(${s.prev}, pool: ${ints(out.map(() => 2))}, padding: ${g.pick(['valid', 'same'])})${kind === 'avg' && g.rnd() < 0.5 ? ` { accum: ${g.accum('p0')} }` : ''} : ${g.result('p0')}`);
    s.prev = 'p0';
    s.shape = [...out.map((x) => Math.ceil(x / 2)), filters]; // same padding; valid is floor (only the size of the dense below depends on it)
  } else if (p < 0.55) {
    const kind = g.pick(['max', 'avg']);
    s.lines.push(`  p0 = global_${kind}pool${d}(${s.prev})${kind === 'avg' && g.rnd() < 0.5 ? ` { accum: ${g.accum('p0')} }` : ''} : ${g.result('p0')}`);
    s.prev = 'p0';
    s.shape = [filters];
  }
  if (s.shape.length > 1) {
    s.lines.push(`  f0 = flatten(${s.prev})`);
    s.prev = 'f0';
  }
  // dense() reads the element count from the shape; pooling shapes above may be approximate, so use the checker's.
  s.shape = [-1];
}

/** The source of random network `index` of the given family. */
function randomNetwork(index: number, family: Family): string {
  const g = new Gen(rng((SEED + index * 7919) >>> 0));
  const name = `n${index}`;
  const stream = family.startsWith('stream');
  const conv = family.endsWith('conv');
  const mag = g.int(0, 3);
  const inType = g.around(mag, 0, 3, 8, g.rnd() < 0.85);
  const shape = conv ? (g.rnd() < 0.5 ? [g.int(4, 10), g.int(1, 3)] : [g.int(3, 6), g.int(3, 6), g.int(1, 2)]) : [g.int(2, 12)];
  const s: Stack = { lines: [`network ${name} {`, `  io ${stream ? 'stream' : 'parallel'}`, `  input x : ${spell(inType)}[${shape.join(', ')}]`], prev: 'x', shape, mag, n: 0 };
  if (conv) {
    convStack(g, s);
    // The flattened size is not tracked exactly: the dense after it is written with the checker's shape (below).
    s.lines.push('  @DENSE@');
  } else denseStack(g, s, family === 'table', !stream);
  s.lines.push(`  output ${s.prev}`, `}`);
  let src = s.lines.join('\n');
  if (conv) {
    // Ask the checker for the flattened size, then write the final dense layer.
    const probe = network(wide(src.replace('  @DENSE@\n', '')));
    const n = probe.node(s.prev)!.tensor.shape.reduce((a, b) => a * b, 1);
    const last: Stack = { lines: [], prev: s.prev, shape: [n], mag: s.mag, n: 0 };
    dense(g, last, 'out', g.int(2, 6));
    src = src.replace('  @DENSE@', last.lines.join('\n')).replace(`  output ${s.prev}\n}`, '  output out\n}');
  }
  return resolveTypes(g, src, index);
}

/** A type wide enough for every probe value (each placeholder not resolved yet). */
const WIDE = 'fixed<34, 17>';
const PLACEHOLDER = /@([RA])\d+:(\w+)@/;
const wide = (src: string) => src.replace(new RegExp(PLACEHOLDER.source, 'g'), WIDE);

/**
 * Chooses the types from the data's range: in order, each placeholder becomes a type fitted to the values its layer
 * computes (with the types chosen so far and wide ones for the rest) on seeded inputs spanning the input type.
 */
function resolveTypes(g: Gen, src: string, index: number): string {
  for (;;) {
    const m = PLACEHOLDER.exec(src);
    if (!m) return src;
    const net = network(wide(src));
    const res = simulateSync(net, inputsFor(net, 300, SEED + 7 * index + 1), { keepLayers: true });
    const layer = res.layers.get(m[2]);
    if (!layer?.tensor) throw new Error(`internal: no values for ${m[2]}`);
    src = src.replace(m[0], spell(g.fromValues(rawsToDoubles(layer.tensor), m[1] === 'A')));
  }
}

function inputsFor(net: NetworkModel, rows: number, seed: number): SimulationInputs {
  return new Map(
    net.inputs.map((i) => {
      const size = i.tensor.shape.reduce((a, b) => a * b, 1);
      const u = seededUniform(seed, `${net.name}/${i.name}`, rows * size);
      const r = valueRange(i.tensor.type);
      const mid = (r.min + r.max) / 2;
      const half = ((r.max - r.min) / 2) * 1.05;
      return [i.name, { rows, data: u.map((v) => mid + v * half) }] as const;
    }),
  );
}

interface Case {
  readonly index: number;
  readonly family: Family;
  readonly src: string;
  readonly net: NetworkModel;
  readonly inputs: SimulationInputs;
  readonly rtl: 'iverilog' | 'verilator';
  /** Distinct output vectors among the VECTORS (the outputs must vary). */
  readonly distinct: number;
  /** Values wrapped and saturated in any cast of any layer (the overflow logic is exercised). */
  readonly wrapped: number;
  readonly saturated: number;
  report?: CosimReport;
  error?: string;
}

const reproDir = mkdtempSync(join(tmpdir(), 'qnn-diff-repro-'));

/** The reproducer of a disagreement: the .qnn text and the input vector, printed and written to files. */
function reproducer(c: Case): string {
  const r = c.report!;
  const m = [...(r.rtl?.firstMismatches ?? []), ...(r.hls?.firstMismatches ?? [])][0];
  const sample = m?.sample ?? 0;
  const dir = join(reproDir, `n${c.index}`);
  mkdirSync(dir, { recursive: true });
  const input = c.net.inputs[0];
  const size = input.tensor.shape.reduce((a, b) => a * b, 1);
  const row = Array.from(c.inputs.get(input.name)!.data.subarray(sample * size, (sample + 1) * size));
  writeFileSync(join(dir, 'repro.qnn'), c.src + '\n');
  writeFileSync(join(dir, 'input.csv'), row.map((v) => String(v)).join(',') + '\n');
  return [
    `network ${c.index} (${c.family}, QNN_DIFF_SEED=${SEED}): the hardware differs from the simulator.`,
    `RTL (${c.rtl}): ${r.rtl?.bitExact ? 'bit-exact' : `${r.rtl?.mismatches} values differ`}; HLS C++: ${r.hls?.bitExact ? 'bit-exact' : `${r.hls?.mismatches} values differ`}.`,
    `First: ${m ? `sample ${m.sample}, ${m.element ?? m.output}: expected ${m.expected}, got ${m.got}` : '(none listed)'}`,
    `--- repro.qnn ---`,
    c.src,
    `--- input vector (sample ${sample}) of ${input.name} ${JSON.stringify(input.tensor.shape)} ---`,
    JSON.stringify(row),
    `--- replay ---`,
    `npx qnn sim ${join(dir, 'repro.qnn')} --inputs ${join(dir, 'input.csv')} --rtl ${c.rtl} --hls`,
  ].join('\n');
}

async function pool<T>(jobs: (() => Promise<T>)[], limit: number): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, jobs.length) }, async () => {
      while (next < jobs.length) await jobs[next++]();
    }),
  );
}

describe(`differential: simulator = Verilog = HLS C++ on ${NETWORKS} random networks × ${VECTORS} vectors (seed ${SEED})`, () => {
  const cases: Case[] = [];
  for (let i = 0; i < NETWORKS; i++) {
    const family = FAMILIES[i % FAMILIES.length];
    const src = randomNetwork(i, family);
    const net = network(src);
    const inputs = inputsFor(net, VECTORS, SEED + i);
    const sim = simulateSync(net, inputs, { keepLayers: true });
    const out = sim.outputs;
    const layers = [...sim.layers.values()];
    const wrapped = layers.reduce((a, l) => a + l.overflow.wrapped, 0);
    const saturated = layers.reduce((a, l) => a + l.overflow.saturated, 0);
    const rowsOf = [...out.values()].map((t) => {
      const n = t.data.length / t.rows;
      return Array.from({ length: t.rows }, (_, r) => Array.from(t.data.slice(r * n, (r + 1) * n) as ArrayLike<number | bigint>, String).join(','));
    });
    const distinct = new Set(rowsOf[0].map((_, r) => rowsOf.map((x) => x[r]).join('|'))).size;
    cases.push({ index: i, family, src, net, inputs, rtl: i % 4 === 3 ? 'verilator' : 'iverilog', distinct, wrapped, saturated });
  }

  beforeAll(async () => {
    requireCosimTools({ rtl: 'iverilog', hls: true });
    requireCosimTools({ rtl: 'verilator' });
    await pool(
      cases.map((c) => async () => {
        try {
          c.report = await coSimulate({ net: c.net, source: `differential-n${c.index}.qnn`, inputs: c.inputs, rows: VECTORS, vectorSource: `seeded, seed ${SEED + c.index}`, rtl: c.rtl, hls: true });
        } catch (e) {
          c.error = `${(e as { code?: string }).code ?? ''} ${(e as Error).message}`;
        }
      }),
      2,
    );
  }, 1_200_000);

  it('the random networks cover the layers, modes, reuse factors and io styles, and their outputs vary', () => {
    const text = cases.map((c) => c.src).join('\n');
    for (const op of ['dense(', 'relu(', 'relu6(', 'leaky_relu(', 'linear(', 'sigmoid(', 'tanh(', 'softmax(', 'batchnorm(', 'add(', 'concat(', 'flatten(', 'reuse:', 'io parallel', 'io stream', 'conv1d(', 'conv2d(', 'pool']) {
      expect(text, `no random network uses ${op}`).toContain(op);
    }
    for (const q of QUANT_MODES.filter((m) => m !== 'TRN')) expect(text).toContain(`, ${q}`);
    for (const o of OVERFLOW_MODES.filter((m) => m !== 'WRAP')) expect(text).toContain(`, ${o}>`);
    expect(text).toMatch(/fixed<\d+, -?\d+, TRN, /);
    expect(text).toMatch(/fixed<\d+, -?\d+>/); // TRN, WRAP
    const varied = cases.filter((c) => c.distinct >= VECTORS / 10);
    console.log(`differential: distinct output vectors per network (of ${VECTORS}): ${cases.map((c) => c.distinct).join(' ')}`);
    expect(varied.length, `networks with near-constant outputs: ${cases.filter((c) => !varied.includes(c)).map((c) => c.index).join(', ')}`).toBeGreaterThanOrEqual(Math.ceil(NETWORKS * 0.8));
    expect(cases.filter((c) => c.rtl === 'verilator').length).toBeGreaterThanOrEqual(Math.floor(NETWORKS / 4));
    console.log(`differential: values wrapped in ${cases.filter((c) => c.wrapped > 0).length} networks, saturated in ${cases.filter((c) => c.saturated > 0).length}`);
    expect(cases.filter((c) => c.wrapped > 0).length).toBeGreaterThanOrEqual(3);
    expect(cases.filter((c) => c.saturated > 0).length).toBeGreaterThanOrEqual(3);
  });

  for (let i = 0; i < NETWORKS; i++) {
    it(`network ${i} (${FAMILIES[i % FAMILIES.length]}): simulator = Verilog (${i % 4 === 3 ? 'verilator' : 'iverilog'}) = HLS C++, bit for bit`, () => {
      const c = cases[i];
      if (c.error) throw new Error(`network ${i} (${c.family}) could not be co-simulated: ${c.error}\n--- the network ---\n${c.src}`);
      const r = c.report!;
      if (!r.bitExact) throw new Error(reproducer(c));
      expect(r.rtl!.vectors).toBe(VECTORS);
      expect(r.hls!.vectors).toBe(VECTORS);
      if (c.net.io === 'parallel') {
        // The testbench measures what the design declares (the plan's latency and II).
        expect(r.rtl!.latencyCycles).toBe(r.rtl!.designLatencyCycles);
        expect(r.rtl!.ii).toBe(r.rtl!.designIi);
      }
    });
  }
});
