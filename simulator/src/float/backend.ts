// Loading TensorFlow.js and choosing its backend for the float reference.
//
// - tfjs is imported lazily (the first float run pays ~0.5 s; importing @qnn/simulator does not).
// - Backends, in the default order of preference: 'node' (@tensorflow/tfjs-node, only when it is installed: an optional
//   peer dependency, because its install script downloads libtensorflow and fails offline), 'wasm'
//   (@tensorflow/tfjs-backend-wasm, its .wasm binaries loaded from the package's own dist folder on disk: nothing is
//   downloaded at install or run time), 'cpu' (plain JavaScript, always there). A backend that fails to initialise
//   falls back to the next one; the result says which backend ran and why another did not.
// - The wasm backend is an emscripten module. When it starts in Node it adds process handlers for
//   'uncaughtException' (re-throws anything that is not its own exit) and 'unhandledRejection' (re-throws the reason):
//   with them, one stray error anywhere in a long-running process (the language server) kills it, even when the
//   process has handlers of its own. We compare the listeners before and after the initialisation and remove exactly
//   the ones that appeared. (A handler that other code adds while the wasm module starts, a few milliseconds inside
//   `tf.setBackend('wasm')`, would be removed too: initialise the backend at start-up, or before adding handlers.)
// - tfjs has one global engine and one active backend, so every float run holds a lock (`exclusive`) from choosing
//   the backend to reading back its results.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type * as TF from '@tensorflow/tfjs';

export type Tf = typeof TF;
export type FloatBackend = 'wasm' | 'cpu' | 'node';

/** What `initFloatBackend` chose. */
export interface FloatBackendInfo {
  /** The backend that is active now. */
  readonly backend: FloatBackend;
  /** Why a backend earlier in the order (or the one asked for) did not run; undefined when the first choice ran. */
  readonly fallback: string | undefined;
}

const require = createRequire(import.meta.url);
/** tfjs's name for the tfjs-node backend. */
const NODE_BACKEND = 'tensorflow';
const TFJS_NODE = '@tensorflow/tfjs-node';
const HANDLER_EVENTS = ['uncaughtException', 'unhandledRejection'] as const;

let tfPromise: Promise<Tf> | undefined;
/** Backends whose initialisation was tried: undefined when it worked, else the reason it did not. */
const initResults = new Map<FloatBackend, Promise<string | undefined>>();
let removedHandlers = 0;

/** Loads @tensorflow/tfjs once. Production mode: tfjs prints no hints ("install tfjs-node") and skips debug checks. */
export function loadTf(): Promise<Tf> {
  tfPromise ??= import('@tensorflow/tfjs').then((tf) => {
    tf.enableProdMode();
    return tf;
  });
  return tfPromise;
}

/** The folder of @tensorflow/tfjs-backend-wasm's .wasm files (the package's dist folder), with a trailing '/'. */
export function wasmBinaryDir(): string {
  return join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm')), '/');
}

/** Whether @tensorflow/tfjs-node can be resolved from here (it is an optional peer dependency). */
export function tfjsNodeInstalled(): boolean {
  try {
    require.resolve(TFJS_NODE);
    return true;
  } catch {
    return false;
  }
}

/**
 * How many process handlers the wasm backend's initialisation added and we removed (0 before it has run). For
 * diagnostics and tests.
 */
export function removedProcessHandlerCount(): number {
  return removedHandlers;
}

type Listener = (...args: unknown[]) => void;
/** `process` as a plain emitter: its typed overloads do not accept a union of event names. */
const emitter: NodeJS.EventEmitter = process;

function snapshotHandlers(): Map<string, Listener[]> {
  return new Map(HANDLER_EVENTS.map((e) => [e, emitter.listeners(e) as Listener[]]));
}

