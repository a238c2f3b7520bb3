// The core's FileSystem on the real disk (for the CLI; the server overlays open editor buffers on it).
import { readFileSync, statSync } from 'node:fs';
import type { FileSystem, ReadResult } from '@qnn/language';

/** Files above this size are not read into memory; the parser would reject them anyway. */
const MAX_READ_BYTES = 64 * 1024 * 1024;

function read<T>(path: string, get: (p: string) => T): ReadResult<T> {
  try {
    const st = statSync(path);
    if (st.isDirectory()) return { kind: 'error', message: 'it is a directory' };
    if (st.size > MAX_READ_BYTES) return { kind: 'error', message: `it has ${(st.size / 1048576).toFixed(0)} MB; the limit is ${MAX_READ_BYTES / 1048576} MB` };
    return { kind: 'ok', value: get(path) };
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT' || err.code === 'ENOTDIR') return { kind: 'missing' };
    return { kind: 'error', message: err.code === 'EACCES' ? 'permission denied' : err.message };
  }
}

export const nodeFileSystem: FileSystem = {
  readText: (path) => read(path, (p) => readFileSync(p, 'utf8')),
  readBytes: (path) => read(path, (p) => new Uint8Array(readFileSync(p))),
};
