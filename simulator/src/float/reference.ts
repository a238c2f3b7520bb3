// The float reference: the network of a .qnn file, with the same weights, computed by TensorFlow.js in float32.
//
// What "the same network" means here:
// - Weights and other constant tensors are `ConstTensor.values()`: the values as written in the file (before any
//   quantization to their fixed-point type), rounded once to float32. Inputs are taken as given (not quantized to the
//   input type), rounded once to float32.
// - Every operation is the float operation the layer stands for (Keras semantics), not its hardware approximation:
//   sigmoid, tanh and softmax are exact functions, not tables; no value is cast to a layer's result type.
// - Precision: float32 throughout (tfjs computes in float32 on every backend). Results are Float32Array.
//
// Layer semantics (channels last, a batch axis in front of every tensor of the model):
//   dense            x·W + b over the last axis (W [C, units]); rank > 1 inputs apply it to every row
//   conv1d/conv2d    tf.conv1d / tf.conv2d, Keras kernel layouts [k, C, F] / [kh, kw, C, F], TF 'valid'/'same'
//                    padding (same: total padding max((ceil(L/s) − 1)·s + k − L, 0), floor(total/2) before)
//   depthwise        tf.depthwiseConv2d with kernel [kh, kw, C, M]; output channel c·M + m (Keras order);
//                    the 1-D form runs as 2-D on [L, 1, C] with kernel [k, 1, C, M]
//   max/avg pooling  tf.maxPool / tf.avgPool (1-D as 2-D on [L, 1, C]); with 'same' padding, padded positions are
//                    ignored (max) and not counted (avg divides by the number of real values), as in TF and Keras
//   global pooling   max / mean over the spatial axes
//   batchnorm        folded: x·scale + bias; standalone: as Keras at inference (tf.nn.batch_normalization):
//                    inv = gamma / sqrt(variance + epsilon), y = x·inv + (beta − mean·inv)
//   relu, relu6, leaky_relu (alpha), linear (identity), sigmoid, tanh, softmax (last axis)
//   add (element-wise sum), concat (axis), flatten, reshape (row-major, to the checked shape)
//   a network used as a layer runs inline with the layer's inputs; its output is the layer's value
import type * as TF from '@tensorflow/tfjs';
import type { ConstTensor, LayerModel, NetworkModel, OpSpec } from '@qnn/language';
import { activateBackend, exclusive, type FloatBackend, type Tf } from './backend.js';

type Tensor = TF.Tensor;

/** The samples of one input: `rows` samples of the input's elements each, row-major (a row is a flattened sample). */
export interface FloatInput {
  readonly rows: number;
  readonly data: Float64Array | Float32Array;
}

export interface FloatOptions {
  /** The backend to use; default: tfjs-node when installed, else wasm, else cpu. A failing backend falls back. */
  readonly backend?: FloatBackend;
  /** Samples per tfjs call. Default: as many as fit in about 16 MB of float32 values for every tensor of the network. */
  readonly batchSize?: number;
  /** Stops the run between two batches: the promise rejects with the signal's reason. */
  readonly signal?: AbortSignal;
  /** Called after each batch with the number of samples done and the total. */
  readonly onProgress?: (done: number, total: number) => void;
  /** Which layers to return. Default: every layer of the network. Inputs are always returned. */
  readonly layers?: readonly string[];
}

/** One tensor of the network for every sample: `rows` × (product of `shape`) values, row-major. */
export interface FloatTensor {
  /** The shape of one sample (without the batch axis). */
  readonly shape: readonly number[];
  readonly rows: number;
  readonly data: Float32Array;
}

export interface FloatResult {
  readonly network: string;
  /** The backend that computed the results. */
  readonly backend: FloatBackend;
  /** Why the backend asked for (or preferred) did not run; undefined when it did. */
  readonly fallback: string | undefined;
  readonly precision: 'float32';
  readonly rows: number;
  /** The inputs as the model saw them (rounded to float32), by input name. */
  readonly inputs: ReadonlyMap<string, FloatTensor>;
  /** Layer values, by layer name, in the network's topological order. */
  readonly layers: ReadonlyMap<string, FloatTensor>;
  /** The network's output names (inputs or layers). */
  readonly outputs: readonly string[];
}

