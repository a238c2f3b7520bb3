// Code actions keyed on diagnostic codes: close names, the nearest valid reuse factors, a seeded weights file for
// a missing one, the reuse factor that fits the budgets and the device; and the smallest safe accumulator type.
import { isValidReuse, losslessAccum, fixedType, formatFixedType, memoryFileSystem, checkProgram, fracBits, quantizeToDouble, valueRange } from '@qnn/language';
import type { FixedType, LayerModel, NetworkModel, Span } from '@qnn/language';
import * as A from '@qnn/language';
import { partCatalog } from '@qnn/compiler';
import { CodeActionKind, type CodeAction, type Diagnostic as LspDiagnostic, type TextEdit } from 'vscode-languageserver';
import { nodeChain, isAttr } from '../locate.js';
import { isSmall, type Analysis, type Workspace } from '../workspace.js';

/** Codes whose `data.suggestions` are replacements of the diagnostic's text. */
const REPLACE_CODES = new Set(['QNN2001', 'QNN2004', 'QNN2006', 'QNN2007', 'QNN2008', 'QNN2009', 'QNN2012', 'QNN2016', 'QNN2021', 'QNN2025', 'QNN2027', 'QNN2034']);

export function codeActions(ws: Workspace, a: Analysis, path: string, uri: string, range: Span, diagnostics: readonly LspDiagnostic[]): CodeAction[] {
  const file = a.fileAt(path);
  if (!file) return [];
  const li = a.lines(path);
  const out: CodeAction[] = [];
  const edit = (span: Span, newText: string): TextEdit => ({ range: li.rangeOf(span), newText });
  let accDone = false;
  for (const d of diagnostics) {
    const code = typeof d.code === 'string' ? d.code : '';
    const span = { start: li.offsetAt(d.range.start), end: li.offsetAt(d.range.end) };
    const data = (d.data ?? {}) as { suggestions?: unknown };
    const suggestions = Array.isArray(data.suggestions) ? data.suggestions.filter((s) => typeof s === 'string' || typeof s === 'number').map(String) : [];
    if (REPLACE_CODES.has(code) && suggestions.length) {
      const written = file.text.slice(span.start, span.end);
      suggestions.forEach((s, i) => {
        let e: TextEdit;
        let title: string;
        if (code === 'QNN2021' && !/^\d+$/.test(written)) {
          // The network's reuse is invalid for this layer: give the layer its own.
          const layer = layerNamed(file.ast, span);
          if (!layer) return;
          e = insertAttr(file.text, layer, `reuse: ${s}`, edit);
          title = `Give '${layer.name.name}' reuse ${s}`;
        } else {
          e = edit(span, s);
          title = code === 'QNN2021' ? `Use reuse factor ${s}` : `Change to '${s}'`;
        }
        out.push({ title, kind: CodeActionKind.QuickFix, diagnostics: [d], isPreferred: i === 0, edit: { changes: { [uri]: [e] } } });
      });
    }
    if (code === 'QNN2017') {
      const target = loadCallAt(file.ast, span.start);
      if (target) {
        out.push({
          title: `Generate a seeded weights file '${target.call.args[0]?.value?.kind === 'string' ? (target.call.args[0].value as A.StringLit).value : ''}'`,
          kind: CodeActionKind.QuickFix,
          diagnostics: [d],
          command: { title: 'Generate a seeded weights file', command: 'qnn.generateWeights', arguments: [uri, d.range.start] },
        });
      }
    }
    if (code === 'QNN3004' && suggestions.length) {
      // The estimator names the smallest safe type: it replaces the type written after 'accum:'.
      const attr = nodeChain(file.ast, span.start).find((n) => isAttr(n)) as A.Attr | undefined;
      const t = attr?.type ?? attr?.value;
      if (t) {
        out.push({ title: `Use the smallest safe accumulator ${suggestions[0]}`, kind: CodeActionKind.QuickFix, diagnostics: [d], isPreferred: true, edit: { changes: { [uri]: [edit(t.span, suggestions[0])] } } });
        accDone = true;
      }
    } else if (code === 'QNN3004') {
      const acc = accumulatorFix(a, path, span.start);
      if (acc) {
        out.push({ title: acc.title, kind: CodeActionKind.QuickFix, diagnostics: [d], isPreferred: true, edit: { changes: { [uri]: [edit(acc.span, acc.text)] } } });
        accDone = true;
      }
    }
    if (code === 'QNN3001' || code === 'QNN3002') {
      const net = a.networkAt(path, span.start) ?? (file.networks.size === 1 ? [...file.networks.values()][0] : undefined);
      const fit = net ? reuseThatFits(ws, a, path, net) : undefined;
      if (fit) out.push({ title: fit.title, kind: CodeActionKind.QuickFix, diagnostics: [d], isPreferred: true, edit: { changes: { [uri]: [edit(fit.span, fit.text)] } } });
    }
  }
  // The smallest safe accumulator of the layer under the cursor, when it has a narrower or wider one written.
  const acc = accDone ? undefined : accumulatorFix(a, path, range.start);
  if (acc) out.push({ title: acc.title, kind: CodeActionKind.QuickFix, edit: { changes: { [uri]: [edit(acc.span, acc.text)] } } });
  return out;
}

