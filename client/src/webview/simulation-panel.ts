// The webview of QNN: Run Bit-Accurate Simulation: one panel per network, replaced by each new run.
import * as vscode from 'vscode';
import type { FromWebview, SimulationJson, ToWebview } from '../protocol.js';
import { webviewHtml, webviewOptions } from './html.js';
import { revealLayer } from './report-panel.js';

export class SimulationPanel implements vscode.Disposable {
  static readonly panels = new Map<string, SimulationPanel>();
  private readonly subscriptions: vscode.Disposable[] = [];
  private ready = false;
  /** The last message posted (for the in-host tests). */
  lastMessage: ToWebview | undefined;

  static show(context: vscode.ExtensionContext, uri: vscode.Uri, result: SimulationJson): SimulationPanel {
    const key = `${uri.toString()}#${result.network}`;
    let p = SimulationPanel.panels.get(key);
    if (!p) {
      const panel = vscode.window.createWebviewPanel('qnn.simulation', `QNN Simulation: ${result.network}`, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, webviewOptions(context.extensionUri));
      p = new SimulationPanel(panel, context, key, uri, result);
      SimulationPanel.panels.set(key, p);
    } else {
      p.result = result;
      p.panel.reveal(vscode.ViewColumn.Beside, true);
      if (p.ready) p.post();
    }
    return p;
  }

  private constructor(
    readonly panel: vscode.WebviewPanel,
    context: vscode.ExtensionContext,
    private readonly key: string,
    private readonly uri: vscode.Uri,
    private result: SimulationJson,
  ) {
    panel.iconPath = vscode.Uri.joinPath(context.extensionUri, 'icons', 'qnn-file.svg');
    panel.webview.html = webviewHtml(panel.webview, context.extensionUri, { title: `QNN Simulation: ${result.network}`, script: 'simulation.js' });
    this.subscriptions.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((m: FromWebview) => {
        if (m.kind === 'ready') {
          this.ready = true;
          this.post();
        } else if (m.kind === 'reveal-layer') {
          void revealLayer(this.uri, m.layer);
        }
      }),
    );
  }

  dispose(): void {
    SimulationPanel.panels.delete(this.key);
    for (const s of this.subscriptions) s.dispose();
    this.subscriptions.length = 0;
    this.panel.dispose();
  }

  private post(): void {
    this.lastMessage = { kind: 'simulation', result: this.result };
    void this.panel.webview.postMessage(this.lastMessage);
  }
}
