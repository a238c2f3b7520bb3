// QKeras quantizers → fixed-point types (as hls4ml maps them) and the quantized values QKeras computes with.
//
// quantized_bits(bits, integer, symmetric, keep_negative, alpha): QKeras computes
//   m = 2^(bits − keep_negative), step = 2^integer / m, q = clip(round_half_even(x / step), −m + symmetric, m − 1)·step
// which is exactly a cast to fixed<bits, integer + 1, RND_CONV, SAT> (SAT_SYM when symmetric; ufixed<bits, integer>
// without keep_negative). quantized_relu(bits, integer) is relu then a cast to ufixed<bits, integer, RND_CONV, SAT>.
// binary gives ±1 (0 → +1), ternary −1, 0, +1 (threshold 0.5), both as int<2> (hls4ml); quantized_po2 gives
// ±2^round(log2|x|) with the exponent clipped to its range, as the smallest fixed type that holds the values. Only a
// scale alpha of 1 (or none) is supported: per-channel scales ('auto', 'auto_po2') are an error.
import { fixedType, type FixedType } from '@qnn/language';
import { ImportError } from './errors.js';

export interface QuantizerSpec {
  readonly kind: 'quantized_bits' | 'quantized_relu' | 'binary' | 'ternary' | 'quantized_po2';
  readonly args: Readonly<Record<string, unknown>>;
}

export interface WeightQuantizer {
  readonly type: FixedType;
  readonly values: Float64Array;
}

const SUPPORTED = 'quantized_bits, quantized_relu, binary, ternary, quantized_po2';

const POSITIONAL: Record<string, readonly string[]> = {
  quantized_bits: ['bits', 'integer', 'symmetric', 'keep_negative', 'alpha', 'use_stochastic_rounding'],
  quantized_relu: ['bits', 'integer', 'use_sigmoid', 'negative_slope', 'use_stochastic_rounding', 'relu_upper_bound'],
  binary: ['use01', 'alpha', 'use_stochastic_rounding'],
  ternary: ['alpha', 'threshold', 'use_stochastic_rounding'],
  quantized_po2: ['bits', 'max_value', 'use_stochastic_rounding', 'quadratic_approximation', 'log2_rounding'],
};

/**
 * A quantizer as QKeras serializes it: `{ class_name, config }`, or a string such as `quantized_relu(3, 1)` or
 * `binary`. Undefined for no quantizer (null, 'linear'); throws QNN5005 for quantizers the importer does not map.
 */
export function parseQuantizer(q: unknown, where: string, path: string, span: { start: number; end: number }): QuantizerSpec | undefined {
  if (q === null || q === undefined) return undefined;
  let name: string;
  let args: Record<string, unknown>;
  if (typeof q === 'string') {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(?:\((.*)\))?\s*$/.exec(q);
    if (!m) throw new ImportError('QNN5005', `The quantizer '${q}' of ${where} cannot be read.`, path, span.start, span.end);
    name = m[1];
    args = parseArgs(m[2] ?? '', POSITIONAL[name] ?? []);
  } else if (typeof q === 'object' && typeof (q as { class_name?: unknown }).class_name === 'string') {
    name = (q as { class_name: string }).class_name;
    args = { ...((q as { config?: Record<string, unknown> }).config ?? {}) };
  } else {
    throw new ImportError('QNN5005', `The quantizer of ${where} cannot be read.`, path, span.start, span.end);
  }
  if (name === 'linear') return undefined;
  if (!(name in POSITIONAL)) {
    throw new ImportError('QNN5005', `The quantizer '${name}' of ${where} is not supported; supported quantizers: ${SUPPORTED}.`, path, span.start, span.end);
  }
  if (args.use_stochastic_rounding === true) {
    throw new ImportError('QNN5005', `The quantizer '${name}' of ${where} uses stochastic rounding, which has no deterministic fixed-point type.`, path, span.start, span.end);
  }
  const alpha = args.alpha;
  if (alpha !== undefined && alpha !== null && Number(alpha) !== 1) {
    throw new ImportError(
      'QNN5005',
      `The quantizer '${name}' of ${where} has alpha=${JSON.stringify(alpha)}; only alpha=1 (or none) maps to one fixed-point type. Retrain with alpha=1.`,
      path,
      span.start,
      span.end,
    );
  }
  return { kind: name as QuantizerSpec['kind'], args };
}

