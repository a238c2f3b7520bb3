// The Vitis HLS C++ backend: a complete network in io parallel becomes a top function over arrays, a header of types,
// weight headers, a C testbench and a Vitis HLS Tcl script. Every layer computes exactly docs/semantics.md: each
// assignment to a typed variable is that document's cast (ap_fixed assignment semantics), and the expressions between
// assignments are exact (ap_fixed's product and sum types), in the order the document gives.
//
// Only the standard ap_fixed API is used, so that the code compiles unchanged against the vendor's headers and ours.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { existsSync } from 'node:fs';
import {
  fixedType,
  formatApType,
  fracBits,
  quantizeDouble,
  type FixedType,
  type LayerModel,
  type QuantMode,
  type NetworkModel,
} from '@qnn/language';
import { activationTable } from '../../semantics/tables.js';
import { softmaxTables } from '../../semantics/softmax.js';
import { alphaType } from '../../semantics/alpha.js';
import { quantizeValues } from '../../semantics/quantize.js';
import { batchnormCoefficients } from '../../semantics/batchnorm.js';
import { renderRoundRule, type RoundTerm } from '../../semantics/round-rule.js';
import {
  assign,
  bin,
  call,
  decl,
  forLoop,
  id,
  idx,
  ifs,
  lit,
  list,
  cond,
  comment,
  member,
  pragma,
  printFile,
  un,
  type Expr,
  type Param,
  type Stmt,
  type TopDecl,
} from './cpp.js';

/** A layer or network feature the HLS backend does not implement; the message names the layer. */
export class HlsUnsupportedError extends Error {
  constructor(
    readonly layer: string | undefined,
    message: string,
  ) {
    super(message);
    this.name = 'HlsUnsupportedError';
  }
}

export interface HlsProject {
  /** The top function's name (the network's name). */
  readonly top: string;
  /** io parallel: the top function takes arrays; io stream: hls::stream ports (one pixel, the last axis, per element). */
  readonly io: 'parallel' | 'stream';
  /** Relative path → contents: defines.h, <top>.h, <top>.cpp, weights/*.h, tb.cpp, build.tcl, include/ap_*.h. */
  readonly files: ReadonlyMap<string, string>;
  /** Per network input and output: the file the testbench reads (relative to the project folder), one sample per line. */
  readonly vectors: {
    readonly inputs: ReadonlyMap<string, string>;
    readonly outputs: ReadonlyMap<string, string>;
  };
}

/** The folder holding QNN Studio's own ap_fixed.h and ap_int.h. */
export function hlsIncludeDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  // From src/backends/hls (sources) or dist/backends/hls (built): the headers live in src/backends/hls/include.
  const candidates = [join(here, 'include'), join(here, '..', '..', '..', 'src', 'backends', 'hls', 'include')];
  for (const c of candidates) if (existsSync(join(c, 'ap_fixed.h'))) return c;
  throw new Error(`QNN Studio's ap_fixed.h was not found (looked in ${candidates.join(', ')})`);
}

const HEADERS = ['ap_fixed.h', 'ap_int.h', 'hls_stream.h'] as const;

/** Vitis HLS needs a full part number; the device table names devices. Common default packages and speed grades. */
const FULL_PART: Readonly<Record<string, string>> = {
  xcu250: 'xcu250-figd2104-2L-e',
  xcvu9p: 'xcvu9p-flga2104-2L-e',
  xcvu13p: 'xcvu13p-flga2577-2-e',
};
const DEFAULT_PART = 'xcu250-figd2104-2L-e';

/** Largest raw magnitude written as an exact double literal. */
const MAX_LITERAL_RAW = 2n ** 53n;

const CPP_KEYWORDS = new Set(
  ('alignas alignof and and_eq asm auto bitand bitor bool break case catch char char16_t char32_t class compl const ' +
    'constexpr const_cast continue decltype default delete do double dynamic_cast else enum explicit export extern false ' +
    'float for friend goto if inline int long mutable namespace new noexcept not not_eq nullptr operator or or_eq private ' +
    'protected public register reinterpret_cast return short signed sizeof static static_assert static_cast struct switch ' +
    'template this thread_local throw true try typedef typeid typename union unsigned using virtual void volatile wchar_t ' +
    'while xor xor_eq main std ' +
    // Names of the testbench's own variables and functions.
    'read_row dir path samples mismatches got argc argv').split(' '),
);

