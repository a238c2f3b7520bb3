// estimateNetwork: per layer and per network latency, II, LUT, FF, DSP and BRAM18 of the Verilog that backends/verilog
// generates, device utilization, the iCE40 fmax, and the Vitis HLS model. A read-only analysis, cached per network.
import { fracBits, type FixedType, type LayerModel, type NetworkModel, type ProgramModel } from '@qnn/language';
import { findDevice, nearestParts, type Device } from '../devices/device-table.js';
import { baseOf, delayOf, ffOf, lutOf, partDelayScale, COST_TABLES, type CostTables } from './cost-model.js';
import { addFeatures, emptyFeatures, emptyPath, FEATURE_NAMES, batchnormRaws, layerFeatures, raws, type Features, type MultiplierPricing, type Flow, type InputInfo, type PathFeatures } from './features.js';
import { estimateHls } from './hls.js';
import { planNetworkTransient, type LayerPlan, type NetworkPlan } from '../plan/index.js';
import { windowGeometry } from '../backends/verilog/window.js';
import type { EstimateOptions, LayerEstimate, NetworkEstimate } from './types.js';

/** The part given is not in the device table; the message names the nearest parts. */
export class UnknownPartError extends Error {
  override readonly name = 'UnknownPartError';
  constructor(
    readonly part: string,
    readonly suggestions: readonly string[],
  ) {
    super(`'${part}' is not a part of the device table${suggestions.length ? ` (did you mean ${suggestions.map((s) => `'${s}'`).join(', ')}?)` : ''}; 'qnn parts' lists them`);
  }
}

export const DEFAULT_PART = 'xcu250';
export const DEFAULT_CLOCK_NS = 5;

const cache = new WeakMap<NetworkModel, Map<string, NetworkEstimate>>();

/** Layers the Verilog backend builds as a register stage (generate.ts): their outputs end a pipeline stage. */
const REGISTERED = new Set(['dense', 'softmax', 'batchnorm', 'conv1d', 'conv2d', 'depthwise_conv1d', 'depthwise_conv2d']);

/**
 * The estimate of a checked network (complete or not: layers that failed to check are left out). Results are cached
 * per network model and options and must be treated as read-only. Throws UnknownPartError for a part not in the table.
 */
export function estimateNetwork(program: ProgramModel, network: NetworkModel, options: EstimateOptions = {}): NetworkEstimate {
  void program;
  const key = `${options.part ?? ''}|${options.clockNs ?? ''}`;
  let m = cache.get(network);
  if (!m) cache.set(network, (m = new Map()));
  let e = m.get(key);
  if (!e) {
    e = computeEstimate(network, options, COST_TABLES);
    m.set(key, e);
  }
  return e;
}

/** The device of an estimate: options, then the network's target, then the default. */
export function resolvePart(network: NetworkModel, options: EstimateOptions): Device {
  const name = options.part ?? network.target?.part ?? DEFAULT_PART;
  const d = findDevice(name);
  if (!d) throw new UnknownPartError(name, nearestParts(name));
  return d;
}

export const flowOf = (d: Device): Flow => (d.family === 'ice40' ? 'ice40' : 'xc7');

interface NodeState {
  readonly info: InputInfo;
  /** Pipeline stage (the Verilog generator's numbering: inputs are registered in stage 1). */
  readonly stage: number;
  /** The combinational path since the last register. */
  readonly path: PathFeatures;
  /** Every value is a constant (a layer of all-zero weights, or element-wise logic on one): synthesis builds nothing. */
  readonly constant?: boolean;
}

const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

function addPath(a: PathFeatures, b: PathFeatures): PathFeatures {
  return { size: 0, adders: a.adders + b.adders, maxWidth: Math.max(a.maxWidth, b.maxWidth), levels: a.levels + b.levels, mulBits: Math.max(a.mulBits, b.mulBits), roms: a.roms + b.roms, out: 0, sel: a.sel + b.sel, fanout: Math.max(a.fanout, b.fanout), romInc: Math.max(a.romInc, b.romInc), shared: Math.max(a.shared, b.shared) };
}

