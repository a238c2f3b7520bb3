// Window geometry of convolutions and pooling (docs/semantics.md sections 5 and 7): the padded input grid, the output
// grid, and for every output pixel the input pixel read by each kernel tap (padding taps left out).
import type { LayerModel } from '@qnn/language';

export interface WindowGeometry {
  /** Spatial input size (H = 1 for 1-D layers). */
  readonly H: number;
  readonly W: number;
  readonly C: number;
  readonly KH: number;
  readonly KW: number;
  readonly SH: number;
  readonly SW: number;
  /** Padding before (top, left) and after (bottom, right). */
  readonly PT: number;
  readonly PL: number;
  readonly PB: number;
  readonly PR: number;
  readonly OH: number;
  readonly OW: number;
  /** Per output pixel (row-major), its valid taps in row-major window order: kernel position kp = ky·KW + kx, input pixel. */
  readonly windows: readonly (readonly { readonly kp: number; readonly pix: number }[])[];
}

const ints = (v: unknown, n: number, fallback: number): number[] => (Array.isArray(v) ? v.map(Number) : new Array<number>(n).fill(typeof v === 'number' ? v : fallback));

/** Padding 'same' as TensorFlow: out = ceil(n / s), pad_total = max((out − 1)·s + k − n, 0), before = floor(pad_total / 2). */
function same(n: number, k: number, s: number): { out: number; before: number; after: number } {
  const out = Math.ceil(n / s);
  const total = Math.max((out - 1) * s + k - n, 0);
  return { out, before: Math.floor(total / 2), after: total - Math.floor(total / 2) };
}

/** The geometry of a conv (kernel), depthwise conv or pooling (pool) layer, or of global pooling (one window). */
export function windowGeometry(layer: LayerModel, inShape: readonly number[]): WindowGeometry {
  const op = layer.opName;
  const spatial = op.endsWith('1d') ? 1 : 2;
  const C = inShape[spatial];
  const [H, W] = spatial === 1 ? [1, inShape[0]] : [inShape[0], inShape[1]];
  let KH: number, KW: number, SH: number, SW: number;
  let padding = 'valid';
  if (op.startsWith('global_')) [KH, KW, SH, SW] = [H, W, 1, 1];
  else {
    const isPool = op.includes('pool');
    const kernel = ints(isPool ? layer.params.pool : layer.params.kernel, spatial, isPool ? 2 : 1);
    const st = layer.params.stride;
    const stride = Array.isArray(st) || typeof st === 'number' ? ints(st, spatial, 1) : isPool ? kernel : ints(undefined, spatial, 1);
    [KH, KW] = spatial === 1 ? [1, kernel[0]] : [kernel[0], kernel[1]];
    [SH, SW] = spatial === 1 ? [1, stride[0]] : [stride[0], stride[1]];
    padding = String(layer.params.padding ?? 'valid');
  }
  let OH: number, OW: number, PT: number, PL: number, PB: number, PR: number;
  if (padding === 'same') {
    const v = same(H, KH, SH);
    const h = same(W, KW, SW);
    [OH, PT, PB, OW, PL, PR] = [v.out, v.before, v.after, h.out, h.before, h.after];
  } else [OH, OW, PT, PL, PB, PR] = [Math.floor((H - KH) / SH) + 1, Math.floor((W - KW) / SW) + 1, 0, 0, 0, 0];
  const windows: { kp: number; pix: number }[][] = [];
  for (let oy = 0; oy < OH; oy++) {
    for (let ox = 0; ox < OW; ox++) {
      const taps: { kp: number; pix: number }[] = [];
      for (let ky = 0; ky < KH; ky++) {
        for (let kx = 0; kx < KW; kx++) {
          const iy = oy * SH - PT + ky;
          const ix = ox * SW - PL + kx;
          if (iy >= 0 && iy < H && ix >= 0 && ix < W) taps.push({ kp: ky * KW + kx, pix: iy * W + ix });
        }
      }
      windows.push(taps);
    }
  }
  return { H, W, C, KH, KW, SH, SW, PT, PL, PB, PR, OH, OW, windows };
}