function size(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function ints(v: unknown, n: number, fallback: number): number[] {
  if (Array.isArray(v)) return v.map(Number);
  if (typeof v === 'number') return new Array<number>(n).fill(v);
  return new Array<number>(n).fill(fallback);
}

/**
 * The exact value of raw · 2^−F as a decimal C++ literal (a dyadic rational has a finite decimal expansion; the
 * compiler reads it as the exact double, and the target type holds it exactly). Raws wider than 53 bits are refused.
 */
function valueLiteral(t: FixedType, raw: bigint, layer: string): Expr {
  const abs = raw < 0n ? -raw : raw;
  if (abs >= MAX_LITERAL_RAW) {
    throw new HlsUnsupportedError(layer, `layer '${layer}': the HLS backend writes constants as exact double literals; a constant of ${formatApType(t)} does not fit 53 bits`);
  }
  return lit(`${raw < 0n ? '-' : ''}${exactDecimal(abs, fracBits(t))}`);
}

/** v · 2^−f (v ≥ 0) in decimal, exactly: v · 5^f / 10^f. */
export function exactDecimal(v: bigint, f: number): string {
  if (f <= 0) return `${v << BigInt(-f)}.0`;
  const digits = (v * 5n ** BigInt(f)).toString().padStart(f + 1, '0');
  const int = digits.slice(0, digits.length - f);
  const frac = digits.slice(digits.length - f).replace(/0+$/, '');
  return `${int}.${frac || '0'}`;
}

/** The double 2^s as an exact decimal literal. */
function powerLiteral(s: number): string {
  return exactDecimal(1n, -s);
}

/** ap_ufixed value 2^s (an exact power of two) for index computations. */
function powerOfTwo(s: number): Expr {
  const type = s >= 0 ? `ap_ufixed<${s + 1}, ${s + 1}>` : `ap_ufixed<${-s}, 0>`;
  return call(type, lit(powerLiteral(s)));
}

const add = (a: Expr, b: Expr) => bin('+', a, b);
const mul = (a: Expr, b: Expr) => bin('*', a, b);
const and = (...xs: Expr[]) => xs.reduce((a, b) => bin('&&', a, b));
const inRange = (v: string, n: number) => and(bin('>=', id(v), lit(0)), bin('<', id(v), lit(n)));
const unroll = ['UNROLL'];

/** io stream: a tensor is a stream of P pixels, each a struct `px` holding the C values along the last axis. */
interface Pixels {
  readonly px: string;
  readonly C: number;
  readonly P: number;
}

/** A reader of a stream: a layer argument (a FIFO of the given depth) or an output port of the top function. */
type Consumer = { readonly kind: 'layer'; readonly depth: number } | { readonly kind: 'port'; readonly name: string };

interface TopFunction {
  readonly ports: Param[];
  readonly topBody: Stmt[];
  readonly inputs: readonly Tensor[];
  readonly outs: readonly Tensor[];
  /** io stream: the pixels of each port's tensor, by tensor name. */
  readonly pixels?: ReadonlyMap<string, Pixels>;
}

interface Tensor {
  readonly name: string;
  readonly cname: string;
  readonly typeName: string;
  readonly type: FixedType;
  readonly shape: readonly number[];
}

class Generator {
  private readonly names = new Set<string>();
  private readonly typedefs: TopDecl[] = [];
  private readonly weightFiles = new Map<string, string>();
  private readonly funcs: TopDecl[] = [];
  private readonly structs: TopDecl[] = [];
  /** io stream: the pixel struct of each tensor, and the streams left for its readers. */
  private readonly pixels = new Map<Tensor, Pixels>();
  private readonly readers = new Map<Tensor, string[]>();
  private readonly tensors = new Map<string, Tensor>();
  private readonly top: string;
  /** Prefix of the names of the network being emitted (inlined called networks). */
  private prefix = '';
  /** The layer being emitted (for messages). */
  private current: string | undefined;

  constructor(private readonly net: NetworkModel) {
    this.top = this.ident(net.name);
  }

  /** A C++ identifier for a QNN name, unique in the generated code. */
  private ident(name: string): string {
    let base = name.replace(/[^A-Za-z0-9_]/g, '_');
    if (CPP_KEYWORDS.has(base) || /^[0-9]/.test(base) || base.startsWith('ap_') || base.startsWith('qnn_')) base = `n_${base}`;
    let n = base;
    for (let i = 2; this.names.has(n); i++) n = `${base}_${i}`;
    this.names.add(n);
    return n;
  }

  private typedef(name: string, t: FixedType): string {
    checkWidth(this.current, t, `type ${formatApType(t)}`);
    const n = this.ident(name);
    this.typedefs.push({ k: 'typedef', type: formatApType(t), name: n });
    return n;
  }

  /** A constant array in weights/<file>.h. */
  private constArray(layer: string, name: string, t: FixedType, raws: readonly bigint[]): { array: string; type: string } {
    const type = this.typedef(`${layer}_${name}_t`, t);
    const array = this.ident(`${layer}_${name}`);
    const items = raws.map((r) => valueLiteral(t, r, layer));
    const guard = `${array.toUpperCase()}_H_`;
    const text = printFile([
      { k: 'comment', text: `${name} of layer ${layer}: ${raws.length} values of ${formatApType(t)} (exact literals).` },
      {
        k: 'guard',
        name: guard,
        body: [{ k: 'include', path: '../defines.h' }, { k: 'blank' }, { k: 'stmt', s: decl(type, array, list(items), [raws.length], 'static const') }],
      },
    ]);
    this.weightFiles.set(`weights/${array}.h`, text);
    return { array, type };
  }

  generate(): HlsProject {
    const net = this.net;
    if (!net.complete) throw new HlsUnsupportedError(undefined, `network '${net.name}' has errors; the HLS backend needs a network that checks without errors`);
    const args = new Map<string, Tensor>();
    for (const inp of net.inputs) {
      const cname = this.ident(inp.name);
      args.set(inp.name, { name: inp.name, cname, typeName: this.typedef(`${inp.name}_t`, inp.tensor.type), type: inp.tensor.type, shape: inp.tensor.shape });
    }
    const top = net.io === 'stream' ? this.streamTop(args) : this.parallelTop(args);
    const { ports, topBody, inputs, outs } = top;
    const files = new Map<string, string>();
    const includes: TopDecl[] = [{ k: 'include', path: 'ap_fixed.h' }, { k: 'include', path: 'ap_int.h' }];
    if (net.io === 'stream') includes.push({ k: 'include', path: 'hls_stream.h' });
    files.set(
      'defines.h',
      printFile([
        { k: 'comment', text: `Types of network ${net.name} (generated by QNN Studio).` },
        { k: 'guard', name: 'DEFINES_H_', body: [...includes, { k: 'blank' }, ...this.typedefs, ...(this.structs.length ? [{ k: 'blank' } as const, ...this.structs] : [])] },
      ]),
    );
    const proto: TopDecl = { k: 'func', ret: 'void', name: this.top, params: ports };
    files.set(`${this.top}.h`, printFile([{ k: 'guard', name: `${this.top.toUpperCase()}_H_`, body: [{ k: 'include', path: 'defines.h' }, { k: 'blank' }, proto] }]));
    files.set(
      `${this.top}.cpp`,
      printFile([
        { k: 'comment', text: `Network ${net.name}: generated by QNN Studio. Arithmetic as docs/semantics.md, bit for bit.${net.io === 'stream' ? '\nio stream: one call of the top function processes one sample; every layer is a process of a DATAFLOW region\nconnected to the next by a FIFO of one pixel (the values along the last axis) per element.' : ''}` },
        { k: 'include', path: `${this.top}.h` },
        ...[...this.weightFiles.keys()].map((p): TopDecl => ({ k: 'include', path: p })),
        { k: 'blank' },
        ...this.funcs,
        { ...proto, body: topBody },
      ]),
    );
    for (const [p, text] of this.weightFiles) files.set(p, text);
    const vecIn = new Map(inputs.map((x) => [x.name, `tb_data/${x.cname}.txt`]));
    const vecOut = new Map(outs.map((y) => [y.name, `tb_data/${y.cname}_expected.txt`]));
    files.set('tb.cpp', this.testbench(inputs, outs, vecIn, vecOut, top.pixels));
    files.set('build.tcl', this.buildTcl());
    const inc = hlsIncludeDir();
    for (const h of HEADERS) files.set(`include/${h}`, readFileSync(join(inc, h), 'utf8'));
    return { top: this.top, io: net.io, files, vectors: { inputs: vecIn, outputs: vecOut } };
  }

  /** io parallel: the top function over arrays, one call per layer. */
  private parallelTop(args: ReadonlyMap<string, Tensor>): TopFunction {
    const net = this.net;
    const calls: Stmt[] = [];
    const locals: Stmt[] = [];
    const reuses: number[] = [];
    const scope = this.emitNetwork(net, '', args, calls, locals, reuses);
    for (const [k, v] of scope) this.tensors.set(k, v);
    const inputs = net.inputs.map((i) => this.tensors.get(i.name)!);
    const outs = net.outputs.map((o) => this.tensors.get(o)!);
    const outPort = new Map(outs.map((y) => [y.name, this.ident(`${y.name}_out`)]));
    const ports: Param[] = [
      ...inputs.map((x) => ({ type: x.typeName, name: x.cname, dims: [size(x.shape)], qual: 'const' })),
      ...outs.map((y) => ({ type: y.typeName, name: outPort.get(y.name)!, dims: [size(y.shape)] })),
    ];
    const ii = Math.max(net.reuse, ...reuses);
    const topBody: Stmt[] = [
      ...ports.map((p) => pragma(`ARRAY_PARTITION variable=${p.name} complete dim=0`)),
      pragma(`INTERFACE ap_vld port=${ports.map((p) => p.name).join(',')}`),
      pragma(`PIPELINE II=${ii}`),
      ...locals,
      ...calls,
    ];
    for (const y of outs) topBody.push(forLoop('i', 0, size(y.shape), [assign(idx(outPort.get(y.name)!, 'i'), idx(y.cname, 'i'))], unroll));
    return { ports, topBody, inputs, outs };
  }

  // ---- io stream ---------------------------------------------------------------------------------------------------

  /** The pixel struct of a tensor in io stream (created on first use). */
  private pixelsOf(t: Tensor): Pixels {
    let p = this.pixels.get(t);
    if (!p) {
      const C = t.shape[t.shape.length - 1] ?? 1;
      const px = this.ident(`${t.name}_px`);
      this.structs.push({ k: 'struct', name: px, fields: [{ type: t.typeName, name: 'data', dims: [C] }] });
      p = { px, C, P: size(t.shape) / C };
      this.pixels.set(t, p);
    }
    return p;
  }

  /**
   * io stream: the top function over hls::stream ports (AXI-Stream), a DATAFLOW region of one process per layer, a FIFO
   * per edge with the declared depth, and a clone process where a tensor has several readers.
   */
  private streamTop(args: ReadonlyMap<string, Tensor>): TopFunction {
    const net = this.net;
    const inputs = net.inputs.map((i) => args.get(i.name)!);
    const ports: Param[] = inputs.map((x) => ({ type: `hls::stream<${this.pixelsOf(x).px}>`, name: x.cname, ref: true }));
    const outPorts = net.outputs.map((o) => this.ident(`${o}_out`));
    const portsOf = new Map<string, Consumer[]>();
    net.outputs.forEach((o, i) => portsOf.set(o, [...(portsOf.get(o) ?? []), { kind: 'port', name: outPorts[i] }]));
    const decls: Stmt[] = [];
    const calls: Stmt[] = [];
    for (const x of inputs) {
      const fan = this.fanOut(x, this.consumers(net, x.name, portsOf.get(x.name) ?? []), decls, x.cname);
      calls.push(...fan.after);
    }
    const scope = this.emitStreamNetwork(net, '', args, portsOf, decls, calls);
    const outs = net.outputs.map((o) => scope.get(o)!);
    outs.forEach((y, i) => ports.push({ type: `hls::stream<${this.pixelsOf(y).px}>`, name: outPorts[i], ref: true }));
    const topBody: Stmt[] = [...ports.map((p) => pragma(`INTERFACE axis port=${p.name}`)), pragma('DATAFLOW'), ...decls, ...calls];
    const pixels = new Map([...inputs, ...outs].map((t) => [t.name, this.pixelsOf(t)]));
    return { ports, topBody, inputs, outs, pixels };
  }

  /** The readers of tensor `name` of `net`: each layer argument that reads it (in order), then the given ports. */
  private consumers(net: NetworkModel, name: string, ports: readonly Consumer[]): Consumer[] {
    const out: Consumer[] = [];
    const depthDefault = net.io === 'stream' ? net.fifoDepth : this.net.fifoDepth;
    for (const l of net.layers) {
      if (net.deadLayers.has(l.name)) continue;
      for (const a of l.inputs) if (a === name) out.push({ kind: 'layer', depth: net.fifoEdges.get(`${name}->${l.name}`) ?? depthDefault });
    }
    return [...out, ...ports];
  }

  /** A FIFO between two processes of the top function. */
  private fifo(t: Tensor, name: string, depth: number, decls: Stmt[]): string {
    const s = this.ident(name);
    decls.push(decl(`hls::stream<${this.pixelsOf(t).px}>`, s), pragma(`STREAM variable=${s} depth=${depth}`));
    return s;
  }

  /**
   * The streams of tensor `t` for its consumers: one FIFO per layer reader (taken in order by `take`), the output ports
   * as they are. Returns the stream the producer writes (`from` when the stream exists already: an input port) and
   * the clone call to run after the producer when there are several readers.
   */
  private fanOut(t: Tensor, consumers: readonly Consumer[], decls: Stmt[], from?: string): { target: string; after: Stmt[] } {
    const streamOf = (c: Consumer, i: number) => (c.kind === 'port' ? c.name : this.fifo(t, `${t.cname}_s${consumers.length > 1 ? i : ''}`, c.depth, decls));
    if (consumers.length === 1 && (from === undefined || consumers[0].kind === 'layer')) {
      const s = from ?? streamOf(consumers[0], 0);
      this.readers.set(t, consumers[0].kind === 'layer' ? [s] : []);
      return { target: s, after: [] };
    }
    const source = from ?? this.fifo(t, `${t.cname}_s`, this.net.fifoDepth, decls);
    const outs = consumers.map(streamOf);
    this.readers.set(t, outs.filter((_, i) => consumers[i].kind === 'layer'));
    const { px, P } = this.pixelsOf(t);
    const fn = this.ident(`clone_${t.name}`);
    this.funcs.push({ k: 'comment', text: `${t.name} has ${outs.length} readers: a copy of each pixel for each.` });
    this.funcs.push({
      k: 'func',
      ret: 'void',
      qual: 'static',
      name: fn,
      params: [{ type: `hls::stream<${px}>`, name: 'in0', ref: true }, ...outs.map((_, i) => ({ type: `hls::stream<${px}>`, name: `out${i}`, ref: true }))],
      body: [
        pragma('INLINE off'),
        forLoop('pix', 0, P, [pragma('PIPELINE II=1'), decl(px, 'v', call('in0.read')), ...outs.map((_, i): Stmt => ({ k: 'expr', e: call(`out${i}.write`, id('v')) }))]),
      ],
    });
    this.funcs.push({ k: 'blank' });
    return { target: source, after: [{ k: 'expr', e: call(fn, id(source), ...outs.map((o) => id(o))) }] };
  }

  /** The next reader stream of tensor `t`. */
  private take(t: Tensor): string {
    const s = this.readers.get(t)?.shift();
    if (s === undefined) throw new Error(`internal: no stream left for ${t.name}`);
    return s;
  }

  /** The layers of `net` in io stream (a network used as a layer is inlined, as in io parallel). */
  private emitStreamNetwork(net: NetworkModel, prefix: string, args: ReadonlyMap<string, Tensor>, ports: ReadonlyMap<string, readonly Consumer[]>, decls: Stmt[], calls: Stmt[]): Map<string, Tensor> {
    const scope = new Map(args);
    for (const layer of net.layers.filter((l) => !net.deadLayers.has(l.name))) {
      const qname = prefix + layer.name;
      this.current = layer.name;
      this.prefix = prefix;
      const cname = this.ident(qname);
      const t: Tensor = { name: qname, cname, typeName: this.typedef(`${qname}_t`, layer.tensor.type), type: layer.tensor.type, shape: layer.tensor.shape };
      const ins = layer.inputs.map((n) => scope.get(n)!);
      scope.set(layer.name, t);
      const inStreams = ins.map((x) => this.take(x));
      const fan = this.fanOut(t, this.consumers(net, layer.name, ports.get(layer.name) ?? []), decls);
      if ('network' in layer.op) {
        const callee = layer.op.network;
        if (callee.outputs.length !== 1) throw new HlsUnsupportedError(layer.name, `layer '${layer.name}': a network used as a layer must have one output for the HLS backend`);
        const inner = new Map<string, Tensor>();
        callee.inputs.forEach((inp, k) => {
          const q = `${qname}__${inp.name}`;
          const a: Tensor = { name: q, cname: this.ident(q), typeName: this.typedef(`${q}_t`, inp.tensor.type), type: inp.tensor.type, shape: inp.tensor.shape };
          const f = this.fanOut(a, this.consumers(callee, inp.name, []), decls);
          calls.push({ k: 'expr', e: call(this.copyProcess(ins[k], a), id(inStreams[k]), id(f.target)) }, ...f.after);
          inner.set(inp.name, a);
        });
        const resultPorts = new Map<string, Consumer[]>([[callee.outputs[0], [{ kind: 'layer', depth: this.net.fifoDepth }]]]);
        const result = this.emitStreamNetwork(callee, `${qname}__`, inner, resultPorts, decls, calls).get(callee.outputs[0])!;
        this.current = layer.name;
        calls.push({ k: 'expr', e: call(this.copyProcess(result, t), id(this.take(result)), id(fan.target)) }, ...fan.after);
        this.prefix = prefix;
        continue;
      }
      const fn = this.ident(`layer_${qname}`);
      const body = this.streamLayerBody(layer, ins, t);
      const params: Param[] = [...ins.map((x, i) => ({ type: `hls::stream<${this.pixelsOf(x).px}>`, name: `in${i}`, ref: true })), { type: `hls::stream<${this.pixelsOf(t).px}>`, name: 'out', ref: true }];
      this.funcs.push({ k: 'comment', text: `${qname} = ${layer.opName}(${layer.inputs.join(', ')}) : ${formatApType(layer.tensor.type)}` });
      this.funcs.push({ k: 'func', ret: 'void', qual: 'static', name: fn, params, body: [pragma('INLINE off'), ...body] });
      this.funcs.push({ k: 'blank' });
      calls.push({ k: 'expr', e: call(fn, ...inStreams.map((s) => id(s)), id(fan.target)) }, ...fan.after);
    }
    return scope;
  }

  /** A process copying tensor `a` into `b`'s type (the cast of each value), pixel by pixel or repacked. */
  private copyProcess(a: Tensor, b: Tensor): string {
    const fn = this.ident(`copy_${b.name}`);
    const pa = this.pixelsOf(a);
    const pb = this.pixelsOf(b);
    this.funcs.push({ k: 'comment', text: `${b.name}: ${a.name} cast to ${formatApType(b.type)}` });
    this.funcs.push({
      k: 'func',
      ret: 'void',
      qual: 'static',
      name: fn,
      params: [{ type: `hls::stream<${pa.px}>`, name: 'in0', ref: true }, { type: `hls::stream<${pb.px}>`, name: 'out', ref: true }],
      body: [pragma('INLINE off'), ...this.repack(a, b)],
    });
    this.funcs.push({ k: 'blank' });
    return fn;
  }

  /** Values in order from stream in0 (pixels of a) to stream out (pixels of b), each cast to b's type. */
  private repack(a: Tensor, b: Tensor): Stmt[] {
    const pa = this.pixelsOf(a);
    const pb = this.pixelsOf(b);
    const data = (v: string, i: Expr) => idx(member(id(v), 'data'), i);
    if (pa.C === pb.C) {
      return [
        forLoop('pix', 0, pa.P, [
          pragma('PIPELINE II=1'),
          decl(pa.px, 'v', call('in0.read')),
          decl(pb.px, 'w'),
          forLoop('c', 0, pa.C, [assign(data('w', id('c')), safe(b.type, data('v', id('c')), a.type))], unroll),
          { k: 'expr', e: call('out.write', id('w')) },
        ]),
      ];
    }
    return [
      decl(pa.px, 'v'),
      decl(pb.px, 'w'),
      forLoop('i', 0, size(a.shape), [
        pragma('PIPELINE II=1'),
        ifs(bin('==', bin('%', id('i'), lit(pa.C)), lit(0)), [assign(id('v'), call('in0.read'))]),
        assign(data('w', bin('%', id('i'), lit(pb.C))), safe(b.type, data('v', bin('%', id('i'), lit(pa.C))), a.type)),
        ifs(bin('==', bin('%', id('i'), lit(pb.C)), lit(pb.C - 1)), [{ k: 'expr', e: call('out.write', id('w')) }]),
      ]),
    ];
  }

  /** The body of a layer's process in io stream: reads in0, in1, … and writes out. */
  private streamLayerBody(layer: LayerModel, ins: readonly Tensor[], out: Tensor): Stmt[] {
    const op = layer.opName;
    const data = (v: string, i: Expr) => idx(member(id(v), 'data'), i);
    const po = this.pixelsOf(out);
    if (op === 'flatten' || op === 'reshape') return this.repack(ins[0], out);
    if (op === 'concat') {
      const rank = out.shape.length;
      const axisRaw = Number(layer.params.axis ?? -1);
      const axis = axisRaw < 0 ? rank + axisRaw : axisRaw;
      if (axis < rank - 1) {
        // Whole pixels: for each index before the axis, the pixels of each input in turn.
        const outer = size(out.shape.slice(0, axis));
        const copies = ins.map((x, k): Stmt => {
          const n = size(x.shape.slice(axis)) / this.pixelsOf(x).C;
          return forLoop('j', 0, n, [
            pragma('PIPELINE II=1'),
            decl(this.pixelsOf(x).px, 'v', call(`in${k}.read`)),
            decl(po.px, 'w'),
            forLoop('c', 0, po.C, [assign(data('w', id('c')), safe(out.type, data('v', id('c')), x.type))], unroll),
            { k: 'expr', e: call('out.write', id('w')) },
          ]);
        });
        return [forLoop('r', 0, outer, copies)];
      }
    }
    if (op.includes('pool') || op.startsWith('conv') || op.startsWith('depthwise')) {
      this.checkExpressions(layer, ins);
      return op.startsWith('global_') ? this.globalPoolStream(layer, ins[0], out) : this.lineBuffer(layer, ins[0], out);
    }
    // A layer that computes each pixel from the same pixel of its inputs: the io-parallel body on one pixel.
    const pix = (t: Tensor): Tensor => ({ ...t, shape: [this.pixelsOf(t).C] });
    const pins = ins.map(pix);
    const pout = pix(out);
    let inner: Stmt[];
    if (op === 'concat') {
      inner = [];
      let off = 0;
      pins.forEach((x, k) => {
        inner.push(forLoop('j', 0, x.shape[0], [assign(idx('y', add(lit(off), id('j'))), safe(out.type, idx(`x${k}`, 'j'), x.type))], unroll));
        off += x.shape[0];
      });
    } else {
      inner = this.layerBody(layer, pins, pout);
    }
    const pragmas: Stmt[] = [pragma(`PIPELINE II=${layer.reuse}`)];
    const mults = this.multiplications(layer, pins);
    if (mults > 0 && layer.reuse > 1) pragmas.push(pragma(`ALLOCATION operation instances=mul limit=${Math.ceil(mults / layer.reuse)}`));
    const reads: Stmt[] = ins.flatMap((x, k) => {
      const p = this.pixelsOf(x);
      return [
        decl(p.px, `pin${k}`, call(`in${k}.read`)),
        decl(x.typeName, `x${k}`, undefined, [p.C]),
        pragma(`ARRAY_PARTITION variable=x${k} complete`),
        forLoop('c', 0, p.C, [assign(idx(`x${k}`, 'c'), data(`pin${k}`, id('c')))], unroll),
      ];
    });
    return [
      forLoop('pix', 0, po.P, [
        ...pragmas,
        ...reads,
        decl(out.typeName, 'y', undefined, [po.C]),
        pragma('ARRAY_PARTITION variable=y complete'),
        ...inner,
        decl(po.px, 'pout'),
        forLoop('c', 0, po.C, [assign(data('pout', id('c')), idx('y', 'c'))], unroll),
        { k: 'expr', e: call('out.write', id('pout')) },
      ]),
    ];
  }

  /**
   * A convolution or pooling layer in io stream: the input pixels arrive in raster order into a line buffer of KB
   * rows (row iy in slot iy % KB); after each input pixel, the output pixels whose window is complete are computed
   * from the buffer and written, in raster order. How many become complete after each input pixel is computed here,
   * and so is the smallest KB that still holds every row each output needs.
   */
  private lineBuffer(layer: LayerModel, x: Tensor, out: Tensor): Stmt[] {
    const win = this.windowLayer(layer, x);
    const { g, C } = win;
    const px = this.pixelsOf(x);
    const po = this.pixelsOf(out);
    const emit = new Array<number>(g.H * g.W).fill(0);
    let kb = 1;
    let next = 0;
    const ready = (oy: number, ox: number) => Math.min(oy * g.SH - g.PT + g.KH - 1, g.H - 1) * g.W + Math.min(ox * g.SW - g.PL + g.KW - 1, g.W - 1);
    for (let t = 0; t < g.H * g.W; t++) {
      while (next < g.OH * g.OW && ready(Math.floor(next / g.OW), next % g.OW) <= t) {
        const oy = Math.floor(next / g.OW);
        const first = Math.max(0, oy * g.SH - g.PT);
        kb = Math.max(kb, Math.floor(t / g.W) - first + 1);
        emit[t]++;
        next++;
      }
    }
    if (next !== g.OH * g.OW) throw new Error(`internal: line buffer of ${layer.name} emits ${next} of ${g.OH * g.OW} pixels`);
    kb = Math.min(kb, g.H);
    const maxEmit = Math.max(...emit);
    const data = (v: string, i: Expr) => idx(member(id(v), 'data'), i);
    const lbIndex = (iy: Expr, ix: Expr, c: Expr) => add(mul(add(mul(kb === 1 ? lit(0) : bin('%', iy, lit(kb)), lit(g.W)), ix), lit(C)), c);
    const io: WindowIo = { src: (iy, ix, c) => idx('lb', lbIndex(iy, ix, c)), dst: (o) => data('pout', o) };
    const emitArr = this.ident(`${layer.name}_emit`);
    return [
      comment(`Line buffer: ${kb} of ${g.H} rows; outputs completed after each input pixel in ${emitArr}.`),
      decl('int', emitArr, list(emit.map((n) => lit(n))), [emit.length], 'static const'),
      decl(x.typeName, 'lb', undefined, [kb * g.W * C]),
      pragma(`ARRAY_PARTITION variable=lb complete`),
      decl('int', 'oy', lit(0)),
      decl('int', 'ox', lit(0)),
      forLoop('ty', 0, g.H, [
        forLoop('tx', 0, g.W, [
          pragma(`PIPELINE II=${layer.reuse}`),
          decl(px.px, 'pin', call('in0.read')),
          forLoop('c', 0, C, [assign(idx('lb', lbIndex(id('ty'), id('tx'), id('c'))), data('pin', id('c')))], unroll),
          forLoop('e', 0, maxEmit, [
            ifs(bin('<', id('e'), idx(emitArr, add(mul(id('ty'), lit(g.W)), id('tx')))), [
              decl(po.px, 'pout'),
              ...win.pixel(io),
              { k: 'expr', e: call('out.write', id('pout')) },
              assign(id('ox'), add(id('ox'), lit(1))),
              ifs(bin('==', id('ox'), lit(g.OW)), [assign(id('ox'), lit(0)), assign(id('oy'), add(id('oy'), lit(1)))]),
            ]),
          ], unroll),
        ]),
      ]),
    ];
  }

  /** Global pooling in io stream: a running maximum or sum per channel over the pixels in raster order (the window's order). */
  private globalPoolStream(layer: LayerModel, x: Tensor, out: Tensor): Stmt[] {
    const { C, P, px } = this.pixelsOf(x);
    const po = this.pixelsOf(out);
    const data = (v: string, i: Expr) => idx(member(id(v), 'data'), i);
    const xv = data('pin', id('c'));
    if (layer.opName.includes('max')) {
      return [
        decl(x.typeName, 'm', undefined, [C]),
        pragma('ARRAY_PARTITION variable=m complete'),
        forLoop('pix', 0, P, [
          pragma(`PIPELINE II=${layer.reuse}`),
          decl(px, 'pin', call('in0.read')),
          forLoop('c', 0, C, [ifs(bin('||', bin('==', id('pix'), lit(0)), bin('>', xv, idx('m', 'c'))), [assign(idx('m', 'c'), xv)])], unroll),
        ]),
        decl(po.px, 'pout'),
        forLoop('c', 0, C, [assign(data('pout', id('c')), safe(out.type, idx('m', 'c'), x.type))], unroll),
        { k: 'expr', e: call('out.write', id('pout')) },
      ];
    }
    const accType = layer.types.accum ?? x.type;
    const acc = this.typedef(`${this.q(layer)}_accum_t`, accType);
    const finish = this.avgFinish(layer, accType, P);
    return [
      decl(acc, 'sum', undefined, [C]),
      pragma('ARRAY_PARTITION variable=sum complete'),
      forLoop('c', 0, C, [assign(idx('sum', 'c'), lit(0))], unroll),
      forLoop('pix', 0, P, [
        pragma(`PIPELINE II=${layer.reuse}`),
        decl(px, 'pin', call('in0.read')),
        forLoop('c', 0, C, [decl(acc, 'xa', safe(accType, xv, x.type)), assign(idx('sum', 'c'), add(idx('sum', 'c'), id('xa')))], unroll),
      ]),
      decl(po.px, 'pout'),
      forLoop('c', 0, C, [decl(acc, 'acc', idx('sum', 'c')), decl('int', 'nv', lit(P)), ...finish(data('pout', id('c')))], unroll),
      { k: 'expr', e: call('out.write', id('pout')) },
    ];
  }

  /**
   * The layers of `net` (names prefixed by `prefix`): a function per layer, a local array per tensor, and the calls in
   * topological order. A network used as a layer is inlined (section 13): each argument cast to the called network's
   * input type, its layers, its output as the layer's value. Returns the tensors by (unprefixed) name.
   */
  private emitNetwork(net: NetworkModel, prefix: string, args: ReadonlyMap<string, Tensor>, calls: Stmt[], locals: Stmt[], reuses: number[]): Map<string, Tensor> {
    const scope = new Map(args);
    for (const layer of net.layers.filter((l) => !net.deadLayers.has(l.name))) {
      const qname = prefix + layer.name;
      this.current = layer.name;
      const cname = this.ident(qname);
      const t: Tensor = { name: qname, cname, typeName: this.typedef(`${qname}_t`, layer.tensor.type), type: layer.tensor.type, shape: layer.tensor.shape };
      const ins = layer.inputs.map((n) => scope.get(n)!);
      locals.push(decl(t.typeName, cname, undefined, [size(t.shape)]));
      locals.push(pragma(`ARRAY_PARTITION variable=${cname} complete dim=0`));
      scope.set(layer.name, t);
      if ('network' in layer.op) {
        const callee = layer.op.network;
        if (callee.outputs.length !== 1) throw new HlsUnsupportedError(layer.name, `layer '${layer.name}': a network used as a layer must have one output for the HLS backend`);
        const inner = new Map<string, Tensor>();
        callee.inputs.forEach((inp, k) => {
          const q = `${qname}__${inp.name}`;
          const a: Tensor = { name: q, cname: this.ident(q), typeName: this.typedef(`${q}_t`, inp.tensor.type), type: inp.tensor.type, shape: inp.tensor.shape };
          locals.push(decl(a.typeName, a.cname, undefined, [size(a.shape)]));
          locals.push(pragma(`ARRAY_PARTITION variable=${a.cname} complete dim=0`));
          calls.push(forLoop('i', 0, size(a.shape), [assign(idx(a.cname, 'i'), safe(a.type, idx(ins[k].cname, 'i'), ins[k].type))], unroll));
          inner.set(inp.name, a);
        });
        const result = this.emitNetwork(callee, `${qname}__`, inner, calls, locals, reuses).get(callee.outputs[0])!;
        calls.push(forLoop('i', 0, size(t.shape), [assign(idx(cname, 'i'), safe(t.type, idx(result.cname, 'i'), result.type))], unroll));
        continue;
      }
      const fn = this.ident(`layer_${qname}`);
      this.prefix = prefix;
      const body = this.layerBody(layer, ins, t);
      const params: Param[] = [...ins.map((x, i) => ({ type: x.typeName, name: `x${i}`, dims: [size(x.shape)], qual: 'const' })), { type: t.typeName, name: 'y', dims: [size(t.shape)] }];
      const pragmas: Stmt[] = [pragma('INLINE off'), pragma(`PIPELINE II=${layer.reuse}`)];
      const mults = this.multiplications(layer, ins);
      if (mults > 0 && layer.reuse > 1) pragmas.push(pragma(`ALLOCATION operation instances=mul limit=${Math.ceil(mults / layer.reuse)}`));
      reuses.push(layer.reuse);
      this.funcs.push({ k: 'comment', text: `${qname} = ${layer.opName}(${layer.inputs.join(', ')}) : ${formatApType(layer.tensor.type)}` });
      this.funcs.push({ k: 'func', ret: 'void', qual: 'static', name: fn, params, body: [...pragmas, ...body] });
      this.funcs.push({ k: 'blank' });
      calls.push({ k: 'expr', e: call(fn, ...ins.map((x) => id(x.cname)), id(cname)) });
    }
    return scope;
  }

  /** The exact intermediate types of a layer's expressions must fit QNN Studio's ap_fixed.h (128 bits). */
  private checkExpressions(layer: LayerModel, ins: readonly Tensor[]): void {
    const x = ins[0]?.type;
    const check = (t: FixedType, what: string) => checkWidth(layer.name, t, what);
    const c = layer.consts;
    if (c.weight) {
      const acc = layer.types.accum ?? layer.tensor.type;
      check(productT(x, c.weight.type), 'the product of input and weight');
      check(sumT(acc, acc), 'the accumulator sum');
    }
    if (layer.opName === 'batchnorm') {
      const sType = c.gamma ? c.gamma.type : c.scale.type;
      const oType = c.gamma ? c.beta.type : c.bias.type;
      check(sumT(productT(x, sType), oType), 'x · scale + offset');
    }
    if (layer.opName === 'leaky_relu') check(productT(x, alphaType(Number(layer.params.alpha ?? 0.3))), 'x · alpha');
    if (layer.opName === 'add') check(ins.map((i) => i.type).reduce((a, b) => sumT(a, b)), 'the sum');
    if (layer.opName === 'softmax') {
      check(productT(layer.types.exp_table, layer.types.inv_table), 'the product of the exponential and reciprocal entries');
      check(sumT(sumT(x, x), fixedType(false, 24, 24)), 'the table index of the difference');
    }
    if (layer.opName === 'sigmoid' || layer.opName === 'tanh') check(productT(x, fixedType(false, 24, 24)), 'the table index');
    if (layer.opName.includes('avgpool')) {
      const acc = layer.types.accum ?? x;
      check(sumT(acc, acc), 'the accumulator sum');
    }
  }

  /** The prefixed name of a layer of the network being emitted (for its types and constants). */
  private q(layer: LayerModel): string {
    return this.prefix + layer.name;
  }

  private multiplications(layer: LayerModel, ins: readonly Tensor[]): number {
    const w = layer.consts.weight;
    if (!w) return 0;
    if (layer.opName === 'dense') return size(ins[0].shape) * (layer.params.units as number);
    return size(layer.tensor.shape) * (size(w.shape) / (w.shape[w.shape.length - 1] * (layer.opName.startsWith('depthwise') ? ins[0].shape[ins[0].shape.length - 1] : 1)));
  }

  private layerBody(layer: LayerModel, ins: readonly Tensor[], out: Tensor): Stmt[] {
    if ('network' in layer.op) throw new Error('internal: network calls are inlined by emitNetwork');
    const op = layer.opName;
    const n = size(out.shape);
    this.checkExpressions(layer, ins);
    const xt = ins[0]?.type;
    /** x0[i] cast to the output type. */
    const xi = (): Expr => safe(out.type, idx('x0', 'i'), xt);
    switch (op) {
      case 'dense':
      case 'conv1d':
      case 'conv2d':
      case 'depthwise_conv1d':
      case 'depthwise_conv2d':
        return this.mac(layer, ins[0]);
      case 'maxpool1d':
      case 'maxpool2d':
      case 'global_maxpool1d':
      case 'global_maxpool2d':
        return this.windowParallel(layer, ins[0]);
      case 'avgpool1d':
      case 'avgpool2d':
      case 'global_avgpool1d':
      case 'global_avgpool2d':
        return this.windowParallel(layer, ins[0]);
      case 'relu':
        return [forLoop('i', 0, n, [ifs(bin('>', idx('x0', 'i'), lit(0)), [assign(idx('y', 'i'), xi())], [assign(idx('y', 'i'), lit(0))])], unroll)];
      case 'relu6': {
        const six = quantizeDouble(out.type, 6);
        return [
          forLoop('i', 0, n, [
            ifs(
              bin('<=', idx('x0', 'i'), lit(0)),
              [assign(idx('y', 'i'), lit(0))],
              [ifs(bin('>=', idx('x0', 'i'), lit(6)), [assign(idx('y', 'i'), valueLiteral(out.type, six.raw, layer.name))], [assign(idx('y', 'i'), xi())])],
            ),
          ], unroll),
        ];
      }
      case 'leaky_relu': {
        const alpha = Number(layer.params.alpha ?? 0.3);
        const aType = alphaType(alpha);
        const a = quantizeDouble(aType, alpha);
        const aName = this.typedef(`${this.q(layer)}_alpha_t`, aType);
        return [
          decl(aName, 'alpha', valueLiteral(aType, a.raw, layer.name), undefined, 'const'),
          forLoop('i', 0, n, [ifs(bin('>=', idx('x0', 'i'), lit(0)), [assign(idx('y', 'i'), xi())], [assign(idx('y', 'i'), safe(out.type, mul(idx('x0', 'i'), id('alpha')), productT(xt, aType)))])], unroll),
        ];
      }
      case 'linear':
      case 'flatten':
      case 'reshape':
        return [forLoop('i', 0, n, [assign(idx('y', 'i'), xi())], unroll)];
      case 'batchnorm':
        return this.batchnorm(layer, ins[0], out);
      case 'sigmoid':
      case 'tanh':
        return this.table(layer, ins[0], out);
      case 'softmax':
        return this.softmax(layer, ins[0], out);
      case 'add': {
        const sum = ins.map((_, k) => idx(`x${k}`, 'i')).reduce((a, b) => add(a, b));
        const sumType = ins.map((x) => x.type).reduce((a, b) => sumT(a, b));
        return [forLoop('i', 0, n, [assign(idx('y', 'i'), safe(out.type, sum, sumType))], unroll)];
      }
      case 'concat':
        return this.concat(layer, ins, out);
      default:
        throw new HlsUnsupportedError(layer.name, `layer '${layer.name}': the HLS backend does not implement ${op} yet`);
    }
  }

  /** dense, conv1d/2d, depthwise: acc = cast_A(bias); acc = cast_A(acc + cast_A(x · w)) in the weight's order; y = cast_Y(acc). */
  private mac(layer: LayerModel, x: Tensor): Stmt[] {
    if (layer.opName !== 'dense') return this.windowParallel(layer, x);
    const w = layer.consts.weight;
    const wq = quantizeValues(w.type, w.values());
    const wArr = this.constArray(this.q(layer), 'weight', w.type, wq.raws);
    const accType = layer.types.accum ?? layer.tensor.type;
    const acc = this.typedef(`${this.q(layer)}_accum_t`, accType);
    const C = x.shape[x.shape.length - 1];
    const O = layer.params.units as number;
    const biasAt = this.biasAccess(layer, accType);
    const prodType = productT(x.type, w.type);
    const P = size(x.shape) / C;
    return [
      forLoop('p', 0, P, [
        forLoop('o', 0, O, [
          decl(acc, 'acc', biasAt(id('o'))),
          forLoop('c', 0, C, macStep(acc, idx('x0', add(mul(id('p'), lit(C)), id('c'))), idx(wArr.array, add(mul(id('c'), lit(O)), id('o'))), accType, prodType), unroll),
          assign(idx('y', add(mul(id('p'), lit(O)), id('o'))), safe(layer.tensor.type, id('acc'), accType)),
        ], unroll),
      ], unroll),
    ];
  }

  /** The bias of a layer (a constant array), or 0, to be assigned to the accumulator. */
  private biasAccess(layer: LayerModel, accType: FixedType): (o: Expr) => Expr {
    const b = layer.consts.bias;
    const biasArr = b ? this.constArray(this.q(layer), 'bias', b.type, quantizeValues(b.type, b.values()).raws).array : undefined;
    return (o: Expr): Expr => (biasArr && b ? safe(accType, idx(biasArr, o), b.type) : lit(0));
  }

  /** A window layer in io parallel: the output pixels in raster order over the whole input array. */
  private windowParallel(layer: LayerModel, x: Tensor): Stmt[] {
    const win = this.windowLayer(layer, x);
    const { g, C, O } = win;
    const io: WindowIo = {
      src: (iy, ix, c) => idx('x0', add(mul(add(mul(iy, lit(g.W)), ix), lit(C)), c)),
      dst: (o) => idx('y', add(mul(add(mul(id('oy'), lit(g.OW)), id('ox')), lit(O)), o)),
    };
    return [forLoop('oy', 0, g.OH, [forLoop('ox', 0, g.OW, win.pixel(io), unroll)], unroll)];
  }

  /**
   * A convolution or pooling layer as one output pixel at (oy, ox) (C++ int variables in scope): its geometry, its
   * input channels C and output channels O, and the statements computing every channel of the pixel, reading and
   * writing through `io` (an array in io parallel, a line buffer and a pixel in io stream).
   */
  windowLayer(layer: LayerModel, x: Tensor): { g: WindowGeometry; C: number; O: number; pixel: (io: WindowIo) => Stmt[] } {
    const op = layer.opName;
    if (op.includes('pool')) {
      const { g, C } = this.poolGeometry(layer, x);
      return { g, C, O: C, pixel: op.includes('avg') ? this.avgPoolPixel(layer, x, g, C) : this.maxPoolPixel(x, layer.tensor.type, g, C) };
    }
    const w = layer.consts.weight;
    const wq = quantizeValues(w.type, w.values());
    const wArr = this.constArray(this.q(layer), 'weight', w.type, wq.raws);
    const accType = layer.types.accum ?? layer.tensor.type;
    const acc = this.typedef(`${this.q(layer)}_accum_t`, accType);
    const prodType = productT(x.type, w.type);
    const C = x.shape[x.shape.length - 1];
    const depthwise = op.startsWith('depthwise');
    const O = depthwise ? C * ((layer.params.multiplier as number | undefined) ?? 1) : (layer.params.filters as number);
    const biasAt = this.biasAccess(layer, accType);
    const spatial = op.endsWith('1d') ? 1 : 2;
    const g = windowGeometry(x.shape, spatial, ints(layer.params.kernel, spatial, 1), ints(layer.params.stride, spatial, 1), String(layer.params.padding ?? 'valid'));
    const M = depthwise ? O / C : 1;
    const pixel = (io: WindowIo): Stmt[] => {
      const xv = io.src(id('iy'), id('ix'), id('c'));
      const tapBody = (o: Expr): Stmt[] =>
        depthwise
          ? macStep(acc, xv, idx(wArr.array, add(mul(add(mul(add(mul(id('ky'), lit(g.KW)), id('kx')), lit(C)), id('c')), lit(M)), id('m'))), accType, prodType)
          : [forLoop('c', 0, C, macStep(acc, xv, idx(wArr.array, add(mul(add(mul(add(mul(id('ky'), lit(g.KW)), id('kx')), lit(C)), id('c')), lit(O)), o)), accType, prodType), unroll)];
      const perOutput = (o: Expr): Stmt[] => [decl(acc, 'acc', biasAt(o)), windowLoops(g, tapBody(o)), assign(io.dst(o), safe(layer.tensor.type, id('acc'), accType))];
      return [
        depthwise
          ? forLoop('c', 0, C, [forLoop('m', 0, M, [decl('int', 'o', add(mul(id('c'), lit(M)), id('m'))), ...perOutput(id('o'))], unroll)], unroll)
          : forLoop('o', 0, O, perOutput(id('o')), unroll),
      ];
    };
    return { g, C, O, pixel };
  }

  private poolGeometry(layer: LayerModel, x: Tensor): { g: WindowGeometry; C: number } {
    const op = layer.opName;
    const spatial = op.endsWith('1d') ? 1 : 2;
    const inH = spatial === 1 ? 1 : x.shape[0];
    const inW = spatial === 1 ? x.shape[0] : x.shape[1];
    const g = op.startsWith('global_')
      ? { H: inH, W: inW, KH: inH, KW: inW, SH: 1, SW: 1, PT: 0, PL: 0, OH: 1, OW: 1 }
      : windowGeometry(x.shape, spatial, ints(layer.params.pool, spatial, 2), ints(layer.params.stride, spatial, 2), String(layer.params.padding ?? 'valid'));
    return { g, C: x.shape[spatial] };
  }

  /**
   * Average pooling: acc = cast_A(acc + cast_A(x)) over the valid taps, then the exact quotient acc / n_valid rounded
   * once by Y's quantization mode (on 64-bit integers: the raw of acc over n_valid), then Y's overflow mode.
   */
  private avgPoolPixel(layer: LayerModel, x: Tensor, g: WindowGeometry, C: number): (io: WindowIo) => Stmt[] {
    const accType = layer.types.accum ?? x.type;
    const acc = this.typedef(`${this.q(layer)}_accum_t`, accType);
    const finish = this.avgFinish(layer, accType, g.KH * g.KW);
    return (io) => [
      forLoop('c', 0, C, [
        decl(acc, 'acc', lit(0)),
        decl('int', 'nv', lit(0)),
        windowLoops(g, [decl(acc, 'xa', safe(accType, io.src(id('iy'), id('ix'), id('c')), x.type)), assign(id('acc'), add(id('acc'), id('xa'))), assign(id('nv'), add(id('nv'), lit(1)))]),
        ...finish(io.dst(id('c'))),
      ], unroll),
    ];
  }

  /** The rounded division of an average (variables acc and nv in scope) assigned to `dst`. */
  avgFinish(layer: LayerModel, accType: FixedType, window: number): (dst: Expr) => Stmt[] {
    const resType = layer.tensor.type;
    const k = fracBits(resType) - fracBits(accType);
    const numBits = accType.width + 1 + Math.max(k, 0);
    const denBits = Math.ceil(Math.log2(window + 1)) + Math.max(-k, 0) + 2;
    if (numBits > 62 || denBits > 62) {
      throw new HlsUnsupportedError(layer.name, `layer '${layer.name}': ${layer.opName} needs ${Math.max(numBits, denBits)}-bit integers for its rounded division; the HLS backend supports up to 62`);
    }
    const rule = roundRule(resType.quant);
    return (dst) => [
      decl(`ap_fixed<${accType.width + 1}, ${accType.width + 1}>`, 'r', mul(id('acc'), powerOfTwo(fracBits(accType)))),
      decl('long long', 'num', mul(call('r.to_int64'), lit(`${2 ** Math.max(k, 0)}LL`))),
      decl('long long', 'den', mul(un('(long long)', id('nv')), lit(`${2 ** Math.max(-k, 0)}LL`))),
      decl('long long', 'q', bin('/', id('num'), id('den'))),
      decl('long long', 'rem', bin('%', id('num'), id('den'))),
      ifs(bin('<', id('rem'), lit(0)), [assign(id('q'), bin('-', id('q'), lit(1))), assign(id('rem'), add(id('rem'), id('den')))]),
      decl('bool', 'qb', bin('>=', mul(lit(2), id('rem')), id('den'))),
      decl('bool', 'rb', cond(id('qb'), bin('>', mul(lit(2), id('rem')), id('den')), bin('>', id('rem'), lit(0)))),
      decl('bool', 's', bin('<', id('num'), lit(0))),
      decl('bool', 'lsb', bin('!=', bin('&', id('q'), lit(1)), lit(0))),
      { k: 'expr', e: call('(void)', id('s')) },
      { k: 'expr', e: call('(void)', id('lsb')) },
      { k: 'expr', e: call('(void)', id('rb')) },
      ifs(rule, [assign(id('q'), add(id('q'), lit(1)))]),
      decl('ap_fixed<64, 64>', 'qf', id('q')),
      assign(dst, mul(id('qf'), powerOfTwo(-fracBits(resType)))),
    ];
  }

  private maxPoolPixel(x: Tensor, outType: FixedType, g: WindowGeometry, C: number): (io: WindowIo) => Stmt[] {
    return (io) => {
      const xv = io.src(id('iy'), id('ix'), id('c'));
      return [
        forLoop('c', 0, C, [
          decl(x.typeName, 'm', lit(0)),
          decl('bool', 'have', lit('false')),
          windowLoops(g, [ifs(bin('||', un('!', id('have')), bin('>', xv, id('m'))), [assign(id('m'), xv)]), assign(id('have'), lit('true'))]),
          assign(io.dst(id('c')), safe(outType, id('m'), x.type)),
        ], unroll),
      ];
    };
  }

  /** y = cast_Y(x · s[c] + o[c]), the product and the sum exact. */
  private batchnorm(layer: LayerModel, x: Tensor, out: Tensor): Stmt[] {
    const { sType, oType, s, o } = batchnormCoefficients(layer);
    const sArr = this.constArray(this.q(layer), 'scale', sType, s);
    const oArr = this.constArray(this.q(layer), 'offset', oType, o);
    const C = out.shape[out.shape.length - 1];
    const P = size(out.shape) / C;
    const i = add(mul(id('p'), lit(C)), id('c'));
    const from = sumT(productT(x.type, sType), oType);
    return [forLoop('p', 0, P, [forLoop('c', 0, C, [assign(idx('y', i), safe(out.type, add(mul(idx('x0', i), idx(sArr.array, 'c')), idx(oArr.array, 'c')), from))], unroll)], unroll)];
  }

  /** sigmoid, tanh: y = cast_Y(table[clamp(trunc(x · N / R) + N/2, 0, N − 1)]). */
  private table(layer: LayerModel, x: Tensor, out: Tensor): Stmt[] {
    const fn = layer.opName === 'sigmoid' ? 'sigmoid' : 'tanh';
    const N = Number(layer.settings.table ?? 1024);
    const t = activationTable(fn, N, layer.types.table_type);
    const tab = this.constArray(this.q(layer), 'table', t.type, t.raws);
    const b = Math.log2(N);
    const s = b - Math.log2(t.range);
    // trunc toward zero of x · 2^s, saturated to b + 2 bits (beyond, the clamped index is the same).
    const tType = `ap_fixed<${b + 2}, ${b + 2}, AP_TRN_ZERO, AP_SAT>`;
    return [
      forLoop('i', 0, size(out.shape), [
        decl(tType, 't', safe(fixedType(true, b + 2, b + 2, 'TRN_ZERO', 'SAT'), mul(idx('x0', 'i'), powerOfTwo(s)), productT(x.type, powerType(s)))),
        decl('int', 'k', add(call('t.to_int'), lit(N / 2))),
        ifs(bin('<', id('k'), lit(0)), [assign(id('k'), lit(0))]),
        ifs(bin('>', id('k'), lit(N - 1)), [assign(id('k'), lit(N - 1))]),
        assign(idx('y', 'i'), safe(out.type, idx(tab.array, 'k'), t.type)),
      ], unroll),
    ];
  }

  private softmax(layer: LayerModel, x: Tensor, out: Tensor): Stmt[] {
    const shape = out.shape;
    const L = shape[shape.length - 1];
    const V = size(shape) / L;
    const N = Number(layer.settings.table ?? 1024);
    const stable = (layer.settings.implementation ?? 'stable') !== 'latency';
    const t = softmaxTables(N, L, stable, layer.types.exp_table, layer.types.inv_table);
    const expArr = this.constArray(this.q(layer), 'exp_table', t.expType, t.exp);
    const invArr = this.constArray(this.q(layer), 'inv_table', t.invType, t.inv);
    const extra = L <= 1 ? 0 : Math.ceil(Math.log2(L));
    const sumT = this.typedef(`${this.q(layer)}_sum_t`, fixedType(t.expType.signed, t.expType.width + extra, t.expType.intBits + extra));
    const b = Math.log2(N);
    const xi = add(mul(id('v'), lit(L)), id('i'));
    const clampK = (lo: boolean): Stmt[] => [
      ...(lo ? [ifs(bin('<', id('k'), lit(0)), [assign(id('k'), lit(0))])] : []),
      ifs(bin('>', id('k'), lit(N - 1)), [assign(id('k'), lit(N - 1))]),
    ];
    const expIndex: Stmt[] = stable
      ? [decl(`ap_ufixed<${b + 1}, ${b + 1}, AP_TRN, AP_SAT>`, 't', mul(bin('-', id('m'), idx('x0', xi)), powerOfTwo(b - 3))), decl('int', 'k', call('t.to_int')), ...clampK(false)]
      : [decl(`ap_fixed<${b + 2}, ${b + 2}, AP_TRN, AP_SAT>`, 't', mul(idx('x0', xi), powerOfTwo(b - 4))), decl('int', 'k', add(call('t.to_int'), lit(N / 2))), ...clampK(true)];
    const body: Stmt[] = [];
    if (stable) {
      body.push(decl(x.typeName, 'm', idx('x0', mul(id('v'), lit(L)))));
      body.push(forLoop('i', 1, L, [ifs(bin('>', idx('x0', xi), id('m')), [assign(id('m'), idx('x0', xi))])], unroll));
    }
    body.push(decl(this.typedefName(layer, 'exp_table'), 'e', undefined, [L]));
    body.push(decl(sumT, 's', lit(0)));
    body.push(forLoop('i', 0, L, [{ k: 'block', body: [...expIndex, assign(idx('e', 'i'), idx(expArr.array, 'k'))] }, assign(id('s'), add(id('s'), idx('e', 'i')))], unroll));
    body.push(decl(`ap_fixed<${b + 2}, ${b + 2}, AP_TRN, AP_SAT>`, 'ts', mul(id('s'), powerOfTwo(b - t.r))));
    body.push(decl('int', 'k', call('ts.to_int')));
    body.push(...clampK(true));
    body.push(decl(this.typedefName(layer, 'inv_table'), 'inv', idx(invArr.array, 'k')));
    body.push(forLoop('i', 0, L, [assign(idx('y', xi), safe(out.type, mul(idx('e', 'i'), id('inv')), productT(t.expType, t.invType)))], unroll));
    return [forLoop('v', 0, V, body, unroll)];
  }

  private typedefName(layer: LayerModel, what: string): string {
    // constArray declared `<layer>_<what>_t`; identifiers are unique, so look it up in the typedef list.
    const want = `${this.q(layer)}_${what}_t`.replace(/[^A-Za-z0-9_]/g, '_');
    for (const d of this.typedefs) if (d.k === 'typedef' && (d.name === want || d.name === `n_${want}`)) return d.name;
    throw new Error(`internal: no typedef ${want}`);
  }

  private concat(layer: LayerModel, ins: readonly Tensor[], out: Tensor): Stmt[] {
    const shape = out.shape;
    const rank = shape.length;
    const axisRaw = Number(layer.params.axis ?? -1);
    const axis = axisRaw < 0 ? rank + axisRaw : axisRaw;
    const outer = size(shape.slice(0, axis));
    const inner = size(shape.slice(axis + 1));
    const blocks = ins.map((x) => x.shape[axis] * inner);
    const total = blocks.reduce((a, b) => a + b, 0);
    const body: Stmt[] = [];
    let off = 0;
    ins.forEach((x, k) => {
      body.push(forLoop('j', 0, blocks[k], [assign(idx('y', add(add(mul(id('r'), lit(total)), lit(off)), id('j'))), safe(out.type, idx(`x${k}`, add(mul(id('r'), lit(blocks[k])), id('j'))), x.type))], unroll));
      off += blocks[k];
    });
    return [forLoop('r', 0, outer, body, unroll)];
  }

  private testbench(inputs: readonly Tensor[], outs: readonly Tensor[], vecIn: ReadonlyMap<string, string>, vecOut: ReadonlyMap<string, string>, pixels?: ReadonlyMap<string, Pixels>): string {
    for (const t of [...inputs, ...outs]) {
      if (t.type.width > 53) throw new HlsUnsupportedError(t.name, `'${t.name}': the C testbench exchanges raws through doubles; ${formatApType(t.type)} is wider than 53 bits`);
    }
    const body: Stmt[] = [
      decl('const char *', 'dir', cond(bin('>', id('argc'), lit(1)), idx('argv', 1), lit('"."'))),
      decl('char', 'path', undefined, [4096]),
    ];
    const files: { f: string; t: Tensor; file: string }[] = [
      ...inputs.map((t, i) => ({ f: `fin${i}`, t, file: vecIn.get(t.name)! })),
      ...outs.map((t, i) => ({ f: `fout${i}`, t, file: vecOut.get(t.name)! })),
    ];
    for (const { f, file } of files) {
      body.push({ k: 'expr', e: call('std::snprintf', id('path'), call('sizeof', id('path')), lit('"%s/%s"'), id('dir'), lit(`"${file}"`)) });
      body.push(decl('FILE *', f, call('std::fopen', id('path'), lit('"r"'))));
      body.push(ifs(un('!', id(f)), [{ k: 'expr', e: call('std::fprintf', id('stderr'), lit('"cannot open %s\\n"'), id('path')) }, { k: 'return', e: lit(2) }]));
    }
    body.push(decl('long', 'samples', lit(0)), decl('long', 'mismatches', lit(0)));
    const loop: Stmt[] = [];
    inputs.forEach((t, i) => {
      const n = size(t.shape);
      loop.push(decl('long long', `rx${i}`, undefined, [n]));
      loop.push(ifs(un('!', call('read_row', id(`fin${i}`), id(`rx${i}`), lit(n))), [{ k: 'break' }]));
    });
    inputs.forEach((t, i) => {
      loop.push(decl(t.typeName, `x${i}`, undefined, [size(t.shape)]));
      loop.push(forLoop('j', 0, size(t.shape), [assign(idx(`x${i}`, 'j'), call('std::ldexp', un('(double)', idx(`rx${i}`, 'j')), lit(-fracBits(t.type))))]));
    });
    outs.forEach((t, i) => {
      const n = size(t.shape);
      loop.push(decl(t.typeName, `y${i}`, undefined, [n]));
      loop.push(decl('long long', `ry${i}`, undefined, [n]));
      loop.push(ifs(un('!', call('read_row', id(`fout${i}`), id(`ry${i}`), lit(n))), [{ k: 'expr', e: call('std::fprintf', id('stderr'), lit(`"${vecOut.get(t.name)}: missing expected values for sample %ld\\n"`), id('samples')) }, { k: 'return', e: lit(2) }]));
    });
    if (pixels) {
      // io stream: each sample as pixels into fresh streams; every output pixel read back, none missing or extra.
      const report = (fmt: string, ...args: Expr[]): Stmt[] => [
        assign(id('mismatches'), add(id('mismatches'), lit(1))),
        { k: 'expr', e: call('std::printf', lit(`"${fmt}\\n"`), ...args) },
      ];
      inputs.forEach((t, i) => {
        const { px, C, P } = pixels.get(t.name)!;
        loop.push(decl(`hls::stream<${px}>`, `sx${i}`));
        loop.push(
          forLoop('p', 0, P, [
            decl(px, 'v'),
            forLoop('c', 0, C, [assign(idx(member(id('v'), 'data'), id('c')), idx(`x${i}`, add(mul(id('p'), lit(C)), id('c'))))]),
            { k: 'expr', e: call(`sx${i}.write`, id('v')) },
          ]),
        );
      });
      outs.forEach((t, i) => loop.push(decl(`hls::stream<${pixels.get(t.name)!.px}>`, `sy${i}`)));
      loop.push({ k: 'expr', e: call(this.top, ...inputs.map((_, i) => id(`sx${i}`)), ...outs.map((_, i) => id(`sy${i}`))) });
      outs.forEach((t, i) => {
        const { px, C, P } = pixels.get(t.name)!;
        loop.push(
          forLoop('p', 0, P, [
            ifs(call(`sy${i}.empty`), [...report(`sample %ld: ${t.name}: %d of ${P} pixels written`, id('samples'), id('p')), { k: 'break' }]),
            decl(px, 'v', call(`sy${i}.read`)),
            forLoop('c', 0, C, [assign(idx(`y${i}`, add(mul(id('p'), lit(C)), id('c'))), idx(member(id('v'), 'data'), id('c')))]),
          ]),
          ifs(un('!', call(`sy${i}.empty`)), report(`sample %ld: ${t.name}: more than ${P} pixels written`, id('samples'))),
        );
      });
      inputs.forEach((t, i) => loop.push(ifs(un('!', call(`sx${i}.empty`)), report(`sample %ld: ${t.name}: not every input pixel was read`, id('samples')))));
    } else {
      loop.push({ k: 'expr', e: call(this.top, ...inputs.map((_, i) => id(`x${i}`)), ...outs.map((_, i) => id(`y${i}`))) });
    }
    outs.forEach((t, i) => {
      loop.push(
        forLoop('j', 0, size(t.shape), [
          decl('long long', 'got', un('(long long)', call('std::ldexp', call(`y${i}[j].to_double`), lit(fracBits(t.type))))),
          ifs(bin('!=', id('got'), idx(`ry${i}`, 'j')), [
            assign(id('mismatches'), add(id('mismatches'), lit(1))),
            ifs(bin('<=', id('mismatches'), lit(10)), [
              { k: 'expr', e: call('std::printf', lit(`"mismatch: sample %ld ${t.name}[%d]: got %lld, expected %lld\\n"`), id('samples'), id('j'), id('got'), idx(`ry${i}`, 'j')) },
            ]),
          ]),
        ]),
      );
    });
    loop.push(assign(id('samples'), add(id('samples'), lit(1))));
    body.push({ k: 'while', cond: lit('true'), body: loop });
    body.push({ k: 'expr', e: call('std::printf', lit('"samples: %ld mismatches: %ld\\n"'), id('samples'), id('mismatches')) });
    body.push({ k: 'return', e: cond(bin('==', id('mismatches'), lit(0)), lit(0), lit(1)) });
    return printFile([
      { k: 'comment', text: `C testbench of ${this.net.name}: reads input raws and expected output raws (decimal or 0x hex integers, one sample\nper line, values separated by blanks) from the folder given as argument (default .), runs the top function on\nevery sample, counts the values that differ, and exits with 1 when any does.` },
      { k: 'include', path: 'cstdio', system: true },
      { k: 'include', path: 'cmath', system: true },
      { k: 'include', path: `${this.top}.h` },
      { k: 'blank' },
      {
        k: 'func',
        ret: 'bool',
        qual: 'static',
        name: 'read_row',
        params: [{ type: 'FILE *', name: 'f' }, { type: 'long long *', name: 'v' }, { type: 'int', name: 'n' }],
        body: [
          forLoop('i', 0, 'n', [ifs(bin('!=', call('std::fscanf', id('f'), lit('"%lli"'), un('&', idx('v', 'i'))), lit(1)), [{ k: 'return', e: lit('false') }])]),
          { k: 'return', e: lit('true') },
        ],
      },
      { k: 'blank' },
      { k: 'func', ret: 'int', name: 'main', params: [{ type: 'int', name: 'argc' }, { type: 'char **', name: 'argv' }], body },
    ]);
  }

  private buildTcl(): string {
    const target = this.net.target?.part;
    const part = target === undefined ? DEFAULT_PART : (FULL_PART[target.toLowerCase()] ?? target);
    const clock = this.net.target?.clockNs ?? 5;
    const notes: string[] = [];
    if (target === undefined) notes.push(`# The network has no target: ${DEFAULT_PART} at 5 ns is assumed.`);
    if (this.net.target?.clockNs === undefined && target !== undefined) notes.push(`# The target gives no clock: 5 ns is assumed.`);
    if (target !== undefined && part !== target) notes.push(`# Target ${target}: the default package and speed grade ${part} is assumed; edit set_part for your board.`);
    if (target !== undefined && /^ice|^lfe|^lcmx/i.test(target)) notes.push(`# Target ${target} is not an AMD part: Vitis HLS will reject set_part; the C simulation (make csim) still applies.`);
    const lines = [
      `# Vitis HLS project for network ${this.net.name} (generated by QNN Studio).`,
      `# Run: vitis_hls -f build.tcl   (C simulation, synthesis, C/RTL co-simulation, IP export)`,
      ...notes,
      `open_project -reset ${this.top}_prj`,
      `set_top ${this.top}`,
      `add_files ${this.top}.cpp -cflags "-std=c++14"`,
      `add_files -tb tb.cpp -cflags "-std=c++14"`,
      `add_files -tb tb_data`,
      `open_solution -reset solution1 -flow_target vivado`,
      `set_part {${part}}`,
      `create_clock -period ${clock} -name default`,
      `csim_design -argv {.}`,
      `csynth_design`,
      `cosim_design -argv {.}`,
      `export_design -format ip_catalog`,
      `exit`,
    ];
    return lines.join('\n') + '\n';
  }
}

const productT = (a: FixedType, b: FixedType): FixedType => fixedType(a.signed || b.signed, a.width + b.width, a.intBits + b.intBits);

function sumT(a: FixedType, b: FixedType): FixedType {
  const i = Math.max(a.intBits + (b.signed && !a.signed ? 1 : 0), b.intBits + (a.signed && !b.signed ? 1 : 0)) + 1;
  return fixedType(a.signed || b.signed, i + Math.max(fracBits(a), fracBits(b)), i);
}

/** QNN Studio's ap_fixed.h holds raws in 128 bits (127 for unsigned types). */
function checkWidth(layer: string | undefined, t: FixedType, what: string): void {
  const max = t.signed ? 128 : 127;
  if (t.width <= max) return;
  const where = layer ? `layer '${layer}'` : 'network input';
  throw new HlsUnsupportedError(layer, `${where}: ${what} needs ${t.width} bits; QNN Studio's ap_fixed.h supports up to ${max} (the HLS backend refuses wider types)`);
}

/** docs/semantics.md section 2: when the quantization mode adds 1 (qb, rb, s, lsb as C++ booleans). */
function roundRule(q: QuantMode): Expr {
  const terms: Record<RoundTerm, Expr> = { qb: id('qb'), r: id('rb'), s: id('s'), '!s': un('!', id('s')), lsb: id('lsb') };
  return renderRoundRule(q, (t) => terms[t], (x, y) => bin('&&', x, y), (x, y) => bin('||', x, y)) ?? lit('false');
}

export interface WindowGeometry {
  readonly H: number;
  readonly W: number;
  readonly KH: number;
  readonly KW: number;
  readonly SH: number;
  readonly SW: number;
  readonly OH: number;
  readonly OW: number;
  /** Padding before the first row and column. */
  readonly PT: number;
  readonly PL: number;
}

/** How a window layer reads its input and writes one output pixel (see `windowLayer`). */
export interface WindowIo {
  /** The input value at (iy, ix, c). */
  readonly src: (iy: Expr, ix: Expr, c: Expr) => Expr;
  /** Output channel o of the pixel (oy, ox) being computed. */
  readonly dst: (o: Expr) => Expr;
}

/** One step of a multiply-accumulate: prod = cast_A(x · w); acc = cast_A(acc + prod). */
function macStep(acc: string, x: Expr, w: Expr, accType: FixedType, prodType: FixedType): Stmt[] {
  return [decl(acc, 'prod', safe(accType, mul(x, w), prodType)), assign(id('acc'), add(id('acc'), id('prod')))];
}

/**
 * `src` (of type `from`) ready to be assigned to a variable of type `to`. The vendor's headers read the first dropped
 * bit of a rounding cast before checking that it exists (an assertion fails when the cast drops more fractional bits
 * than the source is wide); such a source is first widened by integer bits, which keeps its value, so that the cast
 * gives the same bits and the vendor's headers accept it.
 */
export function safe(to: FixedType, src: Expr, from: FixedType): Expr {
  const drop = fracBits(from) - fracBits(to);
  const rounds = to.quant !== 'TRN' && !(to.quant === 'TRN_ZERO' && !from.signed);
  if (!rounds || drop <= from.width) return src;
  const k = drop - from.width;
  return call(`${from.signed ? 'ap_fixed' : 'ap_ufixed'}<${from.width + k}, ${from.intBits + k}>`, src);
}

/** The type of powerOfTwo(s). */
function powerType(s: number): FixedType {
  return s >= 0 ? fixedType(false, s + 1, s + 1) : fixedType(false, -s, 0);
}

/** The valid taps of the window of output (oy, ox): iy, ix declared, the body run where the tap is inside the input. */
function windowLoops(g: WindowGeometry, body: readonly Stmt[]): Stmt {
  return forLoop('ky', 0, g.KH, [
    forLoop('kx', 0, g.KW, [
      decl('int', 'iy', add(bin('-', mul(id('oy'), lit(g.SH)), lit(g.PT)), id('ky'))),
      decl('int', 'ix', add(bin('-', mul(id('ox'), lit(g.SW)), lit(g.PL)), id('kx'))),
      ifs(and(inRange('iy', g.H), inRange('ix', g.W)), body),
    ], unroll),
  ], unroll);
}

/** Window geometry as docs/semantics.md section 5 (a 1-D layer is a 2-D layer of height 1). */
export function windowGeometry(inShape: readonly number[], spatial: number, kernel: readonly number[], stride: readonly number[], padding: string): WindowGeometry {
  const [H, W] = spatial === 1 ? [1, inShape[0]] : [inShape[0], inShape[1]];
  const [KH, KW] = spatial === 1 ? [1, kernel[0]] : [kernel[0], kernel[1]];
  const [SH, SW] = spatial === 1 ? [1, stride[0]] : [stride[0], stride[1]];
  const same = (n: number, k: number, s: number) => {
    const out = Math.ceil(n / s);
    return { out, before: Math.floor(Math.max((out - 1) * s + k - n, 0) / 2) };
  };
  if (padding === 'same') {
    const v = same(H, KH, SH);
    const h = same(W, KW, SW);
    return { H, W, KH, KW, SH, SW, OH: v.out, OW: h.out, PT: v.before, PL: h.before };
  }
  return { H, W, KH, KW, SH, SW, OH: Math.floor((H - KH) / SH) + 1, OW: Math.floor((W - KW) / SW) + 1, PT: 0, PL: 0 };
}

/** Generates the Vitis HLS C++ project of a complete io-parallel network; throws HlsUnsupportedError naming the layer otherwise. */
export function generateHls(net: NetworkModel): HlsProject {
  return new Generator(net).generate();
}
