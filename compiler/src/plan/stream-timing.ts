// Cycle-level timing of an io stream network as the Verilog backend builds it (compiler/src/backends/verilog/
// stream.ts): every layer a stage with an output register and a valid/ready handshake, a first-word-fall-through FIFO
// of the edge's depth in front of every consumer. The model follows every beat of several samples through the
// stages (the rules per stage kind are in docs/build.md, "Compiler core") and iterates to a fixed point, because a
// full FIFO holds its producer back. Edges are counted from the first input beat accepted (edge 0), inputs offered
// every cycle, the output always ready.
import { windowGeometry } from './geometry.js';
import type { PlanLayer, PlanSource } from './source.js';

export type StageKind = 'map' | 'window' | 'global' | 'frame' | 'wiring';

/** Samples followed through the pipeline: enough for the steady state of the II. */
export const TIMING_SAMPLES = 6;

const PER_PIXEL: ReadonlySet<string> = new Set(['dense', 'relu', 'relu6', 'leaky_relu', 'linear', 'sigmoid', 'tanh', 'batchnorm', 'add']);
const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
export const beatWidth = (s: readonly number[]) => (s.length === 0 ? 1 : s[s.length - 1]);

/** How the backend streams a layer (its stageKind). */
export function stageKind(layer: PlanLayer, inShapes: readonly (readonly number[])[]): StageKind {
  const op = layer.op;
  if (layer.boundary) return 'wiring';
  const rank = layer.shape.length;
  const lastAxis = () => {
    const axis = Number(layer.params.axis ?? -1);
    return axis === -1 || axis === rank - 1;
  };
  if (PER_PIXEL.has(op)) return 'map';
  if (op === 'softmax' || op === 'concat') return lastAxis() ? 'map' : 'frame';
  if (op === 'flatten' || op === 'reshape') return beatWidth(inShapes[0]) === beatWidth(layer.shape) ? 'map' : 'frame';
  if (op.startsWith('global_')) return 'global';
  if (op.includes('conv') || op.includes('pool')) {
    return windowGeometry(op, layer.params, inShapes[0]).padded && op.includes('pool') ? 'frame' : 'window';
  }
  return 'frame';
}

export interface StageTiming {
  readonly kind: StageKind;
  readonly beats: number;
  /** Edge at which each output beat of the first sample is pushed on (taken by every consumer). */
  readonly fire: Float64Array;
  /** Cycles per sample of this stage alone (its own initiation interval). */
  readonly cycles: number;
}

export interface StreamTiming {
  readonly latency: number;
  readonly ii: number;
  readonly stages: ReadonlyMap<string, StageTiming>;
  /** Per network input: the edge at which each beat of the first sample is accepted. */
  readonly inputs: ReadonlyMap<string, Float64Array>;
  /** Passes until the beat times stopped changing (full FIFOs delay their producers one pass at a time). */
  readonly iterations: number;
}

interface Node {
  readonly name: string;
  readonly beats: number;
  /** Push edges of every beat, all samples. */
  fire: Float64Array;
}

