// End-to-end tests of the `qnn` command line: the real executable (simulator/bin/qnn.js, which runs the built dist/)
// in a child process, in a temporary working folder. Exit codes: 0 success, 1 errors found, 2 usage errors.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prng } from '../../language/test/prng.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = join(REPO, 'simulator/bin/qnn.js');
const SAMPLES = join(REPO, 'samples');
const HUMAN_LINE = /^.+:\d+:\d+: (error|warning) QNN\d{4}: .+$/;
const STACK_TRACE = /\n\s+at /;
/** Per test: each spawn takes ~0.4 s, more on a loaded 2-core machine. */
const TIMEOUT = 60_000;

let work = '';

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `qnn ARGS…` with the temporary folder as working directory. */
function qnn(...args: string[]): Run {
  const r: SpawnSyncReturns<string> = spawnSync(process.execPath, [BIN, ...args], {
    cwd: work,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
    maxBuffer: 512 * 1024 * 1024,
    timeout: 120_000,
  });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function write(rel: string, text: string): string {
  const p = join(work, rel);
  mkdirSync(dirname(p), { recursive: true });
  writeFileSync(p, text);
  return p;
}

// A valid network with generated weights (no files needed) and a known part.
const VALID = `// A jet tagger with generated weights.
target xcu250 clock 5ns

type data = fixed<16, 6>
type coef = fixed<16, 6>
type act = ufixed<15, 5>

network jet_tagger {
  io parallel
  reuse 1
  init random(seed: 42)
  require latency <= 100ns, dsp <= 2000

  input x : data[16]

  fc1 = dense(x, 64) {
    weight: coef = random(seed: 1)
    bias: coef = zeros()
  } : data
  relu1 = relu(fc1) : act
  fc2 = dense(relu1, 32) : data
  relu2 = relu(fc2) : act
  fc3 = dense(relu2, 5) : data
  out = softmax(fc3) { table: 1024 } : ufixed<16, 0, TRN, SAT>

  output out
}
`;

/** The same network, unformatted (spacing and line breaks only). */
const UNFORMATTED = `target   xcu250 clock 5ns
type data=fixed<16,6>
type act = ufixed< 15 ,5 >
network jet_tagger { init random( seed : 42 )
      input x : data [16]
  fc1 = dense( x,64 ):data
    relu1=relu(fc1):act
  output relu1 }
`;

/** Errors at known places: line 7 (1-based) has an undefined type, line 9 an undefined layer. */
const WITH_ERRORS = `target xcu250 clock 5ns
type data = fixed<16, 6>

network n {
  init random(seed: 1)
  input x : data[16]
  fc1 = dense(x, 8) : dta
  relu1 = relu(fc1)
  output relu_1
}
`;

beforeAll(() => {
  if (!existsSync(join(REPO, 'compiler/dist/cli/main.js'))) {
    throw new Error('compiler/dist is missing: build first (npx tsc -b), as `npm test` does.');
  }
  work = mkdtempSync(join(tmpdir(), 'qnn-cli-test-'));
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('qnn check', { timeout: TIMEOUT }, () => {
  it('exits 0 on a valid file, and prints no diagnostics', () => {
    write('valid.qnn', VALID);
    const r = qnn('check', 'valid.qnn');
    expect(r.stderr).toContain('1 file checked: 0 errors');
    expect(r.stdout).toBe('');
    expect(r.status).toBe(0);
  });

  it('exits 1 on a file with errors and prints path:line:col: severity CODE: message lines', () => {
    write('bad.qnn', WITH_ERRORS);
    const r = qnn('check', 'bad.qnn');
    expect(r.status).toBe(1);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line).toMatch(HUMAN_LINE);
    expect(lines.some((l) => l.startsWith('bad.qnn:7:23: error QNN2004: '))).toBe(true);
    expect(lines.some((l) => l.startsWith('bad.qnn:9:10: error QNN2001: '))).toBe(true);
    expect(r.stderr).toMatch(/1 file checked: \d+ errors?/);
  });

  it('--json prints one JSON document with 0-based ranges', () => {
    write('bad.qnn', WITH_ERRORS);
    const r = qnn('check', '--json', 'bad.qnn');
    expect(r.status).toBe(1);
    const doc = JSON.parse(r.stdout) as JsonReport;
    expectJsonShape(doc);
    expect(doc.files.map((f) => f.path)).toEqual(['bad.qnn']);
    const d = doc.files[0].diagnostics.find((x) => x.code === 'QNN2004')!;
    expect(d).toBeDefined();
    expect(d.severity).toBe('error');
    expect(d.range).toEqual({ start: { line: 6, character: 22 }, end: { line: 6, character: 25 } });
    const u = doc.files[0].diagnostics.find((x) => x.code === 'QNN2001')!;
    expect(u.range.start).toEqual({ line: 8, character: 9 });
    // The human format says the same, 1-based.
    const human = qnn('check', 'bad.qnn').stdout.trimEnd().split('\n');
    expect(human).toHaveLength(doc.files[0].diagnostics.length);
    doc.files[0].diagnostics.forEach((x, i) => {
      expect(human[i]).toBe(`bad.qnn:${x.range.start.line + 1}:${x.range.start.character + 1}: ${x.severity} ${x.code}: ${x.message}`);
    });
  });

  it('--json on a valid file exits 0 with an empty diagnostics list', () => {
    write('valid.qnn', VALID);
    const r = qnn('check', 'valid.qnn', '--json');
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout) as JsonReport;
    expectJsonShape(doc);
    expect(doc).toEqual({ files: [{ path: 'valid.qnn', diagnostics: [] }] });
  });

  it('checks folders recursively', () => {
    write('tree/a/valid.qnn', VALID);
    write('tree/b/c/bad.qnn', WITH_ERRORS);
    write('tree/notes.txt', 'not a qnn file');
    const r = qnn('check', '--json', 'tree');
    expect(r.status).toBe(1);
    const doc = JSON.parse(r.stdout) as JsonReport;
    expect(doc.files.map((f) => f.path).sort()).toEqual(['tree/a/valid.qnn', 'tree/b/c/bad.qnn']);
  });
});

describe('usage errors exit 2', { timeout: TIMEOUT }, () => {
  it('a missing path', () => {
    const r = qnn('check', 'no-such-file.qnn');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('no-such-file.qnn');
    expect(r.stderr).not.toMatch(STACK_TRACE);
    expect(qnn('fmt', 'no-such-folder/').status).toBe(2);
  });

  it('an unknown command', () => {
    const r = qnn('frobnicate');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('frobnicate');
  });

  it('an unknown option', () => {
    write('valid.qnn', VALID);
    expect(qnn('check', '--frobnicate', 'valid.qnn').status).toBe(2);
    expect(qnn('fmt', '--json', 'valid.qnn').status).toBe(2);
    expect(qnn('parts', '--check').status).toBe(2);
    expect(qnn('--frobnicate').status).toBe(2);
  });

  it('a missing argument', () => {
    expect(qnn('check').status).toBe(2);
    expect(qnn('fmt', '--check').status).toBe(2);
  });
});

describe('--help', { timeout: TIMEOUT }, () => {
  for (const args of [['--help'], ['check', '--help'], ['fmt', '--help'], ['parts', '--help'], ['help', 'check'], ['-h']]) {
    it(`qnn ${args.join(' ')} exits 0 and prints usage`, () => {
      const r = qnn(...args);
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/^Usage: qnn/);
    });
  }

  it('qnn parts lists parts and exits 0', () => {
    const r = qnn('parts');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('xcu250');
    const json = qnn('parts', '--json');
    expect(json.status).toBe(0);
    expect(Array.isArray((JSON.parse(json.stdout) as { parts: unknown[] }).parts)).toBe(true);
  });
});

