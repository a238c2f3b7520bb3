// The int32 multiply-accumulate of dense and conv layers in WebAssembly SIMD (four output channels per instruction).
//
// It computes what Int32MacKernel's loop computes (exact int32 partial sums and the overflow flag), just faster; the
// kernel around it handles flags, accounting and result casts. The module is assembled here byte by byte (no
// toolchain): one function
//
//   mac(x, rows, nin, w, nout, bias, sh, aMin, acc, flag)
//     for r < rows, for each block of 4 outputs o (nout is a multiple of 4):
//       a = bias[o…o+3]; f = 0
//       for i < nin: p = (splat(x[r·nin + i]) · w[i·nout + o…]) >> sh   (i32x4.mul keeps the low 32 bits: exact here)
//                    a = a + p;  f = f | (p − aMin) | (a − aMin)
//       acc[r·nout + o…] = a; flag[r·nout + o…] = f
//
// with all pointers byte offsets into the imported memory and every array int32.
import type { Kernel, View } from '../kernel.js';
import type { NumberMacKernel } from './mac-number.js';

// Node and browsers have WebAssembly; this package's lib (ES2022, without DOM) does not declare it.
declare namespace WebAssembly {
  class Module {
    constructor(bytes: Uint8Array);
  }
  class Instance {
    constructor(module: Module, imports: object);
    readonly exports: Record<string, unknown>;
  }
  class Memory {
    constructor(descriptor: { initial: number });
    readonly buffer: ArrayBuffer;
    grow(pages: number): number;
  }
  function validate(bytes: Uint8Array): boolean;
}

const I32 = 0x7f;
const V128 = 0x7b;

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

function vec(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

function name(s: string): number[] {
  const b = [...new TextEncoder().encode(s)];
  return [...uleb(b.length), ...b];
}

// Parameters 0…9 and locals 10….
const X = 0, ROWS = 1, NIN = 2, W = 3, NOUT = 4, BIAS = 5, SH = 6, AMIN = 7, ACC = 8, FLAG = 9;
const R = 10, OB = 11, I = 12, XROW = 13, WP = 14, IDX = 15; // i32 locals
const A = 16, F = 17, AMINV = 18, P = 19; // v128 locals

const get = (l: number) => [0x20, ...uleb(l)];
const set = (l: number) => [0x21, ...uleb(l)];
const i32c = (v: number) => [0x41, ...sleb(v)];
const simd = (op: number, ...imm: number[]) => [0xfd, ...uleb(op), ...imm];
const ADD = 0x6a, MUL = 0x6c, GE_S = 0x4e;
const BLOCK = [0x02, 0x40], LOOP = [0x03, 0x40], END = 0x0b;
const br = (d: number) => [0x0c, ...uleb(d)];
const brIf = (d: number) => [0x0d, ...uleb(d)];
// SIMD opcodes (memarg: alignment log2, offset).
const v128load = simd(0x00, 0, 0);
const load32splat = simd(0x09, 0, 0);
const v128store = simd(0x0b, 0, 0);
const i32x4splat = simd(0x11);
const v128or = simd(0x50);
const i32x4shrS = simd(0xac);
const i32x4add = simd(0xae);
const i32x4sub = simd(0xb1);
const i32x4mul = simd(0xb5);

function body(): number[] {
  const code = [
    ...get(AMIN), ...i32x4splat, ...set(AMINV),
    ...i32c(0), ...set(R),
    ...BLOCK, ...LOOP,
    ...get(R), ...get(ROWS), GE_S, ...brIf(1),
    // xrow = x + r·nin·4
    ...get(X), ...get(R), ...get(NIN), MUL, ...i32c(4), MUL, ADD, ...set(XROW),
    ...i32c(0), ...set(OB),
    ...BLOCK, ...LOOP,
    ...get(OB), ...get(NOUT), GE_S, ...brIf(1),
    // a = bias[ob…]; f = 0; wp = w + ob·4; i = 0
    ...get(BIAS), ...get(OB), ...i32c(4), MUL, ADD, ...v128load, ...set(A),
    ...i32c(0), ...i32x4splat, ...set(F),
    ...get(W), ...get(OB), ...i32c(4), MUL, ADD, ...set(WP),
    ...i32c(0), ...set(I),
    ...BLOCK, ...LOOP,
    ...get(I), ...get(NIN), GE_S, ...brIf(1),
    // p = (splat(x[xrow + i·4]) · w[wp]) >> sh
    ...get(XROW), ...get(I), ...i32c(4), MUL, ADD, ...load32splat,
    ...get(WP), ...v128load,
    ...i32x4mul, ...get(SH), ...i32x4shrS, ...set(P),
    // a += p; f |= (p − aMin) | (a − aMin)
    ...get(A), ...get(P), ...i32x4add, ...set(A),
    ...get(F), ...get(P), ...get(AMINV), ...i32x4sub, ...v128or,
    ...get(A), ...get(AMINV), ...i32x4sub, ...v128or, ...set(F),
    // wp += nout·4; i += 1
    ...get(WP), ...get(NOUT), ...i32c(4), MUL, ADD, ...set(WP),
    ...get(I), ...i32c(1), ADD, ...set(I),
    ...br(0),
    END, END,
    // idx = (r·nout + ob)·4; acc[idx] = a; flag[idx] = f
    ...get(R), ...get(NOUT), MUL, ...get(OB), ADD, ...i32c(4), MUL, ...set(IDX),
    ...get(ACC), ...get(IDX), ADD, ...get(A), ...v128store,
    ...get(FLAG), ...get(IDX), ADD, ...get(F), ...v128store,
    ...get(OB), ...i32c(4), ADD, ...set(OB),
    ...br(0),
    END, END,
    ...get(R), ...i32c(1), ADD, ...set(R),
    ...br(0),
    END, END,
    END,
  ];
  const locals = vec([
    [...uleb(6), I32],
    [...uleb(4), V128],
  ]);
  const fn = [...locals, ...code];
  return [...uleb(fn.length), ...fn];
}

function moduleBytes(): Uint8Array {
  const type = section(1, vec([[0x60, ...vec(new Array(10).fill([I32])), ...vec([])]]));
  const imports = section(2, vec([[...name('env'), ...name('mem'), 0x02, 0x00, ...uleb(1)]]));
  const funcs = section(3, vec([[0x00]]));
  const exports = section(7, vec([[...name('mac'), 0x00, 0x00]]));
  const code = section(10, vec([body()]));
  return new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, ...type, ...imports, ...funcs, ...exports, ...code]);
}

