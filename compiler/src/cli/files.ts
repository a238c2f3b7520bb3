// Expands the CLI's PATH arguments: files as given, folders recursively to their *.qnn files.
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

export class UsageError extends Error {}

/** Absolute paths of the .qnn files named by `paths` (sorted, without duplicates). Throws UsageError for a missing path. */
export function collectQnnFiles(paths: readonly string[]): string[] {
  const out = new Set<string>();
  for (const p of paths) {
    const abs = resolve(p);
    let st;
    try {
      st = statSync(abs);
    } catch {
      throw new UsageError(`no such file or folder: ${p}`);
    }
    if (st.isDirectory()) walk(abs, out);
    else out.add(abs);
  }
  return [...out].sort();
}

function walk(dir: string, out: Set<string>): void {
  // An explicit stack: folder trees may be deep.
  const stack = [dir];
  while (stack.length) {
    const d = stack.pop()!;
    let entries;
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of entries) {
      if (e.name.startsWith('.') || e.name === 'node_modules') continue;
      const full = join(d, e.name);
      if (e.isDirectory()) stack.push(full);
      else if (e.isFile() && e.name.endsWith('.qnn')) out.add(full);
    }
  }
}
