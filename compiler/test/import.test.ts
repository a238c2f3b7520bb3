// qnn import: every model of ../shared/models imports into a .qnn that checks without diagnostics; errors (an
// unsupported layer or operator, quantizer, option, missing weights, an existing file) are diagnostics with a code
// and a message naming the problem, and nothing is written; the CLI prints them as `path:line:col: error CODE: …`.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkProgram, format } from '@qnn/language';
import { describe, expect, it } from 'vitest';
import { importModel, nodeFileSystem, partCatalog, type ImportOptions } from '../src/index.js';
import { onnxModel, seeded } from './import-builders.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const MODELS = resolve(REPO, '../shared/models');
const BIN = join(REPO, 'simulator/bin/qnn.js');
const TIMEOUT = 60_000;

const SHARED = [
  'keras/KERAS_1layer.json',
  'keras/KERAS_3layer.json',
  'keras/KERAS_conv1d_small.json',
  'keras/KERAS_conv2d_model.json',
  'keras/jetTagger_Conv2D_Small_NoBatchNorm.json',
  'keras/qkeras_3layer.json',
  'keras/qkeras_mnist_dense.json',
  'onnx/three_layer_keras.onnx',
  'onnx/two_layer_pytorch.onnx',
  'onnx/conv2d_small_keras.onnx',
];

const tmp = () => mkdtempSync(join(tmpdir(), 'qnn-import-test-'));

/** Files under a folder, recursively, relative to it. */
function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();
}

