// The combinational logic of every io parallel layer: exactly the bits of docs/semantics.md, built as nets from the
// values of the layer's inputs. Used per network by the io parallel generator and per pixel or window by io stream.
import { fixedType, fracBits, quantizeDouble, roundsUp, type FixedType, type LayerModel } from '@qnn/language';
import { alphaType } from '../../semantics/alpha.js';
import { activationTable } from '../../semantics/tables.js';
import { softmaxTables } from '../../semantics/softmax.js';
import { batchnormCoefficients } from '../../semantics/batchnorm.js';
import { bounds, castConst, castTo, konst, productConst, roundUp, shiftLeft, signedBits, signedWidth, sext, sumExact, sumTree, type Val } from './arith.js';
import { size, type ModuleNets, type NodeVals } from './nets.js';
import { VerilogBackendError } from './types.js';
import { windowGeometry } from './window.js';
import { mac, macSpec } from './mac.js';
import { bin, bit, concat, index, lit, ref, signed, type Expr } from './vast.js';
/** The combinational values of one layer's outputs from its (stage-aligned) inputs. */
export function layerVals(nets: ModuleNets, prefix: string, layer: LayerModel, ins: readonly NodeVals[]): Val[] {
  const Y = layer.tensor.type;
  const x = ins[0];
  const fx = fracBits(x.type);
  switch (layer.opName) {
    case 'dense':
    case 'conv1d':
    case 'conv2d':
    case 'depthwise_conv1d':
    case 'depthwise_conv2d':
      return mac(nets, prefix, macSpec(layer, x.shape, x.type, nets.plan), x);
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
        const prod = a === 0n ? konst(0n) : productConst(nets, p, v, a, nets.plan?.product(layer, 0, a, x.type));
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
export function maxOf(nets: ModuleNets, prefix: string, a: Val, b: Val, X: FixedType): Val {
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
        const d = sumTree(nets, `${p}_d${i}`, [{ v: m }, { v, neg: true }]);
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
  if (b.lo < 0n) {
    // x ≤ 0 gives 0, and so does x = 0 through the cast: the sign bit alone selects. (A compare `x <= 0` is a carry
    // chain in synth_ice40, about a LUT4 per bit on the path; the sign bit is a wire. A value whose bounds are ≥ 0
    // needs no select.)
    // The cast may read only x's high bits (it drops fractional ones): the rest is unread, which lint waives.
    if (v.kind === 'net') nets.partlyRead(v.name);
    y = mux(nets, `${p}_0`, isNegative(v), konst(0n), y, Y);
  }
  return y;
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
    const prod = s[ch] === 0n ? konst(0n) : productConst(nets, p, v, s[ch], nets.plan?.product(layer, ch, s[ch], x.type));
    const sum = sumExact(nets, p, [shiftLeft(nets, `${p}_p`, prod, ft - fp), konst(o[ch] << BigInt(ft - fo))]);
    return castTo(nets, p, sum, ft, Y);
  });
}

/** Max pooling (docs/semantics.md section 7): the largest valid tap of each window and channel (exact), cast to Y. */
function maxPool(nets: ModuleNets, prefix: string, layer: LayerModel, x: NodeVals): Val[] {
  const { windows: w0, C } = windowGeometry(layer, x.shape);
  const windows = w0.map((taps) => taps.map((t) => t.pix));
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
  const { windows: w0, C } = windowGeometry(layer, x.shape);
  const windows = w0.map((taps) => taps.map((t) => t.pix));
  const Y = layer.tensor.type;
  const A = layer.types.accum ?? x.type;
  const fa = fracBits(A);
  const fx = fracBits(x.type);
  const out: Val[] = [];
  windows.forEach((taps, pIdx) => {
    for (let c = 0; c < C; c++) {
      const p = `${prefix}_${pIdx * C + c}`;
      let acc: Val = konst(0n);
      taps.forEach((pix, t) => {
        const xa = castTo(nets, `${p}_x${t}`, x.vals[pix * C + c], fx, A);
        acc = castTo(nets, `${p}_a${t}`, sumExact(nets, `${p}_a${t}`, [acc, xa]), fa, A);
      });
      out.push(avgDivide(nets, p, acc, taps.length, A, Y));
    }
  });
  return out;
}

/**
 * The end of average pooling: y = cast_Y(acc / n) for an accumulator of type A, the exact quotient rounded once by Y's
 * quantization mode (a shift for a power-of-two n, else a division by the constant).
 */
export function avgDivide(nets: ModuleNets, p: string, acc: Val, n: number, A: FixedType, Y: FixedType): Val {
  const fa = fracBits(A);
  const k = fracBits(Y) - fa;
  if ((n & (n - 1)) === 0) {
    return castTo(nets, p, acc, fa + Math.log2(n), Y);
  }
  const N = shiftLeft(nets, `${p}_n`, acc, Math.max(k, 0));
  const D = BigInt(n) << BigInt(Math.max(-k, 0));
  const floorDiv = (a: bigint, b: bigint) => (a >= 0n ? a / b : -((-a + b - 1n) / b));
  /** N / D rounded as Y.quant says, for a constant N (the rule the hardware below builds, roundsUp). */
  const roundDiv = (v: bigint): bigint => {
    const q0 = floorDiv(v, D);
    const rem = v - q0 * D;
    const qb = 2n * rem >= D;
    const rb = qb ? 2n * rem > D : rem > 0n;
    return roundsUp(Y.quant, qb, rb, v < 0n, (q0 & 1n) === 1n) ? q0 + 1n : q0;
  };
  let q: Val;
  if (N.kind === 'const') {
    // A constant window (every tap constant).
    q = konst(roundDiv(N.value));
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
    q = inc === undefined ? q0 : nets.wire(`${p}_qr`, w + 1, true, bin('+', sext(q0, w + 1), signed(concat([lit(w, 0n), inc]))), roundDiv(N.lo), roundDiv(N.hi));
  }
  return castTo(nets, p, q, fracBits(Y), Y);
}

