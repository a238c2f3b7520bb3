// Window geometry of convolutions and pooling as the plan needs it (docs/semantics.md sections 5 and 7): output grid,
// padding, and per output pixel the input pixel of every valid tap.
import type { ParamValue } from '@qnn/language';

export interface Geometry {
  /** Spatial input size (H = 1 for 1-D layers) and channels. */
  readonly H: number;
  readonly W: number;
  readonly C: number;
  readonly KH: number;
  readonly KW: number;
  readonly SH: number;
  readonly SW: number;
  readonly OH: number;
  readonly OW: number;
  /** Padding before (top, left) and after (bottom, right), and whether there is any. */
  readonly PT: number;
  readonly PL: number;
  readonly PB: number;
  readonly PR: number;
  readonly padded: boolean;
  /** Per output pixel (row-major): per kernel position kp = ky · KW + kx, the input pixel (iy · W + ix), or −1 in the padding. */
  readonly taps: Int32Array;
}

const ints = (v: ParamValue | undefined, n: number, fallback: readonly number[]): number[] =>
  Array.isArray(v) ? v.map(Number) : typeof v === 'number' ? new Array<number>(n).fill(v) : [...fallback];

/** The geometry of a conv, depthwise conv or pooling layer (global pooling: one window over everything). */
export function windowGeometry(op: string, params: Readonly<Record<string, ParamValue>>, inShape: readonly number[]): Geometry {
  const spatial = op.endsWith('1d') ? 1 : 2;
  const C = inShape[spatial];
  const [H, W] = spatial === 1 ? [1, inShape[0]] : [inShape[0], inShape[1]];
  let KH: number, KW: number, SH: number, SW: number;
  let padding = 'valid';
  if (op.startsWith('global_')) [KH, KW, SH, SW] = [H, W, 1, 1];
  else {
    const isPool = op.includes('pool');
    const kernel = ints(isPool ? params.pool : params.kernel, spatial, new Array<number>(spatial).fill(isPool ? 2 : 1));
    const stride = ints(params.stride, spatial, isPool ? kernel : new Array<number>(spatial).fill(1));
    [KH, KW] = spatial === 1 ? [1, kernel[0]] : [kernel[0], kernel[1]];
    [SH, SW] = spatial === 1 ? [1, stride[0]] : [stride[0], stride[1]];
    padding = String(params.padding ?? 'valid');
  }
  let OH: number, OW: number, PT: number, PL: number, PB: number, PR: number;
  if (padding === 'same') {
    OH = Math.ceil(H / SH);
    OW = Math.ceil(W / SW);
    const th = Math.max((OH - 1) * SH + KH - H, 0);
    const tw = Math.max((OW - 1) * SW + KW - W, 0);
    [PT, PB, PL, PR] = [Math.floor(th / 2), th - Math.floor(th / 2), Math.floor(tw / 2), tw - Math.floor(tw / 2)];
  } else [OH, OW, PT, PL, PB, PR] = [Math.floor((H - KH) / SH) + 1, Math.floor((W - KW) / SW) + 1, 0, 0, 0, 0];
  const K = KH * KW;
  const taps = new Int32Array(OH * OW * K);
  for (let oy = 0; oy < OH; oy++) {
    for (let ox = 0; ox < OW; ox++) {
      const base = (oy * OW + ox) * K;
      for (let ky = 0; ky < KH; ky++) {
        for (let kx = 0; kx < KW; kx++) {
          const iy = oy * SH - PT + ky;
          const ix = ox * SW - PL + kx;
          taps[base + ky * KW + kx] = iy >= 0 && iy < H && ix >= 0 && ix < W ? iy * W + ix : -1;
        }
      }
    }
  }
  return { H, W, C, KH, KW, SH, SW, OH, OW, PT, PL, PB, PR, padded: PT + PL + PB + PR > 0, taps };
}
