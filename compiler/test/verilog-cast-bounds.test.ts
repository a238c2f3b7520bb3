// The bounds of a rounding cast in the Verilog backend (arith.ts castTo): every quantization mode is monotone, so the
// values of round(v / 2^n) lie between the rounded bounds of v. The backend once widened the upper bound by one for
// any rounding increment; a table index on a rounded input (tanh of fixed<10, 3>: trunc-to-zero of x · 32, + 128)
// then seemed to reach 256 and got a clamp it never uses, which synthesis folds into the table and builds as a function
// of the wider index: 67 LUTs against 31 in synth_xilinx. Bit-exactness against the simulator is the co-simulation's
// (simulator/test/verilog-cosim.test.ts, differential-hw.test.ts); this checks what is built. A missing yosys is a
// failure that says how to install it.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fixedType, roundShiftRight, roundsUp, type NetworkModel, type QuantMode } from '@qnn/language';
import { generateVerilog } from '../src/index.js';
import { castTo } from '../src/backends/verilog/arith.js';
import { avgDivide } from '../src/backends/verilog/layers.js';
import { ModuleNets } from '../src/backends/verilog/nets.js';
import { lit } from '../src/backends/verilog/vast.js';
import { load } from './load.js';

const tanh = (input: string) => `target xc7a100t clock 10ns
network n {
  io parallel
  input x : ${input}[1]
  s = tanh(x) { table: 256 } : fixed<8, 1, RND, SAT>
  output s
}
`;

