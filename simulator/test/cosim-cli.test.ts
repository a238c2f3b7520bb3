// `qnn sim --rtl iverilog|verilator [--hls]` end to end: the real executable co-simulates a network in iverilog,
// Verilator and g++ and reports bit-exactness, the value counts and the measured latency and II; a corrupted expected
// value is found and listed with its sample, output element, expected and got raws; a missing tool is QNN4020 naming
// the Debian package. Tools are required (a missing one fails the test with the package to install).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { checkProgram, memoryFileSystem, seededUniform, valueRange, type NetworkModel } from '@qnn/language';
import { writeProject } from '../src/project/write-project.js';
import { runRtl } from '../src/cosim/rtl.js';
import { runHls } from '../src/cosim/hls.js';
import { requireTool } from '../src/cosim/tools.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(REPO, 'simulator/bin/qnn.js');
const tmp = mkdtempSync(join(tmpdir(), 'qnn-cosim-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
vi.setConfig({ testTimeout: 300_000 });

function qnn(args: string[], env: NodeJS.ProcessEnv = process.env): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: REPO, encoding: 'utf8', timeout: 300_000, env });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

// Two layers with reuse 2 (II 2), a table activation, modes that round and saturate, two outputs.
const NET = `
network small {
  io parallel
  input x : fixed<8, 3>[6]
  d1 = dense(x, 4) {
    weight: fixed<6, 1, RND, SAT> = random(seed: 3)
    bias: fixed<8, 2> = random(seed: 4)
    reuse: 2
  } : fixed<10, 4, RND_CONV, SAT_SYM>
  a1 = relu(d1) : ufixed<9, 4>
  s1 = sigmoid(d1) { table: 256 } : ufixed<8, 0, RND, SAT>
  d2 = dense(a1, 3) {
    weight: fixed<5, 1> = random(seed: 5)
  } : fixed<9, 3, RND_INF, WRAP>
  output d2, s1
}
`;
const file = join(tmp, 'small.qnn');
writeFileSync(file, NET);

for (const [tool, pkg] of [['iverilog', 'iverilog'], ['verilator', 'verilator'], ['g++', 'g++']]) {
  it(`${tool} is installed (apt-get install -y ${pkg})`, () => expect(() => requireTool(tool, 'these tests')).not.toThrow());
}

describe('qnn sim --rtl', () => {
  it('iverilog and g++: bit-exact, every value counted, latency and II measured as the design says', () => {
    const r = qnn(['sim', file, '--count', '300', '--seed', '7', '--rtl', 'iverilog', '--hls', '--json']);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.code).toBe(0);
    const rep = JSON.parse(r.stdout);
    expect(rep.samples).toBe(300);
    const c = rep.cosim;
    expect(c.bitExact).toBe(true);
    expect(c.rtl).toMatchObject({ simulator: 'iverilog', vectors: 300, words: 300, mismatches: 0, mismatchingVectors: 0, totalValues: 300 * 7, bitExact: true, timedOut: false, firstMismatches: [] });
    expect(c.rtl.ii).toBe(2);
    expect(c.rtl.designIi).toBe(2);
    expect(c.rtl.latencyCycles).toBe(c.rtl.designLatencyCycles);
    expect(c.rtl.latencyCycles).toBeGreaterThan(0);
    expect(c.hls).toMatchObject({ vectors: 300, mismatches: 0, totalValues: 300 * 7, bitExact: true });
  });

  it('verilator: bit-exact, and the text report says so', () => {
    const r = qnn(['sim', file, '--count', '200', '--rtl', 'verilator']);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/RTL co-simulation \(verilator, Verilator 5.*\): 200 vectors in [\d.]+ s; measured latency \d+ cycles, II 2 \(the design: \d+ and 2\)/);
    expect(r.stdout).toContain("bit-exact: yes (all 1,400 output values equal the simulator's)");
  });

  it('--keep keeps the project, whose Makefile runs the same checks', () => {
    const keep = join(tmp, 'kept');
    const r = qnn(['sim', file, '--count', '50', '--hls', '--keep', keep]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`project kept in ${keep}`);
    expect(existsSync(join(keep, '.qnn-project.json'))).toBe(true);
    const m = spawnSync('make', ['csim'], { cwd: keep, encoding: 'utf8' });
    expect(m.stdout).toContain('samples: 50 mismatches: 0');
    // A second run into the same (generated) folder replaces it; a foreign folder is refused.
    expect(qnn(['sim', file, '--count', '50', '--hls', '--keep', keep]).code).toBe(0);
    const bad = qnn(['sim', file, '--count', '50', '--hls', '--keep', tmp]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/error QNN4012: .* is not a generated project/);
  });

  it('a missing tool is QNN4020 naming the Debian package, before any work', () => {
    const env = { ...process.env, PATH: '/nonexistent' };
    for (const [args, pkg] of [
      [['--rtl', 'iverilog'], 'iverilog'],
      [['--rtl', 'verilator'], 'verilator'],
      [['--hls'], 'g++'],
    ] as const) {
      const r = qnn(['sim', file, '--count', '10', ...args], env);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`error QNN4020: `);
      expect(r.stderr).toContain(`apt-get install -y ${pkg}`);
      expect(r.stdout).toBe('');
    }
  });

  it('bad options are QNN4010', () => {
    expect(qnn(['sim', file, '--rtl', 'modelsim']).stderr).toContain("error QNN4010: --rtl is iverilog or verilator, not 'modelsim'.");
    expect(qnn(['sim', file, '--keep', join(tmp, 'k2')]).stderr).toContain('error QNN4010: --keep');
  });
});

