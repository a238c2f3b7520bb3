// QNN: Run Bit-Accurate Simulation — `qnn/simulate` with progress and cancel, the result in a webview.
import { randomUUID } from 'node:crypto';
import * as vscode from 'vscode';
import { ResponseError, WorkDoneProgress } from 'vscode-languageclient/node';
import type { QnnLanguageClient } from '../client.js';
import { resolveTarget } from '../networks.js';
import type { SimulateParams, SimulationJson } from '../protocol.js';
import { readSettings } from '../settings.js';
import { findTool } from '../tools.js';
import { SimulationPanel } from '../webview/simulation-panel.js';
import { errorMessage, isCancelled } from './errors.js';

/** Arguments that skip the questions: `qnn.simulate(uri, network, options)`. */
export interface SimulateOptions {
  readonly count?: number;
  readonly rtl?: 'iverilog' | 'verilator' | 'off';
}

export async function runSimulation(
  context: vscode.ExtensionContext,
  client: QnnLanguageClient,
  uriArg?: unknown,
  networkArg?: unknown,
  options: SimulateOptions = {},
): Promise<SimulationJson | undefined> {
  if (!vscode.workspace.isTrusted) {
    void vscode.window.showWarningMessage('QNN: simulation is disabled in an untrusted workspace (Restricted Mode).');
    return undefined;
  }
  const target = await resolveTarget(uriArg, networkArg, 'simulate');
  if (!target) return undefined;
  const settings = readSettings(target.uri);
  const rtl = rtlChoice(options.rtl ?? settings.rtl, settings.tools);
  // The file's test data (a `test … for NETWORK` block) is used when no count is sent; else seeded random inputs.
  const hasTestData = target.network !== undefined && new RegExp(`^\\s*test\\s+[A-Za-z_][A-Za-z0-9_]*\\s+for\\s+${target.network}\\b`, 'm').test(target.document.getText());
  const count = options.count ?? (hasTestData ? undefined : settings.sampleCount);
  const lc = await client.ready();
  const name = target.network ?? 'the network';

  const run = (withRtl: boolean) => vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `QNN: simulating ${name}${withRtl && rtl ? ` (then the RTL in ${rtl.simulator})` : ''}`, cancellable: true },
    async (progress, token) => {
      const params: SimulateParams & { workDoneToken: string } = {
        uri: target.uri.toString(),
        network: target.network,
        ...(count !== undefined ? { count } : {}),
        ...(withRtl && rtl ? { rtl: rtl.simulator } : {}),
        workDoneToken: randomUUID(),
      };
      let last = 0;
      const sub = lc.onProgress(WorkDoneProgress.type, params.workDoneToken, (p) => {
        if (p.kind === 'end') return;
        const pct = p.percentage;
        const increment = pct !== undefined ? Math.max(0, pct - last) : undefined;
        if (pct !== undefined) last = pct;
        progress.report({ message: p.message, increment });
      });
      try {
        return await lc.sendRequest<SimulationJson>('qnn/simulate', params, token);
      } finally {
        sub.dispose();
      }
    },
  );

  try {
    let result: SimulationJson;
    try {
      result = await run(rtl !== undefined);
    } catch (e) {
      // The bit-accurate simulation does not depend on the RTL: when only the co-simulation cannot run (a layer the
      // Verilog backend does not build, a tool that fails), run without it and say why.
      if (!rtl || isCancelled(e) || !isCosimFailure(e)) throw e;
      const reason = errorMessage(e, 'qnn/simulate');
      result = { ...(await run(false)), cosimSkipped: reason };
    }
    if (result.error) {
      void vscode.window.showErrorMessage(`QNN: ${result.error.code}: ${result.error.message}`);
      return result;
    }
    SimulationPanel.show(context, target.uri, result);
    if (result.stopped) void vscode.window.showWarningMessage(`QNN: the simulation was stopped; the report covers ${result.samples} samples.`);
    if (result.cosim && !result.cosim.bitExact) void vscode.window.showErrorMessage(`QNN: the generated hardware differs from the bit-accurate simulator (see the report).`);
    return result;
  } catch (e) {
    if (isCancelled(e)) {
      void vscode.window.showInformationMessage('QNN: simulation cancelled.');
      return undefined;
    }
    void vscode.window.showErrorMessage(`QNN: the simulation failed: ${errorMessage(e, 'qnn/simulate')}`);
    return undefined;
  }
}

/** Errors of the co-simulation step (backend refused the network, tool missing or failing). */
function isCosimFailure(e: unknown): boolean {
  const code = e instanceof ResponseError ? (e.data as { code?: string } | undefined)?.code : undefined;
  return code === 'QNN4011' || code === 'QNN4020' || code === 'QNN4022';
}

/** The RTL simulator to ask for: the one the setting names if it is installed, or under 'auto' the first one found. */
function rtlChoice(
  setting: 'auto' | 'iverilog' | 'verilator' | 'off',
  tools: { readonly iverilog: string; readonly verilator: string },
): { simulator: 'iverilog' | 'verilator'; path: string } | undefined {
  if (setting === 'off') return undefined;
  const order: ('iverilog' | 'verilator')[] = setting === 'auto' ? ['iverilog', 'verilator'] : [setting];
  for (const s of order) {
    const path = findTool(tools[s]);
    if (path) return { simulator: s, path };
  }
  if (setting !== 'auto') void vscode.window.showWarningMessage(`QNN: ${setting} is not installed (setting qnn.tools.${setting}Path); running the bit-accurate simulation only. Install it with: apt-get install -y ${setting}`);
  return undefined;
}
