// The Verilog backend for `io stream` networks: every layer is a stage with a valid/ready handshake, and every edge
// between two layers is a FIFO of the declared depth (`fifo N`, `fifo a -> b depth N`). A tensor travels as beats:
// one beat is one pixel, the values along the last axis, and the pixels come in row-major order (a 1-D tensor [N] is
// one beat of N values, [L, C] is L beats of C values, [H, W, C] is H·W beats of C values).
//
// Stages (each with an output register, loaded when the register is free or being taken):
// - map: one output beat per input beat (dense over the last axis, batchnorm, activations, tables, softmax, add and
//   concat along the last axis, casts). A dense layer with reuse R takes R cycles per beat on
//   ceil(non-zero weights / R) shared multipliers.
// - window: convolutions and pooling windows, on a line buffer: a shift register of (KH − 1)·Wp + KW − 1 pixels of
//   the (zero-)padded input of width Wp; an output pixel is computed when the last pixel of its window arrives. Padding
//   pixels are inserted as zeros without reading the input (the specification skips padding taps: 0 · w changes
//   nothing). Pooling with padding goes to a frame stage (padding is not a value there).
// - global: global pooling, a running maximum or accumulator per channel; one output beat per sample.
// - frame: the fallback for layers that reorder beats (flatten or reshape changing the beat width, concat along
//   another axis, pooling with padding): it collects the whole input, computes as io parallel, and sends the output
//   beats one per cycle.
//
// Ports as in io parallel (AXI-Stream: s_axis_*, m_axis_*), one beat per transfer: tdata holds the beat of every
// network input (all inputs must have the same number of beats), element 0 of the first input in the low bits.
// m_axis_tlast marks the last beat of each output sample; s_axis_tlast is not needed (beats are counted).
import { fracBits, rawRange, type FixedType, type LayerModel, type NetworkModel } from '@qnn/language';
import { castTo, sumExact, type Val } from './arith.js';
import { flattenNetwork } from './inline.js';
import { readPlan } from './plan-lookup.js';
import { avgDivide, layerVals, maxOf } from './layers.js';
import { macReuse, macSpec, mac, type PhaseCounter } from './mac.js';
import { ModuleNets, size, type NodeVals } from './nets.js';
import { VerilogBackendError, type PackedTensor, type VerilogDesign } from './types.js';
import { bin, concat, index, int, lit, nb, printModule, ref, set, slice, unary, when, type Decl, type Expr, type Item, type Module, type Port, type Stmt } from './vast.js';
import { windowGeometry } from './window.js';

const MAC = new Set(['dense', 'conv1d', 'conv2d', 'depthwise_conv1d', 'depthwise_conv2d']);
const WINDOWED = new Set(['conv1d', 'conv2d', 'depthwise_conv1d', 'depthwise_conv2d', 'maxpool1d', 'maxpool2d', 'avgpool1d', 'avgpool2d']);
const GLOBAL = new Set(['global_maxpool1d', 'global_maxpool2d', 'global_avgpool1d', 'global_avgpool2d']);
const PER_PIXEL = new Set(['dense', 'relu', 'relu6', 'leaky_relu', 'linear', 'sigmoid', 'tanh', 'batchnorm']);

/** A node's output stream: the register a stage presents, and the readiness of its consumers. */
interface Stream {
  readonly name: string;
  readonly type: FixedType;
  readonly shape: readonly number[];
  /** Values per beat. */
  readonly C: number;
  readonly beats: number;
  readonly valid: Expr;
  readonly vals: readonly Val[];
  /** Ready of each consumer channel; the stream's handshake `fire` is valid ∧ all of them. */
  readonly readies: Expr[];
  /** The net that is 1 in a cycle where the current beat is taken by every consumer. */
  readonly fire: string;
  /** Cycles per sample of the stage (for the II) and cycles from its first input beat to its last output beat. */
  readonly cycles: number;
  readonly latency: number;
  /** For the boundary of a network call: the stream whose register (valid, fire, readies) this one shares. */
  readonly alias?: Stream;
}

/** A consumer's end of a channel. */
interface Chan {
  readonly valid: Expr;
  readonly vals: readonly Val[];
  /** The consumer drives this net: 1 when it takes the head beat. */
  readonly pop: string;
}

const clog2 = (n: number) => (n <= 1 ? 0 : (n - 1).toString(2).length);
const bitsFor = (n: number) => Math.max(1, clog2(n));
const beatWidth = (shape: readonly number[]) => (shape.length === 0 ? 1 : shape[shape.length - 1]);

class StreamModule {
  readonly nets = new ModuleNets();
  readonly items: Item[] = [];
  readonly regBlocks: Item[] = [];
  readonly fifos = new Map<string, { width: number; depth: number }>();
  readonly instances: Item[] = [];

  constructor(readonly top: string) {}

  /** A 1-bit (or width-bit) wire with its assignment. */
  wire(name: string, value: Expr, width = 1, waive?: Decl['waive']): Expr {
    this.items.push({ kind: 'decl', decl: { name, net: 'wire', width, signed: false, ...(waive ? { waive } : {}) } }, { kind: 'assign', target: name, value });
    return ref(name);
  }

