// The shapes of the language server's custom requests (docs/server.md) and of the messages between the extension and
// its webviews. Fields beyond the contract are optional: the client renders what it gets.

/** One layer of `qnn/estimate` (the JSON of `qnn estimate --json`). */
export interface LayerEstimate {
  readonly name: string;
  readonly op: string;
  readonly latencyCycles: number;
  readonly ii: number;
  readonly lut: number;
  readonly ff: number;
  readonly dsp: number;
  readonly bram18: number;
  readonly multipliers?: { readonly dsp: number; readonly lut: number; readonly shift: number; readonly skip: number };
  /** The cycle at which the layer starts, when the server knows it (else the client lays layers end to end). */
  readonly startCycle?: number;
}

export interface ResourceFigures {
  readonly lut: number;
  readonly ff: number;
  readonly dsp: number;
  readonly bram18: number;
}

/** The result of `qnn/estimate` for one network. */
export interface NetworkEstimate {
  readonly network: string;
  readonly part: string;
  readonly clockNs: number;
  readonly layers: readonly LayerEstimate[];
  readonly total: ResourceFigures & { readonly latencyCycles: number; readonly ii: number; readonly latencyNs: number };
  /** Percent of the device (0–100, more when the network does not fit). */
  readonly utilization: ResourceFigures;
  /** iCE40 parts only: the estimated fmax after place and route. */
  readonly fmaxMhz?: number;
  /** The synthesis flow the LUT/FF figures are calibrated against. */
  readonly flow?: string;
  /** What Vitis HLS is expected to report for the generated HLS C++. */
  readonly hls?: ResourceFigures & { readonly latencyCycles: number; readonly ii: number; readonly maxUnrolled: number };
  /** Caveats (layers a backend does not build, the part assumed). */
  readonly notes?: readonly string[];
}

export interface EstimateParams {
  readonly uri: string;
  readonly network?: string;
}

export interface OverflowJson {
  readonly wrapped: number;
  readonly saturated: number;
  readonly firstSample: number | null;
}

export interface SimLayerJson {
  readonly name: string;
  readonly op: string;
  readonly shape: readonly number[];
  readonly type: string;
  readonly maxAbsError: number;
  readonly meanAbsError: number;
  readonly snrDb: number | null;
  readonly overflow: OverflowJson;
}

export interface SimOutputJson extends SimLayerJson {
  readonly top1Agreement?: number;
  readonly fixedAccuracy?: number;
  readonly floatAccuracy?: number;
  /** Output values of some samples, for the fixed-vs-float scatter (when the server sends them). */
  readonly scatter?: { readonly fixed: readonly number[]; readonly float: readonly number[] };
}

/** One value where the hardware differs from the bit-accurate simulator. */
export interface CosimMismatchJson {
  readonly sample: number;
  readonly output: string;
  readonly index: number;
  readonly element?: string;
  readonly expected: number | string;
  readonly got: number | string;
}

/** The RTL co-simulation (`cosim.rtl` of `qnn sim --rtl --json`). */
export interface RtlRunJson {
  readonly simulator: string;
  readonly version?: string;
  readonly vectors: number;
  readonly bitExact: boolean;
  readonly mismatches: number;
  readonly totalValues: number;
  readonly firstMismatches?: readonly CosimMismatchJson[];
  readonly latencyCycles: number | null;
  readonly ii: number | null;
  readonly designLatencyCycles?: number;
  readonly designIi?: number;
  readonly timedOut?: boolean;
  readonly seconds?: number;
}

export interface CosimJson {
  readonly bitExact: boolean;
  readonly rtl?: RtlRunJson;
  readonly hls?: { readonly compiler: string; readonly vectors: number; readonly bitExact: boolean; readonly mismatches: number; readonly totalValues: number; readonly seconds?: number };
}

/** The result of `qnn/simulate` (the JSON of `qnn sim --json`). */
export interface SimulationJson {
  readonly file: string;
  readonly network: string;
  readonly samples: number;
  readonly inputSource: string;
  readonly stopped: boolean;
  readonly floatBackend: string;
  readonly timing: { readonly fixedMs: number; readonly floatMs: number; readonly fixedSamplesPerSecond: number };
  readonly layers: readonly SimLayerJson[];
  readonly outputs: readonly SimOutputJson[];
  readonly firstDivergence: string | null;
  readonly cosim?: CosimJson;
  /** Set by the client when it asked for RTL co-simulation and the server could not do it (the reason). */
  readonly cosimSkipped?: string;
  readonly error?: { readonly code: string; readonly message: string };
}

export interface SimulateParams {
  readonly uri: string;
  readonly network?: string;
  readonly count?: number;
  readonly rtl?: 'iverilog' | 'verilator';
}

export type Backend = 'verilog' | 'hls';

export interface BuildParams {
  readonly uri: string;
  readonly network?: string;
  readonly out: string;
  readonly backends: readonly Backend[];
  readonly overwrite?: boolean;
}

export interface BuildResult {
  readonly outDir: string;
  readonly files: readonly string[];
}

export interface ImportParams {
  readonly model: string;
  readonly weights?: string;
  /** The folder the .qnn file and its weights are written to. */
  readonly out: string;
  readonly name?: string;
  readonly precision?: string;
  readonly part?: string;
  readonly clockNs?: number;
  /** Replace files that exist (else QNN5006). */
  readonly force?: boolean;
}

export interface ImportDiagnostic {
  readonly code?: string;
  readonly message: string;
  readonly severity?: string | number;
}

export interface ImportResult {
  readonly ok?: boolean;
  readonly files?: readonly string[];
  readonly qnnPath?: string;
  readonly network?: string;
  readonly diagnostics?: readonly ImportDiagnostic[];
}

/** Messages from the extension to a webview. */
export type ToWebview =
  | { readonly kind: 'report'; readonly file: string; readonly estimate: NetworkEstimate; readonly stale?: boolean }
  | { readonly kind: 'report-error'; readonly file: string; readonly message: string }
  | { readonly kind: 'simulation'; readonly result: SimulationJson };

/** Messages from a webview to the extension. */
export type FromWebview = { readonly kind: 'ready' } | { readonly kind: 'reveal-layer'; readonly layer: string };
