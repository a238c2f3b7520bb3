// The reuse schedule of a dense or convolution layer with reuse R > 1: which term each shared multiplier computes in
// which phase (the rule is in types.ts, ReuseSchedule, and docs/build.md).
import type { LayerFacts } from './analyze.js';
import { classifyVariable, signedBitsOf } from './multipliers.js';
import type { ConstantPlan, MultiplierKind, ReuseSchedule, ScheduleSlot } from './types.js';

export function reuseSchedule(facts: LayerFacts, R: number, weights: readonly bigint[], constants: readonly ConstantPlan[], operandBits: number, dspAvailable: boolean): ReuseSchedule {
  const T = facts.terms;
  const perPhase = Math.max(1, Math.ceil(T / R));
  const M = Math.min(perPhase, T);
  // Per multiplier: the weight it serves when it is always the same one (else −1) and the widest weight.
  const only = new Int32Array(M).fill(-2);
  const bits = new Int32Array(M);
  let i = 0;
  facts.forEachTerm!((_o, _x, wi) => {
    const m = i % perPhase;
    i++;
    const cur = only[m];
    if (cur === -2) only[m] = wi;
    else if (cur >= 0 && weights[cur] !== weights[wi]) only[m] = -1;
    const b = signedBitsOf(weights[wi]);
    if (b > bits[m]) bits[m] = b;
  });
  const units: { kind: MultiplierKind; weightBits: number; dspSlices: number }[] = [];
  for (let m = 0; m < M; m++) {
    if (only[m] >= 0) {
      const c = constants[only[m]];
      units.push({ kind: c.kind, weightBits: bits[m], dspSlices: c.dspSlices ?? 0 });
    } else {
      const v = classifyVariable(operandBits, bits[m], dspAvailable);
      units.push({ kind: v.kind, weightBits: bits[m], dspSlices: v.dspSlices });
    }
  }
  let cached: ScheduleSlot[] | undefined;
  return {
    phases: R,
    terms: T,
    perPhase,
    multipliers: M,
    units,
    slots() {
      if (!cached) {
        const out: ScheduleSlot[] = [];
        let k = 0;
        facts.forEachTerm!((output, input, weight) => {
          out.push({ output, input, weight, phase: Math.floor(k / perPhase), multiplier: k % perPhase });
          k++;
        });
        cached = out;
      }
      return cached;
    },
  };
}
