// The estimator: latency and II equal the Verilog generator's and the plan's, multipliers follow the weights (zero
// weights cost nothing, powers of two are shifts), DSP tiles follow yosys' mul2dsp rule, results are cached, the JSON
// has the documented schema, and the device table cites its sources.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkProgram, type NetworkModel, type ProgramModel } from '@qnn/language';
import {
  computeEstimate,
  COST_TABLES,
  csdDigits,
  DEVICES,
  DEVICE_SOURCES,
  estimateNetwork,
  generateVerilog,
  nearestParts,
  nodeFileSystem,
  partCatalog,
  planNetwork,
  UnknownPartError,
  xc7DspTiles,
} from '../src/index.js';
import { loadProgram } from './load.js';

const SAMPLES = join(import.meta.dirname, '../../samples');

const load = loadProgram;

function sample(rel: string, name: string): { program: ProgramModel; net: NetworkModel } {
  const path = join(SAMPLES, rel);
  const program = checkProgram([path], { fs: nodeFileSystem, parts: partCatalog });
  return { program, net: program.files.get(path)!.networks.get(name)! };
}

const dense = (weights: string, opts: { part?: string; reuse?: number; x?: string } = {}) => `target ${opts.part ?? 'xc7a100t'} clock 10ns
network n {
  io parallel
  input x : ${opts.x ?? 'fixed<8, 3>'}[2]
  d = dense(x, 3) {
    weight: fixed<8, 3> = ${weights}${opts.reuse ? `\n    reuse: ${opts.reuse}` : ''}
  } : fixed<12, 5>
  output d
}
`;

describe('estimateNetwork', () => {
  it('gives the latency and II of the generated Verilog and of the plan (jet tagger, ice40 tiny)', () => {
    for (const [rel, name] of [
      ['jet-tagger/jet-tagger.qnn', 'jet_tagger'],
      ['ice40-tiny/ice40-tiny.qnn', 'vibration'],
      ['digits/digits.qnn', 'digits'],
    ] as const) {
      const { program, net } = sample(rel, name);
      const e = estimateNetwork(program, net);
      const v = generateVerilog(net);
      const p = planNetwork(program, net);
      expect(e.total.latencyCycles, name).toBe(v.latency);
      expect(e.total.ii, name).toBe(v.ii);
      expect(e.total.latencyCycles, name).toBe(p.latencyCycles);
      expect(e.total.latencyNs, name).toBeCloseTo(v.latency * e.clockNs, 9);
    }
  });

  it('has the documented JSON schema', () => {
    const { program, net } = sample('jet-tagger/jet-tagger.qnn', 'jet_tagger');
    const e = JSON.parse(JSON.stringify(estimateNetwork(program, net)));
    expect(Object.keys(e)).toEqual(expect.arrayContaining(['network', 'part', 'clockNs', 'layers', 'total', 'utilization']));
    expect(e).toMatchObject({ network: 'jet_tagger', part: 'xcu250', clockNs: 5 });
    for (const l of e.layers) {
      expect(Object.keys(l)).toEqual(expect.arrayContaining(['name', 'op', 'latencyCycles', 'ii', 'lut', 'ff', 'dsp', 'bram18', 'multipliers']));
      expect(Object.keys(l.multipliers).sort()).toEqual(['dsp', 'lut', 'shift', 'skip']);
    }
    expect(Object.keys(e.total).sort()).toEqual(['bram18', 'dsp', 'ff', 'ii', 'latencyCycles', 'latencyNs', 'lut']);
    expect(Object.keys(e.utilization).sort()).toEqual(['bram18', 'dsp', 'ff', 'lut']);
    expect(e.layers.map((l: { name: string }) => l.name)).toEqual(net.layers.map((l) => l.name));
    expect(e.fmaxMhz).toBeUndefined();
  });

  it('is cached per network and options, and read-only in use', () => {
    const { program, net } = sample('jet-tagger/jet-tagger.qnn', 'jet_tagger');
    expect(estimateNetwork(program, net)).toBe(estimateNetwork(program, net));
    expect(estimateNetwork(program, net, { part: 'xcvu9p' })).not.toBe(estimateNetwork(program, net));
    expect(estimateNetwork(program, net, { part: 'xcvu9p' }).part).toBe('xcvu9p');
  });

  it('costs nothing for zero weights and only adders for powers of two', () => {
    const zeros = load(dense('[[0, 0, 0], [0, 0, 0]]'));
    const ez = estimateNetwork(zeros.program, zeros.net);
    expect(ez.total.dsp).toBe(0);
    expect(ez.layers[0].multipliers).toEqual({ dsp: 0, lut: 0, shift: 0, skip: 6 });
    const shifts = load(dense('[[1, 2, -4], [0.5, -0.25, 0]]'));
    const es = estimateNetwork(shifts.program, shifts.net);
    expect(es.total.dsp).toBe(0);
    expect(es.layers[0].multipliers).toMatchObject({ dsp: 0, lut: 0, shift: 5, skip: 1 });
  });

  it('changes with the weights: wide constants take DSPs, narrow ones LUTs', () => {
    const wide = load(dense('[[1.40625, -2.859375, 3.796875], [-1.234375, 2.671875, 0.359375]]', { x: 'fixed<16, 6>' }));
    const narrow = load(dense('[[0.75, -0.375, 1.5], [0.5, 3, -0.75]]', { x: 'fixed<16, 6>' }));
    const ew = estimateNetwork(wide.program, wide.net);
    const en = estimateNetwork(narrow.program, narrow.net);
    expect(ew.total.dsp).toBeGreaterThan(0);
    expect(en.total.dsp).toBeLessThan(ew.total.dsp);
    expect(en.layers[0].multipliers.lut + en.layers[0].multipliers.shift).toBeGreaterThan(0);
  });

  it('uses no DSPs on iCE40 parts (yosys synth_ice40 runs without -dsp) and gives an fmax', () => {
    const { program, net } = load(dense('[[1.40625, -2.859375, 3.796875], [-1.234375, 2.671875, 0.359375]]', { part: 'ice40up5k', x: 'fixed<16, 6>' }));
    const e = estimateNetwork(program, net);
    expect(e.total.dsp).toBe(0);
    expect(e.flow).toBe('ice40');
    expect(e.fmaxMhz).toBeGreaterThan(0);
    expect(e.utilization.lut).toBeCloseTo((100 * e.total.lut) / 5280, 0);
  });

  it('estimates the ice40hx8k faster than the ice40up5k by the fitted part factor (the same LUTs and FFs)', () => {
    const { program, net } = load(dense('[[1.40625, -2.859375, 3.796875], [-1.234375, 2.671875, 0.359375]]', { part: 'ice40up5k', x: 'fixed<16, 6>' }));
    const up = estimateNetwork(program, net, { part: 'ice40up5k' });
    const hx = estimateNetwork(program, net, { part: 'ice40hx8k' });
    const scale = COST_TABLES.ice40.partScale?.ice40hx8k ?? 1;
    // Fitted on training networks placed on both parts: nextpnr reports the HX8K 2.4–3.0 times faster.
    expect(scale).toBeGreaterThan(0.25);
    expect(scale).toBeLessThan(0.5);
    expect(hx.total.lut).toBe(up.total.lut);
    expect(hx.total.ff).toBe(up.total.ff);
    expect(hx.fmaxMhz!).toBeGreaterThan(up.fmaxMhz!);
    expect(hx.fmaxMhz! / up.fmaxMhz!).toBeCloseTo(1 / scale, 0);
  });
  it('shares multipliers over the phases with reuse > 1 (II = R = 2)', () => {
    const r3 = load(dense('[[1.40625, -2.859375, 3.796875], [-1.234375, 2.671875, 0.359375]]', { x: 'fixed<16, 6>', reuse: 2 }));
    const e3 = estimateNetwork(r3.program, r3.net);
    expect(e3.total.ii).toBe(2);
    expect(e3.total.latencyCycles).toBe(generateVerilog(r3.net).latency);
    expect(e3.layers[0].multipliers.dsp + e3.layers[0].multipliers.lut).toBeLessThanOrEqual(3);
    expect(e3.total.dsp).toBeLessThanOrEqual(3); // ceil(6 / 2) shared multipliers of multiplexed weights (each a DSP)
  });

  it('refuses an unknown part, naming the nearest', () => {
    const { program, net } = sample('jet-tagger/jet-tagger.qnn', 'jet_tagger');
    expect(() => estimateNetwork(program, net, { part: 'xcu25' })).toThrow(UnknownPartError);
    expect(() => estimateNetwork(program, net, { part: 'xcu25' })).toThrow(/xcu250/);
  });

  it('prices with the tables it is given (calibration), and more bits cost more', () => {
    const { net } = sample('jet-tagger/jet-tagger.qnn', 'jet_tagger');
    const doubled = JSON.parse(JSON.stringify(COST_TABLES));
    for (const k of Object.keys(doubled.xc7.lut)) doubled.xc7.lut[k] *= 2;
    const a = computeEstimate(net, {}, COST_TABLES);
    const b = computeEstimate(net, {}, doubled);
    expect(b.total.lut).toBeGreaterThanOrEqual(2 * a.total.lut - 10);
    expect(b.total.dsp).toBe(a.total.dsp);
  });
});

