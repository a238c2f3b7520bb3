// Helpers of the import tests: importing a model into a temporary folder and checking the result, seeded inputs,
// and an independent float64 evaluator of ONNX graphs (NCHW, as ONNX defines the operators) with QONNX Quant.
import { mkdtempSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import h5wasm from 'h5wasm';
import { checkProgram, type NetworkModel } from '@qnn/language';
import { importModel, nodeFileSystem, partCatalog, type ImportOptions } from '@qnn/compiler';
import { rng } from './helpers.js';

export const MODELS = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../shared/models');

export const { onnx } = createRequire(import.meta.url)('onnx-proto') as typeof import('onnx-proto');

/** Imports a model into a new temporary folder and checks the written .qnn from the disk; fails on any error. */
export async function importAndCheck(opts: Omit<ImportOptions, 'out'>): Promise<{ net: NetworkModel; qnnPath: string; text: string; warnings: string[] }> {
  const out = mkdtempSync(join(tmpdir(), 'qnn-import-'));
  const r = await importModel({ ...opts, out });
  if (!r.ok) throw new Error(r.diagnostics.map((d) => `${d.code} ${d.message}`).join('\n'));
  const program = checkProgram([r.qnnPath!], { fs: nodeFileSystem, parts: partCatalog });
  const diags = [...program.diagnostics.values()].flat();
  const errors = diags.filter((d) => d.severity === 'error');
  if (errors.length) throw new Error(errors.map((d) => `${d.code} ${d.message}`).join('\n'));
  const net = program.files.get(r.qnnPath!)!.networks.get(r.network!)!;
  return { net, qnnPath: r.qnnPath!, text: r.text!, warnings: diags.map((d) => `${d.code} ${d.message}`) };
}

/** `rows` samples of `size` values, uniform in [lo, hi), from a seeded generator. */
export function seededRows(seed: number, rows: number, size: number, lo = -2, hi = 2): Float64Array {
  const r = rng(seed);
  const out = new Float64Array(rows * size);
  for (let i = 0; i < out.length; i++) out[i] = lo + (hi - lo) * r();
  return out;
}

/** Rounds every value to float32 (both sides of a float comparison see the same inputs). */
export function f32(a: Float64Array): Float64Array {
  return a.map(Math.fround);
}

/**
 * The largest error of `got` against `want`, relative to the largest magnitude of `want` in the same sample (a
 * norm-wise relative error per sample; small entries of a softmax are compared at the scale of the sample).
 */
export function maxRelativeError(got: ArrayLike<number>, want: ArrayLike<number>, perSample: number): number {
  let worst = 0;
  for (let s = 0; s * perSample < want.length; s++) {
    let scale = 0;
    for (let j = 0; j < perSample; j++) scale = Math.max(scale, Math.abs(want[s * perSample + j]));
    for (let j = 0; j < perSample; j++) {
      const e = Math.abs(got[s * perSample + j] - want[s * perSample + j]) / Math.max(scale, 1e-30);
      if (!(e <= worst)) worst = Number.isNaN(e) ? Infinity : Math.max(worst, e);
    }
  }
  return worst;
}

/** The weights of an HDF5 file written by Keras 2 save_weights, per layer, in the order of weight_names. */
export async function kerasWeights(path: string): Promise<Map<string, { shape: number[]; data: Float32Array }[]>> {
  const { FS } = await h5wasm.ready;
  const name = `/test-${Math.random().toString(36).slice(2)}.h5`;
  FS.writeFile(name, readFileSync(path));
  const f = new h5wasm.File(name, 'r');
  const out = new Map<string, { shape: number[]; data: Float32Array }[]>();
  try {
    const root = f.attrs.model_config ? (f.get('model_weights') as InstanceType<typeof h5wasm.Group>) : f;
    const layers = root.attrs.layer_names.value as string[];
    for (const l of layers) {
      const g = root.get(l) as InstanceType<typeof h5wasm.Group>;
      const names = g.attrs.weight_names.value;
      const list = Array.isArray(names) ? (names as string[]) : [];
      out.set(l, list.map((wn) => {
        const d = g.get(wn) as InstanceType<typeof h5wasm.Dataset>;
        return { shape: d.shape!, data: Float32Array.from(d.value as Float32Array) };
      }));
    }
  } finally {
    f.close();
    FS.unlink(name);
  }
  return out;
}

// ---- An independent ONNX evaluator (float64, NCHW). --------------------------------------------------------------

interface Arr {
  shape: number[];
  data: Float64Array;
}

type OnnxModel = import('onnx-proto').onnx.ModelProto;

function tensorOf(t: import('onnx-proto').onnx.ITensorProto): Arr {
  const shape = (t.dims ?? []).map(Number);
  const n = shape.reduce((a, b) => a * b, 1);
  let data: Float64Array;
  if (t.rawData && t.rawData.length) {
    const v = new DataView(t.rawData.buffer, t.rawData.byteOffset, t.rawData.byteLength);
    data = new Float64Array(n);
    for (let i = 0; i < n; i++) data[i] = t.dataType === 7 ? Number(v.getBigInt64(i * 8, true)) : v.getFloat32(i * 4, true);
  } else if (t.floatData?.length) data = Float64Array.from(t.floatData);
  else if (t.int64Data?.length) data = Float64Array.from(t.int64Data.map(Number));
  else data = new Float64Array(n);
  return { shape, data };
}

function attr(n: import('onnx-proto').onnx.INodeProto, name: string): number | number[] | string | undefined {
  const a = n.attribute?.find((x) => x.name === name);
  if (!a) return undefined;
  if (a.type === 1) return a.f!;
  if (a.type === 2) return Number(a.i);
  if (a.type === 3) return new TextDecoder().decode(a.s!);
  if (a.type === 7) return a.ints!.map(Number);
  return undefined;
}

const size = (s: number[]) => s.reduce((a, b) => a * b, 1);

function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  return d > 0.5 ? f + 1 : d < 0.5 ? f : f % 2 === 0 ? f : f + 1;
}

