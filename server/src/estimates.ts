// The adapter to the compiler's estimator (compiler/src/estimate): resources and latency per layer and network.
// Looked up at run time so that the server works, without figures, on a compiler that does not export it.
import * as compiler from '@qnn/compiler';
import type { Diagnostic, NetworkModel, ProgramModel } from '@qnn/language';

export interface MultiplierCounts {
  readonly dsp: number;
  readonly lut: number;
  readonly shift: number;
  readonly skip: number;
}

export interface LayerEstimate {
  readonly name: string;
  readonly op: string;
  readonly latencyCycles: number;
  readonly ii: number;
  readonly lut: number;
  readonly ff: number;
  readonly dsp: number;
  readonly bram18: number;
  readonly multipliers: MultiplierCounts;
}

/** The JSON form of `qnn estimate --json` for one network (the contract of compiler/src/estimate). */
export interface NetworkEstimate {
  readonly network: string;
  readonly part: string;
  readonly clockNs: number;
  readonly layers: readonly LayerEstimate[];
  readonly total: {
    readonly latencyCycles: number;
    readonly ii: number;
    readonly lut: number;
    readonly ff: number;
    readonly dsp: number;
    readonly bram18: number;
    readonly latencyNs: number;
  };
  readonly utilization: { readonly lut: number; readonly ff: number; readonly dsp: number; readonly bram18: number };
  readonly fmaxMhz?: number;
}

export interface EstimateOptions {
  readonly part?: string;
  readonly clockNs?: number;
}

export interface Estimator {
  /** False while the compiler has no estimator: hovers, hints and lenses then show what the checked model gives. */
  readonly available: boolean;
  /** The estimate in its JSON form, or undefined when the network cannot be estimated (or there is no estimator). */
  network(program: ProgramModel, network: NetworkModel, options?: EstimateOptions): NetworkEstimate | undefined;
  /** The estimate when it has been computed already (`hit` false when computing it would be needed). */
  cached(network: NetworkModel, options?: EstimateOptions): { readonly hit: boolean; readonly value: NetworkEstimate | undefined };
  /** QNN3xxx diagnostics of a program (budgets, device limits). */
  diagnostics(program: ProgramModel): readonly Diagnostic[];
}

type EstimateFn = (program: ProgramModel, network: NetworkModel, options?: EstimateOptions) => unknown;
type DiagnosticsFn = (program: ProgramModel) => readonly Diagnostic[];

/** The estimator of the compiler package, when it has one; `source` replaces it (tests). */
export function estimateAdapter(source: Record<string, unknown> = compiler as unknown as Record<string, unknown>): Estimator {
  const estimate = typeof source.estimateNetwork === 'function' ? (source.estimateNetwork as EstimateFn) : undefined;
  const diagnose = typeof source.estimateDiagnostics === 'function' ? (source.estimateDiagnostics as DiagnosticsFn) : undefined;
  const byNetwork = new WeakMap<NetworkModel, Map<string, NetworkEstimate | undefined>>();
  const byProgram = new WeakMap<ProgramModel, readonly Diagnostic[]>();
  return {
    available: estimate !== undefined,
    cached(network, options) {
      if (!estimate) return { hit: true, value: undefined };
      const m = byNetwork.get(network);
      const key = `${options?.part ?? ''}|${options?.clockNs ?? ''}`;
      return m?.has(key) ? { hit: true, value: m.get(key) } : { hit: false, value: undefined };
    },
    network(program, network, options) {
      if (!estimate) return undefined;
      const key = `${options?.part ?? ''}|${options?.clockNs ?? ''}`;
      let m = byNetwork.get(network);
      if (!m) byNetwork.set(network, (m = new Map()));
      if (m.has(key)) return m.get(key);
      let result: NetworkEstimate | undefined;
      try {
        // The JSON round trip gives exactly what `qnn estimate --json` prints (and a value safe to send).
        const e = estimate(program, network, options);
        result = e === undefined ? undefined : (JSON.parse(JSON.stringify(e)) as NetworkEstimate);
      } catch {
        // A network the estimator refuses (it has errors, or an operation it does not model) has no figures.
        result = undefined;
      }
      m.set(key, result);
      return result;
    },
    diagnostics(program) {
      if (!diagnose) return [];
      let d = byProgram.get(program);
      if (!d) {
        try {
          d = diagnose(program);
        } catch {
          d = [];
        }
        byProgram.set(program, d);
      }
      return d;
    },
  };
}

/** `3 cyc · 64 DSP`: the latency and the main resource of a layer (DSP, else LUT, else BRAM). */
export function layerHint(l: LayerEstimate): string {
  const cyc = `${l.latencyCycles} cyc`;
  if (l.dsp > 0) return `${cyc} · ${fmtCount(l.dsp)} DSP`;
  if (l.bram18 > 0 && l.lut === 0) return `${cyc} · ${fmtCount(l.bram18)} BRAM`;
  if (l.lut > 0) return `${cyc} · ${fmtCount(l.lut)} LUT`;
  if (l.bram18 > 0) return `${cyc} · ${fmtCount(l.bram18)} BRAM`;
  return cyc;
}

/** 1234 → `1,234`; 12345 → `12.3k`. */
export function fmtCount(n: number): string {
  if (Math.abs(n) >= 10000) return `${(n / 1000).toFixed(1)}k`;
  return Math.round(n).toLocaleString('en-US');
}

export function fmtPercent(fraction: number): string {
  const p = fraction * 100;
  return `${p < 10 ? p.toFixed(1) : Math.round(p)}%`;
}
