// Finds the external tools the settings name (an absolute path, or a name looked up on PATH).
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';

/** The executable a setting names, or undefined when it is not installed. */
export function findTool(nameOrPath: string): string | undefined {
  const candidates = isAbsolute(nameOrPath) || nameOrPath.includes('/')
    ? [nameOrPath]
    : (process.env.PATH ?? '').split(delimiter).filter(Boolean).map((d) => join(d, nameOrPath));
  for (const c of candidates) {
    try {
      if (!statSync(c).isFile()) continue;
      accessSync(c, constants.X_OK);
      return c;
    } catch {
      // not here
    }
  }
  return undefined;
}
