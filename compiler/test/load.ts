// The tests' loader of a one-file program from its source text (checked in memory, against the part catalog): an
// error diagnostic fails the test with the source beside it.
import { expect } from 'vitest';
import { checkProgram, memoryFileSystem, type NetworkModel, type ProgramModel } from '@qnn/language';
import { partCatalog } from '../src/index.js';

/** The checked program of `source` (as /t.qnn) and its network `name`. */
export function loadProgram(source: string, name = 'n'): { program: ProgramModel; net: NetworkModel } {
  const program = checkProgram(['/t.qnn'], { fs: memoryFileSystem({ '/t.qnn': source }), parts: partCatalog });
  const errors = [...program.diagnostics.values()].flat().filter((d) => d.severity === 'error');
  expect(errors.map((d) => `${d.code} ${d.message}`), source).toEqual([]);
  return { program, net: program.files.get('/t.qnn')!.networks.get(name)! };
}

/** The network `name` of `source`. */
export const load = (source: string, name = 'n'): NetworkModel => loadProgram(source, name).net;
