// Diagnostics, inlay hints and code lenses: the figures users see while they type.
import type { Diagnostic as QnnDiagnostic } from '@qnn/language';
import {
  DiagnosticSeverity,
  InlayHintKind,
  type CodeLens,
  type Diagnostic,
  type InlayHint,
  type Range,
} from 'vscode-languageserver';
import { layerHint } from '../estimates.js';
import type { FileModel, LayerDecl } from '@qnn/language';
import { nodeChain } from '../locate.js';
import { pathToUri } from '../paths.js';
import { shapeText } from '../facts.js';
import { ns, util } from './hover.js';
import type { Analysis } from '../workspace.js';

/** The diagnostics of one file of an analysis: the checker's, and the estimator's (QNN3xxx) given or computed. */
export function fileDiagnostics(a: Analysis, path: string, estimates?: readonly QnnDiagnostic[]): QnnDiagnostic[] {
  const own = a.program.diagnostics.get(path) ?? [];
  const est = estimates ?? a.estimator.diagnostics(a.program).filter((d) => d.path === path);
  return est.length ? [...own, ...est].sort((x, y) => x.span.start - y.span.start) : [...own];
}

/**
 * For a shape error without related information, where the shapes come from: the definitions of the layer's
 * tensor arguments, each with its shape.
 */
function shapeSources(a: Analysis, d: QnnDiagnostic): { message: string; path: string; span: { start: number; end: number } }[] {
  if (d.code !== 'QNN2010' || d.related?.length) return [];
  const file = a.fileAt(d.path);
  if (!file) return [];
  const chain = nodeChain(file.ast, d.span.start);
  const layer = chain.find((n) => n.kind === 'layer') as LayerDecl | undefined;
  const net = a.networkAt(d.path, d.span.start);
  if (!layer || !net) return [];
  const out: { message: string; path: string; span: { start: number; end: number } }[] = [];
  for (const arg of layer.args) {
    if (arg.name || arg.value?.kind !== 'name') continue;
    const name = arg.value.name.name;
    const node = net.node(name);
    if (!node) continue;
    out.push({ message: `'${name}' has shape ${shapeText(node.tensor.shape)}`, path: d.path, span: node.decl.kind === 'layer' ? node.decl.name.span : (node.decl.name?.span ?? node.decl.span) });
  }
  return out;
}

export function toLspDiagnostic(a: Analysis, d: QnnDiagnostic): Diagnostic {
  const out: Diagnostic = {
    range: a.lines(d.path).rangeOf(d.span),
    severity: d.severity === 'error' ? DiagnosticSeverity.Error : d.severity === 'warning' ? DiagnosticSeverity.Warning : DiagnosticSeverity.Information,
    code: d.code,
    source: 'qnn',
    message: d.message,
  };
  const related = d.related?.length ? d.related : shapeSources(a, d);
  if (related.length) {
    out.relatedInformation = related.map((r) => ({
      message: r.message,
      location: { uri: pathToUri(r.path), range: a.program.files.has(r.path) ? a.lines(r.path).rangeOf(r.span) : zero() },
    }));
  }
  if (d.data) out.data = d.data;
  return out;
}

function zero(): Range {
  return { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
}

/** A hint at the end of every layer: its latency and main resource (`3 cyc · 64 DSP`). */
export function inlayHints(a: Analysis, path: string, range: { start: number; end: number } | undefined, deadline?: number): InlayHint[] {
  const file = a.fileAt(path);
  if (!file) return [];
  const li = a.lines(path);
  const out: InlayHint[] = [];
  for (const net of file.networks.values()) {
    if (range && (net.decl.span.end < range.start || net.decl.span.start > range.end)) continue;
    const { estimate: e } = a.estimate(net, deadline);
    for (const l of net.layers) {
      if (range && (l.decl.span.end < range.start || l.decl.span.start > range.end)) continue;
      const end = endOfFirstLine(file, l.decl.span.start);
      if (range && (end < range.start || end > range.end)) continue;
      let label: string;
      let tooltip: string | undefined;
      if (e) {
        const le = e.layers.find((x) => x.name === l.name);
        if (!le) continue;
        label = layerHint(le);
        tooltip = `${le.latencyCycles} ${le.latencyCycles === 1 ? 'cycle' : 'cycles'} = ${ns(le.latencyCycles * e.clockNs)} ns, II ${le.ii}: ${le.lut} LUT, ${le.ff} FF, ${le.dsp} DSP, ${le.bram18} BRAM18`;
      } else continue;
      out.push({ position: li.positionAt(end), label, kind: InlayHintKind.Type, paddingLeft: true, ...(tooltip ? { tooltip } : {}) });
    }
  }
  return out;
}

/**
 * Where a layer's hint goes: the end of the line its name is on (before a trailing comment), so that every layer
 * line carries its figures, also for layers whose attribute block spans several lines.
 */
function endOfFirstLine(file: FileModel, start: number): number {
  const text = file.text;
  let end = text.indexOf('\n', start);
  if (end < 0) end = text.length;
  // The first comment at or after `start` (comments are in file order): a binary search, files have thousands.
  const cs = file.ast.comments;
  let lo = 0;
  let hi = cs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cs[mid].span.start < start) lo = mid + 1;
    else hi = mid;
  }
  if (lo < cs.length && cs[lo].span.start < end) end = cs[lo].span.start;
  while (end > start && /\s/.test(text[end - 1])) end--;
  return end;
}

/** Above each network: its latency, II and utilization, and the project, simulation and report actions. */
export function codeLenses(a: Analysis, path: string, uri: string, deadline?: number): CodeLens[] {
  const file = a.fileAt(path);
  if (!file) return [];
  const li = a.lines(path);
  const out: CodeLens[] = [];
  for (const net of file.networks.values()) {
    const range = li.rangeOf(net.decl.name?.span ?? net.decl.span);
    const args = [uri, net.name];
    const { estimate: e, stale } = a.estimate(net, deadline);
    let title: string;
    if (e) {
      const t = e.total;
      const u = e.utilization;
      title = `${t.latencyCycles} cycles · ${ns(t.latencyNs)} ns · II ${t.ii} · ${e.part}: LUT ${util(u.lut)} · FF ${util(u.ff)} · DSP ${util(u.dsp)} · BRAM ${util(u.bram18)}${stale ? ' (updating…)' : ''}`;
    } else if (!net.complete) title = 'no estimate: the network has errors';
    else title = 'no estimate for this network';
    out.push({ range, command: { title, command: 'qnn.showReport', arguments: args } });
    out.push({ range, command: { title: 'Generate FPGA project', command: 'qnn.generateProject', arguments: args } });
    out.push({ range, command: { title: 'Simulate', command: 'qnn.simulate', arguments: args } });
    out.push({ range, command: { title: 'Show report', command: 'qnn.showReport', arguments: args } });
  }
  return out;
}
