// Seeded differential tests: on random small networks with random types and modes, the number path (with its fast
// int32 and WebAssembly kernels) equals the BigInt path bit for bit, overflow accounting included; and integer
// convolutions equal a naive reference.
import { describe, expect, it } from 'vitest';
import { formatFixedType, OVERFLOW_MODES, QUANT_MODES, valueRange, type FixedType, type QuantMode, type OverflowMode } from '@qnn/language';
import type { SimulateOptions } from '../src/index.js';
import { network, raws, run, RandomSource, rng } from './helpers.js';

class Gen extends RandomSource {
  type(minWidth: number, maxWidth: number): FixedType {
    const width = this.int(minWidth, maxWidth);
    const signed = this.rnd() < 0.7;
    const intBits = this.int(-2, Math.min(width + 3, 12));
    const quant: QuantMode = this.rnd() < 0.4 ? 'TRN' : this.pick(QUANT_MODES);
    const overflow: OverflowMode = this.rnd() < 0.4 ? 'WRAP' : this.pick(OVERFLOW_MODES);
    return { signed, width, intBits, quant, overflow };
  }
  /** Values in the type's range, some beyond (they saturate or wrap when loaded: a warning, not an error). */
  values(t: FixedType, n: number): number[] {
    const r = valueRange(t);
    return Array.from({ length: n }, () => (this.rnd() < 0.15 ? 0 : r.min + this.rnd() * (r.max - r.min)));
  }
}

const spell = (t: FixedType) => formatFixedType(t);

/** A literal of the given shape from row-major values. */
function literal(values: number[], shape: number[]): string {
  if (shape.length === 1) return `[${values.map(String).join(', ')}]`;
  const inner = shape.slice(1).reduce((a, b) => a * b, 1);
  return `[${Array.from({ length: shape[0] }, (_, i) => literal(values.slice(i * inner, (i + 1) * inner), shape.slice(1))).join(', ')}]`;
}

/** Compares every layer of two runs; on a difference, fails with the network source as the reproducer. */
function expectSame(src: string, rows: Record<string, number[][]>, a: SimulateOptions, b: SimulateOptions): void {
  const net = network(src);
  const x = run(net, rows, { ...a, keepLayers: true });
  const y = run(net, rows, { ...b, keepLayers: true });
  for (const [name, l] of x.layers) {
    const m = y.layers.get(name)!;
    const same = raws(l.tensor).join() === raws(m.tensor).join() && JSON.stringify(l.overflow) === JSON.stringify(m.overflow);
    if (!same) {
      expect.fail(
        `layer ${name} differs (${JSON.stringify(a)} vs ${JSON.stringify(b)}):\n  ${raws(l.tensor)}\n  ${raws(m.tensor)}\n  ${JSON.stringify(l.overflow)}\n  ${JSON.stringify(m.overflow)}\ninputs ${JSON.stringify(rows)}\n${src}`,
      );
    }
  }
}

/** A random dense/relu stack (with an occasional leaky_relu, batchnorm, sigmoid or softmax). */
function denseStack(g: Gen): { src: string; rows: Record<string, number[][]> } {
  const wide = g.rnd() < 0.15; // some layers then need the BigInt path on the number run too
  const inType = g.type(2, 16);
  let n = g.int(1, 12);
  const n0 = n;
  const lines = [`network r {`, `  input x : ${spell(inType)}[${n}]`];
  let prev = 'x';
  const depth = g.int(1, 4);
  for (let k = 0; k < depth; k++) {
    const units = g.int(1, 12);
    const w = g.type(2, 14);
    const b = g.type(2, 16);
    // Narrow accumulators overflow often; wide ones may not fit 53 bits.
    const acc = g.rnd() < 0.5 ? g.type(4, 14) : wide ? g.type(40, 70) : g.type(14, 30);
    const res = g.type(3, 18);
    lines.push(
      `  d${k} = dense(${prev}, ${units}) {`,
      `    weight: ${spell(w)} = ${literal(g.values(w, n * units), [n, units])}`,
      `    bias: ${spell(b)} = ${literal(g.values(b, units), [units])}`,
      `    accum: ${spell(acc)}`,
      `  } : ${spell(res)}`,
    );
    prev = `d${k}`;
    const act = g.rnd();
    if (act < 0.5) lines.push(`  a${k} = relu(${prev}) : ${spell(g.type(2, 16))}`);
    else if (act < 0.6) lines.push(`  a${k} = leaky_relu(${prev}, ${g.pick([0.1, 0.3, -0.5, 1.5])}) : ${spell(g.type(2, 16))}`);
    else if (act < 0.7) {
      const s = g.type(3, 12);
      lines.push(`  a${k} = batchnorm(${prev}) {`, `    scale: ${spell(s)} = ${literal(g.values(s, units), [units])}`, `    bias: ${spell(s)} = ${literal(g.values(s, units), [units])}`, `  } : ${spell(g.type(2, 16))}`);
    } else if (act < 0.8) lines.push(`  a${k} = sigmoid(${prev}) { table: ${g.pick([16, 64, 1024])}  table_type: ${spell(g.type(4, 18))} } : ${spell(g.type(2, 16))}`);
    else lines.push(`  a${k} = relu6(${prev}) : ${spell(g.type(2, 16))}`);
    prev = `a${k}`;
    n = units;
  }
  if (g.rnd() < 0.4) {
    lines.push(`  p = softmax(${prev}) { table: ${g.pick([8, 256, 1024])}  exp_table: ${spell(g.type(6, 20))}  inv_table: ${spell(g.type(6, 20))}  implementation: ${g.pick(['stable', 'latency'])} } : ${spell(g.type(4, 18))}`);
    prev = 'p';
  }
  lines.push(`  output ${prev}`, `}`);
  const r = valueRange(inType);
  const rows = { x: Array.from({ length: g.int(1, 9) }, () => Array.from({ length: n0 }, () => r.min * 1.2 + g.rnd() * (r.max - r.min) * 1.2)) };
  return { src: lines.join('\n'), rows };
}

