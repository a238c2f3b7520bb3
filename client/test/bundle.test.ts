// The bundled language server (client/out/server.js) works on its own, as it does inside the .vsix: copied to a
// folder with no node_modules above it, started over IPC like VS Code starts it, it answers the custom requests with
// TensorFlow.js's wasm backend, the worker thread of qnn/simulate, and the HLS headers of generated projects.
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAll } from '../scripts/build.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const JET = join(ROOT, 'samples', 'jet-tagger', 'jet-tagger.qnn');

let tmp: string;
let server: ChildProcess;
let nextId = 0;
let stderr = '';
const pending = new Map<number, (m: { result?: unknown; error?: { code: number; message: string; data?: unknown } }) => void>();

function request<T>(method: string, params: unknown): Promise<T> {
  const id = ++nextId;
  return new Promise<T>((resolve, reject) => {
    pending.set(id, (m) => (m.error ? reject(Object.assign(new Error(m.error.message), { data: m.error.data })) : resolve(m.result as T)));
    server.send({ jsonrpc: '2.0', id, method, params });
  });
}

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'qnn-bundle-'));
  await buildAll({ tests: false, quiet: true, out: join(tmp, 'out') });
  server = fork(join(tmp, 'out', 'server.js'), ['--node-ipc'], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'], env: { ...process.env, QNN_SERVER_TIMING: '1' } });
  server.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  server.on('message', (m: { id?: number; method?: string }) => {
    if (m.id !== undefined && m.method === undefined) {
      pending.get(m.id)?.(m as never);
      pending.delete(m.id);
    } else if (m.id !== undefined && m.method) {
      // Requests from the server (configuration, registrations): answer them as a client would.
      server.send({ jsonrpc: '2.0', id: m.id, result: m.method === 'workspace/configuration' ? [null] : null });
    }
  });
  await request('initialize', { processId: process.pid, rootUri: pathToFileURL(join(ROOT, 'samples')).href, capabilities: {} });
  server.send({ jsonrpc: '2.0', method: 'initialized', params: {} });
}, 180_000);

afterAll(() => {
  server?.kill();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('the bundled language server', () => {
  it('answers qnn/estimate', async () => {
    const r = await request<{ network: string; total: { latencyCycles: number }; layers: unknown[] }[]>('qnn/estimate', { uri: pathToFileURL(JET).href });
    expect(r.map((e) => e.network)).toEqual(['jet_tagger']);
    expect(r[0].total.latencyCycles).toBeGreaterThan(0);
    expect(r[0].layers.length).toBeGreaterThanOrEqual(7);
  }, 60_000);

  it('estimates an open document in its background worker thread', async () => {
    const { readFileSync } = await import('node:fs');
    const uri = pathToFileURL(JET).href;
    const text = readFileSync(JET, 'utf8');
    server.send({ jsonrpc: '2.0', method: 'textDocument/didOpen', params: { textDocument: { uri, languageId: 'qnn', version: 1, text } } });
    const line = text.split('\n').findIndex((l) => /^\s*fc1\s*=/.test(l));
    const h = await request<{ contents: { value: string } }>('textDocument/hover', { textDocument: { uri }, position: { line, character: text.split('\n')[line].indexOf('fc1') + 1 } });
    expect(h.contents.value).toMatch(/resources: \d+ LUT/);
    // Once the document is quiet, the background job runs in the bundled worker file (not in the server's fallback).
    for (let i = 0; i < 400 && !/qnn-timing estimate (results|\(no worker\))/.test(stderr); i++) await new Promise((r) => setTimeout(r, 50));
    expect(stderr).toContain('qnn-timing estimate results');
    expect(stderr).not.toContain('estimate (no worker)');
  }, 60_000);

  it('simulates in its worker thread with the wasm float backend', async () => {
    const r = await request<{ network: string; samples: number; floatBackend: string; layers: unknown[] }>('qnn/simulate', { uri: pathToFileURL(JET).href, network: 'jet_tagger', count: 20 });
    expect(r.network).toBe('jet_tagger');
    expect(r.samples).toBeGreaterThan(0);
    expect(r.floatBackend).toBe('wasm');
  }, 120_000);

  it('writes a project with the HLS headers (qnn/build)', async () => {
    const out = join(tmp, 'project');
    const r = await request<{ outDir: string; files: string[] }>('qnn/build', { uri: pathToFileURL(JET).href, network: 'jet_tagger', out, backends: ['hls', 'verilog'] });
    expect(r.outDir).toBe(out);
    expect(existsSync(join(out, 'hls', 'include', 'ap_fixed.h'))).toBe(true);
    expect(existsSync(join(out, '.qnn-project.json'))).toBe(true);
  }, 120_000);

  it('refuses a folder it did not generate, with data that says so', async () => {
    const err = await request('qnn/build', { uri: pathToFileURL(JET).href, network: 'jet_tagger', out: join(tmp, 'out'), backends: ['hls'] }).catch((e: Error & { data?: unknown }) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as { data?: { code?: string; generated?: boolean } }).data).toMatchObject({ code: 'QNN4012', generated: false });
  }, 60_000);

  it('imports an ONNX model and a Keras model (qnn/import: onnx-proto and h5wasm are in the bundle)', async () => {
    const models = join(ROOT, '..', 'shared', 'models');
    expect(existsSync(models), `the hls4ml example models are expected in ${models} (../shared beside the repository)`).toBe(true);
    const onnx = await request<{ ok: boolean; files: string[]; qnnPath: string }>('qnn/import', { model: join(models, 'onnx', 'three_layer_keras.onnx'), out: join(tmp, 'imported'), name: 'three_layer' });
    expect(onnx.ok).toBe(true);
    expect(onnx.qnnPath).toBe(join(tmp, 'imported', 'three_layer.qnn'));
    const keras = await request<{ ok: boolean; files: string[] }>('qnn/import', { model: join(models, 'keras', 'KERAS_3layer.json'), out: join(tmp, 'imported'), name: 'keras_three' });
    expect(keras.ok).toBe(true);
    expect(keras.files.some((f) => f.endsWith('.npy'))).toBe(true);
  }, 120_000);
});
