// The in-host API suite: runs inside the real extension host with the real `vscode` API, after the extension under
// test (the unpacked .vsix) is loaded. code-server runs it through the workbench's test payload (vscode.test.ts);
// desktop VS Code runs it through @vscode/test-electron (`npm run test:electron -w client`). `run()` rejects on failure.
import * as assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { QnnExtensionApi } from '../../src/extension.js';
import type { BuildResult, ImportResult, SimulationJson } from '../../src/protocol.js';

type Test = { name: string; fn: () => Promise<void> };
const tests: Test[] = [];
const test = (name: string, fn: () => Promise<void>) => tests.push({ name, fn });

let api: QnnExtensionApi;
let folder: string;

/** Resolves when `check` returns a value, re-checking after each event of `events` (or every 200 ms). */
async function until<T>(what: string, check: () => T | undefined | Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v as T;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function open(rel: string): Promise<vscode.TextEditor> {
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(join(folder, rel)));
  return vscode.window.showTextDocument(doc);
}

function positionOf(doc: vscode.TextDocument, text: string): vscode.Position {
  const i = doc.getText().indexOf(text);
  assert.ok(i >= 0, `'${text}' is in ${doc.uri.fsPath}`);
  return doc.positionAt(i + 1);
}

test('activates on a .qnn file and starts the language server', async () => {
  const ext = vscode.extensions.getExtension<QnnExtensionApi>('qnn-studio.qnn-studio');
  assert.ok(ext, 'the extension qnn-studio.qnn-studio is installed');
  await open('jet-tagger/jet-tagger.qnn');
  api = await ext.activate();
  const ready = await api.serverReady;
  assert.ok(Number.isFinite(ready), 'the language server started');
  console.log(`activation: ${api.activationMs.toFixed(1)} ms (activate), server ready ${ready.toFixed(0)} ms after activation started`);
  assert.ok(vscode.workspace.isTrusted, 'this suite runs in a trusted workspace');
  assert.ok((await vscode.languages.getLanguages()).includes('qnn'));
});

test('publishes diagnostics with codes for a broken file', async () => {
  const editor = await open('scratch/broken.qnn');
  const diags = await until('diagnostics of broken.qnn', () => {
    const d = vscode.languages.getDiagnostics(editor.document.uri);
    return d.length > 0 ? d : undefined;
  });
  const codes = diags.map((d) => (typeof d.code === 'object' ? String(d.code.value) : String(d.code)));
  assert.ok(codes.some((c) => /^QNN2\d{3}$/.test(c)), `a QNN2xxx code among ${codes.join(', ')}`);
});

test('hover over a layer shows its latency and resources', async () => {
  const editor = await open('jet-tagger/jet-tagger.qnn');
  const hovers = await until('a hover', async () => {
    const h = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', editor.document.uri, positionOf(editor.document, 'fc1 = dense'));
    return h && h.length > 0 ? h : undefined;
  });
  const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
  assert.match(text, /cycle|latency/i);
  assert.match(text, /DSP|LUT/);
});

test('inlay hints show each layer\'s latency, and the setting turns them off', async () => {
  const editor = await open('jet-tagger/jet-tagger.qnn');
  const range = new vscode.Range(0, 0, editor.document.lineCount, 0);
  const hints = await until('inlay hints', async () => {
    const h = await vscode.commands.executeCommand<vscode.InlayHint[]>('vscode.executeInlayHintProvider', editor.document.uri, range);
    return h && h.length > 0 ? h : undefined;
  });
  const labels = hints.map((h) => (typeof h.label === 'string' ? h.label : h.label.map((p) => p.value).join('')));
  assert.ok(labels.some((l) => /\d+ cyc/.test(l)), `a latency among ${labels.join(' | ')}`);
  const config = vscode.workspace.getConfiguration('qnn');
  await config.update('inlayHints.enabled', false, vscode.ConfigurationTarget.Global);
  try {
    const off = await vscode.commands.executeCommand<vscode.InlayHint[]>('vscode.executeInlayHintProvider', editor.document.uri, range);
    assert.equal(off.length, 0);
  } finally {
    await config.update('inlayHints.enabled', undefined, vscode.ConfigurationTarget.Global);
  }
});

test('the status bar shows the latency of the network in the active editor', async () => {
  await open('jet-tagger/jet-tagger.qnn');
  const text = await until('the status bar', () => (/ns · II/.test(api.statusBar.text) ? api.statusBar.text : undefined));
  assert.match(text, /\d+(\.\d+)? ns · II 1 · (LUT|FF|DSP|BRAM) \d/);
});

