// Shared by the HLS co-simulation tests (hls-*.test.ts): write a generated project with the simulator's vectors, compile
// it with g++ (against our headers, or the vendor's with QNN_VENDOR_AP), run its testbench; and the seeded random
// network generators.
import { execFile, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll } from 'vitest';
import { checkProgram, formatFixedType, memoryFileSystem, OVERFLOW_MODES, QUANT_MODES, seededUniform, valueRange, type FixedType, type NetworkModel, type OverflowMode, type QuantMode } from '@qnn/language';
import { generateHls, hlsIncludeDir } from '@qnn/compiler';
import { simulateSync, type RawTensor, type SimulationInputs } from '../src/index.js';
import { RandomSource } from './helpers.js';

export const run = promisify(execFile);
export const VECTORS = 200;
export const root = mkdtempSync(join(tmpdir(), 'qnn-hls-'));
afterAll(() => {
  if (!process.env.QNN_KEEP_HLS) rmSync(root, { recursive: true, force: true });
});

export function requireGpp(): void {
  const r = spawnSync('g++', ['--version']);
  if (r.error || r.status !== 0) throw new Error('g++ is needed to compile the generated HLS C++ (C simulation): apt-get install g++');
}

export function rawLines(t: RawTensor): string {
  const n = t.shape.reduce((a, b) => a * b, 1);
  const data = t.data as ArrayLike<number | bigint>;
  const lines: string[] = [];
  for (let r = 0; r < t.rows; r++) {
    const row: string[] = [];
    for (let i = 0; i < n; i++) row.push(String(data[r * n + i]));
    lines.push(row.join(' '));
  }
  return lines.join('\n') + '\n';
}

/** Rows of values uniform over each input type's range and a little beyond (input overflow). */
export function randomInputs(net: NetworkModel, rows: number, seed: number): SimulationInputs {
  return new Map(
    net.inputs.map((i) => {
      const size = i.tensor.shape.reduce((a, b) => a * b, 1);
      const u = seededUniform(seed, `${net.name}/${i.name}`, rows * size);
      const r = valueRange(i.tensor.type);
      const mid = (r.min + r.max) / 2;
      const half = ((r.max - r.min) / 2) * 1.2;
      return [i.name, { rows, data: u.map((v) => mid + v * half) }];
    }),
  );
}

export interface CosimOptions {
  /** The folder of the ap_fixed.h, ap_int.h and hls_stream.h to compile against (default: ours). */
  readonly include?: string;
  /** Label prefix of the work folder. */
  readonly folder?: string;
  /** The inputs (default: VECTORS seeded random rows). */
  readonly inputs?: SimulationInputs;
}

/** Generates, writes vectors, compiles and runs the testbench; resolves to the testbench's report. */
export async function cosim(net: NetworkModel, label: string, seed: number, options: CosimOptions = {}): Promise<{ ok: boolean; report: string; dir: string; distinct: number }> {
  const project = generateHls(net);
  const dir = join(root, options.folder ?? '', label);
  for (const [p, text] of project.files) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), text);
  }
  const inputs = options.inputs ?? randomInputs(net, VECTORS, seed);
  const rows = [...inputs.values()][0]?.rows ?? 0;
  const result = simulateSync(net, inputs, { keepLayers: true });
  for (const [name, file] of project.vectors.inputs) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), rawLines(result.inputs.get(name)!.tensor!));
  }
  // Distinct output vectors: a test whose outputs are all saturated or zero would prove little.
  const outLines = [...project.vectors.outputs.keys()].map((name) => rawLines(result.outputs.get(name)!).split('\n'));
  const distinct = new Set(outLines[0].map((_, r) => outLines.map((l) => l[r]).join('|'))).size;
  for (const [name, file] of project.vectors.outputs) writeFileSync(join(dir, file), rawLines(result.outputs.get(name)!));
  try {
    // With our headers, QNN_AP_VENDOR_CHECKS also fails on casts that the vendor's headers would stop at.
    const flags = options.include ? [`-I${options.include}`] : [`-I${hlsIncludeDir()}`, '-DQNN_AP_VENDOR_CHECKS'];
    await run('g++', ['-std=c++14', '-O1', ...flags, '-o', 'tb', `${project.top}.cpp`, 'tb.cpp'], { cwd: dir, maxBuffer: 64 << 20 });
  } catch (e) {
    return { ok: false, report: `g++ failed:\n${(e as { stderr?: string }).stderr ?? String(e)}`, dir, distinct };
  }
  try {
    const { stdout } = await run('./tb', ['.'], { cwd: dir, maxBuffer: 64 << 20 });
    return { ok: stdout.includes(`samples: ${rows} mismatches: 0`), report: stdout, dir, distinct };
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string };
    return { ok: false, report: `${err.stdout ?? ''}${err.stderr ?? ''}`, dir, distinct };
  }
}

