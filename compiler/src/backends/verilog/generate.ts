// The Verilog backend for `io parallel` networks: one fully pipelined module per network, AXI-Stream-style ports,
// II = 1 at reuse 1 and II = the largest reuse factor otherwise (dense layers with reuse R share their multipliers
// over R cycles). Every layer computes exactly the bits of docs/semantics.md; layers it cannot build yet are refused by name.
//
// Pipeline: the input vector is registered when accepted (stage 1); every dense, batchnorm and softmax layer adds one
// register stage at its outputs; the other layers (activations, table lookups of sigmoid and tanh, pooling, add,
// concat, reshape) are logic between registers and add none. Constant tables (sigmoid, tanh, softmax) are ROMs: a
// `reg` array initialised in an `initial` block, read combinationally. Branches that meet at add/concat are balanced with delay registers. All
// registers share one clock enable `ce = !m_axis_tvalid || m_axis_tready`: a stalled output stalls the whole
// pipeline, so nothing is ever dropped, and with the output always ready a new vector enters every cycle.
//
// Ports: s_axis_tdata is the concatenation of the raws of every network input (in declaration order, each row-major),
// element 0 of the first input in the least significant bits; m_axis_tdata likewise for the outputs. tlast travels
// with its vector.
import { fixedType, fracBits, quantizeDouble, rawRange, type FixedType, type LayerModel, type NetworkModel } from '@qnn/language';
import { alphaType } from '../../semantics/alpha.js';
import { activationTable } from '../../semantics/tables.js';
import { softmaxTables } from '../../semantics/softmax.js';
import { quantizeValues } from '../../semantics/quantize.js';
import { batchnormCoefficients } from '../../semantics/batchnorm.js';
import { bounds, castConst, castTo, konst, productConst, roundUp, shiftLeft, signedBits, signedWidth, sext, sumExact, type NetSink, type Val } from './arith.js';
import { bin, bit, concat, index, int, isIdentifier, lit, nb, printModule, ref, set, signed, slice, unary, when, type Decl, type Expr, type Item, type Port, type Stmt } from './vast.js';

/** A network the Verilog backend cannot build (yet): the message names the layer or setting and what to do. */
export class VerilogBackendError extends Error {
  override readonly name = 'VerilogBackendError';
}

/** Where a tensor's raws sit in the packed AXI-Stream word. */
export interface PackedTensor {
  readonly name: string;
  readonly type: FixedType;
  readonly shape: readonly number[];
  /** Bit offset of element 0; element i occupies bits offset + i·W … offset + (i + 1)·W − 1. */
  readonly offset: number;
  readonly count: number;
}

export interface VerilogDesign {
  readonly network: string;
  /** The top module's name. */
  readonly top: string;
  /** File name → Verilog text (one module per file, named after it). */
  readonly files: ReadonlyMap<string, string>;
  readonly inputWidth: number;
  readonly outputWidth: number;
  readonly inputs: readonly PackedTensor[];
  readonly outputs: readonly PackedTensor[];
  /** Cycles from an accepted input vector to its output vector (with the output ready). */
  readonly latency: number;
  /** Initiation interval in cycles. */
  readonly ii: number;
}

export interface VerilogOptions {
  /** Name of the top module (default `qnn_<network>`). */
  readonly moduleName?: string;
}

/** Operations this backend implements; every other one is refused with a VerilogBackendError naming the layer. */
export const VERILOG_OPS: ReadonlySet<string> = new Set(['dense', 'relu', 'relu6', 'leaky_relu', 'linear', 'add', 'concat', 'flatten', 'reshape', 'sigmoid', 'tanh', 'softmax', 'batchnorm', 'maxpool1d', 'maxpool2d', 'global_maxpool1d', 'global_maxpool2d', 'avgpool1d', 'avgpool2d', 'global_avgpool1d', 'global_avgpool2d']);

interface Net {
  readonly decl: Decl;
  /** The driver: a continuous assignment for a wire, the next value (under ce) for a register. */
  readonly value: Expr;
  readonly registered: boolean;
  /** For a register: 'stage' registers advance once per initiation interval, 'cycle' registers every enabled cycle. */
  readonly every?: 'stage' | 'cycle';
}

/** Collects the nets of one module, with a clock-enabled register per pipeline value; keeps only what outputs use. */
class ModuleNets implements NetSink {
  readonly nets = new Map<string, Net>();
  private counter = 0;
  private readonly delays = new Map<string, Val>();
  /** Constant tables (ROMs): a memory initialised in an `initial` block, read combinationally by index. */
  readonly roms = new Map<string, { readonly width: number; readonly signed: boolean; readonly entries: readonly bigint[] }>();

  rom(prefix: string, width: number, isSigned: boolean, entries: readonly bigint[]): string {
    const name = this.fresh(prefix);
    this.roms.set(name, { width, signed: isSigned, entries });
    return name;
  }

  private fresh(prefix: string): string {
    return `${prefix}_${this.counter++}`;
  }

  wire(prefix: string, width: number, isSigned: boolean, value: Expr, lo: bigint, hi: bigint, waive?: Decl['waive']): Val & { kind: 'net' } {
    const name = this.fresh(prefix);
    this.nets.set(name, { decl: { name, net: 'wire', width, signed: isSigned, vector: true, ...(waive ? { waive } : {}) }, value, registered: false });
    return { kind: 'net', name, width, signed: isSigned, lo, hi };
  }

  reg(prefix: string, width: number, isSigned: boolean, next: Expr, lo: bigint, hi: bigint, every: 'stage' | 'cycle' = 'stage'): Val & { kind: 'net' } {
    const name = this.fresh(prefix);
    this.nets.set(name, { decl: { name, net: 'reg', width, signed: isSigned, vector: true }, value: next, registered: true, every });
    return { kind: 'net', name, width, signed: isSigned, lo, hi };
  }

  /** Sets the next value of a register created before the logic that computes it (an accumulator). */
  setNext(name: string, next: Expr): void {
    const n = this.nets.get(name)!;
    this.nets.set(name, { ...n, value: next });
  }

  /** A register holding `v` (constants need none). */
  register(prefix: string, v: Val): Val {
    if (v.kind === 'const') return v;
    return this.reg(prefix, v.width, v.signed, ref(v.name), v.lo, v.hi);
  }

  /** `v` delayed by k stages (a chain of registers, shared by every reader). */
  delayed(v: Val, k: number): Val {
    if (k === 0 || v.kind === 'const') return v;
    const key = `${v.name}@${k}`;
    let d = this.delays.get(key);
    if (!d) {
      d = this.register(`${v.name}_d`, this.delayed(v, k - 1));
      this.delays.set(key, d);
    }
    return d;
  }

