// `qnn estimate` and the QNN3xxx diagnostics of `qnn check`, through the real executable (simulator/bin/qnn.js).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const REPO = resolve(import.meta.dirname, '../..');
const BIN = join(REPO, 'simulator/bin/qnn.js');
const JET = join(REPO, 'samples/jet-tagger/jet-tagger.qnn');
const TIMEOUT = 60_000;
let work = '';

function qnn(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: work, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 120_000 });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'qnn-estimate-'));
  writeFileSync(
    join(work, 'acc.qnn'),
    `network n {
  io parallel
  input x : fixed<8, 3>[8]
  d = dense(x, 2) {
    weight: fixed<8, 3> = ones()
    accum: fixed<10, 4>
  } : fixed<10, 4>
  output d
}

network m {
  io parallel
  input x : fixed<8, 3>[2]
  r = relu(x)
  output r
}
`,
  );
  writeFileSync(join(work, 'broken.qnn'), 'network n {\n  input x : fixed<8, 3>[2]\n  y = relu(z)\n  output y\n}\n');
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('qnn estimate', { timeout: TIMEOUT }, () => {
  it('prints the documented JSON for the jet tagger', () => {
    const r = qnn('estimate', JET, '--json');
    expect(r.status, r.stderr).toBe(0);
    const e = JSON.parse(r.stdout);
    expect(e).toMatchObject({ network: 'jet_tagger', part: 'xcu250', clockNs: 5, total: { ii: 1 } });
    expect(e.layers.map((l: { name: string }) => l.name)).toEqual(['fc1', 'relu1', 'fc2', 'relu2', 'fc3', 'relu3', 'fc4', 'out']);
    expect(e.total.latencyNs).toBe(e.total.latencyCycles * 5);
    expect(e.hls.latencyCycles).toBeGreaterThan(0);
  });

  it('prints a table with totals, utilization and the Vitis HLS ratios', () => {
    const r = qnn('estimate', JET);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^jet_tagger on xcu250 at 5 ns/m);
    expect(r.stdout).toMatch(/^total\s/m);
    expect(r.stdout).toMatch(/^utilization\s/m);
    expect(r.stdout).toMatch(/vs published hls4ml jet tagger .*latency [\d.]+×, DSP [\d.]+×, LUT [\d.]+×, FF [\d.]+×/);
  });

  it('takes --part and --clock; iCE40 parts get an fmax', () => {
    const r = qnn('estimate', JET, '--part', 'ice40up5k', '--clock', '48MHz', '--json');
    expect(r.status, r.stderr).toBe(0);
    const e = JSON.parse(r.stdout);
    expect(e.part).toBe('ice40up5k');
    expect(e.clockNs).toBeCloseTo(1000 / 48, 9);
    expect(e.total.dsp).toBe(0);
    expect(e.fmaxMhz).toBeGreaterThan(0);
  });

  it('prints an array for a file of several networks, one object with --network', () => {
    const all = qnn('estimate', 'acc.qnn', '--json');
    expect(all.status, all.stderr).toBe(0);
    expect(JSON.parse(all.stdout).map((e: { network: string }) => e.network)).toEqual(['n', 'm']);
    const one = qnn('estimate', 'acc.qnn', '--network', 'm', '--json');
    expect(JSON.parse(one.stdout).network).toBe('m');
  });

  it('is a usage error (exit 2) for an unknown part, naming the nearest, or an unknown network', () => {
    const r = qnn('estimate', JET, '--part', 'xcu25');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("'xcu250'");
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const n = qnn('estimate', JET, '--network', 'nope');
    expect(n.status).toBe(2);
    expect(n.stderr).toContain('jet_tagger');
    expect(qnn('estimate', JET, '--clock', 'fast').status).toBe(2);
  });

  it('exits 1 with the errors for a network that does not check', () => {
    const r = qnn('estimate', 'broken.qnn');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/broken\.qnn:3:\d+: error QNN2001/);
  });
});

describe('qnn check shows QNN3xxx', { timeout: TIMEOUT }, () => {
  it('reports a narrow accumulator as a warning with its position (exit 0)', () => {
    const r = qnn('check', 'acc.qnn');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^acc\.qnn:6:5: warning QNN3004: .*fixed<12, 6>/m);
    const j = JSON.parse(qnn('check', 'acc.qnn', '--json').stdout);
    expect(j.files[0].diagnostics.map((d: { code: string }) => d.code)).toContain('QNN3004');
  });
});
