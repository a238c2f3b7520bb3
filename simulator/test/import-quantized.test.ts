// Quantized models: the bit-accurate simulation of the imported .qnn equals the quantized model's intended
// arithmetic on the same inputs. For QKeras that arithmetic is computed here from the model's JSON and HDF5 weights
// with QKeras's own formulas (float64, exact for these widths): quantized weights, exact sums, the activation
// quantizers; inputs lie on the grid of the input type (fixed<16, 6>, --precision), since QKeras does not quantize
// them. Every layer up to the logits must agree exactly; the final softmax is QKeras's float softmax, which the
// imported network computes with hls4ml's tables, so it is compared with a tolerance and for the top class.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rawsToDoubles, simulate } from '../src/index.js';
import { importAndCheck, kerasWeights, MODELS, seededRows } from './import-helpers.js';

const ROWS = 1000;
const TIMEOUT = 120_000;

type Quantizer = (x: number) => number;

function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  return d > 0.5 ? f + 1 : d < 0.5 ? f : f % 2 === 0 ? f : f + 1;
}

const clip = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));

/** QKeras quantizers, written from QKeras's __call__ methods. */
function quantizer(q: unknown): Quantizer {
  let name: string;
  let cfg: Record<string, unknown> = {};
  if (typeof q === 'string') {
    const m = /^(\w+)(?:\((.*)\))?$/.exec(q)!;
    name = m[1];
    const args = (m[2] ?? '').split(',').filter((s) => s.trim()).map(Number);
    const keys = name === 'quantized_relu' ? ['bits', 'integer'] : ['bits', 'integer', 'symmetric'];
    args.forEach((v, i) => (cfg[keys[i]] = v));
  } else {
    name = (q as { class_name: string }).class_name;
    cfg = (q as { config: Record<string, unknown> }).config;
  }
  const bits = Number(cfg.bits ?? 8);
  const integer = Number(cfg.integer ?? 0);
  switch (name) {
    case 'quantized_bits': {
      const keepNegative = cfg.keep_negative === false ? 0 : 1;
      const symmetric = Number(cfg.symmetric ?? 0) ? 1 : 0;
      const m = 2 ** (bits - keepNegative);
      const mi = 2 ** integer;
      return (x) => (mi * clip(roundHalfEven((x * m) / mi), keepNegative * (-m + symmetric), m - 1)) / m;
    }
    case 'quantized_relu': {
      const m = 2 ** bits;
      const mi = 2 ** integer;
      return (x) => (mi * clip(roundHalfEven((Math.max(x, 0) * m) / mi), 0, m - 1)) / m;
    }
    case 'quantized_po2': {
      // bits − 1 exponent bits; max_value ≤ 1 needs no exponent sign: exponents in [−2^(bits−1), log2(max_value)].
      const maxValue = cfg.max_value as number | undefined;
      const signBit = maxValue === undefined || maxValue === null || maxValue > 1 ? 1 : 0;
      const minExp = -(2 ** (bits - 1 - signBit));
      const maxExp = Math.min(2 ** (bits - 1 - signBit) - 1, maxValue ? Math.round(Math.log2(maxValue)) : Infinity);
      return (x) => (x < 0 ? -1 : 1) * 2 ** (Math.abs(x) < 1e-7 ? minExp : clip(roundHalfEven(Math.log2(Math.abs(x))), minExp, maxExp));
    }
    default:
      throw new Error(`test: quantizer ${name}`);
  }
}

