// Window geometry of convolutions and pooling: which input pixel each kernel tap of each output pixel reads.
import type { LayerModel } from '@qnn/language';

/**
 * For every output pixel p and kernel tap k (row-major over the kernel), `tap[p·K + k]` is the offset of the input
 * pixel (pixel index · C) or −1 where the tap falls into the padding. A 1-D layer is a 2-D layer of height 1.
 */
export interface Geometry {
  /** Output pixels (OH · OW). */
  readonly positions: number;
  /** Kernel taps (KH · KW). */
  readonly K: number;
  readonly tap: Int32Array;
  /** Input channels. */
  readonly C: number;
  /** Valid (non-padding) taps per output pixel. */
  readonly valid: Int32Array;
}

/** Padding 'same' as TensorFlow: out = ceil(in / s), pad_total = max((out − 1)·s + k − in, 0), before = floor(pad_total / 2). */
export function samePadding(inSize: number, k: number, s: number): { out: number; before: number } {
  const out = Math.ceil(inSize / s);
  const total = Math.max((out - 1) * s + k - inSize, 0);
  return { out, before: Math.floor(total / 2) };
}

export function windowGeometry(inShape: readonly number[], spatial: 1 | 2, kernel: readonly number[], stride: readonly number[], padding: string): Geometry {
  const [H, W] = spatial === 1 ? [1, inShape[0]] : [inShape[0], inShape[1]];
  const C = inShape[spatial];
  const [KH, KW] = spatial === 1 ? [1, kernel[0]] : [kernel[0], kernel[1]];
  const [SH, SW] = spatial === 1 ? [1, stride[0]] : [stride[0], stride[1]];
  let OH: number, OW: number, PT: number, PL: number;
  if (padding === 'same') {
    const v = samePadding(H, KH, SH);
    const h = samePadding(W, KW, SW);
    [OH, PT, OW, PL] = [v.out, v.before, h.out, h.before];
  } else {
    [OH, OW, PT, PL] = [Math.floor((H - KH) / SH) + 1, Math.floor((W - KW) / SW) + 1, 0, 0];
  }
  const K = KH * KW;
  const tap = new Int32Array(OH * OW * K);
  const valid = new Int32Array(OH * OW);
  for (let oy = 0; oy < OH; oy++) {
    for (let ox = 0; ox < OW; ox++) {
      const p = oy * OW + ox;
      for (let ky = 0; ky < KH; ky++) {
        for (let kx = 0; kx < KW; kx++) {
          const iy = oy * SH - PT + ky;
          const ix = ox * SW - PL + kx;
          const inside = iy >= 0 && iy < H && ix >= 0 && ix < W;
          tap[p * K + ky * KW + kx] = inside ? (iy * W + ix) * C : -1;
          if (inside) valid[p]++;
        }
      }
    }
  }
  return { positions: OH * OW, K, tap, C, valid };
}

/** Global pooling: one output pixel whose window is the whole input. */
export function globalGeometry(inShape: readonly number[], spatial: 1 | 2): Geometry {
  const pixels = spatial === 1 ? inShape[0] : inShape[0] * inShape[1];
  const C = inShape[spatial];
  const tap = new Int32Array(pixels);
  for (let i = 0; i < pixels; i++) tap[i] = i * C;
  return { positions: 1, K: pixels, tap, C, valid: Int32Array.of(pixels) };
}

/** Dense over the last axis: each row of the last axis is an output "pixel" with a single tap. */
export function denseGeometry(inShape: readonly number[]): Geometry {
  const C = inShape[inShape.length - 1];
  const positions = inShape.slice(0, -1).reduce((a, b) => a * b, 1);
  const tap = new Int32Array(positions);
  for (let p = 0; p < positions; p++) tap[p] = p * C;
  return { positions, K: 1, tap, C, valid: new Int32Array(positions).fill(1) };
}

export function ints(v: LayerModel['params'][string] | undefined, n: number, fallback: number): number[] {
  if (Array.isArray(v)) return v.map(Number);
  if (typeof v === 'number') return new Array<number>(n).fill(v);
  return new Array<number>(n).fill(fallback);
}
