#!/usr/bin/env node
// Bundles the extension with esbuild: the extension (CommonJS, `vscode` external), the language server with the core
// packages (one ESM file, so the .vsix needs no node_modules), the webview scripts (browser IIFEs with Chart.js), the
// files the server reads at run time (the HLS headers, TensorFlow.js's .wasm binaries), and the in-host test suite.
// Prints the size of each bundle. Run after `tsc -b` (the server bundle starts from the built packages).
// Usage: node scripts/build.mjs [--no-tests] [--quiet]
import { build } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const CLIENT = join(dirname(fileURLToPath(import.meta.url)), '..');
const ROOT = join(CLIENT, '..');
const DEFAULT_OUT = join(CLIENT, 'out');
const args = new Set(process.argv.slice(2));

/** The language server's entry: $QNN_SERVER_ENTRY, server/package.json's bin `qnn-language-server`, else a conventional file. */
export function serverEntry() {
  if (process.env.QNN_SERVER_ENTRY) return process.env.QNN_SERVER_ENTRY;
  const pkg = JSON.parse(readFileSync(join(ROOT, 'server', 'package.json'), 'utf8'));
  const bin = typeof pkg.bin === 'string' ? pkg.bin : pkg.bin?.['qnn-language-server'];
  const candidates = [bin && join(ROOT, 'server', bin), ...['main.js', 'server.js', 'bin.js'].map((f) => join(ROOT, 'server', 'dist', f))].filter(Boolean);
  const found = candidates.find((c) => existsSync(c));
  if (!found) {
    throw new Error(`the language server's entry was not found (looked for ${candidates.map((c) => relative(ROOT, c)).join(', ')}); build it with \`npx tsc -b\` first`);
  }
  return found;
}

// The simulator finds TensorFlow.js's .wasm binaries with require.resolve, which a bundle cannot do: point it at the
// copies beside the bundle instead (out/wasm/). The plugin fails the build if the code it rewrites moved.
function rewriteWasmDir(path, text) {
  const needle = "require.resolve('@tensorflow/tfjs-backend-wasm')";
  if (!text.includes(needle)) throw new Error(`${path} no longer contains ${needle}: update client/scripts/build.mjs`);
  return "import { fileURLToPath as __qnnWasmPath } from 'node:url';\n" + text.replace(needle, "__qnnWasmPath(new URL('./wasm/tf-backend-wasm.js', import.meta.url))");
}

const wasmDirPlugin = {
  name: 'qnn-wasm-dir',
  setup(b) {
    b.onLoad({ filter: /simulator[\\/]dist[\\/]float[\\/]backend\.js$/ }, (a) => ({ contents: rewriteWasmDir(a.path, readFileSync(a.path, 'utf8')), loader: 'js', resolveDir: dirname(a.path) }));
  },
};

