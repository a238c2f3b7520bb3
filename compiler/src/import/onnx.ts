// The ONNX / QONNX front end: an ONNX graph → an ImportGraph.
//
// Layout. ONNX tensors are channels first (NCHW, NCL); the language is channels last. Every ONNX value is tracked
// with its ONNX shape (without the batch axis) and `axes`: axis i of the .qnn tensor is ONNX axis axes[i]. Conv and
// pooling inputs must be channels first in ONNX and are [H, W, C] in the .qnn file; a Transpose only relabels axes
// (no layer); a Flatten of a channels-first tensor remembers the order of its elements (`order`: .qnn flat index →
// ONNX flat index), and the dense layer after it takes its weight rows in that order. An input that feeds a
// convolution or pooling is declared channels last (the file's header says so).
import { createRequire } from 'node:module';
import { fixedType, type FixedType } from '@qnn/language';
import { ImportError } from './errors.js';
import type { ImportGraph, ImportTensor, ResultType } from './graph.js';
import { base } from './keras-files.js';

type OnnxModule = typeof import('onnx-proto');
// Loaded on first use (protobufjs and the ONNX schema are large; most users of @qnn/compiler never import a model).
let onnxModule: OnnxModule | undefined;
const onnxProto = (): OnnxModule => (onnxModule ??= createRequire(import.meta.url)('onnx-proto') as OnnxModule);
type Node = import('onnx-proto').onnx.INodeProto;
type Tensor = import('onnx-proto').onnx.ITensorProto;

export const SUPPORTED_ONNX_OPS = [
  'Gemm', 'MatMul', 'Add', 'Conv', 'Relu', 'LeakyRelu', 'Clip', 'Sigmoid', 'Tanh', 'Softmax', 'MaxPool', 'AveragePool',
  'GlobalMaxPool', 'GlobalAveragePool', 'BatchNormalization', 'Flatten', 'Reshape', 'Concat', 'Transpose', 'Identity',
  'Dropout', 'Constant', 'Sub', 'Mul', 'Div', 'Squeeze', 'Unsqueeze', 'Shape', 'Gather', 'Cast', 'Quant', 'BipolarQuant',
];

interface Const {
  readonly kind: 'const';
  readonly dims: readonly number[];
  readonly values: Float64Array;
  /** From a QONNX Quant / BipolarQuant on the constant. */
  readonly type?: FixedType;
}

interface Val {
  readonly kind: 'val';
  /** The graph value (input or layer name). */
  readonly name: string;
  /** ONNX shape without the batch axis. */
  readonly shape: readonly number[];
  /** .qnn axis i is ONNX axis axes[i]. */
  readonly axes: readonly number[];
  /** For rank-1 .qnn tensors flattened from a permuted tensor: .qnn index → ONNX flat index. */
  readonly order?: Int32Array;
}

type Entry = Const | Val;

interface MutableLayer {
  name: string;
  op: string;
  inputs: string[];
  params: Record<string, number | readonly number[] | string>;
  tensors: ImportTensor[];
  result: ResultType;
  source: string;
}

export function readOnnx(path: string, bytes: Uint8Array, name: string): ImportGraph {
  let model: import('onnx-proto').onnx.ModelProto;
  try {
    model = onnxProto().onnx.ModelProto.decode(bytes);
  } catch (e) {
    throw new ImportError('QNN5001', `'${path}' is not an ONNX model: ${e instanceof Error ? e.message : String(e)}.`, path);
  }
  if (!model.graph) throw new ImportError('QNN5001', `'${path}' is not an ONNX model (it has no graph).`, path);
  return new OnnxBuilder(path, model, name).build();
}

class OnnxBuilder {
  private readonly env = new Map<string, Entry>();
  private readonly layers: MutableLayer[] = [];
  private readonly inputs: { name: string; shape: number[] }[] = [];
  private readonly notes: string[] = [];
  /** How many nodes read each value (to fuse MatMul + Add and Quant into their producer only when nothing else reads). */
  private readonly readers = new Map<string, number>();
  private quantized = false;

  constructor(
    private readonly path: string,
    private readonly model: import('onnx-proto').onnx.ModelProto,
    private readonly name: string,
  ) {}