  /** Names reachable from `roots` through drivers (the nets to print). */
  live(roots: readonly Expr[]): Set<string> {
    const seen = new Set<string>();
    const stack: Expr[] = [...roots];
    while (stack.length) {
      const e = stack.pop()!;
      switch (e.kind) {
        case 'ref':
        case 'slice':
        case 'index': {
          if (!seen.has(e.name)) {
            seen.add(e.name);
            const n = this.nets.get(e.name);
            if (n) stack.push(n.value);
          }
          if (e.kind === 'index') stack.push(e.index);
          break;
        }
        case 'unary':
          stack.push(e.arg);
          break;
        case 'binary':
          stack.push(e.left, e.right);
          break;
        case 'cond':
          stack.push(e.test, e.then, e.else);
          break;
        case 'concat':
          stack.push(...e.parts);
          break;
        case 'repeat':
          stack.push(e.part);
          break;
        case 'call':
          stack.push(...e.args);
          break;
        default:
          break;
      }
    }
    return seen;
  }
}

interface NodeVals {
  readonly vals: readonly Val[];
  readonly stage: number;
  readonly type: FixedType;
  readonly shape: readonly number[];
}

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** A module name or net prefix made from a user's name (kept readable when it is a plain identifier). */
function safeName(prefix: string, name: string, fallback: string): string {
  const s = `${prefix}${name}`;
  return /^[A-Za-z0-9_]+$/.test(name) && isIdentifier(s) && s.length < 64 ? s : `${prefix}${fallback}`;
}

/** Refuses what this backend does not build, naming the layer or setting. */
export function checkVerilogSupport(net: NetworkModel): void {
  if (!net.complete) throw new VerilogBackendError(`network '${net.name}' has errors; fix them before generating Verilog`);
  if (net.io !== 'parallel') throw new VerilogBackendError(`network '${net.name}' uses io stream; the Verilog backend implements io parallel only so far (write 'io parallel')`);
  for (const l of net.layers) {
    if ('network' in l.op) throw new VerilogBackendError(`layer '${l.name}' uses network '${l.opName}' as a layer; the Verilog backend does not implement network calls yet`);
    if (!VERILOG_OPS.has(l.opName)) {
      throw new VerilogBackendError(`layer '${l.name}' (${l.opName}): the Verilog backend does not implement ${l.opName} yet (it implements ${[...VERILOG_OPS].join(', ')})`);
    }
  }
}

