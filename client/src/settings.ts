// The extension's settings (contributes.configuration in package.json), read in one place.
import * as vscode from 'vscode';

export interface QnnSettings {
  readonly defaultPart: string;
  readonly defaultClockNs: number;
  readonly sampleCount: number;
  readonly rtl: 'auto' | 'iverilog' | 'verilator' | 'off';
  readonly inlayHints: boolean;
  readonly statusBar: boolean;
  readonly tools: { readonly iverilog: string; readonly verilator: string; readonly yosys: string; readonly nextpnr: string };
  readonly serverPath: string;
}

export function readSettings(scope?: vscode.ConfigurationScope): QnnSettings {
  const c = vscode.workspace.getConfiguration('qnn', scope);
  return {
    defaultPart: c.get<string>('defaultPart', 'xcu250'),
    defaultClockNs: c.get<number>('defaultClockNs', 5),
    sampleCount: c.get<number>('simulation.sampleCount', 1000),
    rtl: c.get<QnnSettings['rtl']>('simulation.rtl', 'auto'),
    inlayHints: c.get<boolean>('inlayHints.enabled', true),
    statusBar: c.get<boolean>('statusBar.enabled', true),
    tools: {
      iverilog: c.get<string>('tools.iverilogPath', 'iverilog') || 'iverilog',
      verilator: c.get<string>('tools.verilatorPath', 'verilator') || 'verilator',
      yosys: c.get<string>('tools.yosysPath', 'yosys') || 'yosys',
      nextpnr: c.get<string>('tools.nextpnrPath', 'nextpnr-ice40') || 'nextpnr-ice40',
    },
    serverPath: c.get<string>('server.path', ''),
  };
}

/** What the server receives as initializationOptions (and again on every configuration change, as `qnn`). */
export function serverSettings(settings: QnnSettings, trusted: boolean): Record<string, unknown> {
  return {
    // The whole `qnn` section, as the server reads it before its first workspace/configuration request.
    settings: JSON.parse(JSON.stringify(vscode.workspace.getConfiguration('qnn'))) as unknown,
    trusted,
    defaultPart: settings.defaultPart,
    defaultClockNs: settings.defaultClockNs,
    inlayHints: settings.inlayHints,
    sampleCount: settings.sampleCount,
    tools: settings.tools,
  };
}
