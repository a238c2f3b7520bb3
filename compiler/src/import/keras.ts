// The Keras front end: a Keras 2 or Keras 3 model config (functional or Sequential, with QKeras layers) and its
// weights → an ImportGraph. Tensors are channels last, as in the language; channels_first layers are an error.
import { ImportError, nameSpan } from './errors.js';
import type { ImportGraph, ImportLayer, ImportTensor, ResultType } from './graph.js';
import { activationType, parseQuantizer, quantizeWeights, type QuantizerSpec } from './qkeras.js';

/** One weight array of a layer, as stored: `kernel:0`-style name when the file has names, its shape and values. */
export interface KerasWeight {
  readonly name: string | undefined;
  readonly shape: readonly number[];
  readonly values: Float64Array;
}

/** The weights of each layer, by layer name, in the order Keras stores them. */
export type KerasWeights = ReadonlyMap<string, readonly KerasWeight[]>;

export interface KerasSource {
  readonly config: unknown;
  /** The JSON text of the config (for locations in diagnostics), when it came from a file. */
  readonly configText?: string;
  readonly configPath: string;
  readonly weights: KerasWeights;
  readonly weightsPath: string;
  readonly description: string;
  readonly name: string;
}

export const SUPPORTED_KERAS_LAYERS = [
  'InputLayer', 'Dense', 'Conv1D', 'Conv2D', 'DepthwiseConv1D', 'DepthwiseConv2D', 'MaxPooling1D', 'MaxPooling2D',
  'AveragePooling1D', 'AveragePooling2D', 'GlobalMaxPooling1D', 'GlobalMaxPooling2D', 'GlobalAveragePooling1D',
  'GlobalAveragePooling2D', 'BatchNormalization', 'Activation', 'ReLU', 'LeakyReLU', 'Softmax', 'Flatten', 'Reshape',
  'Add', 'Concatenate', 'QDense', 'QConv1D', 'QConv2D', 'QDepthwiseConv2D', 'QActivation', 'QBatchNormalization',
];

const DROPPED = new Set(['Dropout', 'SpatialDropout1D', 'SpatialDropout2D', 'GaussianNoise', 'GaussianDropout', 'AlphaDropout', 'ActivityRegularization']);

interface RawLayer {
  readonly className: string;
  readonly name: string;
  readonly config: Record<string, unknown>;
  /** Names of the layers whose outputs this layer reads; undefined for Sequential (the previous layer). */
  readonly inbound: readonly string[] | undefined;
}

export function kerasToGraph(src: KerasSource): ImportGraph {
  return new KerasBuilder(src).build();
}

class KerasBuilder {
  private readonly layers: ImportLayer[] = [];
  private readonly inputs: { name: string; shape: number[] }[] = [];
  /** Model layer name → the graph value holding its output (dropped layers alias their input). */
  private readonly value = new Map<string, string>();
  private quantized = false;
  private readonly notes: string[] = [];
  /**
   * Channels-first values (data_format='channels_first'): their Keras shape [C, …spatial] (the .qnn tensor is
   * [...spatial, C]), and flattened values whose .qnn order differs from Keras's (.qnn index → Keras index).
   */
  private readonly layout = new Map<string, { readonly cf?: readonly number[]; readonly order?: Int32Array }>();
  private cfInputs = new Set<string>();

  constructor(private readonly src: KerasSource) {}

  build(): ImportGraph {
    const { layers, outputs } = this.readTopology();
    this.cfInputs = channelsFirstInputs(layers);
    let previous: string | undefined;
    for (const l of layers) {
      const ins = [...(l.inbound ?? (previous === undefined ? [] : [previous]))];
      if (l.className !== 'InputLayer' && ins.length === 0 && l.inbound === undefined) {
        // Sequential model without an InputLayer: the first layer declares the input shape.
        const shape = batchShape(l.config);
        if (!shape) throw this.error('QNN5003', l, `The first layer '${l.name}' does not give the input shape (batch_input_shape); build the model with an Input before saving it.`);
        this.declareInput('input_1', shape);
        ins.push('input_1');
      }
      this.layer(l, ins);
      previous = l.name;
    }
    const outs = outputs ?? (previous ? [previous] : []);
    if (this.src.weights.size > 0) {
      const known = new Set(layers.map((l) => l.name));
      const unused = [...this.src.weights.keys()].filter((k) => !known.has(k) && (this.src.weights.get(k)?.length ?? 0) > 0);
      if (unused.length) throw new ImportError('QNN5004', `The weights file has weights for layers the model does not have (${unused.slice(0, 5).join(', ')}); it belongs to another model.`, this.src.weightsPath);
    }
    return {
      name: this.src.name,
      description: this.src.description,
      inputs: this.inputs,
      layers: this.layers,
      outputs: outs.map((o) => this.valueOf(o)),
      quantized: this.quantized,
      notes: this.notes,
    };
  }

