// Absurd values and absurd sizes: each gives its specific diagnostic, in bounded time and memory, without a crash.
// The bounds are generous on purpose (speed targets belong in bench/, not here): the point is "no hang, no crash".
import { afterEach, describe, expect, it, vi } from 'vitest';
import { checkProgram, memoryFileSystem, type Diagnostic, type DiagnosticCode, type ProgramModel } from '../src/index.js';
import { qnnLexer } from '../src/lexer.js';
import { MAX_FILE_CHARS, parse } from '../src/parse.js';

/** Each case must finish well within this (a hang would blow far past it). */
const CASE_MS = 10_000;
/** Heap growth allowed across one case (a 50 MB file's tokens or a 2^48-element allocation would exceed it). */
const CASE_HEAP_BYTES = 1024 * 1024 * 1024;
const TIMEOUT = 60_000;

const HEADER = 'type data = fixed<16, 6>\ntype coef = fixed<8, 1, RND, SAT>\n';

interface Checked {
  readonly program: ProgramModel;
  readonly all: readonly Diagnostic[];
  readonly ms: number;
}

/** Checks the files (the first is the entry), asserting time and heap bounds and that nothing crashed. */
function check(files: Record<string, string>, entries: readonly string[] = [Object.keys(files)[0]]): Checked {
  const heapBefore = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  const program = checkProgram(entries, { fs: memoryFileSystem(files) });
  const ms = performance.now() - t0;
  const heapGrowth = process.memoryUsage().heapUsed - heapBefore;
  const all = [...program.diagnostics.values()].flat();
  expect(ms, 'time of one case (ms)').toBeLessThan(CASE_MS);
  expect(heapGrowth, 'heap growth of one case (bytes)').toBeLessThan(CASE_HEAP_BYTES);
  expect(all.filter((d) => d.code === 'QNN1999').map((d) => d.message)).toEqual([]);
  return { program, all, ms };
}

function codes(c: Checked): DiagnosticCode[] {
  return c.all.map((d) => d.code);
}

/** A one-network file around `body` (lines inside the network). */
function net(body: string, extra = ''): Record<string, string> {
  return { '/p/main.qnn': `${HEADER}${extra}network n {\n  init random(seed: 1)\n${body}\n}\n` };
}

