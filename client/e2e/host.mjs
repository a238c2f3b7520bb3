// The real VS Code that `npm start` and the end-to-end tests use: code-server 4.100.3 (the VS Code 1.100 server and
// its web workbench) installed offline into client/e2e/host/ (../shared/design/E2E.md), and Debian's chromium.
// Exports ensureHost() (installs what is missing, idempotent), startCodeServer() and findChromium().
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync, lstatSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const HOST = join(dirname(fileURLToPath(import.meta.url)), 'host');
const CODE_SERVER = join(HOST, 'node_modules', 'code-server');
const VSCODE_LIB = join(CODE_SERVER, 'lib', 'vscode');
const READY = join(HOST, 'node_modules', '.qnn-host-ready');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** Thrown when something the tests or `npm start` need is not installed; the message says how to install it. */
export class MissingToolError extends Error {}

/** Debian's chromium (or $CHROMIUM_PATH). */
export function findChromium() {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].filter(Boolean);
  const found = candidates.find((c) => existsSync(c));
  if (!found) {
    throw new MissingToolError('chromium is not installed: the tests in a real VS Code drive it. Install it with `sudo apt-get install -y chromium` (Debian/Ubuntu; .ci/run installs it), or set CHROMIUM_PATH to a Chrome or Chromium binary.');
  }
  return found;
}

/** The code-server binary, installing it into client/e2e/host/ first when needed. */
export function ensureHost({ log = (s) => process.stdout.write(s) } = {}) {
  const bin = join(CODE_SERVER, 'out', 'node', 'entry.js');
  if (existsSync(READY) && existsSync(bin)) return bin;
  const env = { ...process.env, npm_config_fund: 'false', npm_config_audit: 'false', npm_config_update_notifier: 'false' };
  // argon2 builds from source with node-gyp: against the local Node headers when they exist (no download).
  if (existsSync('/usr/include/node/node.h')) env.npm_config_nodedir = '/usr';
  const run = (args, cwd, what) => {
    log(`  ${what}\n`);
    const r = spawnSync(npm, args, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    if (r.status !== 0) {
      throw new MissingToolError(`installing code-server failed at '${what}' (npm ${args.join(' ')} in ${cwd}, exit ${r.status}):\n${(r.stderr || r.stdout).slice(-3000)}\nIt needs the npm registry, a C++ compiler (apt-get install -y g++ make python3) and Node ${process.versions.node}'s headers.`);
    }
  };
  log('Installing code-server 4.100.3 into client/e2e/host (once; about a minute)\n');
  // code-server's own postinstall is denied in host/package.json (allowScripts): it downloads from GitHub. Its steps
  // that work offline follow by hand.
  run(['ci', '--no-audit', '--no-fund'], HOST, 'npm ci (code-server, argon2)');
  run(['install', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--no-package-lock'], VSCODE_LIB, 'npm install in code-server/lib/vscode (VS Code server modules)');
  spawnSync(npm, ['rebuild', '@vscode/spdlog', 'native-watchdog'], { cwd: VSCODE_LIB, env, stdio: 'ignore' });
  const asar = join(VSCODE_LIB, 'node_modules.asar');
  try {
    if (lstatSync(asar)) rmSync(asar, { force: true });
  } catch {
    // absent
  }
  symlinkSync('node_modules', asar);
  writeFileSync(READY, `${new Date().toISOString()}\n`);
  return bin;
}

/** User settings that keep the workbench quiet: no telemetry, welcome page, experiments or update checks. */
export const QUIET_SETTINGS = {
  'telemetry.telemetryLevel': 'off',
  'workbench.startupEditor': 'none',
  'workbench.enableExperiments': false,
  'workbench.tips.enabled': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'extensions.ignoreRecommendations': true,
  'update.mode': 'none',
  'security.workspace.trust.enabled': true,
  'security.workspace.trust.startupPrompt': 'never',
  'security.workspace.trust.banner': 'always',
  'git.enabled': false,
  'window.commandCenter': false,
  'editor.inlayHints.enabled': 'on',
  'chat.commandCenter.enabled': false,
  'chat.disableAIFeatures': true,
};

/**
 * Starts code-server on a free loopback port with its own user data and extensions folders. Resolves when it
 * listens; `stop()` kills its whole process group. Options: dir (the state folder), vsix (installed first),
 * trust (false: Workspace Trust stays on so that folders open untrusted), settings, port (0: any), host.
 */
export async function startCodeServer({ dir = join(tmpdir(), `qnn-code-server-${process.pid}`), vsix, trust = true, settings = {}, port = 0, host = '127.0.0.1', log } = {}) {
  const bin = ensureHost({ log: log ?? (() => {}) });
  const userData = join(dir, 'user-data');
  const extensions = join(dir, 'extensions');
  mkdirSync(join(userData, 'User'), { recursive: true });
  mkdirSync(extensions, { recursive: true });
  writeFileSync(join(userData, 'User', 'settings.json'), JSON.stringify({ ...QUIET_SETTINGS, ...settings }, null, 2));
  writeFileSync(join(dir, 'config.yaml'), 'auth: none\ncert: false\n');
  const base = [bin, '--config', join(dir, 'config.yaml'), '--user-data-dir', userData, '--extensions-dir', extensions, '--disable-telemetry', '--disable-update-check'];
  if (vsix) {
    const r = spawnSync(process.execPath, [...base, '--install-extension', vsix, '--force'], { encoding: 'utf8', timeout: 120_000 });
    if (r.status !== 0) throw new Error(`code-server --install-extension ${vsix} failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
  }
  const args = [...base, '--auth', 'none', '--bind-addr', `${host}:${port}`, '--disable-getting-started-override', '--ignore-last-opened'];
  if (trust) args.push('--disable-workspace-trust');
  const child = spawn(process.execPath, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, VSCODE_PROXY_URI: '' } });
  let output = '';
  const url = await new Promise((resolve, reject) => {
    const onData = (b) => {
      output += b.toString();
      const m = /HTTP server listening on (http:\/\/[^\s]+)/.exec(output);
      if (m) resolve(m[1].replace(/\/$/, ''));
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`code-server exited (code ${code}) before listening:\n${output}`)));
  });
  const stop = () => {
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      // already gone
    }
  };
  return { url, child, stop, dir, extensions, userData, output: () => output };
}

/** The version of code-server's VS Code, from its product.json. */
export function hostVersion() {
  try {
    return JSON.parse(readFileSync(join(VSCODE_LIB, 'product.json'), 'utf8')).version;
  } catch {
    return undefined;
  }
}