  /** A control register with a synchronous reset and its update statements. */
  reg(name: string, width: number, reset: bigint, body: readonly Stmt[]): Expr {
    this.items.push({ kind: 'decl', decl: { name, net: 'reg', width, signed: false, ...(width > 1 ? { vector: true } : {}) } });
    this.regBlocks.push({ kind: 'always', edge: 'posedge', clock: 'aclk', body: [when(unary('!', ref('aresetn')), [nb(ref(name), lit(width, reset))], body)] });
    return ref(name);
  }

  /** A constant bit mask read by a counter: bit i is set for the counter values in `on`. */
  mask(name: string, counterBits: number, on: (i: number) => boolean, counter: Expr): Expr {
    const n = 1 << counterBits;
    let v = 0n;
    let all = true;
    for (let i = 0; i < n; i++) {
      if (on(i)) v |= 1n << BigInt(i);
      else all = false;
    }
    if (v === 0n) return lit(1, 0n);
    if (all) return lit(1, 1n);
    this.items.push({ kind: 'decl', decl: { name, net: 'wire', width: n, signed: false, vector: true } }, { kind: 'assign', target: name, value: lit(n, v) });
    if (counter.kind !== 'ref') throw new Error('internal error: a mask needs a counter net');
    return index(name, counter);
  }

  /** The FIFO from `s` to a consumer (`prefix` names it): pushes when `s` fires, pops when the consumer says. */
  channel(s: Stream, prefix: string, depth: number): Chan {
    const netVals = s.vals.filter((v): v is Val & { kind: 'net' } => v.kind === 'net');
    const width = Math.max(1, netVals.reduce((a, v) => a + v.width, 0));
    const ch = prefix;
    const mod = `${this.top}_fifo_${width}x${depth}`;
    this.fifos.set(mod, { width, depth });
    const ready = `${ch}_ready`;
    const valid = `${ch}_valid`;
    const data = `${ch}_data`;
    const pop = `${ch}_pop`;
    this.items.push(
      { kind: 'decl', decl: { name: ready, net: 'wire', width: 1, signed: false } },
      { kind: 'decl', decl: { name: valid, net: 'wire', width: 1, signed: false } },
      {
        kind: 'decl',
        decl: { name: data, net: 'wire', width, signed: false, vector: true, waive: { warning: 'UNUSEDSIGNAL', reason: 'a FIFO word carries every value of a beat; a consumer may not read all of them (zero weights, constant results)' } },
      },
    );
    const inData = netVals.length ? concat(netVals.map((v) => ref(v.name)).reverse()) : lit(1, 0n);
    this.instances.push({
      kind: 'instance',
      module: mod,
      name: `${ch}_q`,
      connections: [
        { port: 'aclk', value: ref('aclk') },
        { port: 'aresetn', value: ref('aresetn') },
        { port: 'in_data', value: inData },
        { port: 'in_valid', value: ref(s.fire) },
        { port: 'in_ready', value: ref(ready) },
        { port: 'out_data', value: ref(data) },
        { port: 'out_valid', value: ref(valid) },
        { port: 'out_ready', value: ref(pop) },
      ],
    });
    s.readies.push(ref(ready));
    let off = 0;
    const vals = s.vals.map((v, i) => {
      if (v.kind === 'const') return v;
      const w = this.nets.wire(`${ch}_v${i}`, v.width, v.signed, slice(data, off + v.width - 1, off), v.lo, v.hi);
      off += v.width;
      return w;
    });
    return { valid: ref(valid), vals, pop };
  }
}

const and = (xs: readonly Expr[]): Expr => (xs.length === 0 ? lit(1, 1n) : xs.reduce((a, b) => bin('&', a, b)));

/** The layer as it applies to one beat (a pixel): its shape is the beat's, and an axis that was the last is −1. */
function pixelLayer(layer: LayerModel): LayerModel {
  const params = { ...layer.params };
  const rank = layer.tensor.shape.length;
  if (params.axis !== undefined && (Number(params.axis) === -1 || Number(params.axis) === rank - 1)) params.axis = -1;
  return { ...layer, params, tensor: { ...layer.tensor, shape: [beatWidth(layer.tensor.shape)] } };
}

/** How a layer streams. */
function stageKind(layer: LayerModel, inShapes: readonly (readonly number[])[]): 'map' | 'window' | 'global' | 'frame' {
  const op = layer.opName;
  const rank = layer.tensor.shape.length;
  if (PER_PIXEL.has(op)) return 'map';
  if (op === 'softmax') {
    const axis = Number(layer.params.axis ?? -1);
    return axis === -1 || axis === rank - 1 ? 'map' : 'frame';
  }
  if (op === 'add') return 'map';
  if (op === 'concat') {
    const axis = Number(layer.params.axis ?? -1);
    return axis === -1 || axis === rank - 1 ? 'map' : 'frame';
  }
  if (op === 'flatten' || op === 'reshape') return beatWidth(inShapes[0]) === beatWidth(layer.tensor.shape) ? 'map' : 'frame';
  if (GLOBAL.has(op)) return 'global';
  if (WINDOWED.has(op)) {
    const g = windowGeometry(layer, inShapes[0]);
    const padded = g.PT + g.PB + g.PL + g.PR > 0;
    return padded && op.includes('pool') ? 'frame' : 'window';
  }
  throw new VerilogBackendError(`layer '${layer.name}' (${op}): the Verilog backend does not stream ${op} yet`);
}