let compiled: WebAssembly.Module | null | undefined;

/** The compiled module, or undefined where WebAssembly SIMD is not available. */
function wasmModule(): WebAssembly.Module | undefined {
  if (compiled === undefined) {
    try {
      const bytes = moduleBytes();
      compiled = typeof WebAssembly === 'object' && WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
    } catch {
      compiled = null;
    }
  }
  return compiled ?? undefined;
}

export function wasmSimdAvailable(): boolean {
  return wasmModule() !== undefined;
}

/**
 * A WebAssembly instance holding one layer's weights: `run` multiplies rows of int32 inputs by them. Memory is laid
 * out as weights | bias | x | acc | flag and grows with the rows asked for.
 */
export class WasmMac {
  private readonly mem: WebAssembly.Memory;
  private readonly fn: (...args: number[]) => void;
  readonly noutPad: number;
  private readonly xAt: number;
  private capacityRows = 0;

  /** `w` is row-major [nin][nout], `bias` per output (both int32 values). */
  constructor(
    readonly nin: number,
    readonly nout: number,
    w: ArrayLike<number>,
    bias: ArrayLike<number>,
    private readonly shift: number,
    private readonly aMin: number,
  ) {
    const mod = wasmModule();
    if (!mod) throw new Error('WebAssembly SIMD is not available');
    this.noutPad = Math.ceil(nout / 4) * 4;
    const wBytes = nin * this.noutPad * 4;
    this.xAt = wBytes + this.noutPad * 4;
    this.mem = new WebAssembly.Memory({ initial: Math.ceil((this.xAt + 1) / 65536) });
    const inst = new WebAssembly.Instance(mod, { env: { mem: this.mem } });
    this.fn = inst.exports.mac as (...args: number[]) => void;
    const m = new Int32Array(this.mem.buffer);
    for (let i = 0; i < nin; i++) for (let o = 0; o < nout; o++) m[i * this.noutPad + o] = w[i * nout + o];
    for (let o = 0; o < nout; o++) m[wBytes / 4 + o] = bias[o];
  }

  /** Room for `rows` rows of input; returns the int32 views of x (rows × nin), acc and flag (rows × noutPad). */
  views(rows: number): { x: Int32Array; acc: Int32Array; flag: Int32Array } {
    if (rows > this.capacityRows) {
      const need = this.xAt + rows * (this.nin + 2 * this.noutPad) * 4;
      const have = this.mem.buffer.byteLength;
      if (need > have) this.mem.grow(Math.ceil((need - have) / 65536));
      this.capacityRows = rows;
    }
    const buf = this.mem.buffer;
    const accAt = this.xAt + this.capacityRows * this.nin * 4;
    const flagAt = accAt + this.capacityRows * this.noutPad * 4;
    return {
      x: new Int32Array(buf, this.xAt, rows * this.nin),
      acc: new Int32Array(buf, accAt, rows * this.noutPad),
      flag: new Int32Array(buf, flagAt, rows * this.noutPad),
    };
  }