  build(): ImportGraph {
    const g = this.model.graph!;
    for (const t of g.initializer ?? []) this.env.set(t.name!, this.constOf(t));
    const nodes = g.node ?? [];
    for (const n of nodes) for (const i of n.input ?? []) this.readers.set(i, (this.readers.get(i) ?? 0) + 1);
    for (const o of g.output ?? []) this.readers.set(o.name!, (this.readers.get(o.name!) ?? 0) + 1);
    for (const input of g.input ?? []) {
      if (this.env.has(input.name!)) continue; // initializers listed as inputs (IR < 4)
      const dims = (input.type?.tensorType?.shape?.dim ?? []).map((d) => (d.dimValue !== undefined && d.dimValue !== null ? Number(d.dimValue) : -1));
      const shape = dims.slice(1);
      if (dims.length < 2 || shape.some((d) => !(d > 0))) {
        throw new ImportError('QNN5003', `Input '${input.name}' has shape [${dims.join(', ')}]; the importer needs a batch axis and fixed sizes for the others.`, this.path);
      }
      const channelsFirst = shape.length >= 2 && this.feedsSpatial(input.name!, nodes);
      const axes = channelsFirst ? [...shape.keys()].slice(1).concat(0) : [...shape.keys()];
      const qshape = axes.map((a) => shape[a]);
      this.inputs.push({ name: input.name!, shape: qshape });
      if (channelsFirst) {
        this.notes.push(`Input '${input.name}' is [${shape.join(', ')}] (channels first) in the model; this network takes it channels last, [${qshape.join(', ')}]: transpose the data (numpy: x.transpose(0, ${shape.length === 3 ? '2, 3, 1' : '2, 1'})).`);
      }
      this.env.set(input.name!, { kind: 'val', name: input.name!, shape, axes });
    }
    nodes.forEach((n, i) => this.node(n, i));
    const outputs: string[] = [];
    for (const o of g.output ?? []) {
      const v = this.env.get(o.name!);
      if (!v || v.kind !== 'val') throw new ImportError('QNN5003', `Output '${o.name}' is not computed from the inputs.`, this.path);
      if (v.order || v.axes.some((a, i) => a !== i)) {
        this.notes.push(`Output '${o.name}' is [${v.shape.join(', ')}] in the model; this network gives it channels last, [${v.axes.map((a) => v.shape[a]).join(', ')}].`);
      }
      outputs.push(v.name);
    }
    const producer = this.model.producerName ? `${this.model.producerName}${this.model.producerVersion ? ` ${this.model.producerVersion}` : ''}` : 'unknown producer';
    const opset = (this.model.opsetImport ?? []).find((o) => !o.domain)?.version;
    return {
      name: this.name,
      description: `${base(this.path)} (${this.quantized ? 'QONNX, ' : ''}ONNX from ${producer}${opset !== undefined ? `, opset ${Number(opset)}` : ''})`,
      inputs: this.inputs,
      layers: this.layers,
      outputs,
      quantized: this.quantized,
      notes: this.notes,
    };
  }

  /** Whether the first node reading `name` (through Quant/Identity) interprets axis 1 as channels. */
  private feedsSpatial(name: string, nodes: readonly Node[]): boolean {
    const n = nodes.find((x) => (x.input ?? [])[0] === name);
    if (!n) return false;
    if (['Conv', 'MaxPool', 'AveragePool', 'GlobalAveragePool', 'GlobalMaxPool', 'BatchNormalization'].includes(n.opType!)) return true;
    if (['Quant', 'Identity', 'Relu'].includes(n.opType!)) return this.feedsSpatial(n.output![0], nodes);
    return false;
  }

  private layerName(n: Node, index: number): string {
    return n.name && n.name.length > 0 ? n.name : `${n.opType!.toLowerCase()}_${index}`;
  }

  private err(code: 'QNN5002' | 'QNN5003' | 'QNN5004' | 'QNN5005', n: Node, msg: string): ImportError {
    return new ImportError(code, `Node '${n.name || n.output?.[0]}' (${n.opType}): ${msg}`, this.path);
  }

  private val(n: Node, i: number): Val {
    const e = this.env.get(n.input![i]);
    if (!e) throw this.err('QNN5003', n, `its input '${n.input![i]}' is not defined before it.`);
    if (e.kind !== 'val') throw this.err('QNN5003', n, `input ${i} must be computed from the network's inputs, not a constant.`);
    return e;
  }

  private constant(n: Node, i: number): Const | undefined {
    const name = n.input?.[i];
    if (!name) return undefined;
    const e = this.env.get(name);
    if (!e || e.kind !== 'const') throw this.err('QNN5003', n, `input ${i} ('${name}') must be a constant (an initializer).`);
    return e;
  }

  private push(l: MutableLayer, n: Node, v: Omit<Val, 'kind' | 'name'>): void {
    this.layers.push(l);
    this.env.set(n.output![0], { ...v, kind: 'val', name: l.name });
  }

  private alias(n: Node, v: Entry): void {
    this.env.set(n.output![0], v);
  }

