// Per-layer facts of the plan that do not depend on the io style: the class of every constant, the products by kind,
// the non-zero terms in the specification's order (the reuse schedule's input), constant outputs, tables.
import { quantizeDouble, type FixedType } from '@qnn/language';
import { alphaType } from '../semantics/alpha.js';
import { windowGeometry, type Geometry } from './geometry.js';
import { classifyConstant, classifyVariable, Counts, operandBits } from './multipliers.js';
import type { PlanLayer } from './source.js';
import type { ConstantPlan, MultiplierCounts, TablePlan } from './types.js';

/** The operations whose products are scheduled over R phases when reuse > 1 (and whose reuse sets the II). */
export const MAC_OPS: ReadonlySet<string> = new Set(['dense', 'conv1d', 'conv2d', 'depthwise_conv1d', 'depthwise_conv2d']);

/** io parallel: the operations that end with a register stage. */
export const REGISTERED_OPS: ReadonlySet<string> = new Set([...MAC_OPS, 'batchnorm', 'softmax']);

export interface LayerFacts {
  readonly constants?: readonly ConstantPlan[];
  readonly products: MultiplierCounts;
  /** DSP slices of the `dsp` products (one multiplier per product, as at R = 1). */
  readonly productDspSlices: number;
  /** Products that are not skipped (each is one accumulator addition). */
  readonly terms: number;
  /** For MAC layers: calls f(output, input, weight) for every non-zero term, in schedule order. */
  readonly forEachTerm?: (f: (output: number, input: number, weight: number) => void) => void;
  /** For MAC layers: per output value, whether it has at least one non-zero term. */
  readonly hasTerms?: Uint8Array;
  /** 1 for every output value that is a constant, from the inputs' constant values. */
  readonly constant: Uint8Array;
  readonly accumulatorWidth: number;
  readonly tables: readonly TablePlan[];
  /** Multipliers of two variables (softmax): count and kind. */
  readonly variableProducts?: { readonly count: number; readonly kind: 'lut' | 'dsp'; readonly dspSlices: number };
  readonly geometry?: Geometry;
}

const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

