// The benchmarks: `npm run bench` (tsc -b && node bench/run.mjs). Prints a table per section, with the target next to
// each figure, and writes the figures to bench/results/SECTION.json. Never asserts timing: figures, not tests.
//
// A section is a module exporting `run({ measure })` (it may ignore `measure` and time in child processes) that returns { section, rows: [{ name, medianMs, p99Ms, runs,
// targetMs? }], notes? }. Add later sections (simulator, estimator, LSP) to SECTIONS.
// `node bench/run.mjs language` runs only the named sections.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { measure } from './measure.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const RESULTS = join(HERE, 'results');

const SECTIONS = [
  { name: 'language', load: () => import('./language.mjs') },
  { name: 'simulator', load: () => import('./simulator.mjs') },
  { name: 'qor', load: () => import('./qor.mjs') },
  { name: 'estimator', load: () => import('./estimate.mjs') },
  { name: 'plan', load: () => import('./plan.mjs') },
  { name: 'lsp', load: () => import('./server.mjs') },
];


function ms(x) {
  if (x === undefined || Number.isNaN(x)) return '–';
  return x < 10 ? x.toFixed(3) : x < 100 ? x.toFixed(2) : x.toFixed(1);
}

/** Rows of throughput (`value`, a rate) rather than time. */
function rateTable(rows) {
  const head = ['benchmark', 'median', 'target', ''];
  const body = rows.map((r) => [r.name, r.display ?? Math.round(r.value).toLocaleString('en-US'), r.target ?? '–', r.met === undefined ? '' : r.met ? 'met' : 'NOT met']);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells) => cells.map((c, i) => (i === 1 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

function verdict(value, target, stat) {
  return value <= target ? `${stat} within` : `${stat} ${(value / target).toFixed(1)}× over`;
}

function table(rows) {
  if (rows.length > 0 && rows.every((r) => r.value !== undefined)) return rateTable(rows);
  const head = ['benchmark', 'median ms', 'p99 ms', 'runs', 'target ms', 'vs target'];
  const body = rows.map((r) => [
    r.name,
    ms(r.medianMs),
    ms(r.p99Ms),
    String(r.runs),
    r.targetMs === undefined ? '–' : `≤ ${r.targetMs}`,
    // A row says which figure its target is for (`targetStat: 'p99'`, as the language server's); else the median.
    r.targetMs === undefined ? '' : verdict(r.targetStat === 'p99' ? r.p99Ms : r.medianMs, r.targetMs, r.targetStat === 'p99' ? 'p99' : 'median'),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells) => cells.map((c, i) => (i === 0 || i === cells.length - 1 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd();
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

async function main() {
  const only = process.argv.slice(2);
  const unknown = only.filter((n) => !SECTIONS.some((s) => s.name === n));
  if (unknown.length) {
    process.stderr.write(`bench: unknown section ${unknown.join(', ')}; sections: ${SECTIONS.map((s) => s.name).join(', ')}\n`);
    process.exitCode = 2;
    return;
  }
  const machine = { node: process.version, platform: `${process.platform} ${process.arch}`, cpus: cpus().length, cpu: cpus()[0]?.model ?? 'unknown' };
  process.stdout.write(`QNN Studio benchmarks — node ${machine.node}, ${machine.cpus} × ${machine.cpu}\n`);
  mkdirSync(RESULTS, { recursive: true });
  for (const s of SECTIONS) {
    if (only.length && !only.includes(s.name)) continue;
    const mod = await s.load();
    const t0 = performance.now();
    const res = await mod.run({ measure });
    const seconds = (performance.now() - t0) / 1000;
    process.stdout.write(`\n## ${res.section} (${seconds.toFixed(1)} s)\n\n${table(res.rows)}\n`);
    for (const n of res.notes ?? []) process.stdout.write(`  note: ${n}\n`);
    const doc = { section: res.section, date: new Date().toISOString(), machine, rows: res.rows, notes: res.notes ?? [] };
    writeFileSync(join(RESULTS, `${res.section}.json`), JSON.stringify(doc, undefined, 2) + '\n');
  }
  process.stdout.write(`\nfigures written to ${join('bench', 'results')}/\n`);
}

await main();
