// The small file-system interface through which the core reads files (memory in tests, disk in the CLI, editor
// buffers in the server), and POSIX-style path helpers that do not depend on Node.

export type ReadResult<T> =
  | { readonly kind: 'ok'; readonly value: T }
  | { readonly kind: 'missing' }
  | { readonly kind: 'error'; readonly message: string };

export interface FileSystem {
  /** Reads a text file. Never throws: a missing file or an IO error is a result. */
  readText(path: string): ReadResult<string>;
  /** Reads a binary file (weights, test data). Never throws. */
  readBytes(path: string): ReadResult<Uint8Array>;
}

/** An in-memory file system: for tests, and as an overlay of unsaved editor buffers. */
export function memoryFileSystem(files: Readonly<Record<string, string | Uint8Array>>, fallback?: FileSystem): FileSystem {
  const norm = new Map<string, string | Uint8Array>();
  for (const [k, v] of Object.entries(files)) norm.set(normalizePath(k), v);
  return {
    readText(path) {
      const v = norm.get(normalizePath(path));
      if (v === undefined) return fallback ? fallback.readText(path) : { kind: 'missing' };
      return { kind: 'ok', value: typeof v === 'string' ? v : new TextDecoder().decode(v) };
    },
    readBytes(path) {
      const v = norm.get(normalizePath(path));
      if (v === undefined) return fallback ? fallback.readBytes(path) : { kind: 'missing' };
      return { kind: 'ok', value: typeof v === 'string' ? new TextEncoder().encode(v) : v };
    },
  };
}

/** Normalizes `a/./b/../c` to `a/c`, keeps a leading `/`, turns `\` into `/`. */
export function normalizePath(p: string): string {
  const s = p.replace(/\\/g, '/');
  const abs = s.startsWith('/');
  const drive = /^[A-Za-z]:\//.test(s) ? s.slice(0, 2) : '';
  const rest = drive ? s.slice(2) : s;
  const out: string[] = [];
  for (const part of rest.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else if (!abs && !drive) out.push('..');
    } else out.push(part);
  }
  const body = out.join('/');
  if (drive) return `${drive}/${body}`;
  return abs ? `/${body}` : body || '.';
}

export function dirname(p: string): string {
  const s = normalizePath(p);
  const i = s.lastIndexOf('/');
  if (i < 0) return '.';
  if (i === 0) return '/';
  return s.slice(0, i);
}

/** Resolves `rel` against the folder of the file `from` (an absolute `rel` stays as it is). */
export function resolveRelative(from: string, rel: string): string {
  const r = rel.replace(/\\/g, '/');
  if (r.startsWith('/') || /^[A-Za-z]:\//.test(r)) return normalizePath(r);
  return normalizePath(`${dirname(from)}/${r}`);
}