/** The estimate without the cache (calibration and benchmarks call it with other tables). */
export function computeEstimate(network: NetworkModel, options: EstimateOptions, tables: CostTables): NetworkEstimate {
  const device = resolvePart(network, options);
  const flow = flowOf(device);
  const clockNs = options.clockNs ?? network.target?.clockNs ?? DEFAULT_CLOCK_NS;
  const notes: string[] = [];
  if (!options.part && !network.target) notes.push(`no target: estimated for ${DEFAULT_PART}`);
  if (network.io === 'stream') notes.push('io stream: the Verilog backend builds io parallel only; the figures are those of the io parallel design');
  const inner = walk(network, flow, tables, notes);
  const base = baseOf(flow, tables);
  const lut = Math.round(inner.lut + base.lut);
  const ff = Math.max(0, Math.round(inner.ff + base.ff));
  const latencyNs = inner.latency * clockNs;
  const pct = (v: number, cap: number) => (cap > 0 ? Math.round((1000 * v) / cap) / 10 : v > 0 ? Infinity : 0);
  const est: NetworkEstimate = {
    network: network.name,
    part: device.name,
    clockNs,
    flow,
    layers: inner.layers,
    total: { latencyCycles: inner.latency, ii: inner.ii, lut, ff, dsp: inner.dsp, bram18: inner.bram18, latencyNs },
    utilization: { lut: pct(lut, device.lut), ff: pct(ff, device.ff), dsp: pct(inner.dsp, device.dsp), bram18: pct(inner.bram18, device.bram18) },
    ...(flow === 'ice40' ? { fmaxMhz: Math.round(1000 / Math.max(1, inner.delayNs * partDelayScale(device.name, tables))) } : {}),
    hls: estimateHls(network),
    notes,
  };
  return est;
}

interface Walk {
  readonly layers: LayerEstimate[];
  readonly lut: number;
  readonly ff: number;
  readonly dsp: number;
  readonly bram18: number;
  readonly latency: number;
  readonly ii: number;
  /** The longest stage delay (ns). */
  readonly delayNs: number;
  /** The sum of the layers' features, the io and control registers included (what calibration fits). */
  readonly features: Features;
  /** The path of the longest stage delay. */
  readonly critical: PathFeatures;
  /** Every stage's path (calibration fits the delay table on them). */
  readonly paths: PathFeatures[];
}

/** The summed features and the critical path of a network for a part (calibration fits the cost tables on them). */
export function networkFeatures(network: NetworkModel, options: EstimateOptions = {}, tables: CostTables = COST_TABLES): { flow: Flow; features: Features; critical: PathFeatures; paths: PathFeatures[]; latency: number; ii: number; dsp: number } {
  const flow = flowOf(resolvePart(network, options));
  const w = walk(network, flow, tables, []);
  return { flow, features: w.features, critical: w.critical, paths: w.paths, latency: w.latency, ii: w.ii, dsp: w.dsp };
}

/** The implementation plan, or undefined when the planner refuses the network (the estimate then follows the model). */
function planOf(network: NetworkModel): NetworkPlan | undefined {
  try {
    return planNetworkTransient(network);
  } catch {
    return undefined;
  }
}

/**
 * Per node, which of its values an output of the network reads (through non-zero weights): synthesis removes the
 * rest, so a sparse layer feeding a sparse layer costs less than its own weights say. Values are tracked one to one
 * through element-wise layers and through dense layers' weights; other layers keep all inputs of a live output.
 * `cut`: layers that read nothing (made constant by their input's range, found by a first walk).
 */
