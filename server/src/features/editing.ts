// Signature help, document and workspace symbols, semantic tokens, folding, selection ranges and formatting.
import * as A from '@qnn/language';
import { format, OPS_BY_NAME, type FileModel, type LineIndex, type OpSpec } from '@qnn/language';
import {
  FoldingRangeKind,
  SymbolKind,
  type DocumentSymbol,
  type FoldingRange,
  type SelectionRange,
  type SignatureHelp,
  type TextEdit,
} from 'vscode-languageserver';
import { nodeChain } from '../locate.js';
import { cursorContext, layerOpBefore } from './context.js';

// ---- signature help --------------------------------------------------------------------------------------------

export function signatureAt(file: FileModel, offset: number): SignatureHelp | undefined {
  const ctx = cursorContext(file.text, file.ast, offset);
  if (ctx.inComment || ctx.inString) return undefined;
  for (let i = ctx.brackets.length - 1; i >= 0; i--) {
    const b = ctx.brackets[i];
    if (b.char !== '(') continue;
    const op = layerOpBefore(file.text, b);
    const spec = op ? OPS_BY_NAME.get(op) : undefined;
    if (!spec) return undefined;
    const { label, params } = signatureLabel(spec);
    const argText = file.text.slice(b.argStart, offset);
    const named = /^\s*([A-Za-z_]\w*)\s*:/.exec(argText)?.[1];
    let active = named ? params.findIndex((p) => p.name === named) : Math.min(b.commas, params.length - 1);
    if (active < 0) active = 0;
    return {
      signatures: [
        {
          label,
          documentation: spec.doc,
          parameters: params.map((p) => ({ label: p.range, documentation: p.doc })),
        },
      ],
      activeSignature: 0,
      activeParameter: active,
    };
  }
  return undefined;
}

function signatureLabel(op: OpSpec): { label: string; params: { name: string; range: [number, number]; doc: string }[] } {
  const parts: { name: string; text: string; doc: string }[] = [];
  if (op.inputs === 1) parts.push({ name: 'x', text: 'x', doc: 'The input tensor (an input or a layer of this network).' });
  else {
    parts.push({ name: 'a', text: 'a', doc: 'The first input tensor.' });
    parts.push({ name: 'b', text: 'b, …', doc: 'The other input tensors.' });
  }
  for (const p of op.params) {
    const text = p.positional && p.default === undefined ? p.name : `${p.name}: ${p.default ?? (p.values ? p.values.join('|') : p.kind)}`;
    parts.push({ name: p.name, text, doc: p.doc });
  }
  let label = `${op.name}(`;
  const params: { name: string; range: [number, number]; doc: string }[] = [];
  parts.forEach((p, i) => {
    if (i > 0) label += ', ';
    params.push({ name: p.name, range: [label.length, label.length + p.text.length], doc: p.doc });
    label += p.text;
  });
  label += ')';
  if (op.attrs.length) label += ` { ${op.attrs.map((a) => a.name).join(', ')} }`;
  return { label, params };
}

// ---- symbols ---------------------------------------------------------------------------------------------------

export function documentSymbols(file: FileModel, li: LineIndex): DocumentSymbol[] {
  const out: DocumentSymbol[] = [];
  const sym = (name: string, kind: SymbolKind, span: A.Span, sel: A.Span, detail?: string, children?: DocumentSymbol[]): DocumentSymbol => ({
    name: name || '?',
    kind,
    range: li.rangeOf(span),
    selectionRange: li.rangeOf(sel),
    ...(detail ? { detail } : {}),
    ...(children ? { children } : {}),
  });
  for (const item of file.ast.items) {
    if (item.kind === 'typeAlias' && item.name) {
      const t = file.types.get(item.name.name);
      out.push(sym(item.name.name, SymbolKind.TypeParameter, item.span, item.name.span, t ? A.formatFixedType(t) : undefined));
    } else if (item.kind === 'network' && item.name) {
      const net = file.networks.get(item.name.name);
      const children: DocumentSymbol[] = [];
      for (const s of item.body) {
        if (s.kind === 'input' && s.name) {
          const m = net?.inputs.find((i) => i.name === s.name!.name);
          children.push(sym(s.name.name, SymbolKind.Variable, s.span, s.name.span, m ? `input [${m.tensor.shape.join(', ')}]` : 'input'));
        } else if (s.kind === 'layer') {
          const m = net?.layers.find((l) => l.name === s.name.name);
          children.push(sym(s.name.name, SymbolKind.Function, s.span, s.name.span, `${s.op?.name ?? '?'}${m ? ` [${m.tensor.shape.join(', ')}]` : ''}`));
        }
      }
      out.push(sym(item.name.name, SymbolKind.Module, item.span, item.name.span, 'network', children));
    } else if (item.kind === 'test' && item.name) {
      out.push(sym(item.name.name, SymbolKind.Event, item.span, item.name.span, item.network ? `test for ${item.network.name}` : 'test'));
    }
  }
  return out;
}

