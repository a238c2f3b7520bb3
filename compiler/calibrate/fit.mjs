// Fitting the cost tables and the error table (shared by calibrate.mjs and bench/estimate.mjs, which reads only the
// committed measurements). The fit is non-negative least squares on relative errors (each network weighs 1/measured²),
// by coordinate descent from zero (deterministic: the result does not depend on the previous tables): LUT and FF per flow on the summed features of each training
// network, and the iCE40 stage delay (1000 / fmax) on the features of its critical path (that one toward least absolute
// relative error, by iteratively reweighted least squares).
const LUT_KEYS = ['base', 'addBits', 'caddBits', 'negBits', 'rndBits', 'rndOps', 'satBits', 'muxBits', 'selBits', 'cmpBits', 'maccBits', 'treeBits', 'subBits', 'tableBits', 'prodLuts', 'prodAloneLuts', 'raccBits', 'raccSplitBits', 'raccSelBits', 'lutMulBits', 'varMulBits', 'romBits', 'romIdxBits', 'smRomBits', 'romLuts', 'divBits', 'rmuxBits'];
const FF_KEYS = ['base', 'regBits', 'dspRegBits'];
/** Reweighting rounds of the delay fit's least-absolute-error iteration. */
const L1_ROUNDS = 20;
const DELAY_KEYS = ['base', 'size', 'adders', 'maxWidth', 'levels', 'mulBits', 'roms', 'out', 'sel', 'fanout', 'romInc', 'shared'];

/**
 * Non-negative weighted least squares by coordinate descent. X: rows of feature values, y: targets; each row weighs
 * 1/y² (relative errors) times its `rowWeights` entry when given.
 */
export function nnls(X0, y, start0, { iterations = 20000, rowWeights } = {}) {
  // Columns scaled to unit weighted norm for convergence; coefficients scaled back at the end.
  const k = start0.length;
  const w = y.map((v, i) => (rowWeights ? rowWeights[i] : 1) / Math.max(1e-9, v) ** 2);
  const scale = Array.from({ length: k }, (_, j) => Math.sqrt(X0.reduce((s, row, i) => s + w[i] * row[j] * row[j], 0)) || 1);
  const X = X0.map((row) => row.map((v, j) => v / scale[j]));
  const start = start0.map((v, j) => v * scale[j]);
  const c = start.map((v) => Math.max(0, v));
  const r = y.map((v, i) => v - X[i].reduce((s, x, j) => s + x * c[j], 0));
  for (let it = 0; it < iterations; it++) {
    let moved = 0;
    for (let j = 0; j < k; j++) {
      let num = 0;
      let den = 0;
      for (let i = 0; i < X.length; i++) {
        num += w[i] * r[i] * X[i][j];
        den += w[i] * X[i][j] * X[i][j];
      }
      if (den === 0) continue;
      const next = Math.max(0, c[j] + num / den);
      const d = next - c[j];
      if (d === 0) continue;
      for (let i = 0; i < X.length; i++) r[i] -= d * X[i][j];
      c[j] = next;
      moved = Math.max(moved, Math.abs(d));
    }
    if (moved < 1e-12) break;
  }
  return c.map((v, j) => v / scale[j]);
}

const feat = (f, key) => (key === 'base' ? 1 : f[key] ?? 0);
const round = (v) => Math.round(v * 1e4) / 1e4;