  private readTopology(): { layers: RawLayer[]; outputs: string[] | undefined } {
    const model = this.src.config as { class_name?: string; config?: unknown };
    const cls = model.class_name;
    let cfg = model.config as { layers?: unknown[]; output_layers?: unknown } | unknown[] | undefined;
    if (cls === 'Sequential') {
      const list = Array.isArray(cfg) ? cfg : (cfg as { layers?: unknown[] })?.layers;
      if (!Array.isArray(list)) throw new ImportError('QNN5001', `The Sequential model config has no list of layers.`, this.src.configPath);
      return { layers: list.map((l) => this.raw(l, undefined)), outputs: undefined };
    }
    if (cls === 'Model' || cls === 'Functional') {
      cfg = cfg as { layers?: unknown[]; output_layers?: unknown };
      if (!cfg || !Array.isArray(cfg.layers)) throw new ImportError('QNN5001', `The model config has no list of layers.`, this.src.configPath);
      const layers = cfg.layers.map((l) => this.raw(l, inboundOf(l, this.src.configPath)));
      return { layers: topological(layers), outputs: layerRefs(cfg.output_layers) };
    }
    throw new ImportError('QNN5001', `'${this.src.configPath}' is not a Keras model config (class_name '${String(cls)}'; expected Sequential, Model or Functional).`, this.src.configPath);
  }

  private raw(l: unknown, inbound: string[] | undefined): RawLayer {
    const o = l as { class_name?: string; config?: Record<string, unknown>; name?: string };
    const config = o.config ?? {};
    const name = String(config.name ?? o.name ?? '');
    return { className: String(o.class_name), name, config, inbound };
  }

  /** An input; channels last when its first reader is channels first (the file's header says so). */
  private declareInput(name: string, shape: number[]): void {
    if (this.cfInputs.has(name) && shape.length >= 2) {
      const q = [...shape.slice(1), shape[0]];
      this.addInput(name, q);
      this.layout.set(name, { cf: shape });
      this.notes.push(`Input '${name}' is [${shape.join(', ')}] (channels first) in the model; this network takes it channels last, [${q.join(', ')}]: transpose the data (numpy: x.transpose(0, ${shape.length === 3 ? '2, 3, 1' : '2, 1'})).`);
      return;
    }
    this.addInput(name, shape);
  }

  private addInput(name: string, shape: number[]): void {
    this.inputs.push({ name, shape });
    this.value.set(name, name);
  }

  private valueOf(layer: string): string {
    const v = this.value.get(layer);
    if (v === undefined) throw new ImportError('QNN5001', `The model refers to a layer '${layer}' that it does not define.`, this.src.configPath);
    return v;
  }

  private error(code: 'QNN5002' | 'QNN5003' | 'QNN5004' | 'QNN5005', l: RawLayer, message: string): ImportError {
    const s = nameSpan(this.src.configText, l.name);
    return new ImportError(code, message, this.src.configPath, s.start, s.end);
  }

  private push(layer: ImportLayer): void {
    this.layers.push(layer);
  }

  private layer(l: RawLayer, ins: readonly string[]): void {
    const before = ins.map((i) => (this.value.has(i) ? this.layout.get(this.value.get(i)!) : undefined));
    this.layerBody(l, ins);
    this.propagateLayout(l, before);
  }