  private node(n: Node, index: number): void {
    const op = n.opType!;
    const name = this.layerName(n, index);
    const a = attrs(n);
    const simple = (qop: string, params: Record<string, number> = {}) => {
      const x = this.val(n, 0);
      this.push({ name, op: qop, inputs: [x.name], params, tensors: [], result: undefined, source: `ONNX ${op}` }, n, x);
    };
    switch (op) {
      case 'Identity':
      case 'Dropout':
        this.alias(n, this.env.get(n.input![0])!);
        return;
      case 'Constant': {
        const t = a.value as Tensor | undefined;
        if (!t) throw this.err('QNN5003', n, 'only tensor constants (attribute value) are supported.');
        this.env.set(n.output![0], this.constOf(t));
        return;
      }
      case 'Relu':
        return simple('relu');
      case 'Sigmoid':
        return simple('sigmoid');
      case 'Tanh':
        return simple('tanh');
      case 'LeakyRelu':
        return simple('leaky_relu', { alpha: Math.fround(Number(a.alpha ?? 0.01)) });
      case 'Clip': {
        const lo = Number(this.constant(n, 1)?.values[0] ?? a.min ?? -Infinity);
        const hi = Number(this.constant(n, 2)?.values[0] ?? a.max ?? Infinity);
        if (lo === 0 && hi === 6) return simple('relu6');
        if (lo === 0 && hi === Infinity) return simple('relu');
        throw this.err('QNN5003', n, `Clip(${lo}, ${hi}) is supported as relu (0, ∞) and relu6 (0, 6) only.`);
      }
      case 'Softmax': {
        const x = this.val(n, 0);
        const axis = Number(a.axis ?? (this.opset() >= 13 ? -1 : 1));
        const onnxAxis = (axis < 0 ? axis + x.shape.length + 1 : axis) - 1;
        if (x.shape.length > 1 && x.axes[x.axes.length - 1] !== onnxAxis) throw this.err('QNN5003', n, `softmax over axis ${axis} is not the last axis of the .qnn tensor; the language normalizes the last axis.`);
        return simple('softmax');
      }
      case 'Transpose': {
        const x = this.val(n, 0);
        const perm = (a.perm as number[] | undefined) ?? [0, ...[...x.shape.keys()].reverse().map((k) => k + 1)];
        if (perm[0] !== 0) throw this.err('QNN5003', n, 'a Transpose that moves the batch axis is not supported.');
        const p = perm.slice(1).map((k) => k - 1);
        const shape = p.map((k) => x.shape[k]);
        this.alias(n, { kind: 'val', name: x.name, shape, axes: x.axes.map((ax) => p.indexOf(ax)), order: x.order });
        return;
      }
      case 'Flatten':
      case 'Reshape': {
        const x = this.val(n, 0);
        let target: number[];
        if (op === 'Flatten') {
          const axis = Number(a.axis ?? 1);
          if (axis > 1) throw this.err('QNN5003', n, `Flatten with axis ${axis} is not supported (only the batch axis may stay).`);
          target = [x.shape.reduce((p, d) => p * d, 1)];
        } else {
          const s = this.constant(n, 1);
          if (!s) throw this.err('QNN5003', n, 'the target shape must be a constant.');
          const dims = Array.from(s.values);
          const total = x.shape.reduce((p, d) => p * d, 1);
          const rest = dims.slice(1).map((d, k) => (d === 0 ? x.shape[k] : d));
          const known = rest.filter((d) => d > 0).reduce((p, d) => p * d, 1);
          target = rest.map((d) => (d === -1 ? total / known : d));
        }
        const identity = !x.order && x.axes.every((ax, i) => ax === i);
        if (target.length === 1) {
          if (x.shape.length === 1) return this.alias(n, x);
          const order = flatOrder(x);
          this.push({ name, op: 'flatten', inputs: [x.name], params: {}, tensors: [], result: undefined, source: '' }, n, { shape: target, axes: [0], order });
          return;
        }
        if (!identity) throw this.err('QNN5003', n, `reshaping a channels-first tensor to [${target.join(', ')}] has no channels-last equivalent; flatten it instead.`);
        this.push({ name, op: 'reshape', inputs: [x.name], params: { shape: target }, tensors: [], result: undefined, source: '' }, n, { shape: target, axes: target.map((_, i) => i) });
        return;
      }
      case 'Gemm':
      case 'MatMul': {
        const x = this.val(n, 0);
        const b = this.constant(n, 1)!;
        if (op === 'Gemm' && Number(a.transA ?? 0) !== 0) throw this.err('QNN5003', n, 'transA = 1 is not supported.');
        if (b.dims.length !== 2) throw this.err('QNN5003', n, `the weight must be a 2-D constant, not [${b.dims.join(', ')}].`);
        if (x.shape.length !== 1 && x.axes.some((ax, i) => ax !== i)) throw this.err('QNN5003', n, 'a matrix product over a channels-first tensor is not supported; flatten it first.');
        const transB = op === 'Gemm' && Number(a.transB ?? 0) !== 0;
        const alpha = op === 'Gemm' ? Number(a.alpha ?? 1) : 1;
        const [rows, cols] = transB ? [b.dims[1], b.dims[0]] : [b.dims[0], b.dims[1]];
        const xIn = x.shape[x.shape.length - 1];
        if (rows !== xIn) throw this.err('QNN5004', n, `the weight has ${rows} rows for ${xIn} inputs.`);
        const w = new Float64Array(rows * cols);
        for (let i = 0; i < rows; i++) {
          const src = x.order ? x.order[i] : i;
          for (let j = 0; j < cols; j++) w[i * cols + j] = alpha * (transB ? b.values[j * rows + src] : b.values[src * cols + j]);
        }
        const tensors: ImportTensor[] = [this.tensor('weight', [rows, cols], w, b)];
        if (op === 'Gemm') {
          const c = this.constant(n, 2);
          if (c) tensors.push(this.tensor('bias', [cols], broadcast(c, cols, Number(a.beta ?? 1), n, this.path), c));
        }
        this.push({ name, op: 'dense', inputs: [x.name], params: { units: cols }, tensors, result: undefined, source: `ONNX ${op}` }, n, {
          shape: [...x.shape.slice(0, -1), cols],
          axes: x.shape.length === 1 ? [0] : x.axes,
        });
        return;
      }
      case 'Add':
      case 'Sub':
      case 'Mul':
      case 'Div': {
        const [e0, e1] = [this.env.get(n.input![0]), this.env.get(n.input![1])];
        if (!e0 || !e1) throw this.err('QNN5003', n, 'an input is not defined before it.');
        if (e0.kind === 'const' && e1.kind === 'const') {
          this.env.set(n.output![0], constArith(op, e0, e1));
          return;
        }
        if (e0.kind === 'val' && e1.kind === 'val') {
          if (op !== 'Add') throw this.err('QNN5003', n, `${op} of two computed tensors has no operation in the language (add, concat and the layers do).`);
          if (!sameLayout(e0, e1)) throw this.err('QNN5003', n, 'the two inputs have different layouts.');
          this.push({ name, op: 'add', inputs: [e0.name, e1.name], params: {}, tensors: [], result: undefined, source: '' }, n, e0);
          return;
        }
        const constFirst = e0.kind === 'const';
        const [x, c] = (constFirst ? [e1, e0] : [e0, e1]) as [Val, Const];
        if ((op === 'Sub' || op === 'Div') && constFirst) throw this.err('QNN5003', n, `${op} of a constant by a tensor is not supported.`);
        const channels = x.shape.length === 1 ? x.shape[0] : x.shape[x.axes[x.axes.length - 1]];
        const v = this.channelConst(n, c, x, channels);
        const sole = (this.readers.get(n.input![constFirst ? 1 : 0]) ?? 0) <= 1;
        const producer = sole ? this.layers.find((l) => l.name === x.name) : undefined;
        if (op === 'Add' || op === 'Sub') {
          const bias = op === 'Add' ? v : v.map((t) => -t);
          // The bias of the MatMul / Conv right before (the usual export of a Keras Dense or Conv), or of a
          // batchnorm made of a Mul right before; else a batchnorm of its own (scale 1).
          if (producer && DENSE_OR_CONV.has(producer.op) && !producer.tensors.some((t) => t.attr === 'bias')) {
            producer.tensors.push(this.tensor('bias', [channels], bias, c));
            this.alias(n, x);
            return;
          }
          if (producer && producer.op === 'batchnorm' && producer.result === undefined) {
            const b = producer.tensors.find((t) => t.attr === 'bias')!;
            producer.tensors.splice(producer.tensors.indexOf(b), 1, { attr: 'bias', shape: [channels], values: b.values.map((t, i) => t + bias[i]) });
            this.alias(n, x);
            return;
          }
          this.push({ name, op: 'batchnorm', inputs: [x.name], params: {}, tensors: [{ attr: 'scale', shape: [channels], values: new Float64Array(channels).fill(1) }, { attr: 'bias', shape: [channels], values: bias }], result: undefined, source: `ONNX ${op} of a constant` }, n, x);
          return;
        }
        const scale = op === 'Mul' ? v : v.map((t) => 1 / t);
        if (producer && producer.op === 'batchnorm' && producer.result === undefined) {
          const sc = producer.tensors.find((t) => t.attr === 'scale')!;
          const b = producer.tensors.find((t) => t.attr === 'bias')!;
          producer.tensors.splice(0, producer.tensors.length, { attr: 'scale', shape: [channels], values: sc.values.map((t, i) => t * scale[i]) }, { attr: 'bias', shape: [channels], values: b.values.map((t, i) => t * scale[i]) });
          this.alias(n, x);
          return;
        }
        this.push({ name, op: 'batchnorm', inputs: [x.name], params: {}, tensors: [{ attr: 'scale', shape: [channels], values: scale }, { attr: 'bias', shape: [channels], values: new Float64Array(channels) }], result: undefined, source: `ONNX ${op} by a constant` }, n, x);
        return;
      }
      case 'Shape': {
        const e = this.env.get(n.input![0]);
        if (!e) throw this.err('QNN5003', n, 'its input is not defined before it.');
        const dims = e.kind === 'const' ? e.dims : [1, ...e.shape];
        this.env.set(n.output![0], { kind: 'const', dims: [dims.length], values: Float64Array.from(dims) });
        return;
      }
      case 'Gather': {
        const d = this.constant(n, 0)!;
        const idx = this.constant(n, 1)!;
        if (d.dims.length !== 1 || Number(a.axis ?? 0) !== 0) throw this.err('QNN5003', n, 'Gather is supported on 1-D constants (shape computations) only.');
        const values = idx.values.map((i) => d.values[i < 0 ? i + d.values.length : i]);
        this.env.set(n.output![0], { kind: 'const', dims: idx.dims, values });
        return;
      }
      case 'Cast':
        this.alias(n, this.env.get(n.input![0])!);
        return;
      case 'Unsqueeze':
      case 'Squeeze':
        return this.squeeze(n, name, a);
      case 'Conv':
        return this.conv(n, name, a);
      case 'MaxPool':
      case 'AveragePool':
        return this.pool(n, name, a);
      case 'GlobalMaxPool':
      case 'GlobalAveragePool': {
        const x = this.spatialInput(n);
        const spatial = x.shape.length - 1;
        const qop = `global_${op === 'GlobalMaxPool' ? 'max' : 'avg'}pool${spatial}d`;
        // [C, 1, 1] in ONNX, [C] here: the same elements in the same order.
        this.push({ name, op: qop, inputs: [x.name], params: {}, tensors: [], result: undefined, source: `ONNX ${op}` }, n, { shape: [x.shape[0], ...x.shape.slice(1).map(() => 1)], axes: [0] });
        const v = this.env.get(n.output![0]) as Val;
        this.env.set(n.output![0], { ...v, shape: [x.shape[0]], axes: [0] });
        return;
      }
      case 'BatchNormalization': {
        const x = this.val(n, 0);
        const channelAxisLast = x.shape.length === 1 || x.axes[x.axes.length - 1] === 0;
        if (!channelAxisLast) throw this.err('QNN5003', n, 'the channel axis (1) is not the last axis of the .qnn tensor.');
        const [gamma, beta, mean, variance] = [1, 2, 3, 4].map((i) => this.constant(n, i)!);
        const eps = Number(a.epsilon ?? 1e-5);
        const C = mean.values.length;
        const s = new Float64Array(C);
        const o = new Float64Array(C);
        for (let i = 0; i < C; i++) {
          s[i] = gamma.values[i] / Math.sqrt(variance.values[i] + eps);
          o[i] = beta.values[i] - mean.values[i] * s[i];
        }
        this.push(
          { name, op: 'batchnorm', inputs: [x.name], params: {}, tensors: [{ attr: 'scale', shape: [C], values: s }, { attr: 'bias', shape: [C], values: o }], result: undefined, source: `ONNX BatchNormalization, folded (epsilon ${eps})` },
          n,
          x,
        );
        return;
      }
      case 'Concat': {
        if ((n.input ?? []).every((i) => this.env.get(i)?.kind === 'const')) {
          const cs = n.input!.map((i) => this.env.get(i) as Const);
          const values = new Float64Array(cs.reduce((t, c) => t + c.values.length, 0));
          let at = 0;
          for (const c of cs) {
            values.set(c.values, at);
            at += c.values.length;
          }
          this.env.set(n.output![0], { kind: 'const', dims: [values.length], values });
          return;
        }
        const vs = (n.input ?? []).map((_, i) => this.val(n, i));
        if (vs.some((v) => !sameLayout(v, vs[0]))) throw this.err('QNN5003', n, 'the inputs have different layouts.');
        const axis = Number(a.axis ?? 1);
        const onnxAxis = (axis < 0 ? axis + vs[0].shape.length + 1 : axis) - 1;
        if (onnxAxis < 0) throw this.err('QNN5003', n, 'concatenation along the batch axis is not supported.');
        const qaxis = vs[0].axes.indexOf(onnxAxis);
        const shape = vs[0].shape.map((d, k) => (k === onnxAxis ? vs.reduce((s, v) => s + v.shape[k], 0) : d));
        const params: Record<string, number> = qaxis === vs[0].axes.length - 1 ? {} : { axis: qaxis };
        this.push({ name, op: 'concat', inputs: vs.map((v) => v.name), params, tensors: [], result: undefined, source: '' }, n, { shape, axes: vs[0].axes });
        return;
      }
      case 'Quant':
      case 'BipolarQuant':
        return this.quant(n, name, a);
      default:
        throw new ImportError(
          'QNN5002',
          `Node '${n.name || n.output?.[0]}' of type ${op}${n.domain ? ` (domain ${n.domain})` : ''} is not supported. Supported operators: ${SUPPORTED_ONNX_OPS.join(', ')}.`,
          this.path,
        );
    }
  }

