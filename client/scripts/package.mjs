#!/usr/bin/env node
// `npm run package`: bundles the extension (scripts/build.mjs) and packs client/qnn-studio-VERSION.vsix offline with
// vsce from a staging folder that holds only what the extension needs (no node_modules: everything is bundled).
// Prints the bundle sizes and the size of the .vsix.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildAll, kib } from './build.mjs';

const CLIENT = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

/** The extension's manifest: client/package.json without the workspace's fields. */
export function manifest() {
  const pkg = JSON.parse(readFileSync(join(CLIENT, 'package.json'), 'utf8'));
  const { devDependencies: _d, dependencies: _p, scripts: _s, exports: _e, types: _t, type: _m, private: _v, ...rest } = pkg;
  return { ...rest, name: 'qnn-studio' };
}

export function vsixPath() {
  return join(CLIENT, `qnn-studio-${manifest().version}.vsix`);
}

export async function packageExtension({ quiet = false } = {}) {
  const t0 = performance.now();
  await buildAll({ tests: true, quiet });
  const stage = mkdtempSync(join(tmpdir(), 'qnn-vsix-'));
  try {
    writeFileSync(join(stage, 'package.json'), JSON.stringify(manifest(), null, 2));
    for (const f of ['README.md', 'LICENSE', 'language-configuration.json', 'syntaxes', 'snippets', 'icons']) cpSync(join(CLIENT, f), join(stage, f), { recursive: true });
    cpSync(join(CLIENT, 'out'), join(stage, 'out'), { recursive: true, filter: (src) => !src.endsWith('.map') && !src.includes(`${join('out', 'test')}`) });
    const out = vsixPath();
    rmSync(out, { force: true });
    const vsce = join(dirname(require.resolve('@vscode/vsce/package.json')), 'vsce');
    const r = spawnSync(process.execPath, [vsce, 'package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '--no-update-package-json', '--out', out], { cwd: stage, encoding: 'utf8' });
    if (r.status !== 0 || !existsSync(out)) throw new Error(`vsce package failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
    if (!quiet) {
      process.stdout.write(r.stdout.split('\n').filter((l) => /DONE|WARNING/.test(l)).join('\n') + '\n');
      process.stdout.write(`${out}: ${kib(statSync(out).size)} (packaged in ${((performance.now() - t0) / 1000).toFixed(1)} s)\n`);
    }
    return out;
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  packageExtension().catch((e) => {
    process.stderr.write(`npm run package: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
