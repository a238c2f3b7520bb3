// Hover: a layer's operation, shapes, types, weights, multipliers, resources and latency; a type's range and modes;
// a name's definition; a part's resources.
import { findDevice, DEVICE_SOURCES } from '@qnn/compiler';
import { CODES, formatFixedType, OPS_BY_NAME, opSignature, type FileModel, type LayerModel, type NetworkModel, type Span, type SymbolModel } from '@qnn/language';
import type { Analysis } from '../workspace.js';
import { describeType, evalFixedType, num, pct, shapeText, weightStats } from '../facts.js';
import { layerModelAt, targetAt } from '../locate.js';
import type { NetworkEstimate } from '../estimates.js';

export interface HoverResult {
  readonly markdown: string;
  readonly span: Span;
}

export function hoverAt(a: Analysis, path: string, offset: number, deadline?: number): HoverResult | undefined {
  hoverDeadline = deadline;
  try {
    return hoverAtInner(a, path, offset);
  } finally {
    hoverDeadline = undefined;
  }
}

/** The deadline of the hover being computed (estimates past it show the previous figures). */
let hoverDeadline: number | undefined;

function hoverAtInner(a: Analysis, path: string, offset: number): HoverResult | undefined {
  const file = a.fileAt(path);
  if (!file) return undefined;
  const { target } = targetAt(file, offset);
  if (!target) return undefined;
  switch (target.kind) {
    case 'symbol':
      return symbolHover(a, target.symbol, target.ident);
    case 'layerDef': {
      return symbolHover(a, { kind: 'layer', name: target.ident.name, path, span: target.ident.span }, target.ident.span);
    }
    case 'op': {
      const spec = OPS_BY_NAME.get(target.ident.name);
      if (!spec) return undefined;
      return { span: target.ident.span, markdown: [`\`\`\`qnn\n${opSignature(spec)}\n\`\`\``, spec.doc].join('\n\n') };
    }
    case 'attrName': {
      const spec = opOf(target.decl.op?.name);
      const attr = spec?.attrs.find((x) => x.name === target.ident.name);
      if (!attr) return undefined;
      return { span: target.ident.span, markdown: `**${attr.name}** (attribute of ${spec!.name}, ${attr.kind}): ${attr.doc}` };
    }
    case 'paramName': {
      const spec = opOf(target.decl.op?.name);
      const p = spec?.params.find((x) => x.name === target.ident.name);
      if (!p) return undefined;
      return { span: target.ident.span, markdown: `**${p.name}** (parameter of ${spec!.name}${p.default !== undefined ? `, default ${p.default}` : ''}): ${p.doc}` };
    }
    case 'part': {
      const d = findDevice(target.ident.name);
      if (!d) return undefined;
      const lines = [
        `**${d.name}** — ${d.vendor === 'amd' ? 'AMD' : 'Lattice'} ${d.family}`,
        `| LUT | FF | DSP | BRAM18 | URAM |\n|---:|---:|---:|---:|---:|\n| ${d.lut} | ${d.ff} | ${d.dsp} | ${d.bram18} | ${d.uram} |`,
      ];
      if (d.maxClockMHz !== null) lines.push(`max clock ${d.maxClockMHz} MHz`);
      lines.push(`source: ${DEVICE_SOURCES[d.source] ?? d.source}`);
      if (d.note) lines.push(d.note);
      return { span: target.ident.span, markdown: lines.join('\n\n') };
    }
    case 'fixedType': {
      const t = evalFixedType(target.type);
      if (!t) return undefined;
      return { span: target.type.span, markdown: describeType(t).join('\n\n') };
    }
    case 'budget':
      return { span: target.ident.span, markdown: budgetDoc(target.ident.name) };
    case 'importPath':
    case 'dataPath':
      return undefined;
  }
}

function opOf(name: string | undefined) {
  return name === undefined ? undefined : OPS_BY_NAME.get(name);
}

function budgetDoc(metric: string): string {
  const docs: Record<string, string> = {
    latency: 'latency of the network, in ns, us or cycles',
    ii: 'initiation interval: cycles between two inputs',
    dsp: 'DSP blocks, a count or a % of the device',
    lut: 'LUTs, a count or a % of the device',
    ff: 'flip-flops, a count or a % of the device',
    bram: '18 Kb block RAMs, a count or a % of the device',
  };
  return `**${metric}** budget: ${docs[metric] ?? 'not a budget'}`;
}

function symbolHover(a: Analysis, sym: SymbolModel, at: Span): HoverResult | undefined {
  const file = a.fileAt(sym.path);
  if (!file) return undefined;
  const where = sym.path === a.entry ? '' : `\n\n*defined in ${baseName(sym.path)}*`;
  switch (sym.kind) {
    case 'type': {
      const t = file.types.get(sym.name);
      const lines = [`\`\`\`qnn\ntype ${sym.name}${t ? ` = ${formatFixedType(t)}` : ''}\n\`\`\``];
      if (t) lines.push(...describeType(t));
      return { span: at, markdown: lines.join('\n\n') + where };
    }
    case 'network': {
      const net = file.networks.get(sym.name);
      if (!net) return { span: at, markdown: `\`\`\`qnn\nnetwork ${sym.name}\n\`\`\`${where}` };
      return { span: at, markdown: networkHover(a, net) + where };
    }
    case 'input': {
      const net = networkContaining(file, sym.span);
      const input = net?.inputs.find((i) => i.name === sym.name);
      if (!input) return { span: at, markdown: `input **${sym.name}**` };
      return {
        span: at,
        markdown: [`\`\`\`qnn\ninput ${sym.name} : ${formatFixedType(input.tensor.type)}${shapeText(input.tensor.shape)}\n\`\`\``, ...describeType(input.tensor.type)].join('\n\n') + where,
      };
    }
    case 'layer': {
      const found = layerModelAt(file, sym.span);
      if (!found) return { span: at, markdown: `layer **${sym.name}** (it has errors; fix them to see its figures)` };
      return { span: at, markdown: layerHover(a, found.network, found.layer) + where };
    }
    case 'test': {
      const t = file.tests.get(sym.name);
      return { span: at, markdown: `test data **${sym.name}**${t ? ` for network ${t.network}: ${[...t.inputs.values()][0]?.rows ?? 0} samples${t.labels ? ', with labels' : ''}` : ''}` + where };
    }
  }
}