/** Runs jobs with at most `limit` at a time. */
export async function pool<T>(jobs: (() => Promise<T>)[], limit: number): Promise<T[]> {
  const out: T[] = new Array(jobs.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, jobs.length) }, async () => {
      while (next < jobs.length) {
        const i = next++;
        out[i] = await jobs[i]();
      }
    }),
  );
  return out;
}

// ---- Random networks -------------------------------------------------------------------------------------------

export class Gen extends RandomSource {
  /** Every quantization and overflow mode, picked uniformly; integer bits in [minI, maxI] (clamped below the width + 3). */
  type(minWidth: number, maxWidth: number, minI = -2, maxI = 12): FixedType {
    const width = this.int(minWidth, maxWidth);
    const signed = this.rnd() < 0.75;
    const intBits = this.int(minI, Math.min(width + 3, maxI));
    const quant: QuantMode = this.pick(QUANT_MODES);
    const overflow: OverflowMode = this.pick(OVERFLOW_MODES);
    return { signed, width, intBits, quant, overflow };
  }
  /** Values of magnitude up to `scale` (clipped to a little beyond the type's range), 15 % zeros. */
  values(t: FixedType, n: number, scale = Infinity): number[] {
    const r = valueRange(t);
    const hi = Math.min(r.max * 1.1, scale);
    const lo = Math.max(r.min * 1.1, -scale);
    return Array.from({ length: n }, () => (this.rnd() < 0.15 ? 0 : lo + this.rnd() * (hi - lo)));
  }
}

export const spell = formatFixedType;

export function literal(values: number[], shape: number[]): string {
  if (shape.length === 1) return `[${values.map(String).join(', ')}]`;
  const inner = shape.slice(1).reduce((a, b) => a * b, 1);
  return `[${Array.from({ length: shape[0] }, (_, i) => literal(values.slice(i * inner, (i + 1) * inner), shape.slice(1))).join(', ')}]`;
}