/** A random convolution or pooling layer over a small 1-D or 2-D input. */
function convLayer(g: Gen, integer: boolean): { src: string; rows: Record<string, number[][]>; shape: number[]; op: string; weights: number[]; kernel: number[]; stride: number[]; padding: string; multiplier: number; filters: number } {
  const spatial = g.pick([1, 2]);
  const dims = Array.from({ length: spatial }, () => g.int(1, 6));
  const C = g.int(1, 3);
  const shape = [...dims, C];
  const op = g.pick(spatial === 1 ? ['conv1d', 'depthwise_conv1d', 'avgpool1d', 'maxpool1d', 'global_avgpool1d'] : ['conv2d', 'depthwise_conv2d', 'avgpool2d', 'maxpool2d', 'global_maxpool2d']);
  const padding = g.pick(['valid', 'same']);
  const kernel = dims.map((d) => g.int(1, padding === 'same' ? 4 : d));
  const stride = dims.map(() => g.int(1, 3));
  const filters = g.int(1, 3);
  const multiplier = g.int(1, 2);
  const inType = integer ? { signed: true, width: 8, intBits: 8, quant: 'TRN' as const, overflow: 'WRAP' as const } : g.type(3, 14);
  const ks = `[${kernel.join(', ')}]`;
  const st = `[${stride.join(', ')}]`;
  let layer: string;
  let weights: number[] = [];
  if (op.includes('conv')) {
    const depthwise = op.startsWith('depthwise');
    const wShape = [...kernel, C, depthwise ? multiplier : filters];
    const wt = integer ? { signed: true, width: 6, intBits: 6, quant: 'TRN' as const, overflow: 'WRAP' as const } : g.type(2, 12);
    weights = integer ? Array.from({ length: wShape.reduce((a, b) => a * b, 1) }, () => g.int(-20, 20)) : g.values(wt, wShape.reduce((a, b) => a * b, 1));
    const acc = integer ? 'int<32>' : spell(g.rnd() < 0.5 ? g.type(4, 14) : g.type(14, 30));
    const res = integer ? 'int<32>' : spell(g.type(3, 18));
    const args = depthwise ? `${ks}, stride: ${st}, padding: ${padding}, multiplier: ${multiplier}` : `${filters}, ${ks}, stride: ${st}, padding: ${padding}`;
    layer = `  y = ${op}(x, ${args}) {\n    weight: ${spell(wt)} = ${literal(weights, wShape)}\n    accum: ${acc}\n  } : ${res}`;
  } else if (op.startsWith('global')) {
    layer = `  y = ${op}(x) : ${integer ? 'fixed<40, 30, RND>' : spell(g.type(3, 18))}`;
  } else {
    const accum = op.startsWith('avg') && !integer && g.rnd() < 0.5 ? ` { accum: ${spell(g.type(4, 16))} }` : '';
    layer = `  y = ${op}(x, ${ks}, stride: ${st}, padding: ${padding})${accum} : ${integer ? 'fixed<40, 30, RND>' : spell(g.type(3, 18))}`;
  }
  const src = `network r {\n  input x : ${spell(inType)}[${shape.join(', ')}]\n${layer}\n  output y\n}`;
  const r = valueRange(inType);
  const size = shape.reduce((a, b) => a * b, 1);
  const rows = { x: Array.from({ length: g.int(1, 5) }, () => Array.from({ length: size }, () => (integer ? g.int(-100, 100) : r.min * 1.2 + g.rnd() * (r.max - r.min) * 1.2))) };
  return { src, rows, shape, op, weights, kernel, stride, padding, multiplier, filters };
}

