// When the wasm backend cannot start (here: its .wasm binaries are made to look missing), the float reference falls
// back to the cpu backend, says why, and computes the same values. Its own file: the mock of node:fs and the fresh
// worker (wasm never initialised in it) are what make the failure happen.
import { describe, expect, it, vi } from 'vitest';
import { checkProgram, memoryFileSystem } from '@qnn/language';
import { floatReference, initFloatBackend, tfjsNodeInstalled } from '../src/float/index.js';

vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  return { ...fs, existsSync: (p: import('node:fs').PathLike) => (String(p).endsWith('.wasm') ? false : fs.existsSync(p)) };
});

const text = `type data = fixed<16, 6>
network n {
  input x : data[3]
  y = softmax(x) : ufixed<16, 0, TRN, SAT>
  output y
}
`;

describe('float reference: backend fallback', () => {
  it('falls back to cpu when wasm cannot initialise, and says why', async () => {
    const net = checkProgram(['/m.qnn'], { fs: memoryFileSystem({ '/m.qnn': text }) }).files.get('/m.qnn')!.networks.get('n')!;
    const res = await floatReference(net, new Map([['x', { rows: 1, data: Float64Array.of(0, Math.log(3), 0) }]]), { backend: 'wasm' });
    expect(res.backend).toBe('cpu');
    expect(res.fallback).toMatch(/^the wasm binaries are missing from .*tfjs-backend-wasm/);
    const y = res.layers.get('y')!.data;
    expect(y[1]).toBeCloseTo(0.6, 6);
    // The default order falls back the same way (when tfjs-node is not installed), and the failure is remembered.
    if (tfjsNodeInstalled()) return;
    const info = await initFloatBackend();
    expect(info.backend).toBe('cpu');
    expect(info.fallback).toContain('wasm binaries are missing');
  });
});
