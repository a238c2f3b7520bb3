// The plan of an io stream network: layers connected by FIFOs, one pixel (the values of the last axis) per beat, each
// layer timed beat by beat (the model is in docs/build.md, "Compiler core", and in StreamLayerPlan).
import type { FixedType } from '@qnn/language';
import { layerFacts, MAC_OPS, type LayerFacts } from './analyze.js';
import { beatWidth, streamTiming, type StreamTiming } from './stream-timing.js';
import { windowGeometry } from './geometry.js';
import { Counts } from './multipliers.js';
import { macPlan, type PlanContext } from './parallel.js';
import type { PlanLayer, PlanSource } from './source.js';
import type { LayerPlan, NetworkPlan } from './types.js';

interface StreamNode {
  readonly shape: readonly number[];
  readonly type: FixedType;
  readonly beats: number;
  readonly constant: Uint8Array;
}

const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

export function planStream(src: PlanSource, ctx: PlanContext): NetworkPlan {
  const depthOf = (from: string, to: string) => src.fifoEdges.get(`${from}->${to}`) ?? src.fifoDepth;
  const timing = streamTiming(src, depthOf);
  const nodes = new Map<string, StreamNode>();
  for (const i of src.inputs) nodes.set(i.name, { shape: i.shape, type: i.type, beats: size(i.shape) / beatWidth(i.shape), constant: new Uint8Array(size(i.shape)) });
  const layers: LayerPlan[] = [];
  const totals = { products: new Counts(), multipliers: new Counts(), dspSlices: 0 };
  for (const layer of src.layers) {
    const ins = layer.inputs.map((n, k) => {
      const node = nodes.get(n)!;
      const view = layer.inputShapes?.[k];
      return view ? { ...node, shape: view } : node;
    });
    const x = ins[0];
    const n = size(layer.shape);
    const isMac = MAC_OPS.has(layer.op);
    const R = isMac ? Math.max(1, layer.reuse) : 1;
    const beatValues = beatWidth(layer.shape);
    const beats = n / beatValues;
    const t = timing.stages.get(layer.name)!;
    const wiring = t.kind === 'wiring';
    const facts: LayerFacts = layer.subnetwork ? emptyFacts(n) : layerFacts(layer, ins, ctx.dspAvailable, { perValue: false });
    nodes.set(layer.name, { shape: layer.shape, type: layer.type, beats, constant: facts.constant });
    // One output beat at a time: a MAC layer builds the multipliers of one position or pixel and reuses them.
    const perBeat = isMac ? beatFacts(layer, x, facts) : facts;
    const { schedule, multipliers, dspSlices } = macPlan(layer, perBeat, x?.type, ctx, layer.live);
    const g = t.kind === 'window' ? windowGeometry(layer.op, layer.params, x.shape) : undefined;
    const fifoDepths = wiring ? [0] : layer.inputs.map((name) => depthOf(name, layer.name));
    // Values a stage holds besides its output register: the line buffer of a window stage (padded width), the whole
    // input and output of a frame stage.
    const buffered = g
      ? ((g.KH - 1) * (g.W + g.PL + g.PR) + g.KW - 1) * g.C
      : t.kind === 'frame'
        ? ins.reduce((a, i) => a + size(i.shape), 0) + n - beatValues
        : 0;
    const registerBits = wiring ? 0 : beatValues * layer.type.width + (schedule ? beatValues * perBeat.accumulatorWidth : 0);
    if (layer.live) {
      totals.products.plus(perBeat.products);
      totals.multipliers.plus(multipliers);
      totals.dspSlices += dspSlices;
    }
    const none = { dsp: 0, lut: 0, shift: 0, skip: 0 };
    const firstBeatCycle = t.fire[0] ?? 0;
    const lastBeatCycle = t.fire[beats - 1] ?? 0;
    layers.push({
      name: layer.name,
      op: layer.op,
      inputs: layer.inputs,
      outputs: n,
      outputWidth: layer.type.width,
      live: layer.live,
      reuse: R,
      ii: t.cycles,
      stages: wiring ? 0 : 1,
      stage: 0,
      latencyCycles: lastBeatCycle - Math.max(0, ...layer.inputs.map((i) => lastFire(timing, i, nodes))),
      products: layer.live ? perBeat.products : none,
      multipliers: layer.live ? multipliers : none,
      dspSlices: layer.live ? dspSlices : 0,
      ...(facts.constants ? { constants: facts.constants } : {}),
      ...(schedule ? { schedule } : {}),
      additions: layer.live ? perBeat.terms : 0,
      accumulatorWidth: facts.accumulatorWidth,
      registerBits: layer.live ? registerBits : 0,
      tables: layer.live ? facts.tables.map((tb) => ({ ...tb, reads: Math.min(tb.reads, beatValues) })) : [],
      stream: {
        kind: t.kind,
        beats,
        beatValues,
        beatInterval: R,
        beatLatency: wiring ? 0 : t.kind === 'map' || t.kind === 'window' ? R + 1 : 1,
        firstBeatCycle,
        lastBeatCycle,
        cyclesPerSample: t.cycles,
        wiring,
        fifoDepths,
        lineBufferValues: buffered,
      },
    });
  }
  return {
    network: src.name,
    io: 'stream',
    ii: Math.max(1, timing.ii),
    stages: layers.filter((l) => l.live && l.stages > 0).length + 1,
    latencyCycles: timing.latency,
    layers,
    inputLatencyCycles: Math.max(0, ...src.inputs.map((i) => lastFire(timing, i.name, nodes))),
    inputRegisterBits: 0,
    delayRegisterBits: 0,
    products: totals.products.freeze(),
    multipliers: totals.multipliers.freeze(),
    dspSlices: totals.dspSlices,
    dspAvailable: ctx.dspAvailable,
  };
}