  /** A constant that broadcasts per channel of `x` (a scalar, [C], [1, C], [C, 1, 1], …) as C values. */
  private channelConst(n: Node, c: Const, x: Val, channels: number): Float64Array {
    if (c.values.length === 1) return new Float64Array(channels).fill(c.values[0]);
    // Right-aligned against [batch, ...shape]: every axis 1 except the channel axis (the last .qnn axis).
    const full = [1, ...x.shape];
    const channelAxis = (x.shape.length === 1 ? 0 : x.axes[x.axes.length - 1]) + 1;
    const offset = full.length - c.dims.length;
    const ok = offset >= 0 && c.dims.every((d, i) => (i + offset === channelAxis ? d === channels : d === 1));
    if (!ok) throw this.err('QNN5003', n, `the constant of shape [${c.dims.join(', ')}] is not one value per channel of [${x.shape.join(', ')}].`);
    return c.values;
  }

  /** Unsqueeze / Squeeze of size-1 axes: the elements keep their order; a reshape to the new .qnn shape. */
  private squeeze(n: Node, name: string, a: Record<string, unknown>): void {
    const e = this.env.get(n.input![0]);
    if (!e) throw this.err('QNN5003', n, 'its input is not defined before it.');
    const axesC = n.input![1] ? this.constant(n, 1) : undefined;
    const list = (axesC ? Array.from(axesC.values) : ((a.axes as number[] | undefined) ?? [])).map(Number);
    if (e.kind === 'const') {
      const rank = e.dims.length + (n.opType === 'Unsqueeze' ? list.length : 0);
      const ax = list.map((v) => (v < 0 ? v + rank : v));
      const dims = n.opType === 'Unsqueeze' ? insertOnes(e.dims, ax) : e.dims.filter((d, i) => (ax.length ? !ax.includes(i) : d !== 1));
      this.env.set(n.output![0], { kind: 'const', dims, values: e.values });
      return;
    }
    const full = [1, ...e.shape];
    const rank = full.length + (n.opType === 'Unsqueeze' ? list.length : 0);
    const ax = list.map((v) => (v < 0 ? v + rank : v));
    if (ax.includes(0)) throw this.err('QNN5003', n, 'squeezing or unsqueezing the batch axis is not supported.');
    const newFull = n.opType === 'Unsqueeze' ? insertOnes(full, ax) : full.filter((d, i) => (ax.length ? !ax.includes(i) : i === 0 || d !== 1));
    const shape = newFull.slice(1);
    const cf = e.shape.length > 1 && e.axes.every((v, i) => v === (i + 1) % e.shape.length);
    const axes = cf && shape.length > 1 ? [...shape.keys()].slice(1).concat(0) : [...shape.keys()];
    if (!cf && (e.order || e.axes.some((v, i) => v !== i))) throw this.err('QNN5003', n, 'the input has a layout the importer cannot reshape.');
    const qshape = axes.map((k) => shape[k]);
    this.push({ name, op: 'reshape', inputs: [e.name], params: { shape: qshape }, tensors: [], result: undefined, source: '' }, n, { shape, axes });
  }

