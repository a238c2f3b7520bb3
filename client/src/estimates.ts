// The estimates of the open .qnn documents, fetched from the server (`qnn/estimate`) once per document version.
import * as vscode from 'vscode';
import type { QnnLanguageClient } from './client.js';
import type { NetworkEstimate } from './protocol.js';

interface Entry {
  readonly version: number;
  readonly result: Promise<readonly NetworkEstimate[]>;
}

export class EstimateCache implements vscode.Disposable {
  private readonly entries = new Map<string, Entry>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly subscriptions: vscode.Disposable[] = [];
  /** Fires (debounced) when a .qnn document changed or was saved, or a file it may read changed. */
  readonly onDidChange = this.changed.event;

  constructor(private readonly client: QnnLanguageClient) {
    this.subscriptions.push(
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document.languageId === 'qnn' && e.contentChanges.length > 0) this.invalidate(e.document.uri, 400);
      }),
      vscode.workspace.onDidSaveTextDocument((d) => d.languageId === 'qnn' && this.invalidateAll()),
      vscode.workspace.onDidCloseTextDocument((d) => this.entries.delete(d.uri.toString())),
      vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('qnn') && this.invalidateAll()),
      client.onDidStart(() => this.invalidateAll()),
    );
  }

  /** The estimates of every network of the document (the server's answer), cached per version. */
  get(document: vscode.TextDocument): Promise<readonly NetworkEstimate[]> {
    const key = document.uri.toString();
    const hit = this.entries.get(key);
    if (hit && hit.version === document.version) return hit.result;
    const result = this.client
      .request<NetworkEstimate | NetworkEstimate[] | null>('qnn/estimate', { uri: key })
      .then((r) => (r === null || r === undefined ? [] : Array.isArray(r) ? r : [r]));
    this.entries.set(key, { version: document.version, result });
    // A failed request is not cached: the next call asks again.
    result.catch(() => this.entries.get(key)?.result === result && this.entries.delete(key));
    return result;
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    for (const s of this.subscriptions) s.dispose();
    this.changed.dispose();
  }

  private invalidate(uri: vscode.Uri, delayMs: number): void {
    const key = uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.set(key, setTimeout(() => {
      this.timers.delete(key);
      this.entries.delete(key);
      this.changed.fire(uri);
    }, delayMs));
  }

  private invalidateAll(): void {
    const keys = [...this.entries.keys()];
    this.entries.clear();
    for (const k of keys) this.changed.fire(vscode.Uri.parse(k));
    if (keys.length === 0 && vscode.window.activeTextEditor) this.changed.fire(vscode.window.activeTextEditor.document.uri);
  }
}

/** Formats a utilization percentage: "0.4 %", "12 %". */
export function percent(p: number): string {
  return p < 10 ? `${p.toFixed(1)} %` : `${Math.round(p)} %`;
}

/** The largest utilization of an estimate and the resource it belongs to. */
export function peakUtilization(e: NetworkEstimate): { readonly resource: string; readonly value: number } {
  const u = e.utilization;
  const all: [string, number][] = [['LUT', u.lut], ['FF', u.ff], ['DSP', u.dsp], ['BRAM', u.bram18]];
  all.sort((a, b) => b[1] - a[1]);
  return { resource: all[0][0], value: all[0][1] };
}