/** Evaluates the graph on one batch (the input's first axis is the batch) and returns every value by name. */
export function evalOnnx(model: OnnxModel, input: Arr): Map<string, Arr> {
  const g = model.graph!;
  const env = new Map<string, Arr>();
  for (const t of g.initializer ?? []) env.set(t.name!, tensorOf(t));
  const inputName = (g.input ?? []).find((i) => !env.has(i.name!))!.name!;
  env.set(inputName, input);
  for (const n of g.node ?? []) {
    const ins = (n.input ?? []).map((i) => env.get(i)!);
    const x = ins[0];
    let y: Arr;
    switch (n.opType) {
      case 'Identity':
      case 'Dropout':
        y = x;
        break;
      case 'Relu':
        y = { shape: x.shape, data: x.data.map((v) => Math.max(v, 0)) };
        break;
      case 'Sigmoid':
        y = { shape: x.shape, data: x.data.map((v) => 1 / (1 + Math.exp(-v))) };
        break;
      case 'Tanh':
        y = { shape: x.shape, data: x.data.map(Math.tanh) };
        break;
      case 'Softmax': {
        const last = x.shape[x.shape.length - 1];
        const data = new Float64Array(x.data.length);
        for (let s = 0; s < x.data.length; s += last) {
          const row = x.data.subarray(s, s + last);
          const m = Math.max(...row);
          let sum = 0;
          for (let j = 0; j < last; j++) sum += (data[s + j] = Math.exp(row[j] - m));
          for (let j = 0; j < last; j++) data[s + j] /= sum;
        }
        y = { shape: x.shape, data };
        break;
      }
      case 'MatMul':
      case 'Gemm': {
        const w = ins[1];
        const transB = n.opType === 'Gemm' && attr(n, 'transB') === 1;
        const alpha = n.opType === 'Gemm' ? Number(attr(n, 'alpha') ?? 1) : 1;
        const beta = n.opType === 'Gemm' ? Number(attr(n, 'beta') ?? 1) : 1;
        const [K, N] = transB ? [w.shape[1], w.shape[0]] : w.shape;
        const M = x.data.length / K;
        const data = new Float64Array(M * N);
        for (let i = 0; i < M; i++) {
          for (let j = 0; j < N; j++) {
            let s = 0;
            for (let k = 0; k < K; k++) s += x.data[i * K + k] * (transB ? w.data[j * K + k] : w.data[k * N + j]);
            data[i * N + j] = alpha * s + (ins[2] ? beta * ins[2].data[ins[2].data.length === 1 ? 0 : j] : 0);
          }
        }
        y = { shape: [...x.shape.slice(0, -1), N], data };
        break;
      }
      case 'Add':
      case 'Sub':
      case 'Mul':
      case 'Div': {
        const f = { Add: (p: number, q: number) => p + q, Sub: (p: number, q: number) => p - q, Mul: (p: number, q: number) => p * q, Div: (p: number, q: number) => p / q }[n.opType];
        const [a, b] = ins;
        const big = a.data.length >= b.data.length ? a : b;
        const at = (t: Arr, i: number) => {
          if (t.data.length === big.data.length) return t.data[i];
          if (t.data.length === 1) return t.data[0];
          // A per-channel constant: broadcast along axis 1 ([N, C] or [N, C, …]).
          const inner = size(big.shape.slice(2));
          return t.data[Math.floor(i / inner) % big.shape[1]];
        };
        y = { shape: big.shape, data: big.data.map((_, i) => f(at(a, i), at(b, i))) };
        break;
      }
      case 'Shape':
        y = { shape: [x.shape.length], data: Float64Array.from(x.shape) };
        break;
      case 'Gather':
        y = { shape: ins[1].shape, data: ins[1].data.map((i) => x.data[i]) };
        break;
      case 'Cast':
        y = x;
        break;
      case 'Concat':
        y = { shape: [ins.reduce((t, a) => t + a.data.length, 0)], data: Float64Array.from(ins.flatMap((a) => Array.from(a.data))) };
        break;
      case 'Unsqueeze': {
        const axes = attr(n, 'axes') as number[];
        const shape = [...x.shape];
        for (const a of [...axes].sort((p, q) => p - q)) shape.splice(a, 0, 1);
        y = { shape, data: x.data };
        break;
      }
      case 'Squeeze': {
        const axes = attr(n, 'axes') as number[];
        y = { shape: x.shape.filter((_, i) => !axes.includes(i)), data: x.data };
        break;
      }
      case 'GlobalAveragePool': {
        const [N, C] = x.shape;
        const S = size(x.shape.slice(2));
        const data = new Float64Array(N * C);
        for (let i = 0; i < N * C; i++) for (let j = 0; j < S; j++) data[i] += x.data[i * S + j] / S;
        y = { shape: [N, C, ...x.shape.slice(2).map(() => 1)], data };
        break;
      }
      case 'Transpose': {
        const perm = attr(n, 'perm') as number[];
        const shape = perm.map((p) => x.shape[p]);
        const strides = x.shape.map((_, k) => size(x.shape.slice(k + 1)));
        const data = new Float64Array(x.data.length);
        const idx = new Array(shape.length).fill(0);
        for (let i = 0; i < data.length; i++) {
          let src = 0;
          for (let k = 0; k < shape.length; k++) src += idx[k] * strides[perm[k]];
          data[i] = x.data[src];
          for (let k = shape.length - 1; k >= 0; k--) {
            if (++idx[k] < shape[k]) break;
            idx[k] = 0;
          }
        }
        y = { shape, data };
        break;
      }
      case 'Flatten':
        y = { shape: [x.shape[0], size(x.shape.slice(1))], data: x.data };
        break;
      case 'Reshape': {
        const t = Array.from(ins[1].data);
        y = { shape: [x.shape[0], ...t.slice(1).map((d) => (d === -1 ? size(x.shape.slice(1)) / -size(t.slice(1)) : d))], data: x.data };
        break;
      }
      case 'Conv':
      case 'MaxPool':
      case 'AveragePool':
        y = convLike(n, x, ins[1], ins[2]);
        break;
      case 'BatchNormalization': {
        const [gamma, beta, mean, variance] = ins.slice(1);
        const eps = Number(attr(n, 'epsilon') ?? 1e-5);
        const C = x.shape[1];
        const inner = size(x.shape.slice(2));
        y = {
          shape: x.shape,
          data: x.data.map((v, i) => {
            const c = Math.floor(i / inner) % C;
            return ((v - mean.data[c]) / Math.sqrt(variance.data[c] + eps)) * gamma.data[c] + beta.data[c];
          }),
        };
        break;
      }
      case 'Quant': {
        const scale = ins[1].data[0];
        const zp = ins[2].data[0];
        const bits = ins[3].data[0];
        const signed = attr(n, 'signed') !== 0;
        const narrow = attr(n, 'narrow') === 1;
        const lo = signed ? -(2 ** (bits - 1)) + (narrow ? 1 : 0) : 0;
        const hi = signed ? 2 ** (bits - 1) - 1 : 2 ** bits - 1;
        y = { shape: x.shape, data: x.data.map((v) => (Math.min(hi, Math.max(lo, roundHalfEven(v / scale + zp))) - zp) * scale) };
        break;
      }
      case 'BipolarQuant': {
        const scale = ins[1].data[0];
        y = { shape: x.shape, data: x.data.map((v) => (v >= 0 ? scale : -scale)) };
        break;
      }
      default:
        throw new Error(`the test evaluator does not implement ${n.opType}`);
    }
    env.set(n.output![0], y);
  }
  return env;
}