/** A random dense/activation stack, with an occasional second branch merged by add or concat. */
export function randomNetwork(g: Gen, k: number, io: 'parallel' | 'stream' = 'parallel'): string {
  const inType = g.type(4, 16, 1, 6);
  let n = g.int(1, 10);
  const n0 = n;
  const lines = [`network r${k} {`, `  io ${io}`, `  input x : ${spell(inType)}[${n}]`];
  let prev = 'x';
  const dense = (name: string, from: string, inN: number, units: number) => {
    // Mostly sensible scales (so that outputs vary), sometimes narrow types that overflow.
    const w = g.type(3, 14, -1, 3);
    const b = g.type(3, 16, -1, 4);
    const acc = g.rnd() < 0.25 ? g.type(4, 14, 0, 6) : g.rnd() < 0.2 ? g.type(40, 70, 4, 12) : g.type(14, 30, 4, 10);
    lines.push(
      `  ${name} = dense(${from}, ${units}) {`,
      `    weight: ${spell(w)} = ${literal(g.values(w, inN * units, 2 / Math.sqrt(inN)), [inN, units])}`,
      `    bias: ${spell(b)} = ${literal(g.values(b, units, 1), [units])}`,
      `    accum: ${spell(acc)}`,
      `  } : ${spell(g.type(6, 18, 2, 8))}`,
    );
  };
  const depth = g.int(1, 3);
  for (let d = 0; d < depth; d++) {
    const units = g.int(1, 10);
    dense(`d${d}`, prev, n, units);
    prev = `d${d}`;
    const act = g.rnd();
    const t = spell(g.type(4, 16, 1, 6));
    if (act < 0.25) lines.push(`  a${d} = relu(${prev}) : ${t}`);
    else if (act < 0.35) lines.push(`  a${d} = leaky_relu(${prev}, ${g.pick([0.1, 0.3, -0.5, 1.5])}) : ${t}`);
    else if (act < 0.45) lines.push(`  a${d} = relu6(${prev}) : ${t}`);
    else if (act < 0.55) lines.push(`  a${d} = linear(${prev}) : ${t}`);
    else if (act < 0.65) {
      const s = g.type(4, 12, 1, 4);
      lines.push(`  a${d} = batchnorm(${prev}) {`, `    scale: ${spell(s)} = ${literal(g.values(s, units, 2), [units])}`, `    bias: ${spell(s)} = ${literal(g.values(s, units, 1), [units])}`, `  } : ${t}`);
    } else if (act < 0.8) lines.push(`  a${d} = ${g.pick(['sigmoid', 'tanh'])}(${prev}) { table: ${g.pick([16, 64, 1024])}  table_type: ${spell(g.type(6, 18, 1, 3))} } : ${t}`);
    else lines.push(`  a${d} = relu(${prev}) : ${t}`);
    prev = `a${d}`;
    n = units;
  }
  if (g.rnd() < 0.35) {
    // A second branch from the input, merged.
    const merge = g.pick(['add', 'concat']);
    const units = merge === 'add' ? n : g.int(1, 6);
    dense('side', 'x', n0, units);
    lines.push(merge === 'add' ? `  m = add(${prev}, side) : ${spell(g.type(6, 18, 2, 8))}` : `  m = concat(${prev}, side) : ${spell(g.type(6, 18, 2, 8))}`);
    prev = 'm';
    n = merge === 'add' ? n : n + units;
  }
  if (g.rnd() < 0.2) {
    lines.push(`  f = reshape(${prev}, [${n}, 1]) : ${spell(g.type(6, 18, 2, 8))}`, `  f2 = flatten(f) : ${spell(g.type(6, 18, 2, 8))}`);
    prev = 'f2';
  }
  if (g.rnd() < 0.4) {
    lines.push(`  p = softmax(${prev}) { table: ${g.pick([8, 256, 1024])}  exp_table: ${spell(g.type(8, 20, 1, 8))}  inv_table: ${spell(g.type(8, 20, 1, 8))}  implementation: ${g.pick(['stable', 'latency'])} } : ${spell(g.type(8, 18, 0, 2))}`);
    prev = 'p';
  }
  lines.push(`  output ${prev}`, `}`);
  return lines.join('\n');
}

