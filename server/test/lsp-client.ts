// A real LSP client for the tests and the bench: spawns `node server/bin/qnn-language-server.js --stdio` and speaks
// the protocol through vscode-languageserver-protocol's client side.
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  createProtocolConnection,
  DidChangeTextDocumentNotification,
  DidOpenTextDocumentNotification,
  ExitNotification,
  InitializedNotification,
  InitializeRequest,
  PublishDiagnosticsNotification,
  ShutdownRequest,
  StreamMessageReader,
  StreamMessageWriter,
  type Diagnostic,
  type ProtocolConnection,
  type Range,
} from 'vscode-languageserver-protocol/node.js';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const SERVER_BIN = resolve(REPO, 'server/bin/qnn-language-server.js');

export interface StartOptions {
  readonly root?: string;
  readonly settings?: Record<string, unknown>;
  /** Answers to workspace/configuration (the `qnn` section); `LspClient.configuration` changes them later. */
  readonly configuration?: Record<string, unknown>;
  /** initializationOptions as sent (instead of `{ settings }`). */
  readonly initializationOptions?: Record<string, unknown>;
  /** Environment variables added for the server process (QNN_SERVER_TIMING=1 prints its timing to stderr). */
  readonly env?: Record<string, string>;
}

interface Published {
  readonly version: number | undefined;
  readonly diagnostics: Diagnostic[];
}

export class LspClient {
  private readonly published = new Map<string, Published>();
  private readonly waiters: { uri: string; version: number | undefined; resolve: (d: Diagnostic[]) => void }[] = [];
  private readonly nextWaiters: { uri: string; resolve: (d: Diagnostic[]) => void }[] = [];
  /** Number of diagnostics notifications per URI. */
  readonly publishCount = new Map<string, number>();
  private readonly versions = new Map<string, number>();
  readonly progress: { token: unknown; value: unknown }[] = [];
  readonly logs: string[] = [];
  /** What the client answers to workspace/configuration for the `qnn` section. */
  configuration: Record<string, unknown> | undefined;
  stderr = '';
  exited = false;

  private constructor(
    readonly connection: ProtocolConnection,
    readonly child: ChildProcess,
  ) {}

  static async start(opts: StartOptions = {}): Promise<LspClient> {
    const child = spawn(process.execPath, [SERVER_BIN, '--stdio'], { cwd: REPO, stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...opts.env } });
    const connection = createProtocolConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
    const client = new LspClient(connection, child);
    child.stderr!.on('data', (d: Buffer) => (client.stderr += d.toString()));
    child.on('exit', () => (client.exited = true));
    connection.onNotification(PublishDiagnosticsNotification.type, (p) => {
      client.published.set(p.uri, { version: p.version, diagnostics: p.diagnostics });
      client.publishCount.set(p.uri, (client.publishCount.get(p.uri) ?? 0) + 1);
      for (let i = client.nextWaiters.length - 1; i >= 0; i--) {
        if (client.nextWaiters[i].uri === p.uri) client.nextWaiters.splice(i, 1)[0].resolve(p.diagnostics);
      }
      for (let i = client.waiters.length - 1; i >= 0; i--) {
        const w = client.waiters[i];
        if (w.uri === p.uri && (w.version === undefined || (p.version ?? -1) >= w.version)) {
          client.waiters.splice(i, 1);
          w.resolve(p.diagnostics);
        }
      }
    });
    client.configuration = opts.configuration;
    connection.onRequest('workspace/configuration', () => [client.configuration ?? null]);
    connection.onRequest('client/registerCapability', () => null);
    connection.onRequest('window/workDoneProgress/create', () => null);
    connection.onRequest('workspace/inlayHint/refresh', () => null);
    connection.onRequest('workspace/codeLens/refresh', () => null);
    connection.onNotification('$/progress', (p: { token: unknown; value: unknown }) => client.progress.push(p));
    connection.onNotification('window/logMessage', (p: { message: string }) => client.logs.push(p.message));
    connection.onNotification('window/showMessage', () => undefined);
    connection.listen();
    const root = opts.root ?? REPO;
    await connection.sendRequest(InitializeRequest.type, {
      processId: process.pid,
      rootUri: pathToFileURL(root).href,
      workspaceFolders: [{ uri: pathToFileURL(root).href, name: 'root' }],
      capabilities: {
        workspace: { configuration: opts.configuration !== undefined, workspaceFolders: true },
        textDocument: {
          completion: { completionItem: { snippetSupport: true } },
          hover: { contentFormat: ['markdown'] },
          rename: { prepareSupport: true },
          publishDiagnostics: { relatedInformation: true, versionSupport: true },
        },
        window: { workDoneProgress: true },
      },
      initializationOptions: opts.initializationOptions ?? (opts.settings ? { settings: opts.settings } : undefined),
    });
    await connection.sendNotification(InitializedNotification.type, {});
    return client;
  }

  /** Opens a document (by path, with the given text or the file's) and returns its URI. */
  async open(path: string, text: string): Promise<string> {
    const uri = pathToFileURL(path).href;
    this.versions.set(uri, 1);
    await this.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'qnn', version: 1, text } });
    return uri;
  }

  /** Applies incremental edits; returns the new version. */
  async change(uri: string, edits: { range: Range; text: string }[]): Promise<number> {
    const version = (this.versions.get(uri) ?? 1) + 1;
    this.versions.set(uri, version);
    await this.connection.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version }, contentChanges: edits });
    return version;
  }

  version(uri: string): number {
    return this.versions.get(uri) ?? 0;
  }

  /** The diagnostics published for a version of a document (or later); waits for them. */
  diagnostics(uri: string, version?: number): Promise<Diagnostic[]> {
    const p = this.published.get(uri);
    if (p && (version === undefined || (p.version ?? -1) >= version)) return Promise.resolve(p.diagnostics);
    return new Promise((resolve) => this.waiters.push({ uri, version, resolve }));
  }

  /** The next diagnostics published for a document (after the call). */
  nextDiagnostics(uri: string): Promise<Diagnostic[]> {
    return new Promise((resolve) => this.nextWaiters.push({ uri, resolve }));
  }

  request<R>(method: string, params: unknown): Promise<R> {
    return this.connection.sendRequest(method, params) as Promise<R>;
  }

  async stop(): Promise<void> {
    if (!this.exited) {
      try {
        await this.connection.sendRequest(ShutdownRequest.type);
        await this.connection.sendNotification(ExitNotification.type);
      } catch {
        // Already gone.
      }
    }
    await new Promise<void>((r) => {
      if (this.exited) r();
      else {
        const t = setTimeout(() => {
          this.child.kill();
          r();
        }, 2000);
        this.child.on('exit', () => {
          clearTimeout(t);
          r();
        });
      }
    });
    this.connection.dispose();
  }
}
