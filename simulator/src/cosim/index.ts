// Co-simulation (`qnn sim --rtl iverilog|verilator [--hls]`): writes the network's FPGA project (the `qnn build`
// writer) in a temporary folder with the report's inputs as test vectors, runs them through the generated Verilog in
// a real RTL simulator and, with --hls, the generated C++ through g++, and reports per flow whether every output value
// equals the bit-accurate simulator's, the first values that differ, and the latency and II the testbench measured.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NetworkModel } from '@qnn/language';
import type { PackedTensor } from '@qnn/compiler';
import type { SimulationInputs } from '../exec/simulate.js';
import { ProjectError, writeProject } from '../project/write-project.js';
import { requireGpp, runHls, type HlsRun } from './hls.js';
import { requireRtlSimulator, runRtl, type RtlRun, type RtlSimulator } from './rtl.js';
import { CosimError } from './tools.js';
import type { CosimMismatch } from './types.js';

export { CosimError, requireTool, TOOLS } from './tools.js';
export type { CosimMismatch } from './types.js';
export type { HlsRun } from './hls.js';
export type { RtlRun, RtlSimulator } from './rtl.js';

export interface CosimRequest {
  readonly net: NetworkModel;
  /** The .qnn file (recorded in the project's marker). */
  readonly source: string;
  readonly inputs: SimulationInputs;
  readonly rows: number;
  readonly vectorSource: string;
  readonly rtl?: RtlSimulator;
  readonly hls?: boolean;
  readonly signal?: AbortSignal;
  /** Keep the generated project in this folder (it must not exist, or be a generated project) instead of a temporary one. */
  readonly keep?: string;
  /** Mismatching values listed per flow (default 5). */
  readonly maxListed?: number;
  /** Called with a short status line before each long step. */
  readonly onStatus?: (message: string) => void;
}

/** The `cosim` member of the `qnn sim --json` report. */
export interface CosimReport {
  /** Every flow run is bit-exact. */
  readonly bitExact: boolean;
  readonly rtl?: RtlRun;
  readonly hls?: HlsRun;
  /** Where the project was kept (--keep), else undefined (the temporary folder is removed). */
  readonly project?: string;
}

/** Checks the tools the request needs (QNN4020 naming the Debian package) without doing any work. */
export function requireCosimTools(req: { readonly rtl?: RtlSimulator; readonly hls?: boolean }): void {
  if (req.rtl) requireRtlSimulator(req.rtl);
  if (req.hls) requireGpp();
}

export async function coSimulate(req: CosimRequest): Promise<CosimReport> {
  if (!req.rtl && !req.hls) throw new Error('coSimulate: ask for rtl, hls or both');
  requireCosimTools(req);
  const tmp = req.keep === undefined ? mkdtempSync(join(tmpdir(), 'qnn-cosim-')) : undefined;
  const out = req.keep ?? join(tmp!, 'project');
  const maxListed = req.maxListed ?? 5;
  try {
    req.onStatus?.('writing the project');
    let project;
    try {
      project = writeProject({ net: req.net, source: req.source, out, backend: req.rtl && req.hls ? 'all' : req.rtl ? 'verilog' : 'hls', inputs: req.inputs, rows: req.rows, vectorSource: req.vectorSource });
    } catch (e) {
      if (e instanceof ProjectError) throw new CosimError(e.code, e.message);
      throw e;
    }
    if (req.rtl && !project.verilog) throw new CosimError('QNN4011', `Verilog backend: ${project.refused.get('verilog') ?? 'refused the network'}`);
    if (req.hls && !project.hlsTop) throw new CosimError('QNN4011', `HLS backend: ${project.refused.get('hls') ?? 'refused the network'}`);
    const names = elementNames(req.net);
    let rtl: RtlRun | undefined;
    let hls: HlsRun | undefined;
    if (req.rtl && project.verilog) {
      req.onStatus?.(`running the RTL in ${req.rtl}`);
      rtl = await runRtl(project.verilog, join(project.dir, 'rtl'), req.rtl, { vectors: req.rows, signal: req.signal, names: (t: PackedTensor, i: number) => names(t.name, i), maxListed });
    }
    if (req.hls && project.hlsTop) {
      req.onStatus?.('compiling and running the HLS C++ with g++');
      const outputs = new Map(
        req.net.outputs.map((o) => {
          const t = req.net.node(o)!.tensor;
          return [o, { type: t.type, count: t.shape.reduce((a, b) => a * b, 1) }] as const;
        }),
      );
      hls = await runHls(join(project.dir, 'hls'), project.hlsTop, { vectors: req.rows, outputs, names, maxListed, signal: req.signal });
    }
    return { bitExact: (rtl?.bitExact ?? true) && (hls?.bitExact ?? true), ...(rtl ? { rtl } : {}), ...(hls ? { hls } : {}), ...(req.keep !== undefined ? { project: project.dir } : {}) };
  } finally {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }
}

