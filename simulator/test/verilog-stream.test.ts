// Co-simulation of the Verilog backend's convolutions, network calls and io stream with the bit-accurate simulator:
// seeded random conv1d/conv2d/depthwise networks (every padding, stride, multiplier, quantization and overflow mode,
// reuse factors) in io parallel and in io stream (line buffers, FIFOs, back-pressure and input gaps), networks used as
// layers, and the io stream samples (econ-t, pulse-shape, bragg-peak) run through iverilog and Verilator with zero
// mismatches; the generated modules pass `verilator --lint-only -Wall` and a quick yosys synthesis. A missing tool
// fails (it names the Debian package to install); nothing is skipped.
import { afterAll, describe, expect, it } from 'vitest';
import { isValidReuse, QUANT_MODES, OVERFLOW_MODES } from '@qnn/language';
import { planNetwork } from '@qnn/compiler';
import { network, rng } from './helpers.js';
import { cleanup, Gen, iverilog, lint, literal, makeCase, requireTool, run, sampleNet, spell, tempDir, verilator, type Case } from './verilog-harness.js';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

afterAll(cleanup);

/**
 * A random convolutional network: conv1d/conv2d or a depthwise conv (random kernel, stride, padding, multiplier,
 * weights with zeros and powers of two, narrow accumulators), an activation, sometimes pooling, sometimes a second
 * conv, sometimes flatten and dense.
 */
function randomConvNetwork(seed: number, io: 'parallel' | 'stream'): string {
  const g = new Gen(rng(seed * 4243 + 11));
  const two = g.rnd() < 0.5;
  let C = g.int(1, 3);
  let dims = two ? [g.int(3, 6), g.int(3, 6)] : [g.int(4, 12)];
  let mag = g.int(0, 2);
  const inType = g.around(mag, 0, 2, 6, g.rnd() < 0.7);
  const d = two ? '2d' : '1d';
  const lines = [`network c${seed} {`, `  io ${io}`, ...(io === 'stream' && g.rnd() < 0.5 ? [`  fifo ${g.pick([1, 2, 4, 16])}`] : []), `  input x : ${spell(inType)}[${[...dims, C].join(', ')}]`];
  let prev = 'x';
  const convs = g.rnd() < 0.35 ? 2 : 1;
  for (let k = 0; k < convs; k++) {
    const depthwise = g.rnd() < 0.35;
    const kernel = dims.map((n) => g.int(1, Math.min(3, n)));
    const stride = kernel.map(() => (g.rnd() < 0.7 ? 1 : 2));
    const padding = g.pick(['valid', 'same']);
    const out = dims.map((n, i) => (padding === 'same' ? Math.ceil(n / stride[i]) : Math.floor((n - kernel[i]) / stride[i]) + 1));
    const M = depthwise ? (g.rnd() < 0.6 ? 2 : 1) : 0;
    const F = depthwise ? C * M : g.int(1, 4);
    const w = g.around(0, 0, 2, 6, g.rnd() < 0.9);
    const taps = kernel.reduce((a, b) => a * b, 1) * (depthwise ? 1 : C);
    const sumMag = mag + w.intBits - 1 + Math.log2(taps) / 2;
    const acc = g.around(sumMag, g.int(-2, 2), 2, 8);
    const list = (v: number[]) => (two ? `[${v.join(', ')}]` : String(v[0]));
    const wShape = [...kernel, C, depthwise ? M : F];
    const nIn = taps;
    const validR = depthwise ? [] : Array.from({ length: 7 }, (_, i) => i + 2).filter((r) => isValidReuse(nIn, F, r));
    const attrs = [
      `    weight: ${spell(w)} = ${literal(g.values(w, wShape.reduce((a, b) => a * b, 1)), wShape)}`,
      ...(g.rnd() < 0.8 ? [`    bias: ${spell(w)} = ${literal(g.values(w, F), [F])}`] : []),
      ...(g.rnd() < 0.85 ? [`    accum: ${spell(acc)}`] : []),
      ...(validR.length && g.rnd() < 0.3 ? [`    reuse: ${g.pick(validR)}`] : []),
    ];
    const head = depthwise
      ? `  k${k} = depthwise_conv${d}(${prev}, ${list(kernel)}, stride: ${list(stride)}, padding: ${padding}, multiplier: ${M}) {`
      : `  k${k} = conv${d}(${prev}, ${F}, ${list(kernel)}, stride: ${list(stride)}, padding: ${padding}) {`;
    lines.push(head, ...attrs, `  } : ${spell(g.around(sumMag, g.int(-1, 1), 1, 6))}`);
    prev = `k${k}`;
    dims = out;
    C = F;
    mag = Math.max(0, Math.round(sumMag));
    const act = g.rnd();
    if (act < 0.5) lines.push(`  a${k} = relu(${prev}) : ${spell(g.around(mag, g.int(0, 1), 1, 6, false))}`);
    else if (act < 0.7) lines.push(`  a${k} = leaky_relu(${prev}, 0.25) : ${spell(g.around(mag, g.int(0, 1), 1, 6))}`);
    else lines.push(`  a${k} = linear(${prev}) : ${spell(g.around(mag, g.int(-1, 1), 1, 6))}`);
    prev = `a${k}`;
  }
  const tail = g.rnd();
  if (tail < 0.3 && dims.every((n) => n >= 2)) {
    const kind = g.pick(['max', 'avg']);
    lines.push(`  p = ${kind}pool${d}(${prev}, ${two ? '[2, 2]' : '2'}) : ${spell(g.around(mag, 0, 1, 6))}`);
    prev = 'p';
  } else if (tail < 0.5) {
    lines.push(`  p = global_${g.pick(['max', 'avg'])}pool${d}(${prev}) : ${spell(g.around(mag, 0, 1, 6))}`);
    prev = 'p';
  } else if (tail < 0.8) {
    const n = dims.reduce((a, b) => a * b, 1) * C;
    const units = g.int(1, 4);
    const w = g.around(-1, 0, 2, 6, true);
    lines.push(`  f = flatten(${prev})`, `  o = dense(f, ${units}) {`, `    weight: ${spell(w)} = ${literal(g.values(w, n * units), [n, units])}`, `  } : ${spell(g.around(mag + 1, g.int(-1, 1), 1, 6))}`);
    prev = 'o';
  }
  lines.push(`  output ${prev}`, `}`);
  return lines.join('\n');
}

