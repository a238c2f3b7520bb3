// The catalog of layer operations: parameters, attributes, documentation. One table drives the checker, the docs,
// completion and signature help.

export type ParamKind =
  | 'int' // a positive integer
  | 'ints' // an integer or a list of integers (one per spatial axis)
  | 'number' // any finite number
  | 'axis' // an integer axis, negative counts from the end
  | 'shape' // a list of integers (one may be -1)
  | 'enum';

export interface ParamSpec {
  readonly name: string;
  readonly kind: ParamKind;
  /** Undefined means required. */
  readonly default?: number | string;
  readonly values?: readonly string[];
  /** May be given without its name, in this order, after the inputs. */
  readonly positional?: boolean;
  readonly doc: string;
}

export type AttrKind =
  | 'tensor' // a constant tensor: `weight: coef = load("w.npy")`
  | 'type' // a fixed-point type: `accum: fixed<24, 10>`
  | 'int'
  | 'number'
  | 'enum';

export interface AttrSpec {
  readonly name: string;
  readonly kind: AttrKind;
  readonly values?: readonly string[];
  readonly doc: string;
}

export type OpCategory = 'dense' | 'conv' | 'pool' | 'norm' | 'activation' | 'table' | 'merge' | 'shape';

export interface OpSpec {
  readonly name: string;
  readonly category: OpCategory;
  /** Number of tensor inputs: 1, or 'many' (two or more). */
  readonly inputs: 1 | 'many';
  readonly params: readonly ParamSpec[];
  readonly attrs: readonly AttrSpec[];
  /** Spatial rank of the input for conv/pool (input is [L, C] or [H, W, C]); undefined for rank-free ops. */
  readonly spatial?: 1 | 2;
  /** Whether the result type defaults to the input type when neither `: type` nor `precision` gives one. */
  readonly keepsType: boolean;
  readonly doc: string;
}

const reuse: AttrSpec = { name: 'reuse', kind: 'int', doc: 'Reuse factor of this layer (overrides the network default): each multiplier serves this many products.' };
const accum: AttrSpec = { name: 'accum', kind: 'type', doc: 'Accumulator type. Default: wide enough that the sum cannot overflow.' };
const weight: AttrSpec = { name: 'weight', kind: 'tensor', doc: 'Weights, in Keras layout.' };
const bias: AttrSpec = { name: 'bias', kind: 'tensor', doc: 'Biases, one per output channel. Default: zeros.' };
const padding: ParamSpec = { name: 'padding', kind: 'enum', values: ['valid', 'same'], default: 'valid', doc: "'valid' (no padding) or 'same' (zero padding, output size ceil(in / stride))." };
const tableSize: AttrSpec = { name: 'table', kind: 'int', doc: 'Number of entries of the lookup table (a power of two). Default 1024.' };
const tableType: AttrSpec = { name: 'table_type', kind: 'type', doc: 'Type of the table entries. Default fixed<18, 8>.' };

function conv(name: string, spatial: 1 | 2, depthwise: boolean): OpSpec {
  const params: ParamSpec[] = depthwise
    ? [
        { name: 'kernel', kind: 'ints', positional: true, doc: 'Kernel size (an integer, or [height, width]).' },
        { name: 'stride', kind: 'ints', default: 1, doc: 'Stride (an integer, or [height, width]).' },
        padding,
        { name: 'multiplier', kind: 'int', default: 1, doc: 'Output channels per input channel.' },
      ]
    : [
        { name: 'filters', kind: 'int', positional: true, doc: 'Number of output channels.' },
        { name: 'kernel', kind: 'ints', positional: true, doc: 'Kernel size (an integer, or [height, width]).' },
        { name: 'stride', kind: 'ints', default: 1, doc: 'Stride (an integer, or [height, width]).' },
        padding,
      ];
  const layout = spatial === 1 ? (depthwise ? '[k, C, multiplier]' : '[k, C, filters]') : depthwise ? '[kh, kw, C, multiplier]' : '[kh, kw, C, filters]';
  return {
    name,
    category: 'conv',
    inputs: 1,
    spatial,
    params,
    attrs: [{ ...weight, doc: `Kernel weights, shape ${layout} (Keras layout).` }, bias, accum, reuse],
    keepsType: false,
    doc: depthwise
      ? `Depthwise ${spatial}-D convolution of a ${spatial === 1 ? '[length, channels]' : '[height, width, channels]'} tensor: each channel with its own kernel.`
      : `${spatial}-D convolution of a ${spatial === 1 ? '[length, channels]' : '[height, width, channels]'} tensor (channels last).`,
  };
}

function pool(name: string, spatial: 1 | 2, kind: 'max' | 'avg', global: boolean): OpSpec {
  const params: ParamSpec[] = global
    ? []
    : [
        { name: 'pool', kind: 'ints', default: 2, positional: true, doc: 'Pool size (an integer, or [height, width]).' },
        { name: 'stride', kind: 'ints', default: 'pool', doc: 'Stride. Default: the pool size.' },
        padding,
      ];
  return {
    name,
    category: 'pool',
    inputs: 1,
    spatial,
    params,
    attrs: kind === 'avg' ? [{ ...accum, doc: 'Accumulator of the sum before the division. Default: the input type widened so the sum cannot overflow.' }] : [],
    keepsType: kind === 'max',
    doc: `${global ? 'Global ' : ''}${kind === 'max' ? 'max' : 'average'} pooling over ${spatial === 1 ? 'the length' : 'height and width'}${global ? ', giving one value per channel' : ''}.`,
  };
}

function table(name: string, doc: string): OpSpec {
  return { name, category: 'table', inputs: 1, params: [], attrs: [tableSize, tableType], keepsType: false, doc };
}

