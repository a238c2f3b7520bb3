// What is at an offset of a file: the chain of AST nodes around it, and what the innermost name means.
import type * as A from '@qnn/language';
import type { FileModel, LayerModel, NetworkModel, SymbolModel } from '@qnn/language';

/** Any AST node or part of one (Attr, Arg, TensorTypeExpr, Budget and ImportName have no `kind`). */
export interface Node {
  readonly span: A.Span;
  readonly kind?: string;
}

/** The nodes whose span contains `offset`, outermost first (the file first). */
export function nodeChain(file: A.QnnFile, offset: number): Node[] {
  const chain: Node[] = [file];
  let cur: unknown = file;
  for (;;) {
    const next = childAt(cur, offset);
    if (!next) return chain;
    chain.push(next);
    cur = next;
  }
}

function childAt(node: unknown, offset: number): Node | undefined {
  let best: Node | undefined;
  const consider = (v: unknown) => {
    if (!isNode(v)) return;
    if (v.span.start <= offset && offset <= v.span.end) {
      // Prefer the narrower of two touching nodes (`a,b` with the cursor between them goes to the one it touches).
      if (!best || v.span.end - v.span.start < best.span.end - best.span.start) best = v;
    }
  };
  for (const [key, v] of Object.entries(node as Record<string, unknown>)) {
    if (key === 'span' || key === 'comments') continue;
    if (Array.isArray(v)) for (const e of v) consider(e);
    else consider(v);
  }
  return best;
}

function isNode(v: unknown): v is Node {
  if (typeof v !== 'object' || v === null) return false;
  const s = (v as { span?: unknown }).span;
  return typeof s === 'object' && s !== null && typeof (s as A.Span).start === 'number';
}

/** Every node of a file, depth first (semantic tokens, folding). */
export function* walk(node: unknown): Generator<Node> {
  if (!isNode(node)) return;
  yield node;
  for (const [key, v] of Object.entries(node as unknown as Record<string, unknown>)) {
    if (key === 'span' || key === 'comments') continue;
    if (Array.isArray(v)) for (const e of v) yield* walk(e);
    else if (isNode(v)) yield* walk(v);
  }
}

export type Target =
  | { readonly kind: 'layerDef'; readonly ident: A.Ident; readonly decl: A.LayerDecl; readonly network: A.NetworkDecl }
  | { readonly kind: 'op'; readonly ident: A.Ident; readonly decl: A.LayerDecl; readonly network: A.NetworkDecl }
  | { readonly kind: 'attrName'; readonly ident: A.Ident; readonly decl: A.LayerDecl; readonly network: A.NetworkDecl }
  | { readonly kind: 'paramName'; readonly ident: A.Ident; readonly decl: A.LayerDecl; readonly network: A.NetworkDecl }
  | { readonly kind: 'part'; readonly ident: A.Ident }
  | { readonly kind: 'fixedType'; readonly type: A.FixedTypeExpr }
  | { readonly kind: 'budget'; readonly ident: A.Ident }
  | { readonly kind: 'importPath'; readonly lit: A.StringLit }
  | { readonly kind: 'dataPath'; readonly lit: A.StringLit }
  /** A name that is a definition or a reference recorded by the checker. */
  | { readonly kind: 'symbol'; readonly ident: A.Span; readonly symbol: SymbolModel; readonly isDefinition: boolean };

/** What the cursor is on, using the chain for syntax and the file's references for names. */
export function targetAt(file: FileModel, offset: number): { target: Target | undefined; chain: Node[] } {
  const chain = nodeChain(file.ast, offset);
  return { target: classify(file, chain, offset), chain };
}