/** Generates the Verilog of an io parallel network (throws VerilogBackendError for what it does not implement). */
export function generateVerilog(net: NetworkModel, opts: VerilogOptions = {}): VerilogDesign {
  checkVerilogSupport(net);
  const top = opts.moduleName ?? safeName('qnn_', net.name, 'network');
  // The initiation interval: the largest reuse factor of a dense layer (every stage then lasts ii cycles).
  const ii = Math.max(1, ...net.layers.filter((l) => l.opName === 'dense').map((l) => l.reuse));
  const pw = Math.max(1, (ii - 1).toString(2).length);
  const phaseIs = (r: number): Expr => bin('==', ref('phase'), lit(pw, BigInt(r)));
  const nets = new ModuleNets();
  const nodes = new Map<string, NodeVals>();
  const header = [
    `// ${top}: network '${net.name}' (${net.path}), generated by QNN Studio. Do not edit.`,
    `// io parallel, fully pipelined, initiation interval ${ii}. Arithmetic: docs/semantics.md, bit for bit.`,
    '`timescale 1ns / 1ps',
  ];

  // Inputs: registered when accepted.
  const inputs: PackedTensor[] = [];
  let offset = 0;
  for (const inp of net.inputs) {
    const t = inp.tensor.type;
    const n = size(inp.tensor.shape);
    const p = safeName('in_', inp.name, String(inputs.length));
    const r = rawRange(t);
    const vals: Val[] = [];
    for (let i = 0; i < n; i++) {
      const lo = offset + i * t.width;
      vals.push(nets.reg(`${p}_${i}`, t.width, t.signed, slice('s_axis_tdata', lo + t.width - 1, lo), r.min, r.max));
    }
    inputs.push({ name: inp.name, type: t, shape: inp.tensor.shape, offset, count: n });
    offset += n * t.width;
    nodes.set(inp.name, { vals, stage: 1, type: t, shape: inp.tensor.shape });
  }
  const inputWidth = offset;

  net.layers.forEach((layer, li) => {
    const ins = layer.inputs.map((n) => nodes.get(n)!);
    const stage = Math.max(...ins.map((x) => x.stage));
    const aligned = ins.map((x) => ({ ...x, vals: x.vals.map((v) => nets.delayed(v, stage - x.stage)) }));
    const prefix = safeName('l_', layer.name, String(li));
    const results = layer.opName === 'dense' && layer.reuse > 1 ? denseReuse(nets, prefix, layer, aligned[0], phaseIs) : layerVals(nets, prefix, layer, aligned);
    const inNames = new Set(aligned.flatMap((x) => x.vals.flatMap((v) => (v.kind === 'net' ? [v.name] : []))));
    // Dense layers end a stage (their results are registered); the other layers are a little logic after a register
    // (as hls4ml's relu, 0 cycles) and end none.
    const computes = (layer.opName === 'dense' || layer.opName === 'softmax' || layer.opName === 'batchnorm') && results.some((v) => v.kind === 'net' && !inNames.has(v.name));
    const vals = computes ? results.map((v, i) => nets.register(`${prefix}_o${i}`, v)) : results;
    nodes.set(layer.name, { vals, stage: stage + (computes ? 1 : 0), type: layer.tensor.type, shape: layer.tensor.shape });
  });

  // Outputs, delayed to the same stage.
  const outNodes = net.outputs.map((o) => nodes.get(o)!);
  const stages = Math.max(...outNodes.map((o) => o.stage));
  // Cycles from acceptance (the end of a stage) to the output: stages − 1 further stages of ii cycles, then one edge.
  const latency = (stages - 1) * ii + 1;
  const outputs: PackedTensor[] = [];
  const outParts: Expr[] = [];
  offset = 0;
  net.outputs.forEach((name, k) => {
    const o = outNodes[k];
    const t = o.type;
    o.vals.forEach((v0) => {
      const v = nets.delayed(v0, stages - o.stage);
      outParts.push(v.kind === 'const' ? lit(t.width, v.value) : ref(v.name));
    });
    outputs.push({ name, type: t, shape: o.shape, offset, count: o.vals.length });
    offset += o.vals.length * t.width;
  });
  const outputWidth = offset;

  const tdata: Expr = concat([...outParts].reverse());
  const live = nets.live([tdata]);
  const items: Item[] = [];
  const stageRegs: Stmt[] = [];
  const cycleRegs: Stmt[] = [];
  for (const [name, n] of nets.nets) {
    if (!live.has(name)) continue;
    items.push({ kind: 'decl', decl: n.decl });
    if (n.registered) (n.every === 'cycle' ? cycleRegs : stageRegs).push(nb(ref(name), n.value));
  }
  for (const [name, n] of nets.nets) if (live.has(name) && !n.registered) items.push({ kind: 'assign', target: name, value: n.value });
  for (const [name, r] of nets.roms) {
    if (!live.has(name)) continue;
    items.push(
      { kind: 'comment', text: `Constant table ${name}: ${r.entries.length} entries (ROM).` },
      { kind: 'decl', decl: { name, net: 'reg', width: r.width, signed: r.signed, vector: true, depth: r.entries.length } },
      { kind: 'initial', body: r.entries.map((e, i) => set(index(name, int(i)), lit(r.width, e, r.signed))) },
    );
  }

  // Control: valid and last shift registers, the clock enable, and with ii > 1 the phase counter.
  const v = (s: number) => `valid_${s}`;
  const l = (s: number) => `last_${s}`;
  const adv = ii > 1 ? 'adv' : 'ce';
  items.push(
    { kind: 'blank' },
    {
      kind: 'comment',
      text:
        ii > 1
          ? `Control: ${stages} stage(s) of ${ii} cycles (II = ${ii}, the largest reuse factor). 'phase' counts the cycles of a stage;\n` +
            `the pipeline registers advance at its last cycle ('adv'), when a new vector may enter. 'ce' stalls everything while\n` +
            `the output waits for m_axis_tready; 'sent' keeps an output from being presented twice during its stage.`
          : `Control: ${stages} stage(s); every register advances when the output is free or taken.`,
    },
  );
  items.push({ kind: 'decl', decl: { name: 'ce', net: 'wire', width: 1, signed: false } });
  if (ii > 1) {
    items.push({ kind: 'decl', decl: { name: 'adv', net: 'wire', width: 1, signed: false } });
    items.push({ kind: 'decl', decl: { name: 'phase', net: 'reg', width: pw, signed: false, vector: true } });
    items.push({ kind: 'decl', decl: { name: 'sent', net: 'reg', width: 1, signed: false } });
  }
  for (let s = 1; s <= stages; s++) {
    items.push({ kind: 'decl', decl: { name: v(s), net: 'reg', width: 1, signed: false } });
    items.push({ kind: 'decl', decl: { name: l(s), net: 'reg', width: 1, signed: false } });
  }
  const outValid: Expr = ii > 1 ? bin('&', ref(v(stages)), unary('~', ref('sent'))) : ref(v(stages));
  items.push(
    { kind: 'assign', target: 'ce', value: bin('|', unary('~', outValid), ref('m_axis_tready')) },
    ...(ii > 1 ? [{ kind: 'assign', target: 'adv', value: bin('&', ref('ce'), phaseIs(ii - 1)) } as Item] : []),
    { kind: 'assign', target: 's_axis_tready', value: bin('&', ref(adv), ref('aresetn')) },
    { kind: 'assign', target: 'm_axis_tvalid', value: outValid },
    { kind: 'assign', target: 'm_axis_tlast', value: ref(l(stages)) },
    { kind: 'assign', target: 'm_axis_tdata', value: tdata },
  );
  const ctl: Stmt[] = [nb(ref(v(1)), ref('s_axis_tvalid')), nb(ref(l(1)), ref('s_axis_tlast'))];
  for (let s = 2; s <= stages; s++) ctl.push(nb(ref(v(s)), ref(v(s - 1))), nb(ref(l(s)), ref(l(s - 1))));
  const reset: Stmt[] = [];
  for (let s = 1; s <= stages; s++) reset.push(nb(ref(v(s)), lit(1, 0n)), nb(ref(l(s)), lit(1, 0n)));
  if (ii > 1) {
    reset.push(nb(ref('phase'), lit(pw, 0n)), nb(ref('sent'), lit(1, 0n)));
    const phaseNext = { kind: 'cond', test: phaseIs(ii - 1), then: lit(pw, 0n), else: bin('+', ref('phase'), lit(pw, 1n)) } as Expr;
    items.push({
      kind: 'always',
      edge: 'posedge',
      clock: 'aclk',
      body: [
        when(unary('!', ref('aresetn')), reset, [
          when(ref('ce'), [nb(ref('phase'), phaseNext)]),
          when(ref('adv'), [...ctl, nb(ref('sent'), lit(1, 0n))], [when(bin('&', outValid, ref('m_axis_tready')), [nb(ref('sent'), lit(1, 1n))])]),
        ]),
      ],
    });
  } else {
    items.push({ kind: 'always', edge: 'posedge', clock: 'aclk', body: [when(unary('!', ref('aresetn')), reset, [when(ref('ce'), ctl)])] });
  }
  if (stageRegs.length) {
    items.push({ kind: 'comment', text: 'Pipeline registers (no reset: only the valid bits need one).' });
    items.push({ kind: 'always', edge: 'posedge', clock: 'aclk', body: [when(ref(adv), stageRegs)] });
  }
  if (cycleRegs.length) {
    items.push({ kind: 'comment', text: 'Accumulators of time-multiplexed layers: one step per cycle of a stage.' });
    items.push({ kind: 'always', edge: 'posedge', clock: 'aclk', body: [when(ref('ce'), cycleRegs)] });
  }

  const usedInputBits = [...live].some((n) => n === 's_axis_tdata');
  const allInputsRead = inputs.every((_inp, k) => nodes.get(net.inputs[k].name)!.vals.every((x) => x.kind === 'const' || live.has(x.name)));
  const ports: Port[] = [
    { dir: 'input', name: 'aclk', net: 'wire', width: 1, signed: false },
    { dir: 'input', name: 'aresetn', net: 'wire', width: 1, signed: false, comment: 'synchronous, active low' },
    {
      dir: 'input',
      name: 's_axis_tdata',
      net: 'wire',
      width: Math.max(1, inputWidth),
      signed: false,
      comment: inputs.map((i) => `${i.name}: ${i.count} x ${i.type.width} bits at ${i.offset}`).join('; '),
      ...(allInputsRead && usedInputBits
        ? {}
        : { waive: { warning: 'UNUSEDSIGNAL', reason: 'input values that no output depends on (their weights are all zero) are not read' } }),
    },
    { dir: 'input', name: 's_axis_tvalid', net: 'wire', width: 1, signed: false },
    { dir: 'output', name: 's_axis_tready', net: 'wire', width: 1, signed: false },
    { dir: 'input', name: 's_axis_tlast', net: 'wire', width: 1, signed: false },
    {
      dir: 'output',
      name: 'm_axis_tdata',
      net: 'wire',
      width: Math.max(1, outputWidth),
      signed: false,
      comment: outputs.map((o) => `${o.name}: ${o.count} x ${o.type.width} bits at ${o.offset}`).join('; '),
    },
    { dir: 'output', name: 'm_axis_tvalid', net: 'wire', width: 1, signed: false },
    { dir: 'input', name: 'm_axis_tready', net: 'wire', width: 1, signed: false },
    { dir: 'output', name: 'm_axis_tlast', net: 'wire', width: 1, signed: false },
  ];
  const text = printModule({ name: top, header, ports, items });
  return { network: net.name, top, files: new Map([[`${top}.v`, text]]), inputWidth, outputWidth, inputs, outputs, latency, ii };
}