describe('number path = BigInt path', () => {
  it('on 300 random dense/relu stacks (with tables, batchnorm, softmax)', () => {
    const g = new Gen(rng(2024));
    for (let i = 0; i < 300; i++) {
      const { src, rows } = denseStack(g);
      expectSame(src, rows, {}, { forceBigInt: true });
    }
  });
  it('on the same stacks without WebAssembly (the int32 JavaScript kernel)', () => {
    const g = new Gen(rng(2024));
    for (let i = 0; i < 150; i++) {
      const { src, rows } = denseStack(g);
      expectSame(src, rows, { wasm: false }, { forceBigInt: true });
    }
  });
  it('on 300 random convolution and pooling layers', () => {
    const g = new Gen(rng(99));
    for (let i = 0; i < 300; i++) {
      const { src, rows } = convLayer(g, false);
      expectSame(src, rows, {}, { forceBigInt: true });
      expectSame(src, rows, { wasm: false }, { forceBigInt: true });
    }
  });
});

describe('integer convolutions and pooling equal a naive reference', () => {
  it('on 200 random layers', () => {
    const g = new Gen(rng(5));
    for (let i = 0; i < 200; i++) {
      const c = convLayer(g, true);
      const got = raws(run(network(c.src), c.rows).outputs.get('y'));
      const want = c.rows.x.flatMap((x) => naive(c, x));
      if (got.join() !== want.join()) expect.fail(`${c.src}\ninputs ${JSON.stringify(c.rows)}\ngot  ${got}\nwant ${want}`);
    }
  });
});

/** The layer computed directly from its definition (TensorFlow 'same' padding), in doubles (exact for these integers). */
function naive(c: ReturnType<typeof convLayer>, x: number[]): number[] {
  const spatial = c.shape.length - 1;
  const [H, W, C] = spatial === 1 ? [1, c.shape[0], c.shape[1]] : c.shape;
  const global = c.op.startsWith('global');
  const [KH, KW] = global ? [H, W] : spatial === 1 ? [1, c.kernel[0]] : c.kernel;
  const [SH, SW] = global ? [1, 1] : spatial === 1 ? [1, c.stride[0]] : c.stride;
  const same = !global && c.padding === 'same';
  const outDim = (n: number, k: number, s: number) => (same ? Math.ceil(n / s) : Math.floor((n - k) / s) + 1);
  const before = (n: number, k: number, s: number) => (same ? Math.floor(Math.max((outDim(n, k, s) - 1) * s + k - n, 0) / 2) : 0);
  const OH = outDim(H, KH, SH);
  const OW = outDim(W, KW, SW);
  const PT = before(H, KH, SH);
  const PL = before(W, KW, SW);
  const at = (iy: number, ix: number, ch: number) => x[(iy * W + ix) * C + ch];
  const inside = (iy: number, ix: number) => iy >= 0 && iy < H && ix >= 0 && ix < W;
  const out: number[] = [];
  for (let oy = 0; oy < OH; oy++) {
    for (let ox = 0; ox < OW; ox++) {
      const taps: [number, number, number, number][] = []; // iy, ix, ky, kx
      for (let ky = 0; ky < KH; ky++) for (let kx = 0; kx < KW; kx++) {
        const iy = oy * SH - PT + ky;
        const ix = ox * SW - PL + kx;
        if (inside(iy, ix)) taps.push([iy, ix, ky, kx]);
      }
      const widx = (ky: number, kx: number, ch: number, f: number, nf: number) => ((ky * KW + kx) * C + ch) * nf + f;
      if (c.op.startsWith('depthwise')) {
        for (let ch = 0; ch < C; ch++) for (let m = 0; m < c.multiplier; m++) out.push(taps.reduce((s, [iy, ix, ky, kx]) => s + at(iy, ix, ch) * c.weights[widx(ky, kx, ch, m, c.multiplier)], 0));
      } else if (c.op.includes('conv')) {
        for (let f = 0; f < c.filters; f++) {
          let s = 0;
          for (const [iy, ix, ky, kx] of taps) for (let ch = 0; ch < C; ch++) s += at(iy, ix, ch) * c.weights[widx(ky, kx, ch, f, c.filters)];
          out.push(s);
        }
      } else if (c.op.includes('max')) {
        for (let ch = 0; ch < C; ch++) out.push(Math.max(...taps.map(([iy, ix]) => at(iy, ix, ch))));
      } else {
        // Average, rounded half up at 2^-10 (the result type fixed<40, 30, RND>).
        for (let ch = 0; ch < C; ch++) out.push(Math.floor((taps.reduce((s, [iy, ix]) => s + at(iy, ix, ch), 0) * 1024) / taps.length + 0.5) / 1024);
      }
    }
  }
  // Raws: int<32> results (convolutions) are the values; fixed<40, 30> results (pooling) are value · 2^10.
  return c.op.includes('conv') ? out : out.map((v) => v * 1024);
}
