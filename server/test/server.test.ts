// The server's behaviour beyond single-cursor fixtures, through a real client over stdio: unsaved imports, selective
// re-checks, estimates equal to `qnn estimate --json`, settings, the custom requests, commands, formatting.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { format, readNpy } from '@qnn/language';
import type { CodeAction, CodeLens, DocumentSymbol, FoldingRange, Hover, InlayHint, SelectionRange, TextEdit } from 'vscode-languageserver-protocol';
import { LspClient, REPO } from './lsp-client.js';
import { applyEdits } from './fixtures.js';

const QNN = join(REPO, 'simulator/bin/qnn.js');
const SAMPLES = ['jet-tagger/jet-tagger.qnn', 'branches/branches.qnn', 'digits/digits.qnn', 'econ-t/econ-t.qnn', 'ice40-tiny/ice40-tiny.qnn', 'pulse-shape/pulse-shape.qnn', 'bragg-peak/bragg-peak.qnn'];
const all = (text: string) => ({ start: { line: 0, character: 0 }, end: { line: text.split('\n').length, character: 0 } });

let client: LspClient;
// Estimate diagnostics in the same publication as the checker's, so that each test waits for one.
const NOW = { diagnostics: { estimateDelayMs: 0 } };
beforeAll(async () => {
  client = await LspClient.start({ settings: NOW });
});
afterAll(async () => {
  await client.stop();
  expect(client.stderr).not.toMatch(/Error|at .*\.js:\d+/);
});

