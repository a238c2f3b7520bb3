// The Keras layers that the shared models do not use, in models built here with seeded weights, saved in the three
// Keras formats (model.json + weights .h5, whole-model .h5, Keras 3 .keras): each import checks without errors and its
// float reference agrees with TensorFlow.js running the Keras 2 config (tf.models.modelFromJSON) with the same
// weights, on 1,000 seeded inputs, within 1e-5 relative to the largest output of each sample.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { floatReference } from '../src/index.js';
import { activateBackend, exclusive } from '../src/float/backend.js';
import { kerasArchive, kerasModelH5, kerasWeightsH5, seeded, type H5Weight } from '../../compiler/test/import-builders.js';
import { f32, importAndCheck, maxRelativeError, seededRows, toChannelsLast } from './import-helpers.js';

const ROWS = 1000;
const TOLERANCE = 1e-5;
const TIMEOUT = 120_000;

interface LayerSpec {
  readonly cls: string;
  readonly name: string;
  readonly config: Record<string, unknown>;
  readonly inputs: readonly string[];
  /** Weight names and shapes, in Keras's order. */
  readonly weights?: readonly [string, number[], number?, number?][];
}

/** A Keras 2 functional config. */
function keras2(layers: readonly LayerSpec[], inputShape: number[], output: string): unknown {
  return {
    class_name: 'Model',
    keras_version: '2.4.0',
    backend: 'tensorflow',
    config: {
      name: 'model',
      layers: [
        { class_name: 'InputLayer', name: 'x', config: { batch_input_shape: [null, ...inputShape], dtype: 'float32', sparse: false, name: 'x' }, inbound_nodes: [] },
        ...layers.map((l) => ({ class_name: l.cls, name: l.name, config: { name: l.name, trainable: true, dtype: 'float32', ...l.config }, inbound_nodes: [l.inputs.map((i) => [i, 0, 0, {}])] })),
      ],
      input_layers: [['x', 0, 0]],
      output_layers: [[output, 0, 0]],
    },
  };
}

/** The same model as a Keras 3 config (keras_history references, batch_shape). */
function keras3(layers: readonly LayerSpec[], inputShape: number[], output: string): unknown {
  const tensor = (name: string) => ({ class_name: '__keras_tensor__', config: { shape: null, dtype: 'float32', keras_history: [name, 0, 0] } });
  return {
    module: 'keras.src.models.functional',
    class_name: 'Functional',
    config: {
      name: 'model',
      layers: [
        { module: 'keras.layers', class_name: 'InputLayer', name: 'x', config: { batch_shape: [null, ...inputShape], dtype: 'float32', name: 'x' }, inbound_nodes: [] },
        ...layers.map((l) => ({
          module: 'keras.layers',
          class_name: l.cls,
          name: l.name,
          config: { name: l.name, trainable: true, ...l.config },
          inbound_nodes: [{ args: l.inputs.length === 1 ? [tensor(l.inputs[0])] : [l.inputs.map(tensor)], kwargs: {} }],
        })),
      ],
      input_layers: [['x', 0, 0]],
      output_layers: [[output, 0, 0]],
    },
  };
}

function weightsOf(layers: readonly LayerSpec[], seed: number): Map<string, H5Weight[]> {
  const out = new Map<string, H5Weight[]>();
  let s = seed;
  for (const l of layers) {
    out.set(
      l.name,
      (l.weights ?? []).map(([name, shape, lo, hi]) => ({ name, shape, data: seeded(s++, shape.reduce((a, b) => a * b, 1), lo ?? -0.5, hi ?? 0.5) })),
    );
  }
  return out;
}

const conv = { strides: [1, 1], padding: 'same', data_format: 'channels_last', dilation_rate: [1, 1], activation: 'linear', use_bias: true };

