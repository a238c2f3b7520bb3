// The cost tables (cost-tables.json, fitted by compiler/calibrate) applied to a layer's features: LUT and FF counts per
// synthesis flow, and the combinational delay of a pipeline stage for the iCE40 fmax.
import tables from './cost-tables.json' with { type: 'json' };
import { FEATURE_NAMES, PATH_NAMES, type Features, type Flow, type PathFeatures } from './features.js';

export interface CostTable {
  readonly lut: Readonly<Record<string, number>>;
  readonly ff: Readonly<Record<string, number>>;
  readonly delayNs?: Readonly<Record<string, number>>;
  /** Per part, its stage delay relative to the delay table's (the ice40up5k's); parts not listed: 1. */
  readonly partScale?: Readonly<Record<string, number>>;
}

export interface CostTables {
  readonly obtained: string;
  readonly xc7: CostTable;
  readonly ice40: CostTable;
}

export const COST_TABLES: CostTables = tables as CostTables;

/** LUTs of a set of features (without the table's per-design base). */
export function lutOf(f: Features, flow: Flow, t: CostTables = COST_TABLES): number {
  const c = t[flow].lut;
  let s = 0;
  for (const k of FEATURE_NAMES) s += (c[k] ?? 0) * f[k];
  return Math.max(0, s);
}

export function ffOf(f: Pick<Features, 'regBits' | 'dspRegBits'>, flow: Flow, t: CostTables = COST_TABLES): number {
  const c = t[flow].ff;
  // Not clamped: a layer's DSPs may absorb its input registers, which the network's total counts (the caller clamps).
  return (c.regBits ?? 1) * f.regBits + (c.dspRegBits ?? 0) * f.dspRegBits;
}

/** The per-design constants (the part of the fit that does not scale with the network). */
export function baseOf(flow: Flow, t: CostTables = COST_TABLES): { lut: number; ff: number } {
  return { lut: t[flow].lut.base ?? 0, ff: t[flow].ff.base ?? 0 };
}

/** Combinational delay in ns of a stage's longest path (iCE40 tables, fitted mostly on the ice40up5k). */
export function delayOf(p: PathFeatures, t: CostTables = COST_TABLES): number {
  const c = t.ice40.delayNs ?? {};
  let s = c.base ?? 0;
  for (const k of PATH_NAMES) s += (c[k] ?? 0) * p[k];
  return s;
}

/** A part's stage delay relative to the delay table (fitted on the ice40up5k; the ice40hx8k is faster). */
export function partDelayScale(part: string, t: CostTables = COST_TABLES): number {
  return t.ice40.partScale?.[part] ?? 1;
}
