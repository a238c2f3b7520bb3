// The per-channel scale and offset of a batchnorm layer (docs/semantics.md section 8), shared by the simulator and
// the backends: y = cast_Y(x · s[c] + o[c]).
import { quantizeDouble, rawToDouble, type FixedType, type LayerModel } from '@qnn/language';
import { quantizeValues } from './quantize.js';

export interface BatchnormCoefficients {
  readonly sType: FixedType;
  readonly oType: FixedType;
  /** Raws of s[c] in `sType` and of o[c] in `oType`, one per channel. */
  readonly s: readonly bigint[];
  readonly o: readonly bigint[];
  /** Constants that overflowed their type when quantized (counted once, not per sample). */
  readonly overflows: number;
}

/**
 * Folded form: s = scale, o = bias, quantized to their types. Standalone form: gamma, beta, mean and variance are
 * quantized to their types and read back as doubles; s = gamma / sqrt(variance + epsilon) and o = beta − mean · s in
 * binary64 (in that order, no fused multiply-add); s is quantized to gamma's type and o to beta's.
 */
export function batchnormCoefficients(layer: LayerModel): BatchnormCoefficients {
  const c = layer.consts;
  if (c.gamma) {
    let overflows = 0;
    const q = (name: string) => {
      const r = quantizeValues(c[name].type, c[name].values());
      overflows += r.overflows;
      return r.raws.map((v) => rawToDouble(c[name].type, v));
    };
    const [gamma, beta, mean, variance] = [q('gamma'), q('beta'), q('mean'), q('variance')];
    const eps = Number(layer.settings.epsilon ?? 0.001);
    const sType = c.gamma.type;
    const oType = c.beta.type;
    const s: bigint[] = [];
    const o: bigint[] = [];
    for (let i = 0; i < gamma.length; i++) {
      const scale = gamma[i] / Math.sqrt(variance[i] + eps);
      const offset = beta[i] - mean[i] * scale;
      const sq = quantizeDouble(sType, scale);
      const oq = quantizeDouble(oType, offset);
      s.push(sq.raw);
      o.push(oq.raw);
      overflows += (sq.overflowed ? 1 : 0) + (oq.overflowed ? 1 : 0);
    }
    return { sType, oType, s, o, overflows };
  }
  const sq = quantizeValues(c.scale.type, c.scale.values());
  const oq = quantizeValues(c.bias.type, c.bias.values());
  return { sType: c.scale.type, oType: c.bias.type, s: sq.raws, o: oq.raws, overflows: sq.overflows + oq.overflows };
}
