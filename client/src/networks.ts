// Which network of a .qnn document the user means: the one around the cursor, else the only one, else a pick.
import * as vscode from 'vscode';

export interface NetworkDecl {
  readonly name: string;
  readonly offset: number;
}

const NETWORK = /^[ \t]*network[ \t]+([A-Za-z_][A-Za-z0-9_]*)/gm;

/** The `network NAME` declarations of a text, in order (comments are not parsed: a commented-out one counts). */
export function networksInText(text: string): NetworkDecl[] {
  const out: NetworkDecl[] = [];
  for (const m of text.matchAll(NETWORK)) out.push({ name: m[1], offset: m.index ?? 0 });
  return out;
}

/** The network whose declaration precedes the offset (the first one when the offset is before all of them). */
export function networkAtOffset(text: string, offset: number): string | undefined {
  const decls = networksInText(text);
  let best = decls[0]?.name;
  for (const d of decls) if (d.offset <= offset) best = d.name;
  return best;
}

export interface Target {
  readonly uri: vscode.Uri;
  readonly document: vscode.TextDocument;
  readonly network: string | undefined;
}

/**
 * The document and network a command works on: the arguments of a code lens or menu ([uri, network]), else the
 * active .qnn editor and the network at its cursor. Asks when the file has several networks and no cursor decides.
 */
export async function resolveTarget(uriArg: unknown, networkArg: unknown, purpose: string): Promise<Target | undefined> {
  const uri = toUri(uriArg) ?? activeQnnEditor()?.document.uri;
  if (!uri) {
    void vscode.window.showErrorMessage(`QNN: open a .qnn file to ${purpose}.`);
    return undefined;
  }
  const document = await vscode.workspace.openTextDocument(uri);
  if (typeof networkArg === 'string' && networkArg) return { uri, document, network: networkArg };
  const editor = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === uri.toString());
  const text = document.getText();
  const decls = networksInText(text);
  if (editor && decls.length > 0) return { uri, document, network: networkAtOffset(text, document.offsetAt(editor.selection.active)) };
  if (decls.length <= 1) return { uri, document, network: decls[0]?.name };
  const picked = await vscode.window.showQuickPick(decls.map((d) => d.name), { title: `QNN: which network to ${purpose}?` });
  return picked ? { uri, document, network: picked } : undefined;
}

export function activeQnnEditor(): vscode.TextEditor | undefined {
  const e = vscode.window.activeTextEditor;
  return e && e.document.languageId === 'qnn' ? e : undefined;
}

function toUri(x: unknown): vscode.Uri | undefined {
  if (x instanceof vscode.Uri) return x;
  if (typeof x === 'string' && x) return x.includes('://') || x.startsWith('file:') ? vscode.Uri.parse(x) : vscode.Uri.file(x);
  if (x && typeof x === 'object' && 'uri' in x) return toUri((x as { uri: unknown }).uri);
  return undefined;
}
