// Checks a network: its settings, its names, the graph (order, cycles, dead layers, outputs) and every layer.
import type * as A from '../ast.js';
import type { FixedType } from '../fixed-type.js';
import type { BudgetModel, InputModel, IoMode, LayerModel, NetworkModel, NodeModel, SymbolModel, TargetModel, TensorInfo } from '../model.js';
import type { PartCatalog, Reporter } from './context.js';
import { checkElements, checkLayer, MAX_DIM } from './layer.js';
import { closestNames, didYouMean } from './suggest.js';
import { parseRandom } from './consts.js';

export interface NetworkEnv {
  readonly r: Reporter;
  readonly fileTarget: TargetModel | undefined;
  readonly parts: PartCatalog | undefined;
  resolveType(t: A.TypeExpr): FixedType | undefined;
  lookupNetwork(name: string): NetworkModel | 'failed' | undefined;
  knownNetworks(): Iterable<string>;
  /** Records a use of a local name (input or layer) for navigation. */
  /** Records a use of a local name (input or layer): the symbol is made once per definition, by `localSymbol`. */
  referenceLocal(span: A.Span, def: SymbolModel): void;
  localSymbol(def: { readonly name: string; readonly span: A.Span; readonly kind: 'input' | 'layer' }): SymbolModel;
  errorCount(): number;
}

export const MAX_FIFO_DEPTH = 2 ** 20;

