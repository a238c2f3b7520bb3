// Runs every fixture of server/test/fixtures through the real server over stdio (the directives: fixtures.ts).
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { CodeAction, CompletionItem, CompletionList, Diagnostic, Hover, InlayHint, Location, SignatureHelp, WorkspaceEdit } from 'vscode-languageserver-protocol';
import { LspClient, REPO } from './lsp-client.js';
import { applyEdits, loadFixture, quoted, type Directive, type Fixture, type Marker } from './fixtures.js';

const DIR = join(REPO, 'server/test/fixtures');
const fixtures = readdirSync(DIR).filter((n) => n.endsWith('.qnn') || !n.includes('.')).sort();

let client: LspClient;
beforeAll(async () => {
  client = await LspClient.start({ root: DIR, settings: { diagnostics: { estimateDelayMs: 0 } } });
});
afterAll(async () => {
  await client.stop();
});

for (const name of fixtures) {
  describe(name, () => {
    const fx = loadFixture(join(DIR, name));
    const uris = new Map<string, string>();
    const diags = new Map<string, Diagnostic[]>();
    const uriOf = (file: string) => pathToFileURL(join(fx.dir, file)).href;
    beforeAll(async () => {
      for (const [file, text] of fx.files) uris.set(file, await client.open(join(fx.dir, file), text));
      for (const [file, uri] of uris) diags.set(file, await client.diagnostics(uri, 1));
    });
    for (const d of fx.directives) {
      test(`${d.file}:${d.line + 1} ${d.kind} ${d.args}`, async () => {
        await runDirective(fx, d, uriOf, diags);
      });
    }
  });
}

function marker(fx: Fixture, name: string): Marker {
  const m = fx.markers.get(name.replace(/[()]/g, ''));
  if (!m) throw new Error(`fixture ${fx.name}: no marker ${name}`);
  return m;
}

const pos = (m: Marker) => ({ line: m.line, character: m.character });