function networkContaining(file: FileModel, span: Span): NetworkModel | undefined {
  for (const n of file.networks.values()) if (n.decl.span.start <= span.start && span.end <= n.decl.span.end) return n;
  return undefined;
}

export function networkHover(a: Analysis, net: NetworkModel): string {
  const ins = net.inputs.map((i) => `${i.name} ${shapeText(i.tensor.shape)}`).join(', ');
  const outs = net.outputs.map((o) => `${o} ${shapeText(net.node(o)?.tensor.shape ?? [])}`).join(', ');
  const lines = [`**network ${net.name}**: ${ins} → ${outs}; ${net.layers.length} layers, io ${net.io}, reuse ${net.reuse}`];
  const { estimate: e, stale } = a.estimate(net, hoverDeadline);
  if (e) lines.push(...estimateSummary(e));
  if (stale) lines.push(STALE);
  else if (!net.complete) lines.push('The network has errors: no estimate.');
  return lines.join('\n\n');
}

const STALE = '*figures of the previous version: the new estimate is being computed*';

export function estimateSummary(e: NetworkEstimate): string[] {
  const t = e.total;
  const u = e.utilization;
  return [
    `latency ${t.latencyCycles} cycles = ${ns(t.latencyNs)} ns · II ${t.ii} · ${e.part} at ${num(e.clockNs)} ns${e.fmaxMhz !== undefined ? ` (fmax ≈ ${num(e.fmaxMhz)} MHz)` : ''}`,
    `| | LUT | FF | DSP | BRAM18 |\n|---|---:|---:|---:|---:|\n| used | ${t.lut} | ${t.ff} | ${t.dsp} | ${t.bram18} |\n| of ${e.part} | ${util(u.lut)} | ${util(u.ff)} | ${util(u.dsp)} | ${util(u.bram18)} |`,
  ];
}

/** Utilization as the estimator gives it: percent of the device (≤ 100 means it fits). */
export function util(x: number): string {
  return `${x.toFixed(x < 10 ? 1 : 0)} %`;
}

export function layerHover(a: Analysis, net: NetworkModel, l: LayerModel): string {
  const inShapes = l.inputs.map((n) => shapeText(net.node(n)?.tensor.shape ?? [])).join(' + ');
  const lines: string[] = [];
  const args = l.decl.args;
  const call = args.length ? `${l.opName}(${net.decl && args.length ? textOf(a, net.path, args[0].span.start, args[args.length - 1].span.end) : ''})` : `${l.opName}()`;
  lines.push(`**${l.name}** = ${call} · ${inShapes} → ${shapeText(l.tensor.shape)}`);
  lines.push(`result ${describeType(l.tensor.type).join('; ')}`);
  const extra: string[] = [];
  for (const [k, t] of Object.entries(l.types)) extra.push(`${k} \`${formatFixedType(t)}\``);
  if ('category' in l.op && (l.op.category === 'dense' || l.op.category === 'conv')) extra.push(`reuse ${l.reuse}`);
  if (extra.length) lines.push(extra.join(' · '));
  for (const c of Object.values(l.consts)) {
    const s = weightStats(c);
    const src = c.source.kind === 'file' ? `from ${baseName(c.source.path)}` : c.source.kind === 'random' ? `random(seed: ${c.source.seed})` : c.source.kind;
    let line = `${c.name} \`${formatFixedType(c.type)}\` ${shapeText(c.shape)} ${src}`;
    if (s) line += `: ${s.count} values, ${s.zeros} zeros (${pct(s.zeros, s.count)}), ${s.clipped} clipped, ${s.flushed} rounded to zero, ${s.powersOfTwo} powers of two, max |w| ${num(s.maxAbs)}${s.sampled ? ' (first values only)' : ''}`;
    lines.push(line);
  }
  const { estimate: e, stale } = a.estimate(net, hoverDeadline);
  const le = e?.layers.find((x) => x.name === l.name);
  if (e && le) {
    const m = le.multipliers;
    lines.push(`multipliers: ${m.dsp} DSP · ${m.lut} LUT · ${m.shift} shift · ${m.skip} skipped`);
    lines.push(`resources: ${le.lut} LUT · ${le.ff} FF · ${le.dsp} DSP · ${le.bram18} BRAM18`);
    lines.push(`latency ${le.latencyCycles} ${le.latencyCycles === 1 ? 'cycle' : 'cycles'} = ${ns(le.latencyCycles * e.clockNs)} ns · II ${le.ii}`);
    if (stale) lines.push(STALE);
  }
  return lines.join('\n\n');
}

/** Nanoseconds to at most three decimals: 4.1666… → 4.167. */
export function ns(x: number): string {
  return String(Math.round(x * 1000) / 1000);
}

function textOf(a: Analysis, path: string, start: number, end: number): string {
  return (a.fileAt(path)?.text.slice(start, end) ?? '').replace(/\s+/g, ' ');
}

function baseName(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}

/** A diagnostic code's title and fix, for hovers on codes and for code action titles. */
export function codeDoc(code: keyof typeof CODES): string {
  const c = CODES[code];
  return `${code} ${c.title}: ${c.fix}`;
}
