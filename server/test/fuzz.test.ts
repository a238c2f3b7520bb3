// Robustness: a seeded run of 5,000 random edits through the real server over stdio (insert and delete random
// ranges, random bytes, paste a whole sample twice), interleaved with hover, completion and inlay-hint requests
// (and now and then the other requests): no crash, every request answered, none slower than 1 s. The document is
// reset to the sample when it passes 20,000 characters (about 500 lines, six times the sample): the 1 s bound is
// about robustness while typing; how the time grows with the file is the benchmark's business (bench/server.mjs).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { RandomSource, rng } from '../../simulator/test/helpers.js';
import { LspClient, REPO } from './lsp-client.js';

const SEED = Number(process.env.QNN_FUZZ_SEED ?? 20261122);
const EDITS = 5000;
const LIMIT_MS = 1000;
const SAMPLE = join(REPO, 'samples/branches/branches.qnn');
const OTHER = join(REPO, 'samples/jet-tagger/jet-tagger.qnn');

let client: LspClient;
beforeAll(async () => {
  client = await LspClient.start();
});
afterAll(async () => {
  await client.stop();
});

const NOISE = ['{', '}', '(', ')', '[', ']', '<', '>', ',', ':', '=', '"', '/*', '*/', '//', '\n', ' ', '\t', '-', '.', '5ns', '1e9', 'ñ', '😀', '\u0000', '\r\n', 'fixed<', 'network ', 'import "', 'x', '0', '-1', '%', '@', '\\'];

test(`${EDITS} random edits with requests in between (seed ${SEED})`, async () => {
  const sample = readFileSync(SAMPLE, 'utf8');
  const other = readFileSync(OTHER, 'utf8');
  const r = new RandomSource(rng(SEED));
  let text = sample;
  const uri = await client.open(SAMPLE, text);
  await client.diagnostics(uri, 1);
  const lineStarts = () => {
    const s = [0];
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) s.push(i + 1);
    return s;
  };
  const position = (offset: number) => {
    const starts = lineStarts();
    let line = 0;
    while (line + 1 < starts.length && starts[line + 1] <= offset) line++;
    return { line, character: offset - starts[line] };
  };
  let maxMs = 0;
  let maxWhat = '';
  let requests = 0;
  const timed = async (what: string, method: string, params: unknown) => {
    const t0 = performance.now();
    await client.request(method, params); // rejects (fails the test) on an error answer
    const dt = performance.now() - t0;
    requests++;
    if (dt > maxMs) {
      maxMs = dt;
      maxWhat = what;
    }
    expect(dt, `${what} took ${dt.toFixed(0)} ms`).toBeLessThan(LIMIT_MS);
  };
  for (let i = 0; i < EDITS; i++) {
    // One edit.
    const kind = r.rnd();
    const a = r.int(0, text.length);
    let start = a;
    let end = a;
    let insert = '';
    if (kind < 0.35) {
      end = Math.min(text.length, a + r.int(0, 40));
    } else if (kind < 0.65) {
      const from = r.int(0, sample.length);
      insert = sample.slice(from, from + r.int(1, 60));
    } else if (kind < 0.97) {
      insert = Array.from({ length: r.int(1, 4) }, () => r.pick(NOISE)).join('');
      if (r.rnd() < 0.3) end = Math.min(text.length, a + r.int(0, 5));
    } else {
      insert = r.rnd() < 0.5 ? sample + sample : other + other;
    }
    if (text.length > 20_000) {
      start = 0;
      end = text.length;
      insert = sample;
    }
    const range = { start: position(start), end: position(end) };
    text = text.slice(0, start) + insert + text.slice(end);
    await client.change(uri, [{ range, text: insert }]);
    // Requests in between.
    if (r.rnd() < 0.3) {
      const at = position(r.int(0, text.length));
      const doc = { textDocument: { uri }, position: at };
      const which = r.rnd();
      if (which < 0.3) await timed('hover', 'textDocument/hover', doc);
      else if (which < 0.6) await timed('completion', 'textDocument/completion', doc);
      else if (which < 0.85) {
        const from = Math.max(0, at.line - 40);
        await timed('inlay hints', 'textDocument/inlayHint', { textDocument: { uri }, range: { start: { line: from, character: 0 }, end: { line: from + 80, character: 0 } } });
      } else if (which < 0.88) await timed('signature help', 'textDocument/signatureHelp', doc);
      else if (which < 0.9) await timed('definition', 'textDocument/definition', doc);
      else if (which < 0.92) await timed('semantic tokens', 'textDocument/semanticTokens/full', { textDocument: { uri } });
      else if (which < 0.94) await timed('code lens', 'textDocument/codeLens', { textDocument: { uri } });
      else if (which < 0.96) await timed('folding', 'textDocument/foldingRange', { textDocument: { uri } });
      else if (which < 0.98) await timed('code actions', 'textDocument/codeAction', { textDocument: { uri }, range: { start: at, end: at }, context: { diagnostics: [] } });
      else await timed('document symbols', 'textDocument/documentSymbol', { textDocument: { uri } });
    }
  }
  // The server has caught up with the last version and publishes its diagnostics.
  await client.diagnostics(uri, client.version(uri));
  await timed('hover', 'textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 0 } });
  expect(client.exited).toBe(false);
  expect(client.logs.filter((l) => l.includes('failed'))).toEqual([]);
  console.log(`fuzz: ${EDITS} edits, ${requests} requests, slowest ${maxWhat} ${maxMs.toFixed(1)} ms, final text ${text.length} chars`);
}, 600_000);