/** A network used as a layer (twice, and inside a branch): the calls are inlined with their input casts. */
const CALLS = `network block {
  io parallel
  input v : fixed<10, 3, RND, SAT>[3, 2]
  c = conv1d(v, 2, 2, padding: same) {
    weight: fixed<6, 1, RND> = [[[0.5, -0.25], [1, 0.75]], [[-0.5, 0.125], [0.25, -1]]]
    bias: fixed<6, 2> = [0.25, -0.5]
    accum: fixed<12, 4, RND, SAT>
  } : fixed<10, 3, RND_CONV, SAT_SYM>
  r = relu(c) : ufixed<9, 3>
  output r
}

network caller {
  io parallel
  input x : fixed<8, 3>[3, 2]
  b1 = block(x)
  b2 = block(b1)
  s = add(b1, b2) : fixed<10, 4, RND, SAT>
  output s
}`;

const CONV_PARALLEL = 12;

describe('Verilog co-simulation: convolutions and network calls (io parallel)', () => {
  requireTool('iverilog', ['-V'], 'iverilog');
  requireTool('verilator', ['--version'], 'verilator');
  requireTool('yosys', ['-V'], 'yosys');

  const convs: Case[] = [];
  for (let s = 0; s < CONV_PARALLEL; s++) {
    const src = randomConvNetwork(s, 'parallel');
    convs.push(makeCase(`random conv network ${s}`, src, network(src), 150, 7000 + s, undefined, s % 3 === 0));
  }
  const calls = makeCase('network calls', CALLS, network(CALLS, 'caller'), 200, 77);
  const all = [...convs, calls];

  it('random conv networks cover what they should', () => {
    const text = convs.map((c) => c.src).join('\n');
    for (const op of ['conv1d(', 'conv2d(', 'depthwise_conv1d(', 'depthwise_conv2d(', 'padding: same', 'padding: valid', 'stride: 2', 'multiplier: 2', 'reuse:']) expect(text).toContain(op);
    for (const q of QUANT_MODES.filter((m) => m !== 'TRN')) expect(text).toContain(`, ${q}`);
    for (const o of OVERFLOW_MODES.filter((m) => m !== 'WRAP')) expect(text).toContain(`, ${o}>`);
    console.log(`random conv networks: distinct output vectors ${convs.map((c) => c.distinct).join(' ')}`);
  });

  it('the generated modules are verilator --lint-only -Wall clean', { timeout: 300_000 }, async () => {
    for (const [i, c] of all.entries()) await lint(`cl${i}`, c.design);
  });

  const iv = iverilog('conv', all);
  const vl = verilator('conv', all);
  iv.catch(() => undefined);
  vl.catch(() => undefined);

  it('the designs state the implementation plan\'s latency and II (the testbench checks that it measures them)', () => {
    for (const c of all) {
      const plan = planNetwork(undefined, c.net);
      expect({ label: c.label, latency: c.design.latency, ii: c.design.ii }).toEqual({ label: c.label, latency: plan.latencyCycles, ii: plan.ii });
    }
  });

  it(`iverilog: ${CONV_PARALLEL} random conv networks and network calls, bit-exact`, { timeout: 600_000 }, async () => {
    const r = await iv;
    expect(r.size).toBe(all.length + all.filter((c) => c.backpressure).length);
  });

  it(`verilator: ${CONV_PARALLEL} random conv networks and network calls, bit-exact`, { timeout: 600_000 }, async () => {
    const r = await vl;
    expect(r.size).toBe(all.length + all.filter((c) => c.backpressure).length);
  });
});

