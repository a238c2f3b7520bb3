// A network compiled for one simulation: a buffer per node, a kernel per layer, run chunk by chunk of rows.
import type { FixedType, InputModel, LayerModel, NetworkModel } from '@qnn/language';
import { BigCaster, NumberCaster, NumberQuantizer, quantizeBig, type OverflowSink } from '../fixed/cast.js';
import { NUMBER_BITS } from '../fixed/types.js';
import { compileLayer } from './compile.js';
import type { ConstCache } from './consts.js';
import type { Kernel, View } from './kernel.js';
import { size } from './layer-context.js';
import type { Path, Raws } from './ops.js';
import { OverflowCounter, type InputResult, type LayerResult, type NetworkResult, type OverflowStats, type RawTensor } from './result.js';

export interface PlanEnv {
  readonly consts: ConstCache;
  readonly forceBigInt: boolean;
  readonly wasm: boolean;
  readonly rows: number;
  readonly chunkRows: number;
  readonly keepLayers: boolean;
}

/** The values of one node: every row (full) or the rows of the current chunk. */
export class Buf {
  readonly size: number;
  readonly path: Path;
  readonly data: Raws;
  constructor(
    readonly name: string,
    readonly type: FixedType,
    readonly shape: readonly number[],
    readonly full: boolean,
    env: PlanEnv,
  ) {
    this.size = size(shape);
    this.path = env.forceBigInt || type.width > NUMBER_BITS ? 'bigint' : 'number';
    const n = (full ? env.rows : Math.min(env.chunkRows, env.rows)) * this.size;
    this.data = this.path === 'number' ? new Float64Array(n) : new Array<bigint>(n).fill(0n);
  }

  view(row0: number): View {
    return { data: this.data, base: this.full ? row0 * this.size : 0 };
  }

  tensor(rows: number): RawTensor | undefined {
    return this.full ? { type: this.type, shape: this.shape, rows, data: this.data } : undefined;
  }
}

interface Step {
  readonly layer: LayerModel;
  readonly ins: readonly Buf[];
  readonly out: Buf;
  readonly kernel: Kernel;
  readonly counter: OverflowCounter;
  readonly constOverflows: number;
  /** For a network used as a layer. */
  readonly call?: CallKernel;
}

export class Plan {
  readonly inputs: { readonly model: InputModel; readonly buf: Buf; readonly counter: OverflowCounter }[];
  private readonly bufs = new Map<string, Buf>();
  private readonly steps: Step[] = [];

  constructor(
    readonly net: NetworkModel,
    private readonly env: PlanEnv,
    /** Nodes whose every row is kept (besides all of them with keepLayers). */
    keep: ReadonlySet<string>,
  ) {
    const full = (name: string) => env.keepLayers || keep.has(name);
    this.inputs = net.inputs.map((model) => {
      const buf = new Buf(model.name, model.tensor.type, model.tensor.shape, full(model.name), env);
      this.bufs.set(model.name, buf);
      return { model, buf, counter: new OverflowCounter() };
    });
    for (const layer of net.layers) {
      const ins = layer.inputs.map((n) => {
        const b = this.bufs.get(n);
        if (!b) throw new Error(`layer '${layer.name}' reads '${n}', which has no values`);
        return b;
      });
      const out = new Buf(layer.name, layer.tensor.type, layer.tensor.shape, full(layer.name), env);
      this.bufs.set(layer.name, out);
      const counter = new OverflowCounter();
      if ('network' in layer.op) {
        const call = new CallKernel(layer.op.network, ins, env, counter);
        this.steps.push({ layer, ins, out, kernel: call, counter, constOverflows: 0, call });
      } else {
        const c = compileLayer({ layer, inputs: ins.map((b) => ({ type: b.type, shape: b.shape })), consts: env.consts, counter, forceBigInt: env.forceBigInt, wasm: env.wasm }, layer.op);
        this.steps.push({ layer, ins, out, kernel: c.kernel, counter, constOverflows: c.constOverflows });
      }
    }
  }

  buf(name: string): Buf {
    return this.bufs.get(name)!;
  }

  /** Runs every layer on rows row0 … row0 + rows − 1 (the input buffers hold them already). */
  runLayers(row0: number, rows: number): void {
    for (const s of this.steps) runKernel(s.kernel, s.ins, s.out, row0, rows);
  }

  result(): NetworkResult {
    const rows = this.env.rows;
    const inputs = new Map<string, InputResult>();
    for (const i of this.inputs) inputs.set(i.model.name, { name: i.model.name, tensor: i.buf.tensor(rows), overflow: i.counter.stats() });
    const layers = new Map<string, LayerResult>();
    for (const s of this.steps) {
      let overflow = s.counter.stats();
      let network: NetworkResult | undefined;
      let path = s.kernel.path;
      if (s.call) {
        network = s.call.plan.result();
        overflow = mergeStats([overflow, ...[...network.layers.values()].map((l) => l.overflow)]);
        path = [...network.layers.values()].some((l) => l.path === 'bigint') ? 'bigint' : 'number';
      }
      layers.set(s.layer.name, {
        name: s.layer.name,
        op: s.layer.opName,
        path,
        tensor: s.out.tensor(rows),
        overflow,
        constOverflows: s.constOverflows + (network ? [...network.layers.values()].reduce((a, l) => a + l.constOverflows, 0) : 0),
        ...(network ? { network } : {}),
      });
    }
    const outputs = new Map<string, RawTensor>();
    for (const o of this.net.outputs) {
      const t = this.bufs.get(o)?.tensor(rows);
      if (t) outputs.set(o, t);
    }
    return { network: this.net.name, rows, inputs, layers, outputs };
  }
}