/** The combinational values of one layer's outputs from its (stage-aligned) inputs. */
function layerVals(nets: ModuleNets, prefix: string, layer: LayerModel, ins: readonly NodeVals[]): Val[] {
  const Y = layer.tensor.type;
  const x = ins[0];
  const fx = fracBits(x.type);
  switch (layer.opName) {
    case 'dense':
      return dense(nets, prefix, layer, x);
    case 'relu':
      return x.vals.map((v, i) => relu(nets, `${prefix}_${i}`, v, fx, Y, undefined));
    case 'relu6': {
      // x ≥ 6 exactly ⟺ raw ≥ ceil(6 · 2^F) (as the simulator); above it the constant 6 quantized to Y.
      const threshold = fx >= 0 ? 6n << BigInt(fx) : (6n + (1n << BigInt(-fx)) - 1n) >> BigInt(-fx);
      const six = quantizeDouble(Y, 6).raw;
      return x.vals.map((v, i) => relu(nets, `${prefix}_${i}`, v, fx, Y, { threshold, six }));
    }
    case 'leaky_relu': {
      const alpha = Number(layer.params.alpha ?? 0.3);
      const aType = alphaType(alpha);
      const a = quantizeDouble(aType, alpha).raw;
      return x.vals.map((v, i) => {
        const p = `${prefix}_${i}`;
        const pos = castTo(nets, `${p}_pos`, v, fx, Y);
        if (bounds(v).lo >= 0n) return pos;
        const prod = a === 0n ? konst(0n) : productConst(nets, p, v, a);
        const negv = castTo(nets, `${p}_neg`, prod, fx + fracBits(aType), Y);
        return mux(nets, p, isNegative(v), negv, pos, Y);
      });
    }
    case 'linear':
    case 'flatten':
    case 'reshape':
      return x.vals.map((v, i) => castTo(nets, `${prefix}_${i}`, v, fx, Y));
    case 'add': {
      const f = Math.max(...ins.map((n) => fracBits(n.type)));
      return x.vals.map((_, i) => {
        const p = `${prefix}_${i}`;
        const terms = ins.map((n, k) => shiftLeft(nets, `${p}_${k}`, n.vals[i], f - fracBits(n.type)));
        return castTo(nets, p, sumExact(nets, p, terms), f, Y);
      });
    }
    case 'concat': {
      const shape = layer.tensor.shape;
      const axisRaw = Number(layer.params.axis ?? -1);
      const axis = axisRaw < 0 ? shape.length + axisRaw : axisRaw;
      const outer = size(shape.slice(0, axis));
      const inner = size(shape.slice(axis + 1));
      const out: Val[] = [];
      for (let q = 0; q < outer; q++) {
        ins.forEach((n, k) => {
          const b = n.shape[axis] * inner;
          for (let j = 0; j < b; j++) out.push(castTo(nets, `${prefix}_${k}_${q * b + j}`, n.vals[q * b + j], fracBits(n.type), Y));
        });
      }
      return out;
    }
    case 'sigmoid':
    case 'tanh':
      return activation(nets, prefix, layer, x);
    case 'softmax':
      return softmax(nets, prefix, layer, x);
    case 'batchnorm':
      return batchnorm(nets, prefix, layer, x);
    case 'maxpool1d':
    case 'maxpool2d':
    case 'global_maxpool1d':
    case 'global_maxpool2d':
      return maxPool(nets, prefix, layer, x);
    case 'avgpool1d':
    case 'avgpool2d':
    case 'global_avgpool1d':
    case 'global_avgpool2d':
      return avgPool(nets, prefix, layer, x);
    default:
      throw new VerilogBackendError(`layer '${layer.name}' (${layer.opName}): the Verilog backend does not implement ${layer.opName} yet`);
  }
}

/** Reads entry[idx] of a ROM whose entries have type T (idx an unsigned b-bit net or a constant). */
function romRead(nets: ModuleNets, prefix: string, rom: string, entries: readonly bigint[], idx: Val, T: FixedType): Val {
  if (idx.kind === 'const') return konst(entries[Number(idx.value)]);
  let lo = entries[Number(idx.lo)];
  let hi = lo;
  for (let i = Number(idx.lo); i <= Number(idx.hi); i++) {
    if (entries[i] < lo) lo = entries[i];
    if (entries[i] > hi) hi = entries[i];
  }
  return nets.wire(`${prefix}_e`, T.width, T.signed, index(rom, ref(idx.name)), lo, hi);
}

/**
 * A table index: clamp(round(raw · 2^k) + offset, 0, N − 1) with round = `quant` (TRN_ZERO: toward zero, TRN: floor),
 * as a b-bit unsigned value (N = 2^b ≥ 2). The shift is a cast to an integer type of b + 1 bits that saturates (its
 * range [−N, N − 1] holds every value the clamp distinguishes), the clamp a saturating cast to ufixed<b, b>.
 */
function tableIndex(nets: ModuleNets, prefix: string, v: Val, k: number, offset: number, b: number, quant: 'TRN' | 'TRN_ZERO'): Val {
  const t = castTo(nets, `${prefix}_t`, v, -k, fixedType(true, b + 1, b + 1, quant, 'SAT'));
  const s = offset ? sumExact(nets, `${prefix}_o`, [t, konst(BigInt(offset))]) : t;
  return castTo(nets, `${prefix}_i`, s, 0, fixedType(false, b, b, 'TRN', 'SAT'));
}

/** sigmoid, tanh (docs/semantics.md section 10): y = cast_Y(entry[clamp(trunc(x · N / R) + N/2, 0, N − 1)]). */
function activation(nets: ModuleNets, prefix: string, layer: LayerModel, x: NodeVals): Val[] {
  const fn = layer.opName === 'sigmoid' ? 'sigmoid' : 'tanh';
  const n = Number(layer.settings.table ?? 1024);
  const Y = layer.tensor.type;
  const table = activationTable(fn, n, layer.types.table_type);
  const entries = table.raws.map((r) => castConst(r, fracBits(table.type), Y));
  if (n === 1) return x.vals.map(() => konst(entries[0]));
  const b = Math.log2(n);
  const k = b - Math.log2(table.range) - fracBits(x.type);
  const rom = nets.rom(`${prefix}_rom`, Y.width, Y.signed, entries);
  return x.vals.map((v, i) => romRead(nets, `${prefix}_${i}`, rom, entries, tableIndex(nets, `${prefix}_${i}`, v, k, n / 2, b, 'TRN_ZERO'), Y));
}

