// Every trained model of ../shared/models imports, checks without errors, and the float reference of the imported
// .qnn (TensorFlow.js) agrees with the model loaded independently on 1,000 seeded inputs: Keras JSON models through
// tf.models.modelFromJSON with the HDF5 weights set layer by layer (read here with h5wasm), ONNX models through the
// float64 evaluator of import-helpers.ts. Tolerance: 1e-5, relative to the largest output of each sample.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { floatReference } from '../src/index.js';
import { activateBackend, exclusive } from '../src/float/backend.js';
import { evalOnnx, f32, importAndCheck, kerasWeights, maxRelativeError, MODELS, onnx, seededRows } from './import-helpers.js';

const ROWS = 1000;
const TOLERANCE = 1e-5;
const TIMEOUT = 120_000;

const KERAS = ['KERAS_1layer', 'KERAS_3layer', 'KERAS_conv1d_small', 'KERAS_conv2d_model', 'jetTagger_Conv2D_Small_NoBatchNorm'];
const ONNX = ['three_layer_keras', 'two_layer_pytorch', 'conv2d_small_keras'];

/** The Keras model run by TensorFlow.js from its JSON, with the weights set from the HDF5 file. */
async function kerasReference(json: string, weightsPath: string, x: Float64Array, inShape: number[]): Promise<Float32Array> {
  const weights = await kerasWeights(weightsPath);
  return exclusive(async () => {
    const { tf } = await activateBackend('cpu');
    const model = await tf.models.modelFromJSON(JSON.parse(json));
    for (const layer of model.layers) {
      const ws = weights.get(layer.name) ?? [];
      if (ws.length) layer.setWeights(ws.map((w) => tf.tensor(w.data, w.shape)));
    }
    const input = tf.tensor(Float32Array.from(x), [x.length / inShape.reduce((a, b) => a * b, 1), ...inShape]);
    const y = model.predict(input) as import('@tensorflow/tfjs').Tensor;
    const data = (await y.data()) as Float32Array;
    tf.dispose([input, y]);
    model.dispose();
    return data;
  });
}

describe('import: float reference of imported Keras models equals TensorFlow.js modelFromJSON + HDF5 weights', () => {
  for (const m of KERAS) {
    it(m, { timeout: TIMEOUT }, async () => {
      const json = join(MODELS, 'keras', `${m}.json`);
      const h5 = join(MODELS, 'keras', `${m}_weights.h5`);
      const { net } = await importAndCheck({ model: json });
      const input = net.inputs[0];
      const size = input.tensor.shape.reduce((a, b) => a * b, 1);
      const x = f32(seededRows(7, ROWS, size));
      const ours = await floatReference(net, new Map([[input.name, { rows: ROWS, data: x }]]));
      const got = ours.layers.get(net.outputs[0])!.data;
      const want = await kerasReference(readFileSync(json, 'utf8'), h5, x, [...input.tensor.shape]);
      expect(got.length).toBe(want.length);
      const perSample = got.length / ROWS;
      expect(maxRelativeError(got, want, perSample)).toBeLessThanOrEqual(TOLERANCE);
    });
  }

  it('KERAS_3layer with the 70 % pruned weights (--weights)', { timeout: TIMEOUT }, async () => {
    const json = join(MODELS, 'keras', 'KERAS_3layer.json');
    const h5 = join(MODELS, 'keras', 'KERAS_3layer_70pruned_retrained_weights.h5');
    const { net } = await importAndCheck({ model: json, weights: h5, name: 'pruned' });
    const x = f32(seededRows(8, ROWS, 16));
    const ours = await floatReference(net, new Map([[net.inputs[0].name, { rows: ROWS, data: x }]]));
    const want = await kerasReference(readFileSync(json, 'utf8'), h5, x, [16]);
    expect(maxRelativeError(ours.layers.get(net.outputs[0])!.data, want, 5)).toBeLessThanOrEqual(TOLERANCE);
  });
});

describe('import: float reference of imported ONNX models equals an independent evaluation of the graph', () => {
  for (const m of ONNX) {
    it(m, { timeout: TIMEOUT }, async () => {
      const path = join(MODELS, 'onnx', `${m}.onnx`);
      const { net } = await importAndCheck({ model: path });
      const input = net.inputs[0];
      const shape = [...input.tensor.shape];
      const size = shape.reduce((a, b) => a * b, 1);
      const x = f32(seededRows(11, ROWS, size));
      const ours = await floatReference(net, new Map([[input.name, { rows: ROWS, data: x }]]));
      const model = onnx.ModelProto.decode(readFileSync(path));
      // These models take their input as declared (the Keras conv export transposes NHWC to NCHW itself).
      const env = evalOnnx(model, { shape: [ROWS, ...shape], data: x });
      const want = env.get(model.graph!.output![0].name!)!.data;
      const got = ours.layers.get(net.outputs[0])!.data;
      expect(got.length).toBe(want.length);
      expect(maxRelativeError(got, want, got.length / ROWS)).toBeLessThanOrEqual(TOLERANCE);
    });
  }
});
