// Rewrites the generated table section of docs/diagnostics.md (between <!-- BEGIN CODES --> and <!-- END CODES -->)
// from CODES in language/src/diagnostics.ts. Run after changing the catalog:
//
//   cd /work/main && npx tsc -b && node docs/generate-diagnostics.mjs
//
// With --check it changes nothing and exits 1 when the section is out of date. The rest of diagnostics.md (the
// explanations and examples of each code) is written by hand; language/test/diagnostics-doc.test.ts keeps both true.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CODES } from '../language/dist/index.js';
import { replaceCodesSection } from './render-codes.mjs';

const file = path.join(path.dirname(fileURLToPath(import.meta.url)), 'diagnostics.md');
const before = fs.readFileSync(file, 'utf8');
const after = replaceCodesSection(before, CODES);

if (process.argv.includes('--check')) {
  if (after !== before) {
    process.stderr.write('docs/diagnostics.md is out of date: run node docs/generate-diagnostics.mjs\n');
    process.exit(1);
  }
  process.stdout.write('docs/diagnostics.md is up to date.\n');
} else if (after !== before) {
  fs.writeFileSync(file, after);
  process.stdout.write(`docs/diagnostics.md: ${Object.keys(CODES).length} codes written.\n`);
} else {
  process.stdout.write('docs/diagnostics.md is up to date.\n');
}
