// The server's view of the compiler's estimator (compiler/src/estimate): estimates cached per network object and
// options (one model per document version), and the QNN3xxx diagnostics cached per program.
import { estimateDiagnostics, estimateNetwork, type EstimateOptions, type LayerEstimate, type NetworkEstimate } from '@qnn/compiler';
import type { Diagnostic, NetworkModel, ProgramModel } from '@qnn/language';

export type { EstimateOptions, LayerEstimate, NetworkEstimate };

export interface Estimator {
  /** The estimate (what `qnn estimate --json` prints), or undefined when the network cannot be estimated. */
  network(program: ProgramModel, network: NetworkModel, options?: EstimateOptions): NetworkEstimate | undefined;
  /** The estimate when it has been computed already (`hit` false when computing it would be needed). */
  cached(network: NetworkModel, options?: EstimateOptions): { readonly hit: boolean; readonly value: NetworkEstimate | undefined };
  /** QNN3xxx diagnostics of a program (budgets, device limits). */
  diagnostics(program: ProgramModel): readonly Diagnostic[];
  /** Records an estimate computed elsewhere (the background worker) for this network object and options. */
  seed(network: NetworkModel, options: EstimateOptions | undefined, value: NetworkEstimate | undefined): void;
}

type EstimateFn = (program: ProgramModel, network: NetworkModel, options?: EstimateOptions) => NetworkEstimate | undefined;
type DiagnosticsFn = (program: ProgramModel) => readonly Diagnostic[];

/** The compiler's estimator with the server's caches; `estimate`/`diagnose` replace it in tests. */
export function estimateAdapter(estimate: EstimateFn = estimateNetwork, diagnose: DiagnosticsFn = estimateDiagnostics): Estimator {
  const byNetwork = new WeakMap<NetworkModel, Map<string, NetworkEstimate | undefined>>();
  const byProgram = new WeakMap<ProgramModel, readonly Diagnostic[]>();
  const keyOf = (options?: EstimateOptions): string => `${options?.part ?? ''}|${options?.clockNs ?? ''}`;
  return {
    cached(network, options) {
      const m = byNetwork.get(network);
      const key = keyOf(options);
      return m?.has(key) ? { hit: true, value: m.get(key) } : { hit: false, value: undefined };
    },
    network(program, network, options) {
      const key = keyOf(options);
      let m = byNetwork.get(network);
      if (!m) byNetwork.set(network, (m = new Map()));
      if (m.has(key)) return m.get(key);
      let result: NetworkEstimate | undefined;
      try {
        result = estimate(program, network, options);
      } catch {
        // A network the estimator refuses (it has errors, or an operation it does not model) has no figures.
        result = undefined;
      }
      m.set(key, result);
      return result;
    },
    seed(network, options, value) {
      let m = byNetwork.get(network);
      if (!m) byNetwork.set(network, (m = new Map()));
      m.set(keyOf(options), value);
    },
    diagnostics(program) {
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