describe('DSP tiles as yosys synth_xilinx -family xc7 maps a × b multipliers (mul2dsp, DSP48E1 25 × 18)', () => {
  it.each([
    [4, 4, 0], // product of 8 bits: below DSP_Y_MINWIDTH = 9, built in LUTs
    [1, 16, 0], // below the minimum operand width 2
    [8, 8, 1],
    [25, 18, 1],
    [16, 16, 1],
    [26, 18, 2],
    [18, 26, 2],
    [42, 18, 2],
    [43, 18, 3],
  ])('%i × %i bits: %i tiles', (a, b, tiles) => expect(xc7DspTiles(a, b)).toBe(tiles));

  it('counts canonical signed digits', () => {
    expect([1, 3, 7, 15, 5, 0, -7, 1023].map(csdDigits)).toEqual([1, 2, 2, 2, 2, 0, 2, 2]);
  });
});

describe('device table', () => {
  it('has the parts of issue 5, each with the source of its figures and clock limits', () => {
    const names = DEVICES.map((d) => d.name);
    expect(names).toEqual(expect.arrayContaining(['xc7a35t', 'xc7a100t', 'xc7z020', 'xczu9eg', 'xcu250', 'xcvu9p', 'xcvu13p', 'ice40up5k', 'ice40hx8k']));
    for (const d of DEVICES) {
      expect(DEVICE_SOURCES[d.source], d.name).toBeTruthy();
      if (d.vendor === 'amd') {
        expect(DEVICE_SOURCES[d.clockSource!], d.name).toBeTruthy();
        expect(d.speedGrades!.length, d.name).toBeGreaterThan(0);
        expect(d.maxClockMHz).toBe(Math.min(...d.speedGrades!.map((g) => g.bufgMHz)));
      }
      expect(d.lut > 0 && d.ff > 0 && d.bram18 > 0, d.name).toBe(true);
    }
  });

  it('suggests the nearest part names', () => {
    expect(nearestParts('xcu25')).toContain('xcu250');
    expect(nearestParts('ice40up5')).toContain('ice40up5k');
    expect(nearestParts('xc7a100')[0]).toBe('xc7a100t');
  });
});
