// The VS Code extension: starts the language server, registers the commands, the status bar and the report views.
import { performance } from 'node:perf_hooks';
import * as vscode from 'vscode';
import { QnnLanguageClient } from './client.js';
import { generateProject, type GenerateOptions } from './commands/generate.js';
import { importModel } from './commands/import-model.js';
import { runSimulation, type SimulateOptions } from './commands/simulate.js';
import { EstimateCache } from './estimates.js';
import type { ImportParams } from './protocol.js';
import { resolveTarget } from './networks.js';
import { QnnStatusBar } from './status-bar.js';
import { ReportPanel } from './webview/report-panel.js';
import { SimulationPanel } from './webview/simulation-panel.js';

/** What `activate` returns: the in-host tests and other extensions read it through `extension.exports`. */
export interface QnnExtensionApi {
  /** Milliseconds from the start of `activate` until it returned (the server starts in the background). */
  readonly activationMs: number;
  /** Resolves with the milliseconds from the start of `activate` until the language server answered `initialize`. */
  readonly serverReady: Promise<number>;
  readonly client: QnnLanguageClient;
  readonly statusBar: QnnStatusBar;
  readonly reportPanel: () => ReportPanel | undefined;
  readonly simulationPanels: () => readonly SimulationPanel[];
}

export function activate(context: vscode.ExtensionContext): QnnExtensionApi {
  const t0 = performance.now();
  const output = vscode.window.createOutputChannel('QNN Studio', { log: true });
  const client = new QnnLanguageClient(context, output);
  const estimates = new EstimateCache(client);
  const statusBar = new QnnStatusBar(estimates);
  context.subscriptions.push(output, client, estimates, statusBar);

  const command = (id: string, run: (...args: unknown[]) => unknown) => context.subscriptions.push(vscode.commands.registerCommand(id, run));
  command('qnn.generateProject', (uri, network, options) => generateProject(client, uri, network, (options ?? {}) as GenerateOptions));
  command('qnn.simulate', (uri, network, options) => runSimulation(context, client, uri, network, (options ?? {}) as SimulateOptions));
  command('qnn.showReport', async (uri, network) => {
    const target = await resolveTarget(uri, network, 'report on');
    if (target) ReportPanel.show(context, estimates, target.uri, target.network);
  });
  command('qnn.importModel', (model, options) => importModel(client, model, (options ?? {}) as Partial<ImportParams>));
  command('qnn.restartServer', () => client.restart());

  // Trust granted: restart the server so that it may run tools (it was told `trusted: false`).
  context.subscriptions.push(vscode.workspace.onDidGrantWorkspaceTrust(() => void client.restart()));

  const serverReady = client.ready().then(
    () => {
      const ms = performance.now() - t0;
      output.info(`language server ready ${ms.toFixed(0)} ms after activation started`);
      return ms;
    },
    (e: unknown) => {
      output.error(`the language server did not start: ${e instanceof Error ? e.message : String(e)}`);
      void vscode.window.showErrorMessage('QNN: the language server did not start; see the "QNN Studio" output.', 'Show Output').then((a) => a && output.show());
      return Number.NaN;
    },
  );
  const activationMs = performance.now() - t0;
  output.info(`activated in ${activationMs.toFixed(1)} ms (workspace ${vscode.workspace.isTrusted ? 'trusted' : 'untrusted: editing features only'})`);
  return {
    activationMs,
    serverReady,
    client,
    statusBar,
    reportPanel: () => ReportPanel.current,
    simulationPanels: () => [...SimulationPanel.panels.values()],
  };
}

export function deactivate(): void {
  // The client is in context.subscriptions: VS Code disposes it (and stops the server).
}
