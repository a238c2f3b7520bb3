// propagate-types: the range of every value, propagated from the inputs' types through the operations (interval
// arithmetic on exact rationals scaled to integers), then through each cast of docs/semantics.md: a range that fits
// the type is kept, one that does not becomes the type's range (WRAP) or is clamped (SAT, SAT_SYM; SAT_ZERO adds 0).
// The result is each node's `range` (raw bounds in its type): facts for the backends (overflow logic that cannot
// trigger) and the estimator (the bits a value really uses). It changes no value.
import { fracBits, rawRange, type FixedType } from '@qnn/language';
import type { IrNode, IrRange } from '../ir/types.js';
import type { Pass } from './pass.js';

/** An interval of values v = raw · 2^−frac, as integer bounds at `frac` fractional bits. */
interface Iv {
  readonly lo: bigint;
  readonly hi: bigint;
  readonly frac: number;
}

const typeIv = (t: FixedType): Iv => {
  const r = rawRange(t);
  return { lo: r.min, hi: r.max, frac: fracBits(t) };
};

function align(a: Iv, frac: number): Iv {
  return frac >= a.frac ? { lo: a.lo << BigInt(frac - a.frac), hi: a.hi << BigInt(frac - a.frac), frac } : { lo: a.lo >> BigInt(a.frac - frac), hi: -(-a.hi >> BigInt(a.frac - frac)), frac };
}

const min = (a: bigint, b: bigint) => (a < b ? a : b);
const max = (a: bigint, b: bigint) => (a > b ? a : b);

function union(a: Iv, b: Iv): Iv {
  const f = Math.max(a.frac, b.frac);
  const x = align(a, f);
  const y = align(b, f);
  return { lo: min(x.lo, y.lo), hi: max(x.hi, y.hi), frac: f };
}

function add(a: Iv, b: Iv): Iv {
  const f = Math.max(a.frac, b.frac);
  const x = align(a, f);
  const y = align(b, f);
  return { lo: x.lo + y.lo, hi: x.hi + y.hi, frac: f };
}

/** x · c for a constant raw c at cFrac fractional bits. */
function scale(a: Iv, c: bigint, cFrac: number): Iv {
  const p = [a.lo * c, a.hi * c];
  return { lo: min(p[0], p[1]), hi: max(p[0], p[1]), frac: a.frac + cFrac };
}

/** The cast to t: the range after quantization and the overflow mode. */
function cast(a: Iv, t: FixedType): Iv {
  const f = fracBits(t);
  const r = rawRange(t);
  // Every quantization mode starts from the floor and adds 0 or 1 only when bits are dropped: the result lies between
  // the floor of the lower bound and the ceiling of the upper one (align rounds them so).
  const { lo, hi } = align(a, f);
  if (lo >= r.min && hi <= r.max) return { lo, hi, frac: f };
  switch (t.overflow) {
    case 'WRAP':
      return { lo: r.min, hi: r.max, frac: f };
    case 'SAT':
    case 'SAT_SYM':
      return { lo: max(lo, t.overflow === 'SAT_SYM' && t.signed ? -r.max : r.min), hi: min(hi, r.max), frac: f };
    case 'SAT_ZERO':
      return { lo: min(max(lo, r.min), 0n), hi: max(min(hi, r.max), 0n), frac: f };
  }
}

export const propagateTypes: Pass = {
  name: 'propagate-types',
  description: 'the raw range of every value, through every operation and cast (changes no value)',
  run: (g) => {
    const ivs = new Map<string, Iv>(g.inputs.map((i) => [i.name, typeIv(i.type)]));
    const nodes = g.nodes.map((n) => {
      const iv = rangeOf(n, n.inputs.map((e) => ivs.get(e.node)!));
      ivs.set(n.name, iv);
      const range: IrRange = { lo: iv.lo, hi: iv.hi };
      const m = n.kind === 'call' ? { ...n, network: propagateTypes.run(n.network) } : n;
      return { ...m, range } as IrNode;
    });
    return { ...g, inputs: g.inputs.map((i) => ({ ...i, range: { lo: ivs.get(i.name)!.lo, hi: ivs.get(i.name)!.hi } })), nodes };
  },
};