/** Runs a chain of QKeras layers in float64; returns each layer's output by Keras layer name. */
function qkerasForward(config: { config: { layers: { class_name: string; config: Record<string, unknown> }[] } | { class_name: string; config: Record<string, unknown> }[] }, weights: Map<string, { shape: number[]; data: Float32Array }[]>, x: Float64Array, inSize: number): Map<string, { data: Float64Array; size: number }> {
  const layers = Array.isArray(config.config) ? config.config : config.config.layers;
  const out = new Map<string, { data: Float64Array; size: number }>();
  let cur = { data: x, size: inSize };
  const rows = x.length / inSize;
  for (const l of layers) {
    const c = l.config;
    const name = String(c.name);
    if (l.class_name === 'InputLayer') continue;
    if (l.class_name === 'QDense') {
      const [w, b] = weights.get(name)!;
      const qw = quantizer(c.kernel_quantizer);
      const qb = quantizer(c.bias_quantizer);
      const [K, N] = w.shape;
      const W = Array.from(w.data, qw);
      const B = Array.from(b.data, qb);
      const y = new Float64Array(rows * N);
      for (let r = 0; r < rows; r++)
        for (let j = 0; j < N; j++) {
          let s = B[j];
          for (let k = 0; k < K; k++) s += cur.data[r * K + k] * W[k * N + j];
          y[r * N + j] = s;
        }
      cur = { data: y, size: N };
    } else if (l.class_name === 'QActivation') {
      const q = quantizer(c.activation);
      cur = { data: cur.data.map(q), size: cur.size };
    } else if (l.class_name === 'Activation' && c.activation === 'softmax') {
      const y = new Float64Array(cur.data.length);
      for (let r = 0; r < rows; r++) {
        const row = cur.data.subarray(r * cur.size, (r + 1) * cur.size);
        const m = Math.max(...row);
        const e = row.map((v) => Math.exp(v - m));
        const s = e.reduce((a, b) => a + b, 0);
        y.set(e.map((v) => v / s), r * cur.size);
      }
      cur = { data: y, size: cur.size };
    } else throw new Error(`test: layer ${l.class_name}`);
    out.set(name, cur);
  }
  return out;
}

/** Seeded inputs on the grid of fixed<16, 6> (step 2^-10), within its range. */
function gridInputs(seed: number, size: number, lo: number, hi: number): Float64Array {
  return seededRows(seed, ROWS, size, lo, hi).map((v) => Math.round(v * 1024) / 1024);
}

const argmax = (a: ArrayLike<number>, from: number, n: number) => {
  let best = 0;
  for (let j = 1; j < n; j++) if (a[from + j] > a[from + best]) best = j;
  return best;
};

describe('import: QKeras models simulate bit-exactly as their quantized arithmetic', () => {
  const cases = [
    { model: 'qkeras_3layer', lo: -4, hi: 4, exact: ['fc1', 'relu1', 'fc2', 'relu2', 'fc3', 'relu3', 'output'], logits: 'output', softmax: 'softmax' },
    { model: 'qkeras_mnist_dense', lo: 0, hi: 1, exact: ['q_activation_2', 'q_dense_2', 'q_activation_3', 'q_dense_3'], logits: 'q_dense_3', softmax: 'activation_3' },
  ];
  for (const c of cases) {
    it(c.model, { timeout: TIMEOUT }, async () => {
      const json = join(MODELS, 'keras', `${c.model}.json`);
      const { net, text } = await importAndCheck({ model: json });
      // The quantizers became types: weights, activations (the first layer's type is checked as text).
      expect(text).toMatch(/RND_CONV, SAT>/);
      const input = net.inputs[0];
      const size = input.tensor.shape.reduce((a, b) => a * b, 1);
      const x = gridInputs(3, size, c.lo, c.hi);
      const sim = await simulate(net, new Map([[input.name, { rows: ROWS, data: x }]]), { keepLayers: true });
      const want = qkerasForward(JSON.parse(readFileSync(json, 'utf8')), await kerasWeights(join(MODELS, 'keras', `${c.model}_weights.h5`)), x, size);
      const simName = (k: string) => (k === 'output' ? 'output_' : k);
      for (const layer of c.exact) {
        const got = rawsToDoubles(sim.layers.get(simName(layer))!.tensor!);
        const exp = want.get(layer)!.data;
        let mismatches = 0;
        for (let i = 0; i < exp.length; i++) if (got[i] !== exp[i]) mismatches++;
        expect(`${layer}: ${mismatches} of ${exp.length} values differ`).toBe(`${layer}: 0 of ${exp.length} values differ`);
      }
      // The softmax: hls4ml's table-based softmax against QKeras's float one.
      const got = rawsToDoubles(sim.layers.get(c.softmax)!.tensor!);
      const exp = want.get(c.softmax)!;
      let worst = 0;
      let agree = 0;
      let decided = 0;
      const logits = want.get(c.logits)!.data;
      for (let r = 0; r < ROWS; r++) {
        for (let j = 0; j < exp.size; j++) worst = Math.max(worst, Math.abs(got[r * exp.size + j] - exp.data[r * exp.size + j]));
        const sorted = Array.from(logits.subarray(r * exp.size, (r + 1) * exp.size)).sort((a, b) => b - a);
        if (sorted[0] - sorted[1] < 0.25) continue; // near ties: the tables may pick either
        decided++;
        if (argmax(got, r * exp.size, exp.size) === argmax(exp.data, r * exp.size, exp.size)) agree++;
      }
      expect(agree).toBe(decided);
      expect(worst).toBeLessThan(0.05);
    });
  }
});
