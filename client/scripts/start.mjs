#!/usr/bin/env node
// `npm start`, the main job on a fresh machine: installs what is missing, builds, checks the samples, packages the
// VS Code extension, installs it into code-server (the VS Code server with its web workbench, installed offline into
// client/e2e/host/) and opens samples/ there, printing the URL to open in a browser. Ctrl-C stops it.
// Options: --port N (default 8080, or a free one when taken), --host ADDR (default 127.0.0.1), --no-editor (stop after
// packaging: the .vsix path is printed for desktop VS Code).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const argv = process.argv.slice(2);
const option = (name, fallback) => {
  const i = argv.indexOf(name);
  return i >= 0 && argv[i + 1] ? argv[i + 1] : fallback;
};
const port = Number(option('--port', process.env.PORT ?? '8080'));
const host = option('--host', '127.0.0.1');
const editor = !argv.includes('--no-editor');

function say(what) {
  process.stdout.write(`\n== ${what}\n`);
}

function run(cmd, args, what) {
  say(what);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    process.stderr.write(`npm start: '${[cmd, ...args].join(' ')}' failed (exit ${r.status ?? r.signal}).\n`);
    process.exit(r.status ?? 1);
  }
}

if (!existsSync(join(root, 'node_modules', '.package-lock.json'))) run(npm, ['ci'], 'Installing dependencies (npm ci; it also builds)');
else run(npm, ['run', 'build'], 'Building (tsc -b)');

const qnn = join(root, 'simulator', 'bin', 'qnn.js');
run(process.execPath, [qnn, 'check', 'samples'], 'Checking the samples (qnn check samples)');

// A summary of each sample network, read from the checked model.
const L = await import(join(root, 'language', 'dist', 'index.js'));
const C = await import(join(root, 'compiler', 'dist', 'index.js'));
const files = [];
const walk = (d) => {
  for (const e of readdirSync(d)) {
    const f = join(d, e);
    if (statSync(f).isDirectory()) walk(f);
    else if (f.endsWith('.qnn')) files.push(f);
  }
};
walk(join(root, 'samples'));
const program = L.checkProgram(files.sort(), { fs: C.nodeFileSystem, parts: C.partCatalog });
say('The sample networks');
for (const f of program.files.values()) {
  for (const net of f.networks.values()) {
    const t = net.target ? `${net.target.part} @ ${net.target.clockNs} ns` : 'no target';
    process.stdout.write(`  ${net.name.padEnd(14)} ${f.path.slice(root.length + 1).padEnd(36)} ${String(net.layers.length).padStart(3)} layers, io ${net.io}, reuse ${net.reuse}, ${t}\n`);
  }
}

say('Packaging the VS Code extension (npm run package)');
const { packageExtension } = await import('./package.mjs');
let vsix;
try {
  vsix = await packageExtension();
} catch (e) {
  process.stderr.write(`npm start: packaging the extension failed: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
}
if (!editor) {
  process.stdout.write(`\nDone. Install ${vsix} into VS Code with: code --install-extension ${vsix}\n`);
  process.exit(0);
}

say('Starting VS Code (code-server) with the extension and samples/');
const { MissingToolError, startCodeServer } = await import('../e2e/host.mjs');
const state = join(root, 'client', 'e2e', 'host', 'state');
let cs;
try {
  cs = await startCodeServer({ dir: state, vsix, port, host, log: (s) => process.stdout.write(s) }).catch((e) => {
    if (port === 0 || !/EADDRINUSE|address already in use/i.test(String(e))) throw e;
    process.stdout.write(`Port ${port} is taken; using a free one.\n`);
    return startCodeServer({ dir: state, vsix, port: 0, host });
  });
} catch (e) {
  process.stderr.write(`npm start: ${e instanceof MissingToolError ? '' : 'code-server did not start: '}${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
}
const url = `${cs.url}/?folder=${encodeURIComponent(join(root, 'samples'))}`;
process.stdout.write(`
QNN Studio is running in VS Code (code-server ${'4.100.3'}, extension ${vsix.slice(root.length + 1)}).

    Open ${url}

Open a .qnn file: hover a layer, run "QNN: Show Resource Report", "QNN: Run Bit-Accurate Simulation" or
"QNN: Generate FPGA Project" from the Command Palette (F1). Desktop VS Code: code --install-extension ${vsix}
Ctrl-C stops the server.
`);
const stop = () => {
  cs.stop();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
cs.child.on('exit', (code) => {
  process.stderr.write(`code-server exited (code ${code}).\n${cs.output().slice(-2000)}\n`);
  process.exit(code ?? 1);
});