/** The facts of one layer, given the constant-value flags of its inputs (in input order). */
export function layerFacts(
  layer: PlanLayer,
  ins: readonly { readonly shape: readonly number[]; readonly type: FixedType; readonly constant: Uint8Array }[],
  dspAvailable: boolean,
  opts: { readonly perValue?: boolean } = {},
): LayerFacts {
  const n = size(layer.shape);
  const Y = layer.type;
  const x = ins[0];
  const none = { dsp: 0, lut: 0, shift: 0, skip: 0 };
  const base = { products: none, productDspSlices: 0, terms: 0, accumulatorWidth: 0, tables: [] as TablePlan[] };
  switch (layer.op) {
    case 'dense':
    case 'conv1d':
    case 'conv2d':
    case 'depthwise_conv1d':
    case 'depthwise_conv2d':
      if (opts.perValue === false) {
        // io stream builds the multipliers of one output beat: only the constants' classes matter here.
        const constants = classifyAll(layer.weights!, operandBits(x.type), dspAvailable);
        return { ...base, constants, constant: new Uint8Array(n), accumulatorWidth: (layer.types.accum ?? layer.type).width };
      }
      return mac(layer, x, dspAvailable);
    case 'batchnorm': {
      const C = x.shape[x.shape.length - 1];
      const bn = layer.batchnorm!;
      const constants = bn.s.map((raw) => classifyConstant(raw, { operandBits: operandBits(x.type), dspAvailable }));
      const products = new Counts();
      const constant = new Uint8Array(n);
      let terms = 0;
      let slices = 0;
      for (let i = 0; i < n; i++) {
        const c = constants[i % C];
        products.add(c.kind);
        if (c.kind !== 'skip') terms++;
        slices += c.dspSlices ?? 0;
        constant[i] = x.constant[i] || c.kind === 'skip' ? 1 : 0;
      }
      return { ...base, constants, products: products.freeze(), productDspSlices: slices, terms, constant };
    }
    case 'leaky_relu': {
      const constant = x.constant.slice();
      const alpha = Number(layer.params.alpha ?? 0.3);
      const aType = alphaType(alpha);
      const a = quantizeDouble(aType, alpha).raw;
      const c = classifyConstant(a, { operandBits: operandBits(x.type), dspAvailable });
      const products = new Counts();
      // Only values that can be negative are multiplied.
      if (x.type.signed) for (let i = 0; i < n; i++) products.add(x.constant[i] ? 'skip' : c.kind);
      const terms = x.type.signed ? n - products.skip : 0;
      return { ...base, constants: [c], products: products.freeze(), productDspSlices: terms * (c.dspSlices ?? 0), terms, constant };
    }
    case 'sigmoid':
    case 'tanh': {
      const entries = Number(layer.settings.table ?? 1024);
      if (entries === 1) return { ...base, constant: new Uint8Array(n).fill(1) };
      return { ...base, constant: x.constant.slice(), tables: [{ name: layer.op, entries, width: Y.width, reads: n - count(x.constant) }] };
    }
    case 'softmax': {
      const entries = Number(layer.settings.table ?? 1024);
      if (entries === 1) return { ...base, constant: new Uint8Array(n).fill(1) };
      const L = x.shape[x.shape.length - 1];
      const constant = new Uint8Array(n);
      for (let row = 0; row < n / L; row++) {
        let all = 1;
        for (let i = 0; i < L; i++) all &= x.constant[row * L + i];
        constant.fill(all, row * L, (row + 1) * L);
      }
      const Ex = layer.types.exp_table;
      const V = layer.types.inv_table;
      const live = n - count(constant);
      const v = classifyVariable(operandBits(Ex), operandBits(V), dspAvailable);
      const products = new Counts();
      products.add(v.kind, live);
      products.add('skip', n - live);
      return {
        ...base,
        products: products.freeze(),
        productDspSlices: live * v.dspSlices,
        terms: 0,
        constant,
        tables: live ? [{ name: 'exp', entries, width: Ex.width, reads: live }, { name: 'inv', entries, width: V.width, reads: live / L }] : [],
        variableProducts: { count: live, kind: v.kind as 'lut' | 'dsp', dspSlices: v.dspSlices },
      };
    }
    case 'add': {
      const constant = new Uint8Array(n).fill(1);
      for (const i of ins) for (let k = 0; k < n; k++) constant[k] &= i.constant[k];
      return { ...base, constant };
    }
    case 'concat': {
      const axisRaw = Number(layer.params.axis ?? -1);
      const axis = axisRaw < 0 ? layer.shape.length + axisRaw : axisRaw;
      const outer = size(layer.shape.slice(0, axis));
      const inner = size(layer.shape.slice(axis + 1));
      const constant = new Uint8Array(n);
      let k = 0;
      for (let q = 0; q < outer; q++) {
        for (const i of ins) {
          const b = i.shape[axis] * inner;
          for (let j = 0; j < b; j++) constant[k++] = i.constant[q * b + j];
        }
      }
      return { ...base, constant };
    }
    case 'maxpool1d':
    case 'maxpool2d':
    case 'global_maxpool1d':
    case 'global_maxpool2d':
    case 'avgpool1d':
    case 'avgpool2d':
    case 'global_avgpool1d':
    case 'global_avgpool2d': {
      const g = windowGeometry(layer.op, layer.params, x.shape);
      const K = g.KH * g.KW;
      const constant = new Uint8Array(n);
      for (let p = 0; p < g.OH * g.OW; p++) {
        for (let c = 0; c < g.C; c++) {
          let all = 1;
          for (let kp = 0; kp < K; kp++) {
            const pix = g.taps[p * K + kp];
            if (pix >= 0) all &= x.constant[pix * g.C + c];
          }
          constant[p * g.C + c] = all;
        }
      }
      const A = layer.types.accum;
      return { ...base, constant, geometry: g, accumulatorWidth: layer.op.includes('avg') ? (A ?? x.type).width : 0 };
    }
    default:
      // relu, relu6, linear, flatten, reshape: element by element.
      return { ...base, constant: x.constant.slice() };
  }
}

function count(a: Uint8Array): number {
  let k = 0;
  for (let i = 0; i < a.length; i++) k += a[i];
  return k;
}

const classified = new WeakMap<readonly bigint[], Map<string, readonly ConstantPlan[]>>();

/** The class of every weight, each distinct raw classified once; cached per raws array (the constant cache shares them). */
function classifyAll(w: readonly bigint[], opBits: number, dspAvailable: boolean): readonly ConstantPlan[] {
  const key = `${opBits}:${dspAvailable}`;
  let byKey = classified.get(w);
  const hit = byKey?.get(key);
  if (hit) return hit;
  const seen = new Map<bigint, ConstantPlan>();
  const constants = w.map((raw) => {
    let c = seen.get(raw);
    if (!c) seen.set(raw, (c = classifyConstant(raw, { operandBits: opBits, dspAvailable })));
    return c;
  });
  if (!byKey) classified.set(w, (byKey = new Map()));
  byKey.set(key, constants);
  return constants;
}