/** New cost tables fitted on `rows` (training items with measurements), starting from `prior`. */
export function fitTables(rows, prior) {
  const out = { $comment: prior.$comment, obtained: '', xc7: { lut: {}, ff: {} }, ice40: { lut: {}, ff: {}, delayNs: {} } };
  const used = {};
  for (const flow of ['xc7', 'ice40']) {
    const ok = rows.filter((r) => r.m[flow] && !r.m[flow].error && r.m[flow].lut > 0);
    used[flow] = ok.length;
    const lutX = ok.map((r) => LUT_KEYS.map((k) => feat(r[flow].features, k)));
    const lut = nnls(lutX, ok.map((r) => r.m[flow].lut), LUT_KEYS.map(() => 0));
    const ffX = ok.map((r) => FF_KEYS.map((k) => feat(r[flow].features, k)));
    const ff = nnls(ffX, ok.map((r) => Math.max(1, r.m[flow].ff)), FF_KEYS.map(() => 0));
    LUT_KEYS.forEach((k, i) => (out[flow].lut[k] = round(lut[i])));
    FF_KEYS.forEach((k, i) => (out[flow].ff[k] = round(ff[i])));
  }
  // fmax: every place-and-route run of a training network is one observation (its UP5K run, and the HX8K run of the
  // networks also placed there). The delay is the UP5K's; a part's delay is the UP5K's times the part's factor (one
  // coefficient: the HX8K's LUTs, carry chains and routing are faster by about the same ratio).
  // A run whose critical path is the serial wrapper's own (criticalPathOf: wrapperOnly) did not time the network.
  const obs = [];
  for (const r of rows) {
    for (const p of [r.m.pnr, r.m.pnrHx8k]) if (timesNetwork(p)) obs.push({ r, y: 1000 / p.fmaxMhz, part: `ice40${p.device}` });
  }
  used.pnr = rows.filter((r) => timesNetwork(r.m.pnr)).length;
  used.hx8k = obs.filter((o) => o.part === 'ice40hx8k').length;
  // The critical path is the stage path of the largest delay, which depends on the coefficients: alternate choosing
  // each network's critical path with the current coefficients (first the prior tables') and refitting on them.
  const delay = (p, c) => DELAY_KEYS.reduce((s, k, j) => s + c[j] * feat(p, k), 0);
  let d = DELAY_KEYS.map((k) => prior.ice40?.delayNs?.[k] ?? 0);
  const scale = { ice40up5k: 1, ice40hx8k: prior.ice40?.partScale?.ice40hx8k ?? 1 };
  for (let it = 0; it < 12; it++) {
    const crit = obs.map((o) => (o.r.ice40.paths?.length ? o.r.ice40.paths.reduce((a, p) => (delay(p, d) > delay(a, d) ? p : a)) : o.r.ice40.critical));
    const X = crit.map((p, i) => DELAY_KEYS.map((k) => scale[obs[i].part] * feat(p, k)));
    const y = obs.map((o) => o.y);
    d = nnls(X, y, DELAY_KEYS.map(() => 0));
    // Least absolute relative error (iteratively reweighted: each run weighs 1 / max(|its relative error|, 2 %)): the
    // target bounds every network's error, and a squared error lets the few networks whose paths the features describe
    // worst (softmax, reuse > 1) pull the delay of all the others.
    for (let k = 0; k < L1_ROUNDS; k++) {
      const rowWeights = X.map((row, i) => 1 / Math.max(0.02, Math.abs(row.reduce((s, x, j) => s + x * d[j], 0) - y[i]) / y[i]));
      d = nnls(X, y, DELAY_KEYS.map(() => 0), { rowWeights });
    }
    // The HX8K factor minimizing the relative errors of its runs: Σ (s·dᵢ − yᵢ)² / yᵢ² is least at s = Σ qᵢ / Σ qᵢ², qᵢ = dᵢ / yᵢ.
    const q = obs.map((o, i) => (o.part === 'ice40hx8k' ? delay(crit[i], d) / o.y : NaN)).filter((v) => !Number.isNaN(v));
    if (q.length) scale.ice40hx8k = q.reduce((a, b) => a + b, 0) / q.reduce((a, b) => a + b * b, 0);
  }
  out.ice40.partScale = { ice40up5k: 1, ice40hx8k: round(scale.ice40hx8k) };
  DELAY_KEYS.forEach((k, i) => (out.ice40.delayNs[k] = round(d[i])));
  out.obtained =
    `npm run calibrate on ${new Date().toISOString().slice(0, 10)}: non-negative least squares on relative errors over the ${used.xc7} training networks ` +
    `measured with yosys synth_xilinx -family xc7, ${used.ice40} with synth_ice40 (no -dsp) and ${used.pnr} with nextpnr-ice40 on the UP5K, ${used.hx8k} of them also on the HX8K (compiler/calibrate/measurements.json); ` +
    'held-out networks are not used.';
  return out;
}

const rel = (est, meas) => (meas === 0 ? (est === 0 ? 0 : 1) : (est - meas) / meas);

/** A place-and-route run that measured the network's fmax (not failed, and not limited by the serial wrapper). */
export const timesNetwork = (p) => !!p && !p.error && p.fmaxMhz > 0 && !p.path?.wrapperOnly;

/**
 * Per held-out item: estimated and measured figures. `estimate(item, tables, part)` returns a NetworkEstimate.
 * Items whose tool runs failed are listed with the failure.
 */
