// The implementation plan: fixtures as data (compiler/test/plan-fixtures/*.qnn, each with the plan it must give in
// *.plan.json; `UPDATE_SNAPSHOTS=1` rewrites them), hand-computed facts of the rules of docs/build.md ("Compiler
// core"), and seeded properties of the canonical signed digits and of the reuse schedule.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkProgram, memoryFileSystem, type NetworkModel, type ProgramModel } from '@qnn/language';
import { nodeFileSystem } from '../src/node-fs.js';
import { partCatalog } from '../src/devices/device-table.js';
import { canonicalSignedDigits, classifyConstant, planNetwork, type LayerPlan, type NetworkPlan } from '../src/plan/index.js';

const UPDATE = process.env.UPDATE_SNAPSHOTS === '1';
const FIXTURES = join(import.meta.dirname, 'plan-fixtures');
const SAMPLES = join(import.meta.dirname, '../../samples');

function load(path: string, text?: string): { program: ProgramModel; nets: NetworkModel[] } {
  const fs = text === undefined ? nodeFileSystem : memoryFileSystem({ [path]: text }, nodeFileSystem);
  const program = checkProgram([path], { fs, parts: partCatalog });
  const errors = [...program.diagnostics.values()].flat().filter((d) => d.severity === 'error');
  if (errors.length) throw new Error(errors.map((d) => `${d.code} ${d.message}`).join('\n'));
  return { program, nets: [...program.files.get(path)!.networks.values()] };
}

const KIND_LETTER = { skip: 's', shift: 'h', lut: 'l', dsp: 'd' } as const;

/** The plan as reviewable JSON: every field, weights as one letter per kind, schedule slots as tuples. */
function summary(plan: NetworkPlan): unknown {
  const layer = (l: LayerPlan): unknown => ({
    name: l.name,
    op: l.op,
    live: l.live,
    reuse: l.reuse,
    ii: l.ii,
    stages: l.stages,
    stage: l.stage,
    latencyCycles: l.latencyCycles,
    products: l.products,
    multipliers: l.multipliers,
    dspSlices: l.dspSlices,
    additions: l.additions,
    accumulatorWidth: l.accumulatorWidth,
    registerBits: l.registerBits,
    ...(l.constants ? { constants: l.constants.map((c) => KIND_LETTER[c.kind]).join('') } : {}),
    ...(l.schedule
      ? {
          schedule: {
            phases: l.schedule.phases,
            terms: l.schedule.terms,
            perPhase: l.schedule.perPhase,
            multipliers: l.schedule.multipliers,
            units: l.schedule.units.map((u) => `${u.kind}/${u.weightBits}`),
            slots: l.schedule.slots().map((s) => [s.output, s.input, s.weight, s.phase, s.multiplier]),
          },
        }
      : {}),
    ...(l.tables.length ? { tables: l.tables } : {}),
    ...(l.stream ? { stream: l.stream } : {}),
  });
  return {
    network: plan.network,
    io: plan.io,
    ii: plan.ii,
    stages: plan.stages,
    latencyCycles: plan.latencyCycles,
    inputLatencyCycles: plan.inputLatencyCycles,
    inputRegisterBits: plan.inputRegisterBits,
    delayRegisterBits: plan.delayRegisterBits,
    products: plan.products,
    multipliers: plan.multipliers,
    dspSlices: plan.dspSlices,
    dspAvailable: plan.dspAvailable,
    layers: plan.layers.map(layer),
  };
}

describe('plan fixtures', () => {
  const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.qnn'));
  it('exist', () => expect(files.length).toBeGreaterThanOrEqual(6));
  for (const f of files) {
    it(f, () => {
      const { program, nets } = load(join(FIXTURES, f));
      const actual = JSON.stringify(nets.map((n) => summary(planNetwork(program, n))), null, 1).replace(/\n\s*(?=[\]\d-])/g, '').replace(/\[\s+/g, '[') + '\n';
      const expectedPath = join(FIXTURES, f.replace(/\.qnn$/, '.plan.json'));
      if (UPDATE || !existsSync(expectedPath)) {
        if (!UPDATE) throw new Error(`${expectedPath} is missing: run with UPDATE_SNAPSHOTS=1 and review it`);
        writeFileSync(expectedPath, actual);
      }
      expect(actual).toBe(readFileSync(expectedPath, 'utf8'));
    });
  }
});

