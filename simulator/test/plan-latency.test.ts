// The plan's timing is the hardware's: for the samples, the plan fixtures and seeded random networks (io parallel:
// branches, reuse factors, all-zero layers; io stream: convolutions, pooling, frame stages, shallow FIFOs), the latency and II that planNetwork states equal those the
// self-checking testbench measures in iverilog, and the design's outputs match the simulator bit for bit. A missing
// tool fails with the Debian package to install.
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { checkProgram, isValidReuse, memoryFileSystem, seededUniform, valueRange, type NetworkModel, type ProgramModel } from '@qnn/language';
import { generateVerilog, nodeFileSystem, partCatalog, planNetwork, testbenchTop, verilogTestbench } from '@qnn/compiler';
import { simulateSync, type RawTensor } from '../src/index.js';
import { RandomSource, rng } from './helpers.js';

const run = promisify(execFile);
const dirs: string[] = [];
afterAll(() => {
  if (process.env.QNN_KEEP_RTL !== '1') for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function requireTool(cmd: string, args: string[], pkg: string): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.error || r.status !== 0) throw new Error(`'${cmd}' is not available (${r.error?.message ?? r.stderr}); install the Debian package: apt-get install ${pkg}`);
}

interface Case {
  readonly label: string;
  readonly program: ProgramModel;
  readonly net: NetworkModel;
  readonly src: string;
}

function load(label: string, path: string, text?: string): Case[] {
  const fs = text === undefined ? nodeFileSystem : memoryFileSystem({ [path]: text }, nodeFileSystem);
  const program = checkProgram([path], { fs, parts: partCatalog });
  const errors = [...program.diagnostics.values()].flat().filter((d) => d.severity === 'error');
  if (errors.length) throw new Error(`${label}: ${errors.map((d) => d.message).join('\n')}`);
  return [...program.files.get(path)!.networks.values()].map((net) => ({ label: `${label} (${net.name})`, program, net, src: text ?? readFileSync(path, 'utf8') }));
}

/** A random stack of dense layers (some with reuse, some all zero) and activations with a residual add. */
function randomNetwork(seed: number): string {
  const g = new RandomSource(rng(seed * 7907 + 1));
  let n = g.int(2, 6);
  const lines = [`network p${seed} {`, '  io parallel', `  input x : fixed<8, 3>[${n}]`];
  let prev = 'x';
  const depth = g.int(1, 4);
  for (let k = 0; k < depth; k++) {
    const units = g.int(2, 6);
    const zero = g.rnd() < 0.15;
    const weights = Array.from({ length: n }, () => `[${Array.from({ length: units }, () => (zero || g.rnd() < 0.25 ? 0 : g.int(-15, 15) / 8)).join(', ')}]`);
    const reuse = g.rnd() < 0.4 ? [2, 3, 4, 6].filter((r) => isValidReuse(n, units, r)) : [];
    lines.push(`  d${k} = dense(${prev}, ${units}) {`, `    weight: fixed<8, 2> = [${weights.join(', ')}]`, `    accum: fixed<16, 7>`, ...(reuse.length ? [`    reuse: ${g.pick(reuse)}`] : []), '  } : fixed<10, 4>');
    lines.push(`  a${k} = relu(d${k}) : ufixed<9, 4>`);
    if (k > 0 && g.rnd() < 0.4 && n === units) {
      lines.push(`  s${k} = add(a${k}, ${prev}) : fixed<11, 5>`);
      prev = `s${k}`;
    } else prev = `a${k}`;
    n = units;
  }
  if (g.rnd() < 0.3) {
    lines.push(`  sm = softmax(${prev}) { table: 64 } : ufixed<10, 0>`);
    prev = 'sm';
  }
  lines.push(`  output ${prev}`, '}');
  return lines.join('\n') + '\n';
}

/**
 * A random io stream network: a convolution (1-D or 2-D, random kernel, stride, padding, sometimes reuse), relu,
 * sometimes pooling, flatten (a frame stage) or global pooling, a dense layer; FIFOs from 1 to 8 deep, so that full
 * FIFOs hold producers back.
 */