export function errorTable(rows, tables, estimate, items) {
  const byId = new Map(items.map((i) => [i.id, i]));
  const out = [];
  for (const r of rows) {
    if (!r.holdout) continue;
    const item = byId.get(r.id);
    const x = estimate(item, tables, 'xc7a100t');
    const i = estimate(item, tables, 'ice40hx8k');
    const u = estimate(item, tables, 'ice40up5k');
    const m = r.m;
    // fmax is estimated for the device nextpnr placed the design on (the UP5K, or the HX8K for large designs).
    const fmaxOf = (p) => ({ est: p.device === 'up5k' ? u.fmaxMhz : i.fmaxMhz, meas: p.fmaxMhz, device: p.device, ...(p.path?.wrapperOnly ? { wrapperLimited: true } : {}) });
    out.push({
      id: r.id,
      ...(item.blind ? { blind: true } : {}),
      latency: m.rtl?.error ? undefined : { est: x.total.latencyCycles, meas: m.rtl.latency },
      ii: m.rtl?.error ? undefined : { est: x.total.ii, meas: m.rtl.ii },
      xc7: m.xc7?.error ? { error: m.xc7.error } : { lut: { est: x.total.lut, meas: m.xc7.lut }, ff: { est: x.total.ff, meas: m.xc7.ff }, dsp: { est: x.total.dsp, meas: m.xc7.dsp } },
      ice40: m.ice40?.error ? { error: m.ice40.error } : { lut: { est: i.total.lut, meas: m.ice40.lut }, ff: { est: i.total.ff, meas: m.ice40.ff } },
      fmax: m.pnr && !m.pnr.error && m.pnr.fmaxMhz ? fmaxOf(m.pnr) : undefined,
    });
  }
  return out;
}

/** Summary of an error table: per metric, count, mean and max relative error, exact matches, and the targets. */
export function summarize(table) {
  const metric = (get) => {
    const pairs = table.map(get).filter((p) => p && p.meas !== undefined && !p.wrapperLimited);
    const errs = pairs.map((p) => Math.abs(rel(p.est, p.meas)));
    return {
      n: pairs.length,
      exact: pairs.filter((p) => p.est === p.meas).length,
      mean: errs.length ? errs.reduce((a, b) => a + b, 0) / errs.length : NaN,
      max: errs.length ? Math.max(...errs) : NaN,
      within20: errs.filter((e) => e <= 0.2).length,
    };
  };
  return {
    latency: metric((r) => r.latency),
    ii: metric((r) => r.ii),
    dsp: metric((r) => r.xc7.dsp),
    xc7Lut: metric((r) => r.xc7.lut),
    xc7Ff: metric((r) => r.xc7.ff),
    ice40Lut: metric((r) => r.ice40.lut),
    ice40Ff: metric((r) => r.ice40.ff),
    fmax: { ...metric((r) => r.fmax), wrapperLimited: table.filter((r) => r.fmax?.wrapperLimited).length },
  };
}

const pct = (v) => (Number.isNaN(v) ? '–' : `${(100 * v).toFixed(1)} %`);

/** Targets of issue 5 per metric, and whether the summary meets them. */
export function targets(s) {
  return [
    { name: 'latency (cycles) vs RTL simulation', target: 'exact', value: `${s.latency.exact}/${s.latency.n} exact`, met: s.latency.n > 0 && s.latency.exact === s.latency.n },
    { name: 'II (cycles) vs RTL simulation', target: 'exact', value: `${s.ii.exact}/${s.ii.n} exact`, met: s.ii.n > 0 && s.ii.exact === s.ii.n },
    { name: 'DSP vs yosys synth_xilinx', target: 'exact', value: `${s.dsp.exact}/${s.dsp.n} exact`, met: s.dsp.n > 0 && s.dsp.exact === s.dsp.n },
    { name: 'LUT vs yosys synth_xilinx', target: 'mean ≤ 15 %, max ≤ 30 %', value: `mean ${pct(s.xc7Lut.mean)}, max ${pct(s.xc7Lut.max)}`, met: s.xc7Lut.mean <= 0.15 && s.xc7Lut.max <= 0.3 },
    { name: 'FF vs yosys synth_xilinx', target: 'mean ≤ 15 %, max ≤ 30 %', value: `mean ${pct(s.xc7Ff.mean)}, max ${pct(s.xc7Ff.max)}`, met: s.xc7Ff.mean <= 0.15 && s.xc7Ff.max <= 0.3 },
    { name: 'LUT4 vs yosys synth_ice40', target: 'mean ≤ 15 %, max ≤ 30 %', value: `mean ${pct(s.ice40Lut.mean)}, max ${pct(s.ice40Lut.max)}`, met: s.ice40Lut.mean <= 0.15 && s.ice40Lut.max <= 0.3 },
    { name: 'FF vs yosys synth_ice40', target: 'mean ≤ 15 %, max ≤ 30 %', value: `mean ${pct(s.ice40Ff.mean)}, max ${pct(s.ice40Ff.max)}`, met: s.ice40Ff.mean <= 0.15 && s.ice40Ff.max <= 0.3 },
    { name: 'iCE40 fmax vs nextpnr-ice40', target: 'within ±20 %', value: `${s.fmax.within20}/${s.fmax.n} within, max ${pct(s.fmax.max)}${s.fmax.wrapperLimited ? ` (+${s.fmax.wrapperLimited} wrapper-limited, ≥)` : ''}`, met: s.fmax.n > 0 && s.fmax.within20 === s.fmax.n },
  ];
}

