// Checker tests as data: each fixture marks its expected diagnostics with `//~ CODE "text"` after the line.
//
// A fixture is a .qnn file, or a folder whose entry is main.qnn (for imports). A marker comment `//~ QNN2001`
// expects a diagnostic with that code starting on the nearest line above that is not a marker; `"text"` after a
// code requires the message to contain it. Every diagnostic must be expected, and every expectation met.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkProgram, LineIndex, memoryFileSystem } from '../src/index.js';

const dir = join(import.meta.dirname, 'fixtures/check');
const PARTS = ['xc7a35t', 'xc7a100t', 'xc7z020', 'xczu9eg', 'xcu250', 'xcvu9p', 'xcvu13p', 'ice40up5k', 'ice40hx8k'];
const parts = { has: (n: string) => PARTS.includes(n), names: () => PARTS };

interface Expectation {
  readonly path: string;
  readonly line: number;
  readonly code: string;
  readonly text: string | undefined;
}

function expectationsOf(path: string, text: string): Expectation[] {
  const out: Expectation[] = [];
  const lines = text.split('\n');
  let target = -1;
  lines.forEach((l, i) => {
    const m = /^\s*\/\/~\s*(.*)$/.exec(l);
    if (!m) {
      target = i;
      return;
    }
    for (const part of m[1].matchAll(/(QNN\d{4})(?:\s+"([^"]*)")?/g)) out.push({ path, line: target, code: part[1], text: part[2] });
  });
  return out;
}

function loadFixture(name: string): { files: Record<string, string>; entry: string } {
  const full = join(dir, name);
  if (statSync(full).isDirectory()) {
    const files: Record<string, string> = {};
    const walk = (d: string, rel: string) => {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        if (e.isDirectory()) walk(join(d, e.name), `${rel}${e.name}/`);
        else files[`/fx/${rel}${e.name}`] = readFileSync(join(d, e.name), 'utf8');
      }
    };
    walk(full, '');
    return { files, entry: '/fx/main.qnn' };
  }
  return { files: { '/fx/main.qnn': readFileSync(full, 'utf8') }, entry: '/fx/main.qnn' };
}

describe('checker fixtures', () => {
  const names = readdirSync(dir).filter((n) => n.endsWith('.qnn') || statSync(join(dir, n)).isDirectory());
  it('has fixtures', () => expect(names.length).toBeGreaterThan(10));
  for (const name of names) {
    it(name, () => {
      const { files, entry } = loadFixture(name);
      const program = checkProgram([entry], { fs: memoryFileSystem(files), parts });
      const expected = Object.entries(files).flatMap(([p, t]) => (p.endsWith('.qnn') ? expectationsOf(p, t) : []));
      const actual = [...program.diagnostics].flatMap(([p, ds]) => {
        const index = new LineIndex(files[p] ?? '');
        return ds.map((d) => ({ path: p, line: index.positionAt(d.span.start).line, code: d.code as string, message: d.message }));
      });
      const unmatched = [...actual];
      const missing: Expectation[] = [];
      for (const e of expected) {
        const i = unmatched.findIndex((a) => a.path === e.path && a.line === e.line && a.code === e.code && (e.text === undefined || a.message.includes(e.text)));
        if (i >= 0) unmatched.splice(i, 1);
        else missing.push(e);
      }
      const show = (x: { path: string; line: number; code: string; message?: string; text?: string }) =>
        `${x.path.replace('/fx/', '')}:${x.line + 1} ${x.code} ${x.message ?? JSON.stringify(x.text ?? '')}`;
      expect({ missing: missing.map(show), unexpected: unmatched.map(show) }).toEqual({ missing: [], unexpected: [] });
    });
  }
});