  /** Channels-first tensors go only where the importer keeps track of their layout. */
  private checkLayout(l: RawLayer, ins: readonly string[]): void {
    const cls = l.className;
    const ls = ins.map((i) => (this.value.has(i) ? this.layout.get(this.value.get(i)!) : undefined));
    const cfIn = ls.some((x) => x?.cf);
    const orderIn = ls.some((x) => x?.order);
    const cfLayer = l.config.data_format === 'channels_first';
    const spatial = SPATIAL_LAYER.test(cls);
    if (spatial && cfLayer !== cfIn) {
      throw this.error('QNN5003', l, `Layer '${l.name}' (${cls}) uses data_format '${cfLayer ? 'channels_first' : 'channels_last'}' on a ${cfIn ? 'channels-first' : 'channels-last'} tensor; the importer converts models that are channels first from the input on.`);
    }
    const elementwise = ELEMENTWISE.has(cls) || DROPPED.has(cls);
    if (cfIn && !spatial && !elementwise && !['Flatten', 'Add', 'Concatenate', 'BatchNormalization', 'QBatchNormalization'].includes(cls)) {
      throw this.error('QNN5003', l, `Layer '${l.name}' (${cls}) reads a channels-first tensor, which the language holds channels last; flatten it first.`);
    }
    if (orderIn && !elementwise && !['Dense', 'QDense', 'BatchNormalization', 'QBatchNormalization'].includes(cls)) {
      throw this.error('QNN5003', l, `Layer '${l.name}' (${cls}) reads a flattened channels-first tensor; only dense layers and element-wise layers may follow such a Flatten.`);
    }
  }

  private propagateLayout(l: RawLayer, before: readonly ({ readonly cf?: readonly number[]; readonly order?: Int32Array } | undefined)[]): void {
    const v = this.value.get(l.name);
    if (!v || this.layout.has(v) || before.length === 0) return;
    const cls = l.className;
    const cf = before.find((x) => x?.cf)?.cf;
    const order = before.find((x) => x?.order)?.order;
    const c = l.config;
    if (cf) {
      if (SPATIAL_LAYER.test(cls) && !cls.startsWith('Global')) {
        const sp = cf.slice(1);
        const pooling = cls.includes('Pooling');
        const k = ints(pooling ? (c.pool_size ?? 2) : c.kernel_size, sp.length);
        const st = c.strides === null || c.strides === undefined ? (pooling ? k : sp.map(() => 1)) : ints(c.strides, sp.length);
        const outSp = sp.map((L, i) => (c.padding === 'same' ? Math.ceil(L / st[i]) : Math.floor((L - k[i]) / st[i]) + 1));
        const ch = pooling ? cf[0] : cls.includes('Depthwise') ? cf[0] * Number(c.depth_multiplier ?? 1) : Number(c.filters);
        this.layout.set(v, { cf: [ch, ...outSp] });
      } else if (cls === 'Concatenate') {
        const total = before.reduce((t, x) => t + (x?.cf?.[0] ?? 0), 0);
        this.layout.set(v, { cf: [total, ...cf.slice(1)] });
      } else if (!cls.startsWith('Global') && cls !== 'Flatten') this.layout.set(v, { cf });
    } else if (order && !['Dense', 'QDense'].includes(cls)) this.layout.set(v, { order });
  }