/** The larger of two values of type X (exact comparison). */
function maxOf(nets: ModuleNets, prefix: string, a: Val, b: Val, X: FixedType): Val {
  const ba = bounds(a);
  const bb = bounds(b);
  if (ba.lo >= bb.hi) return a;
  if (bb.lo >= ba.hi) return b;
  const w = Math.max(signedBits(a), signedBits(b));
  const operand = (v: Val) => (v.kind === 'const' ? lit(X.width, v.value, X.signed) : ref(v.name));
  const test = bin('>', sext(a, w), sext(b, w));
  return nets.wire(`${prefix}_mx`, X.width, X.signed, { kind: 'cond', test, then: operand(a), else: operand(b) }, ba.lo > bb.lo ? ba.lo : bb.lo, ba.hi > bb.hi ? ba.hi : bb.hi);
}

/** The exact product of two values. */
function productExact(nets: ModuleNets, prefix: string, a: Val, b: Val): Val {
  if (a.kind === 'const' && b.kind === 'const') return konst(a.value * b.value);
  if (a.kind === 'const') return a.value === 0n ? konst(0n) : productConst(nets, prefix, b, a.value);
  if (b.kind === 'const') return b.value === 0n ? konst(0n) : productConst(nets, prefix, a, b.value);
  const ps = [a.lo * b.lo, a.lo * b.hi, a.hi * b.lo, a.hi * b.hi];
  const lo = ps.reduce((p, q) => (p < q ? p : q));
  const hi = ps.reduce((p, q) => (p > q ? p : q));
  const width = signedBits(a) + signedBits(b);
  return nets.wire(`${prefix}_p`, width, true, bin('*', sext(a, width), sext(b, width)), lo, hi);
}

/**
 * softmax (docs/semantics.md section 11) over the last axis: exponential index (stable: from the maximum; latency:
 * from x), e = Ex table, S = Σ e exact, j = min(⌊S · N / R⌋, N − 1), inv = V table, y = cast_Y(e · inv).
 */
function softmax(nets: ModuleNets, prefix: string, layer: LayerModel, x: NodeVals): Val[] {
  const L = x.shape[x.shape.length - 1];
  const axis = Number(layer.params.axis ?? -1);
  if (axis !== -1 && axis !== x.shape.length - 1) throw new VerilogBackendError(`layer '${layer.name}' (softmax): the Verilog backend implements softmax over the last axis only`);
  const n = Number(layer.settings.table ?? 1024);
  const stable = (layer.settings.implementation ?? 'stable') !== 'latency';
  const Y = layer.tensor.type;
  const X = x.type;
  const tables = softmaxTables(n, L, stable, layer.types.exp_table, layer.types.inv_table);
  const Ex = tables.expType;
  const V = tables.invType;
  const b = Math.log2(n);
  const fx = fracBits(X);
  const expRom = n > 1 ? nets.rom(`${prefix}_exp`, Ex.width, Ex.signed, tables.exp) : '';
  const invRom = n > 1 ? nets.rom(`${prefix}_inv`, V.width, V.signed, tables.inv) : '';
  const out: Val[] = [];
  for (let row = 0; row < x.vals.length / L; row++) {
    const p = `${prefix}_${row}`;
    const xs = x.vals.slice(row * L, (row + 1) * L);
    let idx: Val[];
    if (n === 1) idx = xs.map(() => konst(0n));
    else if (stable) {
      let level = xs;
      let k = 0;
      while (level.length > 1) {
        const next: Val[] = [];
        for (let i = 0; i + 1 < level.length; i += 2) next.push(maxOf(nets, `${p}_m${k++}`, level[i], level[i + 1], X));
        if (level.length % 2) next.push(level[level.length - 1]);
        level = next;
      }
      const m = level[0];
      idx = xs.map((v, i) => {
        const d = sumExact(nets, `${p}_d${i}`, [m, negate(nets, `${p}_n${i}`, v)]);
        // d ≥ 0: the floor of d · 2^kx, clamped to N − 1 (a saturating cast; d is never negative).
        return castTo(nets, `${p}_x${i}`, d, -(b - 3 - fx), fixedType(false, b, b, 'TRN', 'SAT'));
      });
    } else idx = xs.map((v, i) => tableIndex(nets, `${p}_x${i}`, v, b - 4 - fx, n / 2, b, 'TRN'));
    const es = idx.map((j, i) => (n === 1 ? konst(tables.exp[0]) : romRead(nets, `${p}_x${i}`, expRom, tables.exp, j, Ex)));
    const S = sumExact(nets, `${p}_sum`, es);
    const jv = n === 1 ? konst(0n) : castTo(nets, `${p}_j`, S, -(b - tables.r - fracBits(Ex)), fixedType(false, b, b, 'TRN', 'SAT'));
    const inv = n === 1 ? konst(tables.inv[0]) : romRead(nets, `${p}_v`, invRom, tables.inv, jv, V);
    es.forEach((e, i) => out.push(castTo(nets, `${p}_y${i}`, productExact(nets, `${p}_y${i}`, e, inv), fracBits(Ex) + fracBits(V), Y)));
  }
  return out;
}

/** −v, exact. */
function negate(nets: ModuleNets, prefix: string, v: Val): Val {
  if (v.kind === 'const') return konst(-v.value);
  const w = signedBits(v) + 1;
  return nets.wire(`${prefix}_neg`, w, true, unary('-', sext(v, w)), -v.hi, -v.lo);
}

/** 1 when the raw is negative. */
function isNegative(v: Val): Expr {
  if (v.kind === 'const') return lit(1, v.value < 0n ? 1n : 0n);
  return v.signed ? bit(v.name, v.width - 1) : lit(1, 0n);
}

/** sel ? a : b, both of type Y. */
function mux(nets: ModuleNets, prefix: string, sel: Expr, a: Val, b: Val, Y: FixedType): Val {
  if (sel.kind === 'const') return sel.value !== 0n ? a : b;
  const ba = bounds(a);
  const bb = bounds(b);
  const operand = (v: Val) => (v.kind === 'const' ? lit(Y.width, v.value, Y.signed) : ref(v.name));
  return nets.wire(`${prefix}_m`, Y.width, Y.signed, { kind: 'cond', test: sel, then: operand(a), else: operand(b) }, ba.lo < bb.lo ? ba.lo : bb.lo, ba.hi > bb.hi ? ba.hi : bb.hi);
}