/** `name[i, j]` for a row-major element index of an output. */
function elementNames(net: NetworkModel): (output: string, index: number) => string {
  return (output, index) => {
    const shape = net.node(output)?.tensor.shape ?? [];
    const idx: number[] = [];
    let r = index;
    for (let d = shape.length - 1; d >= 0; d--) {
      idx.unshift(r % shape[d]);
      r = Math.floor(r / shape[d]);
    }
    return `${output}[${idx.join(', ')}]`;
  };
}

function fmtRaw(v: number | string, value: number | undefined): string {
  return value === undefined ? String(v) : `${v} (${+value.toPrecision(6)})`;
}

function mismatchLines(ms: readonly CosimMismatch[]): string[] {
  return ms.map((m) => `    sample ${m.sample}, ${m.element ?? `${m.output}[${m.index}]`}: expected ${fmtRaw(m.expected, m.expectedValue)}, got ${fmtRaw(m.got, m.gotValue)}`);
}

/** The text of the co-simulation part of the report. */
export function formatCosim(c: CosimReport): string {
  const lines: string[] = [];
  if (c.rtl) {
    const r = c.rtl;
    const timing =
      r.latencyCycles === null ? 'latency not measured' : `measured latency ${r.latencyCycles} cycles, II ${r.ii} (the design: ${r.designLatencyCycles} and ${r.designIi})`;
    lines.push(`RTL co-simulation (${r.simulator}, ${r.version}): ${r.vectors} vectors in ${r.seconds.toFixed(1)} s; ${timing}`);
    if (r.bitExact) lines.push(`  bit-exact: yes (all ${r.totalValues.toLocaleString('en-US')} output values equal the simulator's)`);
    else {
      lines.push(
        `  bit-exact: NO — ${r.mismatches} of ${r.totalValues.toLocaleString('en-US')} values differ, in ${r.mismatchingVectors} of ${r.vectors} vectors${r.words < r.expectedWords ? `; the network presented ${r.words} of ${r.expectedWords} output words${r.timedOut ? ' (the testbench timed out)' : ''}` : ''}`,
      );
      lines.push(...mismatchLines(r.firstMismatches));
    }
  }
  if (c.hls) {
    const h = c.hls;
    lines.push(`HLS C simulation (g++ with QNN Studio's ap_fixed.h; ${h.compiler}): ${h.vectors} vectors in ${h.seconds.toFixed(1)} s`);
    if (h.bitExact) lines.push(`  bit-exact: yes (all ${h.totalValues.toLocaleString('en-US')} output values equal the simulator's)`);
    else {
      lines.push(`  bit-exact: NO — ${h.mismatches} of ${h.totalValues.toLocaleString('en-US')} values differ`);
      lines.push(...mismatchLines(h.firstMismatches));
    }
  }
  if (c.project) lines.push(`project kept in ${c.project} (make sim, make verilator, make csim)`);
  return lines.join('\n');
}
