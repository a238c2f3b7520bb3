// C simulation of the generated HLS C++: g++ compiles the network and its C testbench (tb.cpp) against QNN Studio's
// ap_fixed.h, exactly as `make csim` does, and the testbench compares every output value with the simulator's raws.
import { join } from 'node:path';
import type { FixedType } from '@qnn/language';
import { CosimError, requireTool, runTool, tail } from './tools.js';
import type { CosimMismatch } from './types.js';

export interface HlsRun {
  readonly compiler: string;
  readonly vectors: number;
  readonly bitExact: boolean;
  readonly mismatches: number;
  readonly totalValues: number;
  /** The testbench lists the first ten. */
  readonly firstMismatches: readonly CosimMismatch[];
  readonly seconds: number;
}

export function requireGpp(): string {
  return requireTool('g++', 'the C simulation of the HLS C++ (--hls)');
}

export async function runHls(
  hlsDir: string,
  top: string,
  opts: {
    readonly vectors: number;
    readonly outputs: ReadonlyMap<string, { readonly type: FixedType; readonly count: number }>;
    readonly names: (output: string, index: number) => string;
    readonly maxListed: number;
    readonly signal?: AbortSignal;
  },
): Promise<HlsRun> {
  const version = requireGpp();
  const t0 = performance.now();
  const c = await runTool('g++', ['-std=c++14', '-O1', '-Iinclude', '-o', 'csim', `${top}.cpp`, 'tb.cpp'], { cwd: hlsDir, signal: opts.signal });
  if (c.code !== 0) throw new CosimError('QNN4022', `g++ cannot compile the generated HLS C++:\n${tail(c.stderr + c.stdout)}`);
  const r = await runTool(join(hlsDir, 'csim'), ['.'], { cwd: hlsDir, signal: opts.signal });
  const summary = /^samples: (\d+) mismatches: (\d+)/m.exec(r.stdout);
  if (!summary || r.code > 1) throw new CosimError('QNN4022', `the C testbench failed (exit ${r.code}):\n${tail(r.stderr + r.stdout)}`);
  const first: CosimMismatch[] = [];
  for (const m of r.stdout.matchAll(/^mismatch: sample (\d+) (\S+)\[(\d+)\]: got (-?\d+), expected (-?\d+)/gm)) {
    if (first.length >= opts.maxListed) break;
    const [, sample, output, index, got, expected] = m;
    const o = opts.outputs.get(output);
    const value = (v: string) => (o ? Number(v) * 2 ** -(o.type.width - o.type.intBits) : undefined);
    first.push({
      sample: Number(sample),
      output,
      index: Number(index),
      element: opts.names(output, Number(index)),
      expected: raw(expected),
      got: raw(got),
      ...(o ? { expectedValue: value(expected), gotValue: value(got) } : {}),
    });
  }
  const samples = Number(summary[1]);
  const mismatches = Number(summary[2]);
  const perSample = [...opts.outputs.values()].reduce((a, o) => a + o.count, 0);
  return {
    compiler: version,
    vectors: samples,
    bitExact: mismatches === 0 && samples === opts.vectors,
    mismatches,
    totalValues: samples * perSample,
    firstMismatches: first,
    seconds: (performance.now() - t0) / 1000,
  };
}

function raw(text: string): number | string {
  const v = BigInt(text);
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : text;
}
