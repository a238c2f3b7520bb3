// The plan of an io parallel network: one pipeline, a register stage per dense / convolution / batchnorm / softmax
// layer, every stage lasting II = the largest reuse factor cycles (docs/build.md, "Compiler core").
import type { FixedType } from '@qnn/language';
import { layerFacts, MAC_OPS, REGISTERED_OPS, type LayerFacts } from './analyze.js';
import { Counts, operandBits } from './multipliers.js';
import { reuseSchedule } from './schedule.js';
import type { PlanLayer, PlanSource } from './source.js';
import type { LayerPlan, NetworkPlan } from './types.js';

interface NodeInfo {
  readonly shape: readonly number[];
  readonly type: FixedType;
  readonly constant: Uint8Array;
  readonly stage: number;
  /** The node whose registers hold these values (itself, or the input of an identity flatten/reshape/linear). */
  readonly owner: string;
}

const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
const sameType = (a: FixedType, b: FixedType) => a.width === b.width && a.intBits === b.intBits && a.signed === b.signed;

export interface PlanContext {
  readonly dspAvailable: boolean;
  /** Plans a called network (cached by the caller). */
  readonly sub: (src: PlanSource) => NetworkPlan;
}

/** The common part of a layer's plan: multipliers, schedule, additions, tables. */
export function macPlan(layer: PlanLayer, facts: LayerFacts, xType: FixedType | undefined, ctx: PlanContext, withSchedule: boolean) {
  const isMac = MAC_OPS.has(layer.op);
  const R = isMac ? Math.max(1, layer.reuse) : 1;
  const schedule = isMac && R > 1 && withSchedule ? reuseSchedule(facts, R, layer.weights!, facts.constants!, operandBits(xType!), ctx.dspAvailable) : undefined;
  let multipliers = facts.products;
  let dspSlices = facts.productDspSlices;
  if (schedule) {
    const c = new Counts();
    let slices = 0;
    for (const u of schedule.units) {
      c.add(u.kind);
      slices += u.dspSlices;
    }
    c.add('skip', facts.products.skip);
    multipliers = c.freeze();
    dspSlices = slices;
  }
  return { R, schedule, multipliers, dspSlices };
}

