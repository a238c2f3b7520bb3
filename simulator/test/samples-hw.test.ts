// Every sample in hardware, through the user's commands: `qnn build` writes its project with both backends, `make sim`
// (iverilog) and `make csim` (g++) report zero mismatches on the sample's test data, `make synth` synthesizes it with
// yosys, and the iCE40 sample places and routes (`make pnr`: nextpnr-ice40 and icepack) into a bitstream with a timing
// report, through the pin-light serial wrapper, which is itself simulated against the same vectors.
// For AMD parts `make synth FAST=1` is used (yosys's coarse-grain synthesis: seconds, where synth_xilinx takes minutes
// per sample on two cores); the full synth_xilinx of the jet tagger runs in the quality-of-results bench (bench/qor.mjs).
// A missing tool fails with the Debian package to install.
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireTool } from '../src/cosim/tools.js';

const run = promisify(execFile);
const REPO = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(REPO, 'simulator/bin/qnn.js');
const root = mkdtempSync(join(tmpdir(), 'qnn-samples-hw-'));
afterAll(() => {
  if (!process.env.QNN_KEEP_SAMPLES_HW) rmSync(root, { recursive: true, force: true });
});

const samples = readdirSync(join(REPO, 'samples'), { withFileTypes: true })
  .filter((e) => e.isDirectory() && existsSync(join(REPO, 'samples', e.name, `${e.name}.qnn`)))
  .map((e) => e.name)
  .sort();

interface Step {
  readonly ok: boolean;
  readonly out: string;
}

