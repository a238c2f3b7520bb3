// Shared by the Verilog co-simulation tests: seeded random types and values, the simulator's expected raws, batches of
// designs with their checkers run through iverilog and Verilator, lint, and the samples. A missing tool fails (it
// names the Debian package to install); nothing is skipped.
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { checkProgram, formatFixedType, memoryFileSystem, OVERFLOW_MODES, QUANT_MODES, seededUniform, valueRange, type FixedType, type NetworkModel, type OverflowMode, type QuantMode } from '@qnn/language';
import { generateVerilog, nodeFileSystem, partCatalog, testbenchTop, verilogTestbench, type VerilogDesign } from '@qnn/compiler';
import { simulateSync, type RawTensor } from '../src/index.js';
import { RandomSource } from './helpers.js';

export const run = promisify(execFile);
const KEEP = process.env.QNN_KEEP_RTL === '1';
const dirs: string[] = [];
/** Removes the folders of this process (call in afterAll); QNN_KEEP_RTL=1 keeps them. */
export function cleanup(): void {
  if (!KEEP) for (const d of dirs) rmSync(d, { recursive: true, force: true });
}

export function tempDir(tag: string): string {
  const d = mkdtempSync(join(tmpdir(), `qnn-rtl-${tag}-`));
  dirs.push(d);
  return d;
}

/** Fails (never skips) when a tool is missing, naming the Debian package. */
export function requireTool(cmd: string, args: string[], pkg: string): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.error || r.status !== 0) throw new Error(`'${cmd}' is not available (${r.error?.message ?? r.stderr}); install the Debian package: apt-get install ${pkg}`);
}

export class Gen extends RandomSource {
  modes(): { quant: QuantMode; overflow: OverflowMode } {
    const quant: QuantMode = this.rnd() < 0.25 ? 'TRN' : this.pick(QUANT_MODES);
    const overflow: OverflowMode = this.rnd() < 0.3 ? 'WRAP' : this.pick(OVERFLOW_MODES);
    return { quant, overflow };
  }
  /**
   * A type for values of magnitude about 2^mag: integer bits around mag + 1 (slack moves them; a negative slack
   * makes overflow likely), fracMin … fracMax fractional bits.
   */
  around(mag: number, slack: number, fracMin: number, fracMax: number, signed = this.rnd() < 0.8): FixedType {
    const intBits = Math.max(-3, Math.round(mag) + (signed ? 1 : 0) + slack);
    const frac = this.int(fracMin, fracMax);
    const width = Math.max(signed ? 2 : 1, intBits + frac);
    return { signed, width, intBits, ...this.modes() };
  }
  /** Values in the type's range with zeros, powers of two and a few beyond the range (they saturate or wrap). */
  values(t: FixedType, n: number): number[] {
    const r = valueRange(t);
    return Array.from({ length: n }, () => {
      const u = this.rnd();
      if (u < 0.15) return 0;
      if (u < 0.25) return (this.rnd() < 0.5 ? -1 : 1) * 2 ** this.int(-3, 1);
      return r.min + this.rnd() * (r.max - r.min) * 1.05;
    });
  }
}

export const spell = (t: FixedType) => formatFixedType(t);

export function literal(values: number[], shape: number[]): string {
  if (shape.length === 1) return `[${values.map(String).join(', ')}]`;
  const inner = shape.slice(1).reduce((a, b) => a * b, 1);
  return `[${Array.from({ length: shape[0] }, (_, i) => literal(values.slice(i * inner, (i + 1) * inner), shape.slice(1))).join(', ')}]`;
}


// ---- running a batch of networks through the simulators ----

export interface Case {
  readonly label: string;
  readonly src: string;
  readonly net: NetworkModel;
  readonly design: VerilogDesign;
  readonly inputs: bigint[][];
  readonly expected: bigint[][];
  /** Distinct expected output vectors (a network whose output never changes would prove little). */
  readonly distinct: number;
  /** Accumulator casts (stage accum) that wrapped or saturated, over every dense layer and vector. */
  readonly accumWrapped: number;
  readonly accumSaturated: number;
  /** Also run with input gaps and output back-pressure. */
  readonly backpressure: boolean;
  /** Whether the parse of the results requires the measured latency and II to be the design's (default true). */
  timing?: boolean;
}