/** Removes the 'uncaughtException' / 'unhandledRejection' listeners that are not in `before`. */
function removeAddedHandlers(before: Map<string, Listener[]>): void {
  for (const e of HANDLER_EVENTS) {
    const old = before.get(e) ?? [];
    for (const l of emitter.listeners(e) as Listener[]) {
      if (!old.includes(l)) {
        emitter.removeListener(e, l);
        removedHandlers++;
      }
    }
  }
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

async function initWasm(tf: Tf): Promise<string | undefined> {
  const before = snapshotHandlers();
  try {
    const dir = wasmBinaryDir();
    if (!existsSync(join(dir, 'tfjs-backend-wasm.wasm'))) return `the wasm binaries are missing from ${dir}`;
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    wasm.setWasmPaths(dir);
    // setBackend initialises the backend (instantiates the emscripten module) and reports failure as false.
    if (!(await tf.setBackend('wasm'))) return 'the wasm backend failed to initialise';
    return undefined;
  } catch (e) {
    return `the wasm backend failed to initialise: ${message(e)}`;
  } finally {
    removeAddedHandlers(before);
  }
}

async function initNode(tf: Tf): Promise<string | undefined> {
  if (!tfjsNodeInstalled()) return `${TFJS_NODE} is not installed`;
  try {
    // A variable specifier: the package is optional, so the compiler must not look for it.
    const name: string = TFJS_NODE;
    await import(name);
    // tfjs-node registers its backend with the tfjs-core it imports; a second copy of tfjs-core (another version)
    // would register it elsewhere.
    if (!tf.findBackendFactory(NODE_BACKEND)) return `${TFJS_NODE} uses another copy of @tensorflow/tfjs-core than @tensorflow/tfjs (versions differ)`;
    if (!(await tf.setBackend(NODE_BACKEND))) return `the ${TFJS_NODE} backend failed to initialise`;
    return undefined;
  } catch (e) {
    return `${TFJS_NODE} failed to load: ${message(e)}`;
  }
}

async function initCpu(tf: Tf): Promise<string | undefined> {
  return (await tf.setBackend('cpu')) ? undefined : 'the cpu backend failed to initialise';
}

/** Initialises one backend (once per process) and makes it the active one; a reason when it cannot run. */
async function activate(tf: Tf, backend: FloatBackend): Promise<string | undefined> {
  let init = initResults.get(backend);
  if (!init) {
    init = backend === 'wasm' ? initWasm(tf) : backend === 'node' ? initNode(tf) : initCpu(tf);
    initResults.set(backend, init);
    return init;
  }
  const failed = await init;
  if (failed) return failed;
  const name = backend === 'node' ? NODE_BACKEND : backend;
  if (tf.getBackend() !== name && !(await tf.setBackend(name))) return `the ${backend} backend failed to initialise`;
  return undefined;
}

/**
 * Initialises the float reference's backend ahead of a run (a server may do it at start-up, so that the first
 * comparison is fast) and says which one works: the one asked for, else the first that works of node (when
 * installed), wasm, cpu. Waits for float runs in progress, whose backend it would otherwise switch.
 */
export function initFloatBackend(preferred?: FloatBackend): Promise<FloatBackendInfo> {
  return exclusive(async () => {
    const { backend, fallback } = await activateBackend(preferred);
    return { backend, fallback };
  });
}

/** `initFloatBackend` without the lock, for code that holds it (`exclusive`); also gives the tfjs module. */
export async function activateBackend(preferred?: FloatBackend): Promise<FloatBackendInfo & { readonly tf: Tf }> {
  const tf = await loadTf();
  const order: FloatBackend[] = preferred
    ? [preferred, ...(['wasm', 'cpu'] as const).filter((b) => b !== preferred)]
    : tfjsNodeInstalled()
      ? ['node', 'wasm', 'cpu']
      : ['wasm', 'cpu'];
  const reasons: string[] = [];
  for (const backend of order) {
    const failed = await activate(tf, backend);
    if (!failed) return { tf, backend, fallback: reasons.length ? reasons.join('; ') : undefined };
    reasons.push(failed);
  }
  throw new Error(`No TensorFlow.js backend could be initialised: ${reasons.join('; ')}.`);
}

let queue: Promise<unknown> = Promise.resolve();

/** Runs `f` after every earlier float computation has finished: tfjs's active backend and engine are global. */
export function exclusive<T>(f: () => Promise<T>): Promise<T> {
  const run = queue.then(f, f);
  queue = run.catch(() => undefined);
  return run;
}