/** Conv2D, BatchNormalization, Activation, MaxPooling2D, DepthwiseConv2D, Add, Concatenate, AveragePooling2D, ReLU(6), LeakyReLU, Flatten, Dense, Softmax. */
const IMAGE: { layers: LayerSpec[]; input: number[]; output: string } = {
  input: [8, 8, 2],
  output: 'soft',
  layers: [
    { cls: 'Conv2D', name: 'c1', inputs: ['x'], config: { ...conv, filters: 4, kernel_size: [3, 3] }, weights: [['kernel', [3, 3, 2, 4]], ['bias', [4]]] },
    {
      cls: 'BatchNormalization',
      name: 'bn',
      inputs: ['c1'],
      config: { axis: -1, momentum: 0.99, epsilon: 0.001, center: true, scale: true },
      weights: [['gamma', [4], 0.5, 1.5], ['beta', [4]], ['moving_mean', [4]], ['moving_variance', [4], 0.5, 2]],
    },
    { cls: 'Activation', name: 'act', inputs: ['bn'], config: { activation: 'relu' } },
    { cls: 'MaxPooling2D', name: 'pool', inputs: ['act'], config: { pool_size: [2, 2], strides: [2, 2], padding: 'valid', data_format: 'channels_last' } },
    {
      cls: 'DepthwiseConv2D',
      name: 'dw',
      inputs: ['pool'],
      config: { ...conv, kernel_size: [3, 3], depth_multiplier: 1, activation: 'relu' },
      weights: [['depthwise_kernel', [3, 3, 4, 1]], ['bias', [4]]],
    },
    { cls: 'Conv2D', name: 'pw', inputs: ['pool'], config: { ...conv, filters: 4, kernel_size: [1, 1], activation: 'tanh' }, weights: [['kernel', [1, 1, 4, 4]], ['bias', [4]]] },
    { cls: 'Add', name: 'sum', inputs: ['dw', 'pw'], config: {} },
    { cls: 'Concatenate', name: 'cat', inputs: ['sum', 'pool'], config: { axis: -1 } },
    { cls: 'AveragePooling2D', name: 'avg', inputs: ['cat'], config: { pool_size: [2, 2], strides: [2, 2], padding: 'valid', data_format: 'channels_last' } },
    { cls: 'ReLU', name: 'r6', inputs: ['avg'], config: { max_value: 6, negative_slope: 0, threshold: 0 } },
    { cls: 'Flatten', name: 'flat', inputs: ['r6'], config: { data_format: 'channels_last' } },
    { cls: 'Dense', name: 'fc', inputs: ['flat'], config: { units: 6, activation: 'sigmoid', use_bias: true }, weights: [['kernel', [32, 6]], ['bias', [6]]] },
    { cls: 'LeakyReLU', name: 'leaky', inputs: ['fc'], config: { alpha: 0.1 } },
    { cls: 'Dense', name: 'out', inputs: ['leaky'], config: { units: 3, activation: 'linear', use_bias: false }, weights: [['kernel', [6, 3]]] },
    { cls: 'Softmax', name: 'soft', inputs: ['out'], config: { axis: -1 } },
  ],
};

/** Conv1D (valid, stride 2), MaxPooling1D (same), GlobalAveragePooling1D, Reshape, GlobalMaxPooling1D, Dense tanh. */
const SIGNAL: { layers: LayerSpec[]; input: number[]; output: string } = {
  input: [20, 3],
  output: 'out',
  layers: [
    { cls: 'Conv1D', name: 'c1', inputs: ['x'], config: { ...conv, filters: 4, kernel_size: [5], strides: [2], padding: 'valid', dilation_rate: [1], activation: 'relu' }, weights: [['kernel', [5, 3, 4]], ['bias', [4]]] },
    { cls: 'MaxPooling1D', name: 'mp', inputs: ['c1'], config: { pool_size: [3], strides: [2], padding: 'same', data_format: 'channels_last' } },
    { cls: 'Dropout', name: 'drop', inputs: ['mp'], config: { rate: 0.5 } },
    { cls: 'Flatten', name: 'flat', inputs: ['drop'], config: { data_format: 'channels_last' } },
    { cls: 'Reshape', name: 'rs', inputs: ['flat'], config: { target_shape: [8, 2] } },
    { cls: 'GlobalAveragePooling1D', name: 'gap', inputs: ['rs'], config: { data_format: 'channels_last' } },
    { cls: 'Dense', name: 'out', inputs: ['gap'], config: { units: 2, activation: 'tanh', use_bias: true }, weights: [['kernel', [2, 2]], ['bias', [2]]] },
  ],
};

/** channels_first throughout: Conv2D, MaxPooling2D, Conv2D, Flatten (C, H, W order), Dense. */
const CHANNELS_FIRST: { layers: LayerSpec[]; input: number[]; output: string } = {
  input: [2, 8, 8],
  output: 'out',
  layers: [
    { cls: 'Conv2D', name: 'c1', inputs: ['x'], config: { ...conv, data_format: 'channels_first', filters: 3, kernel_size: [3, 3] }, weights: [['kernel', [3, 3, 2, 3]], ['bias', [3]]] },
    // (No BatchNormalization(axis=1) here: TensorFlow.js 4.22 applies its parameters along the last axis at inference.)
    { cls: 'Activation', name: 'act', inputs: ['c1'], config: { activation: 'relu' } },
    { cls: 'MaxPooling2D', name: 'pool', inputs: ['act'], config: { pool_size: [2, 2], strides: [2, 2], padding: 'valid', data_format: 'channels_first' } },
    { cls: 'Conv2D', name: 'c2', inputs: ['pool'], config: { ...conv, data_format: 'channels_first', filters: 4, kernel_size: [2, 2], padding: 'valid', activation: 'relu' }, weights: [['kernel', [2, 2, 3, 4]], ['bias', [4]]] },
    { cls: 'Flatten', name: 'flat', inputs: ['c2'], config: { data_format: 'channels_last' } },
    { cls: 'Dense', name: 'out', inputs: ['flat'], config: { units: 5, activation: 'softmax', use_bias: true }, weights: [['kernel', [36, 5]], ['bias', [5]]] },
  ],
};