export function formatErrorTable(table) {
  const head = ['held-out network', 'latency', 'II', 'DSP est/meas', 'LUT est/meas', 'FF est/meas', 'LUT4 est/meas', 'FF est/meas', 'fmax est/meas (device)'];
  const pair = (p, f = (v) => String(v)) => (p ? `${f(p.est)}/${f(p.meas)}` : '–');
  const body = table.map((r) => [
    r.blind ? `${r.id} (blind)` : r.id,
    pair(r.latency),
    pair(r.ii),
    r.xc7.error ? r.xc7.error : pair(r.xc7.dsp),
    r.xc7.error ? '' : pair(r.xc7.lut),
    r.xc7.error ? '' : pair(r.xc7.ff),
    r.ice40.error ? r.ice40.error : pair(r.ice40.lut),
    r.ice40.error ? '' : pair(r.ice40.ff),
    r.fmax ? `${r.fmax.est === undefined ? '–' : Number(r.fmax.est).toFixed(0)}/${r.fmax.wrapperLimited ? '≥' : ''}${Number(r.fmax.meas).toFixed(0)} (${r.fmax.device})` : '–',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => String(b[i]).length)));
  const line = (c) => c.map((x, i) => String(x).padEnd(widths[i])).join('  ').trimEnd();
  const lines = [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line), ''];
  const verdicts = (rows) => targets(summarize(rows)).map((t) => `${t.name.padEnd(38)} ${t.value.padEnd(34)} target ${t.target}: ${t.met ? 'met' : 'NOT met'}`);
  lines.push(...verdicts(table));
  // The blind set (corpus.mjs FIRST_BLIND): the latest held-out batch, generated after a round of the estimator was
  // committed and measured once (docs/estimate.md lists any change made after its figures were seen).
  const blind = table.filter((r) => r.blind);
  if (blind.length) lines.push('', `of which the blind set (${blind.length} networks generated after the estimator's last round and measured once, marked (blind)):`, ...verdicts(blind));
  return lines.join('\n');
}

/** The training networks' figures (LUT, FF, fmax; the HX8K runs of training networks as a line of their own). */
export function formatTrainingSummary(table, rows, tables, estimate, items) {
  const s = summarize(table);
  const byId = new Map(items.map((i) => [i.id, i]));
  const hx = rows.filter((r) => timesNetwork(r.m.pnrHx8k));
  const hxErr = hx.map((r) => Math.abs(rel(estimate(byId.get(r.id), tables, 'ice40hx8k').fmaxMhz, r.m.pnrHx8k.fmaxMhz)));
  const mean = (a) => (a.length ? a.reduce((x, y) => x + y, 0) / a.length : NaN);
  return [
    `training networks (${table.length}, what the fit saw):`,
    `  LUT vs synth_xilinx   mean ${pct(s.xc7Lut.mean)}, max ${pct(s.xc7Lut.max)} (${s.xc7Lut.n})`,
    `  FF vs synth_xilinx    mean ${pct(s.xc7Ff.mean)}, max ${pct(s.xc7Ff.max)}`,
    `  LUT4 vs synth_ice40   mean ${pct(s.ice40Lut.mean)}, max ${pct(s.ice40Lut.max)} (${s.ice40Lut.n})`,
    `  FF vs synth_ice40     mean ${pct(s.ice40Ff.mean)}, max ${pct(s.ice40Ff.max)}`,
    `  fmax vs nextpnr       ${s.fmax.within20}/${s.fmax.n} within ±20 %, mean ${pct(s.fmax.mean)}, max ${pct(s.fmax.max)}`,
    `  fmax on the HX8K      ${hxErr.filter((e) => e <= 0.2).length}/${hxErr.length} within ±20 %, mean ${pct(mean(hxErr))}, max ${pct(hxErr.length ? Math.max(...hxErr) : NaN)}`,
  ].join('\n');
}