  private layerBody(l: RawLayer, ins: readonly string[]): void {
    const c = l.config;
    const x = () => {
      if (ins.length !== 1) throw this.error('QNN5003', l, `Layer '${l.name}' (${l.className}) takes one input; it has ${ins.length}.`);
      return this.valueOf(ins[0]);
    };
    const out = (name: string) => this.value.set(l.name, name);
    const cls = l.className;
    this.checkLayout(l, ins);
    if (cls.startsWith('Q')) this.quantized = true;
    switch (cls) {
      case 'InputLayer': {
        const shape = batchShape(c);
        if (!shape) throw this.error('QNN5003', l, `Input '${l.name}' has no fixed shape; every dimension except the batch must be known.`);
        this.declareInput(l.name, shape);
        return;
      }
      case 'Dense':
      case 'QDense': {
        const [w0, b] = this.weights(l, ['kernel', 'bias'], c.use_bias !== false);
        // After a flatten of a channels-first tensor, the .qnn elements come in another order: permute the rows.
        const order = this.layout.get(this.valueOf(ins[0]))?.order;
        const w = order && w0 ? { ...w0, values: permuteRows(w0.values, order, w0.shape[w0.shape.length - 1]) } : w0;
        const tensors = this.quantize(l, [
          { attr: 'weight', w, q: 'kernel_quantizer' },
          { attr: 'bias', w: b, q: 'bias_quantizer' },
        ]);
        this.push({ name: l.name, op: 'dense', inputs: [x()], params: { units: Number(c.units) }, tensors, result: undefined, source: `${cls} '${l.name}'` });
        out(l.name);
        this.activation(l, c.activation);
        return;
      }
      case 'Conv1D':
      case 'Conv2D':
      case 'QConv1D':
      case 'QConv2D':
      case 'DepthwiseConv1D':
      case 'DepthwiseConv2D':
      case 'QDepthwiseConv2D': {
        const spatial = cls.endsWith('1D') ? 1 : 2;
        const depthwise = cls.includes('Depthwise');
        this.checkConv(l, spatial);
        const kernelName = depthwise ? 'depthwise_kernel' : 'kernel';
        const [w, b] = this.weights(l, [kernelName, 'bias'], c.use_bias !== false);
        const tensors = this.quantize(l, [
          { attr: 'weight', w, q: depthwise ? 'depthwise_quantizer' : 'kernel_quantizer' },
          { attr: 'bias', w: b, q: 'bias_quantizer' },
        ]);
        const kernel = ints(c.kernel_size, spatial);
        const params: Record<string, number | readonly number[] | string> = depthwise
          ? { kernel: compact(kernel), stride: compact(ints(c.strides ?? 1, spatial)), padding: String(c.padding ?? 'valid'), multiplier: Number(c.depth_multiplier ?? 1) }
          : { filters: Number(c.filters), kernel: compact(kernel), stride: compact(ints(c.strides ?? 1, spatial)), padding: String(c.padding ?? 'valid') };
        const op = `${depthwise ? 'depthwise_' : ''}conv${spatial}d`;
        this.push({ name: l.name, op, inputs: [x()], params, tensors, result: undefined, source: `${cls} '${l.name}'` });
        out(l.name);
        this.activation(l, c.activation);
        return;
      }
      case 'MaxPooling1D':
      case 'MaxPooling2D':
      case 'AveragePooling1D':
      case 'AveragePooling2D': {
        const spatial = cls.endsWith('1D') ? 1 : 2;
        const kind = cls.startsWith('Max') ? 'max' : 'avg';
        const pool = ints(c.pool_size ?? 2, spatial);
        const padding = String(c.padding ?? 'valid');
        this.checkPadding(l, padding);
        const stride = c.strides === null || c.strides === undefined ? pool : ints(c.strides, spatial);
        const params: Record<string, number | readonly number[] | string> = { pool: compact(pool), padding };
        if (stride.some((s, i) => s !== pool[i])) params.stride = compact(stride);
        this.push({ name: l.name, op: `${kind}pool${spatial}d`, inputs: [x()], params, tensors: [], result: undefined, source: `${cls} '${l.name}'` });
        out(l.name);
        return;
      }
      case 'GlobalMaxPooling1D':
      case 'GlobalMaxPooling2D':
      case 'GlobalAveragePooling1D':
      case 'GlobalAveragePooling2D': {
        if (c.keepdims === true) throw this.error('QNN5003', l, `Layer '${l.name}' (${cls}) uses keepdims=True; the language's global pooling gives one value per channel. Save it with keepdims=False.`);
        const spatial = cls.endsWith('1D') ? 1 : 2;
        const kind = cls.includes('Max') ? 'max' : 'avg';
        this.push({ name: l.name, op: `global_${kind}pool${spatial}d`, inputs: [x()], params: {}, tensors: [], result: undefined, source: `${cls} '${l.name}'` });
        out(l.name);
        return;
      }
      case 'BatchNormalization':
      case 'QBatchNormalization': {
        const axis = Array.isArray(c.axis) ? c.axis : [c.axis ?? -1];
        const cfIn = this.layout.get(this.valueOf(ins[0]))?.cf;
        if (axis.length !== 1 || (cfIn ? Number(axis[0]) !== 1 : Number(axis[0]) !== -1 && !this.isLastAxis(ins, Number(axis[0])))) {
          throw this.error('QNN5003', l, `BatchNormalization '${l.name}' normalizes axis ${JSON.stringify(c.axis)}; the language normalizes the last axis (channels).`);
        }
        const scale = c.scale !== false;
        const center = c.center !== false;
        const roles = [...(scale ? ['gamma'] : []), ...(center ? ['beta'] : []), 'moving_mean', 'moving_variance'];
        const ws = this.weights(l, roles, true);
        const get = (r: string) => ws[roles.indexOf(r)];
        // QBatchNormalization quantizes its parameters first (QKeras), then normalizes in float.
        const q = (role: string, key: string) => {
          const w = get(role)!;
          const spec = cls === 'QBatchNormalization' ? this.quantizerOf(l, key) : undefined;
          return spec ? quantizeWeights(spec, w.values, `'${l.name}' (${key})`, this.src.configPath).values : w.values;
        };
        const mean = q('moving_mean', 'mean_quantizer');
        const variance = q('moving_variance', 'variance_quantizer');
        const gamma = scale ? q('gamma', 'gamma_quantizer') : new Float64Array(mean.length).fill(1);
        const beta = center ? q('beta', 'beta_quantizer') : new Float64Array(mean.length);
        const eps = Number(c.epsilon ?? 0.001);
        const s = new Float64Array(mean.length);
        const o = new Float64Array(mean.length);
        for (let i = 0; i < s.length; i++) {
          s[i] = Math.fround(gamma[i] / Math.sqrt(variance[i] + eps));
          o[i] = Math.fround(beta[i] - mean[i] * s[i]);
        }
        const shape = [mean.length];
        this.push({
          name: l.name,
          op: 'batchnorm',
          inputs: [x()],
          params: {},
          tensors: [
            { attr: 'scale', shape, values: s },
            { attr: 'bias', shape, values: o },
          ],
          result: undefined,
          source: `${cls} '${l.name}', folded: scale = gamma / sqrt(variance + ${eps}), bias = beta − mean · scale`,
        });
        out(l.name);
        return;
      }
      case 'Activation': {
        this.value.set(l.name, x());
        this.activation(l, c.activation, true);
        return;
      }
      case 'QActivation': {
        this.value.set(l.name, x());
        this.activation(l, c.activation, true);
        return;
      }
      case 'ReLU': {
        const max = c.max_value === null || c.max_value === undefined ? undefined : Number(c.max_value);
        const slope = Number(c.negative_slope ?? 0);
        const threshold = Number(c.threshold ?? 0);
        if (threshold !== 0 || (max !== undefined && max !== 6) || (slope !== 0 && max !== undefined)) {
          throw this.error('QNN5003', l, `ReLU '${l.name}' has max_value=${String(c.max_value)}, negative_slope=${slope}, threshold=${threshold}; supported: relu, relu with max_value 6 (relu6), or a negative slope alone (leaky_relu).`);
        }
        const op = max === 6 ? 'relu6' : slope !== 0 ? 'leaky_relu' : 'relu';
        this.push({ name: l.name, op, inputs: [x()], params: slope !== 0 ? { alpha: slope } : {}, tensors: [], result: undefined, source: '' });
        out(l.name);
        return;
      }
      case 'LeakyReLU': {
        const alpha = Number(c.alpha ?? c.negative_slope ?? 0.3);
        this.push({ name: l.name, op: 'leaky_relu', inputs: [x()], params: { alpha }, tensors: [], result: undefined, source: '' });
        out(l.name);
        return;
      }
      case 'Softmax': {
        if (c.axis !== undefined && Number(c.axis) !== -1 && !this.isLastAxis(ins, Number(c.axis))) {
          throw this.error('QNN5003', l, `Softmax '${l.name}' normalizes axis ${String(c.axis)}; the language's softmax normalizes the last axis.`);
        }
        this.push({ name: l.name, op: 'softmax', inputs: [x()], params: {}, tensors: [], result: undefined, source: '' });
        out(l.name);
        return;
      }
      case 'Flatten': {
        const cf = this.layout.get(x())?.cf;
        this.push({ name: l.name, op: 'flatten', inputs: [x()], params: {}, tensors: [], result: undefined, source: '' });
        out(l.name);
        // Keras flattens a channels-first tensor as [C, …spatial] unless the Flatten itself says channels_first.
        if (cf && c.data_format !== 'channels_first') this.layout.set(l.name, { order: channelsFirstOrder(cf) });
        return;
      }
      case 'Reshape': {
        const shape = (c.target_shape as unknown[] | undefined)?.map((d) => (d === null ? -1 : Number(d)));
        if (!shape) throw this.error('QNN5003', l, `Reshape '${l.name}' has no target_shape.`);
        this.push({ name: l.name, op: 'reshape', inputs: [x()], params: { shape }, tensors: [], result: undefined, source: '' });
        out(l.name);
        return;
      }
      case 'Add':
      case 'Concatenate': {
        if (ins.length < 2) throw this.error('QNN5003', l, `Layer '${l.name}' (${cls}) needs two or more inputs.`);
        const params: Record<string, number> = {};
        if (cls === 'Concatenate') {
          const axis = Number(c.axis ?? -1);
          const cfIn = this.layout.get(this.valueOf(ins[0]))?.cf;
          if (cfIn && axis !== 1) throw this.error('QNN5003', l, `Concatenate '${l.name}' joins channels-first tensors along axis ${axis}; only the channel axis (1) is supported.`);
          // Keras counts the batch axis; the language does not.
          if (!cfIn && axis !== -1) params.axis = axis > 0 ? axis - 1 : axis;
        }
        this.push({ name: l.name, op: cls === 'Add' ? 'add' : 'concat', inputs: ins.map((i) => this.valueOf(i)), params, tensors: [], result: undefined, source: '' });
        out(l.name);
        return;
      }
      default:
        if (DROPPED.has(cls)) {
          this.value.set(l.name, x());
          this.notes.push(`${cls} '${l.name}' is dropped (it is the identity at inference).`);
          return;
        }
        throw this.error(
          'QNN5002',
          l,
          `Layer '${l.name}' of type ${cls} is not supported. Supported layers: ${SUPPORTED_KERAS_LAYERS.join(', ')}, and ${[...DROPPED].join(', ')} (dropped).`,
        );
    }
  }

