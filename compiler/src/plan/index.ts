// The implementation plan: planNetwork, computed once per checked network (cached) and shared by the Verilog backend,
// which emits exactly the plan, and the estimator, which prices it. The rules are in docs/build.md ("Compiler core").
import type { NetworkModel, ProgramModel } from '@qnn/language';
import { findDevice } from '../devices/device-table.js';
import { buildIr } from '../ir/build.js';
import { PLAN_PIPELINE, runPipeline, STREAM_PLAN_PIPELINE } from '../passes/pipeline.js';
import { planSourceFromIr } from './from-ir.js';
import { planParallel, type PlanContext } from './parallel.js';
import { planStream } from './stream.js';
import type { PlanSource } from './source.js';
import type { NetworkPlan } from './types.js';

export type { ConstantPlan, CsdDigit, LayerPlan, MultiplierKind, NetworkPlan, ReuseSchedule, ScheduleSlot, StreamLayerPlan, TablePlan } from './types.js';
/** Counts by multiplier kind (the same shape as the estimate's `multipliers`). */
export type { MultiplierCounts as PlanMultiplierCounts } from './types.js';
export { classifyConstant, classifyVariable, canonicalSignedDigits, dspSlices, LUT_MULTIPLIER_MAX_ADDER_BITS, LUT_VARIABLE_MULTIPLIER_MAX_BITS, operandBits } from './multipliers.js';

const cache = new WeakMap<NetworkModel, NetworkPlan>();

/**
 * The implementation plan of a checked network (docs/build.md, "Compiler core"): per layer how every multiplication
 * is built (`skip`, `shift`, `lut`, `dsp`), its register stages, latency and II, the reuse schedule for reuse > 1;
 * per network the latency and II. It builds the IR (compiler/src/ir), runs the pass pipeline (compiler/src/passes) and
 * plans the result. Cached per network object (the result is read-only); a network with errors
 * (`complete` false) is planned from what checked. `program` is accepted for symmetry with the estimator.
 */
export function planNetwork(_program: ProgramModel | undefined, network: NetworkModel): NetworkPlan {
  let plan = cache.get(network);
  if (!plan) {
    plan = planSource(planSourceFromIr(runPipeline(buildIr(network), network.io === 'stream' ? STREAM_PLAN_PIPELINE : PLAN_PIPELINE)));
    cache.set(network, plan);
  }
  return plan;
}

/**
 * The plan of a network without keeping it: the cached one when the backend planned the network already, else a new
 * one that nothing retains. The estimator uses this: it keeps only its figures, and a large network's plan (every
 * product of every layer) is most of the memory of an editor session (docs/server.md, "Performance").
 */
export function planNetworkTransient(network: NetworkModel): NetworkPlan {
  return cache.get(network) ?? planSource(planSourceFromIr(runPipeline(buildIr(network, { retain: false }), network.io === 'stream' ? STREAM_PLAN_PIPELINE : PLAN_PIPELINE)));
}

/** Whether the part has DSPs that our flows use: iCE40 parts are synthesized with yosys synth_ice40 without -dsp. */
export function dspAvailableOn(part: string | undefined): boolean {
  const d = part ? findDevice(part) : undefined;
  return !(d && d.vendor === 'lattice');
}

/** Plans a planner input (the IR's lowering, or a model's). */
export function planSource(src: PlanSource): NetworkPlan {
  const subs = new Map<PlanSource, NetworkPlan>();
  const dspAvailable = dspAvailableOn(src.part);
  const ctx: PlanContext = {
    dspAvailable,
    sub: (s) => {
      let p = subs.get(s);
      if (!p) subs.set(s, (p = planOne({ ...s, part: src.part }, ctx)));
      return p;
    },
  };
  return planOne(src, ctx);
}

function planOne(src: PlanSource, ctx: PlanContext): NetworkPlan {
  return src.io === 'stream' ? planStream(src, ctx) : planParallel(src, ctx);
}
