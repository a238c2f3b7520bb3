// The extension in a real VS Code: the packaged .vsix installed into code-server, driven through chromium by
// Playwright like a person (../../../shared/design/E2E.md), plus the in-host API suite (suite/index.ts) in the same host.
// A missing chromium or a code-server that cannot be installed fails these tests with the command that installs it.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { packageExtension } from '../scripts/package.mjs';
import { findChromium, startCodeServer } from './host.mjs';
import { acceptQuickPick, hoverText, notification, openFile, paletteEntries, problems, runCommand, statusBarItem, webviewFrame } from './workbench.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..', '..');
const RESULTS = join(HERE, 'results');
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];

interface Host {
  readonly url: string;
  readonly stop: () => void;
  readonly workspace: string;
  readonly browser: Browser;
  readonly context: BrowserContext;
  readonly page: Page;
}

let tmp: string;
let vsix: string;
let host: Host | undefined;
let setupError: unknown;

/** A workspace (a copy of samples/ and a broken file), code-server with the .vsix, and chromium on its page. */
async function startHost(name: string, opts: { trust: boolean }): Promise<Host> {
  const workspace = join(tmp, `${name}-ws`);
  cpSync(join(ROOT, 'samples'), workspace, { recursive: true });
  mkdirSync(join(workspace, 'scratch'), { recursive: true });
  cpSync(join(HERE, 'fixtures', 'broken.qnn'), join(workspace, 'scratch', 'broken.qnn'));
  const cs = await startCodeServer({ dir: join(tmp, `${name}-cs`), vsix, trust: opts.trust, settings: { 'qnn.simulation.sampleCount': 100 } });
  const browser = await chromium.launch({ executablePath: findChromium(), headless: true, args: CHROMIUM_ARGS });
  const context = await browser.newContext({ viewport: { width: 1500, height: 950 } });
  const page = await context.newPage();
  await page.goto(`${cs.url}/?folder=${encodeURIComponent(workspace)}`);
  await page.locator('.monaco-workbench').waitFor({ timeout: 90_000 });
  return { url: cs.url, stop: cs.stop, workspace, browser, context, page };
}

async function stopHost(h: Host | undefined): Promise<void> {
  if (!h) return;
  await h.browser.close().catch(() => undefined);
  h.stop();
}

/** Saves a screenshot of the page when the current test fails (client/e2e/results/NAME.png). */
function screenshotOnFailure(page: () => Page | undefined, name: string): void {
  onTestFailed(async () => {
    const p = page();
    if (!p) return;
    mkdirSync(RESULTS, { recursive: true });
    await p.screenshot({ path: join(RESULTS, `${name}.png`) }).catch(() => undefined);
  });
}

function need(): Host {
  if (setupError) throw setupError;
  if (!host) throw new Error('the VS Code host did not start');
  return host;
}

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'qnn-e2e-'));
  try {
    findChromium();
    vsix = await packageExtension({ quiet: true });
    host = await startHost('trusted', { trust: true });
  } catch (e) {
    setupError = e;
  }
}, 600_000);

