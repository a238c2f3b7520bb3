// What the planner reads: a network's layers with their constants quantized (raws), in topological order. Built from
// the IR after the pass pipeline (ir/), so that the plan describes the graph the backends build.
import type { FixedType, IoMode, ParamValue } from '@qnn/language';

export interface PlanLayer {
  readonly name: string;
  /** The operation, or 'network' for a network used as a layer. */
  readonly op: string;
  readonly inputs: readonly string[];
  /** The shape this layer reads each input with (an eliminated reshape leaves a view); the producer's shape when absent. */
  readonly inputShapes?: readonly (readonly number[])[];
  readonly shape: readonly number[];
  readonly type: FixedType;
  readonly params: Readonly<Record<string, ParamValue>>;
  readonly settings: Readonly<Record<string, number | string>>;
  readonly types: Readonly<Record<string, FixedType>>;
  readonly reuse: number;
  /** dense and convolutions: the weight raws (row-major, Keras layout). */
  readonly weights?: readonly bigint[];
  /** batchnorm: per channel scale raws (the offset does not matter to the plan). */
  readonly batchnorm?: { readonly s: readonly bigint[] };
  /** The cast at a network call's boundary (inline-calls): io stream builds it as wiring. */
  readonly boundary?: boolean;
  /** A network used as a layer. */
  readonly subnetwork?: PlanSource;
  readonly live: boolean;
}

export interface PlanSource {
  readonly name: string;
  readonly io: IoMode;
  readonly part: string | undefined;
  readonly fifoDepth: number;
  readonly fifoEdges: ReadonlyMap<string, number>;
  readonly inputs: readonly { readonly name: string; readonly shape: readonly number[]; readonly type: FixedType }[];
  readonly layers: readonly PlanLayer[];
  readonly outputs: readonly string[];
}
