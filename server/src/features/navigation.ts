// Go to definition, find references and rename (across the files that import a definition).
import type { FileModel, Span, SymbolModel } from '@qnn/language';
import { resolveRelative } from '@qnn/language';
import { referenceAt, targetAt, definitionsOf } from '../locate.js';
import type { Analysis } from '../workspace.js';

export interface FileSpan {
  readonly path: string;
  readonly span: Span;
}

export const KEYWORDS = new Set([
  'import', 'from', 'as', 'target', 'clock', 'type', 'network', 'test', 'for', 'io', 'reuse', 'precision', 'init',
  'require', 'fifo', 'depth', 'input', 'output', 'fixed', 'ufixed', 'int', 'uint',
]);

export function definitionAt(a: Analysis, path: string, offset: number): FileSpan | undefined {
  const file = a.fileAt(path);
  if (!file) return undefined;
  const { target } = targetAt(file, offset);
  if (!target) return undefined;
  if (target.kind === 'symbol') return { path: target.symbol.path, span: target.symbol.span };
  if (target.kind === 'layerDef') return { path, span: target.ident.span };
  if (target.kind === 'importPath' && target.lit.closed) return { path: resolveRelative(path, target.lit.value), span: { start: 0, end: 0 } };
  if (target.kind === 'op') {
    // A network used as a layer whose reference was not recorded (the layer has errors): find it by name.
    const sym = file.scope.get(target.ident.name);
    if (sym?.kind === 'network') return { path: sym.path, span: sym.span };
  }
  return undefined;
}

/** The symbol under the cursor (a definition or a use), and the name written there. */
export function symbolAt(file: FileModel, offset: number): { symbol: SymbolModel; span: Span; written: string } | undefined {
  // An `as` alias of an import: the imported symbol, under the alias's name.
  for (const item of file.ast.items) {
    if (item.kind !== 'import') continue;
    for (const n of item.names ?? []) {
      if (!n.alias || offset < n.alias.span.start || offset > n.alias.span.end) continue;
      const ref = file.references.find((r) => r.span.start === n.name.span.start);
      if (ref) return { symbol: ref.target, span: n.alias.span, written: n.alias.name };
    }
  }
  const t = referenceAt(file, offset);
  if (!t || t.kind !== 'symbol') return undefined;
  return { symbol: t.symbol, span: t.ident, written: file.text.slice(t.ident.start, t.ident.end) };
}

function sameSymbol(a: SymbolModel, b: SymbolModel): boolean {
  return a.path === b.path && a.span.start === b.span.start && a.kind === b.kind;
}

/** Every use of a symbol in the program (and its definition when asked), in file order. */
export function referencesOf(world: Analysis, symbol: SymbolModel, includeDeclaration: boolean): FileSpan[] {
  const out: FileSpan[] = [];
  if (includeDeclaration) out.push({ path: symbol.path, span: symbol.span });
  for (const f of world.program.files.values()) {
    for (const r of f.references) if (sameSymbol(r.target, symbol)) out.push({ path: f.path, span: r.span });
  }
  return dedupe(out);
}

export type RenameResult = { readonly ok: true; readonly edits: FileSpan[] } | { readonly ok: false; readonly message: string };

/**
 * The spans to rewrite to rename the symbol under the cursor. Renaming a definition renames every use written with
 * its name (uses through an `as` alias keep the alias); renaming an alias renames the alias and its uses only.
 */
export function renameAt(world: Analysis, path: string, offset: number, newName: string): RenameResult {
  const file = world.fileAt(path);
  if (!file) return { ok: false, message: 'The file is not part of the workspace.' };
  const at = symbolAt(file, offset);
  if (!at) return { ok: false, message: 'Only types, networks, tests, inputs and layers can be renamed.' };
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(newName) || KEYWORDS.has(newName)) return { ok: false, message: `'${newName}' is not a valid name.` };
  const { symbol, written } = at;
  const edits: FileSpan[] = [];
  if (written === symbol.name) {
    edits.push({ path: symbol.path, span: symbol.span });
    for (const f of world.program.files.values()) {
      for (const r of f.references) {
        if (sameSymbol(r.target, symbol) && f.text.slice(r.span.start, r.span.end) === symbol.name) edits.push({ path: f.path, span: r.span });
      }
    }
  } else {
    // An alias: `import { enc as encoder }`; its definition is the alias ident in this file.
    for (const item of file.ast.items) {
      if (item.kind !== 'import') continue;
      for (const n of item.names ?? []) if (n.alias?.name === written && n.name.name === symbol.name) edits.push({ path, span: n.alias.span });
    }
    for (const r of file.references) {
      if (sameSymbol(r.target, symbol) && file.text.slice(r.span.start, r.span.end) === written) edits.push({ path, span: r.span });
    }
  }
  // A clash with a name already visible where the symbol is defined.
  const defFile = world.fileAt(symbol.path);
  if (defFile && (symbol.kind === 'type' || symbol.kind === 'network' || symbol.kind === 'test') && defFile.scope.has(newName)) {
    return { ok: false, message: `'${newName}' is already defined in ${baseName(symbol.path)}.` };
  }
  if (defFile && (symbol.kind === 'layer' || symbol.kind === 'input')) {
    const clash = definitionsOf(defFile).find((d) => d.name === newName && (d.kind === 'layer' || d.kind === 'input') && sameNetwork(defFile, d.span, symbol.span));
    if (clash) return { ok: false, message: `'${newName}' is already defined in this network.` };
  }
  return { ok: true, edits: dedupe(edits) };
}

function sameNetwork(f: FileModel, a: Span, b: Span): boolean {
  return f.ast.items.some((i) => i.kind === 'network' && i.span.start <= a.start && a.end <= i.span.end && i.span.start <= b.start && b.end <= i.span.end);
}

function dedupe(xs: FileSpan[]): FileSpan[] {
  const seen = new Set<string>();
  return xs.filter((x) => {
    const k = `${x.path}:${x.span.start}:${x.span.end}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function baseName(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}
