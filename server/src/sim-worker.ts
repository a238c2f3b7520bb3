// The worker thread of qnn/simulate: runs one simulation job and posts progress, then the result or the error.
import { parentPort, workerData } from 'node:worker_threads';
import { CosimError, SimError } from '@qnn/simulator';
import { JobError, runSimulation, type SimulationJob } from './simulation.js';

// TensorFlow.js prints to the console; the parent's stdout is the protocol stream, so keep the worker's quiet.
console.log = () => undefined;
console.info = () => undefined;
console.warn = () => undefined;

const port = parentPort!;
const controller = new AbortController();
port.on('message', (m: { kind: string }) => {
  if (m.kind === 'abort') controller.abort();
});

runSimulation(workerData as SimulationJob, controller.signal, (done, total) => port.postMessage({ kind: 'progress', done, total }))
  .then((result) => port.postMessage({ kind: 'done', result }))
  .catch((e: unknown) => {
    const code = e instanceof JobError || e instanceof SimError || e instanceof CosimError ? e.code : 'QNN4007';
    port.postMessage({ kind: 'error', code, message: e instanceof Error ? e.message : String(e) });
  });
