// Co-simulation of the generated Verilog with the bit-accurate simulator: seeded random dense/activation networks
// (every quantization and overflow mode, accumulators that overflow, branches joined by add and concat), random
// networks of table layers (sigmoid, tanh, softmax stable and latency, with batchnorm folded and standalone) and of
// pooling (max and average, 1-D, 2-D and global, valid and same padding), and the samples the Verilog backend supports run through iverilog and Verilator, which must report zero mismatches, bit for
// bit, and an initiation interval of 1. The generated modules pass `verilator --lint-only -Wall`, and yosys
// synthesizes a sample for xc7. A missing tool fails (it names the Debian package to install); nothing is skipped.
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { checkProgram, formatFixedType, isValidReuse, memoryFileSystem, OVERFLOW_MODES, QUANT_MODES, seededUniform, valueRange, type FixedType, type NetworkModel, type OverflowMode, type QuantMode } from '@qnn/language';
import { generateVerilog, nodeFileSystem, partCatalog, testbenchTop, verilogTestbench, VerilogBackendError, type VerilogDesign } from '@qnn/compiler';
import { simulateSync, type RawTensor } from '../src/index.js';
import { network, RandomSource, rng } from './helpers.js';

const run = promisify(execFile);
const KEEP = process.env.QNN_KEEP_RTL === '1';
const dirs: string[] = [];
afterAll(() => {
  if (!KEEP) for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tempDir(tag: string): string {
  const d = mkdtempSync(join(tmpdir(), `qnn-rtl-${tag}-`));
  dirs.push(d);
  return d;
}

/** Fails (never skips) when a tool is missing, naming the Debian package. */
function requireTool(cmd: string, args: string[], pkg: string): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.error || r.status !== 0) throw new Error(`'${cmd}' is not available (${r.error?.message ?? r.stderr}); install the Debian package: apt-get install ${pkg}`);
}

// ---- the random networks ----