/** The edge at which the last beat of the first sample of `name` is pushed on (inputs: accepted). */
function lastFire(timing: StreamTiming, name: string, nodes: ReadonlyMap<string, StreamNode>): number {
  const t = timing.stages.get(name);
  if (t) return t.fire[t.beats - 1] ?? 0;
  const i = timing.inputs.get(name);
  return i ? (i[i.length - 1] ?? 0) : (nodes.get(name)?.beats ?? 1) - 1;
}

function emptyFacts(n: number): LayerFacts {
  return { products: { dsp: 0, lut: 0, shift: 0, skip: 0 }, productDspSlices: 0, terms: 0, constant: new Uint8Array(n), accumulatorWidth: 0, tables: [] };
}

/** The terms of one output position or pixel (what a streaming MAC layer builds once and reuses for every beat). */
function beatFacts(layer: PlanLayer, x: { readonly shape: readonly number[] }, facts: LayerFacts): LayerFacts {
  const w = layer.weights!;
  const constants = facts.constants!;
  const products = new Counts();
  let slices = 0;
  for (const c of constants) {
    products.add(c.kind);
    slices += c.dspSlices ?? 0;
  }
  let forEachTerm: LayerFacts['forEachTerm'];
  if (layer.op === 'dense') {
    const C = beatWidth(x.shape);
    const units = layer.params.units as number;
    forEachTerm = (f) => {
      for (let o = 0; o < units; o++) for (let c = 0; c < C; c++) if (w[c * units + o] !== 0n) f(o, c, c * units + o);
    };
  } else {
    const depthwise = layer.op.startsWith('depthwise');
    const C = beatWidth(x.shape);
    const O = beatWidth(layer.shape);
    const M = depthwise ? O / C : 0;
    const K = w.length / (depthwise ? C * M : C * O);
    forEachTerm = (f) => {
      for (let o = 0; o < O; o++) {
        for (let kp = 0; kp < K; kp++) {
          if (depthwise) {
            const c = Math.floor(o / M);
            const wi = (kp * C + c) * M + (o % M);
            if (w[wi] !== 0n) f(o, kp * C + c, wi);
          } else for (let c = 0; c < C; c++) if (w[(kp * C + c) * O + o] !== 0n) f(o, kp * C + c, (kp * C + c) * O + o);
        }
      }
    };
  }
  return { ...facts, products: products.freeze(), productDspSlices: slices, terms: constants.length - products.skip, forEachTerm };
}