describe('mismatch reporting', () => {
  function network(): NetworkModel {
    const p = '/m/net.qnn';
    const prog = checkProgram([p], { fs: memoryFileSystem({ [p]: NET }) });
    return prog.files.get(p)!.networks.get('small')!;
  }

  it('a corrupted expected value is reported with its sample, element, expected and got raws (RTL and C++)', async () => {
    const net = network();
    const rows = 40;
    const inputs = new Map(
      net.inputs.map((i) => {
        const r = valueRange(i.tensor.type);
        return [i.name, { rows, data: seededUniform(11, i.name, rows * 6).map((u) => r.min + u * (r.max - r.min)) }] as const;
      }),
    );
    const project = writeProject({ net, source: file, out: join(tmp, 'corrupt'), backend: 'all', inputs, rows, vectorSource: 'test' });
    const design = project.verilog!;
    // Sample 17: flip bit 1 of d2[2] in the RTL's expected word and change s1[3] in the C testbench's expected raws.
    const d2 = design.outputs.find((t) => t.name === 'd2')!;
    const expFile = join(project.dir, 'rtl', `${design.top}_exp.hex`);
    const words = readFileSync(expFile, 'utf8').trim().split('\n');
    const original = BigInt(`0x${words[17]}`);
    const bitPos = BigInt(d2.offset + 2 * d2.type.width + 1);
    words[17] = (original ^ (1n << bitPos)).toString(16).padStart(words[17].length, '0');
    writeFileSync(expFile, words.join('\n') + '\n');
    const rtl = await runRtl(design, join(project.dir, 'rtl'), 'iverilog', { vectors: rows, names: (t, i) => `${t.name}[${i}]`, maxListed: 5 });
    expect(rtl.bitExact).toBe(false);
    expect(rtl.mismatches).toBe(1);
    expect(rtl.mismatchingVectors).toBe(1);
    expect(rtl.latencyCycles).toBe(design.latency);
    const m = rtl.firstMismatches[0];
    expect(m).toMatchObject({ sample: 17, output: 'd2', index: 2, element: 'd2[2]' });
    const raw = (w: bigint) => {
      const bits = (w >> BigInt(d2.offset + 2 * d2.type.width)) & ((1n << BigInt(d2.type.width)) - 1n);
      return Number(bits >= 1n << BigInt(d2.type.width - 1) ? bits - (1n << BigInt(d2.type.width)) : bits);
    };
    expect(m.got).toBe(raw(original));
    expect(m.expected).toBe(raw(original ^ (1n << bitPos)));
    expect(m.gotValue).toBe((m.got as number) / 2 ** (d2.type.width - d2.type.intBits));

    const hlsDir = join(project.dir, 'hls');
    const tbFile = join(hlsDir, 'tb_data', readdirOutputs(hlsDir, 's1'));
    const lines = readFileSync(tbFile, 'utf8').trim().split('\n');
    const vals = lines[17].split(/\s+/);
    const good = Number(vals[3]);
    vals[3] = String(good + 1);
    lines[17] = vals.join(' ');
    writeFileSync(tbFile, lines.join('\n') + '\n');
    const outputs = new Map(net.outputs.map((o) => [o, { type: net.node(o)!.tensor.type, count: net.node(o)!.tensor.shape.reduce((a, b) => a * b, 1) }] as const));
    const hls = await runHls(hlsDir, project.hlsTop!, { vectors: rows, outputs, names: (o, i) => `${o}[${i}]`, maxListed: 5 });
    expect(hls.bitExact).toBe(false);
    expect(hls.mismatches).toBe(1);
    expect(hls.firstMismatches[0]).toMatchObject({ sample: 17, output: 's1', index: 3, expected: good + 1, got: good });
  });
});

/** The C testbench's expected-output file of `output` (tb_data/…), found by name. */
function readdirOutputs(hlsDir: string, output: string): string {
  const files = spawnSync('ls', [join(hlsDir, 'tb_data')], { encoding: 'utf8' }).stdout.trim().split('\n');
  const f = files.find((x) => x.includes(output) && /out|exp/i.test(x));
  if (!f) throw new Error(`no expected file for ${output} in ${files.join(', ')} (${dirname(hlsDir)})`);
  return f;
}