/** A random io stream network of per-pixel layers: dense over positions, activations, tables, add and concat. */
function randomStreamNetwork(seed: number): string {
  const g = new Gen(rng(seed * 15013 + 5));
  const P = g.int(1, 5);
  let C = g.int(1, 4);
  let mag = g.int(0, 2);
  const inType = g.around(mag, 0, 2, 6, true);
  const lines = [`network st${seed} {`, `  io stream`, `  fifo ${g.pick([1, 2, 3, 8])}`, `  input x : ${spell(inType)}[${P > 1 ? `${P}, ` : ''}${C}]`];
  let prev = 'x';
  const depth = g.int(1, 3);
  for (let k = 0; k < depth; k++) {
    const units = g.int(1, 4);
    const w = g.around(0, 0, 2, 6, true);
    const acc = g.around(mag + 1, g.int(-1, 2), 2, 8);
    const validR = Array.from({ length: 5 }, (_, i) => i + 2).filter((r) => isValidReuse(C, units, r));
    lines.push(
      `  d${k} = dense(${prev}, ${units}) {`,
      `    weight: ${spell(w)} = ${literal(g.values(w, C * units), [C, units])}`,
      ...(g.rnd() < 0.7 ? [`    bias: ${spell(w)} = ${literal(g.values(w, units), [units])}`] : []),
      `    accum: ${spell(acc)}`,
      ...(validR.length && g.rnd() < 0.4 ? [`    reuse: ${g.pick(validR)}`] : []),
      `  } : ${spell(g.around(mag + 1, g.int(-1, 1), 1, 6))}`,
    );
    const d = `d${k}`;
    C = units;
    mag = mag + 1;
    const a = g.rnd();
    if (a < 0.3) lines.push(`  a${k} = relu(${d}) : ${spell(g.around(mag, 0, 1, 6, false))}`);
    else if (a < 0.5) lines.push(`  a${k} = sigmoid(${d}) { table: ${g.pick([64, 256])} } : ufixed<8, 0, RND, SAT>`);
    else if (a < 0.7) lines.push(`  a${k} = tanh(${d}) : fixed<8, 1, RND_CONV, SAT>`);
    else lines.push(`  a${k} = leaky_relu(${d}, 0.5) : ${spell(g.around(mag, 0, 1, 6))}`);
    prev = `a${k}`;
    const merge = g.rnd();
    if (merge < 0.25) {
      lines.push(`  m${k} = add(${prev}, ${d}) : ${spell(g.around(mag + 1, 0, 1, 6))}`);
      prev = `m${k}`;
    } else if (merge < 0.45) {
      lines.push(`  m${k} = concat(${prev}, ${d}) : ${spell(g.around(mag, 0, 1, 6))}`);
      prev = `m${k}`;
      C *= 2;
    }
  }
  if (g.rnd() < 0.3) lines.push(`  out = softmax(${prev}) { table: 256 } : ufixed<12, 0, RND, SAT>`);
  else if (P > 1 && g.rnd() < 0.5) lines.push(`  out = flatten(${prev})`);
  else lines.push(`  out = linear(${prev}) : ${spell(g.around(mag, 0, 2, 6))}`);
  lines.push(`  output out`, `}`);
  return lines.join('\n');
}

const CONV_STREAM = 12;
const PIXEL_STREAM = 10;

