// `qnn build` through the real binary (bin/qnn.js): the generated projects are complete, their Makefile flows pass
// (csim with g++, sim with iverilog, verilator, synth with yosys), and the writer never overwrites a folder it did not
// write. A missing tool fails (it names the Debian package to install); nothing is skipped.
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
const QNN = resolve(here, '..', 'bin', 'qnn.js');
const SAMPLES = resolve(here, '..', '..', 'samples');
const root = mkdtempSync(join(tmpdir(), 'qnn-build-'));
afterAll(() => {
  if (!process.env.QNN_KEEP_BUILD) rmSync(root, { recursive: true, force: true });
});

function requireTool(cmd: string, args: string[], pkg: string): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.error || r.status !== 0) throw new Error(`'${cmd}' is not available (${r.error?.message ?? r.stderr}); install the Debian package: apt-get install ${pkg}`);
}

function qnn(...args: string[]): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [QNN, ...args], { cwd: root, encoding: 'utf8' });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

async function make(dir: string, target: string): Promise<string> {
  try {
    const { stdout } = await run('make', ['-s', target], { cwd: dir, maxBuffer: 1 << 26 });
    return stdout;
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string };
    throw new Error(`make ${target} failed in ${dir}:\n${err.stdout ?? ''}\n${err.stderr ?? e}`);
  }
}

const JET = join(SAMPLES, 'jet-tagger', 'jet-tagger.qnn');
const TINY = join(SAMPLES, 'ice40-tiny', 'ice40-tiny.qnn');