function liveness(network: NetworkModel, cut?: ReadonlySet<string>): Map<string, Uint8Array> {
  const live = new Map<string, Uint8Array>();
  const maskOf = (name: string, n: number) => {
    let m = live.get(name);
    if (!m) live.set(name, (m = new Uint8Array(n)));
    return m;
  };
  for (const o of network.outputs) {
    const node = network.node(o);
    if (node) maskOf(o, size(node.tensor.shape)).fill(1);
  }
  for (let li = network.layers.length - 1; li >= 0; li--) {
    const l = network.layers[li];
    const out = live.get(l.name);
    const ins = l.inputs.map((n) => network.node(n));
    if (ins.some((n) => !n)) continue;
    const inMasks = ins.map((n) => maskOf(n!.name, size(n!.tensor.shape)));
    // A layer whose outputs are all constant although its input varies (LayerFeatures.constant) reads nothing.
    if (!out || cut?.has(l.name)) continue;
    let any = false;
    for (let i = 0; i < out.length && !any; i++) any = out[i] === 1;
    if (l.opName === 'dense' && l.consts.weight) {
      const w = raws(l.consts.weight);
      const units = l.params.units as number;
      const C = w.length / units;
      const m = inMasks[0];
      // Input c of position pos is read when a live output of that position has a non-zero weight on it: scan the
      // outputs of each input until one is found.
      const positions = Math.floor(out.length / units);
      for (let pos = 0; pos < positions; pos++) {
        const ob = pos * units;
        for (let c = 0; c < C; c++) {
          if (m[pos * C + c]) continue;
          const row = c * units;
          for (let o = 0; o < units; o++) {
            if (out[ob + o] && w[row + o] !== 0) {
              m[pos * C + c] = 1;
              break;
            }
          }
        }
      }
      // Outputs beyond whole positions (none for a consistent model), as the per-output rule would mark them.
      for (let i = positions * units; i < out.length; i++) {
        if (!out[i]) continue;
        const pos = Math.floor(i / units);
        const o = i % units;
        for (let c = 0; c < C; c++) if (w[c * units + o] !== 0) m[pos * C + c] = 1;
      }
    } else if ((l.opName === 'conv1d' || l.opName === 'conv2d') && l.consts.weight && ins[0]) {
      // Input (pixel, c) is read when a live output of a window containing the pixel has a non-zero weight on it.
      const w = raws(l.consts.weight);
      const g = windowGeometry(l, ins[0].tensor.shape);
      const O = l.params.filters as number;
      const m = inMasks[0];
      g.windows.forEach((taps, pos) => {
        for (const t of taps) {
          for (let c = 0; c < g.C; c++) {
            const i = t.pix * g.C + c;
            if (m[i]) continue;
            for (let o = 0; o < O; o++) {
              if (out[pos * O + o] && w[(t.kp * g.C + c) * O + o] !== 0) {
                m[i] = 1;
                break;
              }
            }
          }
        }
      });
    } else if (l.opName === 'batchnorm') {
      // An element of scale 0 is its offset alone: it does not read its input.
      const zero = zeroScale(l, ins[0]!.tensor.shape);
      const m = inMasks[0];
      for (let i = 0; i < Math.min(m.length, out.length); i++) if (out[i] && !zero(i)) m[i] = 1;
    } else if (ELEMENTWISE.has(l.opName) || l.opName === 'add') {
      for (const m of inMasks) for (let i = 0; i < Math.min(m.length, out.length); i++) if (out[i]) m[i] = 1;
    } else if (any) for (const m of inMasks) m.fill(1);
  }
  return live;
}

/**
 * Per output value of a layer, 1 when the backend builds it as a constant (undefined when none is): a dense output at
 * reuse 1 whose non-zero weights all meet constant inputs (at reuse R > 1 one without non-zero weights: its shared
 * multipliers take constant operands as they come), a batchnorm element of scale 0, element-wise logic on a constant.
 */