describe('Verilog co-simulation: io stream', () => {
  const convs: Case[] = [];
  for (let s = 0; s < CONV_STREAM; s++) {
    const src = randomConvNetwork(100 + s, 'stream');
    convs.push(makeCase(`random conv stream network ${s}`, src, network(src), 40, 8000 + s, undefined, true));
  }
  const pixels: Case[] = [];
  for (let s = 0; s < PIXEL_STREAM; s++) {
    const src = randomStreamNetwork(s);
    pixels.push(makeCase(`random stream network ${s}`, src, network(src), 100, 9000 + s, undefined, true));
  }
  const econ = sampleNet('econ-t/econ-t.qnn', (s) => s);
  const pulse = sampleNet('pulse-shape/pulse-shape.qnn', (s) => s);
  const bragg = sampleNet('bragg-peak/bragg-peak.qnn', (s) => s);
  const samples = [makeCase('samples/econ-t', econ.src, econ.net, 24, 21, undefined, true), makeCase('samples/pulse-shape', pulse.src, pulse.net, 16, 22, undefined, true)];
  // bragg-peak is large (fc1: 10,240 products on 1,280 shared multipliers): a few vectors in a build of its own.
  const braggCase = makeCase('samples/bragg-peak', bragg.src, bragg.net, 3, 23, undefined, false);
  // The network calls again, in io stream (the call boundaries are wiring: no stage of their own).
  const callsSrc = CALLS.replace(/io parallel/g, 'io stream').replace('  output s\n}', '  f = flatten(s)\n  output f\n}');
  const streamCalls = makeCase('network calls (io stream)', callsSrc, network(callsSrc, 'caller'), 100, 78, 'qnn_caller_stream');
  const all = [...convs, ...pixels, streamCalls, ...samples];
  const withBragg = [...all, braggCase];
  for (const c of withBragg) c.timing = false;

  it('the generated modules are verilator --lint-only -Wall clean', { timeout: 600_000 }, async () => {
    for (let i = 0; i < withBragg.length; i += 4) await Promise.all(withBragg.slice(i, i + 4).map((c, k) => lint(`sl${i + k}`, c.design)));
  });

  const iv = Promise.all([iverilog('stream', all), iverilog('bragg', [braggCase])]).then(([a, b]) => new Map([...a, ...b]));
  const vl = Promise.all([verilator('stream', all), verilator('bragg', [braggCase])]).then(([a, b]) => new Map([...a, ...b]));
  iv.catch(() => undefined);
  vl.catch(() => undefined);

  it(`iverilog: ${CONV_STREAM} conv and ${PIXEL_STREAM} per-pixel random stream networks and the stream samples, bit-exact with back-pressure`, { timeout: 400_000 }, async () => {
    const r = await iv;
    expect(r.size).toBe(all.length * 2 + 1);
    for (const c of [...samples, braggCase]) {
      const o = r.get(`tb_${c.design.top}`)!;
      console.log(`${c.label}: measured latency ${o.latency} cycles, II ${o.ii} (iverilog, ${o.vectors} vectors); the plan states ${c.design.latency} / ${c.design.ii}`);
    }
  });

  it('the measured latency and II are the implementation plan\'s (io stream)', { timeout: 400_000 }, async () => {
    const r = await iv;
    const off = withBragg.flatMap((c) => {
      const o = r.get(`tb_${c.design.top}`)!;
      const plan = planNetwork(undefined, c.net);
      return o.latency === plan.latencyCycles && o.ii === plan.ii ? [] : [`${c.label}: measured ${o.latency} / ${o.ii}, plan ${plan.latencyCycles} / ${plan.ii}\n${c.src}`];
    });
    expect(off.join('\n')).toBe('');
  });

  it(`verilator: the same networks, bit-exact with back-pressure`, { timeout: 400_000 }, async () => {
    const r = await vl;
    expect(r.size).toBe(all.length * 2 + 1);
  });

  it('yosys reads and elaborates the stream samples (synth -run begin:fine)', { timeout: 400_000 }, async () => {
    await Promise.all(
      [...samples, braggCase].map(async (c, k) => {
        const d = c.design;
        const dir = tempDir(`yosys-s${k}`);
        for (const [f, text] of d.files) writeFileSync(join(dir, f), text);
        await run('yosys', ['-q', '-p', `read_verilog ${[...d.files.keys()].join(' ')}; synth -top ${d.top} -run begin:fine; tee -q -o stat.txt stat`], { cwd: dir, maxBuffer: 1 << 28 });
        expect(readFileSync(join(dir, 'stat.txt'), 'utf8')).toMatch(/Number of cells/);
      }),
    );
  });
});
