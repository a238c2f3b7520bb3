// Checks a program: loads the entry files and their imports, orders them, and checks every file in turn.
import type * as A from '../ast.js';
import { diag, type Diagnostic } from '../diagnostics.js';
import type { FixedType } from '../fixed-type.js';
import { normalizePath, resolveRelative } from '../host.js';
import type { FileModel, NetworkModel, ProgramModel, SymbolModel, TargetModel, TestDataModel } from '../model.js';
import { parse, parseIncremental, type ParseResult, type ParseState } from '../parse.js';
import { makeReporter, type CheckOptions, type Reporter } from './context.js';
import { checkNetwork, checkTarget } from './network.js';
import { closestNames, didYouMean } from './suggest.js';
import { checkTest } from './testdata.js';
import { resolveType } from './types.js';

/**
 * The parses of the files of an editor session: a file whose text is unchanged is not parsed again, and a changed
 * file is parsed incrementally from its previous version (parseIncremental: only the edited top-level items).
 */
export interface ParseCache {
  parse(path: string, text: string): ParseResult;
}

export function createParseCache(): ParseCache {
  const m = new Map<string, ParseState>();
  return {
    parse: (path, text) => {
      const prev = m.get(path);
      if (prev && prev.text === text) return prev.result;
      const next = parseIncremental(text, path, prev);
      m.set(path, next);
      return next.result;
    },
  };
}

interface LoadedFile {
  readonly path: string;
  readonly text: string;
  readonly parsed: ParseResult;
  /** Resolved target of each import declaration (by index in ast.items), undefined when it failed to load. */
  readonly importTargets: Map<A.ImportDecl, string | undefined>;
}