const work = mkdtempSync(join(tmpdir(), 'qnn-cast-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** synth_xilinx LUTs (LUT1–LUT6) of the generated network module. */
function xc7Luts(net: NetworkModel): number {
  const v = spawnSync('yosys', ['-V'], { encoding: 'utf8' });
  if (v.error) throw new Error('yosys is not installed: apt-get install -y yosys (the table index is checked against it)');
  const design = generateVerilog(net);
  writeFileSync(join(work, `${design.top}.v`), [...design.files.values()].join('\n'));
  const r = spawnSync('yosys', ['-q', '-p', `read_verilog ${design.top}.v; synth_xilinx -family xc7 -top ${design.top}; tee -q -o stat.json stat -json`], { cwd: work, encoding: 'utf8', timeout: 240_000 });
  expect(r.status, r.stderr).toBe(0);
  const out = readFileSync(join(work, 'stat.json'), 'utf8');
  const cells: Record<string, number> = JSON.parse(out.slice(out.indexOf('{'))).design.num_cells_by_type ?? {};
  return Object.entries(cells).filter(([k]) => /^LUT[1-6]$/.test(k)).reduce((a, [, n]) => a + n, 0);
}

const MODES: QuantMode[] = ['TRN', 'TRN_ZERO', 'RND', 'RND_ZERO', 'RND_MIN_INF', 'RND_INF', 'RND_CONV'];

describe('rounding cast bounds', () => {
  it('are the rounded bounds of the input, for every mode (seeded ranges)', () => {
    let seed = 12345;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    for (let trial = 0; trial < 300; trial++) {
      const mode = MODES[trial % MODES.length];
      const n = 1 + rand(4);
      const a = BigInt(rand(400) - 200);
      const b = a + BigInt(rand(300));
      const nets = new ModuleNets();
      const v = nets.wire('v', 12, true, lit(12, 0n), a, b);
      const y = castTo(nets, 'c', v, n, fixedType(true, 16, 16, mode, 'SAT'));
      expect(y.kind).toBe('net');
      if (y.kind !== 'net') continue;
      // Exhaustively: every v in [a, b] rounds into [lo, hi], and both ends are reached.
      let lo = Infinity;
      let hi = -Infinity;
      for (let x = a; x <= b; x++) {
        const q = Number(roundShiftRight(x, n, mode));
        lo = Math.min(lo, q);
        hi = Math.max(hi, q);
      }
      expect([Number(y.lo), Number(y.hi)], `${mode} n=${n} [${a}, ${b}]`).toEqual([lo, hi]);
    }
  });

  it("of average pooling's division by a window that is not a power of two are the rounded quotients' bounds", () => {
    // round(v / n) by the mode, from its definition: floor, then the rounding rule on the remainder's bits.
    const roundDiv = (v: bigint, d: bigint, mode: QuantMode): number => {
      const q = v >= 0n ? v / d : -((-v + d - 1n) / d);
      const rem = v - q * d;
      return Number(q) + (roundsUp(mode, 2n * rem >= d, 2n * rem >= d ? 2n * rem > d : rem > 0n, v < 0n, (q & 1n) === 1n) ? 1 : 0);
    };
    let seed = 777;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    for (let trial = 0; trial < 200; trial++) {
      const mode = MODES[trial % MODES.length];
      const n = [3, 5, 6, 7, 9][rand(5)];
      const a = BigInt(rand(400) - 200);
      const b = a + BigInt(rand(300));
      const nets = new ModuleNets();
      const v = nets.wire('v', 12, true, lit(12, 0n), a, b);
      // A and Y of the same fraction: the division's quotient is the result (no cast after it).
      const y = avgDivide(nets, 'p', v, n, fixedType(true, 12, 12), fixedType(true, 16, 16, mode, 'SAT'));
      expect(y.kind).toBe('net');
      if (y.kind !== 'net') continue;
      let lo = Infinity;
      let hi = -Infinity;
      for (let x = a; x <= b; x++) {
        const q = roundDiv(x, BigInt(n), mode);
        lo = Math.min(lo, q);
        hi = Math.max(hi, q);
      }
      expect([Number(y.lo), Number(y.hi)], `${mode} n=${n} [${a}, ${b}]`).toEqual([lo, hi]);
    }
  });

  it('give a table index on a rounded input no clamp', () => {
    const text = [...generateVerilog(load(tanh('fixed<10, 3, RND>'))).files.values()].join('\n');
    // The index is written as l_s_0_i_y = clamp(...) only when it can leave [0, 255].
    expect(text).toMatch(/l_s_0_t_q_\d+ = /);
    expect(text).not.toMatch(/8'h00 : 8'hff/);
  });

  it('keep the table as small as one read by x directly, in synth_xilinx', { timeout: 300_000 }, () => {
    const direct = xc7Luts(load(tanh('fixed<8, 3>')));
    const rounded = xc7Luts(load(tanh('fixed<10, 3, RND>')));
    // The increment is a short carry chain and a LUT per bit or two; the clamp folded into the table doubled it.
    expect(rounded).toBeLessThanOrEqual(direct + 8);
  });
});

// A time-multiplexed dense layer (reuse R > 1) accumulates its terms over R phases in a register. When no partial sum
// can leave the accumulator type A (an exact chain), the register holds partial sums only, and mac.ts macReuse gives
// it and every phase's sum the partial sums' bounds: then no phase's sum needs a saturating cast. It once declared the
// register with A's whole range, so acc + terms seemed to overflow and every phase built a saturation that never acts
// (c204_dense_reuse: 580 LUTs in synth_xilinx, 422 without).
const reuseNet = (overflow: 'SAT' | 'WRAP') => `target xc7a100t clock 10ns
network n {
  io parallel
  input x : fixed<12, 2>[6]
  d = dense(x, 4) {
    weight: fixed<3, 1, RND, SAT> = random(seed: 20401, sparsity: 0)
    accum: fixed<16, 5, TRN${overflow === 'SAT' ? ', SAT' : ''}>
    reuse: 6
  } : fixed<12, 2>
  output d
}
`;

describe('the accumulator of a time-multiplexed layer', () => {
  it('of an exact chain has no saturation in its phase sums', () => {
    const text = [...generateVerilog(load(reuseNet('SAT'))).files.values()].join('\n');
    // The accumulator enters its phase sums (adder instances of the layer's tree, mac.ts macReuse).
    expect(text).toMatch(/\.[ab]\(.*l_d_0_acc_\d+/);
    // The saturating cast to fixed<16, 5> selects between the in-range bits and its rails 16'h8000 / 16'h7fff.
    expect(text).not.toMatch(/16'h8000 : 16'h7fff/);
  });

  it('keeps the saturation when a term alone can leave A (SAT_ZERO sends it to 0)', () => {
    const text = [...generateVerilog(load(reuseNet('SAT').replace('fixed<16, 5, TRN, SAT>', 'fixed<8, 1, TRN, SAT_ZERO>'))).files.values()].join('\n');
    // The chain's steps saturate (l_d_0_r0_1_y = inRange ? … : 8'h00), not only the products' casts.
    expect(text).toMatch(/l_d_0_r0_\d+_y_\d+ = .* : 8'h00\);/);
  });

  it('of an exact chain costs in synth_xilinx what the same chain with a wrapping accumulator does', { timeout: 300_000 }, () => {
    const sat = xc7Luts(load(reuseNet('SAT')));
    const wrap = xc7Luts(load(reuseNet('WRAP')));
    expect(sat).toBeLessThanOrEqual(wrap + 8);
  });
});