/** dense, conv1d/2d, depthwise_conv1d/2d. */
function mac(layer: PlanLayer, x: { readonly shape: readonly number[]; readonly type: FixedType; readonly constant: Uint8Array }, dspAvailable: boolean): LayerFacts {
  const w = layer.weights!;
  const A = layer.types.accum ?? layer.type;
  const opBits = operandBits(x.type);
  const constants = classifyAll(w, opBits, dspAvailable);
  const products = new Counts();
  const n = size(layer.shape);
  const constant = new Uint8Array(n);
  const hasTerms = new Uint8Array(n);
  const reuse = layer.reuse;
  let forEachTerm: LayerFacts['forEachTerm'];
  let geometry: Geometry | undefined;
  let terms = 0;
  let slices = 0;
  if (layer.op === 'dense') {
    const C = x.shape[x.shape.length - 1];
    const units = layer.params.units as number;
    const positions = size(x.shape) / C;
    for (const c of constants) {
      products.add(c.kind, positions);
      slices += (c.dspSlices ?? 0) * positions;
    }
    for (let pos = 0; pos < positions; pos++) {
      for (let o = 0; o < units; o++) {
        let allConst = 1;
        let any = 0;
        for (let c = 0; c < C; c++) {
          if (w[c * units + o] === 0n) continue;
          any = 1;
          terms++;
          allConst &= x.constant[pos * C + c];
        }
        hasTerms[pos * units + o] = any;
        constant[pos * units + o] = reuse > 1 ? 1 - any : allConst;
      }
    }
    forEachTerm = (f) => {
      for (let pos = 0; pos < positions; pos++) for (let o = 0; o < units; o++) for (let c = 0; c < C; c++) if (w[c * units + o] !== 0n) f(pos * units + o, pos * C + c, c * units + o);
    };
  } else {
    const g = windowGeometry(layer.op, layer.params, x.shape);
    geometry = g;
    const depthwise = layer.op.startsWith('depthwise');
    const C = g.C;
    const K = g.KH * g.KW;
    const P = g.OH * g.OW;
    const M = depthwise ? Number(layer.params.multiplier ?? 1) : 0;
    const O = depthwise ? C * M : (layer.params.filters as number);
    // Valid taps per kernel position (over the output pixels).
    const valid = new Int32Array(K);
    for (let p = 0; p < P; p++) for (let kp = 0; kp < K; kp++) if (g.taps[p * K + kp] >= 0) valid[kp]++;
    // Weight index of (kp, c, o): conv ((kp · C + c) · O + o); depthwise ((kp · C + c) · M + m) with o = c · M + m.
    for (let kp = 0; kp < K; kp++) {
      const perTap = depthwise ? C * M : C * O;
      for (let j = 0; j < perTap; j++) {
        const c = constants[kp * perTap + j];
        products.add(c.kind, valid[kp]);
        slices += (c.dspSlices ?? 0) * valid[kp];
        products.add('skip', P - valid[kp]);
      }
    }
    const visit = (p: number, o: number, f: (input: number, weight: number) => void) => {
      for (let kp = 0; kp < K; kp++) {
        const pix = g.taps[p * K + kp];
        if (pix < 0) continue;
        if (depthwise) {
          const c = Math.floor(o / M);
          const wi = (kp * C + c) * M + (o % M);
          if (w[wi] !== 0n) f(pix * C + c, wi);
        } else {
          for (let c = 0; c < C; c++) {
            const wi = (kp * C + c) * O + o;
            if (w[wi] !== 0n) f(pix * C + c, wi);
          }
        }
      }
    };
    for (let p = 0; p < P; p++) {
      for (let o = 0; o < O; o++) {
        let allConst = 1;
        let any = 0;
        visit(p, o, (input) => {
          any = 1;
          terms++;
          allConst &= x.constant[input];
        });
        hasTerms[p * O + o] = any;
        constant[p * O + o] = reuse > 1 ? 1 - any : allConst;
      }
    }
    forEachTerm = (f) => {
      for (let p = 0; p < P; p++) for (let o = 0; o < O; o++) visit(p, o, (input, weight) => f(p * O + o, input, weight));
    };
  }
  // At R = 1 a product of a constant input is computed while generating: it builds nothing.
  if (reuse <= 1 && x.constant.includes(1)) {
    forEachTerm((_o, input, wi) => {
      if (!x.constant[input]) return;
      const c = constants[wi];
      products.add(c.kind, -1);
      products.add('skip');
      slices -= c.dspSlices ?? 0;
    });
  }
  return { constants, products: products.freeze(), productDspSlices: slices, terms, forEachTerm, hasTerms, constant, accumulatorWidth: A.width, tables: [], geometry };
}