function randomStreamNetwork(seed: number): string {
  const g = new RandomSource(rng(seed * 6151 + 5));
  const two = g.rnd() < 0.6;
  const dims = two ? [g.int(3, 6), g.int(3, 6)] : [g.int(4, 12)];
  const C = g.int(1, 3);
  const F = g.int(1, 4);
  const k = Math.min(g.int(1, 3), ...dims);
  const stride = g.int(1, 2);
  const padding = g.pick(['valid', 'same']);
  const d = two ? '2d' : '1d';
  const lines = [`network s${seed} {`, '  io stream', `  fifo ${g.int(1, 8)}`, `  input x : fixed<8, 3>[${[...dims, C].join(', ')}]`];
  lines.push(`  c = conv${d}(x, ${F}, ${k}, stride: ${stride}, padding: ${padding}) {`, `    weight: fixed<6, 1> = random(seed: ${seed + 1}, sparsity: 0.2)`, ...(g.rnd() < 0.3 ? [`    reuse: ${g.pick([2, 3])}`] : []), '  } : fixed<10, 4>');
  lines.push('  a = relu(c) : ufixed<8, 3>');
  let prev = 'a';
  const tail = g.rnd();
  if (tail < 0.3) {
    lines.push(`  p = maxpool${d}(a, 2, padding: same)`);
    prev = 'p';
  }
  if (tail > 0.7) {
    lines.push(`  q = global_avgpool${d}(${prev}) : ufixed<8, 3>`);
    prev = 'q';
  } else {
    lines.push(`  f = flatten(${prev})`, ...(g.rnd() < 0.5 ? [`  fifo f -> d depth ${g.int(1, 4)}`] : []));
    prev = 'f';
  }
  lines.push(`  d = dense(${prev}, ${g.int(2, 4)}) {`, `    weight: fixed<6, 1> = random(seed: ${seed + 2})`, ...(g.rnd() < 0.3 ? [`    reuse: ${g.pick([2, 4])}`] : []), '  } : fixed<10, 4>');
  lines.push('  output d', '}');
  return lines.join('\n') + '\n';
}

/** The network if it checks; else again without its reuse lines (a reuse factor the hls4ml rule refuses). */
function checked(label: string, path: string, text: string): Case[] {
  try {
    return load(label, path, text);
  } catch {
    return load(label, path, text.replace(/ *reuse: \d+\n/g, ''));
  }
}

function raws(t: RawTensor, row: number): bigint[] {
  const n = t.data.length / t.rows;
  return Array.from({ length: n }, (_, i) => BigInt(t.data[row * n + i] as number | bigint));
}