/** relu: cast(x) for x > 0, else 0; relu6 also gives the constant 6 (quantized to Y) for x ≥ 6. */
function relu(nets: ModuleNets, p: string, v: Val, fx: number, Y: FixedType, six: { threshold: bigint; six: bigint } | undefined): Val {
  const b = bounds(v);
  if (v.kind === 'const') {
    if (v.value <= 0n) return konst(0n);
    if (six && v.value >= six.threshold) return konst(six.six);
    return konst(castConst(v.value, fx, Y));
  }
  let y = b.hi <= 0n ? konst(0n) : castTo(nets, p, v, fx, Y);
  if (six && b.hi >= six.threshold) {
    const w = Math.max(signedBits(v), signedWidth(six.threshold, six.threshold));
    const ge = bin('>=', sext(v, w), lit(w, six.threshold, true));
    y = mux(nets, `${p}_6`, ge, konst(six.six), y, Y);
  }
  if (b.lo <= 0n) {
    // x ≤ 0 ⟺ the sign bit is set or every bit is zero.
    const w = signedBits(v);
    const le0 = bin('<=', sext(v, w), lit(w, 0n, true));
    y = mux(nets, `${p}_0`, le0, konst(0n), y, Y);
  }
  return y;
}

/**
 * dense (docs/semantics.md section 5): per output, acc = cast_A(bias); for each non-zero weight in input-channel
 * order, acc = cast_A(acc + cast_A(x · w)); y = cast_Y(acc). Zero weights build nothing; powers of two are shifts.
 */
function dense(nets: ModuleNets, prefix: string, layer: LayerModel, x: NodeVals): Val[] {
  const C = x.shape[x.shape.length - 1];
  const units = layer.params.units as number;
  const positions = x.vals.length / C;
  const wT = layer.consts.weight;
  const bT = layer.consts.bias;
  const Y = layer.tensor.type;
  const A = layer.types.accum ?? Y;
  const B = bT ? bT.type : Y;
  const w = quantizeValues(wT.type, wT.values()).raws;
  const bias = bT ? quantizeValues(bT.type, bT.values()).raws : new Array<bigint>(units).fill(0n);
  const fp = fracBits(x.type) + fracBits(wT.type);
  const fa = fracBits(A);
  const out: Val[] = [];
  for (let pos = 0; pos < positions; pos++) {
    for (let o = 0; o < units; o++) {
      const p = `${prefix}_${pos * units + o}`;
      const acc0 = konst(castConst(bias[o], fracBits(B), A));
      const terms: Val[] = [];
      for (let c = 0; c < C; c++) {
        const wr = w[c * units + o];
        if (wr === 0n) continue;
        const prod = productConst(nets, `${p}_c${c}`, x.vals[pos * C + c], wr);
        terms.push(castTo(nets, `${p}_c${c}`, prod, fp, A));
      }
      let acc: Val;
      if (A.overflow === 'WRAP' && terms.length >= 2) acc = wrapTree(nets, p, [acc0, ...terms], A);
      else {
        acc = acc0;
        terms.forEach((t, j) => {
          acc = castTo(nets, `${p}_a${j}`, sumExact(nets, `${p}_a${j}`, [acc, t]), fa, A);
        });
      }
      out.push(castTo(nets, p, acc, fa, Y));
    }
  }
  return out;
}

/**
 * The accumulation of a WRAP accumulator as a balanced adder tree. Proof that it gives hls4ml's bits: with a WRAP
 * accumulator and operands already in the accumulator type (same scale, so no rounding), every step
 * acc = cast_A(acc + t) is acc + t reduced modulo 2^W (read back in A's range). Modular addition is associative and
 * commutative, so the chain bias, t_0, t_1, … and any tree over the same terms are congruent modulo 2^W, and both
 * results are the unique representative in A's range: the same raw. W-bit Verilog additions compute exactly this.
 */
function wrapTree(nets: ModuleNets, p: string, terms: readonly Val[], A: FixedType): Val {
  const r = rawRange(A);
  const operand = (v: Val) => (v.kind === 'const' ? lit(A.width, v.value, A.signed) : ref(v.name));
  let level = terms.filter((t) => !(t.kind === 'const' && t.value === 0n));
  if (level.length === 0) return konst(0n);
  if (level.length === 1) return level[0];
  let k = 0;
  while (level.length > 1) {
    const next: Val[] = [];
    for (let i = 0; i + 1 < level.length; i += 2) {
      next.push(nets.wire(`${p}_t${k++}`, A.width, A.signed, bin('+', operand(level[i]), operand(level[i + 1])), r.min, r.max));
    }
    if (level.length % 2) next.push(level[level.length - 1]);
    level = next;
  }
  return level[0];
}

/**
 * dense with reuse R > 1, time-multiplexed over the ii cycles of a stage (R ≤ ii). The non-zero terms of each output,
 * in the specification's order (section 5), are spread over the R phases in non-decreasing order; in phase r every
 * output continues its chain with its terms of phase r, starting from the bias in phase 0 and from its accumulator
 * register after that, so the casts happen in exactly the specified order. The products of a phase share the layer's
 * ceil(non-zero weights / R) multipliers, each fed by a multiplexer of inputs and one of constant weights selected by
 * the phase. Phases without terms, and those from R on, hold the accumulator.
 */