// ---- semantic tokens -------------------------------------------------------------------------------------------

export const TOKEN_TYPES = ['namespace', 'type', 'parameter', 'variable', 'function', 'property', 'enumMember', 'number', 'string', 'macro'] as const;
export const TOKEN_MODIFIERS = ['declaration', 'defaultLibrary'] as const;
type TokenType = (typeof TOKEN_TYPES)[number];

const KIND_TOKEN: Record<A.SymbolKind, TokenType> = { type: 'type', network: 'namespace', test: 'namespace', input: 'parameter', layer: 'variable' };

/** The encoded semantic tokens of a file (relative positions, as the protocol wants). */
export function semanticTokens(file: FileModel, li: LineIndex, range?: { start: number; end: number }): number[] {
  const tokens: { start: number; end: number; type: TokenType; mods: number }[] = [];
  const add = (span: A.Span, type: TokenType, mods = 0) => {
    if (range && (span.end < range.start || span.start > range.end)) return;
    if (span.end > span.start) tokens.push({ start: span.start, end: span.end, type, mods });
  };
  const refKind = new Map<number, A.SymbolKind>();
  for (const r of file.references) refKind.set(r.span.start, r.target.kind);
  const visitExpr = (e: A.Expr | undefined) => {
    if (!e) return;
    switch (e.kind) {
      case 'number':
        add(e.span, 'number');
        break;
      case 'string':
        add(e.span, 'string');
        break;
      case 'name':
        add(e.name.span, KIND_TOKEN[refKind.get(e.name.span.start) ?? 'layer']);
        break;
      case 'array':
        e.elements.forEach(visitExpr);
        break;
      case 'call':
        add(e.callee.span, 'function', 2);
        for (const a of e.args) {
          if (a.name) add(a.name.span, 'property');
          visitExpr(a.value);
        }
        break;
      case 'typeValue':
        visitType(e.type);
        break;
    }
  };
  const visitType = (t: A.TypeExpr | undefined) => {
    if (!t) return;
    if (t.kind === 'typeRef') add(t.name.span, 'type');
    else {
      add({ start: t.span.start, end: t.span.start + t.base.length }, 'type', 2);
      for (const a of t.args) add(a.span, a.kind === 'number' ? 'number' : 'enumMember');
    }
  };
  for (const item of file.ast.items) {
    switch (item.kind) {
      case 'import':
        if (item.path) add(item.path.span, 'string');
        for (const n of item.names ?? []) {
          add(n.name.span, KIND_TOKEN[refKind.get(n.name.span.start) ?? 'type']);
          if (n.alias) add(n.alias.span, KIND_TOKEN[refKind.get(n.name.span.start) ?? 'type'], 1);
        }
        break;
      case 'target':
        if (item.part) add(item.part.span, 'macro');
        if (item.clock) add(item.clock.span, 'number');
        break;
      case 'typeAlias':
        if (item.name) add(item.name.span, 'type', 1);
        visitType(item.type);
        break;
      case 'test':
        if (item.name) add(item.name.span, 'namespace', 1);
        if (item.network) add(item.network.span, 'namespace');
        for (const at of item.attrs) {
          add(at.name.span, 'property');
          visitType(at.type);
          visitExpr(at.value);
        }
        break;
      case 'network':
        if (item.name) add(item.name.span, 'namespace', 1);
        for (const s of item.body) visitStmt(s);
        break;
    }
  }
  function visitStmt(s: A.NetworkStmt) {
    switch (s.kind) {
      case 'io':
        if (s.mode) add(s.mode.span, 'enumMember');
        break;
      case 'reuse':
        if (s.value) add(s.value.span, 'number');
        break;
      case 'precision':
        visitType(s.type);
        break;
      case 'init':
        visitExpr(s.value);
        break;
      case 'require':
        for (const b of s.budgets) {
          if (b.metric) add(b.metric.span, 'property');
          if (b.value) add(b.value.span, 'number');
        }
        break;
      case 'fifo':
        if (s.from) add(s.from.span, 'variable');
        if (s.to) add(s.to.span, 'variable');
        if (s.depth) add(s.depth.span, 'number');
        break;
      case 'target':
        if (s.part) add(s.part.span, 'macro');
        if (s.clock) add(s.clock.span, 'number');
        break;
      case 'input':
        if (s.name) add(s.name.span, 'parameter', 1);
        visitType(s.tensor?.type);
        for (const d of s.tensor?.shape ?? []) add(d.span, 'number');
        break;
      case 'layer':
        add(s.name.span, 'variable', 1);
        if (s.op) add(s.op.span, refKind.get(s.op.span.start) === 'network' ? 'namespace' : 'function', refKind.has(s.op.span.start) ? 0 : 2);
        for (const a of s.args) {
          if (a.name) add(a.name.span, 'property');
          visitExpr(a.value);
        }
        for (const at of s.attrs) {
          add(at.name.span, 'property');
          visitType(at.type);
          visitExpr(at.value);
        }
        visitType(s.result?.type);
        for (const d of s.result?.shape ?? []) add(d.span, 'number');
        break;
      case 'output':
        for (const n of s.names) add(n.span, 'variable');
        break;
    }
  }
  tokens.sort((a, b) => a.start - b.start);
  const data: number[] = [];
  let prevLine = 0;
  let prevChar = 0;
  let lastEnd = -1;
  for (const t of tokens) {
    if (t.start < lastEnd) continue;
    const s = li.positionAt(t.start);
    const e = li.positionAt(t.end);
    if (e.line !== s.line) continue;
    data.push(s.line - prevLine, s.line === prevLine ? s.character - prevChar : s.character, e.character - s.character, TOKEN_TYPES.indexOf(t.type), t.mods);
    prevLine = s.line;
    prevChar = s.character;
    lastEnd = t.end;
  }
  return data;
}

