// Returning memory to the system when the server is idle. Estimating a large network allocates its plan (every
// product of every layer) for a moment; V8 keeps the pages it grew into until a full collection with compaction, which
// it schedules lazily. After a burst of work (estimates, a simulation), one full collection once the server has been
// idle for a second brings its RSS back to what it holds (docs/server.md, "Performance").
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let collect: (() => void) | undefined | null = null;

/** V8's `gc()`, exposed at run time (the server is started without --expose-gc by npx and by VS Code). */
function gcFunction(): (() => void) | undefined {
  if (collect === null) {
    try {
      setFlagsFromString('--expose-gc');
      const f = runInNewContext('gc') as unknown;
      collect = typeof f === 'function' ? (f as () => void) : undefined;
    } catch {
      collect = undefined;
    }
  }
  return collect;
}

let timer: NodeJS.Timeout | undefined;

/** Schedules a full collection after `idleMs` without another call (each call postpones it). */
export function releaseMemoryWhenIdle(idleMs = 1000): void {
  if (timer) clearTimeout(timer);
  timer = setTimeout(() => {
    timer = undefined;
    gcFunction()?.();
  }, idleMs);
  timer.unref();
}
