// The checked model: semantic facts about a program, kept beside the AST (keyed by name and node), never written into it.
import type * as A from './ast.js';
import type { Diagnostic } from './diagnostics.js';
import type { FixedType } from './fixed-type.js';
import type { OpSpec } from './ops.js';

export type IoMode = 'parallel' | 'stream';

export interface TargetModel {
  readonly part: string;
  /** Clock period in ns; undefined when the target gives no clock. */
  readonly clockNs: number | undefined;
  readonly decl: A.TargetDecl;
  readonly path: string;
}

export type BudgetMetric = 'latency' | 'ii' | 'dsp' | 'lut' | 'ff' | 'bram';
export type BudgetUnit = 'ns' | 'cycles' | 'count' | 'percent';

export interface BudgetModel {
  readonly metric: BudgetMetric;
  readonly strict: boolean;
  /** In the unit given by `unit` (latency in ns is normalized to ns). */
  readonly value: number;
  readonly unit: BudgetUnit;
  readonly decl: A.Budget;
}

/** Where the values of a constant tensor come from. */
export type TensorSource =
  | { readonly kind: 'file'; readonly path: string }
  | { readonly kind: 'inline' }
  | { readonly kind: 'random'; readonly seed: number; readonly scale: number | undefined; readonly sparsity: number; readonly distribution: 'uniform' | 'normal'; readonly stream: string }
  | { readonly kind: 'zeros' }
  | { readonly kind: 'ones' };

/** A constant tensor of a layer (weights, biases, batchnorm parameters). */
export interface ConstTensor {
  readonly name: string;
  readonly type: FixedType;
  readonly shape: readonly number[];
  readonly source: TensorSource;
  /** The values as written (before quantization to `type`), row-major. Computed on first use for generated tensors. */
  values(): Float64Array;
  /** The attribute that defines it; undefined for defaults (zero bias, network `init`). */
  readonly decl: A.Attr | undefined;
}

export interface TensorInfo {
  readonly shape: readonly number[];
  readonly type: FixedType;
}

export interface InputModel {
  readonly kind: 'input';
  readonly name: string;
  readonly tensor: TensorInfo;
  readonly decl: A.InputDecl;
}

export type ParamValue = number | string | readonly number[];

export interface LayerModel {
  readonly kind: 'layer';
  readonly name: string;
  /** The operation, or the called network for a network used as a layer. */
  readonly op: OpSpec | { readonly network: NetworkModel };
  readonly opName: string;
  /** Names of the input tensors (inputs or layers of the same network), in argument order. */
  readonly inputs: readonly string[];
  readonly params: Readonly<Record<string, ParamValue>>;
  readonly tensor: TensorInfo;
  readonly consts: Readonly<Record<string, ConstTensor>>;
  /** Types of the layer's internals: accum, table_type, exp_table, inv_table (defaults filled in). */
  readonly types: Readonly<Record<string, FixedType>>;
  /** Other integer/enum attributes (table size, implementation, epsilon). */
  readonly settings: Readonly<Record<string, number | string>>;
  readonly reuse: number;
  readonly decl: A.LayerDecl;
}

export type NodeModel = InputModel | LayerModel;

export interface NetworkModel {
  readonly name: string;
  readonly path: string;
  readonly decl: A.NetworkDecl;
  readonly target: TargetModel | undefined;
  readonly io: IoMode;
  readonly reuse: number;
  readonly fifoDepth: number;
  /** Depth of particular stream edges, keyed `from->to`. */
  readonly fifoEdges: ReadonlyMap<string, number>;
  readonly budgets: readonly BudgetModel[];
  readonly inputs: readonly InputModel[];
  /** Layers in a topological order (every layer after its inputs); layers that failed to check are left out. */
  readonly layers: readonly LayerModel[];
  readonly outputs: readonly string[];
  /** Layers not on any path to an output. */
  readonly deadLayers: ReadonlySet<string>;
  /** True when the network checked without errors, so backends and the simulator may use it. */
  readonly complete: boolean;
  node(name: string): NodeModel | undefined;
}

export interface TestDataModel {
  readonly name: string;
  readonly network: string;
  readonly path: string;
  /** Per network input name: rows × input elements (row-major, flattened per sample). */
  readonly inputs: ReadonlyMap<string, { readonly rows: number; readonly data: Float64Array }>;
  readonly labels: Int32Array | undefined;
  readonly expected: { readonly rows: number; readonly data: Float64Array } | undefined;
  readonly decl: A.TestDecl;
}

export type SymbolKind = 'type' | 'network' | 'test' | 'input' | 'layer';

export interface SymbolModel {
  readonly kind: SymbolKind;
  readonly name: string;
  /** File and node of the definition. */
  readonly path: string;
  readonly span: A.Span;
}

export interface FileModel {
  readonly path: string;
  readonly text: string;
  readonly ast: A.QnnFile;
  readonly types: ReadonlyMap<string, FixedType>;
  readonly networks: ReadonlyMap<string, NetworkModel>;
  readonly tests: ReadonlyMap<string, TestDataModel>;
  /** Every name visible at top level (local and imported) and where it is defined. */
  readonly scope: ReadonlyMap<string, SymbolModel>;
  /** Name references: the span of a use and the definition it resolves to (for navigation and rename). */
  readonly references: readonly { readonly span: A.Span; readonly target: SymbolModel }[];
  readonly imports: readonly string[];
}

export interface ProgramModel {
  readonly files: ReadonlyMap<string, FileModel>;
  /** Diagnostics per file path (files without diagnostics have an empty list). */
  readonly diagnostics: ReadonlyMap<string, readonly Diagnostic[]>;
}