function layerNamed(ast: A.QnnFile, span: Span): A.LayerDecl | undefined {
  for (const item of ast.items) {
    if (item.kind !== 'network') continue;
    for (const s of item.body) if (s.kind === 'layer' && s.name.span.start === span.start) return s;
  }
  return undefined;
}

/** Adds an attribute to a layer: into its `{ … }` block, or a new block after its arguments. */
function insertAttr(text: string, layer: A.LayerDecl, attr: string, edit: (s: Span, t: string) => TextEdit): TextEdit {
  if (layer.attrs.length) {
    const last = layer.attrs[layer.attrs.length - 1];
    const ls = text.lastIndexOf('\n', last.span.start - 1) + 1;
    const indent = /^\s*/.exec(text.slice(ls, last.span.start))?.[0] ?? '    ';
    const sameLine = text.slice(ls, last.span.start).trim() !== '';
    return edit({ start: last.span.end, end: last.span.end }, sameLine ? `  ${attr}` : `\n${indent}${attr}`);
  }
  // After the closing parenthesis of the arguments.
  const close = text.indexOf(')', layer.args.length ? layer.args[layer.args.length - 1].span.end : layer.op?.span.end ?? layer.name.span.end);
  const at = close >= 0 && close < layer.span.end ? close + 1 : layer.span.end;
  return edit({ start: at, end: at }, ` { ${attr} }`);
}

export function loadCallAt(ast: A.QnnFile, offset: number): { layer: A.LayerDecl; attr: A.Attr; call: A.CallExpr } | undefined {
  const chain = nodeChain(ast, offset);
  const layer = chain.find((n) => n.kind === 'layer') as A.LayerDecl | undefined;
  const attr = chain.find((n) => isAttr(n) && layer?.attrs.includes(n as A.Attr)) as A.Attr | undefined;
  const call = chain.find((n) => n.kind === 'call') as A.CallExpr | undefined;
  if (!layer || !attr || !call || call.callee.name !== 'load') return undefined;
  return { layer, attr, call };
}

// ---- the reuse factor that fits --------------------------------------------------------------------------------

/** Weight fan of a dense or (non-depthwise) convolution layer: nIn = all dimensions but the last, nOut = the last. */
function fan(l: LayerModel): { nIn: number; nOut: number } | undefined {
  if (!('category' in l.op) || !(l.op.category === 'dense' || (l.op.category === 'conv' && !l.op.name.startsWith('depthwise')))) return undefined;
  const w = l.consts.weight;
  if (!w || w.shape.length < 2) return undefined;
  const nOut = w.shape[w.shape.length - 1];
  return { nIn: w.shape.slice(0, -1).reduce((x, y) => x * y, 1), nOut };
}

const FIT_TIME_MS = 400;

