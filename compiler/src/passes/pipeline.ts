// The pass pipeline, written as data: the passes in order. runPipeline applies them, and in tests verifies the graph
// after every pass (the verifier's violations name the pass that broke the invariant).
import type { IrGraph } from '../ir/types.js';
import { verifyIr } from '../ir/verify.js';
import { eliminateReshape } from './eliminate-reshape.js';
import { foldBatchnorm } from './fold-batchnorm.js';
import { inlineCalls } from './inline-calls.js';
import type { Pass } from './pass.js';
import { propagateTypes } from './propagate-types.js';

export type { Pass } from './pass.js';
export { eliminateReshape, foldBatchnorm, inlineCalls, propagateTypes };

/** The full pipeline, in order. */
export const PIPELINE: readonly Pass[] = [inlineCalls, foldBatchnorm, eliminateReshape, propagateTypes];

/**
 * The passes planNetwork runs on every keystroke (io parallel): the plan needs inlined calls, folded batchnorms and no
 * identity reshapes, not the ranges (propagate-types costs BigInt interval arithmetic per weight; run PIPELINE where
 * ranges are wanted).
 */
export const PLAN_PIPELINE: readonly Pass[] = [inlineCalls, foldBatchnorm, eliminateReshape];

/** io stream keeps flatten and reshape: the backend builds each as a stage (a frame stage when the beat width changes). */
export const STREAM_PLAN_PIPELINE: readonly Pass[] = [inlineCalls, foldBatchnorm];

export interface PipelineOptions {
  /** Run the IR verifier before the first pass and after every pass; throws on a violation. */
  readonly verify?: boolean;
}

export function runPipeline(g: IrGraph, passes: readonly Pass[] = PIPELINE, opts: PipelineOptions = {}): IrGraph {
  const check = (x: IrGraph, after: string) => {
    const errors = verifyIr(x);
    if (errors.length) throw new Error(`IR verifier, ${after}:\n${errors.join('\n')}`);
  };
  if (opts.verify) check(g, 'before the passes');
  let cur = g;
  for (const p of passes) {
    cur = p.run(cur);
    if (opts.verify) check(cur, `after ${p.name}`);
  }
  return cur;
}
