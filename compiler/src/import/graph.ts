// The importer's graph: layers of the .qnn language with their weights and types, as every front end builds them.
import type { FixedType } from '@qnn/language';
import type { Span } from '@qnn/language';

/** A constant tensor of a layer (`weight`, `bias`, batchnorm parameters), in the language's (Keras) layout. */
export interface ImportTensor {
  readonly attr: string;
  readonly shape: readonly number[];
  /** The values the model computes with: the trained values, or their quantized values when a quantizer applies. */
  readonly values: Float64Array;
  /** The type from the model's quantizer; undefined: the precision (widened when the values need it). */
  readonly type?: FixedType;
  /** True when the values were quantized by the importer (written as float64; float32 otherwise). */
  readonly quantized?: boolean;
}

/**
 * The result type of a layer: a type from a quantizer, 'exact' (wide enough that nothing is lost: the lossless
 * accumulator of a dense or convolution layer, the input type of a layer that keeps it), or undefined (the
 * precision, or the input type for the operations that keep it).
 */
export type ResultType = FixedType | 'exact' | undefined;

export interface ImportLayer {
  /** A name of the .qnn language (the emitter makes it unique and valid). */
  readonly name: string;
  /** An operation of the language's catalog. */
  readonly op: string;
  readonly inputs: readonly string[];
  readonly params: Readonly<Record<string, number | readonly number[] | string>>;
  readonly tensors: readonly ImportTensor[];
  /** Number attributes (batchnorm `epsilon`). */
  readonly numbers?: Readonly<Record<string, number>>;
  readonly result: ResultType;
  /** Where it comes from, for a comment: `Keras Dense 'fc1'`. */
  readonly source: string;
  /** A reuse factor (set by importModel where Vitis HLS would refuse to unroll the layer fully). */
  readonly reuse?: number;
}

export interface ImportInput {
  readonly name: string;
  readonly shape: readonly number[];
}

export interface ImportGraph {
  readonly name: string;
  /** What the model is, for the file's header comment: `Keras 2.0.0 model (model.json + weights.h5)`. */
  readonly description: string;
  readonly inputs: readonly ImportInput[];
  /** In a topological order. */
  readonly layers: readonly ImportLayer[];
  readonly outputs: readonly string[];
  /** True when the model has quantizers: unquantized dense and convolution results are then kept exact. */
  readonly quantized: boolean;
  /** Lines for the header comment (layout conversions, dropped layers). */
  readonly notes: readonly string[];
}

/** Where in the model file a problem is: a span of its text (JSON configs), else the start of the file. */
export interface ModelLocation {
  readonly path: string;
  readonly span: Span;
}