/** A shared model's JSON, changed by `edit`, as text. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function editJson(rel: string, edit: (model: any) => void): string {
  const m = JSON.parse(readFileSync(join(MODELS, rel), 'utf8'));
  edit(m);
  return JSON.stringify(m, undefined, 2);
}

async function importFails(opts: ImportOptions, code: string, ...fragments: string[]): Promise<void> {
  const r = await importModel(opts);
  expect(r.ok).toBe(false);
  expect(r.files).toEqual([]);
  expect(r.diagnostics.map((d) => d.code)).toEqual([code]);
  for (const f of fragments) expect(r.diagnostics[0].message).toContain(f);
  expect(r.diagnostics[0].message).not.toMatch(/\n\s+at /);
}

describe('qnn import: the shared models', () => {
  for (const m of SHARED) {
    it(m, { timeout: TIMEOUT }, async () => {
      const out = tmp();
      const r = await importModel({ model: join(MODELS, m), out });
      expect(r.diagnostics).toEqual([]);
      expect(r.ok).toBe(true);
      // What was written: the .qnn and its weights, nothing else.
      expect(listFiles(out)).toEqual(r.files.map((f) => f.slice(out.length + 1)).sort());
      const program = checkProgram([r.qnnPath!], { fs: nodeFileSystem, parts: partCatalog });
      expect([...program.diagnostics.values()].flat().map((d) => `${d.code} ${d.message}`)).toEqual([]);
      const text = readFileSync(r.qnnPath!, 'utf8');
      const f = format(text);
      expect(f.ok && !f.changed).toBe(true);
      // Importing is deterministic: the same bytes again.
      const again = await importModel({ model: join(MODELS, m), out: tmp() });
      expect(again.text).toBe(text);
    });
  }

  it('the 70 % pruned weights through --weights, into the same folder under another --name', { timeout: TIMEOUT }, async () => {
    const out = tmp();
    expect((await importModel({ model: join(MODELS, 'keras/KERAS_3layer.json'), out })).ok).toBe(true);
    const r = await importModel({ model: join(MODELS, 'keras/KERAS_3layer.json'), weights: join(MODELS, 'keras/KERAS_3layer_70pruned_retrained_weights.h5'), out, name: 'pruned' });
    expect(r.ok).toBe(true);
    expect(readFileSync(join(out, 'pruned.qnn'), 'utf8')).toContain('network pruned {');
  });

  it('types come from the QKeras quantizers, else from --precision', { timeout: TIMEOUT }, async () => {
    const r = await importModel({ model: join(MODELS, 'keras/qkeras_3layer.json'), out: tmp(), precision: 'fixed<18, 8>', dryRun: true });
    expect(r.text).toContain('type data = fixed<18, 8>');
    expect(r.text).toContain('weight: fixed<6, 1, RND_CONV, SAT> = load(');
    expect(r.text).toContain('relu1 = relu(fc1) : ufixed<6, 0, RND_CONV, SAT>');
    const f = await importModel({ model: join(MODELS, 'keras/KERAS_3layer.json'), out: tmp(), precision: 'fixed<12, 4, RND, SAT>', part: 'xc7a100t', clockNs: 10, dryRun: true });
    expect(f.text).toContain('target xc7a100t clock 10ns');
    expect(f.text).toContain('type data = fixed<12, 4, RND, SAT>');
  });
});

describe('qnn import: errors write nothing', () => {
  it('an unsupported Keras layer names the layer, its type and the supported layers', { timeout: TIMEOUT }, async () => {
    const dir = tmp();
    const cfg = editJson('keras/KERAS_1layer.json', (m) => (m.config.layers[2].class_name = 'SimpleRNN'));
    writeFileSync(join(dir, 'rnn.json'), cfg);
    const out = join(dir, 'out');
    await importFails({ model: join(dir, 'rnn.json'), weights: join(MODELS, 'keras/KERAS_1layer_weights.h5'), out }, 'QNN5002', "'output_sigmoid'", 'SimpleRNN', 'Supported layers: InputLayer, Dense');
    expect(existsSync(out)).toBe(false);
    // The diagnostic points at the layer's name in the JSON.
    const r = await importModel({ model: join(dir, 'rnn.json'), weights: join(MODELS, 'keras/KERAS_1layer_weights.h5'), out });
    const d = r.diagnostics[0];
    expect(cfg.slice(d.span.start, d.span.end)).toMatch(/^"name":\s*"output_sigmoid"$/);
  });

  it('an unsupported ONNX operator names the node, its type and the supported operators', async () => {
    const dir = tmp();
    const model = onnxModel({
      inputs: [{ name: 'x', shape: [1, 4] }],
      outputs: ['y'],
      initializers: [],
      nodes: [
        { op: 'Relu', inputs: ['x'], outputs: ['r'], name: 'relu' },
        { op: 'Erf', inputs: ['r'], outputs: ['y'], name: 'erf_1' },
      ],
    });
    writeFileSync(join(dir, 'erf.onnx'), model);
    await importFails({ model: join(dir, 'erf.onnx'), out: join(dir, 'out') }, 'QNN5002', "'erf_1'", 'Erf', 'Supported operators: Gemm');
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });

  it('an unsupported quantizer and settings are errors', async () => {
    const dir = tmp();
    const cfg = editJson('keras/qkeras_3layer.json', (m) => (m.config.layers[1].config.kernel_quantizer.config.alpha = 'auto_po2'));
    writeFileSync(join(dir, 'q.json'), cfg);
    await importFails({ model: join(dir, 'q.json'), weights: join(MODELS, 'keras/qkeras_3layer_weights.h5'), out: join(dir, 'o') }, 'QNN5005', 'auto_po2');
    const conv = editJson('keras/KERAS_conv2d_model.json', (m) => (m.config[0].config.dilation_rate = [2, 2]));
    writeFileSync(join(dir, 'c.json'), conv);
    await importFails({ model: join(dir, 'c.json'), weights: join(MODELS, 'keras/KERAS_conv2d_model_weights.h5'), out: join(dir, 'o') }, 'QNN5003', 'dilation_rate');
    // A channels_first layer in a channels-last model (channels-first models from the input on are converted).
    const cf = editJson('keras/jetTagger_Conv2D_Small_NoBatchNorm.json', (m) => (m.config.layers[3].config.data_format = 'channels_first'));
    writeFileSync(join(dir, 'cf.json'), cf);
    await importFails({ model: join(dir, 'cf.json'), weights: join(MODELS, 'keras/jetTagger_Conv2D_Small_NoBatchNorm_weights.h5'), out: join(dir, 'o') }, 'QNN5003', "'cnn2D_2_relu'", 'channels_first');
    expect(existsSync(join(dir, 'o'))).toBe(false);
  });

  it('missing or mismatched weights', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'm.json'), readFileSync(join(MODELS, 'keras/KERAS_1layer.json')));
    await importFails({ model: join(dir, 'm.json'), out: join(dir, 'o') }, 'QNN5004', '--weights');
    await importFails({ model: join(dir, 'm.json'), weights: join(MODELS, 'keras/KERAS_3layer_weights.h5'), out: join(dir, 'o') }, 'QNN5004', "'output_sigmoid'");
    // Same layers, other sizes: the kernel [10, 32] does not fit 16 units.
    writeFileSync(join(dir, 'units.json'), editJson('keras/KERAS_1layer.json', (m) => (m.config.layers[1].config.units = 16)));
    await importFails({ model: join(dir, 'units.json'), weights: join(MODELS, 'keras/KERAS_1layer_weights.h5'), out: join(dir, 'o') }, 'QNN5004', 'fc1_relu');
    await importFails({ model: join(MODELS, 'keras/KERAS_1layer_weights.h5'), out: join(dir, 'o') }, 'QNN5001', 'weights only');
    await importFails({ model: join(dir, 'nothing.onnx'), out: join(dir, 'o') }, 'QNN5001', 'does not exist');
    writeFileSync(join(dir, 'junk.onnx'), 'not a protobuf at all');
    await importFails({ model: join(dir, 'junk.onnx'), out: join(dir, 'o') }, 'QNN5001');
  });

  it('invalid options', async () => {
    const model = join(MODELS, 'keras/KERAS_1layer.json');
    await importFails({ model, out: tmp(), precision: 'float32' }, 'QNN5007', 'float32');
    await importFails({ model, out: tmp(), part: 'xcu205' }, 'QNN5007', "'xcu250'");
    await importFails({ model, out: tmp(), name: '1net' }, 'QNN5007', '1net');
  });

  it('never overwrites: an existing .qnn or weight file is QNN5006 unless force', { timeout: TIMEOUT }, async () => {
    const out = tmp();
    const model = join(MODELS, 'keras/KERAS_1layer.json');
    expect((await importModel({ model, out })).ok).toBe(true);
    writeFileSync(join(out, 'KERAS_1layer.qnn'), '// my edits\n');
    await importFails({ model, out }, 'QNN5006', 'KERAS_1layer.qnn', '--force');
    expect(readFileSync(join(out, 'KERAS_1layer.qnn'), 'utf8')).toBe('// my edits\n');
    const forced = await importModel({ model, out, force: true });
    expect(forced.ok).toBe(true);
    expect(readFileSync(join(out, 'KERAS_1layer.qnn'), 'utf8')).toContain('network KERAS_1layer');
  });
});

describe('qnn import: the command line', () => {
  const qnn = (cwd: string, ...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });

  it('imports, then qnn check passes', { timeout: TIMEOUT }, () => {
    const cwd = tmp();
    const r = qnn(cwd, 'import', join(MODELS, 'onnx/two_layer_pytorch.onnx'), '--out', 'imported', '--name', 'mlp');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("as network 'mlp'");
    const c = qnn(cwd, 'check', 'imported/mlp.qnn');
    expect(c.status).toBe(0);
  });

  it('errors are one line each with the model path, a code and nothing written; exit 1', { timeout: TIMEOUT }, () => {
    const cwd = tmp();
    writeFileSync(join(cwd, 'bad.json'), editJson('keras/KERAS_1layer.json', (m) => (m.config.layers[1].class_name = 'LSTM')));
    const r = qnn(cwd, 'import', 'bad.json', '--weights', join(MODELS, 'keras/KERAS_1layer_weights.h5'), '--out', 'o');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^bad\.json:\d+:\d+: error QNN5002: Layer 'fc1_relu' of type LSTM is not supported\./m);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(join(cwd, 'o'))).toBe(false);
    const j = qnn(cwd, 'import', 'bad.json', '--weights', join(MODELS, 'keras/KERAS_1layer_weights.h5'), '--out', 'o', '--json');
    expect(j.status).toBe(1);
    const doc = JSON.parse(j.stdout) as { ok: boolean; diagnostics: { code: string }[] };
    expect(doc.ok).toBe(false);
    expect(doc.diagnostics[0].code).toBe('QNN5002');
  });

  it('--help lists the options; a missing --out is a usage error', { timeout: TIMEOUT }, () => {
    const cwd = tmp();
    const h = qnn(cwd, 'import', '--help');
    expect(h.status).toBe(0);
    for (const o of ['--weights', '--out', '--name', '--precision', '--part', '--force']) expect(h.stdout).toContain(o);
    expect(qnn(cwd, 'import', 'm.onnx').status).toBe(2);
  });
});

describe('qnn import: weights of the shared models are written as trained', () => {
  it('seeded builder values round-trip (sanity of the test builders)', () => {
    expect(Array.from(seeded(1, 3))).toEqual(Array.from(seeded(1, 3)));
  });
});