export function checkNetwork(decl: A.NetworkDecl, env: NetworkEnv): NetworkModel {
  const { r } = env;
  const errorsBefore = env.errorCount();
  const name = decl.name?.name ?? '<unnamed>';

  // Settings.
  let io: IoMode = 'parallel';
  let reuse = 1;
  let fifoDepth = 0;
  let precision: FixedType | undefined;
  let init: A.Expr | undefined;
  let target = env.fileTarget;
  const budgets: BudgetModel[] = [];
  const seen = new Map<string, A.Span>();
  const once = (kind: string, span: A.Span) => {
    const prev = seen.get(kind);
    if (prev) r.report('QNN2028', span, `'${kind}' is set twice in network '${name}'; the last one wins. Delete one.`, { related: [{ message: 'first set here', path: r.path, span: prev }] });
    seen.set(kind, span);
  };
  const fifoStmts: A.FifoStmt[] = [];
  for (const s of decl.body) {
    switch (s.kind) {
      case 'io':
        once('io', s.span);
        if (s.mode) {
          if (s.mode.name === 'parallel' || s.mode.name === 'stream') io = s.mode.name;
          else r.report('QNN2027', s.mode.span, `'${s.mode.name}' is not an io mode; write 'io parallel' or 'io stream'.`, { data: { suggestions: closestNames(s.mode.name, ['parallel', 'stream']) } });
        }
        break;
      case 'reuse':
        once('reuse', s.span);
        if (s.value) {
          const v = s.value;
          if (v.unit !== undefined || !Number.isInteger(v.value) || v.value < 1 || v.value > MAX_DIM) {
            r.report('QNN2009', v.span, `The reuse factor is an integer between 1 and ${MAX_DIM}; '${v.text}' is not.`);
          } else reuse = v.value;
        }
        break;
      case 'precision':
        once('precision', s.span);
        if (s.type) precision = env.resolveType(s.type);
        break;
      case 'init':
        once('init', s.span);
        if (s.value) {
          if (s.value.kind === 'call' && s.value.callee.name === 'random') {
            if (parseRandom(s.value, r)) init = s.value;
          } else if (s.value.kind === 'call' && (s.value.callee.name === 'zeros' || s.value.callee.name === 'ones')) {
            init = s.value;
          } else {
            r.report('QNN2032', s.value.span, "'init' generates the weights that layers do not give: use random(seed: N), zeros() or ones().");
          }
        }
        break;
      case 'require':
        for (const b of s.budgets) {
          const m = checkBudget(b, r);
          if (m) {
            if (budgets.some((x) => x.metric === m.metric)) r.report('QNN2028', b.span, `The budget '${m.metric}' is given twice; the tighter one applies.`);
            budgets.push(m);
          }
        }
        break;
      case 'fifo':
        fifoStmts.push(s);
        if (!s.from) {
          once('fifo', s.span);
          if (s.depth) {
            const d = fifoValue(s.depth, r);
            if (d !== undefined) fifoDepth = d;
          }
        }
        break;
      case 'target':
        once('target', s.span);
        target = checkTarget(s, r, env.parts) ?? target;
        break;
      case 'input':
      case 'layer':
      case 'output':
        break;
    }
  }

  // Names of inputs and layers.
  const defs = new Map<string, A.InputDecl | A.LayerDecl>();
  for (const s of decl.body) {
    if (s.kind !== 'input' && s.kind !== 'layer') continue;
    if (!s.name) continue;
    const prev = defs.get(s.name.name);
    if (prev) {
      r.report('QNN2002', s.name.span, `'${s.name.name}' is already defined in network '${name}'; rename one of them.`, {
        related: [{ message: 'first defined here', path: r.path, span: prev.name!.span }],
      });
      continue;
    }
    defs.set(s.name.name, s);
  }

  // Inputs.
  const nodes = new Map<string, NodeModel>();
  const failed = new Set<string>();
  const inputs: InputModel[] = [];
  for (const d of defs.values()) {
    if (d.kind !== 'input') continue;
    const t = checkInput(d, env);
    if (t) {
      const m: InputModel = { kind: 'input', name: d.name!.name, tensor: t, decl: d };
      nodes.set(m.name, m);
      inputs.push(m);
    } else failed.add(d.name!.name);
  }

  // Graph order: layers may be written in any order; a layer comes after the nodes it reads.
  const layerDecls = [...defs.values()].filter((d): d is A.LayerDecl => d.kind === 'layer');
  const deps = new Map<string, string[]>();
  for (const l of layerDecls) {
    const ds: string[] = [];
    for (const a of l.args) if (!a.name && a.value?.kind === 'name' && defs.has(a.value.name.name)) ds.push(a.value.name.name);
    deps.set(l.name.name, ds);
  }
  const { order, cyclic } = topoOrder(layerDecls.map((l) => l.name.name), deps, (n) => defs.get(n)?.kind === 'layer');
  for (const cycle of cyclic) {
    const d = defs.get(cycle[0]) as A.LayerDecl;
    r.report('QNN2022', d.name.span, `'${cycle[0]}' depends on itself: ${[...cycle, cycle[0]].join(' → ')}. Break the cycle.`);
    for (const n of cycle) failed.add(n);
  }

  // Record references for navigation (every argument naming a local node), with one symbol per definition.
  const symbols = new Map<string, SymbolModel>();
  const symbolOf = (d: A.InputDecl | A.LayerDecl): SymbolModel => {
    let sym = symbols.get(d.name!.name);
    if (!sym) symbols.set(d.name!.name, (sym = env.localSymbol({ name: d.name!.name, span: d.name!.span, kind: d.kind })));
    return sym;
  };
  for (const l of layerDecls) {
    for (const a of l.args) {
      if (a.name || a.value?.kind !== 'name') continue;
      const target = defs.get(a.value.name.name);
      if (target?.name) env.referenceLocal(a.value.name.span, symbolOf(target));
    }
  }

  const layers: LayerModel[] = [];
  const layerEnv = {
    r,
    network: name,
    reuse,
    precision,
    init,
    tensorOf: (id: A.Ident): TensorInfo | 'failed' | undefined => {
      const n = nodes.get(id.name);
      if (n) return n.tensor;
      return failed.has(id.name) || defs.has(id.name) ? 'failed' : undefined;
    },
    knownNodes: () => defs.keys(),
    resolveType: (t: A.TypeExpr) => env.resolveType(t),
    lookupNetwork: (n: string) => env.lookupNetwork(n),
    knownNetworks: () => env.knownNetworks(),
  };
  for (const n of order) {
    const d = defs.get(n) as A.LayerDecl;
    if (failed.has(n)) continue;
    const m = checkLayer(d, layerEnv);
    if (m) {
      nodes.set(n, m);
      layers.push(m);
    } else failed.add(n);
  }

  // Outputs, liveness, dead layers.
  const outputs: string[] = [];
  for (const s of decl.body) {
    if (s.kind !== 'output') continue;
    for (const id of s.names) {
      const d = defs.get(id.name);
      if (!d) {
        const names = closestNames(id.name, defs.keys());
        r.report('QNN2001', id.span, `'${id.name}' is not defined in network '${name}'.${didYouMean(names)}`, { data: { suggestions: names } });
        continue;
      }
      env.referenceLocal(id.span, symbolOf(d));
      if (outputs.includes(id.name)) r.report('QNN2028', id.span, `'${id.name}' is an output twice.`);
      else outputs.push(id.name);
    }
  }
  const at = decl.name?.span ?? decl.span;
  if (inputs.length === 0 && !defs.size && decl.body.length === 0) {
    r.report('QNN2024', at, `Network '${name}' is empty: give it an input, layers and an output.`);
  } else if (![...defs.values()].some((d) => d.kind === 'input')) {
    r.report('QNN2024', at, `Network '${name}' has no input: add 'input x : data[16]'.`);
  } else if (!decl.body.some((s) => s.kind === 'output')) {
    r.report('QNN2024', at, `Network '${name}' has no output: add 'output <layer>' naming the layer whose values leave the network.`);
  }
  const live = new Set<string>();
  const stack = [...outputs];
  while (stack.length) {
    const n = stack.pop()!;
    if (live.has(n)) continue;
    live.add(n);
    for (const d of deps.get(n) ?? []) stack.push(d);
  }
  const dead = new Set<string>();
  // Dead layers and unused inputs are lints: on a network with errors they would only add noise.
  const lint = outputs.length > 0 && failed.size === 0 && env.errorCount() === errorsBefore;
  for (const d of defs.values()) {
    if (live.has(d.name!.name)) continue;
    if (d.kind === 'layer') dead.add(d.name!.name);
    if (!lint) continue;
    if (d.kind === 'layer') {
      r.report('QNN2023', d.name!.span, `Layer '${d.name!.name}' does not lead to any output; use it or delete it.`);
    } else {
      r.report('QNN2003', d.name!.span, `Input '${d.name!.name}' is not used by any output.`);
    }
  }

  // FIFO edges.
  const fifoEdges = new Map<string, number>();
  for (const s of fifoStmts) {
    if (io === 'parallel') {
      r.report('QNN2029', s.span, "FIFO depths apply to 'io stream' networks; this network is 'io parallel'.");
      continue;
    }
    if (!s.from || !s.to || !s.depth) continue;
    const d = fifoValue(s.depth, r);
    if (d === undefined) continue;
    for (const id of [s.from, s.to]) {
      const def = defs.get(id.name);
      if (def) env.referenceLocal(id.span, symbolOf(def));
    }
    if (!defs.has(s.from.name) || !defs.has(s.to.name)) {
      const bad = defs.has(s.from.name) ? s.to : s.from;
      r.report('QNN2001', bad.span, `'${bad.name}' is not defined in network '${name}'.${didYouMean(closestNames(bad.name, defs.keys()))}`);
      continue;
    }
    if (!(deps.get(s.to.name) ?? []).includes(s.from.name)) {
      r.report('QNN2029', s.span, `'${s.to.name}' does not read '${s.from.name}', so there is no stream edge ${s.from.name} -> ${s.to.name}.`);
      continue;
    }
    fifoEdges.set(`${s.from.name}->${s.to.name}`, d);
  }
  if (io === 'stream' && fifoDepth === 0) fifoDepth = 16;
  if (io === 'parallel') fifoDepth = 0;

  const complete = env.errorCount() === errorsBefore && failed.size === 0;
  return {
    name,
    path: r.path,
    decl,
    target,
    io,
    reuse,
    fifoDepth,
    fifoEdges,
    budgets,
    inputs,
    layers,
    outputs,
    deadLayers: dead,
    complete,
    node: (n) => nodes.get(n),
  };
}