function rawsOf(t: RawTensor, row: number): bigint[] {
  const n = t.data.length / t.rows;
  return Array.from({ length: n }, (_, i) => BigInt(t.data[row * n + i] as number | bigint));
}

/** Simulates `rows` seeded vectors (spanning each input type, a little beyond) and generates the design. */
export function makeCase(label: string, src: string, net: NetworkModel, rows: number, seed: number, moduleName?: string, backpressure = true): Case {
  const inputs = new Map(
    net.inputs.map((i) => {
      const size = i.tensor.shape.reduce((a, b) => a * b, 1);
      const u = seededUniform(seed, `${net.name}/${i.name}`, rows * size);
      const r = valueRange(i.tensor.type);
      const mid = (r.min + r.max) / 2;
      const half = ((r.max - r.min) / 2) * 1.1;
      return [i.name, { rows, data: u.map((v) => mid + v * half) }];
    }),
  );
  const result = simulateSync(net, inputs, { keepLayers: true });
  const ins: bigint[][] = [];
  const exp: bigint[][] = [];
  for (let r = 0; r < rows; r++) {
    ins.push(net.inputs.flatMap((i) => rawsOf(result.inputs.get(i.name)!.tensor!, r)));
    exp.push(net.outputs.flatMap((o) => rawsOf(result.outputs.get(o)!, r)));
  }
  const design = generateVerilog(net, moduleName ? { moduleName } : {});
  const accum = [...result.layers.values()].flatMap((l) => l.overflow.stages.filter((st) => st.stage === 'accum'));
  return {
    label,
    src,
    net,
    design,
    inputs: ins,
    expected: exp,
    distinct: new Set(exp.map((v) => v.join())).size,
    accumWrapped: accum.reduce((a, st) => a + st.wrapped, 0),
    accumSaturated: accum.reduce((a, st) => a + st.saturated, 0),
    backpressure,
  };
}

/** Writes the designs, their checkers and one top into a fresh folder; returns it and the Verilog files. */
export function writeBatch(tag: string, cases: readonly Case[]): { dir: string; sources: string[] } {
  const dir = tempDir(tag);
  const sources: string[] = [];
  const checkers: string[] = [];
  for (const c of cases) {
    writeFileSync(join(dir, `${c.design.top}.qnn`), c.src + '\n'); // the reproducer beside its Verilog
    for (const [f, text] of c.design.files) {
      writeFileSync(join(dir, f), text);
      sources.push(f);
    }
    // The checker at full rate (latency and II measured), and one with input gaps and output back-pressure.
    for (const backpressure of c.backpressure ? [false, true] : [false]) {
      const tb = verilogTestbench(c.design, { inputs: c.inputs, expected: c.expected }, { backpressure });
      for (const [f, text] of tb.files) {
        writeFileSync(join(dir, f), text);
        if (f.endsWith('.v')) sources.push(f);
      }
      checkers.push(tb.module);
    }
  }
  const top = testbenchTop(checkers);
  writeFileSync(join(dir, top.file), top.text);
  sources.push(top.file);
  return { dir, sources };
}

export interface Outcome {
  readonly mismatches: number;
  readonly latency: number;
  readonly ii: number;
  readonly vectors: number;
}