function tmp(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'qnn-lsp-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

const LIB = 'type data = fixed<16, 6>\n';
const MAIN = 'import { data } from "lib.qnn"\n\nnetwork n {\n  init random(seed: 1)\n  input x : data[4]\n  y = dense(x, 2) : data\n  output y\n}\n';

describe('documents', () => {
  test('an unsaved change in an imported file re-checks the files that import it, and only those', async () => {
    const dir = tmp({ 'lib.qnn': LIB, 'main.qnn': MAIN, 'other.qnn': MAIN.replace('import { data } from "lib.qnn"', 'type data = fixed<8, 2>') });
    const lib = await client.open(join(dir, 'lib.qnn'), LIB);
    const main = await client.open(join(dir, 'main.qnn'), MAIN);
    const other = await client.open(join(dir, 'other.qnn'), readFileSync(join(dir, 'other.qnn'), 'utf8'));
    expect(await client.diagnostics(main, 1)).toEqual([]);
    expect(await client.diagnostics(other, 1)).toEqual([]);
    await client.diagnostics(lib, 1);
    const otherCount = client.publishCount.get(other);
    const next = client.nextDiagnostics(main);
    // Rename the type in the buffer only: the disk still has `data`.
    await client.change(lib, [{ range: { start: { line: 0, character: 5 }, end: { line: 0, character: 9 } }, text: 'sample' }]);
    const d = await next;
    expect(d.map((x) => x.code)).toContain('QNN2016');
    expect(d.find((x) => x.code === 'QNN2016')!.message).toContain("defines no type or network 'data'");
    await client.diagnostics(lib, 2);
    expect(client.publishCount.get(other)).toBe(otherCount);
    // Undo: main is clean again.
    const again = client.nextDiagnostics(main);
    await client.change(lib, [{ range: { start: { line: 0, character: 5 }, end: { line: 0, character: 11 } }, text: 'data' }]);
    expect(await again).toEqual([]);
  });

  test('a file that cannot be read is a diagnostic, not a crash', async () => {
    const dir = tmp({ 'main.qnn': MAIN });
    mkdirSync(join(dir, 'lib.qnn'));
    const main = await client.open(join(dir, 'main.qnn'), MAIN);
    const d = await client.diagnostics(main, 1);
    expect(d.map((x) => x.code)).toEqual(['QNN2036']);
    expect(d[0].message).toContain('directory');
  });

  test('a diagnostic of a shape mismatch points to where the other shape comes from', async () => {
    const text = 'network n {\n  init random(seed: 1)\n  input a : fixed<8, 2>[4]\n  input b : fixed<8, 2>[3]\n  s = add(a, b) : fixed<9, 3>\n  output s\n}\n';
    const dir = tmp({ 'shape.qnn': text });
    const uri = await client.open(join(dir, 'shape.qnn'), text);
    const d = await client.diagnostics(uri, 1);
    const shape = d.find((x) => x.code === 'QNN2010');
    expect(shape, JSON.stringify(d)).toBeTruthy();
    expect(shape!.relatedInformation?.length).toBeGreaterThan(0);
    expect(shape!.relatedInformation![0].location.uri).toBe(uri);
    expect(shape!.relatedInformation!.map((r) => r.message)).toEqual(["'a' has shape [4]", "'b' has shape [3]"]);
    expect(shape!.relatedInformation![1].location.range.start).toEqual({ line: 3, character: 8 });
  });
});

describe('estimates equal qnn estimate --json', () => {
  for (const sample of SAMPLES) {
    test(sample, async () => {
      const path = join(REPO, 'samples', sample);
      const text = readFileSync(path, 'utf8');
      const uri = await client.open(path, text);
      await client.diagnostics(uri, 1);
      const cli = JSON.parse(execFileSync(process.execPath, [QNN, 'estimate', path, '--json'], { encoding: 'utf8' }));
      const cliList = Array.isArray(cli) ? cli : [cli];
      const viaLsp = await client.request<unknown[]>('qnn/estimate', { uri });
      expect(viaLsp).toEqual(cliList);
      const hints = await client.request<InlayHint[]>('textDocument/inlayHint', { textDocument: { uri }, range: all(text) });
      const lenses = await client.request<CodeLens[]>('textDocument/codeLens', { textDocument: { uri } });
      const lines = text.split('\n');
      for (const e of cliList) {
        for (const layer of e.layers) {
          const line = lines.findIndex((l) => new RegExp(`^\\s*${layer.name}\\s*=`).test(l));
          expect(line, layer.name).toBeGreaterThanOrEqual(0);
          const h = await client.request<Hover>('textDocument/hover', { textDocument: { uri }, position: { line, character: lines[line].indexOf(layer.name) + 1 } });
          const md = (h.contents as { value: string }).value;
          expect(md).toContain(`resources: ${layer.lut} LUT · ${layer.ff} FF · ${layer.dsp} DSP · ${layer.bram18} BRAM18`);
          const lat = /latency (\d+) cycles? = ([\d.]+) ns · II (\d+)/.exec(md);
          expect(lat, md).toBeTruthy();
          expect(Number(lat![1])).toBe(layer.latencyCycles);
          expect(Math.abs(Number(lat![2]) - layer.latencyCycles * e.clockNs)).toBeLessThan(0.001);
          expect(Number(lat![3])).toBe(layer.ii);
          const m = layer.multipliers;
          expect(md).toContain(`multipliers: ${m.dsp} DSP · ${m.lut} LUT · ${m.shift} shift · ${m.skip} skipped`);
          // An inlay hint at the end of the layer's statement.
          const hint = hints.find((x) => x.position.line === line);
          expect(String(hint?.label)).toMatch(new RegExp(`^${layer.latencyCycles} cyc`));
          expect(hint, `hint of ${layer.name}`).toBeTruthy();
        }
        const lens = lenses.find((l) => l.command?.arguments?.[1] === e.network && l.command.command === 'qnn.showReport');
        expect(lens!.command!.title).toContain(`${e.total.latencyCycles} cycles`);
        expect(lenses.filter((l) => l.command?.arguments?.[1] === e.network).map((l) => l.command!.command).sort()).toEqual(['qnn.generateProject', 'qnn.showReport', 'qnn.showReport', 'qnn.simulate']);
      }
      expect(hints.length).toBe(cliList.reduce((n, e) => n + e.layers.length, 0));
    }, 60_000);
  }
});

describe('transports', () => {
  test('the binary speaks LSP over IPC too (how the VS Code client starts it)', async () => {
    const { fork } = await import('node:child_process');
    const rpc = await import('vscode-languageserver-protocol/node.js');
    const child = fork(join(REPO, 'server/bin/qnn-language-server.js'), ['--node-ipc'], { stdio: ['ignore', 'ignore', 'ignore', 'ipc'] });
    const c = rpc.createProtocolConnection(new rpc.IPCMessageReader(child), new rpc.IPCMessageWriter(child));
    c.listen();
    try {
      const init = await c.sendRequest(rpc.InitializeRequest.type, { processId: process.pid, rootUri: null, capabilities: {}, workspaceFolders: null });
      expect(init.capabilities.hoverProvider).toBe(true);
      expect(init.capabilities.inlayHintProvider).toBeTruthy();
      await c.sendRequest(rpc.ShutdownRequest.type);
    } finally {
      c.dispose();
      child.kill();
    }
  }, 30_000);

  test('without a transport the binary says how to start it', () => {
    let out = '';
    try {
      execFileSync(process.execPath, [join(REPO, 'server/bin/qnn-language-server.js')], { encoding: 'utf8', stdio: 'pipe' });
    } catch (e) {
      out = String((e as { stderr?: string }).stderr);
      expect((e as { status?: number }).status).toBe(2);
    }
    expect(out).toContain('--stdio');
  });
});

describe('two-step diagnostics (default settings)', () => {
  test("the estimator's diagnostics follow when the document is quiet, and move with the edits meanwhile", async () => {
    const c = await LspClient.start();
    try {
      const text = 'target xcu250 clock 5ns\nnetwork n {\n  reuse 1\n  require dsp <= 10\n  init random(seed: 1)\n  input x : fixed<16, 6>[16]\n  y = dense(x, 8) : fixed<16, 6>\n  output y\n}\n';
      const dir = tmp({ 'two.qnn': text });
      const uri = await c.open(join(dir, 'two.qnn'), text);
      let d = await c.diagnostics(uri, 1);
      while (!d.some((x) => x.code === 'QNN3002')) d = await c.nextDiagnostics(uri);
      const before = d.find((x) => x.code === 'QNN3002')!.range;
      expect(before.start.line).toBe(3);
      // Insert a line above: the first publication of the new version keeps the warning, one line lower.
      const next = c.nextDiagnostics(uri);
      await c.change(uri, [{ range: { start: { line: 1, character: 0 }, end: { line: 1, character: 0 } }, text: '// a comment\n' }]);
      const moved = (await next).find((x) => x.code === 'QNN3002');
      expect(moved?.range).toEqual({ start: { line: 4, character: before.start.character }, end: { line: 4, character: before.end.character } });
    } finally {
      await c.stop();
    }
  }, 60_000);
});

describe('background estimates (a worker thread)', () => {
  test('the figures a background job delivers equal qnn estimate --json, and its QNN3xxx diagnostics arrive', async () => {
    const c = await LspClient.start({ settings: { diagnostics: { estimateDelayMs: 20 } }, env: { QNN_SERVER_TIMING: '1' } });
    try {
      const text = 'target xcu250 clock 5ns\nnetwork n {\n  reuse 1\n  require dsp <= 10\n  init random(seed: 3)\n  input x : fixed<16, 6>[16]\n  h = dense(x, 8) : fixed<16, 6>\n  r = relu(h) : ufixed<15, 5>\n  y = dense(r, 4) : fixed<16, 6>\n  output y\n}\n';
      const dir = tmp({ 'bg.qnn': text });
      const path = join(dir, 'bg.qnn');
      const uri = await c.open(path, text);
      // The first publication has the checker's diagnostics only; the budget warning comes with the job's result.
      let d = await c.diagnostics(uri, 1);
      while (!d.some((x) => x.code === 'QNN3002')) d = await c.nextDiagnostics(uri);
      const cli = JSON.parse(execFileSync(process.execPath, [QNN, 'estimate', path, '--json'], { encoding: 'utf8' }));
      expect(await c.request('qnn/estimate', { uri, network: 'n' })).toEqual(cli);
      const lines = text.split('\n');
      const line = lines.findIndex((l) => l.includes('y = dense'));
      const h = await c.request<Hover>('textDocument/hover', { textDocument: { uri }, position: { line, character: 3 } });
      const y = cli.layers.find((l: { name: string }) => l.name === 'y');
      expect((h.contents as { value: string }).value).toContain(`resources: ${y.lut} LUT · ${y.ff} FF · ${y.dsp} DSP · ${y.bram18} BRAM18`);
      // An edit that changes the figures: the next job's result replaces them (the budget message names the new DSP).
      const before = d.find((x) => x.code === 'QNN3002')!.message;
      await c.change(uri, [{ range: { start: { line: 6, character: 15 }, end: { line: 6, character: 16 } }, text: '4' }]);
      let after = await c.nextDiagnostics(uri);
      while (after.find((x) => x.code === 'QNN3002')?.message === before) after = await c.nextDiagnostics(uri);
      const edited = text.replace('dense(x, 8)', 'dense(x, 4)');
      writeFileSync(path, edited);
      const cli2 = JSON.parse(execFileSync(process.execPath, [QNN, 'estimate', path, '--json'], { encoding: 'utf8' }));
      expect(cli2.total.dsp).not.toBe(cli.total.dsp);
      expect(await c.request('qnn/estimate', { uri, network: 'n' })).toEqual(cli2);
      // Both results came from the worker thread, not from the server's own fallback.
      expect(c.stderr.match(/qnn-timing estimate results/g)?.length ?? 0).toBeGreaterThanOrEqual(2);
      expect(c.stderr).not.toContain('estimate (no worker)');
    } finally {
      await c.stop();
    }
  }, 60_000);
});

describe('settings', () => {
  test('the default part applies to files without a target; an untrusted workspace runs nothing', async () => {
    const c = await LspClient.start({ settings: { trusted: false, defaultPart: 'xc7a35t', defaultClockNs: 10 } });
    try {
      const text = 'network n {\n  init random(seed: 1)\n  input x : fixed<8, 2>[4]\n  y = dense(x, 2) : fixed<8, 2>\n  output y\n}\n';
      const dir = tmp({ 'untargeted.qnn': text });
      const uri = await c.open(join(dir, 'untargeted.qnn'), text);
      await c.diagnostics(uri, 1);
      const e = await c.request<{ part: string; clockNs: number }>('qnn/estimate', { uri, network: 'n' });
      expect([e.part, e.clockNs]).toEqual(['xc7a35t', 10]);
      await expect(c.request('qnn/build', { uri, out: join(dir, 'p'), backends: ['verilog'] })).rejects.toMatchObject({ data: { untrusted: true } });
      await expect(c.request('qnn/simulate', { uri, count: 10 })).rejects.toMatchObject({ data: { untrusted: true } });
      expect(existsSync(join(dir, 'p'))).toBe(false);
    } finally {
      await c.stop();
    }
  }, 30_000);

  test('qnn.defaultPart and qnn.defaultClockNs, as the extension sends them, apply to networks without a target', async () => {
    // The `qnn` section as VS Code's getConfiguration('qnn') serializes it, and initializationOptions as
    // client/src/settings.ts builds them (serverSettings).
    const section = (part: string, clockNs: number) => ({
      defaultPart: part,
      defaultClockNs: clockNs,
      simulation: { sampleCount: 1000, rtl: 'auto' },
      inlayHints: { enabled: true },
      statusBar: { enabled: true },
      tools: { iverilogPath: 'iverilog', verilatorPath: 'verilator', yosysPath: 'yosys', nextpnrPath: 'nextpnr-ice40' },
      server: { path: '' },
    });
    const init = (part: string, clockNs: number) => ({ settings: section(part, clockNs), trusted: true, defaultPart: part, defaultClockNs: clockNs, inlayHints: true, sampleCount: 1000, tools: {} });
    const body = '  init random(seed: 1)\n  input x : fixed<8, 2>[16]\n  y = dense(x, 8) : fixed<12, 4>\n  output y\n}\n';
    const untargeted = `network n {\n${body}`;
    const targeted = `target xczu9eg clock 4ns\n\nnetwork n {\n${body}`;
    const dir = tmp({ 'untargeted.qnn': untargeted, 'targeted.qnn': targeted });
    const cliEstimate = (file: string, ...args: string[]) => JSON.parse(execFileSync(process.execPath, [QNN, 'estimate', join(dir, file), '--json', ...args], { encoding: 'utf8' }));
    /** Everything the user sees of the estimate of `file` in client `c`: qnn/estimate, the hover and hint of y, the lens. */
    const seen = async (c: LspClient, file: string, text: string) => {
      const uri = await c.open(join(dir, file), text);
      await c.diagnostics(uri, 1);
      const line = text.split('\n').findIndex((l) => l.startsWith('  y ='));
      const e = await c.request<{ part: string; clockNs: number; total: { latencyCycles: number } }>('qnn/estimate', { uri, network: 'n' });
      const h = await c.request<Hover>('textDocument/hover', { textDocument: { uri }, position: { line, character: 3 } });
      const hints = await c.request<InlayHint[]>('textDocument/inlayHint', { textDocument: { uri }, range: all(text) });
      const lenses = await c.request<CodeLens[]>('textDocument/codeLens', { textDocument: { uri } });
      return {
        e,
        hover: (h.contents as { value: string }).value,
        hint: String(hints.find((x) => x.position.line === line)?.label),
        lens: lenses.find((l) => l.command?.command === 'qnn.showReport')!.command!.title,
      };
    };
    const expectShows = (s: Awaited<ReturnType<typeof seen>>, cli: { part: string; clockNs: number; total: { latencyCycles: number; latencyNs: number }; layers: { name: string; latencyCycles: number }[] }) => {
      expect(s.e).toEqual(cli);
      const y = cli.layers.find((l) => l.name === 'y')!;
      expect(s.hover).toContain(`latency ${y.latencyCycles} cycle${y.latencyCycles === 1 ? '' : 's'} = `);
      const hoverNs = /latency \d+ cycles? = ([\d.]+) ns/.exec(s.hover);
      expect(Number(hoverNs?.[1])).toBeCloseTo(y.latencyCycles * cli.clockNs, 3);
      expect(s.hint).toMatch(new RegExp(`^${y.latencyCycles} cyc`));
      expect(s.lens).toContain(`${cli.total.latencyCycles} cycles`);
      expect(s.lens).toContain(`${cli.part}:`);
    };

    // Through initializationOptions, then workspace/configuration with the same values.
    const c = await LspClient.start({ initializationOptions: init('xc7a35t', 10), configuration: { ...section('xc7a35t', 10), trusted: true } });
    try {
      const u = await seen(c, 'untargeted.qnn', untargeted);
      expect([u.e.part, u.e.clockNs]).toEqual(['xc7a35t', 10]);
      expectShows(u, cliEstimate('untargeted.qnn', '--part', 'xc7a35t', '--clock', '10'));
      // A file's own target wins.
      const t = await seen(c, 'targeted.qnn', targeted);
      expect([t.e.part, t.e.clockNs]).toEqual(['xczu9eg', 4]);
      expectShows(t, cliEstimate('targeted.qnn'));

      // A settings change (workspace/didChangeConfiguration, then workspace/configuration) re-estimates.
      c.configuration = { ...section('xczu9eg', 2.5), trusted: true };
      await c.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
      let after = await seen(c, 'untargeted.qnn', untargeted);
      for (let i = 0; i < 50 && after.e.part !== 'xczu9eg'; i++) {
        await new Promise((r) => setTimeout(r, 100));
        after = await seen(c, 'untargeted.qnn', untargeted);
      }
      expectShows(after, cliEstimate('untargeted.qnn', '--part', 'xczu9eg', '--clock', '2.5'));
      expectShows(await seen(c, 'targeted.qnn', targeted), cliEstimate('targeted.qnn'));
    } finally {
      await c.stop();
    }

    // Without configuration support, initializationOptions alone are enough.
    const d = await LspClient.start({ initializationOptions: init('xc7a35t', 10) });
    try {
      expectShows(await seen(d, 'untargeted.qnn', untargeted), cliEstimate('untargeted.qnn', '--part', 'xc7a35t', '--clock', '10'));
    } finally {
      await d.stop();
    }
  }, 90_000);

  test('inlay hints and code lenses can be turned off', async () => {
    const off = await LspClient.start({ settings: { inlayHints: { enabled: false }, codeLens: { enabled: false } } });
    try {
      const path = join(REPO, 'samples/jet-tagger/jet-tagger.qnn');
      const text = readFileSync(path, 'utf8');
      const uri = await off.open(path, text);
      expect(await off.request<InlayHint[]>('textDocument/inlayHint', { textDocument: { uri }, range: all(text) })).toEqual([]);
      expect(await off.request<CodeLens[]>('textDocument/codeLens', { textDocument: { uri } })).toEqual([]);
    } finally {
      await off.stop();
    }
  }, 30_000);
});

describe('custom requests', () => {
  const path = join(REPO, 'samples/jet-tagger/jet-tagger.qnn');
  const uri = pathToFileURL(path).href;

  test('qnn/build writes a project, refuses to replace it without overwrite, never touches a foreign folder', async () => {
    await client.open(path, readFileSync(path, 'utf8'));
    const out = join(mkdtempSync(join(tmpdir(), 'qnn-lsp-build-')), 'proj');
    const r = await client.request<{ outDir: string; files: string[] }>('qnn/build', { uri, out, backends: ['verilog', 'hls'], vectors: 4 });
    expect(r.outDir).toBe(out);
    expect(r.files.length).toBeGreaterThan(5);
    expect(existsSync(join(out, '.qnn-project.json'))).toBe(true);
    await expect(client.request('qnn/build', { uri, out, backends: ['verilog'] })).rejects.toMatchObject({ data: { exists: true, generated: true } });
    const again = await client.request<{ outDir: string }>('qnn/build', { uri, out, backends: ['verilog'], overwrite: true, vectors: 4 });
    expect(again.outDir).toBe(out);
    const foreign = mkdtempSync(join(tmpdir(), 'qnn-lsp-foreign-'));
    writeFileSync(join(foreign, 'mine.txt'), 'keep');
    await expect(client.request('qnn/build', { uri, out: foreign, backends: ['hls'], overwrite: true })).rejects.toMatchObject({ data: { exists: true, generated: false, code: 'QNN4012' } });
    expect(readdirSync(foreign)).toEqual(['mine.txt']);
  }, 60_000);

  test('qnn/simulate reports progress and returns the JSON of qnn sim --json', async () => {
    const token = 'sim-1';
    const r = await client.request<{ network: string; samples: number; layers: unknown[]; outputs: unknown[] }>('qnn/simulate', { uri, count: 300, workDoneToken: token });
    expect(r.network).toBe('jet_tagger');
    expect(r.samples).toBe(256); // the file's test data, as qnn sim
    const kinds = client.progress.filter((p) => p.token === token).map((p) => (p.value as { kind: string }).kind);
    expect(kinds[0]).toBe('begin');
    expect(kinds[kinds.length - 1]).toBe('end');
    const cli = JSON.parse(execFileSync(process.execPath, [QNN, 'sim', path, '--count', '300', '--json'], { encoding: 'utf8' }));
    // A superset of qnn sim --json: the same report plus each output's scatter (tested below).
    const strip = (x: Record<string, unknown>) => ({
      ...x,
      timing: undefined,
      file: undefined,
      outputs: (x.outputs as Record<string, unknown>[]).map((o) => ({ ...o, scatter: undefined })),
    });
    expect(strip(r as unknown as Record<string, unknown>)).toEqual(strip(cli));
  }, 60_000);

  /** The fixed-point values of `qnn sim --out` and the float reference's values of the same inputs, flattened. */
  async function referenceValues(file: string, args: string[], backend: string): Promise<{ fixed: Float64Array; float: Float32Array }> {
    const npy = join(mkdtempSync(join(tmpdir(), 'qnn-lsp-scatter-')), 'out.npy');
    execFileSync(process.execPath, [QNN, 'sim', file, ...args, '--out', npy], { encoding: 'utf8' });
    const read = readNpy(new Uint8Array(readFileSync(npy)));
    if (!read.ok) throw new Error(read.message);
    const fixed = read.array.data;
    const { checkProgram } = await import('@qnn/language');
    const { nodeFileSystem, partCatalog } = await import('@qnn/compiler');
    const sim = await import('@qnn/simulator');
    const model = checkProgram([file], { fs: nodeFileSystem, parts: partCatalog }).files.get(file)!;
    const net = [...model.networks.values()][0];
    const test = [...model.tests.values()].find((t) => t.network === net.name);
    const count = Number(args[args.indexOf('--count') + 1]);
    const seed = args.includes('--seed') ? Number(args[args.indexOf('--seed') + 1]) : 1;
    const inputs = test ? sim.testInputs(test).inputs : sim.randomInputs(net, count, seed);
    const fl = await sim.floatReference(net, inputs, { backend: backend.split(' ')[0] as 'wasm' | 'cpu' | 'node' });
    return { fixed, float: fl.layers.get(net.outputs[0])!.data };
  }

  test('qnn/simulate sends each output\'s fixed-vs-float scatter: every value up to 2,000', async () => {
    const r = await client.request<{ floatBackend: string; outputs: { name: string; maxAbsError: number; scatter: { fixed: number[]; float: number[] } }[] }>('qnn/simulate', { uri, count: 300 });
    const ref = await referenceValues(path, ['--count', '300'], r.floatBackend);
    const o = r.outputs[0];
    expect(ref.fixed.length).toBe(256 * 5);
    expect(o.scatter.fixed).toEqual([...ref.fixed]);
    expect(o.scatter.float).toEqual([...ref.float]);
    expect(Math.max(...o.scatter.fixed.map((x, i) => Math.abs(x - o.scatter.float[i])))).toBeCloseTo(o.maxAbsError, 6);
  }, 60_000);

  test('qnn/simulate subsamples a large scatter evenly to 2,000 points, the same for the same seed', async () => {
    const text = 'network n {\n  init random(seed: 3)\n  input x : fixed<8, 2>[4]\n  y = dense(x, 3) : fixed<10, 3>\n  output y\n}\n';
    const dir = tmp({ 'scatter.qnn': text });
    const file = join(dir, 'scatter.qnn');
    const u = await client.open(file, text);
    const ask = () => client.request<{ floatBackend: string; outputs: { scatter: { fixed: number[]; float: number[] } }[] }>('qnn/simulate', { uri: u, count: 1500, seed: 7 });
    const r = await ask();
    const ref = await referenceValues(file, ['--count', '1500', '--seed', '7'], r.floatBackend);
    const n = 1500 * 3;
    const pick = (i: number) => Math.floor((i * n) / 2000);
    const s = r.outputs[0].scatter;
    expect(s.fixed).toHaveLength(2000);
    expect(s.fixed).toEqual(Array.from({ length: 2000 }, (_, i) => ref.fixed[pick(i)]));
    expect(s.float).toEqual(Array.from({ length: 2000 }, (_, i) => ref.float[pick(i)]));
    expect((await ask()).outputs[0].scatter).toEqual(s);
  }, 60_000);

  test('qnn/simulate honours cancellation', async () => {
    const source = await import('vscode-jsonrpc');
    const cts = new source.CancellationTokenSource();
    const p = client.connection.sendRequest('qnn/simulate', { uri, count: 1_000_000, workDoneToken: 'sim-2' }, cts.token);
    setImmediate(() => cts.cancel());
    await expect(p).rejects.toMatchObject({ code: -32800 });
    // The server is still alive and answers.
    const h = await client.request<Hover>('textDocument/hover', { textDocument: { uri }, position: { line: 26, character: 3 } });
    expect(h).toBeTruthy();
  }, 60_000);

  test('qnn/import of a missing model answers its diagnostics', async () => {
    const out = mkdtempSync(join(tmpdir(), 'qnn-lsp-import-'));
    const r = await client.request<{ ok: boolean; diagnostics: { code: string }[] }>('qnn/import', { model: join(out, 'nope.onnx'), out });
    expect(r.ok).toBe(false);
    expect(r.diagnostics[0].code).toBe('QNN5001');
  });

  test('qnn/estimate of a file with errors is an error with a code', async () => {
    const dir = tmp({ 'bad.qnn': 'network n {\n  input x : fixed<8, 2>[4]\n  y = dense(x, 2)\n  output y\n}\n' });
    const bad = await client.open(join(dir, 'bad.qnn'), readFileSync(join(dir, 'bad.qnn'), 'utf8'));
    await expect(client.request('qnn/estimate', { uri: bad, network: 'n' })).rejects.toMatchObject({ data: { code: 'QNN4002' } });
  });
});

describe('commands and editing', () => {
  test('a missing weights file: the code action generates a seeded one of the right shape', async () => {
    const text = 'network n {\n  input x : fixed<8, 2>[4]\n  y = dense(x, 3) {\n    weight: fixed<8, 1> = load("w/y.npy")\n  } : fixed<8, 2>\n  output y\n}\n';
    const dir = tmp({ 'gen.qnn': text });
    const uri = await client.open(join(dir, 'gen.qnn'), text);
    const d = await client.diagnostics(uri, 1);
    expect(d.map((x) => x.code)).toEqual(['QNN2017']);
    const actions = await client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: d[0].range, context: { diagnostics: d } });
    const gen = actions.find((a) => a.command?.command === 'qnn.generateWeights');
    expect(gen, JSON.stringify(actions)).toBeTruthy();
    const next = client.nextDiagnostics(uri);
    await client.request('workspace/executeCommand', gen!.command);
    const npy = readNpy(new Uint8Array(readFileSync(join(dir, 'w/y.npy'))));
    expect(npy.ok && npy.array.shape).toEqual([4, 3]);
    expect(await next).toEqual([]);
    // Never over an existing file.
    await expect(client.request('workspace/executeCommand', gen!.command)).rejects.toBeTruthy();
  }, 30_000);

  test('over the DSP budget: the reuse factor that fits', async () => {
    const text = 'target xcu250 clock 5ns\nnetwork n {\n  reuse 1\n  require dsp <= 100\n  init random(seed: 1)\n  input x : fixed<16, 6>[16]\n  y = dense(x, 32) : fixed<16, 6>\n  output y\n}\n';
    const dir = tmp({ 'fit.qnn': text });
    const uri = await client.open(join(dir, 'fit.qnn'), text);
    const d = await client.diagnostics(uri, 1);
    const over = d.find((x) => x.code === 'QNN3002');
    expect(over, JSON.stringify(d)).toBeTruthy();
    const actions = await client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: over!.range, context: { diagnostics: [over] } });
    const fit = actions.find((a) => a.title.includes('the smallest that fits'));
    expect(fit, JSON.stringify(actions.map((a) => a.title))).toBeTruthy();
    const fixed = applyEdits(text, fit!.edit!.changes![uri]);
    const r = Number(/reuse (\d+)/.exec(fixed)![1]);
    expect(r).toBeGreaterThan(1);
    // The fix removes the budget warning, and no smaller valid reuse would.
    const next = client.nextDiagnostics(uri);
    await client.change(uri, [{ range: all(text), text: fixed }]);
    expect((await next).map((x) => x.code)).not.toContain('QNN3002');
  });

  test('formatting gives the formatter of the language', async () => {
    const text = 'network   n {\ninput x : fixed<8,2>[4]\n    y = relu( x )\n output y }\n';
    const dir = tmp({ 'fmt.qnn': text });
    const uri = await client.open(join(dir, 'fmt.qnn'), text);
    const edits = await client.request<TextEdit[]>('textDocument/formatting', { textDocument: { uri }, options: { tabSize: 2, insertSpaces: true } });
    const r = format(text);
    expect(r.ok).toBe(true);
    expect(applyEdits(text, edits)).toBe(r.ok ? r.text : '');
  });

  test('document symbols, folding, selection ranges and semantic tokens', async () => {
    const path = join(REPO, 'samples/branches/branches.qnn');
    const text = readFileSync(path, 'utf8');
    const uri = await client.open(path, text);
    const symbols = await client.request<DocumentSymbol[]>('textDocument/documentSymbol', { textDocument: { uri } });
    const trigger = symbols.find((s) => s.name === 'trigger')!;
    expect(trigger.children!.map((c) => c.name)).toEqual(expect.arrayContaining(['jets', 'muons', 'jet_embed', 'score']));
    const folds = await client.request<FoldingRange[]>('textDocument/foldingRange', { textDocument: { uri } });
    const netLine = text.split('\n').findIndex((l) => l.startsWith('network trigger'));
    expect(folds.some((f) => f.startLine === netLine)).toBe(true);
    const line = text.split('\n').findIndex((l) => l.includes('fc1 = dense(event, 32)'));
    const sel = await client.request<SelectionRange[]>('textDocument/selectionRange', { textDocument: { uri }, positions: [{ line, character: text.split('\n')[line].indexOf('event') + 1 }] });
    let depth = 0;
    for (let s: SelectionRange | undefined = sel[0]; s; s = s.parent) depth++;
    expect(depth).toBeGreaterThanOrEqual(4);
    const tokens = await client.request<{ data: number[] }>('textDocument/semanticTokens/full', { textDocument: { uri } });
    expect(tokens.data.length % 5).toBe(0);
    expect(tokens.data.length / 5).toBeGreaterThan(100);
    const ws = await client.request<{ name: string }[]>('workspace/symbol', { query: 'jet_emb' });
    expect(ws.map((s) => s.name)).toContain('jet_embed');
  });
});
