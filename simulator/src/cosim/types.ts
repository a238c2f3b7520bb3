// The co-simulation part of the `qnn sim` report (docs/simulation.md): one value that differs between the hardware
// and the bit-accurate simulator.
export interface CosimMismatch {
  /** Index of the input vector (0-based, in the order of the report's inputs). */
  readonly sample: number;
  /** The network output (layer name). */
  readonly output: string;
  /** Row-major element index within the output. */
  readonly index: number;
  /** The element as `name[i, j]` when known. */
  readonly element?: string;
  /** Raw integers (numbers up to 2^53, decimal strings beyond; 'x' for unknown bits, 'missing' for an output never presented). */
  readonly expected: number | string;
  readonly got: number | string;
  /** The fixed-point values of the raws. */
  readonly expectedValue?: number;
  readonly gotValue?: number;
}
