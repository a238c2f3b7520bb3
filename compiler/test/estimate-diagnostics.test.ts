// QNN3xxx diagnostics from the estimator, as data: each case is a .qnn source, the codes expected (in order) and a
// fragment of each message. Also: the samples give no QNN3xxx errors, and `withEstimateDiagnostics` merges per file.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkProgram, memoryFileSystem, LineIndex } from '@qnn/language';
import { estimateDiagnostics, nodeFileSystem, partCatalog, withEstimateDiagnostics } from '../src/index.js';

interface Case {
  readonly name: string;
  readonly source: string;
  /** [code, message fragment, 1-based line] per expected diagnostic, in order. */
  readonly expect: readonly (readonly [string, string, number])[];
  readonly suggestion?: string;
}

const CASES: readonly Case[] = [
  {
    name: 'over device capacity (error)',
    source: `target ice40up5k clock 20ns
network big {
  io parallel
  input x : fixed<16, 6>[64]
  d = dense(x, 64) { weight: fixed<16, 6> = random(seed: 1) } : fixed<16, 6>
  output d
}
`,
    expect: [['QNN3001', "does not fit ice40up5k: estimated LUT", 2]],
  },
  {
    name: 'over a written budget: dsp count, latency in ns and cycles',
    source: `target xc7a100t clock 10ns
network n {
  io parallel
  require dsp <= 1, latency <= 10ns, latency < 3cycles
  input x : fixed<16, 6>[4]
  d = dense(x, 4) {
    weight: fixed<16, 6> = random(seed: 1)
    reuse: 2
  } : fixed<16, 6>
  output d
}
`,
    expect: [
      ['QNN3002', 'Estimated dsp is', 4],
      ['QNN3002', 'Estimated latency is 30ns, over the budget ≤ 10ns', 4],
      ['QNN3002', 'Estimated latency is 3 cycles, over the budget < 3 cycles', 4],
    ],
  },
  {
    name: 'budget met: nothing',
    source: `target xc7a100t clock 10ns
network n {
  io parallel
  require dsp <= 100%, latency <= 1us, lut <= 50%
  input x : fixed<8, 3>[4]
  d = dense(x, 2) { weight: fixed<8, 3> = random(seed: 1) } : fixed<12, 5>
  output d
}
`,
    expect: [],
  },
  {
    name: 'more than 4096 unrolled multiplications for vendor HLS, with the smallest valid reuse',
    source: `target xcvu13p clock 5ns
network n {
  io parallel
  input x : fixed<8, 3>[128]
  fc = dense(x, 64) { weight: fixed<8, 3> = random(seed: 1) } : fixed<12, 5>
  output fc
}
`,
    expect: [['QNN3003', "'fc' unrolls 8,192 multiplications per cycle", 5]],
    suggestion: 'reuse: 2',
  },
  {
    name: 'accumulator narrower than the worst-case sum, naming the smallest safe type',
    source: `network n {
  io parallel
  input x : fixed<8, 3>[8]
  d = dense(x, 2) {
    weight: fixed<8, 3> = ones()
    accum: fixed<10, 4>
  } : fixed<10, 4>
  output d
}
`,
    // 8 inputs in [-4, 3.97] times weight 1: sums in [-32, 31.75]: 6 integer bits are needed.
    expect: [['QNN3004', 'The smallest safe type is fixed<12, 6>', 6]],
    suggestion: 'fixed<12, 6>',
  },
  {
    name: 'a wide enough accumulator: nothing',
    source: `network n {
  io parallel
  input x : fixed<8, 3>[8]
  d = dense(x, 2) {
    weight: fixed<8, 3> = ones()
    accum: fixed<12, 6>
  } : fixed<10, 4>
  output d
}
`,
    expect: [],
  },
  {
    name: 'softmax input narrower than 10 bits',
    source: `network n {
  io parallel
  input x : fixed<8, 3>[5]
  p = softmax(x) : ufixed<16, 0, TRN, SAT>
  output p
}
`,
    expect: [['QNN3005', 'has 8 bits (fixed<8, 3>)', 4]],
  },
  {
    name: 'average pooling accumulating in the data type',
    source: `type data = fixed<8, 3>
network n {
  io parallel
  input x : data[8, 2]
  ap = avgpool1d(x, 4) { accum: data } : data[2, 2]
  output ap
}
`,
    expect: [['QNN3006', 'sums 4 values in fixed<8, 3>', 5]],
    suggestion: 'fixed<10, 5>',
  },
  {
    name: 'average pooling with the default accumulator: nothing',
    source: `type data = fixed<8, 3>
network n {
  io parallel
  input x : data[8, 2]
  ap = avgpool1d(x, 4) : data[2, 2]
  output ap
}
`,
    expect: [],
  },
];

describe('QNN3xxx diagnostics', () => {
  for (const c of CASES) {
    it(c.name, () => {
      const program = checkProgram(['/t.qnn'], { fs: memoryFileSystem({ '/t.qnn': c.source }), parts: partCatalog });
      const own = [...program.diagnostics.values()].flat().filter((d) => d.severity === 'error');
      expect(own.map((d) => d.message)).toEqual([]);
      const ds = estimateDiagnostics(program);
      const lines = new LineIndex(c.source);
      expect(ds.map((d) => d.code)).toEqual(c.expect.map((e) => e[0]));
      ds.forEach((d, i) => {
        expect(d.message).toContain(c.expect[i][1]);
        expect(lines.rangeOf(d.span).start.line + 1, d.message).toBe(c.expect[i][2]);
        expect(d.path).toBe('/t.qnn');
      });
      if (c.suggestion) expect(ds[0].data?.suggestions).toEqual([c.suggestion]);
    });
  }

  it('merges into the program per file, sorted by position, leaving the checker diagnostics', () => {
    const src = CASES[4].source.replace('input x', 'input unused : fixed<8, 3>[2]\n  input x');
    const program = checkProgram(['/t.qnn'], { fs: memoryFileSystem({ '/t.qnn': src }), parts: partCatalog });
    const merged = withEstimateDiagnostics(program);
    const codes = merged.diagnostics.get('/t.qnn')!.map((d) => d.code);
    expect(codes).toEqual(expect.arrayContaining(['QNN3004', ...program.diagnostics.get('/t.qnn')!.map((d) => d.code)]));
    const starts = merged.diagnostics.get('/t.qnn')!.map((d) => d.span.start);
    expect(starts).toEqual([...starts].sort((a, b) => a - b));
  });

  it('reports nothing for a network with errors', () => {
    const program = checkProgram(['/t.qnn'], { fs: memoryFileSystem({ '/t.qnn': CASES[6].source.replace('softmax(x)', 'softmax(y)') }), parts: partCatalog });
    expect(estimateDiagnostics(program)).toEqual([]);
  });

  it('gives no QNN3xxx error on the samples', () => {
    const root = join(import.meta.dirname, '../../samples');
    const files = ['jet-tagger/jet-tagger.qnn', 'ice40-tiny/ice40-tiny.qnn', 'digits/digits.qnn', 'econ-t/econ-t.qnn', 'branches/branches.qnn', 'pulse-shape/pulse-shape.qnn', 'bragg-peak/bragg-peak.qnn'].map((f) => join(root, f));
    const program = checkProgram(files, { fs: nodeFileSystem, parts: partCatalog });
    const errors = estimateDiagnostics(program).filter((d) => d.severity === 'error');
    expect(errors.map((d) => `${d.path}: ${d.message}`)).toEqual([]);
  });
});
