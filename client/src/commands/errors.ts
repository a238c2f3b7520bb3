// Turns a failed server request into a message a user can act on.
import { ResponseError } from 'vscode-languageclient/node';

/** -32601: the server does not implement the request (an older or incomplete server). */
const METHOD_NOT_FOUND = -32601;
/** -32800: the request was cancelled. */
export const REQUEST_CANCELLED = -32800;

export function errorMessage(e: unknown, method: string): string {
  if (e instanceof ResponseError) {
    if (e.code === METHOD_NOT_FOUND) return `the language server does not implement ${method}; update the extension.`;
    const data = e.data as { code?: string; diagnostics?: { code?: string; message: string }[] } | undefined;
    const code = data?.code ? `${data.code}: ` : '';
    const more = data?.diagnostics?.map((d) => `${d.code ? `${d.code}: ` : ''}${d.message}`).join(' ') ?? '';
    return `${code}${e.message}${more && !e.message.includes(more) ? ` ${more}` : ''}`;
  }
  return e instanceof Error ? e.message : String(e);
}

export function isCancelled(e: unknown): boolean {
  return e instanceof ResponseError && e.code === REQUEST_CANCELLED;
}