afterAll(async () => {
  await stopHost(host);
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('the extension in code-server (trusted workspace)', () => {
  it('opens a sample with syntax colors, the file icon and the status bar figures', async () => {
    const h = need();
    screenshotOnFailure(() => h.page, 'open-sample');
    await openFile(h.page, 'jet-tagger/jet-tagger.qnn');
    // TextMate grammar: `network` is a keyword token with its own color.
    await h.page.locator('.view-lines span', { hasText: /^network$/ }).first().waitFor();
    await h.page.locator('.tabs-container .tab .label-name', { hasText: 'jet-tagger.qnn' }).first().waitFor();
    const status = statusBarItem(h.page, /\d+(\.\d+)? ns · II \d+/);
    await status.waitFor({ timeout: 90_000 });
    expect(await status.innerText()).toMatch(/70 ns|\d+ ns · II 1 · (LUT|DSP|FF|BRAM)/);
  }, 180_000);

  it('shows latency and resources in the hover of a layer, and inlay hints', async () => {
    const h = need();
    screenshotOnFailure(() => h.page, 'hover-inlay');
    await openFile(h.page, 'jet-tagger/jet-tagger.qnn');
    const text = await hoverText(h.page, 'fc1');
    expect(text).toMatch(/cycle|latency/i);
    expect(text).toMatch(/DSP|LUT/);
    // Inlay hints (`1 cyc · 337 DSP`) are injected text in the editor lines.
    await h.page.locator('.view-lines .view-line', { hasText: /\d+\s+cyc/ }).first().waitFor({ timeout: 30_000 });
  }, 180_000);

  it('lists the diagnostics of a broken file in the Problems panel', async () => {
    const h = need();
    screenshotOnFailure(() => h.page, 'problems');
    await openFile(h.page, 'scratch/broken.qnn');
    await h.page.locator('.monaco-editor .squiggly-error').first().waitFor({ state: 'attached', timeout: 60_000 });
    const rows = await problems(h.page, 1);
    expect(rows.join('\n')).toMatch(/QNN2\d{3}/);
    expect(rows.join('\n')).toMatch(/hh/);
    await h.page.keyboard.press('Control+Shift+M');
  }, 180_000);

  it('shows the resource report in a webview that follows the file', async () => {
    const h = need();
    screenshotOnFailure(() => h.page, 'report');
    await openFile(h.page, 'jet-tagger/jet-tagger.qnn');
    await runCommand(h.page, 'QNN: Show Resource Report');
    const frame = await webviewFrame(h.page, '#report-title');
    expect(await frame.locator('#report-title').innerText()).toBe('jet_tagger');
    await frame.locator('main[data-state="rendered"]').waitFor();
    await frame.locator('#utilization-chart').waitFor({ state: 'attached' });
    await frame.locator('#timeline-chart').waitFor({ state: 'attached' });
    expect(await frame.locator('#layers-table tbody tr').count()).toBeGreaterThanOrEqual(7);
    // Another file: the report follows the active editor.
    await openFile(h.page, 'digits/digits.qnn');
    await frame.locator('#report-title', { hasText: /^digits$/ }).waitFor({ timeout: 60_000 });
  }, 180_000);

  it('runs the bit-accurate simulation (with RTL co-simulation) and shows the result', async () => {
    const h = need();
    screenshotOnFailure(() => h.page, 'simulation');
    await openFile(h.page, 'jet-tagger/jet-tagger.qnn');
    await runCommand(h.page, 'QNN: Run Bit-Accurate Simulation');
    const frame = await webviewFrame(h.page, '#sim-title', 240_000);
    expect(await frame.locator('#sim-title').innerText()).toBe('Simulation of jet_tagger');
    await frame.locator('main[data-state="rendered"]').waitFor();
    await frame.locator('#error-chart').waitFor({ state: 'attached' });
    const summary = await frame.locator('#summary').innerText();
    expect(summary).toMatch(/top-1 agreement/);
    // The fixed-vs-float scatter of the output, from the server's outputs[].scatter (256 test samples × 5 classes).
    await frame.locator('canvas[id^="scatter-"]').first().waitFor({ state: 'attached' });
    expect(await frame.locator('main').innerText()).toMatch(/1,280 values/);
    // iverilog is installed here (CI installs it): the RTL was co-simulated bit-exact.
    expect(await frame.locator('#rtl-result').innerText()).toMatch(/bit-exact/);
  }, 300_000);

  it('generates the FPGA project into a folder where `make sim` passes', async () => {
    const h = need();
    screenshotOnFailure(() => h.page, 'generate');
    await openFile(h.page, 'jet-tagger/jet-tagger.qnn');
    await runCommand(h.page, 'QNN: Generate FPGA Project');
    await acceptQuickPick(h.page, 'Verilog');
    await acceptQuickPick(h.page, /build\/jet_tagger/);
    const text = await notification(h.page, /wrote \d+ files/);
    expect(text).toMatch(/build\/jet_tagger/);
    const out = join(h.workspace, 'build', 'jet_tagger');
    expect(existsSync(join(out, '.qnn-project.json'))).toBe(true);
    expect(existsSync(join(out, 'Makefile'))).toBe(true);
    expect(readdirSync(out)).toEqual(expect.arrayContaining(['README.md', 'Makefile']));
    const make = spawnSync('make', ['sim'], { cwd: out, encoding: 'utf8', timeout: 240_000 });
    expect(make.status, `make sim failed:\n${make.stdout}\n${make.stderr}`).toBe(0);
  }, 360_000);

  it('passes the in-host API suite (the vscode API inside the extension host)', async () => {
    const h = need();
    const page = await h.context.newPage();
    screenshotOnFailure(() => page, 'in-host-suite');
    const logs: string[] = [];
    const exit = new Promise<number>((resolve) => {
      void page.exposeFunction('codeAutomationExit', (code: number) => resolve(code));
    });
    await page.exposeFunction('codeAutomationLog', (_type: string, args: unknown[]) => logs.push(args.map(String).join(' ')));
    const ext = await extractedExtension();
    const authority = new URL(h.url).host;
    const remote = (p: string) => `vscode-remote://${authority}${p}`;
    const payload = JSON.stringify([
      ['extensionDevelopmentPath', remote(ext)],
      ['extensionTestsPath', remote(join(ROOT, 'client', 'out', 'test', 'suite.cjs'))],
    ]);
    await page.goto(`${h.url}/?folder=${encodeURIComponent(h.workspace)}&payload=${encodeURIComponent(payload)}`);
    let timer: NodeJS.Timeout | undefined;
    const code = await Promise.race([exit, new Promise<number>((resolve) => (timer = setTimeout(() => resolve(-1), 240_000)))]);
    clearTimeout(timer);
    await page.close();
    process.stdout.write(logs.filter((l) => /^(ok|FAIL|activation|server|#)/.test(l)).join('\n') + '\n');
    expect(code, `the in-host suite failed (exit ${code}):\n${logs.join('\n')}`).toBe(0);
  }, 300_000);
});

describe('the extension in an untrusted workspace (Restricted Mode)', () => {
  let restricted: Host | undefined;
  afterAll(async () => stopHost(restricted));

  it('offers the editing features only', async () => {
    if (setupError) throw setupError;
    restricted = await startHost('untrusted', { trust: false });
    const page = restricted.page;
    screenshotOnFailure(() => page, 'restricted');
    await page.locator('.statusbar-item', { hasText: /Restricted Mode/ }).first().waitFor({ timeout: 60_000 });
    await openFile(page, 'scratch/broken.qnn');
    // Diagnostics still come from the language server.
    await page.locator('.monaco-editor .squiggly-error').first().waitFor({ state: 'attached', timeout: 90_000 });
    // Code lenses: the report stays, the lenses that run tools or write files are gone.
    await openFile(page, 'jet-tagger/jet-tagger.qnn');
    await page.locator('.codelens-decoration a', { hasText: /Show report/ }).first().waitFor({ timeout: 90_000 });
    const lenses = await page.locator('.codelens-decoration').allInnerTexts();
    expect(lenses.join(' ')).not.toMatch(/Simulate|Generate FPGA project/);
    const entries = await paletteEntries(page, 'QNN:');
    expect(entries.join('\n')).toMatch(/Show Resource Report/);
    expect(entries.join('\n')).not.toMatch(/Run Bit-Accurate Simulation|Generate FPGA Project|Import Model/);
  }, 300_000);
});

/** The .vsix unpacked (its extension/ folder): the in-host suite runs the packaged extension as the development one. */
async function extractedExtension(): Promise<string> {
  const dir = join(tmp, 'vsix');
  if (!existsSync(join(dir, 'extension', 'package.json'))) {
    mkdirSync(dir, { recursive: true });
    execFileSync(process.execPath, ['-e', UNZIP, vsix, dir]);
  }
  return join(dir, 'extension');
}

// A .vsix is a zip: read it with the zip reader that ships with vsce's dependency yauzl.
const UNZIP = `
const yauzl = require(require.resolve('yauzl', { paths: [require.resolve('@vscode/vsce/package.json', { paths: [${JSON.stringify(join(ROOT, 'client'))}] })] }));
const fs = require('fs'), path = require('path');
const [zip, out] = process.argv.slice(1);
yauzl.open(zip, { lazyEntries: true }, (err, z) => {
  if (err) throw err;
  z.readEntry();
  z.on('entry', (e) => {
    const target = path.join(out, e.fileName);
    if (e.fileName.endsWith('/')) { z.readEntry(); return; }
    fs.mkdirSync(path.dirname(target), { recursive: true });
    z.openReadStream(e, (err2, s) => { if (err2) throw err2; s.pipe(fs.createWriteStream(target)).on('close', () => z.readEntry()); });
  });
});`;
