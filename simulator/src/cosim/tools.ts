// The external tools of co-simulation and the Debian package of each: a missing tool is error QNN4020 naming the
// package, checked before any work starts. Also: running a tool with cancellation and a captured output.
import { execFile, spawnSync } from 'node:child_process';
import type { DiagnosticCode } from '@qnn/language';

/** A co-simulation error with its diagnostic code (QNN4011, QNN4020, QNN4022). */
export class CosimError extends Error {
  constructor(
    readonly code: DiagnosticCode,
    message: string,
  ) {
    super(message);
    this.name = 'CosimError';
  }
}

/** Tool → the Debian package that provides it, and the arguments that print its version. */
export const TOOLS: Readonly<Record<string, { readonly pkg: string; readonly version: readonly string[] }>> = {
  iverilog: { pkg: 'iverilog', version: ['-V'] },
  vvp: { pkg: 'iverilog', version: ['-V'] },
  verilator: { pkg: 'verilator', version: ['--version'] },
  'g++': { pkg: 'g++', version: ['--version'] },
  make: { pkg: 'make', version: ['--version'] },
  yosys: { pkg: 'yosys', version: ['-V'] },
  'nextpnr-ice40': { pkg: 'nextpnr-ice40', version: ['--version'] },
  icepack: { pkg: 'fpga-icestorm', version: ['-h'] },
};

const versions = new Map<string, string>();

/**
 * The tool's version line; throws CosimError QNN4020 naming the Debian package when it is not installed. Exit codes
 * are not checked (icepack -h exits 1): only whether the program can be started.
 */
export function requireTool(tool: string, purpose: string): string {
  const known = versions.get(tool);
  if (known !== undefined) return known;
  const info = TOOLS[tool];
  const r = spawnSync(tool, [...(info?.version ?? ['--version'])], { encoding: 'utf8', timeout: 30_000 });
  if (r.error) {
    throw new CosimError('QNN4020', `'${tool}' is needed for ${purpose} and is not installed: apt-get install -y ${info?.pkg ?? tool}`);
  }
  const text = `${r.stdout ?? ''}\n${r.stderr ?? ''}`;
  const line = text.split('\n').map((l) => l.trim()).find((l) => /\d+\.\d+/.test(l)) ?? tool;
  versions.set(tool, line);
  return line;
}

export interface ToolRun {
  readonly stdout: string;
  readonly stderr: string;
  readonly code: number;
}

/**
 * Runs a tool to completion (a non-zero exit is returned, not thrown); a tool that cannot start is QNN4020 and one
 * killed by `signal` rethrows the abort.
 */
export function runTool(tool: string, args: readonly string[], opts: { readonly cwd: string; readonly signal?: AbortSignal; readonly timeoutMs?: number }): Promise<ToolRun> {
  return new Promise((resolve, reject) => {
    execFile(tool, [...args], { cwd: opts.cwd, signal: opts.signal, timeout: opts.timeoutMs ?? 0, maxBuffer: 256 * 1024 * 1024, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (opts.signal?.aborted) {
        reject(opts.signal.reason ?? new Error('aborted'));
        return;
      }
      const e = err as (NodeJS.ErrnoException & { code?: string | number; killed?: boolean }) | null;
      if (e && typeof e.code === 'string' && e.code === 'ENOENT') {
        reject(new CosimError('QNN4020', `'${tool}' is not installed: apt-get install -y ${TOOLS[tool]?.pkg ?? tool}`));
        return;
      }
      if (e && e.killed) {
        reject(new CosimError('QNN4022', `'${tool}' did not finish within ${Math.round((opts.timeoutMs ?? 0) / 1000)} s.`));
        return;
      }
      resolve({ stdout, stderr, code: e ? (typeof e.code === 'number' ? e.code : 1) : 0 });
    });
  });
}

/** The last lines of a tool's output, for an error message. */
export function tail(text: string, lines = 15): string {
  const all = text.trimEnd().split('\n');
  return (all.length > lines ? ['…', ...all.slice(-lines)] : all).join('\n');
}
