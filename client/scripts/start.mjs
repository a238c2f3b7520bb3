#!/usr/bin/env node
// `npm start`, the main job: installs what is missing, builds, checks and summarizes every sample, and simulates one.
// (When the VS Code extension lands, this also starts the editor with the extension and the samples open.)
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function run(cmd, args, what) {
  process.stdout.write(`\n== ${what}\n`);
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
run(process.execPath, [qnn, 'fmt', '--check', 'samples'], 'Checking their layout (qnn fmt --check samples)');
run(process.execPath, [qnn, 'sim', 'samples/digits/digits.qnn'], 'Simulating the trained digits classifier bit-accurately against its float model (qnn sim)');

// A summary of each sample network, read from the checked model.
const L = await import(join(root, 'language', 'dist', 'index.js'));
const C = await import(join(root, 'compiler', 'dist', 'index.js'));
const { readdirSync, statSync } = await import('node:fs');
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
process.stdout.write('\n== The sample networks\n');
for (const f of program.files.values()) {
  for (const net of f.networks.values()) {
    const t = net.target ? `${net.target.part} @ ${net.target.clockNs} ns` : 'no target';
    const shape = (s) => `[${s.join(', ')}]`;
    process.stdout.write(`\n${net.name} (${f.path.slice(root.length + 1)}): io ${net.io}, reuse ${net.reuse}, ${t}\n`);
    for (const i of net.inputs) process.stdout.write(`  input            ${i.name.padEnd(12)} ${shape(i.tensor.shape).padEnd(14)} ${L.formatFixedType(i.tensor.type)}\n`);
    for (const l of net.layers) process.stdout.write(`  ${l.opName.padEnd(16)} ${l.name.padEnd(12)} ${shape(l.tensor.shape).padEnd(14)} ${L.formatFixedType(l.tensor.type)}\n`);
  }
}
process.stdout.write('\nDone. Next: `npm test` runs the test suite; `npx qnn --help` lists the commands.\n');
