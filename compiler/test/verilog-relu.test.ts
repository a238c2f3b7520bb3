// relu in the Verilog backend (layers.ts relu): x ≤ 0 gives 0, and x = 0 gives 0 through the cast as well, so the
// sign bit alone selects. A compare `x <= 0` (which the backend once wrote) is a carry chain of x's width in
// synth_ice40 — about a LUT4 per bit and a chain on the path; the sign bit is a wire. Bit-exactness of relu against
// the simulator is the co-simulation's (simulator/test/verilog-cosim.test.ts); this checks what is built. A missing
// yosys is a failure that says how to install it.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { NetworkModel } from '@qnn/language';
import { generateVerilog } from '../src/index.js';
import { load } from './load.js';

const src = (input: string, op = 'relu') => `target ice40up5k clock 40ns
network n {
  io parallel
  input x : ${input}[4]
  y = ${op}(x) : fixed<12, 3>
  output y
}
`;

const work = mkdtempSync(join(tmpdir(), 'qnn-relu-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** synth_ice40 cell counts of the generated network module. */
function ice40Cells(net: NetworkModel): Record<string, number> {
  const v = spawnSync('yosys', ['-V'], { encoding: 'utf8' });
  if (v.error) throw new Error('yosys is not installed: apt-get install -y yosys (relu is checked against it)');
  const design = generateVerilog(net);
  writeFileSync(join(work, `${design.top}.v`), [...design.files.values()].join('\n'));
  const r = spawnSync('yosys', ['-q', '-p', `read_verilog ${design.top}.v; synth_ice40 -top ${design.top}; tee -q -o stat.json stat -json`], { cwd: work, encoding: 'utf8', timeout: 240_000 });
  expect(r.status, r.stderr).toBe(0);
  const out = spawnSync('cat', ['stat.json'], { cwd: work, encoding: 'utf8' }).stdout;
  return JSON.parse(out.slice(out.indexOf('{'))).design.num_cells_by_type ?? {};
}

describe('relu', () => {
  it('selects 0 on the sign bit of its input, with no compare', () => {
    const text = [...generateVerilog(load(src('fixed<12, 3>'))).files.values()].join('\n');
    const selects = text.split('\n').filter((l) => /assign l_y_\d+_0_m_\d+ =/.test(l));
    expect(selects).toHaveLength(4);
    for (const l of selects) {
      expect(l).toMatch(/= \(in_x_\d+_\d+\[11\] \? 12'sh000 : in_x_\d+_\d+\);/);
      expect(l).not.toMatch(/<=|</);
    }
  });

  it('of an unsigned input builds nothing but its cast', () => {
    const text = [...generateVerilog(load(src('ufixed<11, 2>'))).files.values()].join('\n');
    expect(text).not.toMatch(/_0_m_\d+ =/);
  });

  it('is no carry chain in synth_ice40, and at most a LUT4 per output bit', { timeout: 300_000 }, () => {
    const cells = ice40Cells(load(src('fixed<12, 3>')));
    expect(cells.SB_CARRY ?? 0).toBe(0);
    expect(cells.SB_LUT4 ?? 0).toBeLessThanOrEqual(4 * 12);
  });
});