/** The smallest network reuse factor, above the current one, whose estimate has no QNN3xxx error. */
export function reuseThatFits(ws: Workspace, a: Analysis, path: string, net: NetworkModel): { title: string; span: Span; text: string } | undefined {
  // Each candidate is a check and an estimate of the whole program: only for networks that estimate in milliseconds
  // (a code action must not hold the editor; large networks get no such action).
  if (!isSmall(net)) return undefined;
  const file = a.fileAt(path)!;
  const decl = net.decl;
  const stmt = decl.body.find((s): s is A.ReuseStmt => s.kind === 'reuse');
  const fans = net.layers.filter((l) => l.decl.attrs.every((at) => at.name.name !== 'reuse')).map(fan).filter((f): f is { nIn: number; nOut: number } => f !== undefined);
  if (!fans.length) return undefined;
  const maxR = Math.min(...fans.map((f) => f.nIn * f.nOut));
  const started = Date.now();
  for (let r = net.reuse + 1; r <= maxR && Date.now() - started < FIT_TIME_MS; r++) {
    if (!fans.every((f) => isValidReuse(f.nIn, f.nOut, r))) continue;
    let span: Span;
    let text: string;
    if (stmt?.value) {
      span = stmt.value.span;
      text = String(r);
    } else {
      const brace = file.text.indexOf('{', decl.name?.span.end ?? decl.span.start);
      span = { start: brace + 1, end: brace + 1 };
      text = `\n  reuse ${r}`;
    }
    const newText = file.text.slice(0, span.start) + text + file.text.slice(span.end);
    const fs = memoryFileSystem({ [path]: newText }, ws.fs);
    const program = checkProgram([path], { fs, parts: partCatalog });
    const m = program.files.get(path)?.networks.get(net.name);
    if (!m || !m.complete) continue;
    const delta = newText.length - file.text.length;
    const end = decl.span.end + delta;
    const over = a.estimator.diagnostics(program).filter((d) => d.path === path && (d.code === 'QNN3001' || d.code === 'QNN3002') && d.span.start >= decl.span.start && d.span.start <= end);
    if (over.length === 0) return { title: `Use reuse ${r} for '${net.name}' (the smallest that fits)`, span, text };
  }
  return undefined;
}
// ---- the smallest safe accumulator -----------------------------------------------------------------------------

/**
 * The narrowest accumulator that cannot overflow for any input, given the weights as they are: the integer bits of
 * max over outputs of Σ|w|·max|x| + |b|, the fractional bits of the exact products. Never wider than the lossless
 * accumulator of the checker (which assumes the worst weights).
 */
export function smallestSafeAccum(x: FixedType, w: LayerModel['consts'][string], b: LayerModel['consts'][string] | undefined, nIn: number, nOut: number): FixedType | undefined {
  const wType = w.type;
  const bType = b?.type ?? wType;
  const lossless = losslessAccum(x, wType, bType, nIn);
  let values: Float64Array;
  try {
    values = w.values();
  } catch {
    return lossless;
  }
  if (values.length !== nIn * nOut || values.length > 1 << 22) return lossless;
  const xr = valueRange(x);
  const xMax = Math.max(Math.abs(xr.min), Math.abs(xr.max));
  const sums = new Float64Array(nOut);
  for (let i = 0; i < nIn; i++) for (let j = 0; j < nOut; j++) sums[j] += Math.abs(quantizeToDouble(wType, values[i * nOut + j]).value);
  let bound = 0;
  const bv = b ? b.values() : undefined;
  for (let j = 0; j < nOut; j++) {
    const bias = bv && bv.length === nOut ? Math.abs(quantizeToDouble(bType, bv[j]).value) : 0;
    bound = Math.max(bound, sums[j] * xMax + bias);
  }
  const frac = fracBits(lossless);
  const signed = lossless.signed;
  // Smallest I with 2^(I-1) > bound (signed) or 2^I > bound (unsigned).
  let int = 1 - frac;
  while ((signed ? 2 ** (int - 1) : 2 ** int) <= bound) int++;
  const width = int + frac;
  if (width < 1 || width >= lossless.width) return lossless;
  return fixedType(signed, width, int);
}

function accumulatorFix(a: Analysis, path: string, offset: number): { title: string; span: Span; text: string } | undefined {
  const file = a.fileAt(path);
  if (!file) return undefined;
  const chain = nodeChain(file.ast, offset);
  const layer = chain.find((n) => n.kind === 'layer') as A.LayerDecl | undefined;
  if (!layer) return undefined;
  const found = [...file.networks.values()].flatMap((n) => n.layers.map((l) => ({ n, l }))).find((x) => x.l.decl === layer);
  if (!found) return undefined;
  const { n, l } = found;
  const f = fan(l);
  const w = l.consts.weight;
  const x = n.node(l.inputs[0] ?? '')?.tensor.type;
  if (!f || !w || !x || l.op === undefined || !('category' in l.op) || l.op.category !== 'dense') return undefined;
  const safe = smallestSafeAccum(x, w, l.consts.bias, f.nIn, f.nOut);
  if (!safe) return undefined;
  const current = l.types.accum;
  const attr = layer.attrs.find((at) => at.name.name === 'accum');
  if (current && current.width === safe.width && current.intBits === safe.intBits && current.signed === safe.signed) return undefined;
  const text = formatFixedType(safe);
  if (attr && (attr.type ?? attr.value)) {
    const t = attr.type ?? attr.value!;
    return { title: `Use the smallest safe accumulator ${text}`, span: t.span, text };
  }
  return undefined;
}