  /**
   * An activation: the `activation` argument of a Dense or convolution layer (a layer `<name>_<op>` after it), or an
   * Activation / QActivation layer (`standalone`: a layer of its own name).
   */
  private activation(l: RawLayer, act: unknown, standalone = false): void {
    const input = this.valueOf(l.name);
    const a = this.activationOp(l, act);
    if (!a) return; // linear: the identity
    const name = standalone ? l.name : `${l.name}_${a.op}`;
    this.push({ name, op: a.op, inputs: [input], params: a.params, tensors: [], result: a.result, source: '' });
    this.value.set(l.name, name);
  }

  private activationOp(l: RawLayer, act: unknown): { op: string; params: Record<string, number>; result: ResultType } | undefined {
    if (act === undefined || act === null || act === 'linear') return undefined;
    if (typeof act === 'string' && /^[a-z_0-9]+$/.test(act) && !/^(quantized_|binary|ternary)/.test(act)) {
      if (['relu', 'relu6', 'sigmoid', 'tanh', 'softmax'].includes(act)) return { op: act, params: {}, result: undefined };
      if (act === 'leaky_relu') return { op: 'leaky_relu', params: { alpha: 0.2 }, result: undefined };
      throw this.error('QNN5002', l, `The activation '${act}' of layer '${l.name}' is not supported. Supported activations: relu, relu6, leaky_relu, sigmoid, tanh, softmax, linear, and the QKeras quantizers quantized_relu and quantized_bits.`);
    }
    const where = `layer '${l.name}'`;
    try {
      const q = parseQuantizer(act, where, this.src.configPath, nameSpan(this.src.configText, l.name));
      this.quantized = true;
      if (!q) return undefined;
      const type = activationType(q, where, this.src.configPath);
      return { op: q.kind === 'quantized_relu' ? 'relu' : 'linear', params: {}, result: type };
    } catch (e) {
      if (e instanceof ImportError) throw this.error('QNN5005', l, e.message);
      throw e;
    }
  }

