// The float reference's backends: the wasm backend's process handlers are removed (a long-running process survives
// stray errors), cpu and wasm agree on the jet tagger within float32 rounding, concurrent runs on different backends
// do not disturb each other, and tfjs-node is optional.
//
// Its own test file, so that it runs in a fresh worker process: the listener snapshot below is taken before anything
// here has loaded tfjs or initialised a backend.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { checkProgram, type NetworkModel, type TestDataModel } from '@qnn/language';
import { nodeFileSystem, partCatalog } from '@qnn/compiler';
import { floatReference, initFloatBackend, removedProcessHandlerCount, tfjsNodeInstalled, wasmBinaryDir, type FloatResult } from '../src/float/index.js';

const HANDLER_EVENTS = ['uncaughtException', 'unhandledRejection'] as const;
const listenersAtStart = new Map(HANDLER_EVENTS.map((e) => [e, process.listeners(e as 'uncaughtException')]));

const REPO = resolve(import.meta.dirname, '../..');
const dist = (p: string) => pathToFileURL(join(REPO, p)).href;
/** A package as the simulator resolves it, as a file URL (child scripts live in a temporary folder). */
const pkg = (name: string) => pathToFileURL(createRequire(join(REPO, 'simulator/package.json')).resolve(name)).href;
const work = mkdtempSync(join(tmpdir(), 'qnn-float-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Runs an ES module in a child Node process; its exit status and output. */
function runScript(name: string, source: string): { status: number | null; stdout: string; stderr: string } {
  const file = join(work, name);
  writeFileSync(file, source);
  const r = spawnSync(process.execPath, [file], { encoding: 'utf8', timeout: 60_000, cwd: join(REPO, 'simulator') });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * The body of a "server": handlers of its own for stray errors, then an error thrown from a timer and a rejected
 * promise nobody awaits. A process whose only handlers are its own logs both and goes on; with emscripten's
 * re-throwing handlers installed it dies.
 */
const STRAY_ERRORS = `
let caught = 0, rejected = 0;
process.on('uncaughtException', () => { caught++; });
process.on('unhandledRejection', () => { rejected++; });
setTimeout(() => { throw new Error('a bug in one request'); }, 10);
setTimeout(() => { Promise.reject(new Error('a forgotten promise')); }, 20);
setTimeout(() => { console.log(JSON.stringify({ caught, rejected, survived: true })); }, 200);
`;

describe('wasm backend: process handlers', () => {
  it('initialising wasm leaves the process handlers as they were (the ones emscripten added are removed)', async () => {
    const info = await initFloatBackend('wasm');
    expect(info.backend).toBe('wasm');
    expect(info.fallback).toBeUndefined();
    // emscripten did add handlers (so this test is not vacuous) and they are gone.
    expect(removedProcessHandlerCount()).toBeGreaterThanOrEqual(2);
    for (const e of HANDLER_EVENTS) expect(process.listeners(e as 'uncaughtException'), e).toEqual(listenersAtStart.get(e));
  });

  it('the .wasm binaries come from the npm package on disk', () => {
    const dir = wasmBinaryDir();
    expect(dir).toContain(join('node_modules', '@tensorflow', 'tfjs-backend-wasm', 'dist'));
    expect(existsSync(join(dir, 'tfjs-backend-wasm.wasm'))).toBe(true);
    expect(existsSync(join(dir, 'tfjs-backend-wasm-simd.wasm'))).toBe(true);
  });

  it('a process with its own error handlers survives stray errors after a wasm float run', () => {
    expect(existsSync(join(REPO, 'simulator/dist/float/index.js')), 'build first: npx tsc -b').toBe(true);
    const r = runScript(
      'server.mjs',
      `import { checkProgram, memoryFileSystem } from ${JSON.stringify(dist('language/dist/index.js'))};
import { floatReference } from ${JSON.stringify(dist('simulator/dist/float/index.js'))};
const text = 'type data = fixed<16, 6>\\nnetwork n {\\n  input x : data[2]\\n  y = relu(x)\\n  output y\\n}\\n';
const net = checkProgram(['/m.qnn'], { fs: memoryFileSystem({ '/m.qnn': text }) }).files.get('/m.qnn').networks.get('n');
const res = await floatReference(net, new Map([['x', { rows: 1, data: Float64Array.of(-1, 2) }]]), { backend: 'wasm' });
if (res.backend !== 'wasm' || res.layers.get('y').data[1] !== 2) throw new Error('the wasm run failed');
${STRAY_ERRORS}`,
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ caught: 1, rejected: 1, survived: true });
  });

  it('(control) the same process dies when tfjs-backend-wasm is initialised directly, without the removal', () => {
    const r = runScript(
      'unprotected.mjs',
      `const tf = await import(${JSON.stringify(pkg('@tensorflow/tfjs'))});
await import(${JSON.stringify(pkg('@tensorflow/tfjs-backend-wasm'))});
tf.enableProdMode();
if (!(await tf.setBackend('wasm'))) throw new Error('no wasm');
${STRAY_ERRORS}`,
    );
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('a bug in one request');
    expect(r.status).not.toBe(0);
  });
});

describe('backends agree', () => {
  const file = join(REPO, 'samples/jet-tagger/jet-tagger.qnn');
  const model = checkProgram([file], { fs: nodeFileSystem, parts: partCatalog }).files.get(file)!;
  const net: NetworkModel = model.networks.get('jet_tagger')!;
  const test: TestDataModel = model.tests.get('synthetic')!;

  /** Per layer: |a − b| ≤ 1e-5 · max(1, max |b| over the layer) (float32 sums in different orders). */
  function expectAgree(a: FloatResult, b: FloatResult): void {
    for (const [name, t] of b.layers) {
      const x = a.layers.get(name)!.data;
      let scale = 1;
      for (const v of t.data) scale = Math.max(scale, Math.abs(v));
      let worst = 0;
      for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(x[i] - t.data[i]));
      expect(worst, name).toBeLessThanOrEqual(1e-5 * scale);
    }
  }

  it('cpu and wasm give the same jet tagger outputs within float32 rounding', async () => {
    expect(net.complete).toBe(true);
    expect(test.inputs.get('x')!.rows).toBe(256);
    const wasm = await floatReference(net, test.inputs, { backend: 'wasm' });
    const cpu = await floatReference(net, test.inputs, { backend: 'cpu' });
    expect([wasm.backend, cpu.backend]).toEqual(['wasm', 'cpu']);
    expect(wasm.layers.get('out')!.shape).toEqual([5]);
    expectAgree(wasm, cpu);
    // Same classification for every event.
    const argmax = (r: FloatResult, row: number) => {
      const d = r.layers.get('out')!.data.subarray(row * 5, row * 5 + 5);
      return d.indexOf(Math.max(...d));
    };
    for (let row = 0; row < 256; row++) expect(argmax(wasm, row)).toBe(argmax(cpu, row));
  });

  it('concurrent runs on different backends each run on their own backend, one after the other', async () => {
    const runs = await Promise.all([
      floatReference(net, test.inputs, { backend: 'cpu', batchSize: 32 }),
      floatReference(net, test.inputs, { backend: 'wasm', batchSize: 32 }),
      floatReference(net, test.inputs, { backend: 'cpu', batchSize: 100 }),
    ]);
    expect(runs.map((r) => r.backend)).toEqual(['cpu', 'wasm', 'cpu']);
    expect(runs[2].layers.get('out')!.data).toEqual(runs[0].layers.get('out')!.data);
    expectAgree(runs[1], runs[0]);
  });

  it('initFloatBackend waits for a run in progress instead of switching its backend', async () => {
    let initDone = false;
    const batches: boolean[] = [];
    const run = floatReference(net, test.inputs, { backend: 'wasm', batchSize: 32, onProgress: () => batches.push(initDone) });
    const init = initFloatBackend('cpu').then((info) => {
      initDone = true;
      return info;
    });
    const [res, info] = await Promise.all([run, init]);
    expect(res.backend).toBe('wasm');
    expect(info.backend).toBe('cpu');
    expect(batches).toEqual(new Array(8).fill(false));
  });

  it.skipIf(tfjsNodeInstalled())('asking for tfjs-node when it is not installed falls back to wasm and says why', async () => {
    const res = await floatReference(net, test.inputs, { backend: 'node' });
    expect(res.backend).toBe('wasm');
    expect(res.fallback).toContain('@tensorflow/tfjs-node is not installed');
    const dflt = await floatReference(net, test.inputs);
    expect(dflt.backend).toBe('wasm');
    expect(dflt.fallback).toBeUndefined();
  });
});