  private opset(): number {
    return Number((this.model.opsetImport ?? []).find((o) => !o.domain)?.version ?? 13);
  }

  /** A conv/pool input: channels first in ONNX ([C, L] or [C, H, W]), channels last here. */
  private spatialInput(n: Node): Val {
    const x = this.val(n, 0);
    const r = x.shape.length;
    const want = [...Array(r).keys()].slice(1).concat(0);
    if (r < 2 || r > 3 || x.order || x.axes.some((ax, i) => ax !== want[i])) {
      throw this.err('QNN5003', n, `its input [${x.shape.join(', ')}] is not a channels-first tensor that the importer can lay out channels last.`);
    }
    return x;
  }

  private conv(n: Node, name: string, a: Record<string, unknown>): void {
    const x = this.spatialInput(n);
    const w = this.constant(n, 1)!;
    const spatial = x.shape.length - 1;
    const C = x.shape[0];
    const F = w.dims[0];
    const k = w.dims.slice(2);
    const group = Number(a.group ?? 1);
    const dil = (a.dilations as number[] | undefined) ?? k.map(() => 1);
    if (dil.some((d) => d !== 1)) throw this.err('QNN5003', n, `dilations [${dil.join(', ')}] are not supported (only 1).`);
    const strides = (a.strides as number[] | undefined) ?? k.map(() => 1);
    const { padding, out } = this.padding(n, a, x.shape.slice(1), k, strides);
    const depthwise = group !== 1;
    if (depthwise && !(group === C && w.dims[1] === 1)) throw this.err('QNN5003', n, `group = ${group} is supported only as a depthwise convolution (group = channels = ${C}).`);
    const M = depthwise ? F / C : 1;
    const kk = k.reduce((p, d) => p * d, 1);
    // ONNX [F, C/g, k…] → Keras [k…, C, F] (depthwise: [k…, C, M], output channel c·M + m).
    const keras = new Float64Array(w.values.length);
    const inC = depthwise ? C : w.dims[1];
    for (let f = 0; f < F; f++) {
      for (let c = 0; c < w.dims[1]; c++) {
        for (let p = 0; p < kk; p++) {
          const v = w.values[(f * w.dims[1] + c) * kk + p];
          if (depthwise) keras[(p * C + Math.floor(f / M)) * M + (f % M)] = v;
          else keras[(p * inC + c) * F + f] = v;
        }
      }
    }
    const shape = depthwise ? [...k, C, M] : [...k, inC, F];
    const tensors: ImportTensor[] = [this.tensor('weight', shape, keras, w)];
    const b = this.constant(n, 2);
    if (b) tensors.push(this.tensor('bias', [F], b.values, b));
    const params: Record<string, number | readonly number[] | string> = depthwise
      ? { kernel: compact(k), stride: compact(strides), padding, multiplier: M }
      : { filters: F, kernel: compact(k), stride: compact(strides), padding };
    this.push({ name, op: `${depthwise ? 'depthwise_' : ''}conv${spatial}d`, inputs: [x.name], params, tensors, result: undefined, source: 'ONNX Conv' }, n, {
      shape: [F, ...out],
      axes: x.axes,
    });
  }