  private quantizerOf(l: RawLayer, key: string): QuantizerSpec | undefined {
    try {
      return parseQuantizer(l.config[key], `'${l.name}' (${key})`, this.src.configPath, nameSpan(this.src.configText, l.name));
    } catch (e) {
      if (e instanceof ImportError) throw this.error('QNN5005', l, e.message);
      throw e;
    }
  }

  private quantize(l: RawLayer, items: { attr: string; w: KerasWeight | undefined; q: string }[]): ImportTensor[] {
    const out: ImportTensor[] = [];
    for (const { attr, w, q } of items) {
      if (!w) continue;
      let spec: QuantizerSpec | undefined;
      try {
        spec = parseQuantizer(l.config[q], `'${l.name}' (${q})`, this.src.configPath, nameSpan(this.src.configText, l.name));
      } catch (e) {
        if (e instanceof ImportError) throw this.error('QNN5005', l, e.message);
        throw e;
      }
      if (!spec) {
        out.push({ attr, shape: w.shape, values: w.values });
        continue;
      }
      this.quantized = true;
      const r = quantizeWeights(spec, w.values, `'${l.name}' (${q})`, this.src.configPath);
      out.push({ attr, shape: w.shape, values: r.values, type: r.type, quantized: true });
    }
    return out;
  }

