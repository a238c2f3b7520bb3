// Starts the bundled language server over IPC and keeps one LanguageClient; editing features stay in the server.
import { existsSync } from 'node:fs';
import * as vscode from 'vscode';
import {
  LanguageClient,
  TransportKind,
  type LanguageClientOptions,
  type Middleware,
  type ServerOptions,
} from 'vscode-languageclient/node';
import { readSettings, serverSettings } from './settings.js';

/** The code-lens commands that run tools or write files, hidden in an untrusted workspace. */
const TRUSTED_COMMANDS = new Set(['qnn.generateProject', 'qnn.simulate', 'qnn.importModel']);

export class QnnLanguageClient implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private starting: Promise<LanguageClient> | undefined;
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires after the server (re)started: views refresh then. */
  readonly onDidStart = this.changed.event;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly output: vscode.LogOutputChannel,
  ) {}

  /** The running client, starting it on first use. */
  ready(): Promise<LanguageClient> {
    this.starting ??= this.start();
    return this.starting;
  }

  /** Sends a request once the server runs; rejects with the server's error. */
  async request<R>(method: string, params: unknown, token?: vscode.CancellationToken): Promise<R> {
    const client = await this.ready();
    return token ? client.sendRequest<R>(method, params, token) : client.sendRequest<R>(method, params);
  }

  async restart(): Promise<void> {
    const old = this.starting;
    this.starting = undefined;
    this.client = undefined;
    if (old) {
      try {
        await (await old).stop();
      } catch (e) {
        this.output.warn(`stopping the language server: ${String(e)}`);
      }
    }
    await this.ready();
  }

  async dispose(): Promise<void> {
    const c = this.starting;
    this.starting = undefined;
    this.changed.dispose();
    if (c) await (await c).stop().catch(() => undefined);
  }

  private async start(): Promise<LanguageClient> {
    const settings = readSettings();
    const module = settings.serverPath && existsSync(settings.serverPath)
      ? settings.serverPath
      : this.context.asAbsolutePath('out/server.js');
    const serverOptions: ServerOptions = {
      run: { module, transport: TransportKind.ipc },
      debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6009'] } },
    };
    const clientOptions: LanguageClientOptions = {
      documentSelector: [
        { scheme: 'file', language: 'qnn' },
        { scheme: 'untitled', language: 'qnn' },
      ],
      synchronize: {
        configurationSection: 'qnn',
        // Weights and test data change what the checker says about a .qnn file.
        fileEvents: vscode.workspace.createFileSystemWatcher('**/*.{qnn,npy,csv}'),
      },
      initializationOptions: serverSettings(settings, vscode.workspace.isTrusted),
      outputChannel: this.output,
      middleware: this.middleware(),
    };
    const client = new LanguageClient('qnn', 'QNN Language Server', serverOptions, clientOptions);
    await client.start();
    this.client = client;
    this.output.info(`language server started (${module})`);
    this.changed.fire();
    return client;
  }

  private middleware(): Middleware {
    return {
      provideInlayHints: (document, range, token, next) =>
        readSettings(document.uri).inlayHints ? next(document, range, token) : [],
      provideCodeLenses: async (document, token, next) => {
        const lenses = await next(document, token);
        if (vscode.workspace.isTrusted || !lenses) return lenses;
        return lenses.filter((l) => !l.command || !TRUSTED_COMMANDS.has(l.command.command));
      },
      workspace: {
        // The server asks for `qnn`; it also gets the trust state, which is not a setting.
        configuration: async (params, token, next) => {
          const result = await next(params, token);
          if (!Array.isArray(result)) return result;
          return result.map((r, i) =>
            params.items[i]?.section === 'qnn' && r && typeof r === 'object'
              ? { ...(r as object), trusted: vscode.workspace.isTrusted }
              : r,
          );
        },
      },
    };
  }

  /** The client, if it has started (for the in-host tests). */
  get current(): LanguageClient | undefined {
    return this.client;
  }
}
