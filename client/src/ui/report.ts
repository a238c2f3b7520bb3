// The resource report webview: device utilization, per-layer resource bars, the latency timeline, the layer table.
import type { LayerEstimate, NetworkEstimate, ToWebview } from '../protocol.js';
import { applyTheme, Chart, chartBox, fmt, h, onThemeChange, pct, resetCharts, theme, vscode } from './common.js';

const app = document.getElementById('app') as HTMLElement;
const charts: Chart[] = [];
let last: ToWebview | undefined = vscode.getState() as ToWebview | undefined;

window.addEventListener('message', (e: MessageEvent<ToWebview>) => {
  last = e.data;
  vscode.setState(last);
  render();
});
onThemeChange(render);
if (last) render();
vscode.postMessage({ kind: 'ready' });

const RESOURCES = ['lut', 'ff', 'dsp', 'bram18'] as const;
const LABELS: Record<(typeof RESOURCES)[number], string> = { lut: 'LUT', ff: 'FF', dsp: 'DSP', bram18: 'BRAM18' };

function render(): void {
  resetCharts(charts);
  app.replaceChildren();
  if (!last) return;
  if (last.kind === 'report-error') {
    app.append(h('h1', {}, 'Resource report'), h('p', { class: 'muted' }, last.file), h('p', { class: 'error', id: 'report-error' }, last.message));
    app.dataset.state = 'error';
    return;
  }
  if (last.kind !== 'report') return;
  const t = theme();
  applyTheme(t);
  const e = last.estimate;
  const total = e.total;
  app.append(
    h('h1', { id: 'report-title' }, `${e.network}`),
    h('p', { class: 'muted' }, `${last.file} · ${e.part} at ${e.clockNs} ns (${fmt(1000 / e.clockNs)} MHz)${e.flow ? ` · figures calibrated on ${e.flow === 'ice40' ? 'yosys synth_ice40' : 'yosys synth_xilinx (xc7)'}` : ''}`),
  );
  const cards = h('div', { class: 'cards', id: 'summary' });
  const card = (label: string, value: string, cls = '') => cards.append(h('div', { class: `card ${cls}` }, h('div', { class: 'label' }, label), h('div', { class: 'value' }, value)));
  card('Latency', `${fmt(total.latencyNs)} ns`);
  card('Cycles', `${total.latencyCycles}`);
  card('II', `${total.ii}`);
  for (const r of RESOURCES) card(LABELS[r], `${total[r].toLocaleString('en-US')} · ${pct(e.utilization[r])}`, level(e.utilization[r]));
  if (e.fmaxMhz !== undefined) card('fmax (est.)', `${e.fmaxMhz.toFixed(1)} MHz`, e.fmaxMhz < 1000 / e.clockNs ? 'bad' : 'ok');
  app.append(cards);

  // Device utilization: one bar per resource, colored by how full the device is.
  app.append(h('h2', {}, 'Device utilization'));
  const util = chartBox('utilization-chart', 150);
  app.append(util.box);
  const utilValues = RESOURCES.map((r) => e.utilization[r]);
  charts.push(new Chart(util.canvas, {
    type: 'bar',
    data: {
      labels: RESOURCES.map((r) => LABELS[r]),
      datasets: [{ label: '% of the device', data: utilValues, backgroundColor: utilValues.map((v) => (v > 100 ? t.bad : v > 80 ? t.warn : t.ok)) }],
    },
    options: {
      indexAxis: 'y',
      scales: { x: { min: 0, suggestedMax: 100, title: { display: true, text: `% of ${e.part}` } } },
      plugins: { legend: { display: false }, tooltip: { callbacks: { label: (c) => `${pct(c.parsed.x ?? 0)} (${total[RESOURCES[c.dataIndex]].toLocaleString('en-US')})` } } },
    },
  }));

  // Per-layer resources as a share of the device, so LUTs and DSPs fit on one axis.
  const capacity = Object.fromEntries(RESOURCES.map((r) => [r, e.utilization[r] > 0 ? (total[r] * 100) / e.utilization[r] : 0])) as Record<(typeof RESOURCES)[number], number>;
  const layers = e.layers;
  app.append(h('h2', {}, 'Resources per layer'));
  const per = chartBox('layers-chart', Math.max(140, 26 * layers.length + 60));
  app.append(per.box);
  charts.push(new Chart(per.canvas, {
    type: 'bar',
    data: {
      labels: layers.map((l) => `${l.name} (${l.op})`),
      datasets: RESOURCES.map((r, i) => ({
        label: LABELS[r],
        data: layers.map((l) => (capacity[r] > 0 ? (l[r] * 100) / capacity[r] : 0)),
        backgroundColor: t.series[i],
      })),
    },
    options: {
      indexAxis: 'y',
      scales: { x: { min: 0, title: { display: true, text: '% of the device' } } },
      plugins: { tooltip: { callbacks: { label: (c) => `${c.dataset.label}: ${layers[c.dataIndex][RESOURCES[c.datasetIndex]].toLocaleString('en-US')} (${pct(c.parsed.x ?? 0)})` } } },
      onClick: (_ev, items) => items[0] && reveal(layers[items[0].index].name),
    },
  }));

  // The pipeline: each layer from the cycle it starts to the cycle its result is registered.
  app.append(h('h2', {}, 'Latency timeline'), h('p', { class: 'muted' }, `${total.latencyCycles} cycles = ${fmt(total.latencyNs)} ns; a new input every ${total.ii} cycle${total.ii === 1 ? '' : 's'} (II).`));
  const spans = timeline(layers);
  const tl = chartBox('timeline-chart', Math.max(140, 26 * layers.length + 60));
  app.append(tl.box);
  charts.push(new Chart(tl.canvas, {
    type: 'bar',
    data: {
      labels: layers.map((l) => l.name),
      datasets: [{
        label: 'cycles',
        data: spans.map((s) => [s.start, Math.max(s.end, s.start + 0.08)] as [number, number]),
        backgroundColor: layers.map((l) => (l.latencyCycles === 0 ? t.muted : t.series[0])),
        borderSkipped: false,
      }],
    },
    options: {
      indexAxis: 'y',
      scales: { x: { min: 0, suggestedMax: Math.max(1, total.latencyCycles), title: { display: true, text: 'clock cycle' } } },
      plugins: { legend: { display: false }, tooltip: { callbacks: { label: (c) => `cycles ${spans[c.dataIndex].start}–${spans[c.dataIndex].end} (${layers[c.dataIndex].latencyCycles} cycles, II ${layers[c.dataIndex].ii})` } } },
      onClick: (_ev, items) => items[0] && reveal(layers[items[0].index].name),
    },
  }));

  app.append(h('h2', {}, 'Layers'), layerTable(e));
  if (e.hls) {
    app.append(h('h2', {}, 'Expected Vitis HLS report'), h('p', {}, `${e.hls.latencyCycles} cycles, II ${e.hls.ii}, ${e.hls.lut.toLocaleString('en-US')} LUT, ${e.hls.ff.toLocaleString('en-US')} FF, ${e.hls.dsp.toLocaleString('en-US')} DSP, ${e.hls.bram18} BRAM18; largest unrolled layer ${e.hls.maxUnrolled.toLocaleString('en-US')} operations.`));
  }
  if (e.notes && e.notes.length > 0) app.append(h('h2', {}, 'Notes'), h('ul', { class: 'notes' }, ...e.notes.map((n) => h('li', {}, n))));
  app.classList.toggle('stale', last.stale === true);
  app.dataset.state = 'rendered';
}