export const OPS: readonly OpSpec[] = [
  {
    name: 'dense',
    category: 'dense',
    inputs: 1,
    params: [{ name: 'units', kind: 'int', positional: true, doc: 'Number of outputs.' }],
    attrs: [{ ...weight, doc: 'Weights, shape [inputs, units] (Keras layout).' }, { ...bias, doc: 'Biases, shape [units]. Default: zeros.' }, accum, reuse],
    keepsType: false,
    doc: 'Fully connected layer over the last axis: y = x·W + b.',
  },
  conv('conv1d', 1, false),
  conv('conv2d', 2, false),
  conv('depthwise_conv1d', 1, true),
  conv('depthwise_conv2d', 2, true),
  pool('maxpool1d', 1, 'max', false),
  pool('maxpool2d', 2, 'max', false),
  pool('avgpool1d', 1, 'avg', false),
  pool('avgpool2d', 2, 'avg', false),
  pool('global_maxpool1d', 1, 'max', true),
  pool('global_maxpool2d', 2, 'max', true),
  pool('global_avgpool1d', 1, 'avg', true),
  pool('global_avgpool2d', 2, 'avg', true),
  {
    name: 'batchnorm',
    category: 'norm',
    inputs: 1,
    params: [],
    attrs: [
      { name: 'scale', kind: 'tensor', doc: 'Folded form: y = x·scale + bias, shape [channels].' },
      { name: 'bias', kind: 'tensor', doc: 'Folded form: the offset, shape [channels].' },
      { name: 'gamma', kind: 'tensor', doc: 'Unfolded form: y = gamma·(x − mean)/sqrt(variance + epsilon) + beta.' },
      { name: 'beta', kind: 'tensor', doc: 'Unfolded form: the offset beta.' },
      { name: 'mean', kind: 'tensor', doc: 'Unfolded form: the moving mean.' },
      { name: 'variance', kind: 'tensor', doc: 'Unfolded form: the moving variance.' },
      { name: 'epsilon', kind: 'number', doc: 'Unfolded form: added to the variance. Default 0.001 (Keras).' },
    ],
    keepsType: false,
    doc: 'Batch normalization over the last axis (channels), folded (scale, bias) or standalone (gamma, beta, mean, variance).',
  },
  { name: 'relu', category: 'activation', inputs: 1, params: [], attrs: [], keepsType: true, doc: 'max(x, 0).' },
  { name: 'relu6', category: 'activation', inputs: 1, params: [], attrs: [], keepsType: true, doc: 'min(max(x, 0), 6).' },
  {
    name: 'leaky_relu',
    category: 'activation',
    inputs: 1,
    params: [{ name: 'alpha', kind: 'number', default: 0.3, positional: true, doc: 'Slope for x < 0 (Keras default 0.3).' }],
    attrs: [],
    keepsType: true,
    doc: 'x for x ≥ 0, alpha·x otherwise.',
  },
  { name: 'linear', category: 'activation', inputs: 1, params: [], attrs: [], keepsType: true, doc: 'The identity: casts its input to the result type.' },
  table('sigmoid', 'Table-based sigmoid: index trunc(x·N/16) + N/2, clamped to the table (hls4ml).'),
  table('tanh', 'Table-based tanh: index trunc(x·N/8) + N/2, clamped to the table (hls4ml).'),
  {
    name: 'softmax',
    category: 'table',
    inputs: 1,
    params: [{ name: 'axis', kind: 'axis', default: -1, doc: 'The axis to normalize (only the last axis is supported).' }],
    attrs: [
      tableSize,
      { name: 'exp_table', kind: 'type', doc: 'Type of the exponential table. Default fixed<18, 8, RND, SAT>.' },
      { name: 'inv_table', kind: 'type', doc: 'Type of the reciprocal table. Default fixed<18, 8, RND, SAT>.' },
      { name: 'implementation', kind: 'enum', values: ['stable', 'latency'], doc: "'stable' subtracts the maximum first (default); 'latency' does not." },
    ],
    keepsType: false,
    doc: 'Table-based softmax over the last axis (hls4ml stable/latency implementations).',
  },
  { name: 'add', category: 'merge', inputs: 'many', params: [], attrs: [], keepsType: false, doc: 'Element-wise sum of two or more tensors of the same shape.' },
  {
    name: 'concat',
    category: 'merge',
    inputs: 'many',
    params: [{ name: 'axis', kind: 'axis', default: -1, doc: 'The axis to join along.' }],
    attrs: [],
    keepsType: true,
    doc: 'Joins two or more tensors along an axis; the other dimensions must agree.',
  },
  { name: 'flatten', category: 'shape', inputs: 1, params: [], attrs: [], keepsType: true, doc: 'Reshapes to one dimension (row-major).' },
  {
    name: 'reshape',
    category: 'shape',
    inputs: 1,
    params: [{ name: 'shape', kind: 'shape', positional: true, doc: 'The new shape; one dimension may be -1 (inferred).' }],
    attrs: [],
    keepsType: true,
    doc: 'Reshapes (row-major); the number of elements stays.',
  },
];

export const OPS_BY_NAME: ReadonlyMap<string, OpSpec> = new Map(OPS.map((o) => [o.name, o]));

/** `dense(x, units) { weight, bias, accum, reuse }` */
export function opSignature(op: OpSpec): string {
  const inputs = op.inputs === 1 ? ['x'] : ['a', 'b', '…'];
  const params = op.params.map((p) => (p.positional && p.default === undefined ? p.name : `${p.name}: ${p.default ?? (p.values ? p.values.join('|') : p.kind)}`));
  const attrs = op.attrs.length ? ` { ${op.attrs.map((a) => a.name).join(', ')} }` : '';
  return `${op.name}(${[...inputs, ...params].join(', ')})${attrs}`;
}