function classify(file: FileModel, chain: Node[], offset: number): Target | undefined {
  const inner = chain[chain.length - 1];
  const parent = chain[chain.length - 2] as Node | undefined;
  const network = chain.find((n) => n.kind === 'network') as A.NetworkDecl | undefined;
  const layer = chain.find((n) => n.kind === 'layer') as A.LayerDecl | undefined;

  // A recorded reference or definition wins: it knows where the name points.
  const ref = referenceAt(file, offset);
  if (ref) return ref;

  if (inner.kind === 'ident' && parent) {
    const id = inner as A.Ident;
    if (parent.kind === 'target' && (parent as A.TargetDecl).part === id) return { kind: 'part', ident: id };
    if (parent.kind === 'layer' && layer && network) {
      if (layer.name === id) return { kind: 'layerDef', ident: id, decl: layer, network };
      if (layer.op === id) return { kind: 'op', ident: id, decl: layer, network };
    }
    if (layer && network && isAttr(parent) && parent.name === id && layer.attrs.includes(parent)) return { kind: 'attrName', ident: id, decl: layer, network };
    if (layer && network && isArg(parent) && parent.name === id) return { kind: 'paramName', ident: id, decl: layer, network };
    if (parent.kind === 'fixedType') return { kind: 'fixedType', type: parent as A.FixedTypeExpr };
    if (isBudget(parent) && parent.metric === id) return { kind: 'budget', ident: id };
  }
  if (inner.kind === 'fixedType') return { kind: 'fixedType', type: inner as A.FixedTypeExpr };
  if (inner.kind === 'number' && parent?.kind === 'fixedType') return { kind: 'fixedType', type: parent as A.FixedTypeExpr };
  if (inner.kind === 'string') {
    const lit = inner as A.StringLit;
    if (parent?.kind === 'import') return { kind: 'importPath', lit };
    return { kind: 'dataPath', lit };
  }
  return undefined;
}

/** The definition or reference whose name span contains `offset`. */
export function referenceAt(file: FileModel, offset: number): Target | undefined {
  for (const r of file.references) {
    if (r.span.start <= offset && offset <= r.span.end) return { kind: 'symbol', ident: r.span, symbol: r.target, isDefinition: false };
  }
  for (const s of definitionsOf(file)) {
    if (s.span.start <= offset && offset <= s.span.end) return { kind: 'symbol', ident: s.span, symbol: s, isDefinition: true };
  }
  return undefined;
}

const definitionsCache = new WeakMap<FileModel, SymbolModel[]>();

/** The symbols a file defines: its top-level names, and the inputs and layers of its networks (cached per model). */
export function definitionsOf(file: FileModel): SymbolModel[] {
  let out = definitionsCache.get(file);
  if (!out) definitionsCache.set(file, (out = collectDefinitions(file)));
  return out;
}

function collectDefinitions(file: FileModel): SymbolModel[] {
  const out: SymbolModel[] = [];
  for (const item of file.ast.items) {
    if ((item.kind === 'typeAlias' || item.kind === 'network' || item.kind === 'test') && item.name) {
      out.push({ kind: item.kind === 'typeAlias' ? 'type' : item.kind, name: item.name.name, path: file.path, span: item.name.span });
    }
    if (item.kind !== 'network') continue;
    for (const s of item.body) {
      if (s.kind === 'input' && s.name) out.push({ kind: 'input', name: s.name.name, path: file.path, span: s.name.span });
      if (s.kind === 'layer') out.push({ kind: 'layer', name: s.name.name, path: file.path, span: s.name.span });
    }
  }
  return out;
}

/** The checked layer whose name is defined at `span` (undefined when the layer failed to check). */
export function layerModelAt(file: FileModel, span: A.Span): { network: NetworkModel; layer: LayerModel } | undefined {
  for (const n of file.networks.values()) {
    if (span.start < n.decl.span.start || span.end > n.decl.span.end) continue;
    for (const l of n.layers) if (l.decl.name.span.start === span.start) return { network: n, layer: l };
  }
  return undefined;
}

export function isAttr(n: Node): n is A.Attr & Node {
  return n.kind === undefined && 'name' in n && ('type' in n || 'value' in n) && !('metric' in n) && !('alias' in n);
}

export function isArg(n: Node): n is A.Arg & Node {
  return n.kind === undefined && 'name' in n && 'value' in n && !('type' in n);
}

function isBudget(n: Node): n is A.Budget & Node {
  return n.kind === undefined && 'metric' in n;
}
