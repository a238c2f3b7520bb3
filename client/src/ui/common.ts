// Shared by the webview scripts: the VS Code webview API, theme colors for Chart.js, and small DOM helpers.
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  LogarithmicScale,
  PointElement,
  ScatterController,
  Tooltip,
} from 'chart.js';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, LogarithmicScale, LineController, LineElement, PointElement, ScatterController, Legend, Tooltip);

export { Chart };

interface VsCodeApi {
  postMessage(message: unknown): void;
  setState(state: unknown): void;
  getState(): unknown;
}
declare function acquireVsCodeApi(): VsCodeApi;
export const vscode: VsCodeApi = acquireVsCodeApi();

/** The editor theme's colors, read from the CSS variables VS Code sets on the webview. */
export interface Theme {
  readonly fg: string;
  readonly muted: string;
  readonly grid: string;
  readonly font: string;
  readonly series: readonly string[];
  readonly ok: string;
  readonly warn: string;
  readonly bad: string;
}

export function theme(): Theme {
  const s = getComputedStyle(document.documentElement);
  const v = (name: string, fallback: string) => s.getPropertyValue(name).trim() || fallback;
  return {
    fg: v('--vscode-editor-foreground', '#cccccc'),
    muted: v('--vscode-descriptionForeground', '#999999'),
    grid: v('--vscode-editorWidget-border', v('--vscode-panel-border', 'rgba(128,128,128,0.35)')),
    font: v('--vscode-font-family', 'sans-serif'),
    series: [
      v('--vscode-charts-blue', '#3794ff'),
      v('--vscode-charts-orange', '#d18616'),
      v('--vscode-charts-purple', '#b180d7'),
      v('--vscode-charts-green', '#89d185'),
      v('--vscode-charts-yellow', '#cca700'),
      v('--vscode-charts-red', '#f14c4c'),
    ],
    ok: v('--vscode-charts-green', '#89d185'),
    warn: v('--vscode-charts-yellow', '#cca700'),
    bad: v('--vscode-charts-red', '#f14c4c'),
  };
}

/** Chart.js defaults from the theme: fonts, text and grid colors; no animation (the views re-render often). */
export function applyTheme(t: Theme): void {
  Chart.defaults.color = t.fg;
  Chart.defaults.borderColor = t.grid;
  Chart.defaults.font.family = t.font;
  Chart.defaults.animation = false;
  Chart.defaults.maintainAspectRatio = false;
}

/** Calls `render` again when the theme changes (VS Code swaps the body's class and the CSS variables). */
export function onThemeChange(render: () => void): void {
  new MutationObserver(() => render()).observe(document.body, { attributes: true, attributeFilter: ['class'] });
}

type Child = Node | string | number | undefined | false;

/** A tiny element builder: h('td', { class: 'num' }, '12'). Text is always set as text, never as HTML. */
export function h(tag: string, attrs: Record<string, string | undefined> = {}, ...children: Child[]): HTMLElement {
  const e = document.createElement(tag);
  for (const [k, val] of Object.entries(attrs)) if (val !== undefined) e.setAttribute(k, val);
  for (const c of children) if (c !== undefined && c !== false) e.append(c instanceof Node ? c : String(c));
  return e;
}

/** A canvas in a box of the given height, for one chart. */
export function chartBox(id: string, heightPx: number): { box: HTMLElement; canvas: HTMLCanvasElement } {
  const canvas = document.createElement('canvas');
  canvas.id = id;
  const box = h('div', { class: 'chart', style: undefined });
  box.style.height = `${heightPx}px`;
  box.append(canvas);
  return { box, canvas };
}

export function fmt(x: number | null | undefined, digits = 3): string {
  if (x === null || x === undefined || Number.isNaN(x)) return '–';
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a >= 1e5 || a < 1e-3) return x.toExponential(2);
  return Number.isInteger(x) ? x.toLocaleString('en-US') : x.toPrecision(digits);
}

export function pct(x: number | undefined): string {
  if (x === undefined || Number.isNaN(x)) return '–';
  return x < 10 ? `${x.toFixed(1)} %` : `${Math.round(x)} %`;
}

/** Destroys the charts of the previous render (Chart.js keeps a registry per canvas). */
export function resetCharts(charts: Chart[]): void {
  for (const c of charts.splice(0)) c.destroy();
}