function checkInput(d: A.InputDecl, env: NetworkEnv): TensorInfo | undefined {
  const { r } = env;
  if (!d.tensor?.type) return undefined;
  const type = env.resolveType(d.tensor.type);
  if (!d.tensor.shape) {
    r.report('QNN2011', d.tensor.span, `Input '${d.name!.name}' needs a shape: input ${d.name!.name} : ${d.tensor.type.kind === 'typeRef' ? d.tensor.type.name.name : 'data'}[16].`);
    return undefined;
  }
  const shape: number[] = [];
  for (const n of d.tensor.shape) {
    if (n.unit !== undefined || !Number.isInteger(n.value) || n.value < 1 || n.value > MAX_DIM) {
      r.report('QNN2011', n.span, `A dimension is an integer between 1 and ${MAX_DIM}; '${n.text}' is not.`);
      return undefined;
    }
    shape.push(n.value);
  }
  if (shape.length === 0) {
    r.report('QNN2011', d.tensor.span, `Input '${d.name!.name}' needs at least one dimension: [16].`);
    return undefined;
  }
  if (!type) return undefined;
  if (!checkElements(shape, d.name!, r)) return undefined;
  return { shape, type };
}

function fifoValue(n: A.NumberLit, r: Reporter): number | undefined {
  if (n.unit !== undefined || !Number.isInteger(n.value) || n.value < 1 || n.value > MAX_FIFO_DEPTH) {
    r.report('QNN2009', n.span, `A FIFO depth is an integer between 1 and ${MAX_FIFO_DEPTH}; '${n.text}' is not.`);
    return undefined;
  }
  return n.value;
}

