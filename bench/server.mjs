// Benchmark section "lsp": the language server through a real LSP client over stdio (`node
// server/bin/qnn-language-server.js --stdio`): diagnostics published after an edit of a 1,000-line and a 10,000-line
// file, hover, inlay hints for a visible range, completion, and the server's RSS after opening a 10,000-line file.
// Each case starts its own server. Prints nothing itself; never asserts timing.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  createProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
} from 'vscode-languageserver-protocol/node.js';
import { realisticFile } from './language.mjs';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(REPO, 'server/bin/qnn-language-server.js');

/** A server and a client connection; `published(uri, version)` waits for the diagnostics of that version. */
async function startServer() {
  const child = spawn(process.execPath, [BIN, '--stdio'], { cwd: REPO, stdio: ['pipe', 'pipe', 'ignore'] });
  const c = createProtocolConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  const waiters = [];
  const last = new Map();
  const counts = new Map();
  c.onNotification('textDocument/publishDiagnostics', (p) => {
    last.set(p.uri, p.version);
    counts.set(p.uri, (counts.get(p.uri) ?? 0) + 1);
    for (let i = waiters.length - 1; i >= 0; i--) {
      if (waiters[i].uri === p.uri && (p.version ?? -1) >= waiters[i].version) waiters.splice(i, 1)[0].resolve(performance.now());
    }
  });
  c.onRequest('workspace/configuration', () => [null]);
  c.onRequest('client/registerCapability', () => null);
  c.onNotification('window/logMessage', () => undefined);
  c.listen();
  await c.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities: {}, workspaceFolders: null });
  await c.sendNotification('initialized', {});
  const published = (uri, version) =>
    (last.get(uri) ?? -1) >= version ? Promise.resolve(performance.now()) : new Promise((resolve) => waiters.push({ uri, version, resolve }));
  const stop = async () => {
    await c.sendRequest('shutdown').catch(() => undefined);
    await c.sendNotification('exit').catch(() => undefined);
    setTimeout(() => child.kill(), 1000).unref();
  };
  /** Resolves once `n` publications for `uri` have arrived (the second is the background estimate's), or after `ms`. */
  const publications = async (uri, n, ms = 60_000) => {
    const t0 = performance.now();
    while ((counts.get(uri) ?? 0) < n && performance.now() - t0 < ms) await new Promise((r) => setTimeout(r, 10));
  };
  return { c, child, published, publications, stop };
}

function stats(times) {
  const t = Float64Array.from(times).sort();
  const q = (p) => t[Math.min(t.length - 1, Math.max(0, Math.ceil(p * t.length) - 1))];
  return { runs: t.length, medianMs: q(0.5), p99Ms: q(0.99), maxMs: t[t.length - 1] };
}

function rssMb(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** Opens a generated file; returns its uri, text and the time to its first diagnostics. */
async function openFile(s, lines) {
  const text = realisticFile(lines);
  const uri = pathToFileURL(join(REPO, `bench/generated-${lines}.qnn`)).href;
  const t0 = performance.now();
  await s.c.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'qnn', version: 1, text } });
  const t1 = await s.published(uri, 1);
  return { uri, text, openMs: t1 - t0 };
}

/** Diagnostics after an edit: type and delete a character at the end of the file's first comment, in turn. */
async function editCase(lines, runs, warmup) {
  const s = await startServer();
  try {
    const { uri, text } = await openFile(s, lines);
    const firstLine = text.split('\n')[0];
    let version = 1;
    const times = [];
    for (let i = 0; i < warmup + runs; i++) {
      version++;
      const add = i % 2 === 0;
      const at = { line: 0, character: firstLine.length };
      const change = add ? { range: { start: at, end: at }, text: 'x' } : { range: { start: at, end: { line: 0, character: firstLine.length + 1 } }, text: '' };
      const t0 = performance.now();
      await s.c.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [change] });
      const t1 = await s.published(uri, version);
      if (i >= warmup) times.push(t1 - t0);
    }
    return stats(times);
  } finally {
    await s.stop();
  }
}

/** A request timed `runs` times after warm-up, on a settled document (its estimates computed). */
async function requestCase(lines, method, params, runs, warmup) {
  const s = await startServer();
  try {
    const { uri, text } = await openFile(s, lines);
    const p = params(uri, text);
    // Steady state: the estimates of the document are in and the background job is done (its result is the second
    // publication of the diagnostics).
    await s.c.sendRequest('qnn/estimate', { uri });
    await s.publications(uri, 2);
    for (let i = 0; i < warmup; i++) await s.c.sendRequest(method, p);
    const times = [];
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      await s.c.sendRequest(method, p);
      times.push(performance.now() - t0);
    }
    return stats(times);
  } finally {
    await s.stop();
  }
}