export function parse(stdout: string, cases: readonly Case[], tool: string): Map<string, Outcome> {
  const out = new Map<string, Outcome>();
  for (const m of stdout.matchAll(/^RESULT (\S+) vectors=(\d+) mismatches=(\d+) latency=(-?\d+) ii=(\d+)$/gm)) {
    out.set(m[1], { vectors: Number(m[2]), mismatches: Number(m[3]), latency: Number(m[4]), ii: Number(m[5]) });
  }
  for (const c of cases) {
    // The checker at full rate measures the design's latency and II (those of the implementation plan); io stream
    // timing is checked by the caller (timing: false), which reports every difference at once.
    const exact = c.timing ?? true;
    const checks: [string, (o: Outcome) => boolean][] = [[`tb_${c.design.top}`, (o) => !exact || (o.ii === c.design.ii && o.latency === c.design.latency)]];
    if (c.backpressure) checks.push([`tb_${c.design.top}_bp`, () => true]);
    for (const [checker, timing] of checks) {
      const o = out.get(checker);
      if (o && o.mismatches === 0 && o.vectors === c.inputs.length && timing(o)) continue;
      const lines = stdout.split('\n').filter((l) => l.includes(` ${checker} `));
      const first = /MISMATCH \S+ vector (\d+)/.exec(lines.join('\n'));
      const v = first ? Number(first[1]) : 0;
      throw new Error(
        `${tool}: ${c.label} (${checker}) does not match the simulator: ${lines.join(' | ') || 'no RESULT line'}\n` +
          `expected latency ${c.design.latency}, II ${c.design.ii}, ${c.inputs.length} vectors${checker.endsWith('_bp') ? ' (with back-pressure: latency and II not checked)' : ''}\n` +
          `first mismatching vector ${v}: input raws [${c.inputs[v].join(', ')}], expected output raws [${c.expected[v].join(', ')}]\n` +
          `network:\n${c.src}\n(set QNN_KEEP_RTL=1 to keep the generated folders)`,
      );
    }
  }
  return out;
}

export async function iverilog(tag: string, cases: readonly Case[]): Promise<Map<string, Outcome>> {
  const { dir, sources } = writeBatch(`${tag}-iv`, cases);
  await run('iverilog', ['-g2005', '-Wall', '-o', 'sim.vvp', '-s', 'tb_top', ...sources], { cwd: dir, maxBuffer: 1 << 26 });
  const { stdout } = await run('vvp', ['-n', 'sim.vvp'], { cwd: dir, maxBuffer: 1 << 26 });
  return parse(stdout, cases, 'iverilog');
}

export async function verilator(tag: string, cases: readonly Case[]): Promise<Map<string, Outcome>> {
  const { dir, sources } = writeBatch(`${tag}-vl`, cases);
  // The testbench is not linted (-Wno-fatal); the designs are, with -Wall, in their own test.
  await run('verilator', ['--binary', '--timing', '-Wno-fatal', '-Wno-lint', '-Wno-style', '--top-module', 'tb_top', '-Mdir', 'obj', '-j', '2', '-MAKEFLAGS', 'OPT_FAST=-O0 OPT_SLOW=-O0 OPT_GLOBAL=-O0', ...sources], {
    cwd: dir,
    maxBuffer: 1 << 26,
  });
  const { stdout } = await run(join(dir, 'obj', 'Vtb_top'), [], { cwd: dir, maxBuffer: 1 << 26 });
  return parse(stdout, cases, 'verilator');
}

export async function lint(tag: string, d: VerilogDesign): Promise<void> {
  const dir = tempDir(`${tag}-lint`);
  for (const [f, text] of d.files) writeFileSync(join(dir, f), text);
  try {
    await run('verilator', ['--lint-only', '-Wall', '--top-module', d.top, ...d.files.keys()], { cwd: dir, maxBuffer: 1 << 26 });
  } catch (e) {
    throw new Error(`verilator --lint-only -Wall rejects ${d.top}:\n${(e as { stderr?: string }).stderr ?? e}\n${[...d.files.values()][0].slice(0, 4000)}`);
  }
}


// ---- the samples ----

export const samples = join(import.meta.dirname, '../../samples');
export function sampleNet(file: string, edit: (src: string) => string): { src: string; net: NetworkModel } {
  const path = join(samples, file);
  const src = edit(readFileSync(path, 'utf8'));
  const program = checkProgram([path], { fs: memoryFileSystem({ [path]: src }, nodeFileSystem), parts: partCatalog });
  const errors = [...program.diagnostics.values()].flat().filter((d) => d.severity === 'error');
  if (errors.length) throw new Error(errors.map((d) => d.message).join('\n'));
  return { src, net: [...program.files.get(path)!.networks.values()][0] };
}