export function planParallel(src: PlanSource, ctx: PlanContext): NetworkPlan {
  const ii = Math.max(1, ...src.layers.filter((l) => MAC_OPS.has(l.op)).map((l) => l.reuse));
  const nodes = new Map<string, NodeInfo>();
  let inputRegisterBits = 0;
  for (const i of src.inputs) {
    nodes.set(i.name, { shape: i.shape, type: i.type, constant: new Uint8Array(size(i.shape)), stage: 1, owner: i.name });
    inputRegisterBits += size(i.shape) * i.type.width;
  }
  const layers: LayerPlan[] = [];
  // The largest delay each owner's values need (branches meeting later, outputs aligned to the last stage).
  const delay = new Map<string, number>();
  const needDelay = (n: NodeInfo, k: number) => {
    if (k > (delay.get(n.owner) ?? 0)) delay.set(n.owner, k);
  };
  const totals = { products: new Counts(), multipliers: new Counts(), dspSlices: 0 };
  for (const layer of src.layers) {
    const ins = layer.inputs.map((n, k) => {
      const node = nodes.get(n)!;
      const view = layer.inputShapes?.[k];
      return view ? { ...node, shape: view } : node;
    });
    const stageIn = Math.max(...ins.map((x) => x.stage));
    const n = size(layer.shape);
    if (layer.subnetwork) {
      const sub = ctx.sub(layer.subnetwork);
      // Inlined: the called network's input registers are not built, its other stages are.
      const stages = sub.stages - 1;
      nodes.set(layer.name, { shape: layer.shape, type: layer.type, constant: new Uint8Array(n), stage: stageIn + stages, owner: layer.name });
      if (layer.live) {
        for (const x of ins) needDelay(x, stageIn - x.stage);
        totals.products.plus(sub.products);
        totals.multipliers.plus(sub.multipliers);
        totals.dspSlices += sub.dspSlices;
      }
      layers.push({
        name: layer.name,
        op: layer.subnetwork.name,
        inputs: layer.inputs,
        outputs: n,
        outputWidth: layer.type.width,
        live: layer.live,
        reuse: sub.ii,
        ii: sub.ii,
        stages,
        stage: stageIn + stages,
        latencyCycles: stages * ii,
        products: sub.products,
        multipliers: sub.multipliers,
        dspSlices: sub.dspSlices,
        additions: 0,
        accumulatorWidth: 0,
        registerBits: 0,
        tables: [],
        subnetwork: sub,
      });
      continue;
    }
    const facts = layerFacts(layer, ins, ctx.dspAvailable);
    let nonConst = 0;
    for (let i = 0; i < n; i++) nonConst += 1 - facts.constant[i];
    const stages = REGISTERED_OPS.has(layer.op) && nonConst > 0 ? 1 : 0;
    const identity = (layer.op === 'flatten' || layer.op === 'reshape' || layer.op === 'linear') && sameType(layer.type, ins[0].type);
    nodes.set(layer.name, { shape: layer.shape, type: layer.type, constant: facts.constant, stage: stageIn + stages, owner: identity ? ins[0].owner : layer.name });
    const { R, schedule, multipliers, dspSlices } = macPlan(layer, facts, ins[0]?.type, ctx, layer.live);
    let registerBits = stages ? nonConst * layer.type.width : 0;
    if (schedule && facts.hasTerms) {
      let acc = 0;
      for (let i = 0; i < n; i++) acc += facts.hasTerms[i];
      registerBits += acc * facts.accumulatorWidth;
    }
    if (layer.live) {
      for (const x of ins) needDelay(x, stageIn - x.stage);
      totals.products.plus(facts.products);
      totals.multipliers.plus(multipliers);
      totals.dspSlices += dspSlices;
    }
    const none = { dsp: 0, lut: 0, shift: 0, skip: 0 };
    layers.push({
      name: layer.name,
      op: layer.op,
      inputs: layer.inputs,
      outputs: n,
      outputWidth: layer.type.width,
      live: layer.live,
      reuse: R,
      ii: R,
      stages,
      stage: stageIn + stages,
      latencyCycles: stages * ii,
      products: layer.live ? facts.products : none,
      multipliers: layer.live ? multipliers : none,
      dspSlices: layer.live ? dspSlices : 0,
      ...(facts.constants ? { constants: facts.constants } : {}),
      ...(schedule ? { schedule } : {}),
      additions: layer.live ? facts.terms : 0,
      accumulatorWidth: facts.accumulatorWidth,
      registerBits: layer.live ? registerBits : 0,
      tables: layer.live ? facts.tables : [],
    });
  }
  const outNodes = src.outputs.map((o) => nodes.get(o)!);
  const stages = Math.max(1, ...outNodes.map((o) => o.stage));
  for (const o of outNodes) needDelay(o, stages - o.stage);
  let delayRegisterBits = 0;
  for (const [owner, k] of delay) {
    const node = nodes.get(owner)!;
    let nonConst = 0;
    for (let i = 0; i < node.constant.length; i++) nonConst += 1 - node.constant[i];
    delayRegisterBits += k * nonConst * node.type.width;
  }
  return {
    network: src.name,
    io: 'parallel',
    ii,
    stages,
    latencyCycles: (stages - 1) * ii + 1,
    layers,
    inputLatencyCycles: 1,
    inputRegisterBits,
    delayRegisterBits,
    products: totals.products.freeze(),
    multipliers: totals.multipliers.freeze(),
    dspSlices: totals.dspSlices,
    dspAvailable: ctx.dspAvailable,
  };
}
