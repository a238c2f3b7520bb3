// The DSP estimate against real synthesis: a small dense layer (zero, power-of-two, repeated and wide weights) and a
// reuse layer are generated with the Verilog backend and synthesized with yosys synth_xilinx -family xc7; the
// estimate's DSP count must equal yosys' DSP48E1 count. A missing yosys is a failure that says how to install it.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkProgram, memoryFileSystem } from '@qnn/language';
import { estimateNetwork, generateVerilog, partCatalog, TABLE_INPUT_BITS } from '../src/index.js';
import { productLuts } from '../src/estimate/features.js';
import productLutTable from '../src/estimate/product-luts.json' with { type: 'json' };

let work = '';
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'qnn-est-yosys-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

function yosysDsp(verilog: string, top: string): number {
  const v = spawnSync('yosys', ['-V'], { encoding: 'utf8' });
  if (v.error) throw new Error('yosys is not installed: apt-get install -y yosys (the estimate is checked against it)');
  writeFileSync(join(work, `${top}.v`), verilog);
  const r = spawnSync('yosys', ['-q', '-p', `read_verilog ${top}.v; synth_xilinx -family xc7 -top ${top}; tee -q -o stat.json stat -json`], { cwd: work, encoding: 'utf8', timeout: 240_000 });
  expect(r.status, r.stderr).toBe(0);
  const s = JSON.parse(readFileSync(join(work, 'stat.json'), 'utf8'));
  return s.design.num_cells_by_type.DSP48E1 ?? 0;
}

const CASES = [
  {
    name: 'dense 4 → 3 at reuse 1: zeros, shifts, a repeated weight, wide and narrow constants',
    source: `network n {
  io parallel
  input x : fixed<12, 4>[4]
  d = dense(x, 3) {
    weight: fixed<10, 3> = [[0, 0.5, 1.3125], [1.3125, 1.3125, -2], [0.0625, -0.1875, 3.6015625], [0, 0, -1.2109375]]
  } : fixed<14, 6>
  output d
}
`,
  },
  {
    name: 'dense 6 → 2 at reuse 3 (shared multipliers)',
    source: `network n {
  io parallel
  input x : fixed<10, 3>[6]
  d = dense(x, 2) {
    weight: fixed<9, 2> = random(seed: 4)
    reuse: 3
  } : fixed<14, 6>
  output d
}
`,
  },
];

describe('DSP estimate = yosys synth_xilinx -family xc7', { timeout: 600_000 }, () => {
  for (const c of CASES) {
    it(c.name, () => {
      const program = checkProgram(['/t.qnn'], { fs: memoryFileSystem({ '/t.qnn': c.source }), parts: partCatalog });
      const net = program.files.get('/t.qnn')!.networks.get('n')!;
      expect(net.complete).toBe(true);
      const design = generateVerilog(net);
      const est = estimateNetwork(program, net, { part: 'xc7a100t' });
      expect(est.total.dsp).toBe(yosysDsp([...design.files.values()].join('\n'), design.top));
    });
  }
});

// product-luts.json is data measured by compiler/calibrate/products.mjs: a seeded sample of its entries, synthesized
// again with the same generator, must give the same LUT counts (a stale table, or a yosys that builds them otherwise,
// fails here).
describe('product-luts.json = yosys, on a seeded sample of its products', { timeout: 600_000 }, () => {
  for (const flow of ['xc7', 'ice40'] as const) {
    it(flow, async () => {
      const v = spawnSync('yosys', ['-V'], { encoding: 'utf8' });
      if (v.error) throw new Error('yosys is not installed: apt-get install -y yosys (the product table is checked against it)');
      const { measureProducts } = await import('../calibrate/products.mjs');
      let s = 12345;
      const next = () => ((s = (s * 1103515245 + 12345) % 2147483648), s);
      // Half of them with a constant added (the table's withOffset entries).
      const items = Array.from({ length: 16 }, (_, i) => {
        const m = 3 + 2 * (next() % ((productLutTable.maxWeight - 1) / 2));
        return { sv: 2 + (next() % (TABLE_INPUT_BITS - 1)), w: next() % 2 ? m : -m, withOffset: i % 2 === 1 };
      });
      const luts: number[] = measureProducts(flow, items, work);
      expect(luts).toEqual(items.map((k) => productLuts(flow, k.sv, k.w, k.withOffset)));
    });
  }
});