  /** The layer's weights in the order of `roles` (by name when the file names them, else by position). */
  private weights(l: RawLayer, roles: readonly string[], withLast: boolean): (KerasWeight | undefined)[] {
    const want = withLast ? roles : roles.slice(0, -1);
    const ws = this.src.weights.get(l.name) ?? [];
    if (ws.length === 0) {
      throw this.error('QNN5004', l, `The weights file '${this.src.weightsPath}' has no weights for layer '${l.name}' (${l.className}); it needs ${want.join(', ')}.`);
    }
    if (ws.length !== want.length) {
      throw this.error('QNN5004', l, `Layer '${l.name}' (${l.className}) has ${ws.length} weight arrays in '${this.src.weightsPath}'; it needs ${want.length} (${want.join(', ')}).`);
    }
    const byRole = (role: string, i: number): KerasWeight => {
      const named = ws.find((w) => w.name !== undefined && baseName(w.name) === role);
      return named ?? ws[i];
    };
    return roles.map((r, i) => (i < want.length ? byRole(r, i) : undefined));
  }

  private checkConv(l: RawLayer, spatial: number): void {
    const c = l.config;
    const dil = ints(c.dilation_rate ?? 1, spatial);
    if (dil.some((d) => d !== 1)) throw this.error('QNN5003', l, `Layer '${l.name}' (${l.className}) has dilation_rate ${JSON.stringify(c.dilation_rate)}; only 1 is supported.`);
    if (c.groups !== undefined && Number(c.groups) !== 1) throw this.error('QNN5003', l, `Layer '${l.name}' (${l.className}) has groups=${String(c.groups)}; only 1 is supported (use DepthwiseConv for one group per channel).`);
    this.checkPadding(l, String(c.padding ?? 'valid'));
  }

  private checkPadding(l: RawLayer, padding: string): void {
    if (padding !== 'valid' && padding !== 'same') {
      throw this.error('QNN5003', l, `Layer '${l.name}' (${l.className}) has padding '${padding}'; supported: 'valid' and 'same'.`);
    }
  }

  /** Whether Keras axis `axis` (counting the batch) is the last axis of the layer's input. */
  private isLastAxis(ins: readonly string[], axis: number): boolean {
    const rank = this.rankOf(ins[0]);
    return rank !== undefined && axis === rank;
  }

  private rankOf(layer: string): number | undefined {
    const v = this.value.get(layer);
    const input = this.inputs.find((i) => i.name === v);
    if (input) return input.shape.length;
    const l = this.layers.find((x) => x.name === v);
    if (!l) return undefined;
    if (l.op === 'flatten' || l.op.startsWith('global_')) return 1;
    if (l.op === 'reshape') return (l.params.shape as number[]).length;
    if (l.op.endsWith('1d')) return 2;
    if (l.op.endsWith('2d')) return 3;
    return l.inputs.length ? this.rankOf(l.inputs[0]) : undefined;
  }
}

const SPATIAL_LAYER = /^(Q?Conv[12]D|Q?DepthwiseConv[12]D|(Max|Average)Pooling[12]D|Global(Max|Average)Pooling[12]D)$/;
const ELEMENTWISE = new Set(['Activation', 'QActivation', 'ReLU', 'LeakyReLU']);

/** Input layers whose first reader is a channels_first layer. */
function channelsFirstInputs(layers: readonly RawLayer[]): Set<string> {
  const out = new Set<string>();
  layers.forEach((l, i) => {
    if (l.className !== 'InputLayer') {
      if (i === 0 && l.config.data_format === 'channels_first') out.add('input_1'); // Sequential without InputLayer
      return;
    }
    const reader = layers.find((r, j) => (r.inbound ? r.inbound.includes(l.name) : j === i + 1));
    if (reader?.config.data_format === 'channels_first') out.add(l.name);
  });
  return out;
}