async function tfjsReference(config: unknown, weights: Map<string, H5Weight[]>, x: Float64Array, shape: number[]): Promise<Float32Array> {
  return exclusive(async () => {
    const { tf } = await activateBackend('cpu');
    const model = await tf.models.modelFromJSON(config as never);
    for (const layer of model.layers) {
      const ws = weights.get(layer.name) ?? [];
      if (ws.length) layer.setWeights(ws.map((w) => tf.tensor(w.data, [...w.shape])));
    }
    const input = tf.tensor(Float32Array.from(x), [ROWS, ...shape]);
    const y = model.predict(input) as import('@tensorflow/tfjs').Tensor;
    const data = (await y.data()) as Float32Array;
    tf.dispose([input, y]);
    model.dispose();
    return data;
  });
}

describe('import: Keras channels_first models', () => {
  it('the input becomes channels last, the flatten order is kept by permuting the dense rows', { timeout: TIMEOUT }, async () => {
    const m = CHANNELS_FIRST;
    const dir = mkdtempSync(join(tmpdir(), 'qnn-import-cf-'));
    const weights = weightsOf(m.layers, 200);
    writeFileSync(join(dir, 'cf.json'), JSON.stringify(keras2(m.layers, m.input, m.output)));
    writeFileSync(join(dir, 'cf_weights.h5'), await kerasWeightsH5(weights));
    const { net, text, warnings } = await importAndCheck({ model: join(dir, 'cf.json') });
    expect(warnings).toEqual([]);
    expect(text).toContain('input x : data[8, 8, 2]');
    const x = f32(seededRows(6, ROWS, 128));
    const ours = await floatReference(net, new Map([['x', { rows: ROWS, data: toChannelsLast(x, ROWS, m.input) }]]));
    const want = await tfjsReference(keras2(m.layers, m.input, m.output), weights, x, m.input);
    expect(maxRelativeError(ours.layers.get(net.outputs[0])!.data, want, 5)).toBeLessThanOrEqual(TOLERANCE);
  });
});

describe('import: Keras layers and file formats against TensorFlow.js', () => {
  for (const [label, m] of [['image model', IMAGE], ['signal model', SIGNAL]] as const) {
    for (const fmt of ['json + weights.h5', 'whole-model .h5', 'Keras 3 .keras'] as const) {
      it(`${label}, ${fmt}`, { timeout: TIMEOUT }, async () => {
        const dir = mkdtempSync(join(tmpdir(), 'qnn-import-layers-'));
        const weights = weightsOf(m.layers, 100);
        let model: string;
        if (fmt === 'json + weights.h5') {
          model = join(dir, 'model.json');
          writeFileSync(model, JSON.stringify(keras2(m.layers, m.input, m.output)));
          writeFileSync(join(dir, 'model_weights.h5'), await kerasWeightsH5(weights));
        } else if (fmt === 'whole-model .h5') {
          model = join(dir, 'model.h5');
          writeFileSync(model, await kerasModelH5(keras2(m.layers, m.input, m.output), weights));
        } else {
          model = join(dir, 'model.keras');
          writeFileSync(model, await kerasArchive(keras3(m.layers, m.input, m.output), weights));
        }
        const { net, warnings } = await importAndCheck({ model, name: 'm' });
        expect(warnings).toEqual([]);
        const size = m.input.reduce((a, b) => a * b, 1);
        const x = f32(seededRows(5, ROWS, size));
        const ours = await floatReference(net, new Map([[net.inputs[0].name, { rows: ROWS, data: x }]]));
        const got = ours.layers.get(net.outputs[0])!.data;
        const want = await tfjsReference(keras2(m.layers, m.input, m.output), weights, x, m.input);
        expect(got.length).toBe(want.length);
        expect(maxRelativeError(got, want, got.length / ROWS)).toBeLessThanOrEqual(TOLERANCE);
      });
    }
  }
});