describe('the rules, by hand', () => {
  it('classifies constants: zero, powers of two, CSD adder size, DSP slices', () => {
    const dsp = { operandBits: 16, dspAvailable: true };
    expect(classifyConstant(0n, dsp).kind).toBe('skip');
    expect(classifyConstant(-8n, dsp)).toMatchObject({ kind: 'shift', digits: 1, csd: [{ shift: 3, negative: true }] });
    // 7 = 8 − 1: two digits, one adder of 16 + 3 bits.
    expect(classifyConstant(7n, dsp)).toMatchObject({ kind: 'lut', digits: 2, csd: [{ shift: 0, negative: true }, { shift: 3, negative: false }] });
    // 0b10101: three digits, span 4: 2 · (16 + 4) = 40 adder bits ≤ 64.
    expect(classifyConstant(21n, dsp)).toMatchObject({ kind: 'lut', digits: 3 });
    // 0b1010101: four digits, span 6: 3 · 22 = 66 > 64.
    expect(classifyConstant(85n, dsp)).toMatchObject({ kind: 'dsp', digits: 4, dspSlices: 1 });
    expect(classifyConstant(85n, { operandBits: 30, dspAvailable: true }).dspSlices).toBe(2);
    expect(classifyConstant(85n, { operandBits: 16, dspAvailable: false }).kind).toBe('lut');
  });

  it('the jet tagger: 6 stages (input, four dense layers, softmax), latency 6 cycles, II 1, one product per weight', () => {
    const path = join(SAMPLES, 'jet-tagger/jet-tagger.qnn');
    const { program, nets } = load(path);
    const plan = planNetwork(program, nets[0]);
    expect([plan.stages, plan.latencyCycles, plan.ii]).toEqual([6, 6, 1]);
    expect(plan.layers.map((l) => l.stages)).toEqual([1, 0, 1, 0, 1, 0, 1, 1]);
    const p = plan.products;
    expect(p.dsp + p.lut + p.shift + p.skip).toBe(16 * 64 + 64 * 32 + 32 * 32 + 32 * 5 + 5); // the weights, and softmax's five e · 1/S
    // A quarter of fc2 is zero (samples/jet-tagger/README.md).
    expect(plan.layers[2].products.skip).toBeGreaterThanOrEqual(512);
    // Cached per network object.
    expect(planNetwork(program, nets[0])).toBe(plan);
  });

  it('ice40-tiny: II = the largest reuse factor (32), latency (stages − 1) · II + 1, no DSPs on iCE40', () => {
    const { program, nets } = load(join(SAMPLES, 'ice40-tiny/ice40-tiny.qnn'));
    const plan = planNetwork(program, nets[0]);
    expect(plan.ii).toBe(32);
    expect(plan.latencyCycles).toBe((plan.stages - 1) * 32 + 1);
    expect(plan.dspAvailable).toBe(false);
    expect(plan.multipliers.dsp).toBe(0);
  });

  it('a dense layer with reuse: terms poured into phases in order, each output in non-decreasing phases', () => {
    const { program, nets } = load(join(FIXTURES, 'reuse.qnn'));
    const d = planNetwork(program, nets[0]).layers[0];
    const s = d.schedule!;
    expect([s.phases, s.terms, s.perPhase, s.multipliers]).toEqual([3, 5, 2, 2]);
    // Output 0: x0·w0, x1·w2, x2·w4; output 1: x1·w3, x2·w5 (w1 is zero).
    expect(s.slots().map((t) => [t.output, t.input, t.weight, t.phase, t.multiplier])).toEqual([
      [0, 0, 0, 0, 0],
      [0, 1, 2, 0, 1],
      [0, 2, 4, 1, 0],
      [1, 1, 3, 1, 1],
      [1, 2, 5, 2, 0],
    ]);
    expect(d.multipliers.skip).toBe(1);
  });
});

describe('io stream timing, by hand', () => {
  const plan = (src: string) => {
    const { program, nets } = load('/t/s.qnn', src);
    return planNetwork(program, nets[0]);
  };

  it('a map stage: beats accepted at edges 0, 1, 2, loaded the edge after, pushed on the edge after that', () => {
    const p = plan(`network s {\n  io stream\n  input x : fixed<8, 3>[3, 2]\n  r = relu(x)\n  output r\n}`);
    expect(p.layers[0].stream).toMatchObject({ kind: 'map', beats: 3, beatValues: 2, firstBeatCycle: 2, lastBeatCycle: 4, cyclesPerSample: 3 });
    expect([p.latencyCycles, p.ii, p.inputLatencyCycles]).toEqual([4, 3, 2]);
  });

  it('a global stage: one step per input beat, the load at the last, one beat per sample', () => {
    const p = plan(`network g {\n  io stream\n  input x : fixed<8, 3>[4, 1]\n  m = global_maxpool1d(x)\n  output m\n}`);
    expect(p.layers[0].stream).toMatchObject({ kind: 'global', beats: 1, firstBeatCycle: 5, lastBeatCycle: 5 });
    expect([p.latencyCycles, p.ii]).toEqual([5, 4]);
  });

  it('a dense layer with reuse 2 after a frame stage (flatten changes the beat width), FIFOs one deep', () => {
    // x: beat 0 accepted at edge 0; the FIFO (depth 1) is full until flatten pops it at 1, so beat 1 enters at 2 and is
    // popped at 3; flatten loads at 4 (full) and pushes its one beat at 5; the dense stage starts at 6, takes R = 2
    // cycles (loads at 7) and its beat leaves at 8.
    const p = plan(`network f {\n  io stream\n  fifo 1\n  input x : fixed<8, 3>[2, 2]\n  f = flatten(x)\n  d = dense(f, 2) {\n    weight: fixed<6, 2> = random(seed: 1)\n    reuse: 2\n  } : fixed<10, 4>\n  output d\n}`);
    expect(p.layers.map((l) => l.stream?.kind)).toEqual(['frame', 'map']);
    expect(p.layers.map((l) => l.stream?.lastBeatCycle)).toEqual([5, 8]);
    expect(p.latencyCycles).toBe(8);
  });
});

