// The IR: a checked network as a readonly graph of nodes in topological order, one node kind per operation, constants
// quantized to raws. Passes (compiler/src/passes/) map a graph to a new graph; the verifier checks the invariants.
import type { FixedType, IoMode, ParamValue } from '@qnn/language';

/** A constant tensor quantized to its type (raws of docs/semantics.md section 4), row-major. */
export interface IrConst {
  readonly type: FixedType;
  readonly shape: readonly number[];
  readonly raws: readonly bigint[];
}

/** An operand: the producing node (or network input) and the shape this consumer reads it with (a view). */
export interface IrEdge {
  readonly node: string;
  readonly shape: readonly number[];
}

/** Raw bounds of a node's output values (filled by the propagate-types pass), in the node's type. */
export interface IrRange {
  readonly lo: bigint;
  readonly hi: bigint;
}

interface Base {
  readonly name: string;
  readonly inputs: readonly IrEdge[];
  readonly shape: readonly number[];
  readonly type: FixedType;
  /** The layer's reuse factor (1 where it does not apply). */
  readonly reuse: number;
  /** False when no output depends on the node (the checker's dead layers). */
  readonly live: boolean;
  /** The checker's parameters, settings and internal types, as the backends read them. */
  readonly params: Readonly<Record<string, ParamValue>>;
  readonly settings: Readonly<Record<string, number | string>>;
  readonly types: Readonly<Record<string, FixedType>>;
  readonly range?: IrRange;
}

export type ConvKind = 'conv1d' | 'conv2d' | 'depthwise_conv1d' | 'depthwise_conv2d';
export type PoolKind = 'maxpool1d' | 'maxpool2d' | 'global_maxpool1d' | 'global_maxpool2d' | 'avgpool1d' | 'avgpool2d' | 'global_avgpool1d' | 'global_avgpool2d';
export type ElementwiseKind = 'relu' | 'relu6' | 'linear';

export type IrNode =
  | (Base & { readonly kind: 'dense'; readonly units: number; readonly weight: IrConst; readonly bias: IrConst | undefined; readonly accum: FixedType })
  | (Base & { readonly kind: ConvKind; readonly weight: IrConst; readonly bias: IrConst | undefined; readonly accum: FixedType })
  /** Folded: y = cast_Y(x · scale[c] + offset[c]) (the standalone form is folded by the fold-batchnorm pass). */
  | (Base & { readonly kind: 'batchnorm'; readonly form: 'folded'; readonly scale: IrConst; readonly offset: IrConst })
  | (Base & { readonly kind: 'batchnorm'; readonly form: 'standalone'; readonly gamma: IrConst; readonly beta: IrConst; readonly mean: IrConst; readonly variance: IrConst; readonly epsilon: number })
  /** `boundary`: the cast at a network call's input or output (inline-calls); io stream builds it as wiring. */
  | (Base & { readonly kind: ElementwiseKind; readonly boundary?: 'input' | 'output' })
  | (Base & { readonly kind: 'leaky_relu'; readonly alpha: number })
  | (Base & { readonly kind: 'sigmoid' | 'tanh'; readonly table: number; readonly tableType: FixedType })
  | (Base & { readonly kind: 'softmax'; readonly table: number; readonly stable: boolean; readonly expTable: FixedType; readonly invTable: FixedType })
  | (Base & { readonly kind: 'add' })
  | (Base & { readonly kind: 'concat'; readonly axis: number })
  | (Base & { readonly kind: 'flatten' | 'reshape' })
  | (Base & { readonly kind: PoolKind; readonly accum: FixedType | undefined })
  /** A network used as a layer. */
  | (Base & { readonly kind: 'call'; readonly network: IrGraph });

export type IrKind = IrNode['kind'];

export interface IrInput {
  readonly name: string;
  readonly shape: readonly number[];
  readonly type: FixedType;
  readonly range?: IrRange;
}

/** A node removed by a pass whose name other tools still know (an eliminated flatten or reshape): it reads `of`. */
export interface IrAlias {
  readonly name: string;
  readonly kind: 'flatten' | 'reshape';
  readonly of: string;
  readonly shape: readonly number[];
  readonly type: FixedType;
  readonly live: boolean;
}

export interface IrGraph {
  readonly name: string;
  readonly io: IoMode;
  readonly part: string | undefined;
  readonly reuse: number;
  readonly fifoDepth: number;
  readonly fifoEdges: ReadonlyMap<string, number>;
  readonly inputs: readonly IrInput[];
  /** Topological order: every node after the nodes and inputs it reads. */
  readonly nodes: readonly IrNode[];
  readonly outputs: readonly string[];
  readonly aliases: readonly IrAlias[];
}

export function assertNever(x: never): never {
  throw new Error(`internal error: unexpected ${JSON.stringify(x)}`);
}