/** Conv (group 1), MaxPool and AveragePool (count_include_pad 0) on NCHW with explicit pads. */
function convLike(n: import('onnx-proto').onnx.INodeProto, x: Arr, w: Arr | undefined, b: Arr | undefined): Arr {
  const [N, C, H, W] = x.shape.length === 4 ? x.shape : [x.shape[0], x.shape[1], 1, x.shape[2]];
  const conv = n.opType === 'Conv';
  const k = conv ? w!.shape.slice(2) : (attr(n, 'kernel_shape') as number[]);
  const [kh, kw] = k.length === 2 ? k : [1, k[0]];
  const s = (attr(n, 'strides') as number[] | undefined) ?? k.map(() => 1);
  const [sh, sw] = s.length === 2 ? s : [1, s[0]];
  const p = (attr(n, 'pads') as number[] | undefined) ?? k.flatMap(() => [0, 0]);
  const [pt, pl, pb, pr] = p.length === 4 ? p : [0, p[0], 0, p[1]];
  const F = conv ? w!.shape[0] : C;
  const Ho = Math.floor((H + pt + pb - kh) / sh) + 1;
  const Wo = Math.floor((W + pl + pr - kw) / sw) + 1;
  const out = new Float64Array(N * F * Ho * Wo);
  for (let nn = 0; nn < N; nn++)
    for (let f = 0; f < F; f++)
      for (let i = 0; i < Ho; i++)
        for (let j = 0; j < Wo; j++) {
          let acc = conv ? (b ? b.data[f] : 0) : n.opType === 'MaxPool' ? -Infinity : 0;
          let count = 0;
          for (let c = conv ? 0 : f; c < (conv ? C : f + 1); c++)
            for (let a = 0; a < kh; a++)
              for (let e = 0; e < kw; e++) {
                const r = i * sh + a - pt;
                const q = j * sw + e - pl;
                if (r < 0 || r >= H || q < 0 || q >= W) continue;
                const v = x.data[((nn * C + c) * H + r) * W + q];
                if (conv) acc += v * w!.data[((f * C + c) * kh + a) * kw + e];
                else if (n.opType === 'MaxPool') acc = Math.max(acc, v);
                else acc += v;
                count++;
              }
          out[((nn * F + f) * Ho + i) * Wo + j] = n.opType === 'AveragePool' ? acc / count : acc;
        }
  return { shape: x.shape.length === 4 ? [N, F, Ho, Wo] : [N, F, Wo], data: out };
}

/** NCHW (or NCL) rows → NHWC (NLC) rows, the layout of the imported network's input. */
export function toChannelsLast(data: Float64Array, rows: number, shape: readonly number[]): Float64Array {
  const [C, ...sp] = shape;
  const S = size(sp);
  const out = new Float64Array(data.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < C; c++) for (let i = 0; i < S; i++) out[r * C * S + i * C + c] = data[r * C * S + c * S + i];
  return out;
}