/** Asserts that `code` is reported, on the text `at` when given. */
function expectCode(c: Checked, code: DiagnosticCode, files: Record<string, string>, at?: string): void {
  const hits = c.all.filter((d) => d.code === code);
  expect(hits.length, `${code} in ${JSON.stringify(c.all.map((d) => `${d.code} ${d.message}`))}`).toBeGreaterThan(0);
  if (at !== undefined) {
    const texts = hits.map((d) => files[d.path]?.slice(d.span.start, d.span.end));
    expect(texts.some((t) => t !== undefined && t.includes(at)), `${code} spans ${JSON.stringify(texts)}, expected one on '${at}'`).toBe(true);
  }
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('absurd values give their diagnostic', { timeout: TIMEOUT }, () => {
  const cases: { name: string; code: DiagnosticCode; files: Record<string, string>; at?: string }[] = [
    { name: 'fixed<100000, 0>', code: 'QNN2005', files: { '/p/main.qnn': 'type huge = fixed<100000, 0>\n' }, at: '100000' },
    { name: 'fixed<16, 100000> (integer bits)', code: 'QNN2005', files: { '/p/main.qnn': 'type huge = fixed<16, 100000>\n' }, at: '100000' },
    { name: 'fixed<1e309, 0> (infinite width)', code: 'QNN2005', files: { '/p/main.qnn': 'type huge = fixed<1e309, 0>\n' } },
    { name: 'uint<0>', code: 'QNN2005', files: { '/p/main.qnn': 'type none = uint<0>\n' }, at: '0' },
    { name: 'dense(x, 1000000000000)', code: 'QNN2009', files: net('  input x : data[16]\n  y = dense(x, 1000000000000) : data\n  output y'), at: '1000000000000' },
    { name: 'dense(x, 0)', code: 'QNN2009', files: net('  input x : data[16]\n  y = dense(x, 0) : data\n  output y'), at: '0' },
    { name: 'reuse 0', code: 'QNN2009', files: net('  reuse 0\n  input x : data[16]\n  y = dense(x, 4) : data\n  output y'), at: '0' },
    { name: 'reuse -3', code: 'QNN2009', files: net('  reuse -3\n  input x : data[16]\n  y = dense(x, 4) : data\n  output y'), at: '-3' },
    { name: 'reuse 1e12', code: 'QNN2009', files: net('  reuse 1e12\n  input x : data[16]\n  y = dense(x, 4) : data\n  output y'), at: '1e12' },
    { name: 'reuse: 0 on a layer', code: 'QNN2009', files: net('  input x : data[16]\n  y = dense(x, 4) { reuse: 0 } : data\n  output y') },
    { name: 'input x : data[-4]', code: 'QNN2011', files: net('  input x : data[-4]\n  y = relu(x)\n  output y'), at: '-4' },
    { name: 'input x : data[0]', code: 'QNN2011', files: net('  input x : data[0]\n  y = relu(x)\n  output y'), at: '0' },
    { name: 'input x : data[2.5]', code: 'QNN2011', files: net('  input x : data[2.5]\n  y = relu(x)\n  output y'), at: '2.5' },
    { name: 'input x : data[16777216, 16777216]', code: 'QNN2011', files: net('  input x : data[16777216, 16777216]\n  y = relu(x)\n  output y') },
    { name: 'input x : data[1e309]', code: 'QNN2011', files: net('  input x : data[1e309]\n  y = relu(x)\n  output y'), at: '1e309' },
    {
      name: 'conv2d kernel larger than the input',
      code: 'QNN2010',
      files: net('  input img : data[4, 4, 1]\n  c = conv2d(img, 2, 5) : data\n  output c'),
      at: 'conv2d',
    },
    {
      name: 'conv1d kernel larger than the input',
      code: 'QNN2010',
      files: net('  input s : data[8, 2]\n  c = conv1d(s, 2, 1000000) : data\n  output c'),
      at: 'conv1d',
    },
    { name: 'maxpool2d pool larger than the input', code: 'QNN2010', files: net('  input img : data[4, 4, 1]\n  p = maxpool2d(img, [8, 8])\n  output p'), at: 'maxpool2d' },
    { name: 'table: 3', code: 'QNN2009', files: net('  input x : data[16]\n  y = sigmoid(x) { table: 3 } : data\n  output y'), at: '3' },
    { name: 'table: 2^40', code: 'QNN2009', files: net('  input x : data[16]\n  y = tanh(x) { table: 1099511627776 } : data\n  output y'), at: '1099511627776' },
    {
      name: 'dense layer with 2^28 weights',
      code: 'QNN2011',
      files: net('  input x : data[16]\n  y = dense(x, 16777216) : data\n  output y'),
    },
    { name: 'fifo depth 1e12', code: 'QNN2009', files: net('  io stream\n  fifo 1000000000000\n  input x : data[16]\n  y = relu(x)\n  output y'), at: '1000000000000' },
    { name: 'clock 0ns', code: 'QNN2026', files: { '/p/main.qnn': 'target xcu250 clock 0ns\n' }, at: '0ns' },
    { name: 'seed 2^64', code: 'QNN2032', files: net('  input x : data[16]\n  y = dense(x, 4) { weight: coef = random(seed: 18446744073709551616) } : data\n  output y') },
    { name: 'reshape to 2^48 values', code: 'QNN2010', files: net('  input x : data[16]\n  y = reshape(x, [16777216, 16777216])\n  output y') },
  ];
  for (const c of cases) {
    it(`${c.name} → ${c.code}`, () => {
      const res = check(c.files);
      expectCode(res, c.code, c.files, c.at);
    });
  }

  it('a reuse factor on the largest allowed dense layer (2^27 weights) is checked quickly → QNN2021', () => {
    // nearestValidReuse searches the divisors of 2^27; the generated weights must not be materialized.
    const files = net('  input x : data[8192]\n  y = dense(x, 16384) { reuse: 7 } : data\n  output y');
    const res = check(files);
    expectCode(res, 'QNN2021', files, '7');
  });
});

describe('absurd sizes finish in bounded time', { timeout: TIMEOUT }, () => {
  it('an import chain of 1,000 files checks without errors', () => {
    const N = 1000;
    const files: Record<string, string> = {};
    for (let i = 0; i < N - 1; i++) files[`/chain/f${i}.qnn`] = `import { t${i + 1} } from "f${i + 1}.qnn"\ntype t${i} = t${i + 1}\n`;
    files[`/chain/f${N - 1}.qnn`] = `type t${N - 1} = fixed<8, 1>\n`;
    files['/chain/main.qnn'] = `import { t0 } from "f0.qnn"\nnetwork n {\n  init random(seed: 1)\n  input x : t0[4]\n  y = dense(x, 2) : t0\n  output y\n}\n`;
    const res = check(files, ['/chain/main.qnn']);
    expect(res.program.files.size).toBe(N + 1);
    expect(res.all.filter((d) => d.severity === 'error').map((d) => `${d.path} ${d.code} ${d.message}`)).toEqual([]);
    // The type reached through 1,000 aliases in 1,000 files is the one at the end.
    expect(res.program.files.get('/chain/f0.qnn')?.types.get('t0')?.width).toBe(8);
  });

  it('an import chain of 1,000 files that closes a cycle reports QNN2015 once', () => {
    const N = 1000;
    const files: Record<string, string> = {};
    for (let i = 0; i < N; i++) files[`/cycle/f${i}.qnn`] = `import "f${(i + 1) % N}.qnn"\ntype t${i} = fixed<8, 1>\n`;
    const res = check(files, ['/cycle/f0.qnn']);
    expect(res.program.files.size).toBe(N);
    const cycles = res.all.filter((d) => d.code === 'QNN2015');
    expect(cycles).toHaveLength(1);
    expect(cycles[0].path).toBe(`/cycle/f${N - 1}.qnn`);
    // Every file is an entry too: still one cycle, reported once.
    const again = check(files, Object.keys(files));
    expect(again.all.filter((d) => d.code === 'QNN2015')).toHaveLength(1);
  });

  it('a 50 MB file gives QNN1006 without being tokenized', () => {
    const tokenize = vi.spyOn(qnnLexer, 'tokenize');
    const head = `${HEADER}network n {\n  input x : data[1]\n  y = dense(x, 10000000) { weight: [[`;
    const text = head + '0.5, '.repeat(Math.ceil((50 * 1024 * 1024 - head.length) / 5)) + '0.5]] } : data\n  output y\n}\n';
    expect(text.length).toBeGreaterThan(MAX_FILE_CHARS);
    const files = { '/big/main.qnn': text };
    const res = check(files);
    expect(codes(res)).toEqual(['QNN1006']);
    expect(res.all[0].span).toEqual({ start: 0, end: 0 });
    const t0 = performance.now();
    expect(parse(text, '/big/main.qnn').diagnostics.map((d) => d.code)).toEqual(['QNN1006']);
    expect(performance.now() - t0).toBeLessThan(CASE_MS);
    expect(tokenize).not.toHaveBeenCalled();
  });

  it('a file just under the size limit is parsed (and reports its own problems)', () => {
    // 16 MB minus a little of comment: lexed and parsed, no QNN1006.
    const text = `${HEADER}/* ${'x'.repeat(MAX_FILE_CHARS - HEADER.length - 100)} */\n`;
    const res = check({ '/big/edge.qnn': text });
    expect(codes(res)).not.toContain('QNN1006');
  });

  it('20,000 layers in one network (a 20,000-line file) check without errors', () => {
    const N = 20_000;
    const lines = [HEADER.trimEnd(), 'network big {', '  init random(seed: 1)', '  input x : data[8]'];
    let prev = 'x';
    for (let i = 0; i < N; i++) {
      const name = `l${i}`;
      lines.push(i % 2 === 0 ? `  ${name} = dense(${prev}, 8) : data` : `  ${name} = relu(${prev})`);
      prev = name;
    }
    lines.push(`  output ${prev}`, '}', '');
    const files = { '/big/layers.qnn': lines.join('\n') };
    const res = check(files);
    expect(res.all.filter((d) => d.severity === 'error').map((d) => `${d.code} ${d.message}`)).toEqual([]);
    expect(res.program.files.get('/big/layers.qnn')?.networks.get('big')?.layers).toHaveLength(N);

    // The same network with a misspelled name near the end: one QNN2001 (with a suggestion), still in bounded time.
    const broken = { '/big/layers.qnn': files['/big/layers.qnn'].replace(`relu(l${N - 4})`, `relu(l${N - 4}x)`) };
    const res2 = check(broken);
    const undefinedNames = res2.all.filter((d) => d.code === 'QNN2001');
    expect(undefinedNames).toHaveLength(1);
    expect(undefinedNames[0].message).toContain(`l${N - 4}x`);
  });

  it('20,000 syntax errors are capped (QNN1007) in bounded time', () => {
    const lines = ['network n {'];
    for (let i = 0; i < 20_000; i++) lines.push(`  l${i} = = 3 ]`);
    lines.push('}');
    const res = check({ '/big/errors.qnn': lines.join('\n') });
    const syntax = res.all.filter((d) => d.code.startsWith('QNN1'));
    expect(syntax.map((d) => d.code)).toContain('QNN1007');
    expect(syntax.length).toBeLessThanOrEqual(102);
  });

  it('20,000 networks in one file check in bounded time', () => {
    const parts = [HEADER];
    for (let i = 0; i < 20_000; i++) parts.push(`network n${i} { init random(seed: ${i}) input x : data[2] y = dense(x, 2) : data output y }\n`);
    const res = check({ '/big/networks.qnn': parts.join('') });
    expect(res.all.filter((d) => d.severity === 'error').map((d) => `${d.code} ${d.message}`)).toEqual([]);
  });
});
