// QNN: Import Model — a Keras (.h5/.keras/.json + weights), QKeras or ONNX model to a .qnn file through `qnn/import`.
import { basename, dirname, extname, join } from 'node:path';
import * as vscode from 'vscode';
import type { QnnLanguageClient } from '../client.js';
import type { ImportDiagnostic, ImportParams, ImportResult } from '../protocol.js';
import { readSettings } from '../settings.js';
import { errorMessage } from './errors.js';

export async function importModel(client: QnnLanguageClient, modelArg?: unknown, options: Partial<ImportParams> = {}): Promise<ImportResult | undefined> {
  if (!vscode.workspace.isTrusted) {
    void vscode.window.showWarningMessage('QNN: importing a model writes files and is disabled in an untrusted workspace (Restricted Mode).');
    return undefined;
  }
  const model = modelArg instanceof vscode.Uri ? modelArg.fsPath : typeof modelArg === 'string' ? modelArg : await pickModel();
  if (!model) return undefined;
  let weights = options.weights;
  if (!weights && extname(model).toLowerCase() === '.json') {
    const w = await vscode.window.showOpenDialog({ title: 'QNN: the weights of this Keras model (.h5)', filters: { 'Keras weights': ['h5'] }, defaultUri: vscode.Uri.file(dirname(model)), openLabel: 'Use These Weights' });
    if (!w) return undefined;
    weights = w[0].fsPath;
  }
  const stem = basename(model, extname(model)).replace(/[^A-Za-z0-9_]/g, '_');
  const name = options.name ?? (await vscode.window.showInputBox({
    title: 'QNN: network name',
    value: /^[A-Za-z_]/.test(stem) ? stem : `net_${stem}`,
    validateInput: (v) => (/^[A-Za-z_][A-Za-z0-9_]*$/.test(v) ? undefined : 'A name: letters, digits and _, not starting with a digit.'),
  }));
  if (!name) return undefined;
  const precision = options.precision ?? (await vscode.window.showInputBox({
    title: 'QNN: default precision (QKeras quantizers override it)',
    value: 'fixed<16, 6>',
    prompt: 'The fixed-point type of layers without a quantizer',
  }));
  if (precision === undefined) return undefined;
  const out = options.out ?? (await vscode.window.showOpenDialog({
    title: 'QNN: the folder for the .qnn file and its weights',
    canSelectFiles: false,
    canSelectFolders: true,
    defaultUri: vscode.Uri.file(dirname(model)),
    openLabel: 'Import Here',
  }))?.[0]?.fsPath;
  if (!out) return undefined;
  const settings = readSettings();
  let force = options.force ?? false;
  for (;;) {
    const params: ImportParams = { model, weights, out, name, precision, part: options.part ?? settings.defaultPart, clockNs: options.clockNs ?? settings.defaultClockNs, force };
    let result: ImportResult;
    try {
      result = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `QNN: importing ${basename(model)}`, cancellable: true },
        (_p, token) => client.request<ImportResult>('qnn/import', params, token),
      );
    } catch (e) {
      void vscode.window.showErrorMessage(`QNN: the model was not imported: ${errorMessage(e, 'qnn/import')}`);
      return undefined;
    }
    const diagnostics = result.diagnostics ?? [];
    const text = (d: ImportDiagnostic) => `${d.code ? `${d.code}: ` : ''}${d.message}`;
    if (!result.files || result.files.length === 0) {
      // Files that exist are never replaced without asking.
      if (!force && options.force === undefined && diagnostics.some((d) => d.code === 'QNN5006')) {
        const answer = await vscode.window.showWarningMessage(`QNN: ${name}.qnn or its weights exist in ${out}.`, { modal: true, detail: diagnostics.map(text).join('\n') }, 'Replace Them');
        if (answer === 'Replace Them') {
          force = true;
          continue;
        }
        return result;
      }
      void vscode.window.showErrorMessage('QNN: the model was not imported.', { modal: options.out === undefined, detail: diagnostics.map(text).join('\n') || 'Nothing was written.' });
      return result;
    }
    const qnn = result.qnnPath ?? result.files.find((f) => f.endsWith('.qnn')) ?? join(out, `${name}.qnn`);
    await vscode.window.showTextDocument(vscode.Uri.file(qnn));
    const warnings = diagnostics.filter((d) => d.severity !== 'error' && d.severity !== 1);
    if (warnings.length > 0) void vscode.window.showWarningMessage(`QNN: imported ${result.network ?? name} with ${warnings.length} warnings: ${warnings.map(text).join(' ')}`);
    else void vscode.window.showInformationMessage(`QNN: imported ${result.network ?? name}: ${result.files.length} files written.`);
    return result;
  }
}

async function pickModel(): Promise<string | undefined> {
  const picked = await vscode.window.showOpenDialog({
    title: 'QNN: the model to import',
    canSelectMany: false,
    filters: { 'Models (Keras, QKeras, ONNX)': ['h5', 'keras', 'onnx', 'json'] },
    openLabel: 'Import',
  });
  return picked?.[0]?.fsPath;
}