export function checkProgram(entries: readonly string[], opts: CheckOptions & { readonly cache?: ParseCache }): ProgramModel {
  const diagnostics = new Map<string, Diagnostic[]>();
  const diagsOf = (p: string) => {
    let d = diagnostics.get(p);
    if (!d) diagnostics.set(p, (d = []));
    return d;
  };
  const maxFiles = opts.maxFiles ?? 20000;

  // 1. Load every file reachable by imports (a worklist, not recursion: import chains may be thousands long).
  const loaded = new Map<string, LoadedFile>();
  const failedLoads = new Map<string, 'missing' | string>();
  const queue: string[] = [];
  for (const e of entries) queue.push(normalizePath(e));
  const entrySet = new Set(queue);
  let limitReported = false;
  for (let qi = 0; qi < queue.length; qi++) {
    const path = queue[qi];
    if (loaded.has(path) || failedLoads.has(path)) continue;
    if (loaded.size >= maxFiles) {
      if (!limitReported) {
        limitReported = true;
        diagsOf(path).push(diag('QNN2036', path, { start: 0, end: 0 }, `More than ${maxFiles} files are imported; the rest are not checked.`));
      }
      continue;
    }
    const res = opts.fs.readText(path);
    if (res.kind !== 'ok') {
      failedLoads.set(path, res.kind === 'missing' ? 'missing' : res.message);
      if (entrySet.has(path)) {
        diagsOf(path).push(diag('QNN2036', path, { start: 0, end: 0 }, res.kind === 'missing' ? `The file '${path}' does not exist.` : `The file '${path}' cannot be read: ${res.message}`));
      }
      continue;
    }
    const text = res.value;
    const parsed = opts.cache ? opts.cache.parse(path, text) : parse(text, path);
    diagsOf(path).push(...parsed.diagnostics);
    const importTargets = new Map<A.ImportDecl, string | undefined>();
    for (const item of parsed.ast.items) {
      if (item.kind !== 'import' || !item.path || !item.path.closed) continue;
      const target = resolveRelative(path, item.path.value);
      importTargets.set(item, target);
      queue.push(target);
    }
    loaded.set(path, { path, text, parsed, importTargets });
  }

  // 2. Import errors and cycles (iterative depth-first search; an edge to a file on the stack closes a cycle).
  const cyclicEdges = new Set<A.ImportDecl>();
  const order: string[] = [];
  const state = new Map<string, 'active' | 'done'>();
  for (const start of entrySet) {
    if (!loaded.has(start) || state.has(start)) continue;
    const stack: { path: string; edges: [A.ImportDecl, string][]; i: number }[] = [];
    const push = (p: string) => {
      state.set(p, 'active');
      const f = loaded.get(p)!;
      stack.push({ path: p, edges: [...f.importTargets].filter((e): e is [A.ImportDecl, string] => e[1] !== undefined), i: 0 });
    };
    push(start);
    while (stack.length) {
      const top = stack[stack.length - 1];
      if (top.i >= top.edges.length) {
        state.set(top.path, 'done');
        order.push(top.path);
        stack.pop();
        continue;
      }
      const [decl, target] = top.edges[top.i++];
      if (!loaded.has(target)) {
        const why = failedLoads.get(target);
        const rel = decl.path!.value;
        if (why === 'missing' || why === undefined) {
          diagsOf(top.path).push(diag('QNN2014', top.path, decl.path!.span, `The imported file '${rel}' does not exist (paths are relative to this file).`));
        } else {
          diagsOf(top.path).push(diag('QNN2036', top.path, decl.path!.span, `The imported file '${rel}' cannot be read: ${why}`));
        }
        continue;
      }
      const st = state.get(target);
      if (st === 'active') {
        cyclicEdges.add(decl);
        const from = stack.findIndex((s) => s.path === target);
        const chain = [...stack.slice(from).map((s) => baseName(s.path)), baseName(target)];
        diagsOf(top.path).push(diag('QNN2015', top.path, decl.span, `Importing '${decl.path!.value}' creates a cycle: ${chain.join(' → ')}. Move what both need into a third file.`));
        continue;
      }
      if (st === 'done') continue;
      push(target);
    }
  }

  // 3. Check files, dependencies first.
  const files = new Map<string, FileModel>();
  // Type aliases used anywhere in the program (for the unused-alias lint).
  const usedTypes = new Set<string>();
  for (const path of order) {
    const f = loaded.get(path)!;
    const out = diagsOf(path);
    const refs: { span: A.Span; target: SymbolModel }[] = [];
    const r = makeReporter(path, opts.fs, out, refs);
    let model: Omit<FileModel, 'references'>;
    try {
      model = checkFile(f, files, cyclicEdges, r, opts, out);
    } catch (e) {
      // A safety net: the checker is written not to throw; if it does, the editor must survive and say so.
      const msg = e instanceof Error ? e.message : String(e);
      out.push(diag('QNN1999', path, { start: 0, end: 0 }, `The checker failed on this file (${msg}); please report it.`));
      model = { path, text: f.text, ast: f.parsed.ast, types: new Map(), networks: new Map(), tests: new Map(), scope: new Map(), imports: [] };
    }
    files.set(path, { ...model, references: refs });
    for (const ref of refs) if (ref.target.kind === 'type') usedTypes.add(symbolKey(ref.target));
  }

  // 4. Unused type aliases (in files that define networks: a file of only types is a library).
  for (const f of files.values()) {
    // A file with syntax errors may have lost the uses; a file of only types is a library.
    if (!f.ast.items.some((i) => i.kind === 'network') || hasSyntaxErrors(diagnostics.get(f.path))) continue;
    for (const item of f.ast.items) {
      if (item.kind !== 'typeAlias' || !item.name) continue;
      const key = symbolKey({ kind: 'type', name: item.name.name, path: f.path, span: item.name.span });
      // An alias that failed to resolve, or a duplicate, was reported already; "unused" would only add noise.
      if (!usedTypes.has(key) && f.types.has(item.name.name) && f.scope.get(item.name.name)?.span === item.name.span) diagsOf(f.path).push(diag('QNN2003', f.path, item.name.span, `Type '${item.name.name}' is never used; use it or delete it.`));
    }
  }

  for (const d of diagnostics.values()) d.sort((a, b) => a.span.start - b.span.start);
  for (const e of entrySet) diagsOf(e);
  return { files, diagnostics };
}

