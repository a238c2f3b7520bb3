// Regression fixture of the estimator: the estimate JSON (`qnn estimate --json`'s objects), the summed features and the
// QNN3xxx diagnostics of every sample and of generated networks (widths, sparsity, reuse, WRAP and SAT accumulators,
// iCE40 and AMD parts, a 100-layer network) must stay exactly as recorded. Speed work on the estimator must not change
// a single figure. `UPDATE_SNAPSHOTS=1 npx vitest run compiler/test/estimate-regression.test.ts` rewrites the fixture
// (only when a change of the estimate is intended; review the diff).
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkProgram, memoryFileSystem, type ProgramModel } from '@qnn/language';
import { computeEstimate, COST_TABLES, estimateDiagnostics, networkFeatures, nodeFileSystem, partCatalog } from '../src/index.js';
import { csdDigits, signedWidth } from '../src/estimate/features.js';

const SAMPLES = join(import.meta.dirname, '../../samples');
const FIXTURE = join(import.meta.dirname, 'fixtures/estimate-regression.json');
const UPDATE = process.env.UPDATE_SNAPSHOTS === '1';

/** A seeded chain of dense layers (and an activation between them). */
function generated(o: { n: number; width: number; w: string; x: string; accum: string; sparsity: number; reuse?: number; act?: string; part: string; seed: number }): string {
  const lines = [`target ${o.part} clock 5ns`, `type data = ${o.x}`, 'network g {', '  io parallel', ...(o.reuse ? [`  reuse ${o.reuse}`] : []), `  input x : data[${o.width}]`];
  let prev = 'x';
  for (let i = 0; i < o.n; i++) {
    const name = `l${i}`;
    const act = o.act ?? 'relu';
    lines.push(
      i % 2 === 0
        ? `  ${name} = dense(${prev}, ${o.width}) { weight: ${o.w} = random(seed: ${o.seed + i}, sparsity: ${o.sparsity}) bias: ${o.w} = random(seed: ${o.seed + 1000 + i}) accum: ${o.accum} } : data`
        : `  ${name} = ${act === 'leaky_relu' ? `leaky_relu(${prev}, 0.25)` : `${act}(${prev})`} : data`,
    );
    prev = name;
  }
  lines.push(`  output ${prev}`, '}', '');
  return lines.join('\n');
}

const GENERATED: Record<string, string> = {
  deep100: generated({ n: 100, width: 16, w: 'fixed<8, 2>', x: 'fixed<16, 6>', accum: 'fixed<24, 10>', sparsity: 0.3, part: 'xcvu13p', seed: 1 }),
  wide8bit: generated({ n: 4, width: 48, w: 'fixed<8, 1, RND, SAT>', x: 'fixed<8, 3, TRN, SAT>', accum: 'fixed<18, 8>', sparsity: 0.5, part: 'xc7a100t', seed: 11 }),
  wrapAccum: generated({ n: 4, width: 24, w: 'fixed<12, 3>', x: 'fixed<16, 6>', accum: 'fixed<16, 6, TRN, WRAP>', sparsity: 0.1, part: 'xcu250', seed: 21 }),
  satAccum: generated({ n: 4, width: 24, w: 'fixed<12, 3>', x: 'fixed<16, 6>', accum: 'fixed<16, 6, RND, SAT>', sparsity: 0.1, part: 'xczu9eg', seed: 31 }),
  wideWeights: generated({ n: 3, width: 12, w: 'fixed<20, 4>', x: 'fixed<27, 8>', accum: 'fixed<48, 16>', sparsity: 0, part: 'xcu250', seed: 41 }),
  narrowIce40: generated({ n: 6, width: 16, w: 'fixed<4, 1>', x: 'fixed<8, 3, TRN, SAT>', accum: 'fixed<14, 6>', sparsity: 0.4, part: 'ice40up5k', seed: 51 }),
  reuse4: generated({ n: 4, width: 32, w: 'fixed<8, 2>', x: 'fixed<16, 6>', accum: 'fixed<24, 10>', sparsity: 0.2, reuse: 4, part: 'xc7a35t', seed: 61 }),
  leaky: generated({ n: 4, width: 16, w: 'fixed<6, 1>', x: 'fixed<12, 4>', accum: 'fixed<20, 8>', sparsity: 0.6, act: 'leaky_relu', part: 'xc7z020', seed: 71 }),
  sparse: generated({ n: 4, width: 32, w: 'fixed<8, 2>', x: 'fixed<16, 6>', accum: 'fixed<24, 10>', sparsity: 0.9, act: 'relu6', part: 'xcvu9p', seed: 81 }),
};

type Case = { id: string; program: ProgramModel; path: string };