function denseReuse(nets: ModuleNets, prefix: string, layer: LayerModel, x: NodeVals, phaseIs: (r: number) => Expr): Val[] {
  const R = layer.reuse;
  const C = x.shape[x.shape.length - 1];
  const units = layer.params.units as number;
  const positions = x.vals.length / C;
  const wT = layer.consts.weight;
  const bT = layer.consts.bias;
  const Y = layer.tensor.type;
  const A = layer.types.accum ?? Y;
  const B = bT ? bT.type : Y;
  const w = quantizeValues(wT.type, wT.values()).raws;
  const bias = bT ? quantizeValues(bT.type, bT.values()).raws : new Array<bigint>(units).fill(0n);
  const fp = fracBits(x.type) + fracBits(wT.type);
  const fa = fracBits(A);
  const ar = rawRange(A);
  // The schedule: per output its chunks; per phase the multiplier of each term.
  interface Term {
    readonly x: number;
    readonly w: bigint;
    mult: number;
  }
  const outs: { readonly bias: bigint; readonly chunks: Term[][] }[] = [];
  const all: { out: number; t: Term }[] = [];
  for (let pos = 0; pos < positions; pos++) {
    for (let o = 0; o < units; o++) {
      const j = outs.length;
      outs.push({ bias: castConst(bias[o], fracBits(B), A), chunks: Array.from({ length: R }, () => []) });
      for (let c = 0; c < C; c++) {
        const wr = w[c * units + o];
        if (wr !== 0n) all.push({ out: j, t: { x: pos * C + c, w: wr, mult: -1 } });
      }
    }
  }
  // Pour the terms (outputs one after the other, each in its order) into the R phases, ceil(T / R) per phase: each
  // output's terms land in non-decreasing phases, and the busiest phase needs ceil(T / R) multipliers.
  const cap = Math.max(1, Math.ceil(all.length / R));
  const perPhase: Term[][] = Array.from({ length: R }, () => []);
  all.forEach(({ out, t }, i) => {
    const r = Math.floor(i / cap);
    t.mult = perPhase[r].push(t) - 1;
    outs[out].chunks[r].push(t);
  });
  const M = Math.max(0, ...perPhase.map((p) => p.length));
  const xOperand = (v: Val) => (v.kind === 'const' ? lit(x.type.width, v.value, x.type.signed) : ref(v.name));
  // The shared multipliers, each followed by its cast to the accumulator.
  const casts: Val[] = [];
  for (let m = 0; m < M; m++) {
    const used = perPhase.map((p, r) => ({ r, t: p[m] })).filter((u) => u.t !== undefined) as { r: number; t: Term }[];
    const xs = used.map((u) => x.vals[u.t.x]);
    const xlo = xs.map((v) => bounds(v).lo).reduce((a, b) => (a < b ? a : b));
    const xhi = xs.map((v) => bounds(v).hi).reduce((a, b) => (a > b ? a : b));
    let xe: Expr = xOperand(xs[xs.length - 1]);
    let we: Expr | undefined;
    const sw = Math.max(...used.map((u) => signedWidth(u.t.w, u.t.w)));
    we = lit(sw, used[used.length - 1].t.w, true);
    for (let i = used.length - 2; i >= 0; i--) {
      xe = { kind: 'cond', test: phaseIs(used[i].r), then: xOperand(xs[i]), else: xe };
      we = { kind: 'cond', test: phaseIs(used[i].r), then: lit(sw, used[i].t.w, true), else: we };
    }
    const xsel = nets.wire(`${prefix}_m${m}_x`, x.type.width, x.type.signed, xe, xlo, xhi);
    const wsel = nets.wire(`${prefix}_m${m}_w`, sw, true, we, -(1n << BigInt(sw - 1)), (1n << BigInt(sw - 1)) - 1n);
    let lo = 0n;
    let hi = 0n;
    for (const u of used) {
      for (const xv of [xlo, xhi]) {
        const p = xv * u.t.w;
        if (p < lo) lo = p;
        if (p > hi) hi = p;
      }
    }
    const width = signedBits(xsel) + sw;
    const prod = nets.wire(`${prefix}_m${m}_p`, width, true, bin('*', sext(xsel, width), sext(wsel, width)), lo, hi);
    casts.push(castTo(nets, `${prefix}_m${m}`, prod, fp, A));
  }
  const accOperand = (v: Val) => (v.kind === 'const' ? lit(A.width, v.value, A.signed) : ref(v.name));
  return outs.map((out, j) => {
    const p = `${prefix}_${j}`;
    if (out.chunks.every((c) => c.length === 0)) return castTo(nets, p, konst(out.bias), fa, Y);
    const acc = nets.reg(`${p}_acc`, A.width, A.signed, lit(A.width, 0n), ar.min, ar.max, 'cycle');
    const results = out.chunks.map((chunk, r) => {
      let a: Val = r === 0 ? konst(out.bias) : acc;
      chunk.forEach((t, i) => {
        a = castTo(nets, `${p}_r${r}_${i}`, sumExact(nets, `${p}_r${r}_${i}`, [a, casts[t.mult]]), fa, A);
      });
      return a;
    });
    let next: Expr = ref(acc.name);
    for (let r = R - 1; r >= 0; r--) if (r === 0 || out.chunks[r].length) next = { kind: 'cond', test: phaseIs(r), then: accOperand(results[r]), else: next };
    const accNext = nets.wire(`${p}_next`, A.width, A.signed, next, ar.min, ar.max);
    nets.setNext(acc.name, ref(accNext.name));
    return castTo(nets, p, accNext, fa, Y);
  });
}

/**
 * batchnorm (docs/semantics.md section 8): per channel c (the last axis), y = cast_Y(x · s[c] + o[c]), the product
 * and the sum exact. Folded: s = scale, o = bias. Standalone: gamma, beta, mean, variance quantized to their types and
 * read back as doubles, s = gamma / sqrt(variance + epsilon) and o = beta − mean · s in binary64, s quantized to
 * gamma's type and o to beta's (as the simulator).
 */
function batchnorm(nets: ModuleNets, prefix: string, layer: LayerModel, x: NodeVals): Val[] {
  const { sType, oType, s, o } = batchnormCoefficients(layer);
  const C = x.shape[x.shape.length - 1];
  const fp = fracBits(x.type) + fracBits(sType);
  const fo = fracBits(oType);
  const ft = Math.max(fp, fo);
  const Y = layer.tensor.type;
  return x.vals.map((v, i) => {
    const p = `${prefix}_${i}`;
    const ch = i % C;
    const prod = s[ch] === 0n ? konst(0n) : productConst(nets, p, v, s[ch]);
    const sum = sumExact(nets, p, [shiftLeft(nets, `${p}_p`, prod, ft - fp), konst(o[ch] << BigInt(ft - fo))]);
    return castTo(nets, p, sum, ft, Y);
  });
}

/** For every output pixel, the input pixel of each valid tap (row-major window order; padding taps left out). */
function poolWindows(layer: LayerModel, inShape: readonly number[]): { windows: number[][]; C: number } {
  const op = layer.opName;
  const spatial = op.endsWith('1d') ? 1 : 2;
  const C = inShape[spatial];
  const [H, W] = spatial === 1 ? [1, inShape[0]] : [inShape[0], inShape[1]];
  if (op.startsWith('global_')) return { windows: [Array.from({ length: H * W }, (_, i) => i)], C };
  const ints = (v: unknown, fallback: number): number[] => (Array.isArray(v) ? v.map(Number) : new Array<number>(spatial).fill(typeof v === 'number' ? v : fallback));
  const kernel = ints(layer.params.pool, 2);
  const stride = ints(layer.params.stride, 2);
  const [KH, KW] = spatial === 1 ? [1, kernel[0]] : [kernel[0], kernel[1]];
  const [SH, SW] = spatial === 1 ? [1, stride[0]] : [stride[0], stride[1]];
  // Padding 'same' as TensorFlow: out = ceil(n / s), pad_total = max((out − 1)·s + k − n, 0), before = floor(pad_total / 2).
  const same = (n: number, k: number, st: number) => {
    const out = Math.ceil(n / st);
    return { out, before: Math.floor(Math.max((out - 1) * st + k - n, 0) / 2) };
  };
  let OH: number, OW: number, PT: number, PL: number;
  if (String(layer.params.padding ?? 'valid') === 'same') {
    const v = same(H, KH, SH);
    const h = same(W, KW, SW);
    [OH, PT, OW, PL] = [v.out, v.before, h.out, h.before];
  } else [OH, OW, PT, PL] = [Math.floor((H - KH) / SH) + 1, Math.floor((W - KW) / SW) + 1, 0, 0];
  const windows: number[][] = [];
  for (let oy = 0; oy < OH; oy++) {
    for (let ox = 0; ox < OW; ox++) {
      const taps: number[] = [];
      for (let ky = 0; ky < KH; ky++) {
        for (let kx = 0; kx < KW; kx++) {
          const iy = oy * SH - PT + ky;
          const ix = ox * SW - PL + kx;
          if (iy >= 0 && iy < H && ix >= 0 && ix < W) taps.push(iy * W + ix);
        }
      }
      windows.push(taps);
    }
  }
  return { windows, C };
}