describe('qnn fmt', { timeout: TIMEOUT }, () => {
  it('--check exits 1 on an unformatted file and changes nothing', () => {
    const p = write('fmt/unformatted.qnn', UNFORMATTED);
    const r = qnn('fmt', '--check', 'fmt/unformatted.qnn');
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('unformatted.qnn');
    expect(readFileSync(p, 'utf8')).toBe(UNFORMATTED);
  });

  it('rewrites an unformatted file; then --check exits 0 and fmt is idempotent', () => {
    const p = write('fmt/rewrite.qnn', UNFORMATTED);
    const r = qnn('fmt', 'fmt/rewrite.qnn');
    expect(r.status).toBe(0);
    const formatted = readFileSync(p, 'utf8');
    expect(formatted).not.toBe(UNFORMATTED);
    expect(formatted).toContain('type data = fixed<16, 6>');
    expect(qnn('fmt', '--check', 'fmt/rewrite.qnn').status).toBe(0);
    expect(qnn('fmt', 'fmt/rewrite.qnn').status).toBe(0);
    expect(readFileSync(p, 'utf8')).toBe(formatted);
    // The formatted file still checks the same (no errors).
    expect(qnn('check', 'fmt/rewrite.qnn').status).toBe(0);
    // No temporary files are left behind.
    expect(readdirSync(join(work, 'fmt')).filter((f) => f.includes('.tmp'))).toEqual([]);
  });

  it('--check exits 0 on a formatted file', () => {
    write('fmt/valid.qnn', VALID);
    const once = qnn('fmt', 'fmt/valid.qnn');
    expect(once.status).toBe(0);
    const r = qnn('fmt', '--check', 'fmt/valid.qnn');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('');
  });

  it('leaves a file with syntax errors byte-for-byte untouched and exits 1', () => {
    // Odd bytes too (CRLF, a BOM, a tab, non-ASCII): nothing may be normalized.
    const text = '\ufeff// broken\r\ntype data = fixed<16, 6>\r\nnetwork n {\t@@ garbage %%\r\n  input x : data[16]\r\n  y = relu(x) : data  // é\r\n  output y\r\n';
    const p = write('fmt/broken.qnn', text);
    const before = readFileSync(p);
    const r = qnn('fmt', 'fmt/broken.qnn');
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('broken.qnn');
    expect(r.stderr).not.toMatch(STACK_TRACE);
    expect(readFileSync(p).equals(before)).toBe(true);
    expect(qnn('fmt', '--check', 'fmt/broken.qnn').status).toBe(1);
    expect(readFileSync(p).equals(before)).toBe(true);
  });
});

