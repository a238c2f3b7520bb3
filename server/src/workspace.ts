// The server's view of the files: open editor buffers first, then the disk; one checked program per open document,
// cached until a file it reads changes.
import { readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { isVirtualPath } from './paths.js';
import { releaseMemoryWhenIdle } from './memory.js';
import {
  checkProgram,
  createParseCache,
  LineIndex,
  resolveRelative,
  type FileModel,
  type FileSystem,
  type NetworkModel,
  type ParseCache,
  type ProgramModel,
  type ReadResult,
} from '@qnn/language';
import { nodeFileSystem, partCatalog } from '@qnn/compiler';
import { estimateAdapter, type EstimateOptions, type Estimator, type NetworkEstimate } from './estimates.js';

export interface OpenDocument {
  readonly uri: string;
  readonly path: string;
  readonly version: number;
  readonly text: string;
}

/** The checked program of one entry file, with the per-file line tables and the estimates computed on demand. */
export class Analysis {
  private readonly lineTables = new Map<string, LineIndex>();

  constructor(
    readonly entry: string,
    readonly program: ProgramModel,
    /** Every file this analysis read or tried to read (`.qnn` files; data files are tracked as a whole). */
    readonly deps: ReadonlySet<string>,
    readonly estimator: Estimator,
    private readonly owner?: Workspace,
  ) {}

  /** The estimate of a network for a request (see Workspace.estimateFor); stale while a newer one is pending. */
  estimate(net: NetworkModel, deadline?: number): { estimate: NetworkEstimate | undefined; stale: boolean } {
    if (this.owner) return this.owner.estimateFor(this, net, deadline);
    return { estimate: this.estimator.network(this.program, net), stale: false };
  }

  get file(): FileModel | undefined {
    return this.program.files.get(this.entry);
  }

  fileAt(path: string): FileModel | undefined {
    return this.program.files.get(path);
  }

  /** The line table of a file of the program (built once per analysis, that is once per version). */
  lines(path: string): LineIndex {
    let li = this.lineTables.get(path);
    if (!li) {
      li = new LineIndex(this.program.files.get(path)?.text ?? '');
      this.lineTables.set(path, li);
    }
    return li;
  }

  /** The network model that defines a symbol at `span` of `path` (its own file's model). */
  networkAt(path: string, offset: number): NetworkModel | undefined {
    const f = this.program.files.get(path);
    if (!f) return undefined;
    for (const n of f.networks.values()) if (n.decl.span.start <= offset && offset <= n.decl.span.end) return n;
    return undefined;
  }
}

/** A network whose last estimate took less than this (ms) is estimated on demand; larger ones in the background. */
const CHEAP_ESTIMATE_MS = 5;
/** A network with at most this many weights (and constants) is small: estimating it takes milliseconds. */
const SMALL_NETWORK_CONSTANTS = 50_000;

const sizes = new WeakMap<NetworkModel, number>();
/** The number of constant values of a network, including the networks it calls (each counted once). */
function constantCount(net: NetworkModel, seen = new Set<NetworkModel>()): number {
  const hit = sizes.get(net);
  if (hit !== undefined) return hit;
  seen.add(net);
  let n = 0;
  for (const l of net.layers) {
    for (const c of Object.values(l.consts)) n += c.shape.reduce((x, d) => x * d, 1);
    if ('network' in l.op && !seen.has(l.op.network)) n += constantCount(l.op.network, seen);
  }
  sizes.set(net, n);
  return n;
}

export function isSmall(net: NetworkModel): boolean {
  return constantCount(net) <= SMALL_NETWORK_CONSTANTS;
}

export interface WorkspaceOptions {
  /** Replaces the disk (tests). */
  readonly disk?: FileSystem;
}

export class Workspace {
  private readonly docs = new Map<string, OpenDocument>();
  private readonly analyses = new Map<string, Analysis>();
  private readonly parseCache: ParseCache = createParseCache();
  private readonly disk: FileSystem;
  private folders: string[] = [];
  private worldGeneration = 0;
  private worldCache: { generation: number; analysis: Analysis } | undefined;
  readonly estimator: Estimator = estimateAdapter();
  /** The last estimate of each network of each entry file, shown while the current one is being computed. */
  private readonly lastEstimates = new Map<string, Map<string, NetworkEstimate>>();
  /** Entry files with networks whose current estimate was not computed yet (a stale one was shown). */
  readonly estimatesMissing = new Set<string>();
  readonly fs: FileSystem;

  constructor(opts: WorkspaceOptions = {}) {
    this.disk = opts.disk ?? nodeFileSystem;
    this.fs = {
      readText: (path): ReadResult<string> => {
        const d = this.docs.get(path);
        return d ? { kind: 'ok', value: d.text } : this.disk.readText(path);
      },
      readBytes: (path) => this.readBytesCached(path),
    };
  }

  /** Data files (weights, test data) read again only when their size or modification time changes. */
  private readonly bytes = new Map<string, { mtimeMs: number; size: number; value: ReadResult<Uint8Array> }>();

  private readBytesCached(path: string): ReadResult<Uint8Array> {
    if (this.disk !== nodeFileSystem) return this.disk.readBytes(path);
    let st;
    try {
      st = statSync(path);
    } catch {
      this.bytes.delete(path);
      return this.disk.readBytes(path);
    }
    const hit = this.bytes.get(path);
    if (hit && hit.mtimeMs === st.mtimeMs && hit.size === st.size) return hit.value;
    const value = this.disk.readBytes(path);
    // Only small files are kept: large weights are read each time rather than held twice.
    if (value.kind === 'ok' && value.value.length <= 4 << 20) this.bytes.set(path, { mtimeMs: st.mtimeMs, size: st.size, value });
    else this.bytes.delete(path);
    return value;
  }

  setFolders(paths: readonly string[]): void {
    this.folders = [...paths];
    this.worldGeneration++;
  }

  document(path: string): OpenDocument | undefined {
    return this.docs.get(path);
  }

  openDocuments(): OpenDocument[] {
    return [...this.docs.values()];
  }

  /** Records the new text of a document; returns the open documents whose results are now stale. */
  update(doc: OpenDocument): string[] {
    this.docs.set(doc.path, doc);
    return this.invalidate(doc.path);
  }

  close(path: string): string[] {
    this.docs.delete(path);
    this.lastEstimates.delete(path);
    for (const k of this.costs.keys()) if (k.startsWith(`${path}\0`)) this.costs.delete(k);
    this.analyses.delete(path);
    return this.invalidate(path);
  }

  /** A file changed on disk (or was created or deleted): `.qnn` files invalidate their importers, data files all. */
  diskChanged(path: string): string[] {
    if (path.toLowerCase().endsWith('.qnn')) return this.invalidate(path);
    const stale = [...this.analyses.keys()];
    this.analyses.clear();
    this.worldGeneration++;
    return stale.filter((p) => this.docs.has(p));
  }

  /** The checked program of an entry file, cached until one of the files it reads changes. */
  analysis(path: string): Analysis {
    let a = this.analyses.get(path);
    if (!a) {
      a = this.check([path], path);
      this.analyses.set(path, a);
    }
    return a;
  }

  /**
   * The estimate of a network for a request. Computed now when it is cached, when there is no earlier one to show,
   * or before the deadline; otherwise the last estimate of the network of that name is returned as stale, and the
   * entry is recorded in `estimatesMissing` for the server to compute in the background.
   */
  estimateFor(a: Analysis, net: NetworkModel, deadline?: number): { estimate: NetworkEstimate | undefined; stale: boolean } {
    const opts = this.estimateOptions(net);
    const c = a.estimator.cached(net, opts);
    if (c.hit) return { estimate: c.value, stale: false };
    const last = this.lastEstimates.get(a.entry)?.get(net.name);
    // With background jobs (the server), a view shows the previous figures unless the network is cheap to estimate
    // (its last estimate took under CHEAP_ESTIMATE_MS) and no job is on it already: a large network is never
    // estimated on the thread that answers the editor.
    const costKey = `${a.entry}\0${net.name}`;
    const cost = this.costs.get(costKey);
    const background = this.backgroundPending !== undefined;
    const cheap = isSmall(net) || (cost !== undefined && cost <= CHEAP_ESTIMATE_MS);
    if (last && deadline !== undefined && background && (this.backgroundPending!(a.entry) || !cheap)) {
      this.estimatesMissing.add(a.entry);
      return { estimate: last, stale: true };
    }
    if (!last || deadline === undefined || performance.now() < deadline) {
      const t0 = performance.now();
      const e = a.estimator.network(a.program, net, opts);
      this.costs.set(costKey, performance.now() - t0);
      this.remember(a.entry, net.name, e);
      return { estimate: e, stale: false };
    }
    this.estimatesMissing.add(a.entry);
    return { estimate: last, stale: true };
  }

  /**
   * Whether the views of an entry file can be answered without waiting for a background job: every network has
   * figures to show (current or previous), or is small enough to estimate on demand.
   */
  hasFigures(a: Analysis): boolean {
    const f = a.file;
    if (!f) return true;
    for (const net of f.networks.values()) {
      if (a.estimator.cached(net, this.estimateOptions(net)).hit || isSmall(net)) continue;
      if (!this.lastEstimates.get(a.entry)?.has(net.name)) return false;
    }
    return true;
  }

  /** Whether a background job is computing the estimates of an entry file (set by the server). */
  backgroundPending: ((entry: string) => boolean) | undefined;

  /**
   * Takes the estimates a background job computed for the current version of an entry file: they become the cached
   * estimates of its network objects (and the last known figures of each network).
   */
  acceptEstimates(a: Analysis, estimates: readonly (readonly [string, NetworkEstimate | null, number])[]): void {
    for (const [name, e, ms] of estimates) {
      const net = a.file?.networks.get(name);
      if (net) a.estimator.seed(net, this.estimateOptions(net), e ?? undefined);
      this.remember(a.entry, name, e ?? undefined);
      this.costs.set(`${a.entry}\0${name}`, ms);
    }
  }

  /** Estimates of an older version: kept only as the last known figures (shown as stale). */
  rememberEstimates(entry: string, estimates: readonly (readonly [string, NetworkEstimate | null, number])[]): void {
    for (const [name, e] of estimates) this.remember(entry, name, e ?? undefined);
  }

  /** How long the last estimate of each network took (entry and name), to decide where the next one is computed. */
  private readonly costs = new Map<string, number>();

  /** The part and clock of networks whose file names none (the client's `qnn.defaultPart`, `qnn.defaultClockNs`). */
  private defaults: EstimateOptions = {};

  setEstimateDefaults(d: EstimateOptions): void {
    if (d.part === this.defaults.part && d.clockNs === this.defaults.clockNs) return;
    this.defaults = d;
    this.lastEstimates.clear();
  }

  /** Estimator options of a network: the defaults where its file gives no target (or no clock). */
  estimateOptions(net: NetworkModel): EstimateOptions | undefined {
    const part = net.target ? undefined : this.defaults.part;
    const clockNs = net.target?.clockNs !== undefined ? undefined : this.defaults.clockNs;
    if (part === undefined && clockNs === undefined) return undefined;
    return { ...(part !== undefined ? { part } : {}), ...(clockNs !== undefined ? { clockNs } : {}) };
  }

  /** Computes the estimates of an analysis that are not cached yet; returns false when there was nothing to do. */
  computeEstimate(a: Analysis): boolean {
    for (const f of [a.file].filter((x): x is FileModel => x !== undefined)) {
      for (const net of f.networks.values()) {
        const opts = this.estimateOptions(net);
        if (a.estimator.cached(net, opts).hit) continue;
        this.remember(a.entry, net.name, a.estimator.network(a.program, net, opts));
        return true;
      }
    }
    return false;
  }

  private remember(entry: string, name: string, e: NetworkEstimate | undefined): void {
    // Estimating allocated the network's plan for a moment: give the memory back once the server is idle.
    releaseMemoryWhenIdle();
    if (!e) return;
    let m = this.lastEstimates.get(entry);
    if (!m) this.lastEstimates.set(entry, (m = new Map()));
    m.set(name, e);
  }

  /** Whether a cached analysis exists (for tests and the bench). */
  isCached(path: string): boolean {
    return this.analyses.has(path);
  }

  /**
   * Every `.qnn` file of the workspace folders and every open document, checked as one program: for workspace
   * symbols, references and rename (which must see the files that import a definition). Cached until anything changes.
   */
  world(): Analysis {
    if (this.worldCache && this.worldCache.generation === this.worldGeneration) return this.worldCache.analysis;
    const entries = new Set<string>([...this.workspaceFiles(), ...this.docs.keys()]);
    const analysis = this.check([...entries], '');
    this.worldCache = { generation: this.worldGeneration, analysis };
    return analysis;
  }

  /** `.qnn` files under the workspace folders (not in node_modules, dist or hidden folders), at most 5,000. */
  workspaceFiles(): string[] {
    const out: string[] = [];
    // Without workspace folders, the folders of the open documents (not their subfolders) stand for the workspace.
    const recursive = this.folders.length > 0;
    const stack = recursive ? [...this.folders] : [...new Set([...this.docs.keys()].filter((p) => !isVirtualPath(p)).map((p) => dirname(p)))];
    while (stack.length && out.length < 5000) {
      const dir = stack.pop()!;
      let names: string[];
      try {
        names = readdirSync(dir);
      } catch {
        continue;
      }
      for (const n of names) {
        if (n.startsWith('.') || n === 'node_modules' || n === 'dist') continue;
        const p = join(dir, n);
        if (n.endsWith('.qnn')) out.push(p.replace(/\\/g, '/'));
        else {
          try {
            if (recursive && statSync(p).isDirectory()) stack.push(p);
          } catch {
            // Unreadable entries are skipped.
          }
        }
      }
    }
    return out;
  }

  private invalidate(path: string): string[] {
    this.worldGeneration++;
    const stale: string[] = [];
    for (const [entry, a] of this.analyses) {
      if (entry === path || a.deps.has(path)) {
        this.analyses.delete(entry);
        if (this.docs.has(entry)) stale.push(entry);
      }
    }
    if (this.docs.has(path) && !stale.includes(path)) stale.push(path);
    return stale;
  }

  private check(entries: readonly string[], entry: string): Analysis {
    const program = checkProgram(entries, { fs: this.fs, parts: partCatalog, cache: this.parseCache });
    const deps = new Set<string>(program.files.keys());
    for (const f of program.files.values()) {
      for (const item of f.ast.items) {
        if (item.kind === 'import' && item.path?.closed) deps.add(resolveRelative(f.path, item.path.value));
      }
    }
    for (const e of entries) deps.add(e);
    return new Analysis(entry, program, deps, this.estimator, this);
  }
}
