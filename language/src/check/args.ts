// Arguments, parameters and attributes of a layer, checked against the operation's catalog entry.
import type * as A from '../ast.js';
import type { FixedType } from '../fixed-type.js';
import type { ParamValue } from '../model.js';
import { opSignature, type OpSpec, type ParamSpec } from '../ops.js';
import type { Reporter } from './context.js';
import type { LayerEnv } from './layer.js';
import { MAX_DIM } from './shapes.js';
import { closestNames, didYouMean } from './suggest.js';

export type Args = { readonly inputs: A.Ident[]; readonly named: Map<string, A.Arg>; readonly positional: A.Arg[] };

const positionalCache = new WeakMap<OpSpec, readonly ParamSpec[]>();

/** The parameters an operation takes by position, in order (computed once per operation). */
function positionalParams(spec: OpSpec): readonly ParamSpec[] {
  let p = positionalCache.get(spec);
  if (!p) positionalCache.set(spec, (p = spec.params.filter((q) => q.positional)));
  return p;
}

export function splitArgs(decl: A.LayerDecl, spec: OpSpec, env: LayerEnv): Args | undefined {
  const { r } = env;
  const positional = decl.args.filter((a) => !a.name);
  const named = new Map<string, A.Arg>();
  for (const a of decl.args) {
    if (!a.name) continue;
    if (named.has(a.name.name)) {
      r.report('QNN2008', a.span, `'${a.name.name}' is given twice.`);
      return undefined;
    }
    named.set(a.name.name, a);
  }
  const nInputs = spec.inputs === 1 ? 1 : positional.length;
  if (spec.inputs === 'many' && positional.length < 2) {
    if (!decl.recovered) r.report('QNN2008', decl.op!.span, `${spec.name} needs at least two inputs: ${decl.name.name} = ${spec.name}(a, b).`);
    return undefined;
  }
  if (positional.length === 0) {
    if (!decl.recovered) r.report('QNN2008', decl.op!.span, `${spec.name} needs an input: ${opSignature(spec)}.`);
    return undefined;
  }
  const inputs: A.Ident[] = [];
  let ok = true;
  for (const a of positional.slice(0, nInputs)) {
    if (a.value?.kind !== 'name') {
      if (a.value) r.report('QNN2008', a.span, `${spec.name} takes ${spec.inputs === 1 ? 'an input tensor as its first argument' : 'input tensors as its arguments'}: the name of an input or a layer.`);
      ok = false;
      continue;
    }
    const id = a.value.name;
    const t = env.tensorOf(id);
    if (t === undefined) {
      const names = closestNames(id.name, env.knownNodes());
      r.report('QNN2001', id.span, `'${id.name}' is not defined in network '${env.network}'.${didYouMean(names)}`, { data: { suggestions: names } });
      ok = false;
    }
    inputs.push(id);
  }
  return ok ? { inputs, named, positional: positional.slice(nInputs) } : undefined;
}

export function checkParams(decl: A.LayerDecl, spec: OpSpec, args: Args, env: LayerEnv): Record<string, ParamValue> | undefined {
  const { r } = env;
  const out: Record<string, ParamValue> = {};
  const positionalSpecs = positionalParams(spec);
  let ok = true;
  const given = new Map<string, A.Arg>();
  args.positional.forEach((a, i) => {
    const p = positionalSpecs[i];
    if (!p) {
      r.report('QNN2008', a.span, `${spec.name} takes ${positionalSpecs.length} argument${positionalSpecs.length === 1 ? '' : 's'} after its input; name the others. Signature: ${opSignature(spec)}.`);
      ok = false;
      return;
    }
    given.set(p.name, a);
  });
  for (const [name, a] of args.named) {
    const p = spec.params.find((q) => q.name === name);
    if (!p) {
      const names = closestNames(name, spec.params.map((q) => q.name));
      r.report('QNN2008', a.name!.span, `${spec.name} has no parameter '${name}'.${didYouMean(names)} Signature: ${opSignature(spec)}.`, { data: { suggestions: names } });
      ok = false;
      continue;
    }
    if (given.has(name)) {
      r.report('QNN2008', a.span, `'${name}' is given twice (by position and by name).`);
      ok = false;
      continue;
    }
    given.set(name, a);
  }
  if (!ok) return undefined;
  for (const p of spec.params) {
    const a = given.get(p.name);
    if (!a) {
      if (p.default === undefined) {
        if (!decl.recovered) r.report('QNN2008', decl.op!.span, `${spec.name} needs '${p.name}' (${p.doc.replace(/\.$/, '')}). Signature: ${opSignature(spec)}.`);
        ok = false;
      }
      continue;
    }
    if (!a.value) {
      ok = false;
      continue;
    }
    const v = paramValue(p, a.value, spec, r);
    if (v === undefined) ok = false;
    else out[p.name] = v;
  }
  // Defaults that depend on other parameters.
  for (const p of spec.params) {
    if (out[p.name] !== undefined || p.default === undefined) continue;
    const d = p.default === 'pool' ? out.pool ?? 2 : p.default;
    // An 'ints' parameter is a list (one per spatial axis) whether it is given or defaulted: `maxpool2d(x)` is [2, 2].
    out[p.name] = p.kind === 'ints' && typeof d === 'number' ? new Array<number>(spec.spatial ?? 1).fill(d) : d;
  }
  return ok ? out : undefined;
}