function constantValues(layer: LayerModel, ins: readonly InputInfo[]): Uint8Array | undefined {
  const n = size(layer.tensor.shape);
  const x = ins[0];
  if (!x) return undefined;
  const k = x.constant;
  let out: Uint8Array | undefined;
  const set = (i: number) => ((out ??= new Uint8Array(n))[i] = 1);
  if (layer.opName === 'dense' && layer.consts.weight) {
    const w = raws(layer.consts.weight);
    const units = layer.params.units as number;
    const C = w.length / units;
    const positions = Math.floor(n / units);
    // Without constant inputs (or at reuse > 1) every position has the same constant outputs: scan the weights once.
    const folds = layer.reuse <= 1 ? k : undefined;
    for (let pos = 0; pos < (folds ? positions : Math.min(1, positions)); pos++) {
      for (let o = 0; o < units; o++) {
        let c = 0;
        for (; c < C; c++) if (w[c * units + o] !== 0 && !(folds && folds[pos * C + c])) break;
        if (c !== C) continue;
        if (folds) set(pos * units + o);
        else for (let q = 0; q < positions; q++) set(q * units + o);
      }
    }
  } else if (layer.opName === 'batchnorm') {
    const zero = zeroScale(layer, x.shape);
    for (let i = 0; i < n; i++) if ((k && k[i]) || zero(i)) set(i);
  } else if (ELEMENTWISE.has(layer.opName) && k) {
    for (let i = 0; i < Math.min(n, k.length); i++) if (k[i]) set(i);
  } else if (layer.opName === 'add' && ins.every((y) => y.constant)) {
    for (let i = 0; i < n; i++) if (ins.every((y) => y.constant![i])) set(i);
  }
  return out;
}

/** Whether a batchnorm element (by index into an input of `shape`) has scale 0: its output is its offset alone. */
function zeroScale(layer: LayerModel, shape: readonly number[]): (i: number) => boolean {
  const sr = batchnormRaws(layer)?.s;
  if (!sr) return () => false;
  const C = shape[shape.length - 1] ?? 1;
  return (i) => sr[(i % C) % sr.length] === 0;
}

/**
 * The elements an element-wise layer builds: live (all, without a mask) and not of inputs that are all constant there.
 * Undefined when it builds every element.
 */
function builtElements(live: Uint8Array | undefined, constant: readonly (Uint8Array | undefined)[], n: number): Uint8Array | undefined {
  const ks = constant.filter((k): k is Uint8Array => k !== undefined);
  const allConst = ks.length === constant.length && ks.length > 0;
  if (!live && !allConst) return undefined;
  const m = new Uint8Array(n);
  for (let i = 0; i < n; i++) m[i] = (!live || live[i]) && !(allConst && ks.every((k) => k[i])) ? 1 : 0;
  return m;
}

const ELEMENTWISE = new Set(['relu', 'relu6', 'leaky_relu', 'linear', 'sigmoid', 'tanh', 'batchnorm', 'flatten', 'reshape']);

const fraction = (m: Uint8Array | undefined) => {
  if (!m || m.length === 0) return 1;
  let n = 0;
  for (let i = 0; i < m.length; i++) n += m[i];
  return n / m.length;
};

/**
 * The walk over a network's layers. A layer that its input's range makes constant (relu of values that are never
 * positive) is found only during the walk, while liveness runs before it: when one is found, liveness is computed
 * again with those layers reading nothing, and the network walked again (only then, so the editor path walks once).
 */
function walk(network: NetworkModel, flow: Flow, tables: CostTables, notes: string[], pricing: MultiplierPricing = 'plan'): Walk {
  // The plan is computed once (it is not cached: planNetworkTransient), whichever walk reads it.
  const plan = planOf(network);
  const cut = new Set<string>();
  const first: string[] = [];
  const w = walkOnce(network, plan, flow, tables, first, pricing, undefined, cut);
  if (cut.size === 0) {
    notes.push(...first);
    return w;
  }
  return walkOnce(network, plan, flow, tables, notes, pricing, cut, new Set());
}

