// Completion: keywords, operations with their parameters, names in scope, type aliases, modes, part names, budgets.
import { DEVICES } from '@qnn/compiler';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { OPS, OPS_BY_NAME, OVERFLOW_MODES, QUANT_MODES, resolveRelative, type FileModel, type OpSpec, type ProgramModel } from '@qnn/language';
import { CompletionItemKind, InsertTextFormat, type CompletionItem } from 'vscode-languageserver';
import { OVERFLOW_DOCS, QUANT_DOCS } from '../facts.js';
import { cursorContext, layerOpBefore } from './context.js';

const TOP_KEYWORDS = ['import', 'target', 'type', 'network', 'test'];
const NETWORK_KEYWORDS = ['input', 'output', 'io', 'reuse', 'precision', 'init', 'require', 'fifo', 'target'];
const BUDGETS = ['latency', 'ii', 'dsp', 'lut', 'ff', 'bram'];
const INITIALIZERS: readonly [string, string, string][] = [
  ['load', 'load("${1:weights/w.npy}")', 'Values from a .npy or .csv file (relative to this file).'],
  ['random', 'random(seed: ${1:1})', 'Seeded random values (Glorot-uniform scale by default).'],
  ['zeros', 'zeros()', 'All zeros.'],
  ['ones', 'ones()', 'All ones.'],
];