class Gen extends RandomSource {
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

const spell = (t: FixedType) => formatFixedType(t);

function literal(values: number[], shape: number[]): string {
  if (shape.length === 1) return `[${values.map(String).join(', ')}]`;
  const inner = shape.slice(1).reduce((a, b) => a * b, 1);
  return `[${Array.from({ length: shape[0] }, (_, i) => literal(values.slice(i * inner, (i + 1) * inner), shape.slice(1))).join(', ')}]`;
}

/** Sometimes a reuse factor > 1 (time-multiplexed multipliers), among the valid ones (hls4ml's rule). */
function reuseAttr(g: Gen, nIn: number, nOut: number): string[] {
  if (g.rnd() < 0.65) return [];
  const valid = Array.from({ length: 9 }, (_, i) => i + 2).filter((r) => isValidReuse(nIn, nOut, r));
  return valid.length ? [`    reuse: ${g.pick(valid)}`] : [];
}

/**
 * A random stack of dense layers and activations, with branches joined by add and concat. Types follow the values'
 * magnitude (so that outputs vary), with random slack: accumulators and results that are too narrow overflow.
 */
function randomNetwork(seed: number): string {
  const g = new Gen(rng(seed * 7919 + 13));
  const name = `r${seed}`;
  const positions = g.rnd() < 0.2 ? 2 : 1;
  let n = g.int(1, 8);
  let mag = g.int(0, 3);
  const inType = g.around(mag, 0, 1, 8, true);
  const lines = [`network ${name} {`, `  io parallel`, `  input x : ${spell(inType)}[${positions > 1 ? `${positions}, ` : ''}${n}]`];
  let prev = 'x';
  let flat = positions === 1;
  const earlier: { name: string; n: number }[] = [];
  const depth = g.int(1, 3);
  for (let k = 0; k < depth; k++) {
    const units = g.int(2, 8);
    const w = g.around(g.int(-1, 0), 0, 2, 7, g.rnd() < 0.9);
    const b = g.around(mag - 1, g.int(-1, 1), 1, 8);
    const sumMag = mag + w.intBits - 1 + Math.log2(n) / 2;
    const acc = g.around(sumMag, g.int(-2, 2), 2, 10); // narrow ones overflow often
    lines.push(
      `  d${k} = dense(${prev}, ${units}) {`,
      `    weight: ${spell(w)} = ${literal(g.values(w, n * units), [n, units])}`,
      ...(g.rnd() < 0.85 ? [`    bias: ${spell(b)} = ${literal(g.values(b, units), [units])}`] : []),
      ...(g.rnd() < 0.9 ? [`    accum: ${spell(acc)}`] : []),
      ...reuseAttr(g, n, units),
      `  } : ${spell(g.around(sumMag, g.int(-1, 1), 1, 8))}`,
    );
    prev = `d${k}`;
    n = units;
    mag = Math.max(-1, Math.round(sumMag));
    const act = g.rnd();
    const actType = () => spell(g.around(mag, g.int(0, 1), 1, 8));
    if (act < 0.35) lines.push(`  a${k} = relu(${prev}) : ${actType()}`);
    else if (act < 0.5) lines.push(`  a${k} = relu6(${prev}) : ${actType()}`);
    else if (act < 0.65) lines.push(`  a${k} = leaky_relu(${prev}, ${g.pick([0.1, 0.3, -0.5, 1.5, 0.25])}) : ${actType()}`);
    else if (act < 0.8) lines.push(`  a${k} = linear(${prev}) : ${actType()}`);
    else lines.push(`  a${k} = relu(${prev})`);
    const a = `a${k}`;
    if (!flat) {
      lines.push(`  f${k} = flatten(${a})${g.rnd() < 0.5 ? '' : ` : ${actType()}`}`);
      prev = `f${k}`;
      n *= positions;
      flat = true;
    } else prev = a;
    const merge = g.rnd();
    if (merge < 0.25 && !prev.startsWith('f')) {
      // A residual-style add of the activation and its own input (different pipeline stages).
      lines.push(`  s${k} = add(${prev}, d${k}) : ${spell(g.around(mag + 1, g.int(-1, 1), 0, 8))}`);
      prev = `s${k}`;
    } else if (merge < 0.45 && earlier.length) {
      const e = g.pick(earlier);
      lines.push(`  j${k} = concat(${prev}, ${e.name}) : ${actType()}`);
      prev = `j${k}`;
      n += e.n;
    }
    earlier.push({ name: prev, n });
  }
  lines.push(`  output ${prev}`, `}`);
  return lines.join('\n');
}

/**
 * A random network of table layers: dense, then sigmoid or tanh (random table sizes, table types with every mode,
 * result types with every mode), sometimes a second dense, and often a softmax (stable or latency, random tables).
 * The input types span the tables' ranges and a little beyond (clamped indices).
 */
function randomTableNetwork(seed: number): string {
  const g = new Gen(rng(seed * 104729 + 7));
  const name = `t${seed}`;
  const positions = g.rnd() < 0.25 ? 2 : 1;
  const n = g.int(1, 6);
  const shape = (k: number) => `[${positions > 1 ? `${positions}, ` : ''}${k}]`;
  const inType = g.around(g.int(2, 4), 0, 1, 7, true);
  const lines = [`network ${name} {`, `  io parallel`, `  input x : ${spell(inType)}${shape(n)}`];
  let prev = 'x';
  let k = n;
  const table = () => 2 ** (g.rnd() < 0.15 ? g.int(1, 3) : g.int(5, 10));
  const tableType = () => spell(g.around(0, g.int(-1, 2), 2, 12, g.rnd() < 0.7));
  const act = () => {
    const fn = g.pick(['sigmoid', 'tanh']);
    const attrs = [...(g.rnd() < 0.8 ? [`table: ${table()}`] : []), ...(g.rnd() < 0.7 ? [`table_type: ${tableType()}`] : [])];
    const res = ` : ${spell(g.around(0, g.int(-1, 1), 3, 10, fn === 'sigmoid' ? g.rnd() < 0.5 : true))}`;
    return `${fn}(${prev})${attrs.length ? ` { ${attrs.join(', ')} }` : ''}${res}`;
  };
  const dense = (units: number, mag: number) => {
    const w = g.around(0, 0, 2, 6, true);
    return [
      `  d${units}_${k} = dense(${prev}, ${units}) {`,
      `    weight: ${spell(w)} = ${literal(g.values(w, k * units), [k, units])}`,
      `    accum: ${spell(g.around(mag + 1, g.int(0, 2), 4, 10, true))}`,
      `  } : ${spell(g.around(mag, g.int(-1, 1), 2, 8, true))}`,
    ];
  };
  if (g.rnd() < 0.6) {
    const units = g.int(2, 6);
    lines.push(...dense(units, g.int(2, 4)));
    prev = `d${units}_${k}`;
    k = units;
  }
  if (g.rnd() < 0.5) {
    // batchnorm, folded or standalone (the fold in binary64, then gamma's and beta's types).
    const st = g.around(0, g.int(0, 1), 2, 8, g.rnd() < 0.85);
    const ot = g.around(2, g.int(-1, 1), 1, 8, true);
    const res = spell(g.around(3, g.int(-1, 1), 1, 8, true));
    if (g.rnd() < 0.5) lines.push(`  bn = batchnorm(${prev}) {`, `    scale: ${spell(st)} = ${literal(g.values(st, k), [k])}`, `    bias: ${spell(ot)} = ${literal(g.values(ot, k), [k])}`, `  } : ${res}`);
    else {
      const vt = g.around(2, 1, 2, 8, false);
      const variance = Array.from({ length: k }, () => 0.05 + g.rnd() * 3);
      lines.push(
        `  bn = batchnorm(${prev}) {`,
        `    gamma: ${spell(st)} = ${literal(g.values(st, k), [k])}`,
        ...(g.rnd() < 0.8 ? [`    beta: ${spell(ot)} = ${literal(g.values(ot, k), [k])}`] : []),
        `    mean: ${spell(ot)} = ${literal(g.values(ot, k), [k])}`,
        `    variance: ${spell(vt)} = ${literal(variance, [k])}`,
        ...(g.rnd() < 0.5 ? [`    epsilon: ${g.pick([0.001, 0.01, 1e-5])}`] : []),
        `  } : ${res}`,
      );
    }
    prev = 'bn';
  }
  lines.push(`  a = ${act()}`);
  prev = 'a';
  if (g.rnd() < 0.4) {
    lines.push(`  b = ${act()}`);
    prev = 'b';
  }
  if (g.rnd() < 0.7) {
    const units = g.int(2, 6);
    lines.push(...dense(units, g.int(1, 3)));
    prev = `d${units}_${k}`;
    k = units;
    const impl = g.rnd() < 0.5 ? 'latency' : 'stable';
    const et = g.around(g.rnd() < 0.5 ? 1 : 5, g.int(-1, 1), 4, 12, g.rnd() < 0.7);
    const it = g.around(g.int(0, 3), g.int(-1, 1), 4, 12, g.rnd() < 0.5);
    const attrs = [`table: ${table()}`, ...(g.rnd() < 0.7 ? [`implementation: ${impl}`] : []), ...(g.rnd() < 0.8 ? [`exp_table: ${spell(et)}`] : []), ...(g.rnd() < 0.8 ? [`inv_table: ${spell(it)}`] : [])];
    lines.push(`  s = softmax(${prev}) { ${attrs.join(', ')} } : ${spell(g.around(0, g.int(-1, 1), 4, 14, g.rnd() < 0.5))}`);
    prev = 's';
  }
  lines.push(`  output ${prev}`, `}`);
  return lines.join('\n');
}

/** A random network of max pooling (1-D or 2-D, random pool, stride and padding, then sometimes global max pooling). */
function randomPoolNetwork(seed: number): string {
  const g = new Gen(rng(seed * 6007 + 3));
  const two = g.rnd() < 0.5;
  const C = g.int(1, 3);
  const dims = two ? [g.int(2, 5), g.int(2, 5)] : [g.int(2, 9)];
  const inType = g.around(g.int(0, 3), 0, 1, 6, g.rnd() < 0.8);
  const pool = dims.map((d) => g.int(1, Math.min(3, d)));
  const stride = pool.map((p) => g.int(1, p + 1));
  const padding = g.pick(['valid', 'same']);
  const d = two ? '2d' : '1d';
  const lines = [`network p${seed} {`, `  io parallel`, `  input x : ${spell(inType)}[${[...dims, C].join(', ')}]`];
  const kind = () => (g.rnd() < 0.5 ? 'max' : 'avg');
  // Average pooling: sometimes a narrow accumulator (it overflows), result types with every mode.
  const accum = (k: string) => (k === 'avg' && g.rnd() < 0.5 ? ` { accum: ${spell(g.around(g.int(1, 4), g.int(-1, 1), 0, 6, true))} }` : '');
  const k1 = kind();
  lines.push(`  m = ${k1}pool${d}(x, pool: ${two ? `[${pool.join(', ')}]` : pool[0]}, stride: ${two ? `[${stride.join(', ')}]` : stride[0]}, padding: ${padding})${accum(k1)} : ${spell(g.around(g.int(0, 3), g.int(-1, 1), 0, 6, g.rnd() < 0.8))}`);
  if (g.rnd() < 0.6) {
    const k2 = kind();
    lines.push(`  gm = global_${k2}pool${d}(m)${accum(k2)} : ${spell(g.around(g.int(0, 3), g.int(-1, 1), 0, 6))}`, `  output m, gm`);
  } else lines.push(`  output m`);
  lines.push(`}`);
  return lines.join('\n');
}

// ---- running a batch of networks through the simulators ----

interface Case {
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
}

function rawsOf(t: RawTensor, row: number): bigint[] {
  const n = t.data.length / t.rows;
  return Array.from({ length: n }, (_, i) => BigInt(t.data[row * n + i] as number | bigint));
}

/** Simulates `rows` seeded vectors (spanning each input type, a little beyond) and generates the design. */
function makeCase(label: string, src: string, net: NetworkModel, rows: number, seed: number, moduleName?: string, backpressure = true): Case {
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
function writeBatch(tag: string, cases: readonly Case[]): { dir: string; sources: string[] } {
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

interface Outcome {
  readonly mismatches: number;
  readonly latency: number;
  readonly ii: number;
  readonly vectors: number;
}

function parse(stdout: string, cases: readonly Case[], tool: string): Map<string, Outcome> {
  const out = new Map<string, Outcome>();
  for (const m of stdout.matchAll(/^RESULT (\S+) vectors=(\d+) mismatches=(\d+) latency=(-?\d+) ii=(\d+)$/gm)) {
    out.set(m[1], { vectors: Number(m[2]), mismatches: Number(m[3]), latency: Number(m[4]), ii: Number(m[5]) });
  }
  for (const c of cases) {
    const checks: [string, (o: Outcome) => boolean][] = [[`tb_${c.design.top}`, (o) => o.ii === c.design.ii && o.latency === c.design.latency]];
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

async function iverilog(tag: string, cases: readonly Case[]): Promise<Map<string, Outcome>> {
  const { dir, sources } = writeBatch(`${tag}-iv`, cases);
  await run('iverilog', ['-g2005', '-Wall', '-o', 'sim.vvp', '-s', 'tb_top', ...sources], { cwd: dir, maxBuffer: 1 << 26 });
  const { stdout } = await run('vvp', ['-n', 'sim.vvp'], { cwd: dir, maxBuffer: 1 << 26 });
  return parse(stdout, cases, 'iverilog');
}

async function verilator(tag: string, cases: readonly Case[]): Promise<Map<string, Outcome>> {
  const { dir, sources } = writeBatch(`${tag}-vl`, cases);
  // The testbench is not linted (-Wno-fatal); the designs are, with -Wall, in their own test.
  await run('verilator', ['--binary', '--timing', '-Wno-fatal', '-Wno-lint', '-Wno-style', '--top-module', 'tb_top', '-Mdir', 'obj', '-j', '2', '-MAKEFLAGS', 'OPT_FAST=-O0 OPT_SLOW=-O0 OPT_GLOBAL=-O0', ...sources], {
    cwd: dir,
    maxBuffer: 1 << 26,
  });
  const { stdout } = await run(join(dir, 'obj', 'Vtb_top'), [], { cwd: dir, maxBuffer: 1 << 26 });
  return parse(stdout, cases, 'verilator');
}

async function lint(tag: string, d: VerilogDesign): Promise<void> {
  const dir = tempDir(`${tag}-lint`);
  for (const [f, text] of d.files) writeFileSync(join(dir, f), text);
  try {
    await run('verilator', ['--lint-only', '-Wall', '--top-module', d.top, ...d.files.keys()], { cwd: dir, maxBuffer: 1 << 26 });
  } catch (e) {
    throw new Error(`verilator --lint-only -Wall rejects ${d.top}:\n${(e as { stderr?: string }).stderr ?? e}\n${[...d.files.values()][0].slice(0, 4000)}`);
  }
}

// ---- the samples ----

const samples = join(import.meta.dirname, '../../samples');

/** ice40-tiny as written (reuse 32 and 8: II 32). */
function ice40Tiny(): { src: string; net: NetworkModel } {
  return ice40TinyWith((s) => s);
}

/** ice40-tiny at reuse 1 (II 1, one multiplier per non-zero weight). */
function ice40TinyReuse1(): { src: string; net: NetworkModel } {
  return ice40TinyWith((s) => s.replace(/\breuse 32\b/, 'reuse 1').replace(/\breuse: 8\b/, 'reuse: 1'));
}

/** The jet tagger (16-64-32-32-5, relu, softmax) as written. */
function jetTagger(): { src: string; net: NetworkModel } {
  return sampleNet('jet-tagger/jet-tagger.qnn', (s) => s);
}

function ice40TinyWith(edit: (src: string) => string): { src: string; net: NetworkModel } {
  return sampleNet('ice40-tiny/ice40-tiny.qnn', edit);
}

function sampleNet(file: string, edit: (src: string) => string): { src: string; net: NetworkModel } {
  const path = join(samples, file);
  const src = edit(readFileSync(path, 'utf8'));
  const program = checkProgram([path], { fs: memoryFileSystem({ [path]: src }, nodeFileSystem), parts: partCatalog });
  const errors = [...program.diagnostics.values()].flat().filter((d) => d.severity === 'error');
  if (errors.length) throw new Error(errors.map((d) => d.message).join('\n'));
  return { src, net: [...program.files.get(path)!.networks.values()][0] };
}

/**
 * Written by hand: two inputs, reshape, concat along the first axis, a three-way add, dense over positions, several
 * outputs, and types wider than 53 bits (the simulator's BigInt path).
 */
const HANDWRITTEN = [
  `network h0 {
  io parallel
  input a : fixed<8, 3, RND, SAT>[6]
  input b : ufixed<6, 2>[2, 3]
  ra = reshape(a, [2, 3]) : fixed<8, 3>
  j = concat(ra, b, axis: 0) : fixed<9, 4, RND_CONV, SAT_SYM>
  d = dense(j, 2) {
    weight: fixed<6, 2, RND> = [[1.5, -0.75], [0.5, 2], [-1, 0.3125]]
    bias: fixed<8, 3> = [0.5, -1.25]
    accum: fixed<10, 4, RND_INF, SAT>
    reuse: 3
  } : fixed<8, 4, TRN_ZERO, SAT_ZERO>
  f = flatten(d)
  s = add(f, f, f) : fixed<10, 6, RND_ZERO>
  r6 = relu6(s) : ufixed<6, 3, RND_MIN_INF, SAT>
  lk = leaky_relu(s, 0.3) : fixed<12, 5, RND, SAT_SYM>
  output r6, lk
}`,
  `network h1 {
  io parallel
  input x : fixed<40, 12, RND>[3]
  w = dense(x, 3) {
    weight: fixed<30, 4, RND_CONV> = [[1.123456789, -0.5, 3.75], [0, -2.000001, 0.0001], [7.9, 0.25, -4]]
    bias: fixed<50, 20> = [100000.5, -3.25, 0]
    accum: fixed<62, 22, RND_INF, SAT_SYM>
  } : fixed<70, 30, RND_CONV, SAT>
  n = linear(w) : fixed<20, 18, RND_ZERO, SAT_ZERO>
  output w, n
}`,
];

const RANDOM_NETWORKS = 32;
const TABLE_NETWORKS = 20;
const POOL_NETWORKS = 16;
const VECTORS = 400;

describe('Verilog co-simulation', () => {
  requireTool('iverilog', ['-V'], 'iverilog');
  requireTool('verilator', ['--version'], 'verilator');
  requireTool('yosys', ['-V'], 'yosys');

  const random: Case[] = [];
  for (let s = 0; s < RANDOM_NETWORKS; s++) {
    const src = randomNetwork(s);
    // Every other network also runs with input gaps and output back-pressure (the stall logic).
    random.push(makeCase(`random network ${s}`, src, network(src), VECTORS, 1000 + s, undefined, s % 2 === 0));
  }
  const tables: Case[] = [];
  for (let s = 0; s < TABLE_NETWORKS; s++) {
    const src = randomTableNetwork(s);
    tables.push(makeCase(`random table network ${s}`, src, network(src), 200, 3000 + s, undefined, s % 4 === 0));
  }
  const pools: Case[] = [];
  for (let s = 0; s < POOL_NETWORKS; s++) {
    const src = randomPoolNetwork(s);
    pools.push(makeCase(`random pooling network ${s}`, src, network(src), 200, 5000 + s, undefined, s % 4 === 0));
  }
  const tiny = ice40TinyReuse1();
  const tinyOwn = ice40Tiny();
  const jet = jetTagger();
  const sampleCases = [
    makeCase('samples/ice40-tiny at reuse 1', tiny.src, tiny.net, 1000, 7, 'qnn_vibration_r1', false),
    makeCase('samples/ice40-tiny (reuse 32 and 8)', tinyOwn.src, tinyOwn.net, 200, 8, undefined, false),
    makeCase('samples/jet-tagger', jet.src, jet.net, 300, 9, undefined, false),
  ];
  const handwritten = HANDWRITTEN.map((src, i) => makeCase(`handwritten network ${i}`, src, network(src), 300, 500 + i));
  const all = [...random, ...tables, ...pools, ...handwritten, ...sampleCases];

  it('random networks cover what they should', () => {
    const text = random.map((c) => c.src).join('\n');
    for (const op of ['relu(', 'relu6(', 'leaky_relu(', 'linear(', 'add(', 'concat(', 'flatten(']) expect(text).toContain(op);
    // TRN and WRAP are the defaults, which the spelling leaves out.
    for (const q of QUANT_MODES.filter((m) => m !== 'TRN')) expect(text).toContain(`, ${q}`);
    for (const o of OVERFLOW_MODES.filter((m) => m !== 'WRAP')) expect(text).toContain(`, ${o}>`);
    expect(text).toMatch(/fixed<\d+, -?\d+>/);
    expect(text).toMatch(/fixed<\d+, -?\d+, TRN, /);
    // Outputs that vary, and accumulators that wrap and saturate.
    const varied = random.filter((c) => c.distinct >= 20).length;
    console.log(`random networks: ${varied} of ${random.length} with ≥ 20 distinct output vectors; accumulators wrapped in ${random.filter((c) => c.accumWrapped > 0).length}, saturated in ${random.filter((c) => c.accumSaturated > 0).length}`);
    expect(varied).toBeGreaterThanOrEqual(20);
    expect(random.filter((c) => c.accumWrapped > 0).length).toBeGreaterThanOrEqual(3);
    expect(random.filter((c) => c.accumSaturated > 0).length).toBeGreaterThanOrEqual(3);
  });

  it('random table networks cover what they should', () => {
    const text = tables.map((c) => c.src).join('\n');
    for (const op of ['sigmoid(', 'tanh(', 'softmax(', 'batchnorm(', 'gamma:', 'scale:', 'epsilon:', 'implementation: latency', 'implementation: stable', 'table_type:', 'exp_table:', 'inv_table:']) expect(text).toContain(op);
    for (const q of QUANT_MODES.filter((m) => m !== 'TRN')) expect(text).toContain(`, ${q}`);
    for (const o of OVERFLOW_MODES.filter((m) => m !== 'WRAP')) expect(text).toContain(`, ${o}>`);
    expect(text).toMatch(/fixed<\d+, -?\d+, TRN, /);
    const varied = tables.filter((c) => c.distinct >= 10).length;
    console.log(`random table networks: ${varied} of ${tables.length} with ≥ 10 distinct output vectors (${tables.map((c) => c.distinct).join(' ')}); ${tables.filter((c) => c.src.includes('softmax(')).length} with softmax`);
    expect(varied).toBeGreaterThanOrEqual(TABLE_NETWORKS * 0.6);
  });

  it('random pooling networks cover what they should', () => {
    const text = pools.map((c) => c.src).join('\n');
    for (const op of ['maxpool1d(', 'maxpool2d(', 'global_maxpool1d(', 'global_maxpool2d(', 'avgpool1d(', 'avgpool2d(', 'global_avgpool1d(', 'global_avgpool2d(', 'accum:', 'padding: same', 'padding: valid']) expect(text).toContain(op);
    for (const q of QUANT_MODES.filter((m) => m !== 'TRN')) expect(text).toContain(`, ${q}`);
    for (const o of OVERFLOW_MODES.filter((m) => m !== 'WRAP')) expect(text).toContain(`, ${o}>`);
    console.log(`random pooling networks: distinct output vectors ${pools.map((c) => c.distinct).join(' ')}`);
  });

  it('the generated modules are verilator --lint-only -Wall clean', { timeout: 60_000 }, async () => {
    for (let i = 0; i < all.length; i += 8) await Promise.all(all.slice(i, i + 8).map((c, k) => lint(`l${i + k}`, c.design)));
  });

  // iverilog and Verilator run concurrently (one batch each: one Verilator build for every network).
  // iverilog is single-threaded and the jet tagger is its longest run: it gets a process of its own.
  const heavy = sampleCases[2];
  const iv = Promise.all([iverilog('all', all.filter((c) => c !== heavy)), iverilog('jet', [heavy])]).then(([a, b]) => new Map([...a, ...b]));
  const vl = verilator('all', all);
  iv.catch(() => undefined);
  vl.catch(() => undefined);

  it(`iverilog: ${RANDOM_NETWORKS} + ${TABLE_NETWORKS} + ${POOL_NETWORKS} random networks, ice40-tiny and the jet tagger, bit-exact, II = the largest reuse factor`, { timeout: 120_000 }, async () => {
    const r = await iv;
    expect(r.size).toBe(all.length + all.filter((c) => c.backpressure).length);
    const tinyOut = r.get(`tb_${sampleCases[0].design.top}`)!;
    console.log(`ice40-tiny (reuse 1): latency ${tinyOut.latency} cycles, II ${tinyOut.ii} (iverilog, ${tinyOut.vectors} vectors)`);
    const own = r.get(`tb_${sampleCases[1].design.top}`)!;
    console.log(`ice40-tiny (reuse 32 and 8): latency ${own.latency} cycles, II ${own.ii} (iverilog, ${own.vectors} vectors)`);
    const jetOut = r.get(`tb_${sampleCases[2].design.top}`)!;
    console.log(`jet-tagger: latency ${jetOut.latency} cycles, II ${jetOut.ii} (iverilog, ${jetOut.vectors} vectors, ${sampleCases[2].distinct} distinct outputs)`);
    expect(jetOut.ii).toBe(1);
  });

  it(`verilator: ${RANDOM_NETWORKS} + ${TABLE_NETWORKS} + ${POOL_NETWORKS} random networks, ice40-tiny and the jet tagger, bit-exact, II = the largest reuse factor`, { timeout: 120_000 }, async () => {
    const r = await vl;
    expect(r.size).toBe(all.length + all.filter((c) => c.backpressure).length);
  });

  it('yosys synth_xilinx -family xc7 accepts ice40-tiny', { timeout: 120_000 }, async () => {
    const d = sampleCases[1].design;
    const dir = tempDir('yosys');
    for (const [f, text] of d.files) writeFileSync(join(dir, f), text);
    const { stdout } = await run('yosys', ['-p', `read_verilog ${[...d.files.keys()].join(' ')}; synth_xilinx -family xc7 -top ${d.top}; stat`], { cwd: dir, maxBuffer: 1 << 26 });
    expect(stdout).toMatch(/Number of cells/);
  });

  it('yosys synth -top accepts sigmoid, tanh and softmax (ROMs), batchnorm and average pooling (a constant divider)', { timeout: 120_000 }, async () => {
    // The smallest table networks with each layer (synthesis time grows with the tables and the multipliers).
    const len = (c: Case) => [...c.design.files.values()].join('').length;
    const smallest = (re: RegExp) => [...tables, ...pools].filter((c) => re.test(c.src)).sort((a, b) => len(a) - len(b))[0];
    const picks = [...new Set([smallest(/sigmoid\(/), smallest(/tanh\(/), smallest(/softmax\(/), smallest(/batchnorm\(/), smallest(/ avgpool\dd\(/)].filter((c) => c !== undefined))];
    await Promise.all(
      picks.map(async (c, k) => {
        const d = c.design;
        const dir = tempDir(`yosys-t${k}`);
        for (const [f, text] of d.files) writeFileSync(join(dir, f), text);
        const { stdout } = await run('yosys', ['-p', `read_verilog ${[...d.files.keys()].join(' ')}; synth -top ${d.top}; stat`], { cwd: dir, maxBuffer: 1 << 26 });
        expect(stdout).toMatch(/Number of cells/);
      }),
    );
  });

  it('refuses what it does not build, naming the layer', () => {
    const conv = network(`network c {\n  io parallel\n  input x : fixed<8, 3>[4, 2]\n  y = conv1d(x, 2, 3) { weight: fixed<4, 1> = zeros() } : fixed<8, 3>\n  output y\n}`);
    expect(() => generateVerilog(conv)).toThrow(VerilogBackendError);
    expect(() => generateVerilog(conv)).toThrow(/layer 'y' \(conv1d\)/);
    const stream = network(`network s {\n  io stream\n  input x : fixed<8, 3>[4]\n  y = relu(x)\n  output y\n}`);
    expect(() => generateVerilog(stream)).toThrow(/io stream/);
  });
});