  private pool(n: Node, name: string, a: Record<string, unknown>): void {
    const x = this.spatialInput(n);
    const k = a.kernel_shape as number[];
    const strides = (a.strides as number[] | undefined) ?? k.map(() => 1);
    if (Number(a.ceil_mode ?? 0) !== 0) throw this.err('QNN5003', n, 'ceil_mode = 1 is not supported.');
    const { padding, out } = this.padding(n, a, x.shape.slice(1), k, strides);
    const avg = n.opType === 'AveragePool';
    if (avg && padding === 'same' && Number(a.count_include_pad ?? 0) !== 0 && out.some((o, i) => (o - 1) * strides[i] + k[i] > x.shape[i + 1])) {
      throw this.err('QNN5003', n, 'count_include_pad = 1 with padding differs from the language (padded positions are not counted).');
    }
    const params: Record<string, number | readonly number[] | string> = { pool: compact(k), padding };
    if (strides.some((s, i) => s !== k[i])) params.stride = compact(strides);
    this.push({ name, op: `${avg ? 'avg' : 'max'}pool${x.shape.length - 1}d`, inputs: [x.name], params, tensors: [], result: undefined, source: `ONNX ${n.opType}` }, n, {
      shape: [x.shape[0], ...out],
      axes: x.axes,
    });
  }