async function sh(cmd: string, args: string[], cwd: string): Promise<Step> {
  try {
    const { stdout, stderr } = await run(cmd, args, { cwd, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' });
    return { ok: true, out: stdout + stderr };
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    return { ok: false, out: `${err.stdout ?? ''}${err.stderr ?? ''}\n${err.message}` };
  }
}

interface SampleRun {
  build?: Step;
  marker?: { backends: string[]; refused: Record<string, string>; vectors: { count: number } };
  sim?: Step;
  csim?: Step;
  synth?: Step;
  pnr?: Step;
  serial?: Step;
  lint?: Step;
  ice40: boolean;
}

const runs = new Map<string, SampleRun>(samples.map((s) => [s, { ice40: /target\s+ice40/i.test(readFileSync(join(REPO, 'samples', s, `${s}.qnn`), 'utf8')) }]));

/** A testbench of the serial wrapper: shifts each input word in, pulses start, waits for ovalid, shifts the output out. */
function serialBench(top: string, inWidth: number, outWidth: number, vectors: number): string {
  return `\`timescale 1ns / 1ps
module tb_serial;
  reg clk = 1'b0, rstn = 1'b0, sin = 1'b0, sin_en = 1'b0, start = 1'b0, sout_en = 1'b0;
  wire sout, ovalid;
  ${top}_serial dut (.clk(clk), .rstn(rstn), .sin(sin), .sin_en(sin_en), .start(start), .sout(sout), .sout_en(sout_en), .ovalid(ovalid));
  always #5 clk = ~clk;
  reg [${inWidth - 1}:0] in_mem [0:${vectors - 1}];
  reg [${outWidth - 1}:0] exp_mem [0:${vectors - 1}];
  reg [${outWidth - 1}:0] got;
  integer v, b, errors, wait_cycles;
  initial begin
    $readmemh("${top}_in.hex", in_mem);
    $readmemh("${top}_exp.hex", exp_mem);
    errors = 0;
    @(negedge clk); @(negedge clk); @(negedge clk); rstn = 1'b1;
    for (v = 0; v < ${vectors}; v = v + 1) begin
      sin_en = 1'b1;
      for (b = 0; b < ${inWidth}; b = b + 1) begin sin = in_mem[v][b]; @(negedge clk); end
      sin_en = 1'b0; start = 1'b1; @(negedge clk); start = 1'b0;
      wait_cycles = 0;
      while (!ovalid && wait_cycles < 100000) begin @(negedge clk); wait_cycles = wait_cycles + 1; end
      sout_en = 1'b1;
      for (b = 0; b < ${outWidth}; b = b + 1) begin got[b] = sout; @(negedge clk); end
      sout_en = 1'b0;
      if (got !== exp_mem[v]) begin
        errors = errors + 1;
        if (errors <= 3) $display("SERIAL MISMATCH vector %0d: got %h expected %h", v, got, exp_mem[v]);
      end
    end
    $display("SERIAL vectors=%0d errors=%0d", ${vectors}, errors);
    $finish;
  end
endmodule
`;
}

async function runSample(name: string): Promise<void> {
  const r = runs.get(name)!;
  const dir = join(root, name);
  r.build = await sh(process.execPath, [BIN, 'build', join(REPO, 'samples', name, `${name}.qnn`), '--out', dir], REPO);
  if (!r.build.ok) return;
  r.marker = JSON.parse(readFileSync(join(dir, '.qnn-project.json'), 'utf8'));
  r.sim = await sh('make', ['sim'], dir);
  r.csim = await sh('make', ['csim'], dir);
  r.synth = await sh('make', r.ice40 ? ['synth'] : ['synth', 'FAST=1'], dir);
  if (r.ice40) {
    r.pnr = await sh('make', ['pnr'], dir);
    const rtl = join(dir, 'rtl');
    const top = readdirSync(rtl).find((f) => f.endsWith('_serial.v'))?.replace(/_serial\.v$/, '');
    if (top) {
      const text = readFileSync(join(rtl, `${top}.v`), 'utf8');
      const width = (port: string) => Number(new RegExp(`\\[(\\d+):0\\]\\s+${port}\\b`).exec(text)?.[1] ?? 0) + 1;
      const iw = width('s_axis_tdata');
      const ow = width('m_axis_tdata');
      const vectors = readFileSync(join(rtl, `${top}_in.hex`), 'utf8').trim().split('\n').length;
      writeFileSync(join(rtl, 'tb_serial.v'), serialBench(top, iw, ow, vectors));
      const c = await sh('iverilog', ['-g2005', '-o', 'serial.vvp', '-s', 'tb_serial', `${top}.v`, `${top}_serial.v`, 'tb_serial.v'], rtl);
      r.serial = c.ok ? await sh('vvp', ['-n', 'serial.vvp'], rtl) : c;
      r.lint = await sh('verilator', ['--lint-only', '-Wall', '--top-module', `${top}_serial`, `${top}.v`, `${top}_serial.v`], rtl);
    }
  }
}

describe('samples in hardware: qnn build, make sim, make csim, make synth; make pnr for iCE40', () => {
  beforeAll(async () => {
    requireTool('iverilog', 'make sim');
    requireTool('g++', 'make csim');
    requireTool('yosys', 'make synth');
    requireTool('nextpnr-ice40', 'make pnr');
    requireTool('icepack', 'make pnr');
    requireTool('make', 'the project Makefile');
    requireTool('verilator', 'linting the serial wrapper');
    const queue = [...samples];
    await Promise.all(
      [0, 1].map(async () => {
        for (let s = queue.shift(); s !== undefined; s = queue.shift()) await runSample(s);
      }),
    );
  }, 3_600_000);

  it('finds the samples, one of them for an iCE40', () => {
    expect(samples.length).toBeGreaterThanOrEqual(7);
    expect([...runs.values()].filter((r) => r.ice40).length).toBeGreaterThanOrEqual(1);
  });

  for (const name of samples) {
    describe(name, () => {
      it('qnn build writes the Verilog and the HLS C++', () => {
        const r = runs.get(name)!;
        expect(r.build?.ok, r.build?.out).toBe(true);
        expect(r.build!.out).not.toContain('QNN4011');
        expect(r.marker!.backends.sort()).toEqual(['hls', 'verilog']);
      });
      it('make sim (iverilog): zero mismatches', () => {
        const r = runs.get(name)!;
        expect(r.sim?.ok, r.sim?.out).toBe(true);
        expect(r.sim!.out).toMatch(new RegExp(`RESULT \\S+ vectors=${r.marker!.vectors.count} mismatches=0 latency=\\d+ ii=\\d+`));
      });
      it('make csim (g++): zero mismatches', () => {
        const r = runs.get(name)!;
        expect(r.csim?.ok, r.csim?.out).toBe(true);
        expect(r.csim!.out).toContain(`samples: ${r.marker!.vectors.count} mismatches: 0`);
      });
      it(`make synth (yosys ${runs.get(name)!.ice40 ? 'synth_ice40' : 'coarse-grain, FAST=1'}) writes the cell counts`, () => {
        const r = runs.get(name)!;
        expect(r.synth?.ok, r.synth?.out).toBe(true);
        const stat = JSON.parse(readFileSync(join(root, name, 'build', 'resources.json'), 'utf8')) as { design: { num_cells: number; num_cells_by_type: Record<string, number> } };
        expect(stat.design.num_cells).toBeGreaterThan(0);
        if (r.ice40) expect(stat.design.num_cells_by_type.SB_LUT4).toBeGreaterThan(0);
      });
      if (runs.get(name)!.ice40) {
        it('make pnr (nextpnr-ice40, icepack): a bitstream and the achieved fmax', () => {
          const r = runs.get(name)!;
          expect(r.pnr?.ok, r.pnr?.out).toBe(true);
          const build = join(root, name, 'build');
          const bin = readdirSync(build).find((f) => f.endsWith('.bin'));
          expect(bin, 'no bitstream').toBeDefined();
          expect(statSync(join(build, bin!)).size).toBeGreaterThan(100_000); // a UP5K bitstream is about 104 kB
          const report = JSON.parse(readFileSync(join(build, 'fmax.json'), 'utf8')) as { fmax: Record<string, { achieved: number; constraint: number }>; utilization: Record<string, { used: number; available: number }> };
          const clocks = Object.values(report.fmax);
          expect(clocks.length).toBeGreaterThan(0);
          expect(clocks[0].achieved).toBeGreaterThan(0);
          const lc = report.utilization.ICESTORM_LC;
          expect(lc.used).toBeGreaterThan(0);
          expect(lc.used).toBeLessThanOrEqual(lc.available);
          console.log(`${name}: fmax ${clocks[0].achieved.toFixed(1)} MHz (target ${clocks[0].constraint.toFixed(1)}), ${lc.used}/${lc.available} logic cells, ${report.utilization.SB_IO?.used ?? '?'} I/O`);
        });
        it('the serial wrapper placed by make pnr computes the same outputs', () => {
          const r = runs.get(name)!;
          expect(r.serial?.ok, r.serial?.out).toBe(true);
          expect(r.serial!.out).toMatch(/SERIAL vectors=\d+ errors=0/);
        });
        it('the serial wrapper is verilator --lint-only -Wall clean', () => {
          const r = runs.get(name)!;
          expect(r.lint?.ok, r.lint?.out).toBe(true);
          expect(r.lint!.out.trim()).toBe('');
        });
      }
    });
  }
});

// Tools that the project needs beyond this test, checked here so that a missing one names its package.
it('make is installed', () => expect(spawnSync('make', ['--version']).status).toBe(0));
