// Weights and test data read from .npy/.csv files: missing, unreadable, wrong shape, not representable, test blocks.
import { describe, expect, it } from 'vitest';
import { checkProgram, memoryFileSystem, writeNpy, type Diagnostic } from '../src/index.js';

const HEAD = `target xcu250 clock 5ns
type data = fixed<16, 6>
type coef = fixed<8, 1, RND, SAT>
`;

function check(qnn: string, files: Record<string, string | Uint8Array>): { diags: Diagnostic[]; program: ReturnType<typeof checkProgram> } {
  const program = checkProgram(['/w/main.qnn'], { fs: memoryFileSystem({ '/w/main.qnn': HEAD + qnn, ...files }) });
  return { diags: [...(program.diagnostics.get('/w/main.qnn') ?? [])], program };
}

const net = (weight: string, extra = '') => `network n {
  input x : data[4]
  fc = dense(x, 3) { weight: coef = ${weight} } : data
  output fc
}
${extra}`;

const npy = (shape: number[], f: (i: number) => number) => {
  const n = shape.reduce((a, b) => a * b, 1);
  return writeNpy({ shape, data: Array.from({ length: n }, (_, i) => f(i)) }, '<f4');
};

describe('weight files', () => {
  it('loads a .npy file of the right shape and keeps its values', () => {
    const { diags, program } = check(net('load("w.npy")'), { '/w/w.npy': npy([4, 3], (i) => i / 16) });
    expect(diags).toEqual([]);
    const layer = program.files.get('/w/main.qnn')!.networks.get('n')!.layers[0];
    expect([...layer.consts.weight.values()]).toEqual(Array.from({ length: 12 }, (_, i) => i / 16));
    expect(layer.consts.weight.source).toEqual({ kind: 'file', path: '/w/w.npy' });
  });
  it('reports a missing file', () => {
    expect(check(net('load("nope.npy")'), {}).diags.map((d) => d.code)).toEqual(['QNN2017']);
  });
  it('reports an unreadable file with the reader\'s reason', () => {
    const { diags } = check(net('load("w.npy")'), { '/w/w.npy': new Uint8Array([1, 2, 3]) });
    expect(diags.map((d) => d.code)).toEqual(['QNN2018']);
    expect(diags[0].message).toMatch(/cannot be read/);
  });
  it('reports a wrong shape with both shapes, and suggests a transpose', () => {
    const { diags } = check(net('load("w.npy")'), { '/w/w.npy': npy([3, 4], () => 0) });
    expect(diags.map((d) => d.code)).toEqual(['QNN2019']);
    expect(diags[0].message).toContain('[3, 4]');
    expect(diags[0].message).toContain('[4, 3]');
    expect(diags[0].message).toContain('transposed');
  });
  it('warns with the count of values that do not fit and the worst error', () => {
    // coef = fixed<8,1,RND,SAT>: range [-1, 0.9921875]; values 0, 0.5, 1.5, 3 ... two of them saturate.
    const { diags } = check(net('load("w.npy")'), { '/w/w.npy': npy([4, 3], (i) => [0, 0.5, 1.5, 3][i % 4]) });
    expect(diags.map((d) => d.code)).toEqual(['QNN2020']);
    expect(diags[0].severity).toBe('warning');
    expect(diags[0].message).toMatch(/^6 of 12 values of 'weight' lie outside the range of fixed<8, 1, RND, SAT> \[-1, 0\.992188\] and saturate; the worst error is 2\.00781 \(3 becomes 0\.992188\)/);
    expect(diags[0].data).toMatchObject({ overflowed: 6 });
  });
  it('says wrap around for WRAP types', () => {
    const { diags } = check(net('[[2, 0, 0], [0, 0, 0], [0, 0, 0], [0, 0, 0]]').replace('coef', 'fixed<8, 1>'), {});
    expect(diags.find((d) => d.code === 'QNN2020')?.message).toContain('wrap around');
  });
  it('rejects NaN in a file', () => {
    const { diags } = check(net('load("w.npy")'), { '/w/w.npy': npy([4, 3], (i) => (i === 5 ? NaN : 0)) });
    expect(diags.map((d) => d.code)).toEqual(['QNN2018']);
  });
  it('reads .csv weights', () => {
    const { diags } = check(net('load("w.csv")'), { '/w/w.csv': '0.5,0.25,0\n0,0,0\n0,0,0\n-1,0,0\n' });
    expect(diags).toEqual([]);
  });
});

describe('test data', () => {
  const withTest = (attrs: string) => net('zeros()', `test t for n {\n${attrs}\n}\n`);
  it('accepts [N, 4] inputs and labels', () => {
    const { diags, program } = check(withTest('  inputs: load("x.npy")\n  labels: load("y.csv")'), {
      '/w/x.npy': npy([5, 4], (i) => i / 32),
      '/w/y.csv': '0\n1\n2\n0\n1\n',
    });
    expect(diags).toEqual([]);
    const t = program.files.get('/w/main.qnn')!.tests.get('t')!;
    expect(t.inputs.get('x')!.rows).toBe(5);
    expect([...t.labels!]).toEqual([0, 1, 2, 0, 1]);
  });
  it('selects columns of one CSV for inputs and labels', () => {
    const { diags } = check(withTest('  inputs: load("d.csv", columns: [0, 4])\n  labels: load("d.csv", column: 4)'), {
      '/w/d.csv': '1,2,3,4,0\n5,6,7,8,2\n',
    });
    expect(diags).toEqual([]);
  });
  it('reports wrong shapes, disagreeing row counts and bad labels', () => {
    const { diags } = check(withTest('  inputs: load("x.npy")\n  labels: load("y.csv")'), {
      '/w/x.npy': npy([5, 3], () => 0),
      '/w/y.csv': '0\n7\n',
    });
    expect(diags.map((d) => d.code)).toEqual(['QNN2030', 'QNN2030']);
    expect(diags[0].message).toContain('[N, 4]');
    expect(diags[1].message).toContain('between 0 and 2');
  });
  it('reports a missing input and an unknown key', () => {
    const { diags } = check(withTest('  input: load("x.npy")'), { '/w/x.npy': npy([5, 4], () => 0) });
    expect(diags.map((d) => d.code)).toEqual(['QNN2030']);
    expect(diags[0].message).toContain("Did you mean 'inputs'");
  });
});
