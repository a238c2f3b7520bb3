// Reads an HDF5 file (bytes) into a plain tree of groups, attributes and float datasets, with h5wasm (the HDF5 C
// library compiled to WebAssembly, working in its own in-memory file system: nothing touches the disk).
import type H5Wasm from 'h5wasm';
import { ImportError } from './errors.js';

export interface H5Dataset {
  readonly shape: readonly number[];
  readonly values: Float64Array;
}

export interface H5Group {
  readonly attrs: ReadonlyMap<string, unknown>;
  readonly groups: ReadonlyMap<string, H5Group>;
  readonly datasets: ReadonlyMap<string, H5Dataset>;
}

let counter = 0;

/** Reads the whole tree. Throws ImportError QNN5001 for bytes that are not HDF5. */
export async function readH5(bytes: Uint8Array, path: string): Promise<H5Group> {
  if (!isHdf5(bytes)) throw new ImportError('QNN5001', `'${path}' is not an HDF5 file (it does not start with the HDF5 signature).`, path);
  // Loaded on first use: h5wasm instantiates a large WebAssembly module, which every other user of @qnn/compiler
  // (the language server, the CLI's other commands) should not pay for.
  const h5wasm = (await import('h5wasm')).default;
  const { FS } = await h5wasm.ready;
  const name = `/import-${process.pid}-${counter++}.h5`;
  FS.writeFile(name, bytes);
  let file: InstanceType<typeof H5Wasm.File> | undefined;
  try {
    file = new h5wasm.File(name, 'r');
    return readGroup(h5wasm, file, path);
  } catch (e) {
    if (e instanceof ImportError) throw e;
    throw new ImportError('QNN5001', `'${path}' could not be read as HDF5: ${e instanceof Error ? e.message : String(e)}.`, path);
  } finally {
    file?.close();
    FS.unlink(name);
  }
}

export function isHdf5(bytes: Uint8Array): boolean {
  const sig = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];
  return bytes.length >= 8 && sig.every((b, i) => bytes[i] === b);
}

type Group = InstanceType<typeof H5Wasm.Group>;

function readGroup(h5wasm: typeof H5Wasm, g: Group, path: string): H5Group {
  const attrs = new Map<string, unknown>();
  for (const [k, a] of Object.entries(g.attrs)) attrs.set(k, normalizeAttr(a.value));
  const groups = new Map<string, H5Group>();
  const datasets = new Map<string, H5Dataset>();
  for (const key of g.keys()) {
    const child = g.get(key);
    if (child instanceof h5wasm.Group) groups.set(key, readGroup(h5wasm, child, path));
    else if (child instanceof h5wasm.Dataset) {
      const v = child.value;
      const shape = child.shape ?? [];
      if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
        const arr = v as unknown as ArrayLike<number | bigint>;
        const values = new Float64Array(arr.length);
        for (let i = 0; i < arr.length; i++) values[i] = Number(arr[i]);
        datasets.set(key, { shape, values });
      } else if (typeof v === 'number') {
        datasets.set(key, { shape: [], values: Float64Array.of(v) });
      }
    }
  }
  return { attrs, groups, datasets };
}

/** String attributes as strings, string arrays as arrays; empty arrays (stored as empty numeric arrays) as []. */
function normalizeAttr(v: unknown): unknown {
  if (v instanceof Uint8Array && v.length > 0) return new TextDecoder().decode(v);
  if (ArrayBuffer.isView(v)) return Array.from(v as unknown as ArrayLike<number>);
  if (Array.isArray(v)) return v.map((x) => (x instanceof Uint8Array ? new TextDecoder().decode(x) : x));
  return v;
}