/** Times every beat of TIMING_SAMPLES samples; returns the first sample's latency and the largest gap between samples. */
export function streamTiming(src: PlanSource, depthOf: (from: string, to: string) => number): StreamTiming {
  const S = TIMING_SAMPLES;
  const nodes = new Map<string, Node>();
  const inBeats = Math.max(1, ...src.inputs.map((i) => size(i.shape) / beatWidth(i.shape)));
  for (const i of src.inputs) nodes.set(i.name, { name: i.name, beats: inBeats, fire: new Float64Array(S * inBeats) });
  // A call boundary is wiring: its consumers read the stage behind it (the root), through FIFOs named after it.
  const root = new Map<string, string>();
  const rootOf = (n: string) => root.get(n) ?? n;
  for (const l of src.layers) {
    if (l.boundary) {
      root.set(l.name, rootOf(l.inputs[0]));
      nodes.set(l.name, nodes.get(rootOf(l.inputs[0]))!);
    } else nodes.set(l.name, { name: l.name, beats: size(l.shape) / beatWidth(l.shape), fire: new Float64Array(S * (size(l.shape) / beatWidth(l.shape))) });
  }
  // Consumers of every node: (layer, input index, FIFO depth); pops of each edge, per beat.
  const consumers = new Map<string, { layer: string; k: number; depth: number }[]>();
  for (const l of src.layers) {
    if (l.boundary) continue;
    l.inputs.forEach((n, k) => {
      const list = consumers.get(rootOf(n)) ?? [];
      list.push({ layer: l.name, k, depth: Math.max(1, depthOf(n, l.name)) });
      consumers.set(rootOf(n), list);
    });
  }
  const pops = new Map<string, Float64Array>();
  const popKey = (layer: string, k: number) => `${layer}#${k}`;
  for (const l of src.layers) if (!l.boundary) l.inputs.forEach((n, k) => pops.set(popKey(l.name, k), new Float64Array(S * nodes.get(n)!.beats).fill(-Infinity)));
  const outputs = new Set(src.outputs.map(rootOf));
  const kinds = new Map<string, StageKind>();
  const cycles = new Map<string, number>();
  for (const l of src.layers) {
    const inShapes = l.inputs.map((n, k) => l.inputShapes?.[k] ?? shapeOf(src, n));
    kinds.set(l.name, stageKind(l, inShapes));
  }

  // Per node, its consumers' pop arrays and FIFO depths (a beat may enter a FIFO of depth D once the beat D places
  // ahead of it has left).
  const rooms = new Map<string, { pops: Float64Array; depth: number }[]>();
  for (const [name, list] of consumers) rooms.set(name, list.map((c) => ({ pops: pops.get(popKey(c.layer, c.k))!, depth: c.depth })));
  const room = (name: string, j: number): number => {
    let t = -Infinity;
    const list = rooms.get(name);
    if (list) for (const c of list) if (j >= c.depth && c.pops[j - c.depth] + 1 > t) t = c.pops[j - c.depth] + 1;
    return t;
  };

  let outFire = new Float64Array(0);
  let iterations = 0;
  for (let iter = 0; iter < 200; iter++) {
    iterations++;
    let changed = false;
    const setPop = (a: Float64Array, j: number, t: number) => {
      if (a[j] !== t) {
        a[j] = t;
        changed = true;
      }
    };
    // The input port: a beat per cycle while every input FIFO has room.
    for (const i of src.inputs) {
      const f = nodes.get(i.name)!.fire;
      for (let j = 0; j < f.length; j++) {
        let t = j === 0 ? 0 : f[j - 1] + 1;
        for (const x of src.inputs) t = Math.max(t, room(x.name, j));
        f[j] = t;
      }
    }
    for (const l of src.layers) {
      if (l.boundary) continue;
      const node = nodes.get(l.name)!;
      const ins = l.inputs.map((n) => nodes.get(n)!);
      const kind = kinds.get(l.name)!;
      const inPops = l.inputs.map((_n, k) => pops.get(popKey(l.name, k))!);
      const R = isMac(l.op) ? Math.max(1, l.reuse) : 1;
      const B = node.beats;
      const load = new Float64Array(S * B);
      const fire = node.fire;
      // A beat is pushed on at the earliest the edge after its load, when every consumer FIFO has room; an output
      // stage's beat leaves with the other outputs' (the previous iteration's port times are a lower bound).
      const isOut = outputs.has(l.name) && outFire.length > 0;
      const fireAt = (j: number, earliest: number) => Math.max(earliest, room(l.name, j), isOut ? outFire[j] : -Infinity);
      const fireOf = (j: number) => fireAt(j, load[j] + 1);
      if (kind === 'map') {
        for (let j = 0; j < S * B; j++) {
          let t = -Infinity;
          for (const x of ins) t = Math.max(t, x.fire[j] + 1);
          const prevLoad = j > 0 ? load[j - 1] : -Infinity;
          const prevFire = j > 0 ? fire[j - 1] : -Infinity;
          load[j] = R > 1 ? Math.max(Math.max(t, prevLoad + 1) + R - 1, prevFire) : Math.max(t, prevFire, prevLoad + 1);
          fire[j] = fireOf(j);
          for (const a of inPops) setPop(a, j, load[j]);
        }
        cycles.set(l.name, B * R);
      } else if (kind === 'window') {
        const x = ins[0];
        const inShape = l.inputShapes?.[0] ?? shapeOf(src, l.inputs[0]);
        const g = windowGeometry(l.op, l.params, inShape);
        const Hp = g.H + g.PT + g.PB;
        const Wp = g.W + g.PL + g.PR;
        let go = -1;
        let k = 0;
        let j = 0;
        for (let s = 0; s < S; s++) {
          for (let r = 0; r < Hp; r++) {
            for (let c = 0; c < Wp; c++) {
              const inside = r >= g.PT && r < g.PT + g.H && c >= g.PL && c < g.PL + g.W;
              const fires = r >= g.KH - 1 && (r - g.KH + 1) % g.SH === 0 && (r - g.KH + 1) / g.SH < g.OH && c >= g.KW - 1 && (c - g.KW + 1) % g.SW === 0 && (c - g.KW + 1) / g.SW < g.OW;
              let t = go + 1;
              if (inside) t = Math.max(t, x.fire[k] + 1);
              if (fires) {
                const prevFire = j > 0 ? fire[j - 1] : -Infinity;
                t = Math.max(t + R - 1, prevFire);
                load[j] = t;
                fire[j] = fireOf(j);
                j++;
              }
              go = t;
              if (inside) setPop(inPops[0], k++, t);
            }
          }
        }
        cycles.set(l.name, Hp * Wp + g.OH * g.OW * (R - 1));
      } else if (kind === 'global') {
        const x = ins[0];
        const N = x.beats;
        let go = -1;
        for (let s = 0; s < S; s++) {
          for (let b = 0; b < N; b++) {
            let t = Math.max(go + 1, x.fire[s * N + b] + 1);
            if (b === N - 1) {
              t = Math.max(t, s > 0 ? fire[s - 1] : -Infinity);
              load[s] = t;
              fire[s] = fireOf(s);
            }
            go = t;
            setPop(inPops[0], s * N + b, t);
          }
        }
        cycles.set(l.name, N);
      } else {
        // frame: collect every input beat of a sample, load when all are in and the output buffer is empty, then
        // send the output beats one per cycle.
        const q = ins.map(() => -Infinity);
        let prevLoad = -Infinity;
        let lastFire = -Infinity;
        for (let s = 0; s < S; s++) {
          let full = -Infinity;
          ins.forEach((x, k) => {
            for (let b = 0; b < x.beats; b++) {
              const j = s * x.beats + b;
              const t = Math.max(q[k] + 1, x.fire[j] + 1, b === 0 ? prevLoad + 1 : -Infinity);
              q[k] = t;
              setPop(inPops[k], j, t);
            }
            full = Math.max(full, q[k] + 1);
          });
          const ld = Math.max(full, lastFire + 1);
          prevLoad = ld;
          for (let b = 0; b < B; b++) {
            const j = s * B + b;
            load[j] = b === 0 ? ld : fire[j - 1];
            fire[j] = fireAt(j, b === 0 ? ld + 1 : fire[j - 1] + 1);
          }
          lastFire = fire[s * B + B - 1];
        }
        cycles.set(l.name, Math.max(...ins.map((x) => x.beats)) + B + 1);
      }
    }
    // The output port: a beat leaves when every output stage has it (and the consumers of those stages have room).
    const outNodes = [...new Set(src.outputs.map((o) => nodes.get(o)!))].filter((n) => n.fire.length);
    const Bo = outNodes[0]?.beats ?? 1;
    const next = new Float64Array(S * Bo);
    for (let j = 0; j < next.length; j++) {
      let t = j > 0 ? next[j - 1] + 1 : -Infinity;
      for (const n of outNodes) t = Math.max(t, n.fire[j]);
      next[j] = t;
    }
    for (const n of outNodes) n.fire.set(next.subarray(0, n.fire.length));
    if (!changed && outFire.length === next.length && outFire.every((v, i) => v === next[i])) break;
    outFire = next;
  }
  const Bo = Math.max(1, outFire.length / S);
  const latency = outFire[Bo - 1] ?? 0;
  let ii = 1;
  for (let s = 1; s < S; s++) ii = Math.max(ii, outFire[(s + 1) * Bo - 1] - outFire[s * Bo - 1]);
  const stages = new Map<string, StageTiming>();
  for (const l of src.layers) {
    const n = nodes.get(l.name)!;
    stages.set(l.name, { kind: kinds.get(l.name)!, beats: n.beats, fire: n.fire.slice(0, n.beats), cycles: l.boundary ? 0 : (cycles.get(l.name) ?? 1) });
  }
  const inputs = new Map(src.inputs.map((i) => [i.name, nodes.get(i.name)!.fire.slice(0, inBeats)] as const));
  return { latency, ii, stages, inputs, iterations };
}

const isMac = (op: string) => op === 'dense' || op.includes('conv');

function shapeOf(src: PlanSource, name: string): readonly number[] {
  return src.inputs.find((i) => i.name === name)?.shape ?? src.layers.find((l) => l.name === name)!.shape;
}