/** Max pooling (docs/semantics.md section 7): the largest valid tap of each window and channel (exact), cast to Y. */
function maxPool(nets: ModuleNets, prefix: string, layer: LayerModel, x: NodeVals): Val[] {
  const { windows, C } = poolWindows(layer, x.shape);
  const out: Val[] = [];
  windows.forEach((taps, pIdx) => {
    for (let c = 0; c < C; c++) {
      const p = `${prefix}_${pIdx * C + c}`;
      let level = taps.map((pix) => x.vals[pix * C + c]);
      let k = 0;
      while (level.length > 1) {
        const next: Val[] = [];
        for (let i = 0; i + 1 < level.length; i += 2) next.push(maxOf(nets, `${p}_m${k++}`, level[i], level[i + 1], x.type));
        if (level.length % 2) next.push(level[level.length - 1]);
        level = next;
      }
      out.push(castTo(nets, p, level[0], fracBits(x.type), layer.tensor.type));
    }
  });
  return out;
}

/**
 * Average pooling (docs/semantics.md section 7): acc = cast_A(acc + cast_A(x)) over the valid taps in window order,
 * then the exact quotient acc / n_valid rounded once by Y's quantization mode, then Y's overflow mode. A power-of-two
 * n_valid is section 2's shift (a cast); otherwise N / D is divided by the constant D: the truncating quotient and
 * remainder give the floor q0 and rem, and qb = (2·rem ≥ D), rb = (qb ? 2·rem > D : rem > 0).
 */
function avgPool(nets: ModuleNets, prefix: string, layer: LayerModel, x: NodeVals): Val[] {
  const { windows, C } = poolWindows(layer, x.shape);
  const Y = layer.tensor.type;
  const A = layer.types.accum ?? x.type;
  const fa = fracBits(A);
  const fx = fracBits(x.type);
  const k = fracBits(Y) - fa;
  const out: Val[] = [];
  windows.forEach((taps, pIdx) => {
    for (let c = 0; c < C; c++) {
      const p = `${prefix}_${pIdx * C + c}`;
      let acc: Val = konst(0n);
      taps.forEach((pix, t) => {
        const xa = castTo(nets, `${p}_x${t}`, x.vals[pix * C + c], fx, A);
        acc = castTo(nets, `${p}_a${t}`, sumExact(nets, `${p}_a${t}`, [acc, xa]), fa, A);
      });
      const n = taps.length;
      if ((n & (n - 1)) === 0) {
        out.push(castTo(nets, p, acc, fa + Math.log2(n), Y));
        continue;
      }
      const N = shiftLeft(nets, `${p}_n`, acc, Math.max(k, 0));
      const D = BigInt(n) << BigInt(Math.max(-k, 0));
      const floorDiv = (a: bigint, b: bigint) => (a >= 0n ? a / b : -((-a + b - 1n) / b));
      let q: Val;
      if (N.kind === 'const') {
        const q0 = floorDiv(N.value, D);
        const rem = N.value - q0 * D;
        const qb = 2n * rem >= D;
        const rb = qb ? 2n * rem > D : rem > 0n;
        const one = (b: boolean) => lit(1, b ? 1n : 0n);
        const inc = roundUp(Y.quant, one(qb), one(rb), one(N.value < 0n), one((q0 & 1n) === 1n));
        // A constant window (every tap constant): evaluate the rounding rule on the constant bits.
        const v = inc === undefined ? 0n : evalBits(inc);
        q = konst(q0 + v);
      } else {
        const w = Math.max(signedBits(N), signedWidth(D, D)) + 1;
        const nw = nets.wire(`${p}_nw`, w, true, sext(N, w), N.lo, N.hi);
        const dl = lit(w, D, true);
        const qt = nets.wire(`${p}_qt`, w, true, bin('/', ref(nw.name), dl), -(1n << BigInt(w - 1)), (1n << BigInt(w - 1)) - 1n);
        const rt = nets.wire(`${p}_rt`, w, true, bin('%', ref(nw.name), dl), -(D - 1n), D - 1n, Y.quant === 'TRN' ? { warning: 'UNUSEDSIGNAL', reason: 'TRN (floor) reads only the sign of the remainder' } : undefined);
        const neg = bit(rt.name, w - 1);
        const q0 = nets.wire(`${p}_q0`, w, true, bin('-', ref(qt.name), signed(concat([lit(w - 1, 0n), neg]))), floorDiv(N.lo, D), floorDiv(N.hi, D));
        const rem = nets.wire(`${p}_rem`, w, true, { kind: 'cond', test: neg, then: bin('+', ref(rt.name), dl), else: ref(rt.name) }, 0n, D - 1n);
        const twoRem = signed(concat([ref(rem.name), lit(1, 0n)]));
        const d2 = lit(w + 1, D, true);
        const qb = bin('>=', twoRem, d2);
        const rb = { kind: 'cond', test: qb, then: bin('>', twoRem, d2), else: bin('!=', ref(rem.name), lit(w, 0n, true)) } as Expr;
        const inc = roundUp(Y.quant, qb, rb, bit(nw.name, w - 1), bit(q0.name, 0));
        q = inc === undefined ? q0 : nets.wire(`${p}_qr`, w + 1, true, bin('+', sext(q0, w + 1), signed(concat([lit(w, 0n), inc]))), q0.lo, q0.hi + 1n);
      }
      out.push(castTo(nets, p, q, fracBits(Y), Y));
    }
  });
  return out;
}

/** The value of a 1-bit expression of constants (the rounding rule on known bits). */
function evalBits(e: Expr): bigint {
  switch (e.kind) {
    case 'const':
      return e.value & 1n;
    case 'unary':
      return e.op === '~' ? 1n - evalBits(e.arg) : evalBits(e.arg);
    case 'binary':
      return e.op === '&' ? evalBits(e.left) & evalBits(e.right) : evalBits(e.left) | evalBits(e.right);
    default:
      throw new Error('internal error: not a constant bit expression');
  }
}