function paramValue(p: ParamSpec, v: A.Expr, spec: OpSpec, r: Reporter): ParamValue | undefined {
  const int = (e: A.Expr, min: number): number | undefined => {
    if (e.kind !== 'number' || e.unit !== undefined || !Number.isInteger(e.value)) {
      r.report('QNN2009', e.span, `'${p.name}' takes an integer.`);
      return undefined;
    }
    if (e.value < min || e.value > MAX_DIM) {
      r.report('QNN2009', e.span, `'${p.name}' is ${e.text}; it must be between ${min} and ${MAX_DIM}.`);
      return undefined;
    }
    return e.value;
  };
  switch (p.kind) {
    case 'int':
      return int(v, 1);
    case 'ints': {
      const n = spec.spatial ?? 1;
      if (v.kind === 'array') {
        if (v.elements.length !== n) {
          r.report('QNN2009', v.span, `'${p.name}' takes one integer or a list of ${n}.`);
          return undefined;
        }
        const vals = v.elements.map((e) => int(e, 1));
        return vals.every((x) => x !== undefined) ? (vals as number[]) : undefined;
      }
      const one = int(v, 1);
      return one === undefined ? undefined : new Array<number>(n).fill(one);
    }
    case 'number':
      if (v.kind !== 'number' || v.unit !== undefined || !Number.isFinite(v.value)) {
        r.report('QNN2009', v.span, `'${p.name}' takes a number.`);
        return undefined;
      }
      return v.value;
    case 'axis':
      if (v.kind !== 'number' || v.unit !== undefined || !Number.isInteger(v.value)) {
        r.report('QNN2009', v.span, `'${p.name}' takes an integer axis (negative counts from the end).`);
        return undefined;
      }
      return v.value;
    case 'shape': {
      if (v.kind !== 'array' || v.elements.length === 0) {
        r.report('QNN2009', v.span, `'${p.name}' takes a list of dimensions, such as [4, 4, 1].`);
        return undefined;
      }
      const dims: number[] = [];
      for (const e of v.elements) {
        if (e.kind !== 'number' || e.unit !== undefined || !Number.isInteger(e.value) || (e.value < 1 && e.value !== -1) || e.value > MAX_DIM) {
          r.report('QNN2009', e.span, `A dimension is an integer between 1 and ${MAX_DIM}, or -1 (inferred).`);
          return undefined;
        }
        dims.push(e.value);
      }
      if (dims.filter((d) => d === -1).length > 1) {
        r.report('QNN2009', v.span, 'Only one dimension may be -1.');
        return undefined;
      }
      return dims;
    }
    case 'enum': {
      const name = v.kind === 'name' ? v.name.name : v.kind === 'string' ? v.value : undefined;
      if (name === undefined || !p.values!.includes(name)) {
        const names = name ? closestNames(name, p.values!) : [];
        r.report('QNN2009', v.span, `'${p.name}' is one of ${p.values!.join(', ')}.${didYouMean(names)}`, { data: { suggestions: names.length ? names : p.values } });
        return undefined;
      }
      return name;
    }
  }
}

