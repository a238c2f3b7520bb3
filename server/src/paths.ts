// Document URIs ↔ the POSIX-style paths that the core works with.
import { fileURLToPath, pathToFileURL } from 'node:url';
import { normalizePath } from '@qnn/language';

/** Paths of documents that are not files (`untitled:`): a folder that cannot exist on disk. */
const VIRTUAL = '/\u0000qnn-virtual/';

export function uriToPath(uri: string): string {
  if (uri.startsWith('file:')) {
    try {
      return normalizePath(fileURLToPath(uri));
    } catch {
      // A malformed file URI: treat it as a virtual document rather than fail.
    }
  }
  return `${VIRTUAL}${encodeURIComponent(uri)}`;
}

export function pathToUri(path: string): string {
  if (path.startsWith(VIRTUAL)) return decodeURIComponent(path.slice(VIRTUAL.length));
  return pathToFileURL(path).href;
}

export function isVirtualPath(path: string): boolean {
  return path.startsWith(VIRTUAL);
}