export function completeAt(file: FileModel, offset: number, program?: ProgramModel): CompletionItem[] {
  const ctx = cursorContext(file.text, file.ast, offset);
  const pre = ctx.linePrefix;
  if (ctx.inString && /^\s*import\b[^"]*"[^"]*$/.test(pre)) return importPaths(file.path, /"([^"]*)$/.exec(pre)![1]);
  if (ctx.inComment || ctx.inString) return [];
  // `import { a, b } from "lib.qnn"`: the names the file defines.
  const names = /^\s*import\s*\{[^}]*$/.test(pre) ? file.ast.items.find((i) => i.kind === 'import' && i.span.start <= offset && offset <= i.span.end) : undefined;
  if (names && names.kind === 'import' && names.path?.closed) {
    const target = program?.files.get(resolveRelative(file.path, names.path.value));
    if (target) {
      return [...target.scope.values()]
        .filter((sym) => sym.path === target.path && sym.kind !== 'test')
        .map((sym) => ({ label: sym.name, kind: sym.kind === 'type' ? CompletionItemKind.TypeParameter : CompletionItemKind.Module, detail: `${sym.kind} of ${names.path!.value}` }));
    }
  }
  const top = ctx.brackets[ctx.brackets.length - 1];
  const scopeTypes = [...file.scope.values()].filter((s) => s.kind === 'type').map((s) => s.name);
  const scopeNets = [...file.scope.values()].filter((s) => s.kind === 'network').map((s) => s.name);

  // Part names after `target`.
  if (/\btarget\s+[\w-]*$/.test(pre)) {
    return DEVICES.map((d) => ({ label: d.name, kind: CompletionItemKind.Value, detail: `${d.vendor === 'amd' ? 'AMD' : 'Lattice'} ${d.family}: ${d.lut} LUT, ${d.dsp} DSP, ${d.bram18} BRAM18` }));
  }
  if (/\btarget\s+[\w-]+\s+\w*$/.test(pre)) return [keyword('clock')];

  // Inside `fixed<…>`: modes after the numbers.
  if (top?.char === '<' && /\b(u?fixed|u?int)\s*$/.test(top.before)) {
    const isInt = /\bu?int\s*$/.test(top.before);
    const nums = isInt ? 1 : 2;
    if (top.commas === nums) return QUANT_MODES.map((m) => ({ label: m, kind: CompletionItemKind.EnumMember, detail: QUANT_DOCS[m] }));
    if (top.commas === nums + 1) return OVERFLOW_MODES.map((m) => ({ label: m, kind: CompletionItemKind.EnumMember, detail: OVERFLOW_DOCS[m] }));
    return [];
  }

  const typeItems = () => [
    ...scopeTypes.map((t) => ({ label: t, kind: CompletionItemKind.TypeParameter, detail: 'type alias' })),
    snippet('fixed', 'fixed<${1:16}, ${2:6}>', 'signed fixed point: width, integer bits (with the sign)', CompletionItemKind.Struct),
    snippet('ufixed', 'ufixed<${1:16}, ${2:6}>', 'unsigned fixed point: width, integer bits', CompletionItemKind.Struct),
    snippet('int', 'int<${1:8}>', 'signed integer of a width', CompletionItemKind.Struct),
    snippet('uint', 'uint<${1:8}>', 'unsigned integer of a width', CompletionItemKind.Struct),
  ];

  // `type x = …`, `precision …`, `input x : …`, a layer's `… : type`.
  if (/^\s*type\s+\w+\s*=\s*\w*$/.test(pre) || /^\s*precision\s+\w*$/.test(pre) || /^\s*input\s+\w+\s*:\s*\w*$/.test(pre) || /[)}]\s*:\s*\w*$/.test(pre)) {
    return typeItems();
  }
  if (/^\s*io\s+\w*$/.test(pre)) return ['parallel', 'stream'].map((m) => ({ label: m, kind: CompletionItemKind.EnumMember }));
  if (/^\s*require\b.*(?:require|,)\s*\w*$/.test(pre)) return BUDGETS.map((b) => ({ label: b, kind: CompletionItemKind.Property, detail: 'budget' }));
  if (/^\s*init\s+\w*$/.test(pre)) return INITIALIZERS.map(([l, s, d]) => snippet(l, s, d, CompletionItemKind.Function));

  const network = file.ast.items.find((i) => i.kind === 'network' && i.span.start <= offset && offset <= i.span.end);
  const netModel = network && network.kind === 'network' && network.name ? file.networks.get(network.name.name) : undefined;
  const localNames = (): string[] => {
    if (!network || network.kind !== 'network') return [];
    const out: string[] = [];
    for (const s of network.body) {
      if (s.kind === 'input' && s.name) out.push(s.name.name);
      if (s.kind === 'layer' && s.span.end < offset) out.push(s.name.name);
    }
    return out;
  };

  // Operation after `name =` in a network.
  if (/^\s*[A-Za-z_]\w*\s*=\s*\w*$/.test(pre) && network) {
    return [...OPS.map(opItem), ...scopeNets.filter((n) => n !== netModel?.name).map((n) => ({ label: n, kind: CompletionItemKind.Module, detail: 'network used as a layer', insertText: `${n}($1)`, insertTextFormat: InsertTextFormat.Snippet }))];
  }

  // Arguments of a layer: names of the network and the operation's parameters.
  if (top?.char === '(') {
    const op = layerOpBefore(file.text, top);
    const spec = op ? OPS_BY_NAME.get(op) : undefined;
    const argText = file.text.slice(top.argStart, offset);
    const named = /^\s*([A-Za-z_]\w*)\s*:\s*\w*$/.exec(argText);
    if (named && spec) {
      const p = spec.params.find((x) => x.name === named[1]);
      return (p?.values ?? []).map((v) => ({ label: v, kind: CompletionItemKind.EnumMember }));
    }
    if (/^\s*\w*$/.test(argText)) {
      const items: CompletionItem[] = localNames().map((n) => ({ label: n, kind: CompletionItemKind.Variable }));
      if (spec) for (const p of spec.params) items.push({ label: `${p.name}:`, kind: CompletionItemKind.Property, detail: p.doc, insertText: `${p.name}: `, filterText: p.name });
      return items;
    }
    return [];
  }

  // A layer's attribute block.
  if (top?.char === '{') {
    const op = layerOpBefore(file.text, top);
    const spec = op ? OPS_BY_NAME.get(op) : undefined;
    if (spec) {
      const attrHead = /^\s*([A-Za-z_]\w*)\s*:\s*(\w*)$/.exec(pre);
      if (attrHead) {
        const a = spec.attrs.find((x) => x.name === attrHead[1]);
        if (a?.kind === 'tensor' || a?.kind === 'type') return typeItems();
        if (a?.kind === 'enum') return (a.values ?? []).map((v) => ({ label: v, kind: CompletionItemKind.EnumMember }));
        return [];
      }
      if (/^\s*[A-Za-z_]\w*\s*:\s*[\w<>, ]*=\s*\w*$/.test(pre)) return INITIALIZERS.map(([l, s, d]) => snippet(l, s, d, CompletionItemKind.Function));
      if (/^\s*\w*$/.test(pre)) return spec.attrs.map((a) => ({ label: a.name, kind: CompletionItemKind.Property, detail: `${a.kind}: ${a.doc}`, insertText: `${a.name}: `, filterText: a.name }));
      return [];
    }
    // A network body or a test block: statements.
    if (/^\s*\w*$/.test(pre)) {
      if (/\bnetwork\s+\w+\s*$/.test(top.before) || /\bnetwork\s+\w+\s*$/.test(file.text.slice(Math.max(0, top.offset - 200), top.offset))) {
        return [...NETWORK_KEYWORDS.map(keyword), snippet('layer', '${1:name} = ${2:dense}(${3:x}, ${4:64}) : ${5:data}', 'a layer', CompletionItemKind.Snippet)];
      }
      if (/\bfor\s+\w+\s*$/.test(top.before)) return ['inputs', 'labels', 'expected'].map((n) => ({ label: n, kind: CompletionItemKind.Property, insertText: `${n}: load("$1")`, insertTextFormat: InsertTextFormat.Snippet }));
    }
    return [];
  }

  if (!top && /^\s*\w*$/.test(pre)) return TOP_KEYWORDS.map(keyword);
  return [];
}

/** `.qnn` files and folders next to the file, for the path of an import. */
function importPaths(path: string, typed: string): CompletionItem[] {
  const slash = typed.lastIndexOf('/');
  const dir = resolveRelative(path, slash >= 0 ? typed.slice(0, slash + 1) + '.' : '.');
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  const out: CompletionItem[] = [];
  for (const n of entries) {
    if (n.startsWith('.') || n === 'node_modules') continue;
    const full = join(dir, n);
    let isDir = false;
    try {
      isDir = statSync(full).isDirectory();
    } catch {
      continue;
    }
    if (isDir) out.push({ label: `${n}/`, kind: CompletionItemKind.Folder });
    else if (n.endsWith('.qnn') && full !== path) out.push({ label: n, kind: CompletionItemKind.File });
  }
  return out;
}

function keyword(k: string): CompletionItem {
  return { label: k, kind: CompletionItemKind.Keyword };
}

function snippet(label: string, text: string, detail: string, kind: CompletionItemKind): CompletionItem {
  return { label, kind, detail, insertText: text, insertTextFormat: InsertTextFormat.Snippet };
}

function opItem(op: OpSpec): CompletionItem {
  const inputs = op.inputs === 1 ? ['${1:x}'] : ['${1:a}', '${2:b}'];
  let n = inputs.length;
  const params = op.params.filter((p) => p.positional && p.default === undefined).map((p) => `\${${++n}:${p.name}}`);
  return {
    label: op.name,
    kind: CompletionItemKind.Function,
    detail: op.category,
    documentation: op.doc,
    insertText: `${op.name}(${[...inputs, ...params].join(', ')})`,
    insertTextFormat: InsertTextFormat.Snippet,
  };
}
