// The generated Vitis HLS C++, compiled with g++ against QNN Studio's own ap_fixed.h, computes exactly the simulator's
// bits: for every sample network the backend supports and for seeded random networks (random types, every
// quantization and overflow mode), 200 seeded input vectors and the simulator's outputs (raw integers) are written
// next to the generated sources, and the C testbench must report zero mismatches.
import { execFile, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import {
  applyOverflow,
  checkProgram,
  formatFixedType,
  fracBits,
  quantizeDouble,
  roundShiftRight,
  memoryFileSystem,
  OVERFLOW_MODES,
  QUANT_MODES,
  seededUniform,
  valueRange,
  type FixedType,
  type NetworkModel,
  type OverflowMode,
  type QuantMode,
} from '@qnn/language';
import { generateHls, hlsIncludeDir, HlsUnsupportedError, nodeFileSystem, partCatalog } from '@qnn/compiler';
import { simulateSync, type RawTensor, type SimulationInputs } from '../src/index.js';
import { productType, sumType } from '../src/fixed/types.js';
import { RandomSource, rng } from './helpers.js';

const run = promisify(execFile);
const VECTORS = 200;
const root = mkdtempSync(join(tmpdir(), 'qnn-hls-'));
afterAll(() => {
  if (!process.env.QNN_KEEP_HLS) rmSync(root, { recursive: true, force: true });
});

function requireGpp(): void {
  const r = spawnSync('g++', ['--version']);
  if (r.error || r.status !== 0) throw new Error('g++ is needed to compile the generated HLS C++ (C simulation): apt-get install g++');
}

function rawLines(t: RawTensor): string {
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
function randomInputs(net: NetworkModel, rows: number, seed: number): SimulationInputs {
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

/** Generates, writes vectors, compiles and runs the testbench; resolves to the testbench's report. */
async function cosim(net: NetworkModel, label: string, seed: number): Promise<{ ok: boolean; report: string; dir: string; distinct: number }> {
  const project = generateHls(net);
  const dir = join(root, label);
  for (const [p, text] of project.files) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), text);
  }
  const result = simulateSync(net, randomInputs(net, VECTORS, seed), { keepLayers: true });
  for (const [name, file] of project.vectors.inputs) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), rawLines(result.inputs.get(name)!.tensor!));
  }
  // Distinct output vectors: a test whose outputs are all saturated or zero would prove little.
  const outLines = [...project.vectors.outputs.keys()].map((name) => rawLines(result.outputs.get(name)!).split('\n'));
  const distinct = new Set(outLines[0].map((_, r) => outLines.map((l) => l[r]).join('|'))).size;
  for (const [name, file] of project.vectors.outputs) writeFileSync(join(dir, file), rawLines(result.outputs.get(name)!));
  try {
    await run('g++', ['-std=c++17', '-O1', `-I${hlsIncludeDir()}`, '-o', 'tb', `${project.top}.cpp`, 'tb.cpp'], { cwd: dir });
  } catch (e) {
    return { ok: false, report: `g++ failed:\n${(e as { stderr?: string }).stderr ?? String(e)}`, dir, distinct };
  }
  try {
    const { stdout } = await run('./tb', ['.'], { cwd: dir });
    return { ok: stdout.includes(`samples: ${VECTORS} mismatches: 0`), report: stdout, dir, distinct };
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string };
    return { ok: false, report: `${err.stdout ?? ''}${err.stderr ?? ''}`, dir, distinct };
  }
}