/** The line and column of the n-th occurrence of a pattern. */
function find(text, re, n = 0) {
  const lines = text.split('\n');
  let k = 0;
  for (let i = 0; i < lines.length; i++) {
    const m = re.exec(lines[i]);
    if (m && k++ === n) return { line: i, character: m.index + 1 };
  }
  throw new Error(`bench: ${re} not found`);
}

export async function run() {
  const rows = [];
  const notes = [];
  const edit1k = await editCase(1000, 300, 20);
  rows.push({ name: 'diagnostics after an edit, 1,000-line file', ...edit1k, targetMs: 20, targetStat: 'p99' });
  const edit10k = await editCase(10_000, 60, 5);
  rows.push({ name: 'diagnostics after an edit, 10,000-line file', ...edit10k, targetMs: 150, targetStat: 'p99' });

  const hover = await requestCase(1000, 'textDocument/hover', (uri, text) => ({ textDocument: { uri }, position: find(text, /fc\d+ = dense/, 20) }), 200, 5);
  rows.push({ name: 'hover on a layer, 1,000-line file', ...hover, targetMs: 5, targetStat: 'p99' });
  const hover10k = await requestCase(10_000, 'textDocument/hover', (uri, text) => ({ textDocument: { uri }, position: find(text, /fc\d+ = dense/, 1000) }), 200, 5);
  rows.push({ name: 'hover on a layer, 10,000-line file', ...hover10k, targetMs: 5, targetStat: 'p99' });
  const inlay = await requestCase(10_000, 'textDocument/inlayHint', (uri, text) => {
    const mid = Math.floor(text.split('\n').length / 2);
    return { textDocument: { uri }, range: { start: { line: mid, character: 0 }, end: { line: mid + 60, character: 0 } } };
  }, 200, 5);
  rows.push({ name: 'inlay hints of 60 visible lines, 10,000-line file', ...inlay, targetMs: 10, targetStat: 'p99' });
  const completion = await requestCase(10_000, 'textDocument/completion', (uri, text) => {
    const at = find(text, /= dense\(/, 1200);
    return { textDocument: { uri }, position: { line: at.line, character: text.split('\n')[at.line].indexOf('(') + 1 } };
  }, 200, 5);
  rows.push({ name: 'completion of a layer argument, 10,000-line file', ...completion, targetMs: 10, targetStat: 'p99' });

  // Memory: RSS of the server process after opening the 10,000-line file (diagnostics published), and once its
  // estimates are computed too (the first hover of each network).
  const s = await startServer();
  try {
    const { uri, text, openMs } = await openFile(s, 10_000);
    await new Promise((r) => setTimeout(r, 500));
    const afterOpen = rssMb(s.child.pid);
    // The estimates are computed by a worker thread in the server process: sample its RSS meanwhile for the peak.
    let peak = afterOpen;
    const sampler = setInterval(() => (peak = Math.max(peak, rssMb(s.child.pid))), 50);
    const t0 = performance.now();
    for (let n = 0; n < 4; n++) await s.c.sendRequest('textDocument/hover', { textDocument: { uri }, position: find(text, /fc\d+ = dense/, n * 300 + 5) });
    const figuresMs = performance.now() - t0;
    // Steady state: the worker ends after 3 s idle, and the server collects once idle for a second (memory.ts).
    await new Promise((r) => setTimeout(r, 5000));
    clearInterval(sampler);
    const afterEstimates = rssMb(s.child.pid);
    rows.push({ name: 'RSS after opening a 10,000-line file (MB)', medianMs: afterOpen, p99Ms: afterOpen, runs: 1, targetMs: 200 });
    rows.push({ name: 'RSS with its estimates computed too, idle (MB)', medianMs: afterEstimates, p99Ms: afterEstimates, runs: 1, targetMs: 200 });
    rows.push({ name: 'RSS peak while its estimates are computed (MB)', medianMs: peak, p99Ms: peak, runs: 1 });
    notes.push(`opening the 10,000-line file: first diagnostics after ${openMs.toFixed(0)} ms; hovers with the figures of its 4 networks after ${(figuresMs / 1000).toFixed(1)} s (the background job)`);
  } finally {
    await s.stop();
  }
  notes.push('edits alternate typing and deleting one character in a comment; the diagnostics timed are the first publication of the edited version (the estimator\'s QNN3xxx follow after 250 ms of quiet)');
  notes.push('hover, inlay hints and completion are timed on a document whose estimates are computed (steady state while reading code: qnn/estimate first); RSS rows are in MB, not ms');
  return { section: 'lsp', rows, notes };
}