export function generateStream(net: NetworkModel, top: string): VerilogDesign {
  const flat = flattenNetwork(net);
  const m = new StreamModule(top);
  const nets = m.nets;
  nets.adderPrefix = top;
  nets.plan = readPlan(net);
  const streams = new Map<string, Stream>();
  const header = [
    `// ${top}: network '${net.name}' (${net.path}), generated by QNN Studio. Do not edit.`,
    `// io stream: one stage per layer, valid/ready handshakes, a FIFO on every edge. Arithmetic: docs/semantics.md, bit for bit.`,
    '`timescale 1ns / 1ps',
  ];

  // Inputs: one beat per transfer, every input's pixel side by side.
  const inBeats = new Set(net.inputs.map((i) => size(i.tensor.shape) / beatWidth(i.tensor.shape)));
  if (inBeats.size !== 1) throw new VerilogBackendError(`network '${net.name}': in io stream every input must have the same number of beats (pixels); these have ${[...inBeats].join(', ')}`);
  const inputBeats = [...inBeats][0];
  const inputs: PackedTensor[] = [];
  let offset = 0;
  const inputStreams: Stream[] = [];
  for (const inp of net.inputs) {
    const t = inp.tensor.type;
    const C = beatWidth(inp.tensor.shape);
    const r = rawRange(t);
    const vals: Val[] = [];
    for (let i = 0; i < C; i++) {
      const lo = offset + i * t.width;
      vals.push(nets.wire(`in_${inputs.length}_${i}`, t.width, t.signed, slice('s_axis_tdata', lo + t.width - 1, lo), r.min, r.max));
    }
    inputs.push({ name: inp.name, type: t, shape: inp.tensor.shape, offset, count: C, beats: inputBeats });
    offset += C * t.width;
    const s: Stream = { name: inp.name, type: t, shape: inp.tensor.shape, C, beats: inputBeats, valid: ref('s_axis_tvalid'), vals, readies: [], fire: 'in_fire', cycles: inputBeats, latency: 0 };
    streams.set(inp.name, s);
    inputStreams.push(s);
  }
  const inputWidth = offset;

  flat.layers.forEach((layer, li) => {
    const p = `s${li}`;
    const ins = layer.inputs.map((n) => streams.get(n)!);
    if (layer.call) {
      // The boundary of a network call is wiring: the argument cast to the called input's type (docs/semantics.md
      // section 13), or the called network's output as it is; no stage and no FIFO of its own.
      const s = ins[0];
      const root = s.alias ?? s;
      const vals = s.vals.map((v, i) => castTo(nets, `${p}_${i}`, v, fracBits(s.type), layer.tensor.type));
      streams.set(layer.name, { ...root, name: layer.name, type: layer.tensor.type, shape: layer.tensor.shape, vals, alias: root });
      return;
    }
    const chans = ins.map((s, k) => m.channel(s, `${p}_f${k}`, flat.fifo(s.name, layer.name)));
    const kind = stageKind(layer, ins.map((s) => s.shape));
    const R = MAC.has(layer.opName) ? layer.reuse : 1;
    const Cout = beatWidth(layer.tensor.shape);
    const beatsOut = size(layer.tensor.shape) / Cout;
    const ov = `${p}_ov`;
    const fire = `${p}_fire`;
    const free = bin('|', unary('~', ref(ov)), ref(fire));
    const load = `${p}_load`;
    const inLatency = Math.max(...ins.map((s) => s.latency));
    let cycles: number;
    let latency: number;
    let vals: Val[];
    m.items.push({ kind: 'comment', text: `Layer '${layer.name}' (${layer.opName}): ${kind} stage.` });
    const phaseOf = (R_: number, step: Expr): { last: Expr; counter: PhaseCounter } => {
      const pw = bitsFor(R_);
      const ph = `${p}_phase`;
      const lastE = bin('==', ref(ph), lit(pw, BigInt(R_ - 1)));
      m.reg(ph, pw, 0n, [when(step, [nb(ref(ph), { kind: 'cond', test: lastE, then: lit(pw, 0n), else: bin('+', ref(ph), lit(pw, 1n)) })])]);
      return { last: lastE, counter: { name: ph, width: pw, count: R_ } };
    };
    if (kind === 'map') {
      const allValid = and(chans.map((c) => c.valid));
      const pix: NodeVals[] = ins.map((s, k) => ({ vals: chans[k].vals, stage: 0, type: s.type, shape: [s.C] }));
      const pl = pixelLayer(layer);
      let loadE: Expr;
      if (R > 1) {
        const step = `${p}_step`;
        const { last, counter } = phaseOf(R, ref(step));
        m.wire(step, bin('&', allValid, bin('|', unary('~', last), free)));
        loadE = bin('&', bin('&', allValid, last), free);
        nets.cycleEnable = step;
        vals = macReuse(nets, p, macSpec(pl, [ins[0].C], ins[0].type, nets.plan), R, pix[0], counter);
      } else {
        loadE = bin('&', allValid, free);
        vals = layerVals(nets, p, pl, pix);
      }
      m.wire(load, loadE);
      for (const c of chans) m.wire(c.pop, ref(load));
      cycles = ins[0].beats * R;
      latency = inLatency + R + 1;
    } else if (kind === 'window') {
      const s = ins[0];
      const ch = chans[0];
      const g = windowGeometry(layer, s.shape);
      const Hp = g.H + g.PT + g.PB;
      const Wp = g.W + g.PL + g.PR;
      const rb = bitsFor(Hp);
      const cb = bitsFor(Wp);
      const row = ref(`${p}_row`);
      const col = ref(`${p}_col`);
      const interior = bin('&', m.mask(`${p}_rin`, rb, (r) => r >= g.PT && r < g.PT + g.H, row), m.mask(`${p}_cin`, cb, (c) => c >= g.PL && c < g.PL + g.W, col));
      const fires = bin(
        '&',
        m.mask(`${p}_rfire`, rb, (r) => r < Hp && r >= g.KH - 1 && (r - g.KH + 1) % g.SH === 0 && (r - g.KH + 1) / g.SH < g.OH, row),
        m.mask(`${p}_cfire`, cb, (c) => c < Wp && c >= g.KW - 1 && (c - g.KW + 1) % g.SW === 0 && (c - g.KW + 1) / g.SW < g.OW, col),
      );
      const inside = m.wire(`${p}_inside`, interior);
      const firesW = m.wire(`${p}_fires`, fires);
      const avail = m.wire(`${p}_avail`, bin('|', unary('~', inside), ch.valid));
      const go = `${p}_go`;
      let loadE: Expr;
      let counter: PhaseCounter | undefined;
      if (R > 1) {
        const step = `${p}_step`;
        const ph = phaseOf(R, ref(step));
        counter = ph.counter;
        m.wire(step, bin('&', bin('&', avail, firesW), bin('|', unary('~', ph.last), free)));
        m.wire(go, bin('&', avail, bin('|', unary('~', firesW), bin('&', ph.last, free))));
        loadE = bin('&', bin('&', bin('&', avail, firesW), ph.last), free);
        nets.cycleEnable = step;
      } else {
        m.wire(go, bin('&', avail, bin('|', unary('~', firesW), free)));
        loadE = bin('&', ref(go), firesW);
      }
      m.wire(load, loadE);
      m.wire(ch.pop, bin('&', ref(go), inside));
      const colNext: Expr = Wp === 1 ? lit(cb, 0n) : { kind: 'cond', test: bin('==', col, lit(cb, BigInt(Wp - 1))), then: lit(cb, 0n), else: bin('+', col, lit(cb, 1n)) };
      const rowNext: Expr = Hp === 1 ? lit(rb, 0n) : { kind: 'cond', test: bin('==', row, lit(rb, BigInt(Hp - 1))), then: lit(rb, 0n), else: bin('+', row, lit(rb, 1n)) };
      m.reg(`${p}_col`, cb, 0n, [when(ref(go), [nb(col, colNext)])]);
      m.reg(`${p}_row`, rb, 0n, [when(bin('&', ref(go), Wp === 1 ? lit(1, 1n) : bin('==', col, lit(cb, BigInt(Wp - 1)))), [nb(row, rowNext)])]);
      // The incoming pixel (zeros in the padding) and the line buffer behind it.
      const padded = g.PT + g.PB + g.PL + g.PR > 0;
      const pixel: Val[] = ch.vals.map((v, c) => {
        if (!padded || v.kind === 'const') return v.kind === 'const' && padded ? padConst(nets, `${p}_px${c}`, v, inside, s.type) : v;
        return nets.wire(`${p}_px${c}`, v.width, v.signed, { kind: 'cond', test: inside, then: ref(v.name), else: lit(v.width, 0n) }, v.lo < 0n ? v.lo : 0n, v.hi > 0n ? v.hi : 0n);
      });
      const L = (g.KH - 1) * Wp + g.KW - 1;
      const line: Val[][] = [];
      for (let j = 0; j < L; j++) {
        const prev = j === 0 ? pixel : line[j - 1];
        line.push(prev.map((v, c) => (v.kind === 'const' ? v : nets.reg(`${p}_lb${j}_${c}`, v.width, v.signed, ref(v.name), v.lo, v.hi, go))));
      }
      const windowVals: Val[] = [];
      for (let ky = 0; ky < g.KH; ky++) {
        for (let kx = 0; kx < g.KW; kx++) {
          const d = (g.KH - 1 - ky) * Wp + (g.KW - 1 - kx);
          windowVals.push(...(d === 0 ? pixel : line[d - 1]));
        }
      }
      const spatial = layer.opName.endsWith('1d') ? 1 : 2;
      const winShape = spatial === 1 ? [g.KW, g.C] : [g.KH, g.KW, g.C];
      const winLayer: LayerModel = { ...layer, params: { ...layer.params, padding: 'valid', stride: spatial === 1 ? 1 : [1, 1] }, tensor: { ...layer.tensor, shape: spatial === 1 ? [1, Cout] : [1, 1, Cout] } };
      const x: NodeVals = { vals: windowVals, stage: 0, type: s.type, shape: winShape };
      if (MAC.has(layer.opName)) vals = R > 1 ? macReuse(nets, p, macSpec(winLayer, winShape, s.type, nets.plan), R, x, counter!) : mac(nets, p, macSpec(winLayer, winShape, s.type, nets.plan), x);
      else vals = layerVals(nets, p, winLayer, [x]);
      cycles = Hp * Wp + g.OH * g.OW * (R - 1);
      latency = inLatency + Math.max(s.beats, Hp * Wp) + R;
    } else if (kind === 'global') {
      const s = ins[0];
      const ch = chans[0];
      const N = s.beats;
      const nb_ = bitsFor(N);
      const cnt = ref(`${p}_cnt`);
      const last = N === 1 ? lit(1, 1n) : bin('==', cnt, lit(nb_, BigInt(N - 1)));
      const first = N === 1 ? lit(1, 1n) : bin('==', cnt, lit(nb_, 0n));
      const go = `${p}_go`;
      m.wire(go, bin('&', ch.valid, bin('|', unary('~', last), free)));
      m.wire(load, bin('&', ref(go), last));
      m.wire(ch.pop, ref(go));
      if (N > 1) m.reg(`${p}_cnt`, nb_, 0n, [when(ref(go), [nb(cnt, { kind: 'cond', test: last, then: lit(nb_, 0n), else: bin('+', cnt, lit(nb_, 1n)) })])]);
      const Y = layer.tensor.type;
      const X = s.type;
      vals = ch.vals.map((v, c) => {
        const q = `${p}_${c}`;
        if (layer.opName.includes('max')) {
          if (N === 1) return castTo(nets, q, v, fracBits(X), Y);
          const r = rawRange(X);
          const mreg = nets.reg(`${q}_m`, X.width, X.signed, lit(X.width, 0n), r.min, r.max, go);
          const mx = maxOf(nets, q, mreg, v, X);
          const b = v.kind === 'const' ? { lo: v.value, hi: v.value } : { lo: v.lo, hi: v.hi };
          const operand = (u: Val) => (u.kind === 'const' ? lit(X.width, u.value, X.signed) : ref(u.name));
          const next = nets.wire(`${q}_n`, X.width, X.signed, { kind: 'cond', test: first, then: operand(v), else: operand(mx) }, b.lo < r.min ? b.lo : r.min, b.hi > r.max ? b.hi : r.max);
          nets.setNext(mreg.name, ref(next.name));
          return castTo(nets, q, next, fracBits(X), Y);
        }
        const A = layer.types.accum ?? X;
        const ar = rawRange(A);
        const xa = castTo(nets, `${q}_x`, v, fracBits(X), A);
        if (N === 1) return avgDivide(nets, q, xa, 1, A, Y);
        const areg = nets.reg(`${q}_acc`, A.width, A.signed, lit(A.width, 0n), ar.min, ar.max, go);
        const prev = nets.wire(`${q}_pa`, A.width, A.signed, { kind: 'cond', test: first, then: lit(A.width, 0n), else: ref(areg.name) }, ar.min < 0n ? ar.min : 0n, ar.max > 0n ? ar.max : 0n);
        const next = castTo(nets, `${q}_a`, sumExact(nets, `${q}_a`, [prev, xa]), fracBits(A), A);
        nets.setNext(areg.name, next.kind === 'const' ? lit(A.width, next.value, A.signed) : ref(next.name));
        return avgDivide(nets, q, next, N, A, Y);
      });
      cycles = N;
      latency = inLatency + N + 1;
    } else {
      // frame: collect every input, compute as io parallel, send the output beats.
      const full: Expr[] = [];
      const tensors: NodeVals[] = ins.map((s, k) => {
        const ch = chans[k];
        const B = s.beats;
        const cb = bitsFor(B + 1);
        const cnt = ref(`${p}_n${k}`);
        const isFull = bin('==', cnt, lit(cb, BigInt(B)));
        full.push(isFull);
        const en = `${p}_in${k}`;
        m.wire(en, bin('&', ch.valid, unary('~', isFull)));
        m.wire(ch.pop, ref(en));
        m.reg(`${p}_n${k}`, cb, 0n, [when(ref(load), [nb(cnt, lit(cb, 0n))], [when(ref(en), [nb(cnt, bin('+', cnt, lit(cb, 1n)))])])]);
        // A shift register of beats: after B beats, beat 0 is at the front.
        const buf: Val[][] = [];
        for (let b = B - 1; b >= 0; b--) {
          const src = b === B - 1 ? ch.vals : buf[0];
          buf.unshift(src.map((v, c) => (v.kind === 'const' ? v : nets.reg(`${p}_b${k}_${b}_${c}`, v.width, v.signed, ref(v.name), v.lo, v.hi, en))));
        }
        return { vals: buf.flat(), stage: 0, type: s.type, shape: s.shape };
      });
      const computed = layerVals(nets, p, layer, tensors);
      const Bo = beatsOut;
      const eb = bitsFor(Bo);
      const ecnt = ref(`${p}_e`);
      const lastBeat = Bo === 1 ? lit(1, 1n) : bin('==', ecnt, lit(eb, BigInt(Bo - 1)));
      m.wire(load, bin('&', and(full), unary('~', ref(ov))));
      if (Bo > 1) m.reg(`${p}_e`, eb, 0n, [when(ref(fire), [nb(ecnt, { kind: 'cond', test: lastBeat, then: lit(eb, 0n), else: bin('+', ecnt, lit(eb, 1n)) })])]);
      const oen = `${p}_oen`;
      m.wire(oen, bin('|', ref(load), ref(fire)));
      // The output buffer shifts one beat forward each time a beat is taken; beat 0 is presented.
      const obuf: Val[] = new Array<Val>(computed.length);
      for (let j = computed.length - 1; j >= 0; j--) {
        const v = computed[j];
        const Y = layer.tensor.type;
        const r = rawRange(Y);
        const operand = (u: Val) => (u.kind === 'const' ? lit(Y.width, u.value, Y.signed) : ref(u.name));
        const after = j + Cout < computed.length ? operand(obuf[j + Cout]) : lit(Y.width, 0n);
        obuf[j] = nets.reg(`${p}_o${j}`, Y.width, Y.signed, { kind: 'cond', test: ref(load), then: operand(v), else: after }, r.min, r.max, oen);
      }
      vals = obuf.slice(0, Cout);
      m.reg(ov, 1, 0n, [when(ref(load), [nb(ref(ov), lit(1, 1n))], [when(bin('&', ref(fire), lastBeat), [nb(ref(ov), lit(1, 0n))])])]);
      cycles = Math.max(...ins.map((s) => s.beats)) + Bo + 1;
      latency = inLatency + Math.max(...ins.map((s) => s.beats)) + Bo + 1;
      streams.set(layer.name, { name: layer.name, type: layer.tensor.type, shape: layer.tensor.shape, C: Cout, beats: beatsOut, valid: ref(ov), vals, readies: [], fire, cycles, latency });
      return;
    }
    // The output register of map, window and global stages.
    m.reg(ov, 1, 0n, [when(ref(load), [nb(ref(ov), lit(1, 1n))], [when(ref(fire), [nb(ref(ov), lit(1, 0n))])])]);
    const regs = vals.map((v, i) => (v.kind === 'const' ? v : nets.reg(`${p}_y${i}`, v.width, v.signed, ref(v.name), v.lo, v.hi, load)));
    streams.set(layer.name, { name: layer.name, type: layer.tensor.type, shape: layer.tensor.shape, C: Cout, beats: beatsOut, valid: ref(ov), vals: regs, readies: [], fire, cycles, latency });
  });

  // Outputs: every output's beat side by side, presented when all are there and their other consumers are ready.
  const outStreams = net.outputs.map((o) => streams.get(o)!);
  const outBeatSet = new Set(outStreams.map((s) => s.beats));
  if (outBeatSet.size !== 1) throw new VerilogBackendError(`network '${net.name}': in io stream every output must have the same number of beats (pixels); these have ${[...outBeatSet].join(', ')}`);
  if (outStreams.some((s) => inputStreams.includes(s.alias ?? s))) throw new VerilogBackendError(`network '${net.name}': an input that is also an output is not supported in io stream`);
  const outputBeats = [...outBeatSet][0];
  const outputs: PackedTensor[] = [];
  const outParts: Expr[] = [];
  offset = 0;
  for (const s of outStreams) {
    for (const v of s.vals) outParts.push(v.kind === 'const' ? lit(s.type.width, v.value) : ref(v.name));
    outputs.push({ name: s.name, type: s.type, shape: s.shape, offset, count: s.C, beats: outputBeats });
    offset += s.C * s.type.width;
  }
  const outputWidth = offset;
  const portOk = and(outStreams.map((s) => and([s.valid, ...s.readies])));
  m.items.push({ kind: 'comment', text: 'The output port and the handshakes of every stage.' });
  m.wire('out_ok', portOk);
  m.wire('out_fire', bin('&', ref('out_ok'), ref('m_axis_tready')));
  for (const s of streams.values()) {
    if (inputStreams.includes(s) || s.alias) continue;
    const value = outStreams.some((o) => (o.alias ?? o) === s) ? ref('out_fire') : and([s.valid, ...s.readies]);
    m.wire(s.fire, value);
  }
  const inReady = and(inputStreams.flatMap((s) => s.readies));
  m.wire('in_ready', bin('&', inReady, ref('aresetn')));
  m.wire('in_fire', bin('&', ref('s_axis_tvalid'), ref('in_ready')));
  const ob = bitsFor(outputBeats);
  if (outputBeats > 1) m.reg('out_beat', ob, 0n, [when(ref('out_fire'), [nb(ref('out_beat'), { kind: 'cond', test: bin('==', ref('out_beat'), lit(ob, BigInt(outputBeats - 1))), then: lit(ob, 0n), else: bin('+', ref('out_beat'), lit(ob, 1n)) })])]);
  const tdata = concat([...outParts].reverse());
  m.items.push(
    { kind: 'assign', target: 's_axis_tready', value: ref('in_ready') },
    { kind: 'assign', target: 'm_axis_tvalid', value: ref('out_ok') },
    { kind: 'assign', target: 'm_axis_tlast', value: outputBeats > 1 ? bin('==', ref('out_beat'), lit(ob, BigInt(outputBeats - 1))) : lit(1, 1n) },
    { kind: 'assign', target: 'm_axis_tdata', value: tdata },
  );

  // Data nets: what the output and the FIFOs read, registers grouped by their enable.
  const roots: Expr[] = [tdata, ...m.instances.flatMap((i) => (i.kind === 'instance' ? i.connections.map((c) => c.value) : []))];
  for (const it of m.items) if (it.kind === 'assign') roots.push(it.value);
  for (const it of m.regBlocks) if (it.kind === 'always') roots.push(...stmtExprs(it.body));
  const live = nets.live(roots);
  const dataItems: Item[] = [];
  const byEnable = new Map<string, Stmt[]>();
  for (const [name, n] of nets.nets) {
    if (!live.has(name)) continue;
    dataItems.push({ kind: 'decl', decl: n.decl });
    if (n.registered) {
      const en = n.every ?? 'stage';
      if (!byEnable.has(en)) byEnable.set(en, []);
      byEnable.get(en)!.push(nb(ref(name), n.value));
    }
  }
  dataItems.push(...nets.wireItems(live));
  for (const [name, r] of nets.roms) {
    if (!live.has(name)) continue;
    dataItems.push(
      { kind: 'comment', text: `Constant table ${name}: ${r.entries.length} entries (ROM).` },
      { kind: 'decl', decl: { name, net: 'reg', width: r.width, signed: r.signed, vector: true, depth: r.entries.length } },
      { kind: 'initial', body: r.entries.map((e, i) => set(index(name, int(i)), lit(r.width, e, r.signed))) },
    );
  }
  const dataRegs: Item[] = [...byEnable].map(([en, body]) => ({ kind: 'always', edge: 'posedge', clock: 'aclk', body: [when(ref(en), body)] }));

  const usesAllInputs = inputStreams.every((s) => s.vals.every((v) => v.kind === 'const' || live.has(v.name)));
  const ports: Port[] = [
    { dir: 'input', name: 'aclk', net: 'wire', width: 1, signed: false },
    { dir: 'input', name: 'aresetn', net: 'wire', width: 1, signed: false, comment: 'synchronous, active low' },
    {
      dir: 'input',
      name: 's_axis_tdata',
      net: 'wire',
      width: Math.max(1, inputWidth),
      signed: false,
      comment: `one beat: ${inputs.map((i) => `${i.name}: ${i.count} x ${i.type.width} bits at ${i.offset}`).join('; ')}; ${inputBeats} beat(s) per sample`,
      ...(usesAllInputs ? {} : { waive: { warning: 'UNUSEDSIGNAL', reason: 'input values that no output depends on (their weights are all zero) are not read' } }),
    },
    { dir: 'input', name: 's_axis_tvalid', net: 'wire', width: 1, signed: false },
    { dir: 'output', name: 's_axis_tready', net: 'wire', width: 1, signed: false },
    { dir: 'input', name: 's_axis_tlast', net: 'wire', width: 1, signed: false, waive: { warning: 'UNUSEDSIGNAL', reason: 'the stages count beats; tlast is accepted for AXI-Stream compatibility and not needed' } },
    {
      dir: 'output',
      name: 'm_axis_tdata',
      net: 'wire',
      width: Math.max(1, outputWidth),
      signed: false,
      comment: `one beat: ${outputs.map((o) => `${o.name}: ${o.count} x ${o.type.width} bits at ${o.offset}`).join('; ')}; ${outputBeats} beat(s) per sample`,
    },
    { dir: 'output', name: 'm_axis_tvalid', net: 'wire', width: 1, signed: false },
    { dir: 'input', name: 'm_axis_tready', net: 'wire', width: 1, signed: false },
    { dir: 'output', name: 'm_axis_tlast', net: 'wire', width: 1, signed: false },
  ];
  // Declarations first (Verilog-2005 wants a name declared before its use), then the logic.
  const body: Item[] = [...dataItems, { kind: 'blank' }, ...m.items];
  const items: Item[] = [
    ...body.filter((i) => i.kind === 'decl'),
    ...body.filter((i) => i.kind !== 'decl'),
    ...m.instances,
    ...m.regBlocks,
    ...(dataRegs.length ? [{ kind: 'comment', text: 'Data registers, by the enable of their stage.' } as Item, ...dataRegs] : []),
  ];
  const files = new Map<string, string>([[`${top}.v`, [printModule({ name: top, header, ports, items }), ...nets.adderModules(live).map(printModule)].join('\n')]]);
  for (const [name, f] of m.fifos) files.set(`${name}.v`, printModule(fifoModule(name, f.width, f.depth)));
  const all = [...streams.values()];
  // The timing the plan states for this design (docs/build.md, "io stream: beats, FIFOs, timing"); without a plan, a
  // coarse schedule of the stages.
  const plan = nets.plan?.plan;
  const ii = plan ? plan.ii : Math.max(1, ...all.map((s) => s.cycles), outputBeats);
  const latency = plan ? plan.latencyCycles : Math.max(1, ...outStreams.map((s) => s.latency));
  return { network: net.name, top, files, inputWidth, outputWidth, inputs, outputs, io: 'stream', inputBeats, outputBeats, latency, ii };
}

