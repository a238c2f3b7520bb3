// Window geometry of convolutions and pooling (docs/semantics.md sections 5 and 7) as the backends and the estimator
// read it: the plan's geometry, with every output pixel's valid taps (padding taps left out) as a list.
import type { LayerModel } from '@qnn/language';
import { windowGeometry as planGeometry, type Geometry } from '../../plan/geometry.js';

/** The plan's geometry with, per output pixel (row-major), its valid taps in row-major window order (kp = ky·KW + kx). */
export interface WindowGeometry extends Omit<Geometry, 'taps' | 'padded'> {
  readonly windows: readonly (readonly { readonly kp: number; readonly pix: number }[])[];
}

/**
 * The geometry of a conv (kernel), depthwise conv or pooling (pool) layer, or of global pooling (one window): the
 * implementation plan's (plan/geometry.ts, the one source of truth for windows and padding), with each output
 * pixel's valid taps listed.
 */
export function windowGeometry(layer: LayerModel, inShape: readonly number[]): WindowGeometry {
  const g = planGeometry(layer.opName, layer.params, inShape);
  const K = g.KH * g.KW;
  const windows: { kp: number; pix: number }[][] = [];
  for (let o = 0; o < g.OH * g.OW; o++) {
    const taps: { kp: number; pix: number }[] = [];
    for (let kp = 0; kp < K; kp++) {
      const pix = g.taps[o * K + kp];
      if (pix >= 0) taps.push({ kp, pix });
    }
    windows.push(taps);
  }
  const { H, W, C, KH, KW, SH, SW, PT, PL, PB, PR, OH, OW } = g;
  return { H, W, C, KH, KW, SH, SW, PT, PL, PB, PR, OH, OW, windows };
}