// ---- folding and selection -------------------------------------------------------------------------------------

export function foldingRanges(file: FileModel, li: LineIndex): FoldingRange[] {
  const out: FoldingRange[] = [];
  const fold = (span: A.Span, kind?: FoldingRangeKind) => {
    const s = li.positionAt(span.start).line;
    const e = li.positionAt(span.end).line;
    // Blocks fold up to the line before their closing brace, so that the brace stays visible.
    const end = kind ? e : e - 1;
    if (end > s) out.push({ startLine: s, endLine: end, ...(kind ? { kind } : {}) });
  };
  let imports: A.Span | undefined;
  for (const item of file.ast.items) {
    if (item.kind === 'import') imports = imports ? { start: imports.start, end: item.span.end } : item.span;
    if (item.kind === 'network' || item.kind === 'test') fold(item.span);
    if (item.kind === 'network') for (const s of item.body) if (s.kind === 'layer' && s.attrs.length) fold(s.span);
  }
  if (imports) fold(imports, FoldingRangeKind.Imports);
  // Block comments, and runs of two or more line comments.
  let run: A.Span | undefined;
  let runLine = -2;
  const flush = () => {
    if (run) fold(run, FoldingRangeKind.Comment);
    run = undefined;
  };
  for (const c of file.ast.comments) {
    if (!c.line) {
      flush();
      fold(c.span, FoldingRangeKind.Comment);
      continue;
    }
    const line = li.positionAt(c.span.start).line;
    const ownLine = file.text.slice(file.text.lastIndexOf('\n', c.span.start - 1) + 1, c.span.start).trim() === '';
    if (!ownLine) continue;
    if (run && line === runLine + 1) run = { start: run.start, end: c.span.end };
    else {
      flush();
      run = c.span;
    }
    runLine = line;
  }
  flush();
  return out;
}

export function selectionRange(file: FileModel, li: LineIndex, offset: number): SelectionRange {
  const chain = nodeChain(file.ast, offset);
  let sel: SelectionRange | undefined;
  let last: A.Span | undefined;
  for (const n of chain) {
    if (last && last.start === n.span.start && last.end === n.span.end) continue;
    // A layer's arguments as a whole, between the parentheses, is a useful step too.
    sel = { range: li.rangeOf(n.span), ...(sel ? { parent: sel } : {}) };
    last = n.span;
  }
  // The chain is outermost first, so the last one built is the innermost: already linked to its parents.
  return sel ?? { range: li.rangeOf({ start: offset, end: offset }) };
}

// ---- formatting ------------------------------------------------------------------------------------------------

export function formatDocument(file: FileModel, li: LineIndex, opts: { tabSize: number; insertSpaces: boolean }): { edits: TextEdit[] } | { error: string } {
  const indent = opts.insertSpaces && Number.isInteger(opts.tabSize) && opts.tabSize >= 0 && opts.tabSize <= 16 ? opts.tabSize : 2;
  const r = format(file.text, { indent });
  if (!r.ok) return { error: `The file is not formatted: ${r.reason}.` };
  if (!r.changed) return { edits: [] };
  return { edits: [{ range: li.rangeOf({ start: 0, end: file.text.length }), newText: r.text }] };
}