// `createRequire(import.meta.url)('pkg')` (how our ESM packages load CommonJS-only packages such as onnx-proto) is a
// call esbuild cannot follow: turn each into a static import, so the package is bundled.
const createRequirePlugin = {
  name: 'qnn-create-require',
  setup(b) {
    b.onLoad({ filter: /[\\/](language|compiler|simulator|server)[\\/]dist[\\/].*\.js$/ }, (a) => {
      const text = readFileSync(a.path, 'utf8');
      const pattern = /createRequire\(import\.meta\.url\)\((['"])([^'"]+)\1\)/g;
      if (text.search(pattern) < 0 && text.search(WORKER_URL) < 0) return undefined;
      const imports = [];
      const contents = text.replace(pattern, (_m, _q, name) => {
        const id = `__qnnRequired${imports.length}`;
        imports.push(`import * as ${id}ns from '${name}'; const ${id} = ${id}ns.default ?? ${id}ns;`);
        return id;
      }).replace(WORKER_URL, (_m, q, rel) => `new URL(${q}./${basename(rel)}${q}, import.meta.url)`);
      const body = a.path.match(/simulator[\\/]dist[\\/]float[\\/]backend\.js$/) ? rewriteWasmDir(a.path, contents) : contents;
      return { contents: `${imports.join('\n')}\n${body}`, loader: 'js', resolveDir: dirname(a.path) };
    });
  },
};

/** `new URL('../x.js', import.meta.url)`: a module started by path (a worker); in the bundle it sits beside server.js. */
const WORKER_URL = /new URL\((['"])(\.{1,2}\/[^'"]+\.js)\1, import\.meta\.url\)/g;

/** The files our packages start as workers (found by WORKER_URL in their built JavaScript). */
function workerEntries() {
  const found = new Set();
  const walk = (d) => {
    for (const e of readdirSync(d)) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else if (p.endsWith('.js')) for (const m of readFileSync(p, 'utf8').matchAll(WORKER_URL)) found.add(join(dirname(p), m[2]));
    }
  };
  for (const pkg of ['language', 'compiler', 'simulator', 'server']) if (existsSync(join(ROOT, pkg, 'dist'))) walk(join(ROOT, pkg, 'dist'));
  for (const w of found) if (!existsSync(w)) throw new Error(`a worker file ${relative(ROOT, w)} is referenced but missing: build with \`npx tsc -b\``);
  return found;
}

const common = { bundle: true, minify: true, legalComments: 'none', logLevel: 'warning', metafile: true };

/** Builds into `out` (default client/out/); tests and `npm start` may build elsewhere so that they never race. */
export async function buildAll({ tests = true, quiet = false, out: OUT = DEFAULT_OUT } = {}) {
  rmSync(OUT, { recursive: true, force: true });
  const results = [];
  results.push(await build({ ...common, entryPoints: { extension: join(CLIENT, 'src', 'extension.ts') }, outdir: OUT, outExtension: { '.js': '.cjs' }, platform: 'node', format: 'cjs', target: 'node20', external: ['vscode'], sourcemap: 'linked' }));
  // Worker threads (qnn/simulate runs in one) start from files beside the server's own: bundle each one too.
  const workers = workerEntries();
  const serverEntries = { server: serverEntry(), ...Object.fromEntries([...workers].map((w) => [basename(w, '.js'), w])) };
  mkdirSync(OUT, { recursive: true });
  // ESM for the .js files of out/ (the worker); extension.cjs stays CommonJS by its extension.
  writeFileSync(join(OUT, 'package.json'), '{ "type": "module" }\n');
  results.push(await build({
    ...common,
    entryPoints: serverEntries,
    outdir: OUT,
    entryNames: '[name]',
    // No code splitting between the server and its worker: with it, tfjs's dynamic import loses its CommonJS interop.
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // tfjs-node is an optional peer of the simulator (never installed here): its absence selects the wasm backend.
    external: ['@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu'],
    // CommonJS code inside the ESM bundle (vscode-languageserver, TensorFlow.js's emscripten module) expects these.
    banner: { js: "import { createRequire as __qnnCreateRequire } from 'node:module'; import { fileURLToPath as __qnnPath } from 'node:url'; import { dirname as __qnnDirname } from 'node:path'; const require = __qnnCreateRequire(import.meta.url); const __filename = __qnnPath(import.meta.url); const __dirname = __qnnDirname(__filename);" },
    // The first plugin whose onLoad answers wins: the create-require one also rewrites the wasm folder when both apply.
    plugins: [createRequirePlugin, wasmDirPlugin],
    nodePaths: [join(ROOT, 'node_modules')],
    sourcemap: 'linked',
  }));
  results.push(await build({ ...common, entryPoints: { report: join(CLIENT, 'src', 'ui', 'report.ts'), simulation: join(CLIENT, 'src', 'ui', 'simulation.ts') }, outdir: join(OUT, 'ui'), platform: 'browser', format: 'iife', target: 'es2022' }));
  copyFileSync(join(CLIENT, 'src', 'ui', 'style.css'), join(OUT, 'ui', 'style.css'));
  copyInto(join(ROOT, 'compiler', 'src', 'backends', 'hls', 'include'), join(OUT, 'include'), () => true);
  copyInto(join(ROOT, 'node_modules', '@tensorflow', 'tfjs-backend-wasm', 'dist'), join(OUT, 'wasm'), (f) => f.endsWith('.wasm'));
  if (tests) {
    results.push(await build({ ...common, minify: false, entryPoints: { suite: join(CLIENT, 'e2e', 'suite', 'index.ts') }, outdir: join(OUT, 'test'), outExtension: { '.js': '.cjs' }, platform: 'node', format: 'cjs', target: 'node20', external: ['vscode'] }));
  }
  const sizes = bundleSizes(OUT);
  if (!quiet) {
    process.stdout.write('bundle sizes (client/out):\n');
    for (const [file, bytes] of sizes) process.stdout.write(`  ${file.padEnd(44)} ${kib(bytes).padStart(10)}\n`);
  }
  return { sizes, results };
}

/** Every file under out/ (maps and tests excluded) with its size in bytes. */
export function bundleSizes(OUT = DEFAULT_OUT) {
  const out = [];
  const walk = (d) => {
    for (const e of readdirSync(d)) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else if (!p.endsWith('.map') && !relative(OUT, p).startsWith('test')) out.push([relative(OUT, p), statSync(p).size]);
    }
  };
  walk(OUT);
  return out.sort((a, b) => b[1] - a[1]);
}

export function kib(bytes) {
  return bytes >= 1 << 20 ? `${(bytes / (1 << 20)).toFixed(2)} MiB` : `${(bytes / 1024).toFixed(1)} KiB`;
}

function copyInto(from, to, keep) {
  mkdirSync(to, { recursive: true });
  for (const f of readdirSync(from)) if (keep(f)) copyFileSync(join(from, f), join(to, f));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  buildAll({ tests: !args.has('--no-tests'), quiet: args.has('--quiet') }).catch((e) => {
    process.stderr.write(`client build: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
