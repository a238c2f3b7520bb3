// What a layer kernel factory gets: the layer, its input tensors, the constant cache, its overflow counter.
import type { FixedType, LayerModel, TensorInfo } from '@qnn/language';
import { NUMBER_BITS } from '../fixed/types.js';
import type { ConstCache } from './consts.js';
import type { Kernel } from './kernel.js';
import type { Path } from './ops.js';
import type { OverflowCounter } from './result.js';

export interface LayerContext {
  readonly layer: LayerModel;
  readonly inputs: readonly TensorInfo[];
  readonly consts: ConstCache;
  readonly counter: OverflowCounter;
  readonly forceBigInt: boolean;
  /** Whether kernels may use WebAssembly (off only to test the JavaScript kernels). */
  readonly wasm: boolean;
}

export interface CompiledLayer {
  readonly kernel: Kernel;
  /** Constants that overflowed their type when quantized. */
  readonly constOverflows: number;
}

/** The number path when every intermediate of the layer (given as widths in bits) fits 53 bits; else BigInt. */
export function choosePath(ctx: LayerContext, widths: readonly number[]): Path {
  if (ctx.forceBigInt) return 'bigint';
  return widths.every((w) => w <= NUMBER_BITS) ? 'number' : 'bigint';
}

/** Widths of the layer's input and result types: every kernel reads and writes them. */
export function ioWidths(ctx: LayerContext): number[] {
  return [...ctx.inputs.map((t) => t.type.width), ctx.layer.tensor.type.width];
}

export function size(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

export function resultType(ctx: LayerContext): FixedType {
  return ctx.layer.tensor.type;
}