function hasSyntaxErrors(ds: readonly Diagnostic[] | undefined): boolean {
  return (ds ?? []).some((d) => d.code.startsWith('QNN1'));
}

function symbolKey(s: SymbolModel): string {
  return `${s.kind}:${s.path}:${s.span.start}`;
}

function baseName(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}

function checkFile(
  f: LoadedFile,
  files: ReadonlyMap<string, FileModel>,
  cyclicEdges: ReadonlySet<A.ImportDecl>,
  r: Reporter,
  opts: CheckOptions,
  out: Diagnostic[],
): Omit<FileModel, 'references'> {
  const { ast } = f.parsed;
  const scope = new Map<string, SymbolModel>();
  const localTypes = new Map<string, A.TypeDecl>();
  const localNets = new Map<string, A.NetworkDecl>();
  /** Imported names: the symbol and the file model it comes from. */
  const imported = new Map<string, { sym: SymbolModel; file: FileModel; original: string; decl: A.ImportDecl; span: A.Span }>();

  const define = (sym: SymbolModel) => {
    const prev = scope.get(sym.name);
    if (prev) {
      r.report('QNN2002', sym.span, `'${sym.name}' is already defined${prev.path === r.path ? '' : ` (imported from ${baseName(prev.path)})`}; rename one of them.`, {
        related: [{ message: 'first defined here', path: prev.path, span: prev.span }],
      });
      return false;
    }
    scope.set(sym.name, sym);
    return true;
  };

  // Local definitions first, so that a clash with an import is reported at the import.
  for (const item of ast.items) {
    if (item.kind === 'typeAlias' && item.name) {
      if (define({ kind: 'type', name: item.name.name, path: r.path, span: item.name.span })) localTypes.set(item.name.name, item);
    } else if (item.kind === 'network' && item.name) {
      if (define({ kind: 'network', name: item.name.name, path: r.path, span: item.name.span })) localNets.set(item.name.name, item);
    } else if (item.kind === 'test' && item.name) {
      define({ kind: 'test', name: item.name.name, path: r.path, span: item.name.span });
    }
  }

  // Imports.
  const importUse = new Map<A.ImportDecl, { names: Set<string>; used: Set<string> }>();
  const poisoned = new Set<string>();
  for (const item of ast.items) {
    if (item.kind !== 'import' || !item.path) continue;
    if (cyclicEdges.has(item)) {
      for (const n of item.names ?? []) poisoned.add((n.alias ?? n.name).name);
      continue;
    }
    const target = f.importTargets.get(item);
    const tf = target ? files.get(target) : undefined;
    if (!tf) {
      // The import failed (reported at the import): its names stay silent rather than cascade as undefined.
      for (const n of item.names ?? []) poisoned.add((n.alias ?? n.name).name);
      continue;
    }
    const exported = [...tf.scope.values()].filter((s) => s.path === tf.path && s.kind !== 'test');
    const use = { names: new Set<string>(), used: new Set<string>() };
    importUse.set(item, use);
    const bind = (sym: SymbolModel, as: string, span: A.Span) => {
      if (scope.has(as)) {
        const prev = scope.get(as)!;
        r.report('QNN2002', span, `Importing '${as}' clashes with the '${as}' ${prev.path === r.path ? 'defined in this file' : `imported from ${baseName(prev.path)}`}; import it under another name with 'as'.`, {
          related: [{ message: `'${as}' is defined here`, path: prev.path, span: prev.span }],
        });
        return;
      }
      scope.set(as, sym);
      imported.set(as, { sym, file: tf, original: sym.name, decl: item, span });
      use.names.add(as);
    };
    if (item.names === undefined) {
      for (const sym of exported) bind(sym, sym.name, item.path.span);
    } else {
      for (const n of item.names) {
        const sym = exported.find((s) => s.name === n.name.name);
        if (!sym) {
          const names = closestNames(n.name.name, exported.map((s) => s.name));
          r.report('QNN2016', n.name.span, `'${item.path.value}' defines no type or network '${n.name.name}'.${didYouMean(names)}`, { data: { suggestions: names } });
          poisoned.add((n.alias ?? n.name).name);
          continue;
        }
        r.reference(n.name.span, sym);
        bind(sym, (n.alias ?? n.name).name, (n.alias ?? n.name).span);
      }
    }
  }
  const markUsed = (name: string) => {
    const imp = imported.get(name);
    if (imp) importUse.get(imp.decl)?.used.add(name);
  };

  // Type aliases, resolved on demand (an alias may use one defined later; cycles are reported).
  const types = new Map<string, FixedType | undefined>();
  const resolving = new Set<string>();
  const aliasType = (name: string): FixedType | undefined => {
    if (types.has(name)) return types.get(name);
    const imp = imported.get(name);
    if (imp) return imp.sym.kind === 'type' ? imp.file.types.get(imp.original) : undefined;
    const decl = localTypes.get(name);
    if (!decl || !decl.type) return undefined;
    if (resolving.has(name)) {
      r.report('QNN2004', decl.name!.span, `Type '${name}' is defined in terms of itself.`);
      types.set(name, undefined);
      return undefined;
    }
    resolving.add(name);
    const t = typeOf(decl.type);
    resolving.delete(name);
    types.set(name, t);
    return t;
  };
  const knownTypes = () => [...scope.values()].filter((s) => s.kind === 'type').map((s) => s.name);
  function typeOf(t: A.TypeExpr): FixedType | undefined {
    return resolveType(
      t,
      (id) => {
        const sym = scope.get(id.name);
        if (!sym) return poisoned.has(id.name) ? 'failed' : 'unknown';
        if (sym.kind !== 'type') return 'not-a-type';
        r.reference(id.span, sym);
        markUsed(id.name);
        return aliasType(id.name) ?? 'failed';
      },
      r,
      knownTypes,
    );
  }
  for (const name of localTypes.keys()) aliasType(name);

  // Target of the file.
  let fileTarget: TargetModel | undefined;
  let targetSpan: A.Span | undefined;
  for (const item of ast.items) {
    if (item.kind !== 'target') continue;
    if (targetSpan) r.report('QNN2028', item.span, 'The file sets its target twice; the last one wins. Delete one.', { related: [{ message: 'first set here', path: r.path, span: targetSpan }] });
    targetSpan = item.span;
    fileTarget = checkTarget(item, r, opts.parts) ?? fileTarget;
  }

  // Networks, in the order of their uses of each other.
  const networks = new Map<string, NetworkModel>();
  const netOrder = orderNetworks(localNets, r);
  const errorCount = () => out.filter((d) => d.severity === 'error').length;
  const lookupNetwork = (name: string): NetworkModel | 'failed' | undefined => {
    const sym = scope.get(name);
    if (!sym) return poisoned.has(name) ? 'failed' : undefined;
    if (sym.kind !== 'network') return undefined;
    markUsed(name);
    const imp = imported.get(name);
    const m = imp ? imp.file.networks.get(imp.original) : networks.get(name);
    if (!m) return 'failed';
    return m.complete ? m : 'failed';
  };
  for (const name of netOrder.order) {
    const decl = localNets.get(name)!;
    if (netOrder.cyclic.has(name)) continue;
    const model = checkNetwork(decl, {
      r,
      fileTarget,
      parts: opts.parts,
      resolveType: typeOf,
      lookupNetwork,
      knownNetworks: () => [...scope.values()].filter((s) => s.kind === 'network' && s.name !== name).map((s) => s.name),
      referenceLocal: (span, sym) => r.reference(span, sym),
      localSymbol: (def) => ({ kind: def.kind, name: def.name, path: r.path, span: def.span }),
      errorCount,
    });
    networks.set(name, model);
    // Layer ops that name networks are references too.
    for (const s of decl.body) {
      if (s.kind === 'layer' && s.op && scope.get(s.op.name)?.kind === 'network') r.reference(s.op.span, scope.get(s.op.name)!);
    }
  }

  // Tests.
  const tests = new Map<string, TestDataModel>();
  for (const item of ast.items) {
    if (item.kind !== 'test' || !item.network || !item.name) continue;
    const sym = scope.get(item.network.name);
    if (!sym || sym.kind !== 'network') {
      const names = closestNames(item.network.name, [...scope.values()].filter((s) => s.kind === 'network').map((s) => s.name));
      r.report('QNN2001', item.network.span, `'${item.network.name}' is not a network defined or imported here.${didYouMean(names)}`, { data: { suggestions: names } });
      continue;
    }
    r.reference(item.network.span, sym);
    markUsed(item.network.name);
    const net = lookupNetwork(item.network.name);
    if (!net || net === 'failed') continue;
    const t = checkTest(item, net, r);
    if (t) tests.set(t.name, t);
  }

  // Unused imports (not in a file with syntax errors: the uses may be in the part that did not parse).
  for (const [decl, use] of hasSyntaxErrors(f.parsed.diagnostics) ? [] : importUse) {
    if (decl.names === undefined) {
      if (use.names.size > 0 && use.used.size === 0) r.report('QNN2003', decl.span, `Nothing imported from '${decl.path!.value}' is used; delete the import.`);
      continue;
    }
    for (const n of decl.names) {
      const as = (n.alias ?? n.name).name;
      if (use.names.has(as) && !use.used.has(as)) r.report('QNN2003', (n.alias ?? n.name).span, `'${as}' is imported but never used; delete it from the import.`);
    }
  }

  const typeMap = new Map<string, FixedType>();
  for (const name of localTypes.keys()) {
    const t = types.get(name);
    if (t) typeMap.set(name, t);
  }
  return {
    path: r.path,
    text: f.text,
    ast,
    types: typeMap,
    networks,
    tests,
    scope,
    imports: [...f.importTargets.values()].filter((p): p is string => p !== undefined),
  };
}