function layerTable(e: NetworkEstimate): HTMLElement {
  const head = h('tr', {}, h('th', {}, 'layer'), h('th', {}, 'op'), ...['cycles', 'II', 'LUT', 'FF', 'DSP', 'BRAM18', 'mult: DSP', 'LUT', 'shift', 'skip'].map((x) => h('th', { class: 'num' }, x)));
  const rows = e.layers.map((l) => {
    const m = l.multipliers;
    const tr = h('tr', { class: 'clickable', title: 'Go to the layer' },
      h('td', {}, l.name), h('td', {}, l.op),
      ...[l.latencyCycles, l.ii, l.lut, l.ff, l.dsp, l.bram18, m?.dsp, m?.lut, m?.shift, m?.skip].map((x) => h('td', { class: 'num' }, x === undefined ? '–' : x.toLocaleString('en-US'))));
    tr.addEventListener('click', () => reveal(l.name));
    return tr;
  });
  return h('table', { id: 'layers-table' }, h('thead', {}, head), h('tbody', {}, ...rows));
}

/** Start and end cycle of each layer: the server's start when given, else the layers end to end in order. */
function timeline(layers: readonly LayerEstimate[]): { start: number; end: number }[] {
  let t = 0;
  return layers.map((l) => {
    const start = l.startCycle ?? t;
    const end = start + l.latencyCycles;
    t = Math.max(t, end);
    return { start, end };
  });
}

function level(p: number): string {
  return p > 100 ? 'bad' : p > 80 ? 'warn' : '';
}

function reveal(layer: string): void {
  vscode.postMessage({ kind: 'reveal-layer', layer });
}
