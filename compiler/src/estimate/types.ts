// The estimate's value types: what `estimateNetwork` returns and `qnn estimate --json` prints (docs/estimate.md).

/** Multiplications of a layer by how the hardware builds them (zero weights are `skip`, powers of two `shift`). */
export interface MultiplierCounts {
  readonly dsp: number;
  readonly lut: number;
  readonly shift: number;
  readonly skip: number;
}

export interface LayerEstimate {
  readonly name: string;
  readonly op: string;
  /** Cycles this layer adds to the latency (its register stages times the stage length). */
  readonly latencyCycles: number;
  readonly ii: number;
  readonly lut: number;
  readonly ff: number;
  readonly dsp: number;
  readonly bram18: number;
  readonly multipliers: MultiplierCounts;
}

export interface Totals {
  readonly latencyCycles: number;
  readonly ii: number;
  readonly lut: number;
  readonly ff: number;
  readonly dsp: number;
  readonly bram18: number;
  readonly latencyNs: number;
}

/** Fractions of the device in percent (0–100+). */
export interface Utilization {
  readonly lut: number;
  readonly ff: number;
  readonly dsp: number;
  readonly bram18: number;
}

/** What Vitis HLS is expected to report for the generated HLS C++ (a model; see docs/estimate.md). */
export interface HlsEstimate {
  readonly latencyCycles: number;
  readonly ii: number;
  readonly lut: number;
  readonly ff: number;
  readonly dsp: number;
  readonly bram18: number;
  /** The largest number of operations a single layer fully unrolls (vendor HLS refuses more than about 4096). */
  readonly maxUnrolled: number;
}

export interface NetworkEstimate {
  readonly network: string;
  readonly part: string;
  readonly clockNs: number;
  /** The synthesis flow the LUT/FF figures are calibrated against: yosys synth_xilinx -family xc7, or synth_ice40. */
  readonly flow: 'xc7' | 'ice40';
  readonly layers: readonly LayerEstimate[];
  readonly total: Totals;
  readonly utilization: Utilization;
  /** iCE40 parts only: the estimated fmax of nextpnr-ice40 place and route. */
  readonly fmaxMhz?: number;
  readonly hls: HlsEstimate;
  /** Caveats: layers the Verilog backend does not build, io stream, the part assumed. */
  readonly notes: readonly string[];
}

export interface EstimateOptions {
  /** Part from the device table (default: the network's target, else xcu250). */
  readonly part?: string;
  /** Clock period in ns (default: the network's clock, else 5 ns). */
  readonly clockNs?: number;
}
