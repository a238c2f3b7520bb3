// `qnn sim` end to end: the real executable on the samples, its JSON report, --out, and bad input as diagnostics.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readNpy, writeNpy } from '@qnn/language';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(REPO, 'simulator/bin/qnn.js');
const tmp = mkdtempSync(join(tmpdir(), 'qnn-sim-'));

function qnn(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: REPO, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const samples = readdirSync(join(REPO, 'samples'), { withFileTypes: true })
  .filter((e) => e.isDirectory())
  .map((e) => join('samples', e.name, `${e.name}.qnn`))
  .filter((p) => {
    try {
      readFileSync(join(REPO, p));
      return true;
    } catch {
      return false;
    }
  });

describe('qnn sim', () => {
  it('finds the samples', () => expect(samples.length).toBeGreaterThanOrEqual(5));

  for (const s of samples) {
    it(`${s}: exit 0 and a JSON report with per-layer errors and overflow counts`, () => {
      const r = qnn('sim', s, '--json', '--count', '300');
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(r.code).toBe(0);
      const rep = JSON.parse(r.stdout);
      expect(rep.samples).toBeGreaterThan(0);
      expect(rep.layers.length).toBeGreaterThan(1);
      for (const l of rep.layers) {
        expect(typeof l.maxAbsError).toBe('number');
        expect(typeof l.meanAbsError).toBe('number');
        expect(l.snrDb === null || typeof l.snrDb === 'number').toBe(true);
        expect(typeof l.overflow.wrapped).toBe('number');
        expect(typeof l.overflow.saturated).toBe('number');
      }
      expect(rep.outputs.length).toBeGreaterThan(0);
    });
  }

  it('digits: the bit-accurate accuracy on the held-out rows is within 1 point of float', () => {
    const r = qnn('sim', 'samples/digits/digits.qnn', '--json');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout).outputs[0];
    expect(out.fixedAccuracy).not.toBeNull();
    expect(Math.abs(out.fixedAccuracy - out.floatAccuracy)).toBeLessThanOrEqual(0.01);
    expect(out.floatAccuracy).toBeGreaterThan(0.9);
  });

  it('prints a human table with the first divergence', () => {
    const r = qnn('sim', 'samples/jet-tagger/jet-tagger.qnn', '--count', '100');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/max \|err\|/);
    expect(r.stdout).toMatch(/fc1\s+dense/);
    expect(r.stdout).toMatch(/first divergence|follows float/);
  });

  it('--inputs and --out: writes the fixed-point outputs as float64 .npy', () => {
    const x = join(tmp, 'x.npy');
    const n = 50;
    writeFileSync(x, writeNpy({ shape: [n, 16], data: Array.from({ length: n * 16 }, (_, i) => ((i * 37) % 200) / 10 - 10) }, '<f4'));
    const out = join(tmp, 'y.npy');
    const r = qnn('sim', 'samples/jet-tagger/jet-tagger.qnn', '--inputs', x, '--out', out, '--json');
    expect(r.code).toBe(0);
    const y = readNpy(new Uint8Array(readFileSync(out)));
    expect(y.ok).toBe(true);
    if (!y.ok) return;
    expect(y.array.shape).toEqual([n, 5]);
    expect(y.array.dtype).toBe('<f8');
    // Softmax outputs of ufixed<16, 0>: multiples of 2^-16 in [0, 1).
    for (const v of y.array.data) {
      expect(v).toBeGreaterThanOrEqual(0);
      expect(Number.isInteger(v * 65536)).toBe(true);
    }
  });

  const bad: [string, string[], string][] = [
    ['a missing input file', ['--inputs', 'nope.npy'], 'QNN4003'],
    ['inputs of the wrong shape', ['--inputs', '@wrong'], 'QNN4004'],
    ['NaN in the inputs', ['--inputs', '@nan'], 'QNN4005'],
    ['an unknown network', ['--network', 'nope'], 'QNN4001'],
    ['a bad --count', ['--count', '0'], 'QNN4010'],
    ['labels out of range', ['--labels', '@labels'], 'QNN4006'],
    ['an --out that is not .npy', ['--out', 'x.txt', '--count', '10'], 'QNN4009'],
  ];
  for (const [what, args, code] of bad) {
    it(`${what} is ${code}, exit 1, no stack trace`, () => {
      const files: Record<string, () => string> = {
        '@wrong': () => {
          const p = join(tmp, 'wrong.npy');
          writeFileSync(p, writeNpy({ shape: [4, 15], data: new Array(60).fill(0) }));
          return p;
        },
        '@nan': () => {
          const p = join(tmp, 'nan.npy');
          writeFileSync(p, writeNpy({ shape: [2, 16], data: Array.from({ length: 32 }, (_, i) => (i === 7 ? NaN : 0)) }));
          return p;
        },
        '@labels': () => {
          const p = join(tmp, 'labels.csv');
          writeFileSync(p, Array.from({ length: 256 }, () => '9').join('\n'));
          return p;
        },
      };
      const a = args.map((x) => (files[x] ? files[x]() : x));
      const r = qnn('sim', 'samples/jet-tagger/jet-tagger.qnn', ...a);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(code);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    });
  }

  it('a network with errors is QNN4002', () => {
    const p = join(tmp, 'broken.qnn');
    writeFileSync(p, 'target xcu250 clock 5ns\ntype d = fixed<8, 3>\nnetwork n {\n  input x : d[4]\n  y = relu(z)\n  output y\n}\n');
    const r = qnn('sim', p);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('QNN4002');
  });
});

describe('qnn sim and Ctrl-C', () => {
  it('stops cleanly on SIGINT: exit 130, QNN4008, a report of the samples done', async () => {
    const { spawn } = await import('node:child_process');
    // A network without test data, so that --count random inputs are simulated.
    const file = join(tmp, 'long.qnn');
    writeFileSync(
      file,
      [
        'target xcu250 clock 5ns',
        'type data = fixed<16, 6>',
        'network long {',
        '  init random(seed: 1)',
        '  precision data',
        '  input x : data[16]',
        '  a = dense(x, 64)',
        '  b = relu(a)',
        '  c = dense(b, 5)',
        '  output c',
        '}',
        '',
      ].join('\n'),
    );
    const child = spawn(process.execPath, [BIN, 'sim', file, '--count', '1000000', '--json'], { cwd: REPO });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const closed = new Promise<number | null>((r) => child.on('close', (c) => r(c)));
    // Interrupt once the run is under way: the first block is done when a progress callback could have fired.
    await new Promise((r) => setTimeout(r, 3000));
    child.kill('SIGINT');
    const code = await closed;
    expect(stderr).toContain('QNN4008');
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(code).toBe(130);
    const rep = JSON.parse(stdout);
    expect(rep.stopped).toBe(true);
    expect(rep.samples).toBeGreaterThan(0);
    expect(rep.samples).toBeLessThan(1000000);
  }, 60_000);
});
