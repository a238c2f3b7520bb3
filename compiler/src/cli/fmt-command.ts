// `qnn fmt PATH… [--check]`: rewrites files in the canonical layout, or (--check) lists those that differ.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { format } from '@qnn/language';
import { collectQnnFiles } from './files.js';
import { displayPath } from './report.js';

export function runFmt(paths: readonly string[], opts: { readonly check?: boolean }): number {
  const files = collectQnnFiles(paths);
  let failed = 0;
  let changed = 0;
  for (const path of files) {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      process.stderr.write(`${displayPath(path)}: cannot read: ${(e as Error).message}\n`);
      failed++;
      continue;
    }
    const res = format(text);
    if (!res.ok) {
      // Never rewrite a file that does not parse: its text could not be reproduced.
      process.stderr.write(`${displayPath(path)}: not formatted: ${res.reason} (run 'qnn check' to see them)\n`);
      failed++;
      continue;
    }
    if (!res.changed) continue;
    changed++;
    if (opts.check) {
      process.stdout.write(`${displayPath(path)}: not formatted\n`);
      continue;
    }
    // Write a sibling temporary file, then rename: a crash never leaves a half-written file.
    const tmp = `${path}.qnnfmt-${process.pid}.tmp`;
    writeFileSync(tmp, res.text);
    renameSync(tmp, path);
    process.stdout.write(`${displayPath(path)}: formatted\n`);
  }
  if (opts.check) {
    process.stderr.write(`${files.length} file${files.length === 1 ? '' : 's'}: ${changed} not formatted${failed ? `, ${failed} with errors` : ''}.\n`);
    return changed > 0 || failed > 0 ? 1 : 0;
  }
  return failed > 0 ? 1 : 0;
}