/** .qnn flat index → Keras flat index of a channels-first tensor of Keras shape [C, …spatial]. */
function channelsFirstOrder(cf: readonly number[]): Int32Array {
  const C = cf[0];
  const S = cf.slice(1).reduce((a, b) => a * b, 1);
  const order = new Int32Array(C * S);
  for (let i = 0; i < S; i++) for (let c = 0; c < C; c++) order[i * C + c] = c * S + i;
  return order;
}

/** Rows of a [rows, cols] matrix taken in `order`. */
function permuteRows(values: Float64Array, order: Int32Array, cols: number): Float64Array {
  const out = new Float64Array(values.length);
  for (let i = 0; i < order.length; i++) out.set(values.subarray(order[i] * cols, (order[i] + 1) * cols), i * cols);
  return out;
}

function baseName(weightName: string): string {
  return weightName.replace(/:\d+$/, '').split('/').pop()!;
}

function batchShape(c: Record<string, unknown>): number[] | undefined {
  const s = (c.batch_input_shape ?? c.batch_shape) as unknown[] | undefined;
  if (!Array.isArray(s) || s.length < 2) return undefined;
  const dims = s.slice(1);
  if (dims.some((d) => typeof d !== 'number' || !Number.isInteger(d) || d <= 0)) return undefined;
  return dims as number[];
}

function ints(v: unknown, n: number): number[] {
  if (Array.isArray(v)) return v.map(Number);
  return Array.from({ length: n }, () => Number(v));
}

/** [3, 3] → 3 (the language's shorthand when all axes agree). */
function compact(v: readonly number[]): number | readonly number[] {
  return v.every((x) => x === v[0]) ? v[0] : v;
}

/** Names of the layers a functional layer reads (Keras 2 and Keras 3 inbound_nodes). */
function inboundOf(l: unknown, path: string): string[] {
  const nodes = (l as { inbound_nodes?: unknown[] }).inbound_nodes ?? [];
  if (nodes.length === 0) return [];
  if (nodes.length > 1) {
    const name = (l as { config?: { name?: string } }).config?.name ?? '?';
    throw new ImportError('QNN5002', `Layer '${name}' is called ${nodes.length} times (a shared layer); the importer supports layers called once.`, path);
  }
  const node = nodes[0];
  const out: string[] = [];
  if (Array.isArray(node)) {
    // Keras 2: [[name, node_index, tensor_index, kwargs], …]
    for (const ref of node) if (Array.isArray(ref) && typeof ref[0] === 'string') out.push(ref[0]);
    return out;
  }
  // Keras 3: { args: [...], kwargs: {...} } with { class_name: '__keras_tensor__', config: { keras_history: [name, 0, 0] } }.
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(visit);
    else if (v && typeof v === 'object') {
      const o = v as { class_name?: string; config?: { keras_history?: unknown[] } };
      if (o.class_name === '__keras_tensor__' && Array.isArray(o.config?.keras_history)) out.push(String(o.config!.keras_history[0]));
      else if (!('class_name' in o)) Object.values(o).forEach(visit);
    }
  };
  visit((node as { args?: unknown }).args);
  return out;
}

function layerRefs(v: unknown): string[] | undefined {
  if (!Array.isArray(v)) return undefined;
  if (v.length >= 1 && typeof v[0] === 'string') return [v[0]]; // Keras 3 single output: [name, 0, 0]
  return v.map((r) => String((r as unknown[])[0]));
}

/** Layers ordered so that every layer comes after its inputs (configs are usually in order already). */
function topological(layers: RawLayer[]): RawLayer[] {
  const byName = new Map(layers.map((l) => [l.name, l]));
  const done = new Set<string>();
  const out: RawLayer[] = [];
  const visit = (l: RawLayer, depth: number) => {
    if (done.has(l.name) || depth > layers.length) return;
    for (const i of l.inbound ?? []) {
      const d = byName.get(i);
      if (d) visit(d, depth + 1);
    }
    if (!done.has(l.name)) {
      done.add(l.name);
      out.push(l);
    }
  };
  for (const l of layers) visit(l, 0);
  return out;
}