function rangeOf(n: IrNode, ins: readonly Iv[]): Iv {
  const Y = n.type;
  const x = ins[0];
  switch (n.kind) {
    case 'dense':
    case 'conv1d':
    case 'conv2d':
    case 'depthwise_conv1d':
    case 'depthwise_conv2d': {
      // Bound every output by the worst output channel: bias + Σ |products|, each product cast to the accumulator.
      const W = n.weight;
      const wf = fracBits(W.type);
      const depthwise = n.kind.startsWith('depthwise');
      const O = n.kind === 'dense' ? n.units : n.shape[n.shape.length - 1];
      const C = W.shape[W.shape.length - 2] ?? 1;
      // Weight index: dense c · O + o, conv (kp · C + c) · O + o, depthwise (kp · C + c) · M + m with o = c · M + m.
      const M = depthwise ? O / C : O;
      let acc: Iv | undefined;
      for (let o = 0; o < O; o++) {
        let a: Iv = n.bias ? cast({ lo: n.bias.raws[o], hi: n.bias.raws[o], frac: fracBits(n.bias.type) }, n.accum) : { lo: 0n, hi: 0n, frac: fracBits(n.accum) };
        const c = Math.floor(o / M);
        for (let k = depthwise ? o % M : o; k < W.raws.length; k += M) {
          if ((depthwise && Math.floor(k / M) % C !== c) || W.raws[k] === 0n) continue;
          a = cast(add(a, cast(scale(x, W.raws[k], wf), n.accum)), n.accum);
        }
        acc = acc ? union(acc, a) : a;
      }
      return cast(acc ?? { lo: 0n, hi: 0n, frac: 0 }, Y);
    }
    case 'batchnorm': {
      if (n.form !== 'folded') return typeIv(Y);
      let r: Iv | undefined;
      n.scale.raws.forEach((s, c) => {
        const v = add(scale(x, s, fracBits(n.scale.type)), { lo: n.offset.raws[c], hi: n.offset.raws[c], frac: fracBits(n.offset.type) });
        r = r ? union(r, v) : v;
      });
      return cast(r ?? typeIv(Y), Y);
    }
    case 'relu':
      return cast({ lo: max(x.lo, 0n), hi: max(x.hi, 0n), frac: x.frac }, Y);
    case 'relu6': {
      const six = 6n << BigInt(Math.max(x.frac, 0));
      const f = Math.max(x.frac, 0);
      const a = align(x, f);
      return cast({ lo: min(max(a.lo, 0n), six), hi: min(max(a.hi, 0n), six), frac: f }, Y);
    }
    case 'linear':
    case 'flatten':
    case 'reshape':
    case 'maxpool1d':
    case 'maxpool2d':
    case 'global_maxpool1d':
    case 'global_maxpool2d':
    case 'avgpool1d':
    case 'avgpool2d':
    case 'global_avgpool1d':
    case 'global_avgpool2d':
      // Pooling: a maximum or an average of values in the input's range stays in it (before the casts).
      return 'accum' in n && n.accum ? cast(cast(x, n.accum), Y) : cast(x, Y);
    case 'leaky_relu': {
      // alpha quantized with 16 fractional bits (docs/semantics.md section 9): bound it outward.
      const a = BigInt(Math.round(n.alpha * 65536));
      const neg = scale({ lo: min(x.lo, 0n), hi: min(x.hi, 0n), frac: x.frac }, a, 16);
      const negOut = { lo: min(neg.lo, neg.hi) - 1n, hi: max(neg.lo, neg.hi) + 1n, frac: neg.frac };
      return cast(union(negOut, { lo: max(x.lo, 0n), hi: max(x.hi, 0n), frac: x.frac }), Y);
    }
    case 'sigmoid':
    case 'softmax':
      return cast({ lo: 0n, hi: 1n, frac: 0 }, Y);
    case 'tanh':
      return cast({ lo: -1n, hi: 1n, frac: 0 }, Y);
    case 'add':
      return cast(ins.reduce(add), Y);
    case 'concat':
      return cast(ins.reduce(union), Y);
    case 'call':
      return typeIv(Y);
  }
}
