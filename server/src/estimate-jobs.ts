// The background estimates of the open documents, computed one entry file at a time in a worker thread
// (estimate-worker.ts). The worker is started on demand and ended after a few idle seconds, so that its memory (the
// plans of large networks) goes back to the system. If the worker cannot run (a missing file in a broken install), the
// jobs report failure and the server computes the estimates itself.
import { Worker } from 'node:worker_threads';
import type { EstimateJob, EstimateJobResult } from './estimate-worker.js';

export type { EstimateJob, EstimateJobResult };

export interface JobRequest {
  readonly entry: string;
  /** The version of the entry document the job describes (the result is for that version only). */
  readonly version: number;
  readonly buffers: EstimateJob['buffers'];
  readonly networks: EstimateJob['networks'];
}

export class EstimateJobs {
  private worker: Worker | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private nextId = 1;
  private running: { id: number; request: JobRequest } | undefined;
  /** Entry files waiting for a job, with the function that builds their request when their turn comes. */
  private readonly queue = new Map<string, () => JobRequest | undefined>();

  constructor(
    private readonly onResult: (request: JobRequest, result: EstimateJobResult | undefined) => void,
    private readonly idleMs = 3000,
  ) {}

  private readonly idleWaiters = new Map<string, (() => void)[]>();

  /** Resolves when no job for this entry file is queued or running (at once if none is). */
  whenIdle(entry: string): Promise<void> {
    if (!this.pending(entry)) return Promise.resolve();
    return new Promise((resolve) => {
      const list = this.idleWaiters.get(entry) ?? [];
      list.push(resolve);
      this.idleWaiters.set(entry, list);
    });
  }

  private wakeIdle(): void {
    for (const [entry, list] of this.idleWaiters) {
      if (this.pending(entry)) continue;
      this.idleWaiters.delete(entry);
      for (const r of list) r();
    }
  }

  /** Whether a job for this entry file is queued or running. */
  pending(entry: string): boolean {
    return this.queue.has(entry) || this.running?.request.entry === entry;
  }

  /** Queues a job for an entry file (replacing a queued one); `build` is called when it starts. */
  request(entry: string, build: () => JobRequest | undefined): void {
    this.queue.set(entry, build);
    this.pump();
  }

  private disposed = false;

  dispose(): void {
    this.disposed = true;
    this.running = undefined;
    this.queue.clear();
    this.wakeIdle();
    void this.worker?.terminate();
    this.worker = undefined;
  }

  private pump(): void {
    if (this.running || this.disposed) return;
    for (const [entry, build] of this.queue) {
      this.queue.delete(entry);
      const request = build();
      if (!request) continue;
      const id = this.nextId++;
      this.running = { id, request };
      if (this.idleTimer) clearTimeout(this.idleTimer);
      const w = this.ensureWorker();
      if (!w) {
        this.finish(id, undefined);
        return;
      }
      const job: EstimateJob = { id, entry: request.entry, buffers: request.buffers, networks: request.networks };
      w.postMessage(job);
      return;
    }
    // Nothing to do: end the worker once it has been idle for a while.
    if (this.worker && !this.idleTimer) {
      this.idleTimer = setTimeout(() => {
        this.idleTimer = undefined;
        if (!this.running) {
          void this.worker?.terminate();
          this.worker = undefined;
        }
      }, this.idleMs);
      this.idleTimer.unref();
    }
  }

  private ensureWorker(): Worker | undefined {
    if (this.worker) return this.worker;
    let w: Worker;
    try {
      w = new Worker(new URL('./estimate-worker.js', import.meta.url), { stdout: true, stderr: true });
    } catch {
      return undefined;
    }
    w.unref();
    // The worker writes nothing; its streams are drained so that nothing it might print can fill a buffer.
    w.stdout.resume();
    w.stderr.resume();
    w.on('message', (m: EstimateJobResult) => this.finish(m.id, m));
    const lost = () => {
      if (this.worker === w) this.worker = undefined;
      if (this.running) this.finish(this.running.id, undefined);
    };
    w.on('error', lost);
    w.on('exit', lost);
    this.worker = w;
    return w;
  }

  private finish(id: number, result: EstimateJobResult | undefined): void {
    if (!this.running || this.running.id !== id) return;
    const { request } = this.running;
    this.running = undefined;
    try {
      this.onResult(request, result);
    } finally {
      this.pump();
      this.wakeIdle();
    }
  }
}