const CLOCK_UNITS: Record<string, number> = { ps: 1e-3, ns: 1, us: 1e3, ms: 1e6, GHz: -1, MHz: -1e3, kHz: -1e6 };

/** Checks a target statement; returns its model (also for an unknown part, so that the clock is still known). */
export function checkTarget(s: A.TargetDecl, r: Reporter, parts: PartCatalog | undefined): TargetModel | undefined {
  if (!s.part) return undefined;
  if (parts && !parts.has(s.part.name)) {
    const names = closestNames(s.part.name, parts.names(), 3);
    r.report('QNN2025', s.part.span, `'${s.part.name}' is not a known part.${didYouMean(names)} Run 'qnn parts' for the list.`, { data: { suggestions: names } });
  }
  let clockNs: number | undefined;
  if (s.clock) {
    const c = s.clock;
    const f = c.unit !== undefined ? CLOCK_UNITS[c.unit] : undefined;
    if (f === undefined) {
      r.report('QNN2026', c.span, `The clock '${c.text}' needs a unit: a period in ns (clock 5ns) or a frequency in MHz (clock 200MHz).`);
    } else if (!(c.value > 0)) {
      r.report('QNN2026', c.span, 'The clock must be positive.');
    } else {
      // Positive factors scale a period to ns; negative ones turn a frequency into a period.
      clockNs = f > 0 ? c.value * f : -f / c.value;
    }
  }
  return { part: s.part.name, clockNs, decl: s, path: r.path };
}

const METRICS = ['latency', 'ii', 'dsp', 'lut', 'ff', 'bram'] as const;