describe('latency decomposition', () => {
  it('latencyCycles = inputLatencyCycles + the layers’ latencies along the slowest path (fixtures and samples)', () => {
    const files = [
      ...readdirSync(FIXTURES).filter((f) => f.endsWith('.qnn')).map((f) => join(FIXTURES, f)),
      ...['jet-tagger/jet-tagger.qnn', 'econ-t/econ-t.qnn', 'bragg-peak/bragg-peak.qnn', 'branches/branches.qnn', 'pulse-shape/pulse-shape.qnn'].map((f) => join(SAMPLES, f)),
    ];
    for (const f of files) {
      const { program, nets } = load(f);
      for (const net of nets) {
        const p = planNetwork(program, net);
        const path = new Map<string, number>(net.inputs.map((i) => [i.name, 0]));
        for (const l of p.layers) path.set(l.name, l.latencyCycles + Math.max(...l.inputs.map((i) => path.get(i) ?? 0)));
        const slowest = Math.max(...net.outputs.map((o) => path.get(o) ?? 0));
        expect(p.inputLatencyCycles + slowest, `${f} ${net.name}`).toBe(p.latencyCycles);
      }
    }
  });
});

describe('properties (seeded)', () => {
  let seed = 12345;
  const rnd = () => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) / 2 ** 32;
  };

  it('canonical signed digits sum to the value, no two adjacent, never more than the binary digits', () => {
    for (let i = 0; i < 3000; i++) {
      const bits = 1 + Math.floor(rnd() * 90);
      let v = 0n;
      for (let b = 0; b < bits; b++) v = (v << 1n) | (rnd() < 0.5 ? 1n : 0n);
      if (rnd() < 0.5) v = -v;
      const d = canonicalSignedDigits(v);
      expect(d.reduce((s, x) => s + (x.negative ? -1n : 1n) * (1n << BigInt(x.shift)), 0n)).toBe(v);
      for (let k = 1; k < d.length; k++) expect(d[k].shift - d[k - 1].shift).toBeGreaterThanOrEqual(2);
      const ones = (v < 0n ? -v : v).toString(2).replace(/0/g, '').length;
      expect(d.length).toBeLessThanOrEqual(ones);
    }
  });

  it('random dense layers with reuse: every non-zero product scheduled once, at most perPhase per phase, chains in order', () => {
    for (let k = 0; k < 40; k++) {
      const C = 1 + Math.floor(rnd() * 6);
      const U = 1 + Math.floor(rnd() * 6);
      const R = 2 + Math.floor(rnd() * 5);
      const w = Array.from({ length: C }, () => `[${Array.from({ length: U }, () => (rnd() < 0.3 ? 0 : Math.round((rnd() * 2 - 1) * 16) / 16)).join(', ')}]`);
      const src = `network n {\n  io parallel\n  input x : fixed<8, 3>[${C}]\n  d = dense(x, ${U}) {\n    weight: fixed<8, 2> = [${w.join(', ')}]\n  } : fixed<10, 4>\n  output d\n}\n`;
      const path = '/t/r.qnn';
      const program = checkProgram([path], { fs: memoryFileSystem({ [path]: src }) });
      const net = [...program.files.get(path)!.networks.values()][0];
      // hls4ml's validity rule may refuse R; the plan then is not asked for.
      if ([...program.diagnostics.values()].flat().some((d) => d.severity === 'error')) continue;
      const src2 = src.replace('  } : fixed<10, 4>', `    reuse: ${R}\n  } : fixed<10, 4>`);
      const p2 = checkProgram([path], { fs: memoryFileSystem({ [path]: src2 }) });
      if ([...p2.diagnostics.values()].flat().some((d) => d.severity === 'error')) continue;
      const l = planNetwork(p2, [...p2.files.get(path)!.networks.values()][0]).layers[0];
      const l1 = planNetwork(program, net).layers[0];
      const slots = l.schedule!.slots();
      expect(slots.length).toBe(l1.additions);
      expect(new Set(slots.map((s) => `${s.output}/${s.weight}`)).size).toBe(slots.length);
      const perPhase = new Map<string, number>();
      for (const s of slots) {
        expect(s.phase).toBeLessThan(R);
        expect(s.multiplier).toBeLessThan(l.schedule!.multipliers);
        const key = `${s.phase}/${s.multiplier}`;
        expect(perPhase.has(key)).toBe(false);
        perPhase.set(key, 1);
      }
      for (let o = 0; o < U; o++) {
        const mine = slots.filter((s) => s.output === o);
        for (let i = 1; i < mine.length; i++) {
          expect(mine[i].phase).toBeGreaterThanOrEqual(mine[i - 1].phase);
          expect(mine[i].input).toBeGreaterThan(mine[i - 1].input);
        }
      }
    }
  });
});