/** Orders a file's networks so that a network comes after those it uses as layers; reports cycles. */
function orderNetworks(nets: ReadonlyMap<string, A.NetworkDecl>, r: Reporter): { order: string[]; cyclic: Set<string> } {
  const uses = new Map<string, string[]>();
  for (const [name, decl] of nets) {
    const u: string[] = [];
    for (const s of decl.body) if (s.kind === 'layer' && s.op && nets.has(s.op.name)) u.push(s.op.name);
    uses.set(name, u);
  }
  const order: string[] = [];
  const state = new Map<string, 'active' | 'done'>();
  const cyclic = new Set<string>();
  for (const start of nets.keys()) {
    if (state.has(start)) continue;
    const stack: { name: string; i: number }[] = [{ name: start, i: 0 }];
    state.set(start, 'active');
    while (stack.length) {
      const top = stack[stack.length - 1];
      const u = uses.get(top.name)!;
      if (top.i >= u.length) {
        state.set(top.name, 'done');
        order.push(top.name);
        stack.pop();
        continue;
      }
      const next = u[top.i++];
      if (state.get(next) === 'active') {
        const from = stack.findIndex((s) => s.name === next);
        const chain = stack.slice(from).map((s) => s.name);
        for (const c of chain) cyclic.add(c);
        r.report('QNN2022', nets.get(top.name)!.name!.span, `Network '${top.name}' uses itself: ${[...chain, next].join(' → ')}.`);
        continue;
      }
      if (!state.has(next)) {
        state.set(next, 'active');
        stack.push({ name: next, i: 0 });
      }
    }
  }
  return { order, cyclic };
}
