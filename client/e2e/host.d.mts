// Types of host.mjs for the TypeScript tests.
import type { ChildProcess } from 'node:child_process';
export const HOST: string;
export class MissingToolError extends Error {}
export function findChromium(): string;
export function ensureHost(options?: { log?: (s: string) => void }): string;
export const QUIET_SETTINGS: Record<string, unknown>;
export interface CodeServer {
  readonly url: string;
  readonly child: ChildProcess;
  readonly stop: () => void;
  readonly dir: string;
  readonly extensions: string;
  readonly userData: string;
  readonly output: () => string;
}
export function startCodeServer(options?: { dir?: string; vsix?: string; trust?: boolean; settings?: Record<string, unknown>; port?: number; host?: string; log?: (s: string) => void }): Promise<CodeServer>;
export function hostVersion(): string | undefined;