/** A random convolution or pooling layer over a small 1-D or 2-D input, followed by flatten and (sometimes) dense. */
export function randomWindowNetwork(g: Gen, k: number, io: 'parallel' | 'stream' = 'parallel'): string {
  const spatial = g.pick([1, 2]);
  const dims = Array.from({ length: spatial }, () => g.int(1, 6));
  const C = g.int(1, 3);
  const shape = [...dims, C];
  const op = g.pick(
    spatial === 1
      ? ['conv1d', 'depthwise_conv1d', 'avgpool1d', 'maxpool1d', 'global_avgpool1d', 'global_maxpool1d']
      : ['conv2d', 'depthwise_conv2d', 'avgpool2d', 'maxpool2d', 'global_avgpool2d', 'global_maxpool2d'],
  );
  const padding = g.pick(['valid', 'same']);
  const kernel = dims.map((d) => g.int(1, padding === 'same' ? 4 : d));
  const stride = dims.map(() => g.int(1, 3));
  const inType = g.type(4, 14, 1, 6);
  const ks = `[${kernel.join(', ')}]`;
  const st = `[${stride.join(', ')}]`;
  const res = spell(g.type(6, 18, 2, 8));
  let layer: string;
  if (op.includes('conv')) {
    const depthwise = op.startsWith('depthwise');
    const filters = g.int(1, 3);
    const multiplier = g.int(1, 2);
    const wShape = [...kernel, C, depthwise ? multiplier : filters];
    const wt = g.type(3, 12, -1, 3);
    const fanIn = kernel.reduce((a, b) => a * b, 1) * (depthwise ? 1 : C);
    const weights = g.values(wt, wShape.reduce((a, b) => a * b, 1), 2 / Math.sqrt(fanIn));
    const acc = spell(g.rnd() < 0.3 ? g.type(4, 14, 0, 6) : g.type(14, 30, 4, 10));
    const outC = depthwise ? C * multiplier : filters;
    const bt = g.type(3, 12, -1, 4);
    const bias = g.rnd() < 0.7 ? `\n    bias: ${spell(bt)} = ${literal(g.values(bt, outC, 1), [outC])}` : '';
    const args = depthwise ? `${ks}, stride: ${st}, padding: ${padding}, multiplier: ${multiplier}` : `${filters}, ${ks}, stride: ${st}, padding: ${padding}`;
    layer = `  y = ${op}(x, ${args}) {\n    weight: ${spell(wt)} = ${literal(weights, wShape)}${bias}\n    accum: ${acc}\n  } : ${res}`;
  } else if (op.startsWith('global')) {
    const accum = op.includes('avg') && g.rnd() < 0.5 ? ` { accum: ${spell(g.type(6, 16, 2, 8))} }` : '';
    layer = `  y = ${op}(x)${accum} : ${res}`;
  } else {
    const accum = op.startsWith('avg') && g.rnd() < 0.5 ? ` { accum: ${spell(g.type(6, 16, 2, 8))} }` : '';
    layer = `  y = ${op}(x, ${ks}, stride: ${st}, padding: ${padding})${accum} : ${res}`;
  }
  const tail = g.rnd() < 0.5 ? `\n  z = flatten(y) : ${spell(g.type(6, 18, 2, 8))}\n  output z` : `\n  output y`;
  return `network w${k} {\n  io ${io}\n  input x : ${spell(inType)}[${shape.join(', ')}]\n${layer}${tail}\n}`;
}