function cases(): Case[] {
  const out: Case[] = [];
  for (const dir of readdirSync(SAMPLES, { withFileTypes: true })) {
    if (!dir.isDirectory()) continue;
    for (const f of readdirSync(join(SAMPLES, dir.name)).filter((f) => f.endsWith('.qnn')).sort()) {
      const path = join(SAMPLES, dir.name, f);
      out.push({ id: `samples/${dir.name}/${f}`, program: checkProgram([path], { fs: nodeFileSystem, parts: partCatalog }), path });
    }
  }
  for (const [id, text] of Object.entries(GENERATED)) {
    const path = `/gen/${id}.qnn`;
    out.push({ id: `generated/${id}`, program: checkProgram([path], { fs: memoryFileSystem({ [path]: text }), parts: partCatalog }), path });
  }
  return out.sort((a, b) => a.id.localeCompare(b.id));
}

/** Everything the estimator reports for a file: per network, the estimate for its own target, an AMD part and an iCE40 part. */
function record(c: Case): unknown {
  const file = c.program.files.get(c.path)!;
  const nets = [...file.networks.values()].filter((n) => n.path === c.path && n.complete);
  const r: Record<string, unknown> = {};
  for (const n of nets) {
    const e: Record<string, unknown> = {};
    for (const part of [undefined, 'xc7a100t', 'ice40up5k']) {
      const opts = part ? { part } : {};
      e[part ?? 'target'] = { estimate: computeEstimate(n, opts, COST_TABLES), features: networkFeatures(n, opts) };
    }
    r[n.name] = e;
  }
  const diags = estimateDiagnostics(c.program).map((d) => ({ code: d.code, severity: d.severity, path: d.path === c.path ? 'FILE' : d.path, start: d.span.start, message: d.message }));
  return { networks: r, diagnostics: diags };
}

/** JSON with non-finite numbers kept distinguishable (Infinity utilizations). */
const json = (v: unknown) => JSON.parse(JSON.stringify(v, (_k, x) => (typeof x === 'number' && !Number.isFinite(x) ? `#${x}` : x)));

describe('estimate regression fixture', () => {
  const all = cases();
  const current = Object.fromEntries(all.map((c) => [c.id, json(record(c))]));
  if (UPDATE) writeFileSync(FIXTURE, JSON.stringify(current, undefined, 1) + '\n');
  const recorded = existsSync(FIXTURE) ? JSON.parse(readFileSync(FIXTURE, 'utf8')) : {};

  it('covers every sample and the generated networks', () => {
    expect(Object.keys(recorded).sort()).toEqual(Object.keys(current).sort());
  });
  for (const c of all) {
    it(`${c.id}: the estimate is unchanged`, () => {
      expect(current[c.id]).toEqual(recorded[c.id]);
    });
  }
  it('a re-checked model (new, equal weight arrays: the content caches answer) gives the same estimates', () => {
    const again = Object.fromEntries(cases().map((c) => [c.id, json(record(c))]));
    expect(again).toEqual(current);
  });
});

// The integer fast paths (clz32, popcount) against the general definitions, on a seeded sample and the edges.
describe('estimate fast paths', () => {
  const refWidth = (lo: number, hi: number) => {
    const need = (v: number) => (v >= 0 ? (v === 0 ? 1 : Math.floor(Math.log2(v)) + 2) : v === -1 ? 1 : Math.ceil(Math.log2(-v)) + 1);
    let k = Math.max(need(lo), need(hi));
    while (k > 1 && lo >= -(2 ** (k - 2)) && hi <= 2 ** (k - 2) - 1) k--;
    while (lo < -(2 ** (k - 1)) || hi > 2 ** (k - 1) - 1) k++;
    return k;
  };
  const refCsd = (w: number) => {
    let x = Math.abs(w);
    let n = 0;
    while (x !== 0) {
      if (x % 2 !== 0) {
        n++;
        x = x % 4 === 3 ? x + 1 : x - 1;
      }
      x /= 2;
    }
    return n;
  };
  let seed = 12345;
  const rnd = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296;
  const values = [0, 1, -1, 2, -2, 3, -3, 2 ** 30 - 1, 2 ** 30, -(2 ** 30), 2 ** 31 - 1, -(2 ** 31), 2 ** 31, -(2 ** 31) - 1, 2 ** 40 + 3, -(2 ** 45) - 7];
  for (let i = -4096; i <= 4096; i++) values.push(i);
  for (let i = 0; i < 20000; i++) values.push(Math.floor((rnd() * 2 - 1) * 2 ** Math.floor(rnd() * 34)));

  it('signedWidth equals the logarithm definition', () => {
    const bad: string[] = [];
    for (let i = 0; i < values.length; i++) {
      const a = values[i];
      const b = values[(i * 7 + 3) % values.length];
      const [lo, hi] = a <= b ? [a, b] : [b, a];
      if (signedWidth(a, a) !== refWidth(a, a)) bad.push(`${a}`);
      if (signedWidth(lo, hi) !== refWidth(lo, hi)) bad.push(`[${lo}, ${hi}]`);
    }
    expect(bad).toEqual([]);
  });
  it('csdDigits equals the non-adjacent form digit loop', () => {
    expect(values.filter((v) => csdDigits(v) !== refCsd(v))).toEqual([]);
  });
});