  /** ONNX pads / auto_pad → 'valid' or 'same' (TensorFlow's: extra padding after), else an error. */
  private padding(n: Node, a: Record<string, unknown>, size: readonly number[], k: readonly number[], s: readonly number[]): { padding: string; out: number[] } {
    const auto = String(a.auto_pad ?? 'NOTSET');
    const valid = size.map((L, i) => Math.floor((L - k[i]) / s[i]) + 1);
    const same = size.map((L, i) => Math.ceil(L / s[i]));
    if (auto === 'VALID') return { padding: 'valid', out: valid };
    if (auto === 'SAME_UPPER') return { padding: 'same', out: same };
    if (auto === 'SAME_LOWER') {
      const odd = size.some((L, i) => Math.max((same[i] - 1) * s[i] + k[i] - L, 0) % 2 === 1);
      if (!odd) return { padding: 'same', out: same };
      throw this.err('QNN5003', n, 'auto_pad SAME_LOWER with an odd padding puts the extra row before; the language pads after (TensorFlow SAME).');
    }
    const pads = (a.pads as number[] | undefined) ?? size.flatMap(() => [0, 0]);
    const r = size.length;
    if (pads.every((p) => p === 0)) return { padding: 'valid', out: valid };
    const tf = size.map((L, i) => {
      const total = Math.max((same[i] - 1) * s[i] + k[i] - L, 0);
      return [Math.floor(total / 2), total - Math.floor(total / 2)];
    });
    if (tf.every(([b, e], i) => pads[i] === b && pads[i + r] === e)) return { padding: 'same', out: same };
    throw this.err('QNN5003', n, `pads [${pads.join(', ')}] are neither none ('valid') nor TensorFlow's 'same' padding [${tf.map((p) => p[0]).concat(tf.map((p) => p[1])).join(', ')}].`);
  }

  private quant(n: Node, name: string, a: Record<string, unknown>): void {
    this.quantized = true;
    const bipolar = n.opType === 'BipolarQuant';
    const scaleC = this.constant(n, 1)!;
    if (scaleC.values.some((v) => v !== scaleC.values[0])) throw this.err('QNN5005', n, 'a per-channel scale has no single fixed-point type; use one scale per tensor.');
    const scale = scaleC.values[0];
    const f = -Math.log2(scale);
    if (!Number.isInteger(f)) throw this.err('QNN5005', n, `the scale ${scale} is not a power of two; only power-of-two scales map to fixed-point types.`);
    let type: FixedType;
    let q: (v: number) => number;
    if (bipolar) {
      type = fixedType(true, 2, 2 - f);
      q = (v) => (v >= 0 ? scale : -scale);
    } else {
      const zp = this.constant(n, 2)!.values[0];
      const bits = this.constant(n, 3)!.values[0];
      if (zp !== 0) throw this.err('QNN5005', n, `the zero point ${zp} is not 0; only zero points of 0 map to fixed-point types.`);
      if (!Number.isInteger(bits) || bits < 1) throw this.err('QNN5005', n, `the bit width ${bits} is not a positive integer.`);
      const signed = Number(a.signed ?? 1) !== 0;
      const narrow = Number(a.narrow ?? 0) !== 0;
      const mode = String(a.rounding_mode ?? 'ROUND');
      const quant = mode === 'ROUND' ? 'RND_CONV' : mode === 'FLOOR' ? 'TRN' : mode === 'ROUND_TO_ZERO' ? 'TRN_ZERO' : undefined;
      if (!quant) throw this.err('QNN5005', n, `rounding_mode '${mode}' is not supported (ROUND, FLOOR, ROUND_TO_ZERO).`);
      if (narrow && !signed) throw this.err('QNN5005', n, 'narrow unsigned quantization has no fixed-point type.');
      type = fixedType(signed, bits, signed ? bits - f : bits - f, quant, narrow ? 'SAT_SYM' : 'SAT');
      const lo = signed ? -(2 ** (bits - 1)) + (narrow ? 1 : 0) : 0;
      const hi = signed ? 2 ** (bits - 1) - 1 : 2 ** bits - 1;
      const round = quant === 'RND_CONV' ? roundHalfEven : quant === 'TRN' ? Math.floor : Math.trunc;
      q = (v) => Math.min(hi, Math.max(lo, round(v / scale))) * scale;
    }
    const x = this.env.get(n.input![0]);
    if (!x) throw this.err('QNN5003', n, `its input '${n.input![0]}' is not defined before it.`);
    if (x.kind === 'const') {
      this.env.set(n.output![0], { kind: 'const', dims: x.dims, values: x.values.map(q), type });
      return;
    }
    if (bipolar) throw this.err('QNN5005', n, 'BipolarQuant of activations (a sign function) has no operation in the language; it is supported on weights.');
    // An activation quantizer: the type of the layer that computes the value when nothing else reads it, else a
    // linear layer with the type.
    const producer = this.layers.find((l) => l.name === x.name);
    if (producer && producer.result === undefined && (this.readers.get(n.input![0]) ?? 0) === 1) {
      producer.result = type;
      this.alias(n, x);
      return;
    }
    this.push({ name, op: 'linear', inputs: [x.name], params: {}, tensors: [], result: type, source: 'QONNX Quant' }, n, x);
  }

  private tensor(attr: string, shape: number[], values: Float64Array, c: Const): ImportTensor {
    return c.type ? { attr, shape, values, type: c.type, quantized: true } : { attr, shape, values };
  }