/** A random small CNN in io stream: conv, activation, two readers of one tensor merged again, flatten, dense. */
export function randomStreamCnn(g: Gen, k: number): string {
  const spatial = g.pick([1, 2]);
  const dims = Array.from({ length: spatial }, () => g.int(3, 7));
  const C = g.int(1, 3);
  const conv = spatial === 1 ? 'conv1d' : 'conv2d';
  const lines = [`network c${k} {`, '  io stream', `  fifo ${g.int(1, 8)}`, `  input x : ${spell(g.type(4, 12, 1, 4))}[${[...dims, C].join(', ')}]`];
  const F = g.int(1, 4);
  const kernel = dims.map((d) => g.int(1, Math.min(3, d)));
  const stride = dims.map(() => g.int(1, 2));
  const padding = g.pick(['valid', 'same']);
  const wt = g.type(4, 10, 0, 2);
  const fanIn = kernel.reduce((a, b) => a * b, 1) * C;
  lines.push(
    `  c1 = ${conv}(x, ${F}, [${kernel.join(', ')}], stride: [${stride.join(', ')}], padding: ${padding}) {`,
    `    weight: ${spell(wt)} = ${literal(g.values(wt, fanIn * F, 2 / Math.sqrt(fanIn)), [...kernel, C, F])}`,
    `    bias: ${spell(wt)} = ${literal(g.values(wt, F, 0.5), [F])}`,
    `    accum: ${spell(g.rnd() < 0.3 ? g.type(6, 14, 1, 5) : g.type(14, 28, 4, 8))}`,
    `  } : ${spell(g.type(8, 16, 2, 6))}`,
  );
  let shape = dims.map((d, i) => (padding === 'same' ? Math.ceil(d / stride[i]) : Math.floor((d - kernel[i]) / stride[i]) + 1));
  const act = g.pick(['relu', 'leaky', 'tanh', 'batchnorm']);
  const at = spell(g.type(6, 14, 1, 4));
  if (act === 'relu') lines.push(`  a1 = relu(c1) : ${at}`);
  else if (act === 'leaky') lines.push(`  a1 = leaky_relu(c1, 0.25) : ${at}`);
  else if (act === 'tanh') lines.push(`  a1 = tanh(c1) { table: 256 } : ${at}`);
  else {
    const s = g.type(6, 10, 1, 3);
    lines.push(`  a1 = batchnorm(c1) {`, `    scale: ${spell(s)} = ${literal(g.values(s, F, 2), [F])}`, `    bias: ${spell(s)} = ${literal(g.values(s, F, 1), [F])}`, `  } : ${at}`);
  }
  const edges: string[] = [];
  const branch = g.pick(['pools', 'depthwise', 'global']);
  let last = 'm';
  let extra: string[] = [];
  const pool1 = spatial === 1 ? 'pool1d' : 'pool2d';
  if (branch === 'pools') {
    const pk = shape.map((d) => g.int(1, Math.min(3, d)));
    const ps = shape.map(() => g.int(1, 2));
    const pp = g.pick(['valid', 'same']);
    const geo = `[${pk.join(', ')}], stride: [${ps.join(', ')}], padding: ${pp}`;
    lines.push(`  p = max${pool1}(a1, ${geo})`, `  q = avg${pool1}(a1, ${geo}) : ${at}`);
    shape = shape.map((d, i) => (pp === 'same' ? Math.ceil(d / ps[i]) : Math.floor((d - pk[i]) / ps[i]) + 1));
    const merge = g.pick(['add', 'concat-last', 'concat-0']);
    if (merge === 'add') lines.push(`  m = add(p, q) : ${spell(g.type(8, 16, 2, 6))}`);
    else lines.push(`  m = concat(p, q${merge === 'concat-0' ? ', axis: 0' : ''})`);
    edges.push(`  fifo a1 -> q depth ${g.int(1, 4)}`);
  } else if (branch === 'depthwise') {
    const M = g.int(1, 2);
    const dk = shape.map((d) => g.int(1, Math.min(3, d)));
    lines.push(
      `  d = depthwise_${conv}(a1, [${dk.join(', ')}], padding: same, multiplier: ${M}) {`,
      `    weight: ${spell(wt)} = ${literal(g.values(wt, dk.reduce((a, b) => a * b, 1) * F * M, 1), [...dk, F, M])}`,
      `    accum: ${spell(g.type(14, 24, 4, 8))}`,
      `  } : ${at}`,
      `  m = add(d, ${M === 1 ? 'a1' : 'd'}) : ${spell(g.type(8, 16, 2, 6))}`,
    );
  } else {
    lines.push(`  m = linear(a1) : ${at}`, `  gm = global_max${pool1}(a1)`, `  ga = global_avg${pool1}(a1) : ${at}`);
    extra = ['gm', 'ga'];
    edges.push(`  fifo a1 -> gm depth ${g.int(1, 4)}`);
  }
  lines.push(`  f = flatten(${last})`);
  last = 'f';
  if (extra.length) {
    lines.push(`  j = concat(f, ${extra.join(', ')})`);
    last = 'j';
  }
  const units = g.int(1, 6);
  lines.push(`  o = dense(${last}, ${units}) {`, `    weight: ${spell(wt)} = random(seed: ${k + 1})`, `    accum: ${spell(g.type(16, 28, 5, 9))}`, `  } : ${spell(g.type(8, 16, 2, 6))}`);
  last = 'o';
  if (g.rnd() < 0.4) {
    lines.push(`  s = softmax(o) { table: 256 } : ufixed<12, 0, RND, SAT>`);
    last = 's';
  }
  // Sometimes the activation is an output too: its stream has a reader inside and a port.
  const outs = g.rnd() < 0.3 ? `${last}, a1` : last;
  lines.push(...edges, `  output ${outs}`, '}');
  return lines.join('\n');
}

export function checked(src: string): NetworkModel {
  const path = '/test/net.qnn';
  const program = checkProgram([path], { fs: memoryFileSystem({ [path]: src }) });
  const errors = [...program.diagnostics.values()].flat().filter((d) => d.severity === 'error');
  if (errors.length) throw new Error(`${errors.map((d) => `${d.code} ${d.message}`).join('\n')}\n${src}`);
  return [...program.files.get(path)!.networks.values()].pop()!;
}

// ---- Samples ---------------------------------------------------------------------------------------------------

export const samples = join(import.meta.dirname, '../../samples');
export function qnnFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((e) => {
    const p = join(dir, e);
    return statSync(p).isDirectory() ? qnnFiles(p) : p.endsWith('.qnn') ? [p] : [];
  });
}