/** A constant pixel value inside the padding: the constant where the pixel is inside, 0 in the padding. */
function padConst(nets: ModuleNets, prefix: string, v: Val & { kind: 'const' }, inside: Expr, T: FixedType): Val {
  if (v.value === 0n) return v;
  return nets.wire(prefix, T.width, T.signed, { kind: 'cond', test: inside, then: lit(T.width, v.value, T.signed), else: lit(T.width, 0n) }, v.value < 0n ? v.value : 0n, v.value > 0n ? v.value : 0n);
}

function stmtExprs(body: readonly Stmt[]): Expr[] {
  const out: Expr[] = [];
  for (const s of body) {
    if (s.kind === 'assign') out.push(s.target, s.value);
    else if (s.kind === 'if') out.push(s.test, ...stmtExprs(s.then), ...stmtExprs(s.else ?? []));
  }
  return out;
}

/**
 * A first-word-fall-through FIFO of `depth` words: out_data is the oldest word while out_valid; in_ready does not
 * depend on out_ready (a full FIFO takes a word only the cycle after one leaves), so no path is combinational across it.
 */
export function fifoModule(name: string, width: number, depth: number): Module {
  const pw = bitsFor(depth);
  const cw = bitsFor(depth + 1);
  const w1 = (n: string): Decl => ({ name: n, net: 'wire', width: 1, signed: false });
  const ports: Port[] = [
    { dir: 'input', ...w1('aclk') },
    { dir: 'input', ...w1('aresetn') },
    { dir: 'input', name: 'in_data', net: 'wire', width, signed: false, vector: true },
    { dir: 'input', ...w1('in_valid') },
    { dir: 'output', ...w1('in_ready') },
    { dir: 'output', name: 'out_data', net: 'wire', width, signed: false, vector: true },
    { dir: 'output', ...w1('out_valid') },
    { dir: 'input', ...w1('out_ready') },
  ];
  const push = bin('&', ref('in_valid'), ref('in_ready'));
  const pop = bin('&', ref('out_valid'), ref('out_ready'));
  const items: Item[] = [
    { kind: 'decl', decl: { name: 'mem', net: 'reg', width, signed: false, vector: true, depth } },
    { kind: 'decl', decl: { name: 'count', net: 'reg', width: cw, signed: false, vector: true } },
    { kind: 'assign', target: 'in_ready', value: bin('!=', ref('count'), lit(cw, BigInt(depth))) },
    { kind: 'assign', target: 'out_valid', value: bin('!=', ref('count'), lit(cw, 0n)) },
  ];
  const countNext: Stmt = when(
    bin('&', push, unary('~', pop)),
    [nb(ref('count'), bin('+', ref('count'), lit(cw, 1n)))],
    [when(bin('&', pop, unary('~', push)), [nb(ref('count'), bin('-', ref('count'), lit(cw, 1n)))])],
  );
  if (depth === 1) {
    items.push(
      { kind: 'assign', target: 'out_data', value: index('mem', int(0)) },
      { kind: 'always', edge: 'posedge', clock: 'aclk', body: [when(push, [nb(index('mem', int(0)), ref('in_data'))])] },
      { kind: 'always', edge: 'posedge', clock: 'aclk', body: [when(unary('!', ref('aresetn')), [nb(ref('count'), lit(cw, 0n))], [countNext])] },
    );
  } else {
    const wrap = (p: string): Expr => (depth === 1 << pw ? bin('+', ref(p), lit(pw, 1n)) : { kind: 'cond', test: bin('==', ref(p), lit(pw, BigInt(depth - 1))), then: lit(pw, 0n), else: bin('+', ref(p), lit(pw, 1n)) });
    items.push(
      { kind: 'decl', decl: { name: 'wr', net: 'reg', width: pw, signed: false, vector: true } },
      { kind: 'decl', decl: { name: 'rd', net: 'reg', width: pw, signed: false, vector: true } },
      { kind: 'assign', target: 'out_data', value: index('mem', ref('rd')) },
      { kind: 'always', edge: 'posedge', clock: 'aclk', body: [when(push, [nb(index('mem', ref('wr')), ref('in_data'))])] },
      {
        kind: 'always',
        edge: 'posedge',
        clock: 'aclk',
        body: [
          when(
            unary('!', ref('aresetn')),
            [nb(ref('wr'), lit(pw, 0n)), nb(ref('rd'), lit(pw, 0n)), nb(ref('count'), lit(cw, 0n))],
            [when(push, [nb(ref('wr'), wrap('wr'))]), when(pop, [nb(ref('rd'), wrap('rd'))]), countNext],
          ),
        ],
      },
    );
  }
  return { name, header: [`// ${name}: a FIFO of ${depth} word(s) of ${width} bits (first word fall-through). Generated by QNN Studio.`, '`timescale 1ns / 1ps'], ports, items };
}