/** Quantizes a weight tensor as QKeras does and gives the type that holds the result. */
export function quantizeWeights(q: QuantizerSpec, values: Float64Array, where: string, path: string): WeightQuantizer {
  switch (q.kind) {
    case 'quantized_bits':
    case 'quantized_relu': {
      const type = activationType(q, where, path);
      // QKeras's formula: m = 2^(bits − keep_negative), q = clip(round_half_even(x·m / 2^integer), lo, m − 1) · 2^integer / m.
      // (Not a cast to the type: a value exactly at −2^(I−1) stays there under SAT_SYM casts, while QKeras clips it.)
      const bits = int(q.args.bits, 8);
      const integer = int(q.args.integer, 0);
      const keepNegative = q.kind === 'quantized_bits' && (q.args.keep_negative === undefined || truthy(q.args.keep_negative)) ? 1 : 0;
      const symmetric = q.kind === 'quantized_bits' && truthy(q.args.symmetric) ? 1 : 0;
      const m = 2 ** (bits - keepNegative);
      const mi = 2 ** integer;
      const lo = keepNegative * (-m + symmetric);
      const out = new Float64Array(values.length);
      for (let i = 0; i < values.length; i++) {
        const x = q.kind === 'quantized_relu' ? Math.max(0, values[i]) : values[i];
        out[i] = (Math.min(m - 1, Math.max(lo, roundHalfEven((x * m) / mi))) * mi) / m;
      }
      return { type, values: out };
    }
    case 'binary': {
      const use01 = truthy(q.args.use01);
      const out = values.map((v) => (v >= 0 ? 1 : use01 ? 0 : -1));
      return { type: use01 ? fixedType(false, 1, 1) : fixedType(true, 2, 2), values: out };
    }
    case 'ternary': {
      const t = q.args.threshold === undefined || q.args.threshold === null ? 0.5 : Number(q.args.threshold);
      const out = values.map((v) => (v > t ? 1 : v < -t ? -1 : 0));
      return { type: fixedType(true, 2, 2), values: out };
    }
    case 'quantized_po2': {
      const bits = int(q.args.bits, 8);
      const maxValue = q.args.max_value === undefined || q.args.max_value === null ? undefined : Number(q.args.max_value);
      const needSign = maxValue === undefined || maxValue > 1 ? 1 : 0;
      const effective = bits - 1 - needSign;
      const minExp = -(2 ** effective);
      let maxExp = 2 ** effective - 1;
      if (maxValue !== undefined && maxValue > 0) maxExp = Math.min(maxExp, Math.round(Math.log2(maxValue)));
      const out = values.map((v) => {
        const sign = v < 0 ? -1 : 1;
        const a = Math.abs(v);
        const e = a < 1e-7 ? minExp : Math.min(maxExp, Math.max(minExp, roundHalfEven(Math.log2(a))));
        return sign * 2 ** e;
      });
      // ±2^e for e in [minExp, maxExp]: integer bits maxExp + 2 (sign and 2^maxExp), fractional bits −minExp.
      return { type: fixedType(true, maxExp + 2 - minExp, maxExp + 2), values: out };
    }
  }
}

/** The type of an activation quantizer (QActivation, or the activation argument of a Q layer). */
export function activationType(q: QuantizerSpec, where: string, path: string): FixedType {
  const bits = int(q.args.bits, 8);
  const integer = int(q.args.integer, 0);
  if (q.kind === 'quantized_bits') {
    const signed = q.args.keep_negative === undefined ? true : truthy(q.args.keep_negative);
    const symmetric = truthy(q.args.symmetric);
    return signed ? fixedType(true, bits, integer + 1, 'RND_CONV', symmetric ? 'SAT_SYM' : 'SAT') : fixedType(false, bits, integer, 'RND_CONV', 'SAT');
  }
  if (q.kind === 'quantized_relu') {
    if (truthy(q.args.use_sigmoid) || (q.args.negative_slope !== undefined && Number(q.args.negative_slope) !== 0)) {
      throw new ImportError('QNN5005', `The quantized_relu of ${where} uses use_sigmoid or negative_slope, which have no fixed-point relu in the language.`, path);
    }
    const bound = q.args.relu_upper_bound;
    if (bound !== undefined && bound !== null && Number(bound) < 2 ** integer) {
      throw new ImportError('QNN5005', `The quantized_relu of ${where} has relu_upper_bound=${String(bound)} below 2^integer, which no fixed-point type expresses.`, path);
    }
    return fixedType(false, bits, integer, 'RND_CONV', 'SAT');
  }
  throw new ImportError(
    'QNN5005',
    `The quantizer '${q.kind}' of ${where} is supported for weights only; activations take quantized_bits or quantized_relu.`,
    path,
  );
}

function parseArgs(text: string, positional: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const parts = text.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  parts.forEach((p, i) => {
    const eq = p.indexOf('=');
    const [k, v] = eq >= 0 ? [p.slice(0, eq).trim(), p.slice(eq + 1).trim()] : [positional[i] ?? `arg${i}`, p];
    out[k] = pyValue(v);
  });
  return out;
}

function pyValue(v: string): unknown {
  if (v === 'True') return true;
  if (v === 'False') return false;
  if (v === 'None') return null;
  if (/^['"].*['"]$/.test(v)) return v.slice(1, -1);
  const n = Number(v);
  return Number.isFinite(n) ? n : v;
}

function truthy(v: unknown): boolean {
  return v === true || (typeof v === 'number' && v !== 0);
}

function int(v: unknown, dflt: number): number {
  return v === undefined || v === null ? dflt : Math.round(Number(v));
}

function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}
