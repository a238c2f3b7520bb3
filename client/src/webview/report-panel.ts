// QNN: Show Resource Report — one webview that follows the active .qnn editor and re-renders as the file changes.
import * as vscode from 'vscode';
import type { EstimateCache } from '../estimates.js';
import { activeQnnEditor, networkAtOffset } from '../networks.js';
import type { FromWebview, ToWebview } from '../protocol.js';
import { webviewHtml, webviewOptions } from './html.js';

export class ReportPanel implements vscode.Disposable {
  static current: ReportPanel | undefined;
  private readonly subscriptions: vscode.Disposable[] = [];
  private uri: vscode.Uri;
  private network: string | undefined;
  private ready = false;
  private generation = 0;
  /** The last message posted (for the in-host tests). */
  lastMessage: ToWebview | undefined;

  static show(context: vscode.ExtensionContext, estimates: EstimateCache, uri: vscode.Uri, network: string | undefined): ReportPanel {
    if (ReportPanel.current) {
      ReportPanel.current.follow(uri, network);
      ReportPanel.current.panel.reveal(vscode.ViewColumn.Beside, true);
      return ReportPanel.current;
    }
    const panel = vscode.window.createWebviewPanel('qnn.report', 'QNN Resource Report', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, webviewOptions(context.extensionUri));
    ReportPanel.current = new ReportPanel(panel, context, estimates, uri, network);
    return ReportPanel.current;
  }

  private constructor(
    readonly panel: vscode.WebviewPanel,
    context: vscode.ExtensionContext,
    private readonly estimates: EstimateCache,
    uri: vscode.Uri,
    network: string | undefined,
  ) {
    this.uri = uri;
    this.network = network;
    panel.iconPath = vscode.Uri.joinPath(context.extensionUri, 'icons', 'qnn-file.svg');
    panel.webview.html = webviewHtml(panel.webview, context.extensionUri, { title: 'QNN Resource Report', script: 'report.js' });
    this.subscriptions.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((m: FromWebview) => this.onMessage(m)),
      estimates.onDidChange((u) => u.toString() === this.uri.toString() && void this.refresh()),
      // Follow the file: the active .qnn editor, and the network around its cursor.
      vscode.window.onDidChangeActiveTextEditor((e) => {
        if (e && e.document.languageId === 'qnn') this.follow(e.document.uri, undefined);
      }),
      vscode.window.onDidChangeTextEditorSelection((e) => {
        if (e.textEditor.document.uri.toString() !== this.uri.toString()) return;
        const n = networkAtOffset(e.textEditor.document.getText(), e.textEditor.document.offsetAt(e.selections[0].active));
        if (n && n !== this.network) {
          this.network = n;
          void this.refresh();
        }
      }),
    );
  }

  follow(uri: vscode.Uri, network: string | undefined): void {
    this.uri = uri;
    const editor = activeQnnEditor();
    this.network = network ?? (editor && editor.document.uri.toString() === uri.toString()
      ? networkAtOffset(editor.document.getText(), editor.document.offsetAt(editor.selection.active))
      : undefined);
    void this.refresh();
  }

  async refresh(): Promise<void> {
    if (!this.ready) return;
    const generation = ++this.generation;
    const file = vscode.workspace.asRelativePath(this.uri);
    try {
      const document = await vscode.workspace.openTextDocument(this.uri);
      const all = await this.estimates.get(document);
      if (generation !== this.generation) return;
      const estimate = all.find((e) => e.network === this.network) ?? all[0];
      if (!estimate) {
        this.post({ kind: 'report-error', file, message: `No estimate for ${this.network ?? 'this file'}: the network has errors (see the Problems panel) or the file has no network.` });
        return;
      }
      this.panel.title = `QNN Report: ${estimate.network}`;
      this.post({ kind: 'report', file, estimate });
    } catch (e) {
      if (generation !== this.generation) return;
      this.post({ kind: 'report-error', file, message: e instanceof Error ? e.message : String(e) });
    }
  }

  dispose(): void {
    if (ReportPanel.current === this) ReportPanel.current = undefined;
    for (const s of this.subscriptions) s.dispose();
    this.subscriptions.length = 0;
    this.panel.dispose();
  }

  private post(message: ToWebview): void {
    this.lastMessage = message;
    void this.panel.webview.postMessage(message);
  }

  private onMessage(m: FromWebview): void {
    switch (m.kind) {
      case 'ready':
        this.ready = true;
        void this.refresh();
        return;
      case 'reveal-layer':
        void revealLayer(this.uri, m.layer);
        return;
    }
  }
}

/** Moves the cursor to the definition of a layer (`name =`) in the document. */
export async function revealLayer(uri: vscode.Uri, layer: string): Promise<void> {
  const document = await vscode.workspace.openTextDocument(uri);
  const m = new RegExp(`^[ \\t]*(${layer.replace(/[^A-Za-z0-9_]/g, '')})[ \\t]*=`, 'm').exec(document.getText());
  const editor = await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.One, preserveFocus: false });
  if (!m) return;
  const start = document.positionAt(m.index + m[0].indexOf(m[1]));
  editor.selection = new vscode.Selection(start, start.translate(0, m[1].length));
  editor.revealRange(new vscode.Range(start, start), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
}