function checkBudget(b: A.Budget, r: Reporter): BudgetModel | undefined {
  if (!b.metric || !b.value || !b.op) return undefined;
  const metric = b.metric.name.toLowerCase();
  if (!(METRICS as readonly string[]).includes(metric)) {
    const names = closestNames(b.metric.name, METRICS);
    r.report('QNN2034', b.metric.span, `'${b.metric.name}' is not a budget.${didYouMean(names)} Budgets are ${METRICS.join(', ')}.`, { data: { suggestions: names } });
    return undefined;
  }
  const v = b.value;
  if (!(v.value > 0)) {
    r.report('QNN2009', v.span, 'A budget must be positive.');
    return undefined;
  }
  const unit = v.unit;
  const base = { metric: metric as BudgetModel['metric'], strict: b.op === '<', decl: b };
  if (metric === 'latency') {
    if (unit === 'ns') return { ...base, value: v.value, unit: 'ns' };
    if (unit === 'us') return { ...base, value: v.value * 1000, unit: 'ns' };
    if (unit === 'ms') return { ...base, value: v.value * 1e6, unit: 'ns' };
    if (unit === 'cycles' || unit === 'cycle' || unit === 'cyc') return { ...base, value: v.value, unit: 'cycles' };
    r.report('QNN2026', v.span, `A latency budget needs a unit: ${v.value}ns, ${v.value}us or ${v.value}cycles.`);
    return undefined;
  }
  if (metric === 'ii') {
    if (unit === undefined || unit === 'cycles' || unit === 'cycle' || unit === 'cyc') return { ...base, value: v.value, unit: 'cycles' };
    if (unit === 'ns') return { ...base, value: v.value, unit: 'ns' };
    r.report('QNN2026', v.span, `An ii budget is in cycles (ii <= 1) or ns.`);
    return undefined;
  }
  if (unit === undefined) {
    if (!Number.isInteger(v.value)) {
      r.report('QNN2009', v.span, `A ${metric} budget counts resources: a whole number, or a percentage of the device (${metric} <= 50%).`);
      return undefined;
    }
    return { ...base, value: v.value, unit: 'count' };
  }
  if (unit === '%') return { ...base, value: v.value, unit: 'percent' };
  r.report('QNN2026', v.span, `A ${metric} budget is a count (${metric} <= 2000) or a percentage of the device (${metric} <= 50%).`);
  return undefined;
}

/**
 * Kahn's algorithm over the layers: returns an order in which every layer follows the layers it reads, and the
 * cycles among the rest (each reported once).
 */
function topoOrder(names: string[], deps: ReadonlyMap<string, string[]>, isLayer: (n: string) => boolean): { order: string[]; cyclic: string[][] } {
  const indeg = new Map<string, number>();
  const users = new Map<string, string[]>();
  for (const n of names) {
    const ds = (deps.get(n) ?? []).filter(isLayer);
    indeg.set(n, ds.length);
    for (const d of ds) {
      const u = users.get(d) ?? [];
      u.push(n);
      users.set(d, u);
    }
  }
  const ready = names.filter((n) => indeg.get(n) === 0);
  const order: string[] = [];
  for (let i = 0; i < ready.length; i++) {
    const n = ready[i];
    order.push(n);
    for (const u of users.get(n) ?? []) {
      const k = indeg.get(u)! - 1;
      indeg.set(u, k);
      if (k === 0) ready.push(u);
    }
  }
  const placed = new Set(order);
  const rest = new Set(names.filter((n) => !placed.has(n)));
  const cyclic: string[][] = [];
  const done = new Set<string>();
  for (const start of rest) {
    if (done.has(start)) continue;
    // Walk dependencies inside the rest until a node repeats: that suffix is a cycle.
    const path: string[] = [];
    const index = new Map<string, number>();
    let cur: string | undefined = start;
    while (cur !== undefined && !index.has(cur) && !done.has(cur)) {
      index.set(cur, path.length);
      path.push(cur);
      cur = (deps.get(cur) ?? []).find((d) => rest.has(d));
    }
    if (cur !== undefined && index.has(cur)) cyclic.push(path.slice(index.get(cur)!));
    for (const p of path) done.add(p);
  }
  return { order, cyclic };
}
