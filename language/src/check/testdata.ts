// Checks `test NAME for NETWORK { inputs: load(…)  labels: load(…)  expected: load(…) }` and loads its data.
import type * as A from '../ast.js';
import { formatShape } from '../data-files.js';
import type { NetworkModel, TestDataModel } from '../model.js';
import type { Reporter } from './context.js';
import { loadArray } from './consts.js';
import { closestNames, didYouMean } from './suggest.js';

type Rows = { readonly rows: number; readonly data: Float64Array };

export function checkTest(decl: A.TestDecl, net: NetworkModel, r: Reporter): TestDataModel | undefined {
  const inputNames = net.inputs.map((i) => i.name);
  const allowed = ['inputs', 'labels', 'expected', ...inputNames];
  const inputs = new Map<string, Rows>();
  let labels: Int32Array | undefined;
  let expected: Rows | undefined;
  let rows: { n: number; at: A.Span; what: string } | undefined;
  let ok = true;
  const agree = (n: number, at: A.Span, what: string) => {
    if (!rows) rows = { n, at, what };
    else if (rows.n !== n) {
      r.report('QNN2030', at, `'${what}' has ${n} rows but '${rows.what}' has ${rows.n}; every file holds one row per sample.`, {
        related: [{ message: `'${rows.what}' is given here`, path: r.path, span: rows.at }],
      });
      ok = false;
    }
  };
  for (const a of decl.attrs) {
    const key = a.name.name;
    if (!allowed.includes(key)) {
      const names = closestNames(key, allowed);
      r.report('QNN2030', a.name.span, `'${key}' is not part of a test.${didYouMean(names)} A test takes ${allowed.join(', ')}.`, { data: { suggestions: names } });
      ok = false;
      continue;
    }
    if (!a.value || a.value.kind !== 'call' || a.value.callee.name !== 'load' || a.type) {
      r.report('QNN2030', a.span, `'${key}' takes load("file.npy") or load("file.csv").`);
      ok = false;
      continue;
    }
    const loaded = loadArray(a.value, r);
    if (!loaded) {
      ok = false;
      continue;
    }
    const arr = loaded.array;
    if (key === 'labels') {
      const n = arr.shape[0] ?? 0;
      if (arr.shape.length > 2 || (arr.shape.length === 2 && arr.shape[1] !== 1)) {
        r.report('QNN2030', a.value.span, `Labels are one integer per sample ([N] or [N, 1]); the file has shape ${formatShape(arr.shape)}.`);
        ok = false;
        continue;
      }
      const outShape = net.node(net.outputs[0] ?? '')?.tensor.shape;
      const classes = outShape ? outShape[outShape.length - 1] : undefined;
      const lab = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        const v = arr.data[i];
        if (!Number.isInteger(v) || v < 0 || (classes !== undefined && v >= classes)) {
          r.report('QNN2030', a.value.span, `Label ${v} of sample ${i} is not a class index${classes !== undefined ? ` between 0 and ${classes - 1}` : ''}.`);
          ok = false;
          break;
        }
        lab[i] = v;
      }
      labels = lab;
      agree(n, a.value.span, key);
      continue;
    }
    // Inputs and expected outputs: [N, ...shape] or [N, elements] (rows of a CSV file).
    let shape: readonly number[] | undefined;
    let what: string;
    if (key === 'expected') {
      if (net.outputs.length !== 1) {
        r.report('QNN2030', a.span, `'expected' needs a network with one output; '${net.name}' has ${net.outputs.length}.`);
        ok = false;
        continue;
      }
      shape = net.node(net.outputs[0])?.tensor.shape;
      what = `output '${net.outputs[0]}'`;
    } else {
      const inputName = key === 'inputs' ? inputNames[0] : key;
      if (key === 'inputs' && net.inputs.length !== 1) {
        r.report('QNN2030', a.name.span, `Network '${net.name}' has ${net.inputs.length} inputs; give each by name (${inputNames.join(', ')}) instead of 'inputs'.`);
        ok = false;
        continue;
      }
      shape = net.inputs.find((i) => i.name === inputName)?.tensor.shape;
      what = `input '${inputName}'`;
      if (inputs.has(inputName)) {
        r.report('QNN2030', a.name.span, `Input '${inputName}' is given twice.`);
        ok = false;
        continue;
      }
    }
    if (!shape) {
      ok = false;
      continue;
    }
    const per = shape.reduce((x, y) => x * y, 1);
    const n = arr.shape[0] ?? 0;
    const rest = arr.shape.slice(1);
    const restCount = rest.reduce((x, y) => x * y, 1);
    const fits = arr.shape.length >= 1 && (restCount === per && (rest.length === 1 || sameShape(rest, shape) || (per === 1 && rest.length === 0)));
    if (!fits) {
      const forms = shape.length === 1 ? `[N, ${per}]` : `[N, ${shape.join(', ')}] or [N, ${per}]`;
      r.report('QNN2030', a.value.span, `The ${what} has shape ${formatShape(shape)}, so the file must be ${forms}; it is ${formatShape(arr.shape)}.`, {
        data: { expected: [-1, ...shape], found: arr.shape },
      });
      ok = false;
      continue;
    }
    agree(n, a.value.span, key);
    if (key === 'expected') expected = { rows: n, data: arr.data };
    else inputs.set(key === 'inputs' ? inputNames[0] : key, { rows: n, data: arr.data });
  }
  if (ok && inputs.size < net.inputs.length) {
    const missing = inputNames.filter((n) => !inputs.has(n));
    r.report('QNN2030', decl.name?.span ?? decl.span, `Test data for ${missing.map((m) => `'${m}'`).join(', ')} is missing: add ${net.inputs.length === 1 ? 'inputs' : missing[0]}: load("x.npy").`);
    ok = false;
  }
  if (!ok || !decl.name) return undefined;
  return { name: decl.name.name, network: net.name, path: r.path, inputs, labels, expected, decl };
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
