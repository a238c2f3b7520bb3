// Builders of small model files for the import tests: ONNX models (onnx-proto), Keras HDF5 weight files and
// whole-model .h5 files (h5wasm), and Keras 3 .keras archives (fflate), from seeded values.
import { createRequire } from 'node:module';
import { zipSync } from 'fflate';
import h5wasm from 'h5wasm';

const { onnx } = createRequire(import.meta.url)('onnx-proto') as typeof import('onnx-proto');

export interface OnnxNodeSpec {
  readonly op: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly name?: string;
  readonly domain?: string;
  readonly attrs?: Readonly<Record<string, number | readonly number[] | string>>;
}

export interface OnnxSpec {
  readonly inputs: readonly { name: string; shape: readonly number[] }[];
  readonly outputs: readonly string[];
  readonly initializers: readonly { name: string; dims: readonly number[]; values: ArrayLike<number>; int64?: boolean }[];
  readonly nodes: readonly OnnxNodeSpec[];
  readonly opset?: number;
}

/** An ONNX model (IR 7) from a small spec; attributes: integers as INT(S), other numbers as FLOAT, strings as STRING. */
export function onnxModel(spec: OnnxSpec): Uint8Array {
  const valueInfo = (name: string, shape: readonly number[]) => ({
    name,
    type: { tensorType: { elemType: 1, shape: { dim: shape.map((d) => ({ dimValue: d })) } } },
  });
  const attribute = (name: string, v: number | readonly number[] | string) => {
    if (typeof v === 'string') return { name, type: 3, s: new TextEncoder().encode(v) };
    if (Array.isArray(v)) return { name, type: 7, ints: v as number[] };
    if (Number.isInteger(v) && name !== 'alpha' && name !== 'beta' && name !== 'epsilon') return { name, type: 2, i: v as number };
    return { name, type: 1, f: v as number };
  };
  const model = onnx.ModelProto.create({
    irVersion: 7,
    producerName: 'qnn-test',
    opsetImport: [{ domain: '', version: spec.opset ?? 13 }, { domain: 'qonnx.custom_op.general', version: 1 }],
    graph: {
      name: 'test',
      input: spec.inputs.map((i) => valueInfo(i.name, i.shape)),
      output: spec.outputs.map((o) => valueInfo(o, [])),
      initializer: spec.initializers.map((t) =>
        t.int64 ? { name: t.name, dims: [...t.dims], dataType: 7, int64Data: Array.from(t.values) } : { name: t.name, dims: [...t.dims], dataType: 1, floatData: Array.from(t.values) },
      ),
      node: spec.nodes.map((n) => ({
        opType: n.op,
        name: n.name ?? '',
        domain: n.domain ?? '',
        input: [...n.inputs],
        output: [...n.outputs],
        attribute: Object.entries(n.attrs ?? {}).map(([k, v]) => attribute(k, v)),
      })),
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

export interface H5Weight {
  readonly name: string;
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

let counter = 0;

async function writeH5(build: (f: InstanceType<typeof h5wasm.File>) => void): Promise<Uint8Array> {
  const { FS } = await h5wasm.ready;
  const path = `/build-${process.pid}-${counter++}.h5`;
  const f = new h5wasm.File(path, 'w');
  try {
    build(f);
  } finally {
    f.close();
  }
  const bytes = FS.readFile(path) as Uint8Array;
  FS.unlink(path);
  return Uint8Array.from(bytes);
}

function keras2Group(g: InstanceType<typeof h5wasm.Group>, layers: ReadonlyMap<string, readonly H5Weight[]>): void {
  g.create_attribute('layer_names', [...layers.keys()]);
  g.create_attribute('backend', 'tensorflow');
  g.create_attribute('keras_version', '2.4.0');
  for (const [layer, ws] of layers) {
    const lg = g.create_group(layer);
    lg.create_attribute('weight_names', ws.length ? ws.map((w) => `${layer}/${w.name}:0`) : []);
    if (!ws.length) continue;
    const inner = lg.create_group(layer);
    for (const w of ws) inner.create_dataset({ name: `${w.name}:0`, data: w.data, shape: [...w.shape], dtype: '<f' });
  }
}

/** A Keras 2 `save_weights` HDF5 file. */
export function kerasWeightsH5(layers: ReadonlyMap<string, readonly H5Weight[]>): Promise<Uint8Array> {
  return writeH5((f) => keras2Group(f, layers));
}

/** A Keras 2 whole-model `model.save('m.h5')` file: the config in `model_config`, the weights under /model_weights. */
export function kerasModelH5(config: unknown, layers: ReadonlyMap<string, readonly H5Weight[]>): Promise<Uint8Array> {
  return writeH5((f) => {
    f.create_attribute('model_config', JSON.stringify(config));
    f.create_attribute('keras_version', '2.4.0');
    keras2Group(f.create_group('model_weights'), layers);
  });
}

/** A Keras 3 `.keras` archive: config.json, metadata.json and model.weights.h5 (`layers/<name>/vars/<i>`). */
export async function kerasArchive(config: unknown, layers: ReadonlyMap<string, readonly H5Weight[]>): Promise<Uint8Array> {
  const weights = await writeH5((f) => {
    const root = f.create_group('layers');
    for (const [layer, ws] of layers) {
      const vars = root.create_group(layer).create_group('vars');
      ws.forEach((w, i) => vars.create_dataset({ name: String(i), data: w.data, shape: [...w.shape], dtype: '<f' }));
    }
  });
  const enc = (o: unknown) => new TextEncoder().encode(JSON.stringify(o));
  return zipSync({ 'config.json': enc(config), 'metadata.json': enc({ keras_version: '3.6.0' }), 'model.weights.h5': weights });
}

/** Seeded values in [lo, hi) (xorshift32). */
export function seeded(seed: number, n: number, lo = -1, hi = 1): Float32Array {
  let s = seed >>> 0 || 1;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    out[i] = lo + ((hi - lo) * (s >>> 0)) / 2 ** 32;
  }
  return out;
}