/** A float reference run that cannot start: bad inputs or a network with errors. */
export class FloatReferenceError extends Error {
  override readonly name = 'FloatReferenceError';
}

/** Default budget of float32 values alive per batch (about 16 MB). */
const VALUES_PER_BATCH = 2 ** 22;
const MAX_DEFAULT_BATCH = 8192;

const product = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/**
 * Computes the float reference of `net` on `inputs` (one entry per network input, by name).
 * Rejects with FloatReferenceError for a network with errors or inputs of the wrong size, with the signal's reason
 * when aborted.
 */
export async function floatReference(net: NetworkModel, inputs: ReadonlyMap<string, FloatInput>, opts: FloatOptions = {}): Promise<FloatResult> {
  const rows = validate(net, inputs, opts);
  opts.signal?.throwIfAborted();
  return exclusive(async () => {
    opts.signal?.throwIfAborted();
    const { tf, backend, fallback } = await activateBackend(opts.backend);
    const keep = opts.layers ?? net.layers.map((l) => l.name);
    const batch = opts.batchSize ?? defaultBatch(net);
    const inputOut = new Map<string, FloatTensor>();
    for (const i of net.inputs) inputOut.set(i.name, { shape: i.tensor.shape, rows, data: new Float32Array(rows * product(i.tensor.shape)) });
    const layerOut = new Map<string, FloatTensor>();
    for (const l of net.layers) {
      if (keep.includes(l.name)) layerOut.set(l.name, { shape: l.tensor.shape, rows, data: new Float32Array(rows * product(l.tensor.shape)) });
    }

    const consts = new Consts(tf);
    try {
      consts.prepare(net);
      for (let start = 0; start < rows; start += batch) {
        opts.signal?.throwIfAborted();
        const n = Math.min(batch, rows - start);
        tf.tidy(() => {
          const values = new Map<string, Tensor>();
          for (const i of net.inputs) {
            const size = product(i.tensor.shape);
            const src = inputs.get(i.name)!.data.subarray(start * size, (start + n) * size);
            const f32 = Float32Array.from(src);
            inputOut.get(i.name)!.data.set(f32, start * size);
            values.set(i.name, tf.tensor(f32, [n, ...i.tensor.shape], 'float32'));
          }
          runNetwork(tf, consts, net, values);
          for (const [name, out] of layerOut) {
            const size = product(out.shape);
            out.data.set(values.get(name)!.dataSync() as Float32Array, start * size);
          }
        });
        opts.onProgress?.(start + n, rows);
        // Let the event loop run between batches: abort signals, progress output, other requests of a server.
        if (start + n < rows) await new Promise<void>((resolve) => setImmediate(resolve));
      }
    } finally {
      consts.dispose();
    }
    return { network: net.name, backend, fallback, precision: 'float32', rows, inputs: inputOut, layers: layerOut, outputs: net.outputs };
  });
}

/** Checks the network and the inputs; the number of samples. */
function validate(net: NetworkModel, inputs: ReadonlyMap<string, FloatInput>, opts: FloatOptions): number {
  if (!net.complete) throw new FloatReferenceError(`Network '${net.name}' has errors; fix them before running it.`);
  const known = new Set(net.inputs.map((i) => i.name));
  for (const name of inputs.keys()) {
    if (!known.has(name)) throw new FloatReferenceError(`Network '${net.name}' has no input '${name}' (its inputs: ${[...known].join(', ')}).`);
  }
  let rows: number | undefined;
  for (const i of net.inputs) {
    const x = inputs.get(i.name);
    if (!x) throw new FloatReferenceError(`No data for input '${i.name}' of network '${net.name}'.`);
    if (!Number.isSafeInteger(x.rows) || x.rows < 0) throw new FloatReferenceError(`Input '${i.name}': the number of samples must be a whole number, not ${x.rows}.`);
    const size = product(i.tensor.shape);
    if (x.data.length !== x.rows * size) {
      throw new FloatReferenceError(`Input '${i.name}' has ${x.data.length} values for ${x.rows} samples; each sample has ${size} values (shape [${i.tensor.shape.join(', ')}]).`);
    }
    if (rows !== undefined && x.rows !== rows) throw new FloatReferenceError(`The inputs have different numbers of samples (${rows} and ${x.rows} for '${i.name}').`);
    rows = x.rows;
  }
  for (const name of opts.layers ?? []) {
    if (!net.layers.some((l) => l.name === name)) throw new FloatReferenceError(`Network '${net.name}' has no layer '${name}'.`);
  }
  if (opts.batchSize !== undefined && (!Number.isSafeInteger(opts.batchSize) || opts.batchSize < 1)) {
    throw new FloatReferenceError(`The batch size must be a positive whole number, not ${opts.batchSize}.`);
  }
  return rows ?? 0;
}

