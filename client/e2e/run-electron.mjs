#!/usr/bin/env node
// `npm run test:electron -w client`: the in-host API suite (suite/index.ts) in desktop VS Code through
// @vscode/test-electron, on a machine that can download VS Code (not in CI: this one cannot). The packaged
// extension is unpacked and loaded as the development extension; a copy of samples/ is the workspace.
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTests } from '@vscode/test-electron';
import { packageExtension } from '../scripts/package.mjs';

const CLIENT = join(dirname(fileURLToPath(import.meta.url)), '..');
const ROOT = join(CLIENT, '..');
const require = createRequire(import.meta.url);

const tmp = mkdtempSync(join(tmpdir(), 'qnn-electron-'));
try {
  const vsix = await packageExtension({ quiet: true });
  const ext = join(tmp, 'vsix');
  mkdirSync(ext);
  // A .vsix is a zip; yauzl comes with vsce.
  const yauzl = require(require.resolve('yauzl', { paths: [dirname(require.resolve('@vscode/vsce/package.json'))] }));
  await new Promise((resolve, reject) => {
    yauzl.open(vsix, { lazyEntries: true }, (err, zip) => {
      if (err) return reject(err);
      zip.on('end', resolve);
      zip.on('entry', (e) => {
        if (e.fileName.endsWith('/')) return zip.readEntry();
        const target = join(ext, e.fileName);
        mkdirSync(dirname(target), { recursive: true });
        zip.openReadStream(e, (err2, s) => {
          if (err2) return reject(err2);
          s.pipe(require('node:fs').createWriteStream(target)).on('close', () => zip.readEntry());
        });
      });
      zip.readEntry();
    });
  });
  const workspace = join(tmp, 'ws');
  cpSync(join(ROOT, 'samples'), workspace, { recursive: true });
  mkdirSync(join(workspace, 'scratch'));
  cpSync(join(CLIENT, 'e2e', 'fixtures', 'broken.qnn'), join(workspace, 'scratch', 'broken.qnn'));
  await runTests({
    version: '1.100.3',
    extensionDevelopmentPath: join(ext, 'extension'),
    extensionTestsPath: join(CLIENT, 'out', 'test', 'suite.cjs'),
    launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust'],
  });
} catch (e) {
  process.stderr.write(`test:electron: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
