// The Verilog backend's public types: the design it returns, its options, and the error that refuses a network.
import type { FixedType } from '@qnn/language';

/** A network the Verilog backend cannot build (yet): the message names the layer or setting and what to do. */
export class VerilogBackendError extends Error {
  override readonly name = 'VerilogBackendError';
}

/** Where a tensor's raws sit in the packed AXI-Stream word. */
export interface PackedTensor {
  readonly name: string;
  readonly type: FixedType;
  readonly shape: readonly number[];
  /** Bit offset of element 0 of a beat; element i of the beat occupies bits offset + i·W … offset + (i + 1)·W − 1. */
  readonly offset: number;
  /** Elements per beat: the whole tensor in io parallel, one pixel (the last axis) in io stream. */
  readonly count: number;
  /** Beats per sample: 1 in io parallel; in io stream the tensor's pixels in row-major order. */
  readonly beats: number;
}

export interface VerilogDesign {
  readonly network: string;
  /** The top module's name. */
  readonly top: string;
  /** File name → Verilog text (one module per file, named after it). */
  readonly files: ReadonlyMap<string, string>;
  readonly inputWidth: number;
  readonly outputWidth: number;
  readonly inputs: readonly PackedTensor[];
  readonly outputs: readonly PackedTensor[];
  readonly io: 'parallel' | 'stream';
  /** Beats of one sample at the input and at the output port (1 in io parallel). */
  readonly inputBeats: number;
  readonly outputBeats: number;
  /**
   * Cycles from the acceptance of a sample's first input beat to its last output beat (with the output ready, and in
   * io stream with the input offered every cycle). Exact in io parallel; in io stream the schedule of the stages (FIFO
   * fill levels vary with the traffic), which the testbench measures.
   */
  readonly latency: number;
  /** Initiation interval in cycles (io stream: of the slowest stage, with the output ready). */
  readonly ii: number;
}

export interface VerilogOptions {
  /** Name of the top module (default `qnn_<network>`). */
  readonly moduleName?: string;
}