async function runDirective(fx: Fixture, d: Directive, uriOf: (f: string) => string, diags: Map<string, Diagnostic[]>): Promise<void> {
  const args = d.args.trim();
  const firstMatch = /^\$\(?(\d+)\)?/.exec(args);
  const first = firstMatch?.[0];
  const at = firstMatch ? marker(fx, `$${firstMatch[1]}`) : undefined;
  const doc = (m: Marker) => ({ textDocument: { uri: uriOf(m.file) }, position: pos(m) });
  switch (d.kind) {
    case 'hover': {
      const h = await client.request<Hover | null>('textDocument/hover', doc(at!));
      if (/\bnone\b/.test(args.slice(first!.length))) {
        expect(h).toBeNull();
        return;
      }
      expect(h, 'a hover').not.toBeNull();
      const value = typeof h!.contents === 'object' && 'value' in h!.contents ? h!.contents.value : JSON.stringify(h!.contents);
      for (const q of quoted(args)) expect(value).toContain(q);
      return;
    }
    case 'completion': {
      const r = await client.request<CompletionItem[] | CompletionList | null>('textDocument/completion', doc(at!));
      const items = Array.isArray(r) ? r : (r?.items ?? []);
      const labels = new Set(items.map((i) => i.label.replace(/:$/, '')));
      const rest = args.slice(first!.length);
      for (const m of rest.matchAll(/([+-])\s*((?:[\w<>./]+\s*)+)/g)) {
        for (const label of m[2].trim().split(/\s+/)) {
          if (m[1] === '+') expect([...labels], `completion offers ${label}`).toContain(label);
          else expect([...labels], `completion does not offer ${label}`).not.toContain(label);
        }
      }
      return;
    }
    case 'signature': {
      const s = await client.request<SignatureHelp | null>('textDocument/signatureHelp', doc(at!));
      expect(s).not.toBeNull();
      const sig = s!.signatures[s!.activeSignature ?? 0];
      const [label] = quoted(args);
      expect(sig.label).toContain(label);
      const param = args.slice(args.lastIndexOf('"') + 1).trim();
      if (param) {
        const p = sig.parameters![s!.activeParameter ?? 0];
        const text = Array.isArray(p.label) ? sig.label.slice(p.label[0], p.label[1]) : p.label;
        expect(text.split(':')[0].trim()).toBe(param);
      }
      return;
    }
    case 'definition': {
      const target = marker(fx, /->\s*(\$\d+)/.exec(args)![1]);
      const r = await client.request<Location | Location[] | null>('textDocument/definition', doc(at!));
      const l = Array.isArray(r) ? r[0] : r;
      expect(l, 'a definition').toBeTruthy();
      expect(l!.uri).toBe(uriOf(target.file));
      expect(l!.range.start).toEqual(pos(target));
      return;
    }
    case 'references': {
      const want = [...args.split('=')[1].matchAll(/\$\d+/g)].map((m) => marker(fx, m[0]));
      const r = await client.request<Location[]>('textDocument/references', { ...doc(at!), context: { includeDeclaration: true } });
      const key = (uri: string, p: { line: number; character: number }) => `${uri}:${p.line}:${p.character}`;
      expect(r.map((l) => key(l.uri, l.range.start)).sort()).toEqual(want.map((m) => key(uriOf(m.file), pos(m))).sort());
      return;
    }
    case 'diagnostic':
    case 'related': {
      const [, code, mk] = /^(QNN\d+)\s+(\$\d+)/.exec(args)!;
      const m = marker(fx, mk);
      const list = diags.get(m.file) ?? [];
      const found = list.find((x) => x.code === code && x.range.start.line === m.line && x.range.start.character === m.character);
      expect(found, `${code} at ${m.line + 1}:${m.character + 1}; got ${JSON.stringify(list.map((x) => [x.code, x.range.start]))}`).toBeTruthy();
      if (d.kind === 'diagnostic') for (const q of quoted(args)) expect(found!.message).toContain(q);
      else {
        const r = marker(fx, /->\s*(\$\d+)/.exec(args)![1]);
        const rel = found!.relatedInformation ?? [];
        expect(rel.some((x) => x.location.uri === uriOf(r.file) && x.location.range.start.line === r.line && x.location.range.start.character === r.character), JSON.stringify(rel)).toBe(true);
      }
      return;
    }
    case 'diagnostics': {
      const codes = args.split(/\s+/).filter(Boolean);
      expect((diags.get(d.file) ?? []).map((x) => x.code)).toEqual(codes);
      return;
    }
    case 'action': {
      const [title, after] = quoted(args);
      const m = at!;
      const context = { diagnostics: (diags.get(m.file) ?? []).filter((x) => x.range.start.line <= m.line && m.line <= x.range.end.line), only: undefined };
      const actions = await client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri: uriOf(m.file) }, range: { start: pos(m), end: pos(m) }, context });
      const a = actions.find((x) => x.title === title);
      expect(a, `action '${title}'; got ${JSON.stringify(actions.map((x) => x.title))}`).toBeTruthy();
      if (after !== undefined) {
        const edits = a!.edit?.changes?.[uriOf(m.file)] ?? [];
        expect(applyEdits(fx.files.get(m.file)!, edits)).toContain(after);
      }
      return;
    }
    case 'rename': {
      const [, newName, checks] = /^\$\d+\s+(\w+)\s*=>\s*(.*)$/.exec(args)!;
      const edit = await client.request<WorkspaceEdit>('textDocument/rename', { ...doc(at!), newName });
      for (const part of checks.split(';')) {
        const [, file, text] = /^\s*([\w.-]+)\s*~\s*"(.*)"\s*$/.exec(part)!;
        const edits = edit.changes?.[uriOf(file)] ?? [];
        expect(applyEdits(fx.files.get(file)!, edits)).toContain(text);
      }
      return;
    }
    case 'inlay': {
      const text = fx.files.get(d.file)!;
      const hints = await client.request<InlayHint[]>('textDocument/inlayHint', { textDocument: { uri: uriOf(d.file) }, range: { start: { line: 0, character: 0 }, end: { line: text.split('\n').length, character: 0 } } });
      const lines = new Set(hints.map((h) => h.position.line));
      text.split('\n').forEach((l, i) => {
        // Every line that defines a layer (`name = op(`) carries a hint.
        if (/^\s*\w+\s*=\s*\w+\(/.test(l)) expect(lines.has(i), `a hint on line ${i + 1}`).toBe(true);
      });
      for (const q of quoted(args)) expect(hints.some((h) => String(typeof h.label === 'string' ? h.label : h.label.map((p) => p.value).join('')).includes(q))).toBe(true);
      return;
    }
    default:
      throw new Error(`unknown directive ${d.kind}`);
  }
}