describe('error recovery through the CLI', { timeout: TIMEOUT }, () => {
  it('reports a syntax error on each of three garbage lines and still finds a semantic error further down', () => {
    const lines = VALID.split('\n');
    // Garbage at top level, inside the network body, and inside an attribute block.
    const at = (re: RegExp) => lines.findIndex((l) => re.test(l));
    const insertBefore = [at(/^network jet_tagger/), at(/^\s+fc1 = dense/), at(/^\s+bias: coef = zeros\(\)/)];
    expect(insertBefore.every((i) => i > 0)).toBe(true);
    const garbage = ['@@ garbage %%', 'foo bar baz', '@@ garbage %%'];
    const out: string[] = [];
    const garbageLines: number[] = [];
    lines.forEach((l, i) => {
      const k = insertBefore.indexOf(i);
      if (k >= 0) {
        out.push(garbage[k]);
        garbageLines.push(out.length); // 1-based line of the inserted garbage
      }
      out.push(l);
    });
    // A misspelled layer name further down than every garbage line.
    const text = out.join('\n').replace('fc3 = dense(relu2, 5)', 'fc3 = dense(relu2x, 5)');
    const misspelledLine = text.split('\n').findIndex((l) => l.includes('relu2x')) + 1;
    expect(misspelledLine).toBeGreaterThan(Math.max(...garbageLines));
    write('garbage.qnn', text);

    const r = qnn('check', '--json', 'garbage.qnn');
    expect(r.status).toBe(1);
    const doc = JSON.parse(r.stdout) as JsonReport;
    expectJsonShape(doc);
    const ds = doc.files[0].diagnostics;
    for (const line of garbageLines) {
      expect(
        ds.some((d) => /^QNN1\d{3}$/.test(d.code) && d.range.start.line + 1 === line),
        `a QNN1xxx error on line ${line}; got ${JSON.stringify(ds.map((d) => `${d.range.start.line + 1} ${d.code}`))}`,
      ).toBe(true);
    }
    const undefinedName = ds.filter((d) => d.code === 'QNN2001');
    expect(undefinedName.map((d) => d.range.start.line + 1)).toEqual([misspelledLine]);
    expect(undefinedName[0].message).toContain('relu2x');
    expect(r.stderr).not.toMatch(STACK_TRACE);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Many mutated samples in one run.

const VOCAB = [
  'network', 'input', 'output', 'type', 'import', 'target', 'reuse', 'init', 'fifo', 'require', 'test', 'for', 'fixed', 'ufixed', 'int',
  'dense', 'relu', 'softmax', 'conv2d', 'maxpool1d', 'concat', 'add', 'load', 'random', 'weight', 'bias', 'table', 'x', 'fc1', 'data',
  '(', ')', '{', '}', '[', ']', '<', '>', '<=', '=', ':', ',', ';', '-', '->', '/*', '//', '"', '\n',
  '0', '-1', '16', '3.5', '1e309', '5ns', '80%', '4294967296', '"weights/fc1_weight.npy"', '"types.qnn"', '"missing.qnn"', '""',
];
const ODD = ['\u0000', '\u0007', '\u001b', '\u007f', '\ud800', '\udfff', '\ufeff', '\u2028', 'é', '你', '@', '#', '$', '\\', '`'];

/** A seeded mutation of `text`: token deletion, insertion, duplication, or random characters (several for some). */
function mutate(text: string, rng: () => number): string {
  const int = (n: number) => Math.floor(rng() * n);
  const toks: { start: number; end: number }[] = [];
  const re = /\/\/[^\n]*|"[^"\n]*"?|[A-Za-z_]\w*|\d+(?:\.\d*)?(?:[eE][+-]?\d+)?[A-Za-z%]*|->|<=|\S/gu;
  for (let m = re.exec(text); m; m = re.exec(text)) toks.push({ start: m.index, end: m.index + m[0].length });
  if (toks.length === 0) return text + ' }';
  const t = toks[int(toks.length)];
  switch (int(5)) {
    case 0:
      return text.slice(0, t.start) + text.slice(t.end);
    case 1:
      return text.slice(0, t.start) + ` ${VOCAB[int(VOCAB.length)]} ` + text.slice(t.start);
    case 2:
      return text.slice(0, t.end) + ' ' + text.slice(t.start, t.end) + text.slice(t.end);
    case 3: {
      const at = int(text.length + 1);
      return text.slice(0, at) + ODD[int(ODD.length)] + String.fromCharCode(int(0x10000)) + text.slice(at);
    }
    default: {
      let s = text;
      for (let k = 2 + int(4); k > 0; k--) s = mutate(s, rng);
      return s;
    }
  }
}

function findQnn(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, e.name);
    if (e.isDirectory()) out.push(...findQnn(full));
    else if (e.name.endsWith('.qnn')) out.push(full);
  }
  return out.sort();
}

describe('300 mutated samples in one check --json', { timeout: TIMEOUT }, () => {
  it('exits 0 or 1, prints valid JSON for every file, and no stack trace', () => {
    const root = join(work, 'mutants');
    mkdirSync(root, { recursive: true });
    // The samples with their weight and data folders (so loads resolve), plus the inline valid file.
    const corpus: { dir: string; name: string; text: string }[] = [];
    for (const p of findQnn(SAMPLES)) {
      const rel = relative(SAMPLES, dirname(p));
      const dir = join(root, rel);
      if (!existsSync(dir)) cpSync(dirname(p), dir, { recursive: true }); // weights, data and imported files
      corpus.push({ dir, name: p.slice(p.lastIndexOf('/') + 1, -'.qnn'.length), text: readFileSync(p, 'utf8') });
    }
    corpus.push({ dir: join(root, 'inline'), name: 'valid', text: VALID }, { dir: join(root, 'inline'), name: 'errors', text: WITH_ERRORS });
    mkdirSync(join(root, 'inline'), { recursive: true });
    const written: string[] = [];
    for (let i = 0; i < 300; i++) {
      const src = corpus[i % corpus.length];
      const text = mutate(src.text, prng(0x5eed0000 + i));
      const path = join(src.dir, `${src.name}.mutant-${String(i).padStart(3, '0')}.qnn`);
      writeFileSync(path, text);
      written.push(relative(work, path));
    }

    const r = qnn('check', '--json', ...written);
    expect(r.stderr).not.toMatch(STACK_TRACE);
    expect([0, 1]).toContain(r.status);
    const doc = JSON.parse(r.stdout) as JsonReport;
    expectJsonShape(doc);
    // Every mutant is reported (imported files such as types.qnn may follow them).
    const reported = new Set(doc.files.map((f) => f.path));
    for (const w of written) expect(reported.has(w), `${w} is reported`).toBe(true);
    const all = doc.files.flatMap((f) => f.diagnostics);
    expect(all.filter((d) => d.code === 'QNN1999').map((d) => d.message)).toEqual([]);
    expect(all.length).toBeGreaterThan(0);
  });
});

// ---------------------------------------------------------------------------------------------------------------

interface JsonPosition {
  readonly line: number;
  readonly character: number;
}
interface JsonReport {
  readonly files: readonly {
    readonly path: string;
    readonly diagnostics: readonly {
      readonly code: string;
      readonly severity: string;
      readonly message: string;
      readonly range: { readonly start: JsonPosition; readonly end: JsonPosition };
    }[];
  }[];
}

/** The documented shape: { files: [ { path, diagnostics: [ { code, severity, message, range } ] } ] }, 0-based. */
function expectJsonShape(doc: JsonReport): void {
  expect(Object.keys(doc)).toEqual(['files']);
  expect(Array.isArray(doc.files)).toBe(true);
  const isPos = (p: JsonPosition) => Number.isInteger(p?.line) && Number.isInteger(p?.character) && p.line >= 0 && p.character >= 0;
  for (const f of doc.files) {
    expect(typeof f.path).toBe('string');
    expect(f.path.length).toBeGreaterThan(0);
    expect(Array.isArray(f.diagnostics)).toBe(true);
    for (const d of f.diagnostics) {
      const where = `${f.path}: ${JSON.stringify(d)}`;
      expect(d.code, where).toMatch(/^QNN\d{4}$/);
      expect(['error', 'warning', 'info'], where).toContain(d.severity);
      expect(typeof d.message === 'string' && d.message.trim().length > 0, where).toBe(true);
      expect(isPos(d.range.start) && isPos(d.range.end), where).toBe(true);
      const { start, end } = d.range;
      expect(start.line < end.line || (start.line === end.line && start.character <= end.character), where).toBe(true);
    }
  }
}
