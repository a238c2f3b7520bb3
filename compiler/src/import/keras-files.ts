// Reads the Keras file formats into a KerasSource: model.json + weights.h5 (Keras 2 or 3 weights), a whole-model
// .h5 (config in the `model_config` attribute, weights under /model_weights), and a Keras 3 .keras archive (a zip of
// config.json, metadata.json and model.weights.h5).
import { unzipSync } from 'fflate';
import { ImportError } from './errors.js';
import { readH5, type H5Group } from './h5.js';
import type { KerasSource, KerasWeight } from './keras.js';

export interface ReadFile {
  (path: string): Uint8Array;
}

/** model.json with its weights (HDF5, Keras 2 `save_weights` or Keras 3 `.weights.h5`). */
export async function readKerasJson(jsonPath: string, weightsPath: string, read: ReadFile, name: string): Promise<KerasSource> {
  const text = new TextDecoder().decode(read(jsonPath));
  const config = parseJson(text, jsonPath);
  const h5 = await readH5(read(weightsPath), weightsPath);
  if (h5.attrs.has('model_config') && h5.groups.has('model_weights')) {
    return { config, configText: text, configPath: jsonPath, weights: keras2Weights(h5.groups.get('model_weights')!, weightsPath), weightsPath, description: describe(config, `${base(jsonPath)} + ${base(weightsPath)}`), name };
  }
  return { config, configText: text, configPath: jsonPath, weights: weightsOf(h5, weightsPath), weightsPath, description: describe(config, `${base(jsonPath)} + ${base(weightsPath)}`), name };
}

/** A whole model saved by Keras 2 `model.save('m.h5')`. */
export async function readKerasH5(path: string, read: ReadFile, name: string): Promise<KerasSource> {
  const h5 = await readH5(read(path), path);
  const cfg = h5.attrs.get('model_config');
  if (typeof cfg !== 'string') {
    throw new ImportError(
      'QNN5001',
      `'${path}' holds weights only (no model_config attribute); give the architecture too: qnn import model.json --weights ${base(path)}.`,
      path,
    );
  }
  const config = parseJson(cfg, path);
  const weights = h5.groups.get('model_weights') ?? h5;
  return { config, configPath: path, weights: keras2Weights(weights, path), weightsPath: path, description: describe(config, base(path)), name };
}

/** A Keras 3 `.keras` archive. */
export async function readKerasArchive(path: string, read: ReadFile, name: string): Promise<KerasSource> {
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(read(path));
  } catch (e) {
    throw new ImportError('QNN5001', `'${path}' is not a .keras archive (zip): ${e instanceof Error ? e.message : String(e)}.`, path);
  }
  const cfgBytes = entries['config.json'];
  const weightBytes = entries['model.weights.h5'];
  if (!cfgBytes || !weightBytes) throw new ImportError('QNN5001', `'${path}' lacks config.json or model.weights.h5; save it with model.save('model.keras').`, path);
  const text = new TextDecoder().decode(cfgBytes);
  const config = parseJson(text, `${path}/config.json`);
  const h5 = await readH5(weightBytes, `${path}/model.weights.h5`);
  const meta = entries['metadata.json'] ? (parseJson(new TextDecoder().decode(entries['metadata.json']), path) as { keras_version?: string }) : {};
  const desc = `${base(path)} (Keras ${meta.keras_version ?? '3'} archive)`;
  return { config, configText: text, configPath: path, weights: weightsOf(h5, path), weightsPath: path, description: describe(config, desc), name };
}

/** Keras 2 layout (`layer_names` at the root) or Keras 3 layout (`layers/<name>/vars/<i>`). */
function weightsOf(h5: H5Group, path: string): Map<string, KerasWeight[]> {
  if (h5.attrs.has('layer_names')) return keras2Weights(h5, path);
  if (h5.groups.has('layers') || h5.groups.has('_layer_checkpoint_dependencies')) return keras3Weights(h5);
  throw new ImportError('QNN5004', `'${path}' is not a Keras weights file (no layer_names attribute and no layers group).`, path);
}

function keras2Weights(g: H5Group, path: string): Map<string, KerasWeight[]> {
  const out = new Map<string, KerasWeight[]>();
  const names = asStrings(g.attrs.get('layer_names'));
  for (const layer of names) {
    const lg = g.groups.get(layer);
    if (!lg) continue;
    const ws: KerasWeight[] = [];
    for (const wn of asStrings(lg.attrs.get('weight_names'))) {
      const d = find(lg, wn.split('/'));
      if (!d) throw new ImportError('QNN5004', `'${path}' names the weight '${wn}' of layer '${layer}' but does not hold it.`, path);
      ws.push({ name: wn, shape: d.shape, values: d.values });
    }
    out.set(layer, ws);
  }
  return out;
}

function keras3Weights(h5: H5Group): Map<string, KerasWeight[]> {
  const out = new Map<string, KerasWeight[]>();
  const visit = (layers: H5Group) => {
    for (const [name, lg] of layers.groups) {
      const vars = lg.groups.get('vars');
      const ws: KerasWeight[] = [];
      if (vars) {
        const keys = [...vars.datasets.keys()].sort((a, b) => Number(a) - Number(b));
        for (const k of keys) ws.push({ name: undefined, shape: vars.datasets.get(k)!.shape, values: vars.datasets.get(k)!.values });
      }
      out.set(name, ws);
      // A nested model (Sequential inside Functional) keeps its layers in its own `layers` group.
      const nested = lg.groups.get('layers');
      if (nested) visit(nested);
    }
  };
  const layers = h5.groups.get('layers') ?? h5.groups.get('_layer_checkpoint_dependencies');
  if (layers) visit(layers);
  return out;
}

function find(g: H5Group, parts: string[]): { shape: readonly number[]; values: Float64Array } | undefined {
  if (parts.length === 1) return g.datasets.get(parts[0]);
  const sub = g.groups.get(parts[0]);
  if (sub) return find(sub, parts.slice(1));
  // Some files store the dataset under the full name (with '/') in nested groups of the layer's own name.
  return undefined;
}

function asStrings(v: unknown): string[] {
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  if (typeof v === 'string') return [v];
  return [];
}

function parseJson(text: string, path: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ImportError('QNN5001', `'${path}' is not valid JSON: ${e instanceof Error ? e.message : String(e)}.`, path);
  }
}

function describe(config: unknown, files: string): string {
  const c = config as { keras_version?: string; class_name?: string; config?: { layers?: { class_name?: string }[] } };
  const layers = Array.isArray(c.config) ? (c.config as { class_name?: string }[]) : (c.config?.layers ?? []);
  const qkeras = layers.some((l) => typeof l.class_name === 'string' && /^Q[A-Z]/.test(l.class_name));
  return `${files} (${qkeras ? 'QKeras, ' : ''}Keras${c.keras_version ? ` ${c.keras_version}` : ''} ${c.class_name ?? 'model'})`;
}

export function base(p: string): string {
  return p.split(/[\\/]/).pop() ?? p;
}