/** Float32 values per sample of every tensor computed in a batch (inputs, layers, layers of networks used as layers). */
function valuesPerSample(net: NetworkModel): number {
  let n = 0;
  for (const i of net.inputs) n += product(i.tensor.shape);
  for (const l of net.layers) n += 'network' in l.op ? valuesPerSample(l.op.network) : product(l.tensor.shape);
  return n;
}

function defaultBatch(net: NetworkModel): number {
  return Math.max(1, Math.min(MAX_DEFAULT_BATCH, Math.floor(VALUES_PER_BATCH / Math.max(1, valuesPerSample(net)))));
}

/** The constant tensors of every layer as float32 tfjs tensors, made once per run (layers of called networks too). */
class Consts {
  private readonly byLayer = new Map<LayerModel, Record<string, Tensor>>();
  constructor(private readonly tf: Tf) {}

  prepare(net: NetworkModel): void {
    for (const l of net.layers) {
      if ('network' in l.op) {
        this.prepare(l.op.network);
        continue;
      }
      if (this.byLayer.has(l)) continue;
      const ts: Record<string, Tensor> = {};
      this.byLayer.set(l, ts);
      for (const [name, c] of Object.entries(l.consts)) ts[name] = this.tensor(c);
      if (l.opName === 'batchnorm' && ts.gamma) {
        // Standalone form, folded as Keras does at inference (in float32).
        const eps = typeof l.settings.epsilon === 'number' ? l.settings.epsilon : 0.001;
        const tf = this.tf;
        const inv = tf.tidy(() => tf.mul(tf.rsqrt(tf.add(ts.variance, eps)), ts.gamma));
        const offset = tf.tidy(() => tf.sub(ts.beta, tf.mul(ts.mean, inv)));
        ts.inv = inv;
        ts.offset = offset;
      }
    }
  }

  of(l: LayerModel): Record<string, Tensor> {
    return this.byLayer.get(l)!;
  }

  private tensor(c: ConstTensor): Tensor {
    return this.tf.tensor(Float32Array.from(c.values()), [...c.shape], 'float32');
  }

  dispose(): void {
    for (const ts of this.byLayer.values()) for (const t of Object.values(ts)) t.dispose();
    this.byLayer.clear();
  }
}

/** Computes every layer of `net`; `values` holds the inputs (batched) and receives the layers. */
function runNetwork(tf: Tf, consts: Consts, net: NetworkModel, values: Map<string, Tensor>): void {
  for (const l of net.layers) {
    const xs = l.inputs.map((name) => values.get(name)!);
    if ('network' in l.op) {
      const sub = l.op.network;
      const inner = new Map<string, Tensor>();
      sub.inputs.forEach((inp, k) => inner.set(inp.name, xs[k]));
      runNetwork(tf, consts, sub, inner);
      values.set(l.name, inner.get(sub.outputs[0])!);
    } else {
      values.set(l.name, runLayer(tf, l, l.op, xs, consts.of(l)));
    }
  }
}

type Pair = [number, number];

function ints(v: unknown): number[] {
  return Array.isArray(v) ? (v as number[]) : [v as number];
}