function walkOnce(network: NetworkModel, plan: NetworkPlan | undefined, flow: Flow, tables: CostTables, notes: string[], pricing: MultiplierPricing, cut: ReadonlySet<string> | undefined, rangeConstant: Set<string>): Walk {
  const live = liveness(network, cut);
  const layerPlans = new Map<string, LayerPlan>((plan?.layers ?? []).map((l) => [l.name, l]));
  const ii = plan?.ii ?? Math.max(1, ...network.layers.filter((l) => l.opName === 'dense').map((l) => l.reuse));
  const nodes = new Map<string, NodeState>();
  // Per value, the layers of products that read it (InputInfo.readers).
  const readers = new Map<string, number>();
  for (const l of network.layers) if (l.reuse <= 1 && (l.opName === 'dense' || l.opName.includes('conv'))) for (const n of l.inputs) readers.set(n, (readers.get(n) ?? 0) + 1);
  let overheadRegs = 0;
  for (const inp of network.inputs) {
    const count = size(inp.tensor.shape);
    nodes.set(inp.name, { info: { type: inp.tensor.type, shape: inp.tensor.shape, count, registered: true }, stage: 1, path: emptyPath() });
    overheadRegs += count * inp.tensor.type.width;
  }
  const inputLiveBits = network.inputs.reduce((s, i) => s + fraction(live.get(i.name)) * size(i.tensor.shape) * i.tensor.type.width, 0);
  const layers: LayerEstimate[] = [];
  let lut = 0;
  let ff = 0;
  let dsp = 0;
  let delayNs = 0;
  let critical = emptyPath();
  const features = emptyFeatures();
  const paths: PathFeatures[] = [];
  const stageDone = (p: PathFeatures) => {
    paths.push(p);
    const d = delayOf(p, tables);
    if (d > delayNs) {
      delayNs = d;
      critical = p;
    }
  };
  /** The layer's FF before clamping at 0 (its DSPs may absorb registers counted elsewhere). */
  let rawFf: number | undefined;
  for (const layer of network.layers) {
    const ins = layer.inputs.map((n) => nodes.get(n)).filter((n): n is NodeState => n !== undefined);
    if (ins.length !== layer.inputs.length) continue;
    const lp = layerPlans.get(layer.name);
    if (lp && !lp.live) {
      // A dead layer (no path to an output) builds nothing.
      nodes.set(layer.name, { info: infoOf(layer), stage: lp.stage, path: emptyPath() });
      layers.push({ name: layer.name, op: layer.opName, latencyCycles: 0, ii: lp.ii, lut: 0, ff: 0, dsp: 0, bram18: 0, multipliers: lp.multipliers });
      continue;
    }
    const stage = Math.max(...ins.map((x) => x.stage));
    // Branches that meet are balanced with delay registers.
    for (const x of ins) if (x.stage < stage) overheadRegs += (stage - x.stage) * x.info.count * x.info.type.width;
    let path = ins.reduce((p, x) => (delayOf(x.path, tables) > delayOf(p, tables) ? x.path : p), emptyPath());
    let est: LayerEstimate;
    let registers: boolean;
    if ('network' in layer.op) {
      const sub = walk(layer.op.network, flow, tables, notes, pricing);
      const cycles = Math.max(0, sub.latency - 1);
      est = { name: layer.name, op: layer.opName, latencyCycles: cycles, ii: sub.ii, lut: Math.round(sub.lut), ff: Math.round(sub.ff), dsp: sub.dsp, bram18: sub.bram18, multipliers: sumMults(sub.layers) };
      registers = cycles > 0;
      stageDone({ ...sub.critical, out: 0 });
      addFeatures(features, sub.features);
      const st = stage + Math.round(cycles / Math.max(1, ii));
      nodes.set(layer.name, { info: infoOf(layer), stage: st, path: registers ? emptyPath() : path });
    } else {
      const mask = live.get(layer.name);
      // Values nothing reads are removed by synthesis, and element-wise logic on a constant is folded: an element-wise
      // layer builds the live elements of a non-constant input (exactly, DSPs too); a dense layer at reuse 1 its live
      // outputs; other layers are scaled by their live fraction.
      const perElement = ELEMENTWISE.has(layer.opName) || layer.opName === 'add';
      const built = perElement ? builtElements(mask, ins.map((x) => x.info.constant), size(layer.tensor.shape)) : undefined;
      const infos = ins.map((x, i) => {
        const k = readers.get(layer.inputs[i]) ?? 1;
        return k > 1 ? { ...x.info, readers: k } : x.info;
      });
      const lf = layerFeatures(layer, infos, flow, lp?.schedule, perElement ? built : layer.reuse > 1 ? undefined : mask, pricing, plan ? plan.dspAvailable : flow === 'xc7');
      const liveFrac = fraction(perElement ? built : mask);
      if (!perElement && (layer.opName !== 'dense' || layer.reuse > 1)) for (const k of Object.keys(lf.f) as (keyof Features)[]) if (k !== 'dsp' || liveFrac === 0) lf.f[k] *= liveFrac;
      if (network.io === 'stream') streamScale(lf.f, layer, lp);
      const computes = lp ? lp.stages > 0 : REGISTERED.has(layer.opName) && !(lf.mults.dsp + lf.mults.lut + lf.mults.shift === 0 && (layer.opName === 'dense' || layer.opName.includes('conv')));
      registers = computes;
      // A layer that ends no stage although it would (all its outputs constant), or element-wise logic on constants,
      // is a constant: synthesis folds it away.
      const constant = (REGISTERED.has(layer.opName) && !computes) || (ELEMENTWISE.has(layer.opName) && ins.every((x) => x.constant)) || lf.constant === true;
      if (lf.constant) rangeConstant.add(layer.name);
      if (constant && !REGISTERED.has(layer.opName)) {
        for (const k of Object.keys(lf.f) as (keyof Features)[]) lf.f[k] = 0;
      }
      // A layer nothing reads (liveFrac 0) builds no path either.
      const lpath = liveFrac === 0 ? emptyPath() : lf.path;
      const f: Features = lf.f;
      rawFf = undefined;
      // The plan knows the registers the Verilog declares (constant outputs are not registered); synthesis merges
      // equal ones and the copies of a sign bit (regMerged).
      if (lp) f.regBits = Math.max(0, lp.registerBits * liveFrac - (lf.regMerged ?? 0));
      est = {
        name: layer.name,
        op: layer.opName,
        latencyCycles: lp ? lp.latencyCycles : computes ? ii : 0,
        ii: lp ? lp.ii : layer.opName === 'dense' ? layer.reuse : 1,
        lut: Math.round(lutOf(f, flow, tables)),
        ff: Math.max(0, Math.round((rawFf = ffOf(f, flow, tables)))),
        dsp: f.dsp,
        bram18: 0,
        multipliers: lp ? lp.multipliers : lf.mults,
      };
      addFeatures(features, f);
      path = constant ? emptyPath() : addPath(path, lpath);
      if (computes) stageDone(path);
      const passThrough = (layer.opName === 'flatten' || layer.opName === 'reshape') && ins[0]?.info.registered === true;
      // The outputs' range when narrower than the type's (the backend tracks it, so the next layer's sums are
      // narrower); flatten, reshape and linear pass their input's on.
      const x0 = ins[0]?.info;
      const bounds = lf.out ?? ((layer.opName === 'flatten' || layer.opName === 'reshape' || layer.opName === 'linear') && x0 && x0.lo !== undefined && sameRaws(x0.type, layer.tensor.type) ? { lo: x0.lo, hi: x0.hi! } : undefined);
      // Per value, which are constants: all of a constant layer's (the next layer folds its products with them).
      const consts = constant ? new Uint8Array(size(layer.tensor.shape)).fill(1) : constantValues(layer, ins.map((x) => x.info));
      nodes.set(layer.name, { info: { ...infoOf(layer), registered: computes || passThrough, ...(bounds && !constant ? { lo: bounds.lo, hi: bounds.hi } : {}), ...(lf.chan && !constant ? { chan: lf.chan } : {}), ...(consts ? { constant: consts } : {}) }, stage: stage + (computes ? 1 : 0), path: computes || constant ? emptyPath() : path, constant });
    }
    layers.push(est);
    lut += est.lut;
    ff += rawFf ?? est.ff;
    rawFf = undefined;
    dsp += est.dsp;
  }
  // Outputs: delayed to the last stage; the path to the output register counts too.
  const outs = network.outputs.map((o) => nodes.get(o)).filter((n): n is NodeState => n !== undefined);
  const stages = plan?.stages ?? Math.max(1, ...outs.map((o) => o.stage));
  for (const o of outs) {
    if (!plan && o.stage < stages) overheadRegs += (stages - o.stage) * o.info.count * o.info.type.width;
    // The output's path ends in the serial wrapper's output register (what nextpnr times).
    stageDone({ ...o.path, out: 1 });
  }
  // The plan knows the input and delay registers exactly.
  if (plan) overheadRegs = inputLiveBits + plan.delayRegisterBits;
  // Control: valid and last bits per stage; with ii > 1 the phase counter and the 'sent' flag.
  overheadRegs += 2 * stages + (ii > 1 ? Math.max(1, Math.ceil(Math.log2(ii))) + 1 : 0);
  ff += ffOf({ regBits: overheadRegs, dspRegBits: 0 }, flow, tables);
  features.regBits += overheadRegs;
  if (!plan) notes.push('the planner refused the network: latency, II and registers follow the model');
  // Routing delay grows with the design: the critical path carries the design's logic size (thousands of bits of
  // every LUT feature but those that count something again: the dividers; romIdxBits, a table over the index before its
  // clamp that overlaps romBits; selBits, a subset of muxBits; subBits, of treeBits; varMulBits, of lutMulBits; rndOps, the increments of rndBits. Linear fitted better
  // on the training networks than log2 or a square root, docs/estimate.md).
  let logicBits = 0;
  for (const k of FEATURE_NAMES) if (!NOT_SIZE.has(k)) logicBits += features[k];
  const logicKbits = logicBits / 1000;
  for (let i = 0; i < paths.length; i++) paths[i] = { ...paths[i], size: logicKbits };
  critical = { ...critical, size: logicKbits };
  delayNs = delayOf(critical, tables);
  return { layers, lut, ff, dsp, bram18: 0, latency: plan?.latencyCycles ?? (stages - 1) * ii + 1, ii, delayNs, features, critical, paths };
}