  /** Runs on the first `rows` rows of x (after `views(rows)`, or more). */
  run(rows: number): void {
    const accAt = this.xAt + this.capacityRows * this.nin * 4;
    const flagAt = accAt + this.capacityRows * this.noutPad * 4;
    this.fn(this.xAt, rows, this.nin, 0, this.noutPad, this.nin * this.noutPad * 4, this.shift, this.aMin, accAt, flagAt);
  }
}

/**
 * Int32MacKernel's arithmetic in WebAssembly SIMD for dense and conv layers (convolutions through im2col: each output
 * pixel's window copied into a row, zeros for padding, in the weight matrix's (tap, channel) order).
 */
export class WasmMacKernel implements Kernel {
  readonly path = 'number' as const;
  private readonly mac: WasmMac;
  /** Input rows per call of the WebAssembly function (bounds its memory). */
  private readonly rowsPerCall: number;

  constructor(private readonly exact: NumberMacKernel) {
    const { plan } = exact;
    const nin = plan.geom.K * plan.geom.C;
    const w = Int32Array.from(plan.matrix!, (v) => Number(v));
    this.mac = new WasmMac(nin, plan.O, w, Int32Array.from(exact.bias), -Math.log2(exact.castP.scale), exact.castA.range.min);
    this.rowsPerCall = Math.max(1, Math.floor(2 ** 20 / (plan.geom.positions * Math.max(nin, this.mac.noutPad))));
  }

  run(ins: readonly View[], out: View, rows: number, row0: number): void {
    const ex = this.exact;
    const { geom, O, inSize, outSize } = ex.plan;
    const { positions, K, C, tap } = geom;
    const xd = ins[0].data as Float64Array;
    const y = out.data as Float64Array;
    const W = ex.plan.accType.width;
    const sumOnly = !ex.checkAccum && !ex.checkProduct;
    const pad = this.mac.noutPad;
    for (let r0 = 0; r0 < rows; r0 += this.rowsPerCall) {
      const n = Math.min(this.rowsPerCall, rows - r0);
      const { x, acc, flag } = this.mac.views(n * positions);
      const xb = ins[0].base + r0 * inSize;
      if (K === 1 && positions * C === inSize) {
        x.set(xd.subarray(xb, xb + n * inSize));
      } else {
        let j = 0;
        for (let r = 0; r < n; r++) {
          for (let p = 0; p < positions; p++) {
            for (let k = 0; k < K; k++) {
              const pix = tap[p * K + k];
              if (pix < 0) for (let c = 0; c < C; c++) x[j++] = 0;
              else for (let c = 0; c < C; c++) x[j++] = xd[xb + r * inSize + pix + c];
            }
          }
        }
      }
      this.mac.run(n * positions);
      const biasKinds = ex.anyBiasOverflow ? ex.biasKinds : undefined;
      const copy = ex.resultIsAcc;
      for (let r = 0; r < n; r++) {
        const sample = row0 + r0 + r;
        const yRow = out.base + (r0 + r) * outSize;
        for (let p = 0; p < positions; p++) {
          const a = (r * positions + p) * pad;
          const yp = yRow + p * O;
          if (biasKinds) for (let o = 0; o < O; o++) if (biasKinds[o] !== undefined) ex.biasSink.hit(biasKinds[o]!, sample);
          let any = 0;
          if (!sumOnly) for (let o = 0; o < O; o++) any |= flag[a + o];
          if (any >>> W === 0) {
            // No partial sum of this pixel left the accumulator's range: the exact sums are the accumulators.
            if (copy) for (let o = 0; o < O; o++) y[yp + o] = acc[a + o];
            else for (let o = 0; o < O; o++) y[yp + o] = ex.castR.cast(acc[a + o], sample);
            continue;
          }
          for (let o = 0; o < O; o++) {
            let v: number;
            if (flag[a + o] >>> W === 0) v = copy ? acc[a + o] : ex.castR.cast(acc[a + o], sample);
            else v = ex.output(xd, xb + r * inSize, p, o, sample);
            y[yp + o] = v;
          }
        }
      }
    }
  }
}
