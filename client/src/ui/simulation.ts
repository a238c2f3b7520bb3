// The simulation webview: agreement and accuracy, the per-layer error chart, the overflow table, the output scatter.
import type { SimulationJson, ToWebview } from '../protocol.js';
import { applyTheme, Chart, chartBox, fmt, h, onThemeChange, resetCharts, theme, vscode } from './common.js';

const app = document.getElementById('app') as HTMLElement;
const charts: Chart[] = [];
let last: SimulationJson | undefined = (vscode.getState() as { result?: SimulationJson } | undefined)?.result;

window.addEventListener('message', (e: MessageEvent<ToWebview>) => {
  if (e.data.kind !== 'simulation') return;
  last = e.data.result;
  vscode.setState({ result: last });
  render();
});
onThemeChange(render);
if (last) render();
vscode.postMessage({ kind: 'ready' });

function render(): void {
  resetCharts(charts);
  app.replaceChildren();
  const r = last;
  if (!r) return;
  const t = theme();
  applyTheme(t);
  app.append(
    h('h1', { id: 'sim-title' }, `Simulation of ${r.network}`),
    h('p', { class: 'muted' }, `${r.samples.toLocaleString('en-US')} samples · ${r.inputSource} · float reference: TensorFlow.js (${r.floatBackend})${r.stopped ? ' · stopped early' : ''}`),
  );

  const cards = h('div', { class: 'cards', id: 'summary' });
  const card = (label: string, value: string, cls = '') => cards.append(h('div', { class: `card ${cls}` }, h('div', { class: 'label' }, label), h('div', { class: 'value' }, value)));
  for (const o of r.outputs) {
    if (o.top1Agreement !== undefined) card(`${o.name}: top-1 agreement`, percent(o.top1Agreement), o.top1Agreement >= 0.99 ? 'ok' : o.top1Agreement >= 0.95 ? 'warn' : 'bad');
    if (o.fixedAccuracy !== undefined) card(`${o.name}: accuracy (fixed)`, percent(o.fixedAccuracy));
    if (o.floatAccuracy !== undefined) card(`${o.name}: accuracy (float)`, percent(o.floatAccuracy));
    card(`${o.name}: SNR`, o.snrDb === null ? 'exact' : `${o.snrDb.toFixed(1)} dB`, o.snrDb !== null && o.snrDb < 20 ? 'bad' : '');
  }
  const overflowing = r.layers.filter((l) => l.overflow.wrapped + l.overflow.saturated > 0);
  card('Layers overflowing', `${overflowing.length}`, overflowing.length > 0 ? 'bad' : 'ok');
  card('First divergence', r.firstDivergence ?? 'none', r.firstDivergence ? 'warn' : 'ok');
  card('Bit-accurate speed', `${Math.round(r.timing.fixedSamplesPerSecond).toLocaleString('en-US')}/s`);
  const rtl = r.cosim?.rtl;
  if (rtl) card(`RTL (${rtl.simulator})`, rtl.bitExact ? 'bit-exact' : `${rtl.mismatches.toLocaleString('en-US')} mismatches`, rtl.bitExact ? 'ok' : 'bad');
  app.append(cards);
  if (rtl) {
    app.append(h('h2', {}, 'RTL co-simulation'), h('p', { id: 'rtl-result', class: rtl.bitExact ? '' : 'error' },
      `${rtl.simulator}${rtl.version ? ` (${rtl.version})` : ''}: ${rtl.vectors.toLocaleString('en-US')} vectors, ${rtl.totalValues.toLocaleString('en-US')} values, ${rtl.bitExact ? 'every value bit-exact with the simulator' : `${rtl.mismatches} values differ`}; ` +
      `latency ${rtl.latencyCycles ?? '?'} cycles (design: ${rtl.designLatencyCycles ?? '?'}), II ${rtl.ii ?? '?'}${rtl.timedOut ? '; the testbench timed out' : ''}${rtl.seconds !== undefined ? `; ${rtl.seconds.toFixed(1)} s` : ''}.`));
    if (rtl.firstMismatches && rtl.firstMismatches.length > 0) {
      app.append(h('table', {}, h('thead', {}, h('tr', {}, h('th', {}, 'sample'), h('th', {}, 'output'), h('th', { class: 'num' }, 'expected'), h('th', { class: 'num' }, 'got'))),
        h('tbody', {}, ...rtl.firstMismatches.map((m) => h('tr', { class: 'hot' }, h('td', {}, String(m.sample)), h('td', {}, m.element ?? `${m.output}[${m.index}]`), h('td', { class: 'num' }, String(m.expected)), h('td', { class: 'num' }, String(m.got)))))));
    }
  } else if (r.cosimSkipped) {
    app.append(h('h2', {}, 'RTL co-simulation'), h('p', { id: 'rtl-result', class: 'muted' }, `Not run: ${r.cosimSkipped}`));
  }

  // Error per layer: SNR bars (higher is better) and the max |fixed − float| on a log axis.
  const layers = r.layers.filter((l) => l.op !== 'input' || l.maxAbsError > 0);
  app.append(h('h2', {}, 'Error per layer'), h('p', { class: 'muted' }, 'Fixed point against the float32 model on the same inputs. Exact layers have no SNR bar.'));
  const err = chartBox('error-chart', 280);
  app.append(err.box);
  charts.push(new Chart(err.canvas, {
    data: {
      labels: layers.map((l) => l.name),
      datasets: [
        { type: 'bar', label: 'SNR (dB)', data: layers.map((l) => l.snrDb ?? 0), backgroundColor: layers.map((l) => (l.snrDb !== null && l.snrDb < 20 ? t.bad : t.series[0])), yAxisID: 'snr' },
        { type: 'line', label: 'max |error|', data: layers.map((l) => Math.max(l.maxAbsError, 1e-12)), borderColor: t.series[1], backgroundColor: t.series[1], yAxisID: 'err' },
        { type: 'line', label: 'mean |error|', data: layers.map((l) => Math.max(l.meanAbsError, 1e-12)), borderColor: t.series[2], backgroundColor: t.series[2], borderDash: [4, 3], yAxisID: 'err' },
      ],
    },
    options: {
      scales: {
        snr: { type: 'linear', position: 'left', min: 0, title: { display: true, text: 'SNR (dB)' } },
        err: { type: 'logarithmic', position: 'right', title: { display: true, text: '|fixed − float|' }, grid: { drawOnChartArea: false } },
      },
      onClick: (_ev, items) => items[0] && reveal(layers[items[0].index].name),
    },
  }));

  // Overflow: every cast that wrapped or saturated, and the first sample to reproduce it.
  app.append(h('h2', {}, 'Overflow'));
  if (overflowing.length === 0) {
    app.append(h('p', { id: 'overflow-none', class: 'muted' }, 'No value wrapped or saturated in any layer.'));
  } else {
    const head = h('tr', {}, h('th', {}, 'layer'), h('th', {}, 'op'), h('th', {}, 'type'), h('th', { class: 'num' }, 'wrapped'), h('th', { class: 'num' }, 'saturated'), h('th', { class: 'num' }, 'first sample'));
    const rows = overflowing.map((l) => {
      const tr = h('tr', { class: `clickable${l.overflow.wrapped > 0 ? ' hot' : ''}`, title: 'Go to the layer' },
        h('td', {}, l.name), h('td', {}, l.op), h('td', {}, h('code', {}, l.type)),
        h('td', { class: 'num' }, l.overflow.wrapped.toLocaleString('en-US')), h('td', { class: 'num' }, l.overflow.saturated.toLocaleString('en-US')),
        h('td', { class: 'num' }, l.overflow.firstSample === null ? '–' : String(l.overflow.firstSample)));
      tr.addEventListener('click', () => reveal(l.name));
      return tr;
    });
    app.append(h('table', { id: 'overflow-table' }, h('thead', {}, head), h('tbody', {}, ...rows)));
  }

  // Outputs: fixed against float, one point per value; the diagonal is perfect agreement.
  app.append(h('h2', {}, 'Outputs: fixed point against float'));
  for (const o of r.outputs) {
    if (!o.scatter || o.scatter.fixed.length === 0) {
      app.append(h('p', { class: 'muted' }, `${o.name}: max |error| ${fmt(o.maxAbsError)}, mean ${fmt(o.meanAbsError)} (the server sent no output values to plot).`));
      continue;
    }
    const n = Math.min(o.scatter.fixed.length, o.scatter.float.length);
    const points = Array.from({ length: n }, (_, i) => ({ x: o.scatter!.float[i], y: o.scatter!.fixed[i] }));
    const lo = Math.min(...points.map((p) => Math.min(p.x, p.y)));
    const hi = Math.max(...points.map((p) => Math.max(p.x, p.y)));
    const sc = chartBox(`scatter-${o.name}`, 320);
    app.append(h('p', {}, `${o.name} (${o.type}): ${n.toLocaleString('en-US')} values`), sc.box);
    charts.push(new Chart(sc.canvas, {
      type: 'scatter',
      data: {
        datasets: [
          { label: 'value', data: points, backgroundColor: t.series[0], pointRadius: 2 },
          { type: 'line', label: 'fixed = float', data: [{ x: lo, y: lo }, { x: hi, y: hi }], borderColor: t.muted, borderDash: [4, 4], pointRadius: 0 },
        ],
      },
      options: { scales: { x: { title: { display: true, text: 'float32' } }, y: { title: { display: true, text: 'fixed point' } } } },
    }));
  }

  app.append(h('h2', {}, 'Layers'));
  const head = h('tr', {}, h('th', {}, 'layer'), h('th', {}, 'op'), h('th', {}, 'shape'), h('th', {}, 'type'), ...['max |err|', 'mean |err|', 'SNR dB'].map((x) => h('th', { class: 'num' }, x)));
  const rows = r.layers.map((l) => {
    const tr = h('tr', { class: 'clickable' }, h('td', {}, l.name), h('td', {}, l.op), h('td', {}, `[${l.shape.join(', ')}]`), h('td', {}, h('code', {}, l.type)),
      h('td', { class: 'num' }, fmt(l.maxAbsError)), h('td', { class: 'num' }, fmt(l.meanAbsError)), h('td', { class: 'num' }, l.snrDb === null ? 'exact' : l.snrDb.toFixed(1)));
    tr.addEventListener('click', () => reveal(l.name));
    return tr;
  });
  app.append(h('table', { id: 'layers-table' }, h('thead', {}, head), h('tbody', {}, ...rows)));
  app.append(h('p', { class: 'muted' }, `Bit-accurate: ${fmt(r.timing.fixedMs)} ms; float: ${fmt(r.timing.floatMs)} ms.`));
  app.dataset.state = 'rendered';
}

function percent(x: number): string {
  return `${(x * 100).toFixed(1)} %`;
}

function reveal(layer: string): void {
  vscode.postMessage({ kind: 'reveal-layer', layer });
}