export interface AttrResult {
  readonly tensors: Map<string, A.Attr>;
  readonly types: Record<string, FixedType>;
  readonly settings: Record<string, number | string>;
  readonly reuseSpan: A.Span | undefined;
}

export function checkAttrs(decl: A.LayerDecl, spec: OpSpec, env: LayerEnv): AttrResult | undefined {
  const { r } = env;
  const tensors = new Map<string, A.Attr>();
  const types: Record<string, FixedType> = {};
  const settings: Record<string, number | string> = {};
  let reuseSpan: A.Span | undefined;
  let ok = true;
  const seen = new Set<string>();
  for (const a of decl.attrs) {
    const name = a.name.name;
    const as = spec.attrs.find((x) => x.name === name);
    if (!as) {
      const names = closestNames(name, spec.attrs.map((x) => x.name));
      const list = spec.attrs.length ? `${spec.name} takes ${spec.attrs.map((x) => x.name).join(', ')}.` : `${spec.name} takes no attributes.`;
      r.report('QNN2012', a.name.span, `'${name}' is not an attribute of ${spec.name}.${didYouMean(names)} ${list}`, { data: { suggestions: names } });
      ok = false;
      continue;
    }
    if (seen.has(name)) {
      r.report('QNN2002', a.name.span, `'${name}' is set twice in '${decl.name.name}'; delete one.`);
      ok = false;
      continue;
    }
    seen.add(name);
    switch (as.kind) {
      case 'tensor':
        tensors.set(name, a);
        break;
      case 'type': {
        const t =
          a.type ??
          (a.value?.kind === 'name' ? { kind: 'typeRef' as const, name: a.value.name, span: a.value.span } : a.value?.kind === 'typeValue' ? a.value.type : undefined);
        if (!t || (a.type && a.value)) {
          r.report('QNN2009', a.span, `'${name}' takes a type: ${name}: fixed<24, 10>.`);
          ok = false;
          break;
        }
        const ft = env.resolveType(t);
        if (ft) types[name] = ft;
        else ok = false;
        break;
      }
      case 'int': {
        const v = a.value;
        if (a.type || !v || v.kind !== 'number' || v.unit !== undefined || !Number.isInteger(v.value) || v.value < 1) {
          r.report('QNN2009', a.span, `'${name}' takes a positive integer.`);
          ok = false;
          break;
        }
        if (name === 'table' && (v.value < 2 || v.value > 2 ** 20 || (v.value & (v.value - 1)) !== 0)) {
          r.report('QNN2009', v.span, `The table size ${v.text} is not a power of two between 2 and 1048576; try ${nearestPow2(v.value)}.`, { data: { suggestions: [nearestPow2(v.value)] } });
          ok = false;
          break;
        }
        if (name === 'reuse') {
          if (v.value > MAX_DIM) {
            r.report('QNN2009', v.span, `The reuse factor ${v.text} is too large; it is at most ${MAX_DIM}.`);
            ok = false;
            break;
          }
          reuseSpan = v.span;
        }
        settings[name] = v.value;
        break;
      }
      case 'number': {
        const v = a.value;
        if (a.type || !v || v.kind !== 'number' || v.unit !== undefined || !(v.value > 0)) {
          r.report('QNN2009', a.span, `'${name}' takes a positive number.`);
          ok = false;
          break;
        }
        settings[name] = v.value;
        break;
      }
      case 'enum': {
        const v = a.value;
        const s = v?.kind === 'name' ? v.name.name : undefined;
        if (!s || !as.values!.includes(s)) {
          r.report('QNN2009', a.span, `'${name}' is one of ${as.values!.join(', ')}.`, { data: { suggestions: as.values } });
          ok = false;
          break;
        }
        settings[name] = s;
        break;
      }
    }
  }
  return ok ? { tensors, types, settings, reuseSpan } : undefined;
}

function nearestPow2(n: number): number {
  const p = 2 ** Math.round(Math.log2(Math.max(2, Math.min(n, 2 ** 20))));
  return Math.max(2, Math.min(p, 2 ** 20));
}