describe('qnn build', () => {
  beforeAll(() => {
    requireTool('make', ['--version'], 'make');
    requireTool('g++', ['--version'], 'g++');
    requireTool('iverilog', ['-V'], 'iverilog');
    requireTool('verilator', ['--version'], 'verilator');
    requireTool('yosys', ['-V'], 'yosys');
  });

  it('writes the jet tagger project, whose C simulation passes', { timeout: 240_000 }, async () => {
    const out = join(root, 'jet');
    const r = qnn('build', JET, '--out', out, '--backend', 'hls');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    for (const f of ['.qnn-project.json', 'Makefile', 'README.md', 'hls/jet_tagger.cpp', 'hls/jet_tagger.h', 'hls/tb.cpp', 'hls/build.tcl', 'hls/include/ap_fixed.h', 'hls/include/ap_int.h', 'hls/tb_data/x.txt']) {
      expect(existsSync(join(out, f)), f).toBe(true);
    }
    expect(existsSync(join(out, 'rtl'))).toBe(false);
    const marker = JSON.parse(readFileSync(join(out, '.qnn-project.json'), 'utf8'));
    expect(marker).toMatchObject({ tool: 'qnn-studio', network: 'jet_tagger', backends: ['hls'], source: JET });
    expect(readFileSync(join(out, 'hls', 'build.tcl'), 'utf8')).toMatch(/create_clock -period 5/);
    expect(await make(out, 'csim')).toMatch(/samples: 256 mismatches: 0/);
  });

  it('writes the ice40-tiny project with both backends: csim, sim, verilator and synth pass', { timeout: 300_000 }, async () => {
    const out = join(root, 'tiny');
    const r = qnn('build', TINY, '--out', out, '--vectors', '100', '--seed', '3');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    for (const f of ['rtl/qnn_vibration.v', 'rtl/tb_qnn_vibration.v', 'rtl/tb_top.v', 'rtl/qnn_vibration_in.hex', 'rtl/qnn_vibration_exp.hex', 'rtl/vivado.tcl', 'rtl/qnn_vibration.xdc', 'hls/vibration.cpp', 'hls/build.tcl']) {
      expect(existsSync(join(out, f)), f).toBe(true);
    }
    expect(readFileSync(join(out, 'rtl', 'qnn_vibration_in.hex'), 'utf8').trim().split('\n')).toHaveLength(100);
    expect(readFileSync(join(out, 'rtl', 'qnn_vibration.xdc'), 'utf8')).toMatch(/create_clock -period 20\.8333\d* .*\[get_ports aclk\]/);
    const makefile = readFileSync(join(out, 'Makefile'), 'utf8');
    expect(makefile).toMatch(/synth_ice40 -top qnn_vibration -json /);
    const recipe = makefile.split('\n').filter((l) => l.startsWith('\t') && l.includes('synth_ice40'));
    expect(recipe).toHaveLength(1);
    expect(recipe[0]).not.toMatch(/-dsp/);
    expect(makefile).toMatch(/nextpnr-ice40 --up5k --package sg48/);
    const readme = readFileSync(join(out, 'README.md'), 'utf8');
    for (const t of ['make sim', 'make verilator', 'make csim', 'make synth', 'make pnr', 'vitis_hls -f build.tcl', 'vivado -mode batch']) expect(readme).toContain(t);
    const [csim, sim, verilator, synth] = await Promise.all([make(out, 'csim'), make(out, 'sim'), make(out, 'verilator'), make(out, 'synth')]);
    expect(csim).toMatch(/samples: 100 mismatches: 0/);
    expect(sim).toMatch(/RESULT tb_qnn_vibration vectors=100 mismatches=0 latency=\d+ ii=32/);
    expect(verilator).toMatch(/RESULT tb_qnn_vibration vectors=100 mismatches=0 latency=\d+ ii=32/);
    expect(synth).toMatch(/resources\.json/);
    const res = JSON.parse(readFileSync(join(out, 'build', 'resources.json'), 'utf8'));
    expect(res.modules['\\qnn_vibration'].num_cells_by_type.SB_LUT4).toBeGreaterThan(0);
  });

  it('never overwrites a folder it did not write', () => {
    const out = join(root, 'mine');
    mkdirSync(out);
    writeFileSync(join(out, 'notes.txt'), 'keep me');
    const r = qnn('build', TINY, '--out', out);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^qnn build: error QNN4012: .* is not a generated project/);
    expect(readFileSync(join(out, 'notes.txt'), 'utf8')).toBe('keep me');
    expect(existsSync(join(out, 'Makefile'))).toBe(false);
    // A file is not a project either.
    writeFileSync(join(root, 'afile'), 'x');
    expect(qnn('build', TINY, '--out', join(root, 'afile')).stderr).toMatch(/QNN4012/);
    expect(readFileSync(join(root, 'afile'), 'utf8')).toBe('x');
  });

  it('replaces a generated folder, atomically (no temporary folder left)', () => {
    const out = join(root, 'again');
    expect(qnn('build', TINY, '--out', out, '--backend', 'hls').status).toBe(0);
    writeFileSync(join(out, 'stale.txt'), 'from the last build');
    const r = qnn('build', TINY, '--out', out, '--backend', 'verilog');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Replaced /);
    expect(existsSync(join(out, 'stale.txt'))).toBe(false);
    expect(existsSync(join(out, 'hls'))).toBe(false);
    expect(existsSync(join(out, 'rtl', 'qnn_vibration.v'))).toBe(true);
    expect(JSON.parse(readFileSync(join(out, '.qnn-project.json'), 'utf8')).backends).toEqual(['verilog']);
    expect(spawnSync('ls', ['-a', root], { encoding: 'utf8' }).stdout).not.toMatch(/qnn-tmp|qnn-old/);
  });

  // io stream with two inputs of different lengths (4 and 3 pixels): the HLS backend builds it, the Verilog backend
  // (one input handshake for all inputs) refuses it.
  const TWO_STREAMS =
    'network two {\n  io stream\n  input a : fixed<8, 3>[4, 2]\n  input b : fixed<8, 3>[3, 2]\n  fa = flatten(a)\n  fb = flatten(b)\n' +
    '  c = concat(fa, fb)\n  y = dense(c, 3) {\n    weight: fixed<4, 1> = random(seed: 1)\n    bias: fixed<4, 1> = random(seed: 2)\n  } : fixed<10, 4>\n  output y\n}\n';

  it('fails with QNN4011 when the one backend asked for refuses the network, and writes nothing', () => {
    const src = join(root, 'two-refused.qnn');
    writeFileSync(src, TWO_STREAMS);
    const out = join(root, 'two-refused');
    const r = qnn('build', src, '--out', out, '--backend', 'verilog');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^qnn build: error QNN4011: Verilog backend: network 'two': in io stream every input must have the same number of beats/);
    expect(existsSync(out)).toBe(false);
  });

  it('with --backend all, writes the backend that accepts the network and says which refused', { timeout: 120_000 }, async () => {
    const src = join(root, 'two.qnn');
    writeFileSync(src, TWO_STREAMS);
    const out = join(root, 'two');
    const r = qnn('build', src, '--out', out, '--vectors', '50');
    expect(r.stderr, r.stdout).toMatch(/^qnn build: warning QNN4011: Verilog backend: network 'two'/);
    expect(r.status).toBe(0);
    expect(existsSync(join(out, 'rtl'))).toBe(false);
    expect(readFileSync(join(out, 'README.md'), 'utf8')).toMatch(/## Not generated[\s\S]*Verilog: the backend refused the network: network 'two'/);
    expect(await make(out, 'csim')).toMatch(/samples: 50 mismatches: 0/);
    await expect(make(out, 'sim')).rejects.toThrow(/no Verilog in this project/);
  });
});