/** Runs jobs with at most `limit` at a time. */
async function pool<T>(jobs: (() => Promise<T>)[], limit: number): Promise<T[]> {
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

class Gen extends RandomSource {
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

const spell = formatFixedType;

function literal(values: number[], shape: number[]): string {
  if (shape.length === 1) return `[${values.map(String).join(', ')}]`;
  const inner = shape.slice(1).reduce((a, b) => a * b, 1);
  return `[${Array.from({ length: shape[0] }, (_, i) => literal(values.slice(i * inner, (i + 1) * inner), shape.slice(1))).join(', ')}]`;
}

/** A random dense/activation stack, with an occasional second branch merged by add or concat. */
function randomNetwork(g: Gen, k: number): string {
  const inType = g.type(4, 16, 1, 6);
  let n = g.int(1, 10);
  const n0 = n;
  const lines = [`network r${k} {`, `  io parallel`, `  input x : ${spell(inType)}[${n}]`];
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
function randomWindowNetwork(g: Gen, k: number): string {
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
  return `network w${k} {\n  io parallel\n  input x : ${spell(inType)}[${shape.join(', ')}]\n${layer}${tail}\n}`;
}

function checked(src: string): NetworkModel {
  const path = '/test/net.qnn';
  const program = checkProgram([path], { fs: memoryFileSystem({ [path]: src }) });
  const errors = [...program.diagnostics.values()].flat().filter((d) => d.severity === 'error');
  if (errors.length) throw new Error(`${errors.map((d) => `${d.code} ${d.message}`).join('\n')}\n${src}`);
  return [...program.files.get(path)!.networks.values()].pop()!;
}

// ---- Samples ---------------------------------------------------------------------------------------------------

const samples = join(import.meta.dirname, '../../samples');
function qnnFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((e) => {
    const p = join(dir, e);
    return statSync(p).isDirectory() ? qnnFiles(p) : p.endsWith('.qnn') ? [p] : [];
  });
}

describe('HLS C++ (g++ with our ap_fixed.h) = simulator, bit for bit', () => {
  it('on every sample network the backend supports', async () => {
    requireGpp();
    const program = checkProgram(qnnFiles(samples).sort(), { fs: nodeFileSystem, parts: partCatalog });
    const nets = [...program.files.values()].flatMap((f) => [...f.networks.values()]).filter((n) => n.complete);
    const unsupported: string[] = [];
    const jobs: (() => Promise<string | undefined>)[] = [];
    nets.forEach((net, i) => {
      try {
        generateHls(net);
      } catch (e) {
        if (!(e instanceof HlsUnsupportedError)) throw e;
        unsupported.push(`${net.name}: ${e.message}`);
        return;
      }
      jobs.push(async () => {
        const r = await cosim(net, `sample-${net.name}`, 100 + i);
        return r.ok ? undefined : `${net.name} (${r.dir}):\n${r.report}`;
      });
    });
    const failures = (await pool(jobs, 2)).filter((f) => f !== undefined);
    expect(failures).toEqual([]);
    // The supported samples must include the dense networks.
    expect(jobs.length).toBeGreaterThanOrEqual(3);
    if (unsupported.length) console.log(`HLS backend: not yet supported:\n  ${unsupported.join('\n  ')}`);
  }, 120_000);

  it('on 24 seeded random dense networks (every quantization and overflow mode)', async () => {
    requireGpp();
    const g = new Gen(rng(4242));
    const sources = Array.from({ length: 24 }, (_, k) => randomNetwork(g, k));
    const results = await pool(
      sources.map((src, k) => async () => {
        const r = await cosim(checked(src), `random-${k}`, k);
        return { failure: r.ok ? undefined : `random network ${k} (${r.dir}):\n${r.report}\n${src}`, distinct: r.distinct };
      }),
      2,
    );
    expect(results.map((r) => r.failure).filter((f) => f !== undefined)).toEqual([]);
    // Most networks must produce varied outputs (not all saturated), or the comparison proves little.
    const varied = results.filter((r) => r.distinct >= 20).length;
    expect(varied, `distinct output vectors per network: ${results.map((r) => r.distinct).join(', ')}`).toBeGreaterThanOrEqual(results.length / 2);
  }, 120_000);

  it('on 24 seeded random convolution and pooling layers (padding, strides, every mode)', async () => {
    requireGpp();
    const g = new Gen(rng(777));
    const sources = Array.from({ length: 24 }, (_, k) => randomWindowNetwork(g, k));
    const results = await pool(
      sources.map((src, k) => async () => {
        const r = await cosim(checked(src), `window-${k}`, 1000 + k);
        return { failure: r.ok ? undefined : `window network ${k} (${r.dir}):\n${r.report}\n${src}`, distinct: r.distinct };
      }),
      2,
    );
    expect(results.map((r) => r.failure).filter((f) => f !== undefined)).toEqual([]);
    const varied = results.filter((r) => r.distinct >= 20).length;
    expect(varied, `distinct output vectors per network: ${results.map((r) => r.distinct).join(', ')}`).toBeGreaterThanOrEqual(results.length / 2);
  }, 120_000);

  it('our ap_fixed.h: casts (W up to 128, every mode), construction from doubles, + * and < agree with the semantics', async () => {
    requireGpp();
    const g = new Gen(rng(31337));
    const randType = (maxW: number): FixedType => {
      const signed = g.rnd() < 0.6;
      const width = g.int(1, signed ? maxW : Math.min(maxW, 127));
      return { signed, width, intBits: g.int(-20, width + 20), quant: g.pick(QUANT_MODES), overflow: g.pick(OVERFLOW_MODES) };
    };
    const randRaw = (t: FixedType): bigint => {
      let v = 0n;
      for (let i = 0; i < 5; i++) v = (v << 32n) | BigInt(Math.floor(g.rnd() * 2 ** 32));
      const bits = BigInt(g.int(1, t.width));
      v &= (1n << bits) - 1n;
      if (t.signed) v -= 1n << (bits - 1n);
      return v;
    };
    const ap = (t: FixedType) => `${t.signed ? 'ap_fixed' : 'ap_ufixed'}<${t.width}, ${t.intBits}, AP_${t.quant}, AP_${t.overflow}>`;
    const u64 = (v: bigint) => `${BigInt.asUintN(64, v)}ULL`;
    const setRaw = (name: string, t: FixedType, raw: bigint) =>
      t.width > 64 ? `${name}.range(${t.width - 1}, 64) = ${u64(raw >> 64n)}; ${name}.range(63, 0) = ${u64(raw)};` : `${name}.range(${t.width - 1}, 0) = ${u64(raw)};`;
    const print = (name: string, t: FixedType) =>
      t.width > 64
        ? `std::printf("%llx %llx\\n", ${name}.range(${t.width - 1}, 64).to_uint64(), ${name}.range(63, 0).to_uint64());`
        : `std::printf("0 %llx\\n", ${name}.range(${t.width - 1}, 0).to_uint64());`;
    const readRaw = (line: string, t: FixedType): bigint => {
      const [hi, lo] = line.split(' ').map((x) => BigInt(`0x${x}`));
      const bits = (hi << 64n) | lo;
      return t.signed ? BigInt.asIntN(t.width, bits) : BigInt.asUintN(t.width, bits);
    };
    const t_overflow = (raw: bigint, t: FixedType) => (t.signed ? BigInt.asIntN(t.width, raw) : BigInt.asUintN(t.width, raw)) !== raw;
    const cast = (raw: bigint, from: FixedType, to: FixedType): bigint =>
      applyOverflow(to, roundShiftRight(raw, fracBits(from) - fracBits(to), to.quant)).raw;
    const body: string[] = [];
    const checks: ((line: string) => string | undefined)[] = [];
    for (let i = 0; i < 300; i++) {
      const a = randType(128);
      const b = randType(128);
      let raw = randRaw(a);
      // Often an exact tie or a single dropped bit: the cases where the quantization modes differ.
      const n = BigInt(fracBits(a) - fracBits(b));
      if (n > 0n && n <= BigInt(a.width) && g.rnd() < 0.6) {
        raw = ((raw >> n) << n) | (g.rnd() < 0.7 ? 1n << (n - 1n) : 1n);
        if (t_overflow(raw, a)) raw = (raw >> n) << n;
      }
      body.push(`{ ${ap(a)} a; ${setRaw('a', a, raw)} ${ap(b)} b = a; ${print('b', b)} }`);
      checks.push((line) => (readRaw(line, b) === cast(raw, a, b) ? undefined : `cast ${raw} from ${ap(a)} to ${ap(b)}: got ${readRaw(line, b)}, want ${cast(raw, a, b)}`));
    }
    for (let i = 0; i < 100; i++) {
      const t = randType(100);
      const x = g.pick([0, 1, -1, 0.5, 1e-30, -3e25]) * (g.rnd() < 0.5 ? 1 : g.rnd() * 1000);
      const want = quantizeDouble(t, x).raw;
      body.push(`{ ${ap(t)} c = ${x.toPrecision(17)}; ${print('c', t)} }`);
      checks.push((line) => (readRaw(line, t) === want ? undefined : `${ap(t)} = ${x}: got ${readRaw(line, t)}, want ${want}`));
    }
    for (let i = 0; i < 100; i++) {
      const a = randType(60);
      const b = randType(60);
      const ra = randRaw(a);
      const rb = randRaw(b);
      const prod = productType(a, b);
      const sum = sumType(a, b);
      const f = Math.max(fracBits(a), fracBits(b));
      const rs = (ra << BigInt(f - fracBits(a))) + (rb << BigInt(f - fracBits(b)));
      const less = ra * 2n ** BigInt(f - fracBits(a)) < rb * 2n ** BigInt(f - fracBits(b));
      body.push(
        `{ ${ap(a)} a; ${setRaw('a', a, ra)} ${ap(b)} b; ${setRaw('b', b, rb)} auto p = a * b; auto s = a + b; ` +
          `std::printf("%d %d %d %d %d ", p.width, p.iwidth, s.width, s.iwidth, (int)(a < b)); ${print('p', prod).replace('std::printf("', 'std::printf("P ')} }`,
        `{ ${ap(a)} a; ${setRaw('a', a, ra)} ${ap(b)} b; ${setRaw('b', b, rb)} auto s = a + b; ${print('s', sum)} }`,
      );
      checks.push((line) => {
        const [pw, pi, sw, si, lt, , ...rest] = line.split(' ');
        const got = readRaw(rest.join(' '), prod);
        const ok = Number(pw) === prod.width && Number(pi) === prod.intBits && Number(sw) === sum.width && Number(si) === sum.intBits && (lt === '1') === less && got === ra * rb;
        return ok ? undefined : `${ap(a)} ${ra} op ${ap(b)} ${rb}: ${line}; want ${prod.width} ${prod.intBits} ${sum.width} ${sum.intBits} ${less} ${ra * rb}`;
      });
      checks.push((line) => (readRaw(line, sum) === rs ? undefined : `${ap(a)} ${ra} + ${ap(b)} ${rb}: got ${readRaw(line, sum)}, want ${rs}`));
    }
    const dir = join(root, 'header');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 't.cpp'), `#include <cstdio>\n#include "ap_fixed.h"\nint main() {\n${body.join('\n')}\n}\n`);
    await run('g++', ['-std=c++17', '-O0', `-I${hlsIncludeDir()}`, '-o', 't', 't.cpp'], { cwd: dir });
    const { stdout } = await run('./t', [], { cwd: dir });
    const lines = stdout.trim().split('\n');
    expect(lines.length).toBe(checks.length);
    const errors = checks.map((c, i) => c(lines[i])).filter((e) => e !== undefined);
    expect(errors.slice(0, 10)).toEqual([]);
  }, 120_000);

  it('on networks used as layers (inlined, each use a separate instance, arguments cast to the input type)', async () => {
    requireGpp();
    const g = new Gen(rng(99));
    const w = (n: number, units: number) => literal(g.values({ signed: true, width: 8, intBits: 2, quant: 'TRN', overflow: 'WRAP' }, n * units, 1), [n, units]);
    const src = [
      `network block {`,
      `  input a : fixed<10, 3, RND, SAT>[4]`,
      `  d = dense(a, 4) {`,
      `    weight: fixed<8, 2, RND> = ${w(4, 4)}`,
      `    bias: fixed<8, 2> = [0.25, -0.5, 0, 1]`,
      `    accum: fixed<18, 6>`,
      `  } : fixed<12, 4, RND_CONV, SAT_SYM>`,
      `  r = relu(d) : ufixed<10, 3, RND, SAT>`,
      `  output r`,
      `}`,
      `network outer {`,
      `  io parallel`,
      `  input x : fixed<14, 5>[4]`,
      `  b1 = block(x)`,
      `  b2 = block(b1)`,
      `  s = add(b1, b2) : fixed<12, 5, RND>`,
      `  t = tanh(s) { table: 256 } : fixed<10, 2, RND>`,
      `  output t`,
      `}`,
    ].join('\n');
    const r = await cosim(checked(src), 'calls', 7);
    expect(r.ok, `${r.dir}\n${r.report}`).toBe(true);
    expect(r.distinct).toBeGreaterThan(50);
  }, 60_000);

  it('refuses what it does not implement with a message naming the layer or network', () => {
    const wide = checked(`network p {\n  io parallel\n  input x : fixed<8, 4>[4, 2]\n  y = avgpool1d(x, [2]) { accum: fixed<70, 20> } : fixed<70, 20>\n  output y\n}`);
    expect(() => generateHls(wide)).toThrow(HlsUnsupportedError);
    expect(() => generateHls(wide)).toThrow(/layer 'y'.*avgpool1d/);
    const wideAcc = checked(`network d {\n  io parallel\n  input x : fixed<8, 4>[2]\n  y = dense(x, 1) {\n    weight: fixed<8, 2> = [[1], [0.5]]\n    accum: fixed<128, 60>\n  } : fixed<16, 6>\n  output y\n}`);
    expect(() => generateHls(wideAcc)).toThrow(/layer 'y'.*129 bits/);
    const stream = checked(`network s {\n  io stream\n  input x : fixed<8, 4>[2]\n  y = relu(x) : fixed<8, 4>\n  output y\n}`);
    expect(() => generateHls(stream)).toThrow(/network 's'.*io parallel only/);
  });
});
