// The status bar item: latency and device utilization of the network in the active .qnn editor; a click opens the report.
import * as vscode from 'vscode';
import { EstimateCache, percent, peakUtilization } from './estimates.js';
import { activeQnnEditor, networkAtOffset } from './networks.js';
import { readSettings } from './settings.js';

export class QnnStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('qnn.estimate', vscode.StatusBarAlignment.Right, 100);
  private readonly subscriptions: vscode.Disposable[] = [];
  private generation = 0;

  constructor(private readonly estimates: EstimateCache) {
    this.item.name = 'QNN: latency and utilization';
    this.subscriptions.push(
      this.item,
      vscode.window.onDidChangeActiveTextEditor(() => void this.update()),
      vscode.window.onDidChangeTextEditorSelection((e) => e.textEditor === vscode.window.activeTextEditor && void this.update()),
      vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('qnn.statusBar') && void this.update()),
      estimates.onDidChange(() => void this.update()),
    );
    void this.update();
  }

  /** The text shown now (for the in-host tests). */
  get text(): string {
    return this.item.text;
  }

  async update(): Promise<void> {
    const generation = ++this.generation;
    const editor = activeQnnEditor();
    if (!editor || !readSettings(editor.document.uri).statusBar) {
      this.item.hide();
      return;
    }
    const document = editor.document;
    const text = document.getText();
    const network = networkAtOffset(text, document.offsetAt(editor.selection.active));
    if (!network) {
      this.item.hide();
      return;
    }
    let estimates;
    try {
      estimates = await this.estimates.get(document);
    } catch (e) {
      if (generation !== this.generation) return;
      this.item.text = '$(circuit-board) QNN';
      this.item.tooltip = `No estimate: ${e instanceof Error ? e.message : String(e)}`;
      this.item.command = undefined;
      this.item.show();
      return;
    }
    if (generation !== this.generation) return;
    const estimate = estimates.find((x) => x.network === network) ?? (estimates.length === 1 ? estimates[0] : undefined);
    if (!estimate) {
      // A network with errors has no estimate: say so instead of showing stale figures.
      this.item.text = `$(circuit-board) ${network}: no estimate`;
      this.item.tooltip = `QNN: ${network} has errors or no estimate yet; fix the problems first.`;
      this.item.command = undefined;
      this.item.show();
      return;
    }
    const peak = peakUtilization(estimate);
    const t = estimate.total;
    this.item.text = `$(circuit-board) ${formatNs(t.latencyNs)} · II ${t.ii} · ${peak.resource} ${percent(peak.value)}`;
    const md = new vscode.MarkdownString(undefined, true);
    md.appendMarkdown(`**${estimate.network}** on \`${estimate.part}\` at ${estimate.clockNs} ns\n\n`);
    md.appendMarkdown(`| | |\n|---|---|\n`);
    md.appendMarkdown(`| latency | ${t.latencyCycles} cycles (${formatNs(t.latencyNs)}) |\n| II | ${t.ii} |\n`);
    md.appendMarkdown(`| LUT | ${t.lut.toLocaleString('en-US')} (${percent(estimate.utilization.lut)}) |\n`);
    md.appendMarkdown(`| FF | ${t.ff.toLocaleString('en-US')} (${percent(estimate.utilization.ff)}) |\n`);
    md.appendMarkdown(`| DSP | ${t.dsp.toLocaleString('en-US')} (${percent(estimate.utilization.dsp)}) |\n`);
    md.appendMarkdown(`| BRAM18 | ${t.bram18.toLocaleString('en-US')} (${percent(estimate.utilization.bram18)}) |\n`);
    if (estimate.fmaxMhz !== undefined) md.appendMarkdown(`| fmax | ${estimate.fmaxMhz.toFixed(1)} MHz |\n`);
    md.appendMarkdown(`\nClick for the resource report.`);
    this.item.tooltip = md;
    this.item.command = { title: 'Show Resource Report', command: 'qnn.showReport', arguments: [document.uri, estimate.network] };
    this.item.show();
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
  }
}

export function formatNs(ns: number): string {
  if (ns >= 1e6) return `${(ns / 1e6).toFixed(2)} ms`;
  if (ns >= 1e4) return `${(ns / 1e3).toFixed(1)} µs`;
  return `${Number.isInteger(ns) ? ns : ns.toFixed(1)} ns`;
}
