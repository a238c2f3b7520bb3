// Keeps docs/diagnostics.md true: its generated catalog equals what docs/generate-diagnostics.mjs would write from
// CODES now; every code that the sources (language, compiler, simulator) report is in CODES; every code has a section with an example
// message (or, for a code no source reports yet, says so). The examples themselves are checked by docs.test.ts.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CODES } from '../src/diagnostics.js';
// A plain JavaScript module, shared with docs/generate-diagnostics.mjs (typed by its JSDoc comments).
import { codesSection, END_MARKER, renderCodes } from '../../docs/render-codes.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DOC = readFileSync(join(ROOT, 'docs/diagnostics.md'), 'utf8');
/** The packages whose sources report diagnostics. */
const SRCS = ['language/src', 'compiler/src', 'simulator/src'].map((d) => join(ROOT, d));

/** Every .ts file under a folder, recursively. */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** Codes written as string literals in the sources ('QNN2021'): the codes some analysis reports. */
const reported = new Map<string, string[]>();
for (const src of SRCS) {
  for (const file of sources(src)) {
    for (const m of readFileSync(file, 'utf8').matchAll(/'(QNN\d{4})'/g)) {
      const files = reported.get(m[1]) ?? [];
      files.push(file.slice(ROOT.length));
      reported.set(m[1], files);
    }
  }
}

/** The hand-written part after the generated catalog, split into `### QNNxxxx` sections. */
const handWritten = DOC.slice(DOC.indexOf(END_MARKER));
const sections = new Map<string, string>();
{
  const parts = handWritten.split(/^### /m).slice(1);
  for (const p of parts) {
    const m = /^(QNN\d{4})\s*\n/.exec(p);
    if (m) sections.set(m[1], p);
  }
}

describe('docs/diagnostics.md', () => {
  it('has the catalog that docs/generate-diagnostics.mjs generates from CODES', () => {
    expect(codesSection(DOC), 'run: npx tsc -b && node docs/generate-diagnostics.mjs').toBe(renderCodes(CODES));
  });

  it('knows every code that the language sources report', () => {
    expect(reported.size).toBeGreaterThan(30);
    const unknown = [...reported].filter(([code]) => !(code in CODES)).map(([code, files]) => `${code} (${files.join(', ')})`);
    expect(unknown).toEqual([]);
  });

  it('numbers the codes by series: 1xxx syntax, 2xxx checker, 3xxx estimator, 4xxx backends, 5xxx import', () => {
    for (const code of Object.keys(CODES)) expect(code).toMatch(/^QNN[1-5]\d{3}$/);
  });

  it('has a section for every code, and no section for a code that does not exist', () => {
    expect([...sections.keys()].sort()).toEqual(Object.keys(CODES).sort());
  });

  for (const code of Object.keys(CODES)) {
    it(`shows an example message of ${code}`, () => {
      const section = sections.get(code) ?? '';
      if (!reported.has(code)) {
        // A code in the catalog that no analysis reports yet: the page must not pretend otherwise.
        expect(section, `${code} is not reported by any source: its section says so`).toMatch(/Not reported yet/);
        expect(section).not.toMatch(/```qnn error/);
        return;
      }
      const messages = [...section.matchAll(/```text[^\n]*\n([\s\S]*?)```/g)].map((m) => m[1]);
      expect(
        messages.some((m) => m.split('\n').some((l) => l.includes(` ${code}: `))),
        `the section of ${code} has a text block with a message 'FILE:LINE:COL: SEVERITY ${code}: …'`,
      ).toBe(true);
      // Where the example is checked (an error example), it must be an example of this code.
      const examples = [...section.matchAll(/```qnn error ([^\n]*)\n/g)].map((m) => m[1].split(/\s+/));
      for (const codes of examples) expect(codes).toContain(code);
    });
  }
});