/** One layer on a batch: x has shape [batch, ...input shape]. */
function runLayer(tf: Tf, l: LayerModel, op: OpSpec, xs: Tensor[], c: Record<string, Tensor>): Tensor {
  const x = xs[0];
  const batch = x.shape[0];
  const outShape = [batch, ...l.tensor.shape];
  const pad = (l.params.padding === 'same' ? 'same' : 'valid') as 'same' | 'valid';
  const bias = (y: Tensor) => (c.bias ? tf.add(y, c.bias) : y);
  switch (op.name) {
    case 'dense': {
      const inC = x.shape[x.shape.length - 1];
      const y = tf.matMul(tf.reshape(x, [-1, inC]) as TF.Tensor2D, c.weight as TF.Tensor2D);
      return tf.reshape(bias(y), outShape);
    }
    case 'conv1d': {
      const [s] = ints(l.params.stride);
      return bias(tf.conv1d(x as TF.Tensor3D, c.weight as TF.Tensor3D, s, pad));
    }
    case 'conv2d': {
      const s = ints(l.params.stride) as Pair;
      return bias(tf.conv2d(x as TF.Tensor4D, c.weight as TF.Tensor4D, s, pad));
    }
    case 'depthwise_conv1d': {
      const [k] = ints(l.params.kernel);
      const [s] = ints(l.params.stride);
      const [, len, ch] = x.shape;
      const w = tf.reshape(c.weight, [k, 1, ch, -1]) as TF.Tensor4D;
      const y = tf.depthwiseConv2d(tf.reshape(x, [batch, len, 1, ch]) as TF.Tensor4D, w, [s, 1], pad);
      return tf.reshape(bias(y), outShape);
    }
    case 'depthwise_conv2d': {
      const s = ints(l.params.stride) as Pair;
      return bias(tf.depthwiseConv2d(x as TF.Tensor4D, c.weight as TF.Tensor4D, s, pad));
    }
    case 'maxpool1d':
    case 'avgpool1d': {
      const [p] = ints(l.params.pool);
      const [s] = ints(l.params.stride);
      const [, len, ch] = x.shape;
      const x4 = tf.reshape(x, [batch, len, 1, ch]) as TF.Tensor4D;
      const y = op.name === 'maxpool1d' ? tf.maxPool(x4, [p, 1], [s, 1], pad) : tf.avgPool(x4, [p, 1], [s, 1], pad);
      return tf.reshape(y, outShape);
    }
    case 'maxpool2d':
    case 'avgpool2d': {
      const p = ints(l.params.pool) as Pair;
      const s = ints(l.params.stride) as Pair;
      return op.name === 'maxpool2d' ? tf.maxPool(x as TF.Tensor4D, p, s, pad) : tf.avgPool(x as TF.Tensor4D, p, s, pad);
    }
    case 'global_maxpool1d':
      return tf.max(x, [1]);
    case 'global_avgpool1d':
      return tf.mean(x, [1]);
    case 'global_maxpool2d':
      return tf.max(x, [1, 2]);
    case 'global_avgpool2d':
      return tf.mean(x, [1, 2]);
    case 'batchnorm':
      return c.inv ? tf.add(tf.mul(x, c.inv), c.offset) : tf.add(tf.mul(x, c.scale), c.bias);
    case 'relu':
      return tf.relu(x);
    case 'relu6':
      return tf.relu6(x);
    case 'leaky_relu':
      return tf.leakyRelu(x, l.params.alpha as number);
    case 'linear':
      return x;
    case 'sigmoid':
      return tf.sigmoid(x);
    case 'tanh':
      return tf.tanh(x);
    case 'softmax':
      return tf.softmax(x, -1);
    case 'add':
      return xs.length === 1 ? x : tf.addN(xs);
    case 'concat': {
      const axis = l.params.axis as number;
      const rank = x.shape.length - 1;
      return tf.concat(xs, (axis < 0 ? axis + rank : axis) + 1);
    }
    case 'flatten':
    case 'reshape':
      return tf.reshape(x, outShape);
    default:
      throw new Error(`The float reference does not know operation '${op.name}'.`);
  }
}