describe('the plan states the latency and II that the RTL measures', () => {
  requireTool('iverilog', ['-V'], 'iverilog');
  const samples = join(import.meta.dirname, '../../samples');
  const fixtures = join(import.meta.dirname, '../../compiler/test/plan-fixtures');
  const cases: Case[] = [
    ...load('samples/jet-tagger', join(samples, 'jet-tagger/jet-tagger.qnn')),
    ...load('samples/ice40-tiny', join(samples, 'ice40-tiny/ice40-tiny.qnn')),
    ...load('samples/digits', join(samples, 'digits/digits.qnn')),
    ...readdirSync(fixtures)
      .filter((f) => ['dense-kinds.qnn', 'reuse.qnn', 'branches.qnn', 'zero-dense.qnn', 'ice40.qnn', 'calls.qnn'].includes(f))
      .flatMap((f) => load(`plan fixture ${f}`, join(fixtures, f))),
    ...Array.from({ length: 12 }, (_, s) => load(`random network ${s}`, `/random/p${s}.qnn`, randomNetwork(s))).flat(),
    // io stream: the samples, the plan fixture, seeded random networks (convolutions, pooling, frame stages, FIFOs).
    ...load('samples/econ-t', join(samples, 'econ-t/econ-t.qnn')),
    ...load('samples/pulse-shape', join(samples, 'pulse-shape/pulse-shape.qnn')),
    ...load('samples/bragg-peak', join(samples, 'bragg-peak/bragg-peak.qnn')),
    ...load('plan fixture stream.qnn', join(fixtures, 'stream.qnn')),
    ...load('plan fixture conv-same.qnn', join(fixtures, 'conv-same.qnn')),
    ...Array.from({ length: 12 }, (_, s) => checked(`random stream network ${s}`, `/random/s${s}.qnn`, randomStreamNetwork(s))).flat(),
  ];

  interface Expected {
    readonly label: string;
    readonly latency: number;
    readonly ii: number;
    readonly src: string;
  }
  type Measured = Map<string, { mismatches: number; latency: number; ii: number }>;

  /** Writes the designs and their checkers into one folder and runs them in one iverilog build. */
  async function runBatch(tag: string, batch: readonly { c: Case; k: number }[], expected: Map<string, Expected>): Promise<Measured> {
    const dir = mkdtempSync(join(tmpdir(), `qnn-plan-latency-${tag}-`));
    dirs.push(dir);
    const sources: string[] = [];
    const checkers: string[] = [];
    for (const { c, k } of batch) {
      const plan = planNetwork(c.program, c.net);
      const design = generateVerilog(c.net, { moduleName: `qnn_plan_${k}` });
      const rows = 12;
      const inputs = new Map(
        c.net.inputs.map((i) => {
          const size = i.tensor.shape.reduce((a, b) => a * b, 1);
          const r = valueRange(i.tensor.type);
          return [i.name, { rows, data: seededUniform(k + 1, i.name, rows * size).map((u) => r.min + ((u + 1) / 2) * (r.max - r.min)) }];
        }),
      );
      const result = simulateSync(c.net, inputs, { keepLayers: true });
      const vin: bigint[][] = [];
      const vexp: bigint[][] = [];
      for (let r = 0; r < rows; r++) {
        vin.push(c.net.inputs.flatMap((i) => raws(result.inputs.get(i.name)!.tensor!, r)));
        vexp.push(c.net.outputs.flatMap((o) => raws(result.outputs.get(o)!, r)));
      }
      for (const [f, text] of design.files) {
        writeFileSync(join(dir, f), text);
        sources.push(f);
      }
      const tb = verilogTestbench(design, { inputs: vin, expected: vexp });
      for (const [f, text] of tb.files) {
        writeFileSync(join(dir, f), text);
        if (f.endsWith('.v')) sources.push(f);
      }
      checkers.push(tb.module);
      expected.set(tb.module, { label: c.label, latency: plan.latencyCycles, ii: plan.ii, src: c.src });
    }
    const top = testbenchTop(checkers);
    writeFileSync(join(dir, top.file), top.text);
    sources.push(top.file);
    await run('iverilog', ['-g2005', '-o', 'sim.vvp', '-s', 'tb_top', ...new Set(sources)], { cwd: dir, maxBuffer: 1 << 26 });
    const { stdout } = await run('vvp', ['-n', 'sim.vvp'], { cwd: dir, maxBuffer: 1 << 26 });
    return new Map([...stdout.matchAll(/^RESULT (\S+) vectors=(\d+) mismatches=(\d+) latency=(-?\d+) ii=(\d+)$/gm)].map((m) => [m[1], { mismatches: Number(m[3]), latency: Number(m[4]), ii: Number(m[5]) }]));
  }

  it(`${cases.length} networks: plan latency and II = measured (iverilog)`, { timeout: 900_000 }, async () => {
    const expected = new Map<string, Expected>();
    // The jet tagger is iverilog's longest build: it gets a process of its own.
    const indexed = cases.map((c, k) => ({ c, k }));
    const heavy = indexed.filter((x) => x.c.label.startsWith('samples/jet-tagger'));
    const rest = indexed.filter((x) => !heavy.includes(x));
    const [a, b] = await Promise.all([runBatch('jet', heavy, expected), runBatch('all', rest, expected)]);
    const measured: Measured = new Map([...a, ...b]);
    const rows: string[] = [];
    for (const [module, e] of expected) {
      const m = measured.get(module);
      rows.push(`${e.label}: plan latency ${e.latency} II ${e.ii}; measured ${m ? `latency ${m.latency} II ${m.ii}, ${m.mismatches} mismatches` : 'nothing'}`);
    }
    console.log(rows.join('\n'));
    for (const [module, e] of expected) {
      const m = measured.get(module);
      const why = `${rows.find((r) => r.startsWith(e.label))}\nnetwork:\n${e.src}`;
      expect(m, why).toBeDefined();
      expect(m!.mismatches, why).toBe(0);
      expect([m!.latency, m!.ii], why).toEqual([e.latency, e.ii]);
    }
  });
});
