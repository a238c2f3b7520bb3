// Every sample checks without errors or warnings against the real device table, and is in canonical format.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkProgram, format } from '@qnn/language';
import { nodeFileSystem, partCatalog } from '../src/index.js';

const samples = join(import.meta.dirname, '../../samples');
function qnnFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((e) => {
    const p = join(dir, e);
    return statSync(p).isDirectory() ? qnnFiles(p) : p.endsWith('.qnn') ? [p] : [];
  });
}

describe('samples', () => {
  const files = qnnFiles(samples).sort();
  it('there are at least five sample folders', () => {
    expect(new Set(files.map((f) => f.split('/').slice(-2, -1)[0])).size).toBeGreaterThanOrEqual(5);
  });
  it('check with no diagnostics, every network complete', () => {
    const program = checkProgram(files, { fs: nodeFileSystem, parts: partCatalog });
    const all = [...program.diagnostics].flatMap(([p, ds]) => ds.map((d) => `${p}: ${d.code} ${d.message}`));
    expect(all).toEqual([]);
    for (const f of program.files.values()) for (const n of f.networks.values()) expect(n.complete, n.name).toBe(true);
  });
  for (const f of files) {
    it(`${f.slice(samples.length + 1)} is formatted, and formatting is idempotent`, () => {
      const text = readFileSync(f, 'utf8');
      const once = format(text);
      expect(once.ok).toBe(true);
      if (!once.ok) return;
      expect(once.text).toBe(text);
      const twice = format(once.text);
      expect(twice.ok && twice.text).toBe(once.text);
    });
  }
});