test('QNN: Show Resource Report renders the estimate of the network', async () => {
  const editor = await open('jet-tagger/jet-tagger.qnn');
  await vscode.commands.executeCommand('qnn.showReport', editor.document.uri, 'jet_tagger');
  const message = await until('the report', () => {
    const m = api.reportPanel()?.lastMessage;
    return m?.kind === 'report' ? m : undefined;
  });
  assert.equal(message.estimate.network, 'jet_tagger');
  // The webview's Content-Security-Policy: nothing by default, scripts only with the page's nonce, no remote origin.
  const html = api.reportPanel()!.panel.webview.html;
  const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1] ?? '';
  assert.match(csp, /default-src 'none'/);
  const nonce = /script-src 'nonce-([^']+)'/.exec(csp)?.[1];
  assert.ok(nonce && nonce.length >= 16, 'a script nonce');
  assert.ok(html.includes(`<script nonce="${nonce}"`), 'the script carries the nonce');
  // Every script and style comes from the extension's own folder, mapped by the webview.
  const webview = api.reportPanel()!.panel.webview;
  const own = webview.asWebviewUri(vscode.extensions.getExtension('qnn-studio.qnn-studio')!.extensionUri).toString();
  const links = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
  assert.ok(links.length >= 2, 'a script and a style sheet');
  for (const l of links) assert.ok(l.startsWith(own), `${l} is a resource of the extension`);
  assert.ok(message.estimate.layers.length >= 7);
  assert.ok(message.estimate.total.latencyCycles > 0);
});

test('QNN: Run Bit-Accurate Simulation returns the report and shows it', async () => {
  const editor = await open('jet-tagger/jet-tagger.qnn');
  const result = await vscode.commands.executeCommand<SimulationJson | undefined>('qnn.simulate', editor.document.uri, 'jet_tagger', { count: 50, rtl: 'off' });
  assert.ok(result, 'a simulation result');
  assert.ok(result.samples > 0, 'samples were simulated');
  assert.equal(result.network, 'jet_tagger');
  assert.ok(result.layers.length >= 8);
  assert.ok(result.outputs[0]?.top1Agreement !== undefined);
  assert.ok(api.simulationPanels().length >= 1, 'a simulation webview is open');
});

test('QNN: Generate FPGA Project writes a marked project and never writes over a foreign folder', async () => {
  const editor = await open('jet-tagger/jet-tagger.qnn');
  const tmp = mkdtempSync(join(tmpdir(), 'qnn-suite-'));
  try {
    const out = join(tmp, 'project');
    const result = await vscode.commands.executeCommand<BuildResult | undefined>('qnn.generateProject', editor.document.uri, 'jet_tagger', { out, backends: ['hls'] });
    assert.ok(result, 'a build result');
    assert.ok(existsSync(join(out, '.qnn-project.json')));
    assert.ok(result.files.length > 3);
    // Again into the same folder: it is ours, so it is replaced.
    const again = await vscode.commands.executeCommand<BuildResult | undefined>('qnn.generateProject', editor.document.uri, 'jet_tagger', { out, backends: ['verilog'] });
    assert.ok(again, 'a generated project is regenerated');
    // A folder we did not generate is left alone.
    const foreign = join(tmp, 'mine');
    mkdirSync(foreign);
    writeFileSync(join(foreign, 'notes.txt'), 'keep me');
    const refused = await vscode.commands.executeCommand<BuildResult | undefined>('qnn.generateProject', editor.document.uri, 'jet_tagger', { out: foreign, backends: ['hls'] });
    assert.equal(refused, undefined);
    assert.equal(readFileSync(join(foreign, 'notes.txt'), 'utf8'), 'keep me');
    assert.ok(!existsSync(join(foreign, '.qnn-project.json')));
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test('QNN: Import Model writes a .qnn file from an ONNX model and opens it', async () => {
  // The hls4ml example models are in ../shared/models beside the repository (this file is client/out/test/suite.cjs).
  const model = join(__dirname, '..', '..', '..', '..', 'shared', 'models', 'onnx', 'three_layer_keras.onnx');
  assert.ok(existsSync(model), `${model} exists`);
  const out = mkdtempSync(join(tmpdir(), 'qnn-import-'));
  try {
    const result = await vscode.commands.executeCommand<ImportResult | undefined>('qnn.importModel', model, { out, name: 'three_layer', precision: 'fixed<16, 6>' });
    assert.ok(result?.ok, `imported: ${JSON.stringify(result?.diagnostics)}`);
    assert.ok(existsSync(join(out, 'three_layer.qnn')));
    await until('the imported file in the editor', () => vscode.window.activeTextEditor?.document.uri.fsPath === join(out, 'three_layer.qnn') || undefined);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

export async function run(): Promise<void> {
  folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '';
  assert.ok(folder, 'the suite runs with a folder open (a copy of samples/)');
  let failed = 0;
  for (const t of tests) {
    const t0 = Date.now();
    try {
      await t.fn();
      console.log(`ok - ${t.name} (${Date.now() - t0} ms)`);
    } catch (e) {
      failed++;
      console.log(`FAIL - ${t.name}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    }
  }
  console.log(`# ${tests.length - failed} passed, ${failed} failed`);
  if (failed > 0) throw new Error(`${failed} of ${tests.length} in-host tests failed`);
}