  private constOf(t: Tensor): Const {
    const dims = (t.dims ?? []).map(Number);
    const count = dims.reduce((p, d) => p * d, 1);
    let values: Float64Array;
    const dt = t.dataType ?? 1;
    if (t.rawData && t.rawData.length > 0) {
      const raw = t.rawData;
      const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
      values = new Float64Array(count);
      for (let i = 0; i < count; i++) {
        if (dt === 1) values[i] = view.getFloat32(i * 4, true);
        else if (dt === 11) values[i] = view.getFloat64(i * 8, true);
        else if (dt === 7) values[i] = Number(view.getBigInt64(i * 8, true));
        else if (dt === 6) values[i] = view.getInt32(i * 4, true);
        else throw new ImportError('QNN5004', `Constant '${t.name}' has ONNX data type ${dt}; supported: float, double, int32, int64.`, this.path);
      }
    } else if (t.floatData && t.floatData.length) values = Float64Array.from(t.floatData);
    else if (t.doubleData && t.doubleData.length) values = Float64Array.from(t.doubleData);
    else if (t.int64Data && t.int64Data.length) values = Float64Array.from(t.int64Data.map(Number));
    else if (t.int32Data && t.int32Data.length) values = Float64Array.from(t.int32Data);
    else values = new Float64Array(count);
    if (values.length !== count) throw new ImportError('QNN5004', `Constant '${t.name}' has ${values.length} values for shape [${dims.join(', ')}].`, this.path);
    return { kind: 'const', dims, values };
  }
}

function attrs(n: Node): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const a of n.attribute ?? []) {
    switch (a.type) {
      case 1:
        out[a.name!] = a.f;
        break;
      case 2:
        out[a.name!] = Number(a.i);
        break;
      case 3:
        out[a.name!] = new TextDecoder().decode(a.s ?? new Uint8Array());
        break;
      case 4:
        out[a.name!] = a.t;
        break;
      case 6:
        out[a.name!] = a.floats;
        break;
      case 7:
        out[a.name!] = (a.ints ?? []).map(Number);
        break;
      default:
        out[a.name!] = undefined;
    }
  }
  return out;
}

/** A bias constant ([C], [1, C], [C, 1, 1], a scalar) as C values, times `beta`. */
function broadcast(c: Const, channels: number, beta: number, n: Node, path: string): Float64Array {
  if (c.values.length === 1) return new Float64Array(channels).fill(c.values[0] * beta);
  if (c.values.length !== channels) {
    throw new ImportError('QNN5004', `Node '${n.name || n.output?.[0]}' (${n.opType}): the bias has ${c.values.length} values for ${channels} channels.`, path);
  }
  return beta === 1 ? c.values : c.values.map((v) => v * beta);
}

const DENSE_OR_CONV = new Set(['dense', 'conv1d', 'conv2d', 'depthwise_conv1d', 'depthwise_conv2d']);

function insertOnes(dims: readonly number[], axes: readonly number[]): number[] {
  const out = [...dims];
  for (const a of [...axes].sort((x, y) => x - y)) out.splice(a, 0, 1);
  return out;
}

/** Element-wise arithmetic of two constants of the same size, or a constant and a scalar. */
function constArith(op: string, a: Const, b: Const): Const {
  const f = op === 'Add' ? (x: number, y: number) => x + y : op === 'Sub' ? (x: number, y: number) => x - y : op === 'Mul' ? (x: number, y: number) => x * y : (x: number, y: number) => x / y;
  const [big, dims] = a.values.length >= b.values.length ? [a, a.dims] : [b, b.dims];
  const at = (c: Const, i: number) => (c.values.length === 1 ? c.values[0] : c.values[i]);
  return { kind: 'const', dims, values: big.values.map((_, i) => f(at(a, i), at(b, i))) };
}

function sameLayout(a: Val, b: Val): boolean {
  return a.axes.length === b.axes.length && a.axes.every((x, i) => x === b.axes[i]) && a.shape.every((d, i) => d === b.shape[i]) && !a.order === !b.order && (!a.order || a.order.every((v, i) => v === b.order![i]));
}

/** The element order after flattening `x` (.qnn flat index → ONNX flat index); undefined when it is the identity. */
function flatOrder(x: Val): Int32Array | undefined {
  if (x.order) return x.order;
  if (x.axes.every((ax, i) => ax === i)) return undefined;
  const qshape = x.axes.map((ax) => x.shape[ax]);
  const total = qshape.reduce((p, d) => p * d, 1);
  const onnxStrides = x.shape.map((_, k) => x.shape.slice(k + 1).reduce((p, d) => p * d, 1));
  const order = new Int32Array(total);
  const idx = new Array(qshape.length).fill(0);
  for (let i = 0; i < total; i++) {
    let o = 0;
    for (let k = 0; k < qshape.length; k++) o += idx[k] * onnxStrides[x.axes[k]];
    order[i] = o;
    for (let k = qshape.length - 1; k >= 0; k--) {
      if (++idx[k] < qshape[k]) break;
      idx[k] = 0;
    }
  }
  return order;
}

function compact(v: readonly number[]): number | readonly number[] {
  return v.every((x) => x === v[0]) ? v[0] : v;
}

function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  return d > 0.5 ? f + 1 : d < 0.5 ? f : f % 2 === 0 ? f : f + 1;
}