/** Runs a kernel on a chunk, converting views between numbers and BigInts where the kernel's path needs it. */
function runKernel(kernel: Kernel, ins: readonly Buf[], out: Buf, row0: number, rows: number): void {
  const inViews = ins.map((b) => (kernel.path === 'bigint' && b.path === 'number' ? toBig(b.view(row0), rows * b.size) : b.view(row0)));
  const outView = out.view(row0);
  if (kernel.path === 'bigint' && out.path === 'number') {
    const tmp: View = { data: new Array<bigint>(rows * out.size).fill(0n), base: 0 };
    kernel.run(inViews, tmp, rows, row0);
    const src = tmp.data as bigint[];
    const dst = outView.data as Float64Array;
    for (let i = 0; i < src.length; i++) dst[outView.base + i] = Number(src[i]);
  } else {
    kernel.run(inViews, outView, rows, row0);
  }
}

function toBig(v: View, n: number): View {
  const src = v.data as Float64Array;
  const data = new Array<bigint>(n);
  for (let i = 0; i < n; i++) data[i] = BigInt(src[v.base + i]);
  return { data, base: 0 };
}

/** A network used as a layer: its inputs are cast to the called network's input types, then it runs inline. */
class CallKernel implements Kernel {
  readonly path: Path;
  readonly plan: Plan;
  private readonly casts: ((src: View, dst: View, n: number, row0: number, size: number) => void)[];

  constructor(net: NetworkModel, callerIns: readonly Buf[], env: PlanEnv, counter: OverflowCounter) {
    this.plan = new Plan(net, env, new Set());
    const sink = counter.sink('input');
    this.casts = this.plan.inputs.map((inp, k) => castBetween(callerIns[k], inp.buf, sink));
    this.path = 'number'; // views are passed as they are; each cast converts as it needs
  }

  run(ins: readonly View[], out: View, rows: number, row0: number): void {
    this.plan.inputs.forEach((inp, k) => this.casts[k](ins[k], inp.buf.view(row0), rows, row0, inp.buf.size));
    this.plan.runLayers(row0, rows);
    const src = this.plan.buf(this.plan.net.outputs[0]).view(row0);
    const n = rows * size(this.plan.buf(this.plan.net.outputs[0]).shape);
    for (let i = 0; i < n; i++) (out.data as unknown[])[out.base + i] = (src.data as unknown[])[src.base + i];
  }
}

/** A cast of a whole chunk from one buffer's type and representation to another's. */
function castBetween(from: Buf, to: Buf, sink: OverflowSink): (src: View, dst: View, n: number, row0: number, size: number) => void {
  if (from.path === 'number' && to.path === 'number') {
    const c = new NumberCaster(from.type, to.type, sink);
    return (src, dst, n, row0, sz) => {
      const s = src.data as Float64Array;
      const d = dst.data as Float64Array;
      for (let r = 0; r < n; r++) for (let i = 0; i < sz; i++) d[dst.base + r * sz + i] = c.cast(s[src.base + r * sz + i], row0 + r);
    };
  }
  const c = new BigCaster(from.type, to.type, sink);
  return (src, dst, n, row0, sz) => {
    for (let r = 0; r < n; r++) {
      for (let i = 0; i < sz; i++) {
        const v = src.data[src.base + r * sz + i];
        const y = c.cast(typeof v === 'bigint' ? v : BigInt(v), row0 + r);
        if (to.path === 'number') (dst.data as Float64Array)[dst.base + r * sz + i] = Number(y);
        else (dst.data as bigint[])[dst.base + r * sz + i] = y;
      }
    }
  };
}

/** Quantizes rows of input doubles into an input buffer (exact; the input type's modes). */
export function quantizeInput(buf: Buf, values: Float64Array, row0: number, rows: number, sink: OverflowSink): void {
  const v = buf.view(row0);
  const n = buf.size;
  if (buf.path === 'number') {
    const q = new NumberQuantizer(buf.type, sink);
    const d = v.data as Float64Array;
    for (let r = 0; r < rows; r++) for (let i = 0; i < n; i++) d[v.base + r * n + i] = q.quantize(values[(row0 + r) * n + i], row0 + r);
  } else {
    const d = v.data as bigint[];
    for (let r = 0; r < rows; r++) for (let i = 0; i < n; i++) d[v.base + r * n + i] = quantizeBig(buf.type, values[(row0 + r) * n + i], sink, row0 + r);
  }
}

/** Sums overflow statistics (a called network's layers into the call). */
export function mergeStats(all: readonly OverflowStats[]): OverflowStats {
  const c = new OverflowCounter();
  for (const s of all) c.addStats(s);
  return c.stats();
}