/** LUT features left out of the path's size feature (they count bits that other features count). */
const NOT_SIZE = new Set<string>(['divBits', 'romIdxBits', 'selBits', 'subBits', 'varMulBits', 'rndOps']);

/**
 * io stream: a layer processes one beat (one pixel or position, all its channels) at a time, so its logic is that of
 * one position; line buffers and FIFOs add registers (the plan gives their sizes).
 */
function streamScale(f: Features, layer: LayerModel, lp: LayerPlan | undefined): void {
  const shape = layer.tensor.shape;
  const positions = shape.length >= 2 ? size(shape.slice(0, -1)) : 1;
  if (positions > 1) {
    for (const k of Object.keys(f) as (keyof Features)[]) if (k !== 'regBits') f[k] = Math.ceil(f[k] / positions);
  }
  const st = lp?.stream;
  if (st) {
    const w = layer.tensor.type.width;
    f.regBits = st.beatValues * w + st.lineBufferValues * w + st.fifoDepths.reduce((a, b) => a + b, 0) * st.beatValues * w;
  }
}

/** Whether two types hold the same raws at the same scale. */
const sameRaws = (a: FixedType, b: FixedType) => a.width === b.width && a.signed === b.signed && fracBits(a) === fracBits(b);

function infoOf(l: LayerModel): InputInfo {
  return { type: l.tensor.type, shape: l.tensor.shape, count: size(l.tensor.shape) };
}

function sumMults(ls: readonly LayerEstimate[]): LayerEstimate['multipliers'] {
  const m = { dsp: 0, lut: 0, shift: 0, skip: 0 };
  for (const l of ls) {
    m.dsp += l.multipliers.dsp;
    m.lut += l.multipliers.lut;
    m.shift += l.multipliers.shift;
    m.skip += l.multipliers.skip;
  }
  return m;
}

