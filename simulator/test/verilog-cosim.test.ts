// Co-simulation of the generated Verilog with the bit-accurate simulator: seeded random dense/activation networks
// (every quantization and overflow mode, accumulators that overflow, branches joined by add and concat), random
// networks of table layers (sigmoid, tanh, softmax stable and latency, with batchnorm folded and standalone) and of
// pooling (max and average, 1-D, 2-D and global, valid and same padding), and the samples the Verilog backend supports run through iverilog and Verilator, which must report zero mismatches, bit for
// bit, and an initiation interval of 1. The generated modules pass `verilator --lint-only -Wall`, and yosys
// synthesizes a sample for xc7. A missing tool fails (it names the Debian package to install); nothing is skipped.
import { afterAll, describe, expect, it } from 'vitest';
import { isValidReuse, OVERFLOW_MODES, QUANT_MODES, type NetworkModel } from '@qnn/language';
import { generateVerilog, VerilogBackendError } from '@qnn/compiler';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { network, rng } from './helpers.js';
import { cleanup, Gen, iverilog, lint, literal, makeCase, requireTool, run, sampleNet, spell, tempDir, verilator, type Case } from './verilog-harness.js';

afterAll(cleanup);

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

  it('the generated modules are verilator --lint-only -Wall clean', { timeout: 300_000 }, async () => {
    for (let i = 0; i < all.length; i += 8) await Promise.all(all.slice(i, i + 8).map((c, k) => lint(`l${i + k}`, c.design)));
  });

  // iverilog and Verilator run concurrently (one batch each: one Verilator build for every network).
  // iverilog is single-threaded and the jet tagger is its longest run: it gets a process of its own.
  const heavy = sampleCases[2];
  const iv = Promise.all([iverilog('all', all.filter((c) => c !== heavy)), iverilog('jet', [heavy])]).then(([a, b]) => new Map([...a, ...b]));
  const vl = verilator('all', all);
  iv.catch(() => undefined);
  vl.catch(() => undefined);

  it(`iverilog: ${RANDOM_NETWORKS} + ${TABLE_NETWORKS} + ${POOL_NETWORKS} random networks, ice40-tiny and the jet tagger, bit-exact, II = the largest reuse factor`, { timeout: 600_000 }, async () => {
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

  it(`verilator: ${RANDOM_NETWORKS} + ${TABLE_NETWORKS} + ${POOL_NETWORKS} random networks, ice40-tiny and the jet tagger, bit-exact, II = the largest reuse factor`, { timeout: 600_000 }, async () => {
    const r = await vl;
    expect(r.size).toBe(all.length + all.filter((c) => c.backpressure).length);
  });

  it('yosys synth_xilinx -family xc7 accepts ice40-tiny', { timeout: 600_000 }, async () => {
    const d = sampleCases[1].design;
    const dir = tempDir('yosys');
    for (const [f, text] of d.files) writeFileSync(join(dir, f), text);
    const { stdout } = await run('yosys', ['-p', `read_verilog ${[...d.files.keys()].join(' ')}; synth_xilinx -family xc7 -top ${d.top}; stat`], { cwd: dir, maxBuffer: 1 << 26 });
    expect(stdout).toMatch(/Number of cells/);
  });

  it('yosys synth -top accepts sigmoid, tanh and softmax (ROMs), batchnorm and average pooling (a constant divider)', { timeout: 600_000 }, async () => {
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
    const broken = network(`network c {\n  io parallel\n  input x : fixed<8, 3>[4, 2]\n  y = conv1d(x, 2, 3) { weight: fixed<4, 1> = zeros() } : fixed<8, 3>\n  output y\n}`);
    expect(() => generateVerilog({ ...broken, complete: false })).toThrow(VerilogBackendError);
    expect(() => generateVerilog({ ...broken, complete: false })).toThrow(/network 'c' has errors/);
  });
});
