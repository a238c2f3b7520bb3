// The language server: the LSP connection, the open documents, and the handlers that translate between LSP and
// the plain results of the features (which call the core: language, compiler, simulator).
import {
  CodeActionKind,
  DidChangeConfigurationNotification,
  DidChangeWatchedFilesNotification,
  FileChangeType,
  ResponseError,
  TextDocumentSyncKind,
  WorkDoneProgressCancelNotification,
  type CancellationToken,
  type Connection,
  type InitializeResult,
  type ProgressToken,
} from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { WorkDoneProgress } from 'vscode-languageserver-protocol';
import type { Diagnostic as QnnDiagnostic } from '@qnn/language';
import { pathToUri, uriToPath } from './paths.js';
import { Workspace } from './workspace.js';
import { hoverAt } from './features/hover.js';
import { completeAt } from './features/completion.js';
import { codeLenses, fileDiagnostics, inlayHints, toLspDiagnostic } from './features/figures.js';
import { definitionAt, referencesOf, renameAt, symbolAt } from './features/navigation.js';
import { documentSymbols, foldingRanges, formatDocument, selectionRange, semanticTokens, signatureAt, TOKEN_MODIFIERS, TOKEN_TYPES } from './features/editing.js';
import { codeActions } from './features/actions.js';
import { definitionsOf } from './locate.js';
import { releaseMemoryWhenIdle } from './memory.js';
import { EstimateJobs } from './estimate-jobs.js';
import { buildRequest, ERROR_CODES, estimateRequest, generateWeights, importRequest, simulateRequest, type Progress } from './features/requests.js';

/** The settings of the `qnn` section (docs/server.md). */
export interface Settings {
  /** False in an untrusted workspace (VS Code's Restricted Mode): no simulation, build, import or file writes. */
  readonly trusted: boolean;
  /** Part and clock for networks whose file gives no target. */
  readonly defaultPart?: string;
  readonly defaultClockNs?: number;
  readonly inlayHints: { readonly enabled: boolean };
  readonly codeLens: { readonly enabled: boolean };
  readonly diagnostics: { readonly debounceMs: number; readonly estimateDelayMs: number };
}

export const DEFAULT_SETTINGS: Settings = { trusted: true, inlayHints: { enabled: true }, codeLens: { enabled: true }, diagnostics: { debounceMs: 5, estimateDelayMs: 250 } };

export const SERVER_COMMANDS = ['qnn.generateWeights'];

/** Time a hover, hint or lens request may spend computing an estimate when it has an earlier one to show. */
const ESTIMATE_BUDGET_MS = 50;
/** Time a request waits for the background job when a network has no figures at all yet. */
const ESTIMATE_WAIT_MS = 10_000;

export function startServer(connection: Connection, opts: { readonly workspace?: Workspace } = {}): void {
  const ws = opts.workspace ?? new Workspace();
  const documents = new Map<string, TextDocument>();
  /** The estimator's diagnostics of each open document, with spans in its current text. */
  const estimates = new Map<string, readonly QnnDiagnostic[]>();
  const estimatePending = new Set<string>();
  let estimateTimer: NodeJS.Timeout | undefined;
  let settings: Settings = DEFAULT_SETTINGS;
  let canPullConfig = false;
  let canWatchFiles = false;
  let canRefreshHints = false;
  let canRefreshLenses = false;
  const pending = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let folders: string[] = [];
  let clientHasFolders = false;

  const log = (m: string) => connection.console.log(m);
  /** QNN_SERVER_TIMING=1 prints the time of every check, estimate and request to stderr (for profiling). */
  const timing = process.env.QNN_SERVER_TIMING === '1';
  const timed = <T>(what: string, f: () => T): T => {
    if (!timing) return f();
    const t0 = performance.now();
    try {
      return f();
    } finally {
      process.stderr.write(`qnn-timing ${what} ${(performance.now() - t0).toFixed(1)} ms\n`);
    }
  };

  // ---- lifecycle -------------------------------------------------------------------------------------------------
  connection.onInitialize((params): InitializeResult => {
    const caps = params.capabilities;
    canPullConfig = caps.workspace?.configuration === true;
    canWatchFiles = caps.workspace?.didChangeWatchedFiles?.dynamicRegistration === true;
    canRefreshHints = caps.workspace?.inlayHint?.refreshSupport === true;
    canRefreshLenses = caps.workspace?.codeLens?.refreshSupport === true;
    // The extension sends its flat values (trusted, defaultPart, …) and the whole `qnn` section as `settings`.
    const init = params.initializationOptions as { settings?: unknown } | undefined;
    settings = mergeSettings(mergeSettings(settings, init), init?.settings);
    applySettings();
    folders = params.workspaceFolders?.map((f) => uriToPath(f.uri)) ?? (params.rootUri ? [uriToPath(params.rootUri)] : []);
    ws.setFolders(folders);
    clientHasFolders = caps.workspace?.workspaceFolders === true;
    return {
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
        hoverProvider: true,
        completionProvider: { triggerCharacters: [':', '(', '<', ',', '='] },
        signatureHelpProvider: { triggerCharacters: ['(', ','], retriggerCharacters: [','] },
        definitionProvider: true,
        referencesProvider: true,
        renameProvider: { prepareProvider: true },
        documentSymbolProvider: true,
        workspaceSymbolProvider: true,
        semanticTokensProvider: { legend: { tokenTypes: [...TOKEN_TYPES], tokenModifiers: [...TOKEN_MODIFIERS] }, full: true, range: true },
        foldingRangeProvider: true,
        selectionRangeProvider: true,
        documentFormattingProvider: true,
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
        codeLensProvider: { resolveProvider: false },
        inlayHintProvider: { resolveProvider: false },
        executeCommandProvider: { commands: SERVER_COMMANDS },
        workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
      },
      serverInfo: { name: 'qnn-language-server', version: '0.1.0' },
    };
  });

  connection.onInitialized(async () => {
    if (canPullConfig) {
      void connection.client.register(DidChangeConfigurationNotification.type, { section: 'qnn' }).catch(() => undefined);
      await pullSettings();
    }
    if (canWatchFiles) {
      void connection.client
        .register(DidChangeWatchedFilesNotification.type, { watchers: [{ globPattern: '**/*.{qnn,npy,csv}' }] })
        .catch(() => undefined);
    }
    if (clientHasFolders) connection.workspace.onDidChangeWorkspaceFolders((e) => ws.setFolders(currentFolders(e)));
  });

  function currentFolders(e: { added: { uri: string }[]; removed: { uri: string }[] }): string[] {
    const removed = new Set(e.removed.map((f) => uriToPath(f.uri)));
    folders = [...folders.filter((f) => !removed.has(f)), ...e.added.map((f) => uriToPath(f.uri))];
    return folders;
  }

  function applySettings(): void {
    ws.setEstimateDefaults({ part: settings.defaultPart, clockNs: settings.defaultClockNs });
  }

  /** Requests that run tools or write files are refused in an untrusted workspace. */
  function requireTrust(what: string): void {
    if (!settings.trusted) throw new ResponseError(ERROR_CODES.failed, `${what} is not available in an untrusted workspace.`, { code: 'QNN4000', untrusted: true });
  }

  async function pullSettings(): Promise<void> {
    try {
      const [s] = (await connection.workspace.getConfiguration([{ section: 'qnn' }])) as unknown[];
      settings = mergeSettings(settings, s);
      applySettings();
    } catch {
      // A client without configuration keeps the defaults.
    }
  }

  connection.onDidChangeConfiguration(async (change) => {
    if (canPullConfig) await pullSettings();
    else {
      settings = mergeSettings(settings, (change.settings as { qnn?: unknown } | undefined)?.qnn);
      applySettings();
    }
    if (canRefreshHints) void connection.languages.inlayHint.refresh().catch(() => undefined);
    if (canRefreshLenses) void connection.sendRequest('workspace/codeLens/refresh').catch(() => undefined);
  });

  // ---- documents and diagnostics -------------------------------------------------------------------------------
  const changed = (doc: TextDocument) => {
    const path = uriToPath(doc.uri);
    schedule(ws.update({ uri: doc.uri, path, version: doc.version, text: doc.getText() }));
  };
  connection.onDidOpenTextDocument((p) => {
    const doc = TextDocument.create(p.textDocument.uri, p.textDocument.languageId, p.textDocument.version, p.textDocument.text);
    documents.set(doc.uri, doc);
    estimates.delete(uriToPath(doc.uri));
    accepted.delete(uriToPath(doc.uri));
    changed(doc);
  });
  connection.onDidChangeTextDocument((p) => {
    const doc = documents.get(p.textDocument.uri);
    if (!doc) return;
    const path = uriToPath(doc.uri);
    // The estimator's diagnostics follow the edits until they are computed again (no flicker while typing).
    let est = estimates.get(path);
    for (const c of p.contentChanges) {
      if ('range' in c && c.range) {
        const start = doc.offsetAt(c.range.start);
        const end = doc.offsetAt(c.range.end);
        if (est) est = shiftSpans(est, start, end, c.text.length);
      } else est = undefined;
      TextDocument.update(doc, [c], p.textDocument.version);
    }
    if (est) estimates.set(path, est);
    else estimates.delete(path);
    changed(doc);
  });
  connection.onDidCloseTextDocument((p) => {
    const path = uriToPath(p.textDocument.uri);
    documents.delete(p.textDocument.uri);
    estimates.delete(path);
    pending.delete(path);
    accepted.delete(path);
    schedule(ws.close(path));
    void connection.sendDiagnostics({ uri: p.textDocument.uri, diagnostics: [] });
  });

  connection.onDidChangeWatchedFiles((e) => {
    const stale = new Set<string>();
    for (const c of e.changes) {
      const path = uriToPath(c.uri);
      if (ws.document(path) && c.type !== FileChangeType.Deleted) continue; // the buffer wins over the disk
      for (const p of ws.diskChanged(path)) stale.add(p);
    }
    schedule([...stale]);
  });

  /**
   * Diagnostics in two steps. The checker's (syntax, names, types, shapes, weights) follow an edit at once when it
   * comes after a quiet spell, else after the debounce delay; edits that arrive within it, or while a check runs, are
   * checked once. The estimator's (QNN3xxx), which
   * cost more, follow once the document has been quiet for `estimateDelayMs`; until then the previous ones stay,
   * moved along with the edits.
   */
  function schedule(paths: readonly string[]): void {
    for (const p of paths) pending.add(p);
    if (timer) clearTimeout(timer);
    // Leading edge: the first edit after a quiet spell is checked at once (after the messages already read); edits
    // that follow each other within the debounce delay wait for it, and are checked once.
    const now = performance.now();
    const quiet = now - lastSchedule >= settings.diagnostics.debounceMs;
    lastSchedule = now;
    timer = setTimeout(flush, quiet ? 0 : settings.diagnostics.debounceMs);
    if (estimateTimer) clearTimeout(estimateTimer);
    estimateTimer = undefined;
  }

  let lastSchedule = -Infinity;

  function flush(): void {
    timer = undefined;
    const paths = [...pending];
    pending.clear();
    // With no estimate delay, one publication carries both.
    const now = settings.diagnostics.estimateDelayMs === 0;
    for (const path of paths) {
      publish(path, now);
      if (!now) estimatePending.add(path);
    }
    if (now) return;
    if (estimateTimer) clearTimeout(estimateTimer);
    estimateTimer = setTimeout(flushEstimates, settings.diagnostics.estimateDelayMs);
  }

  /**
   * Background estimates: one job per entry file in a worker thread (estimate-jobs.ts), so that estimating a large
   * network never holds up requests. A job takes the entry's current version when it starts; its result is used only
   * if the document is still at that version (else it becomes the stale figures shown until the next job, which the
   * edit has scheduled). Without a worker, the server computes the estimates itself.
   */
  const jobs = new EstimateJobs((request, result) => {
    const doc = ws.document(request.entry);
    if (!result) {
      // No worker: compute here, as one step.
      if (doc) timed('estimate (no worker)', () => publish(request.entry, true));
      estimatePending.delete(request.entry);
      ws.estimatesMissing.delete(request.entry);
      refreshViews();
      releaseMemoryWhenIdle();
      return;
    }
    if (!doc || doc.version !== request.version) {
      ws.rememberEstimates(request.entry, result.estimates);
      return;
    }
    timed('estimate results', () => {
      accepted.set(request.entry, request.version);
      const a = ws.analysis(request.entry);
      ws.acceptEstimates(a, result.estimates);
      estimates.set(request.entry, result.diagnostics);
      estimatePending.delete(request.entry);
      ws.estimatesMissing.delete(request.entry);
      publish(request.entry, false);
    });
    refreshViews();
    releaseMemoryWhenIdle();
  });
  ws.backgroundPending = (entry) => jobs.pending(entry);
  /** The document version whose estimates the last accepted job computed, per entry file. */
  const accepted = new Map<string, number>();
  connection.onShutdown(() => jobs.dispose());

  /** Queues the background job of an entry file; it is built from the document's version when it starts. */
  function requestEstimates(path: string): void {
    jobs.request(path, () => {
      const doc = ws.document(path);
      // Closed, or this version's estimates are in already (a request started its job before the timer did).
      if (!doc || accepted.get(path) === doc.version) return undefined;
      const file = ws.analysis(path).file;
      const networks = [...(file?.networks.values() ?? [])].map((n) => [n.name, ws.estimateOptions(n)] as const);
      const buffers = Object.fromEntries(ws.openDocuments().map((d) => [d.path, d.text]));
      return { entry: path, version: doc.version, buffers, networks };
    });
  }

  /** Requests that showed stale estimates leave their entry files in `estimatesMissing`: compute them in the background. */
  function estimateLater(): void {
    for (const entry of ws.estimatesMissing) if (!jobs.pending(entry)) requestEstimates(entry);
  }

  function refreshViews(): void {
    if (canRefreshHints) void connection.languages.inlayHint.refresh().catch(() => undefined);
    if (canRefreshLenses) void connection.sendRequest('workspace/codeLens/refresh').catch(() => undefined);
  }

  /** After `estimateDelayMs` of quiet: the background jobs of the documents edited since the last ones. */
  function flushEstimates(): void {
    estimateTimer = undefined;
    for (const path of estimatePending) {
      if (ws.document(path)) requestEstimates(path);
      else estimatePending.delete(path);
    }
  }

  function publish(path: string, fresh: boolean): void {
    const doc = ws.document(path);
    if (!doc) return;
    try {
      const a = timed('analysis', () => ws.analysis(path));
      let est: readonly QnnDiagnostic[];
      if (fresh) {
        est = timed('estimate diagnostics', () => a.estimator.diagnostics(a.program).filter((d) => d.path === path));
        estimates.set(path, est);
        // The estimator caches per network: the figures of hovers, hints and lenses come at little extra cost.
        timed('estimates', () => {
          while (ws.computeEstimate(a));
        });
      } else est = estimates.get(path) ?? [];
      const diagnostics = fileDiagnostics(a, path, est).map((d) => toLspDiagnostic(a, d));
      void connection.sendDiagnostics({ uri: doc.uri, version: doc.version, diagnostics });
    } catch (e) {
      log(`qnn: diagnostics of ${path} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    }
  }

  // ---- requests ------------------------------------------------------------------------------------------------
  /** Runs a request on the current analysis of a document; a cancelled or failing request answers null. */
  function onDoc<T>(uri: string, token: CancellationToken | undefined, f: (a: ReturnType<Workspace['analysis']>, path: string) => T): T | null {
    if (token?.isCancellationRequested) return null;
    const path = uriToPath(uri);
    try {
      const a = timed('analysis', () => ws.analysis(path));
      return timed('request', () => f(a, path));
    } catch (e) {
      if (e instanceof ResponseError) throw e;
      log(`qnn: request on ${path} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      return null;
    }
  }
  const offsetOf = (a: ReturnType<Workspace['analysis']>, path: string, pos: { line: number; character: number }) => a.lines(path).offsetAt(pos);
  const loc = (world: ReturnType<Workspace['analysis']>, fs: { path: string; span: { start: number; end: number } }) => ({
    uri: ws.document(fs.path)?.uri ?? pathToUri(fs.path),
    range: world.program.files.has(fs.path) ? world.lines(fs.path).rangeOf(fs.span) : { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
  });

  /**
   * Before a hover, hint, lens or estimate request: when a network of the document has no figures at all yet (just
   * opened), wait for the background job (starting it if needed) rather than estimate here, which would hold every
   * other request. At most ESTIMATE_WAIT_MS; then the request computes what is still missing itself.
   */
  async function figuresReady(uri: string, token: CancellationToken | undefined): Promise<void> {
    const path = uriToPath(uri);
    if (settings.diagnostics.estimateDelayMs === 0 || !ws.document(path)) return;
    let a;
    try {
      a = ws.analysis(path);
    } catch {
      return;
    }
    if (ws.hasFigures(a)) return;
    if (!jobs.pending(path)) requestEstimates(path);
    let timer: NodeJS.Timeout | undefined;
    let sub: { dispose(): void } | undefined;
    await Promise.race([
      jobs.whenIdle(path),
      new Promise<void>((r) => (timer = setTimeout(r, ESTIMATE_WAIT_MS))),
      new Promise<void>((r) => (sub = token?.onCancellationRequested(() => r()))),
    ]);
    clearTimeout(timer);
    sub?.dispose();
  }

  connection.onHover(async (p, token) => {
    await figuresReady(p.textDocument.uri, token);
    return onDoc(p.textDocument.uri, token, (a, path) => {
      const h = hoverAt(a, path, offsetOf(a, path, p.position), performance.now() + ESTIMATE_BUDGET_MS);
      estimateLater();
      return h ? { contents: { kind: 'markdown' as const, value: h.markdown }, range: a.lines(path).rangeOf(h.span) } : null;
    });
  });

  connection.onCompletion((p, token) =>
    onDoc(p.textDocument.uri, token, (a, path) => {
      const f = a.fileAt(path);
      return f ? completeAt(f, offsetOf(a, path, p.position), a.program) : [];
    }),
  );

  connection.onSignatureHelp((p, token) =>
    onDoc(p.textDocument.uri, token, (a, path) => {
      const f = a.fileAt(path);
      return f ? (signatureAt(f, offsetOf(a, path, p.position)) ?? null) : null;
    }),
  );

  connection.onDefinition((p, token) =>
    onDoc(p.textDocument.uri, token, (a, path) => {
      const d = definitionAt(a, path, offsetOf(a, path, p.position));
      if (!d) return null;
      if (a.program.files.has(d.path)) return loc(a, d);
      return { uri: pathToUri(d.path), range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } };
    }),
  );

  connection.onReferences((p, token) =>
    onDoc(p.textDocument.uri, token, (a, path) => {
      const f = a.fileAt(path);
      const at = f ? symbolAt(f, offsetOf(a, path, p.position)) : undefined;
      if (!at) return [];
      const world = ws.world();
      return referencesOf(world, at.symbol, p.context.includeDeclaration).map((r) => loc(world, r));
    }),
  );

  connection.onPrepareRename((p, token) =>
    onDoc(p.textDocument.uri, token, (a, path) => {
      const f = a.fileAt(path);
      const at = f ? symbolAt(f, offsetOf(a, path, p.position)) : undefined;
      if (!at) throw new ResponseError(ERROR_CODES.badRequest, 'Only types, networks, tests, inputs and layers can be renamed.');
      return { range: a.lines(path).rangeOf(at.span), placeholder: at.written };
    }),
  );

  connection.onRenameRequest((p, token) =>
    onDoc(p.textDocument.uri, token, (a, path) => {
      const world = ws.world();
      const r = renameAt(world, path, offsetOf(a, path, p.position), p.newName);
      if (!r.ok) throw new ResponseError(ERROR_CODES.badRequest, r.message);
      const changes: Record<string, { range: ReturnType<typeof loc>['range']; newText: string }[]> = {};
      for (const e of r.edits) {
        const l = loc(world, e);
        (changes[l.uri] ??= []).push({ range: l.range, newText: p.newName });
      }
      return { changes };
    }),
  );

  connection.onDocumentSymbol((p, token) =>
    onDoc(p.textDocument.uri, token, (a, path) => {
      const f = a.fileAt(path);
      return f ? documentSymbols(f, a.lines(path)) : [];
    }),
  );

  connection.onWorkspaceSymbol((p, token) => {
    if (token.isCancellationRequested) return [];
    const world = ws.world();
    const q = p.query.toLowerCase();
    const kinds = { type: 26, network: 2, test: 24, input: 13, layer: 12 } as const;
    const out = [];
    for (const f of world.program.files.values()) {
      for (const s of definitionsOf(f)) {
        if (q && !fuzzy(s.name.toLowerCase(), q)) continue;
        out.push({ name: s.name, kind: kinds[s.kind], location: loc(world, s), containerName: baseName(f.path) });
        if (out.length >= 1000) return out;
      }
    }
    return out;
  });

  connection.languages.semanticTokens.on((p, token) =>
    onDoc(p.textDocument.uri, token, (a, path) => {
      const f = a.fileAt(path);
      return { data: f ? semanticTokens(f, a.lines(path)) : [] };
    }) ?? { data: [] },
  );
  connection.languages.semanticTokens.onRange((p, token) =>
    onDoc(p.textDocument.uri, token, (a, path) => {
      const f = a.fileAt(path);
      const li = a.lines(path);
      return { data: f ? semanticTokens(f, li, { start: li.offsetAt(p.range.start), end: li.offsetAt(p.range.end) }) : [] };
    }) ?? { data: [] },
  );

  connection.onFoldingRanges((p, token) =>
    onDoc(p.textDocument.uri, token, (a, path) => {
      const f = a.fileAt(path);
      return f ? foldingRanges(f, a.lines(path)) : [];
    }),
  );

  connection.onSelectionRanges((p, token) =>
    onDoc(p.textDocument.uri, token, (a, path) => {
      const f = a.fileAt(path);
      return f ? p.positions.map((pos) => selectionRange(f, a.lines(path), offsetOf(a, path, pos))) : [];
    }),
  );

  connection.onDocumentFormatting((p, token) =>
    onDoc(p.textDocument.uri, token, (a, path) => {
      const f = a.fileAt(path);
      if (!f) return [];
      const r = formatDocument(f, a.lines(path), p.options);
      if ('error' in r) {
        void connection.window.showWarningMessage(r.error);
        return [];
      }
      return r.edits;
    }),
  );

  connection.onCodeAction((p, token) =>
    onDoc(p.textDocument.uri, token, (a, path) => {
      const li = a.lines(path);
      return codeActions(ws, a, path, p.textDocument.uri, { start: li.offsetAt(p.range.start), end: li.offsetAt(p.range.end) }, p.context.diagnostics);
    }),
  );

  connection.onCodeLens(async (p, token) => {
    if (!settings.codeLens.enabled) return [];
    await figuresReady(p.textDocument.uri, token);
    const r = onDoc(p.textDocument.uri, token, (a, path) => codeLenses(a, path, p.textDocument.uri, performance.now() + ESTIMATE_BUDGET_MS));
    estimateLater();
    return r;
  });

  connection.languages.inlayHint.on(async (p, token) => {
    if (!settings.inlayHints.enabled) return [];
    await figuresReady(p.textDocument.uri, token);
    const r = onDoc(p.textDocument.uri, token, (a, path) => {
      const li = a.lines(path);
      return inlayHints(a, path, { start: li.offsetAt(p.range.start), end: li.offsetAt(p.range.end) }, performance.now() + ESTIMATE_BUDGET_MS);
    });
    estimateLater();
    return r;
  });

  connection.onExecuteCommand((p) => {
    if (p.command !== 'qnn.generateWeights') throw new ResponseError(ERROR_CODES.badRequest, `Unknown command '${p.command}'.`);
    requireTrust('Writing a weights file');
    const [uri, pos] = (p.arguments ?? []) as [string, { line: number; character: number }];
    const path = uriToPath(uri);
    const a = ws.analysis(path);
    const written = generateWeights(ws, uri, a.lines(path).offsetAt(pos));
    schedule(ws.diskChanged(written));
    return { path: written };
  });

  // ---- custom requests (docs/server.md) --------------------------------------------------------------------------
  connection.onRequest('qnn/estimate', async (p: Parameters<typeof estimateRequest>[1], token) => {
    if (typeof p?.uri === 'string') await figuresReady(p.uri, token);
    return estimateRequest(ws, p);
  });
  connection.onRequest('qnn/build', (p: Parameters<typeof buildRequest>[1]) => {
    requireTrust('Building a project');
    return buildRequest(ws, p);
  });
  connection.onRequest('qnn/import', (p: Parameters<typeof importRequest>[0]) => {
    requireTrust('Importing a model');
    return importRequest(p);
  });

  // Progress tokens of running simulations, so that the client can cancel through the progress UI too.
  const progressCancels = new Map<ProgressToken, () => void>();
  connection.onNotification(WorkDoneProgressCancelNotification.type, (p) => progressCancels.get(p.token)?.());
  connection.onRequest('qnn/simulate', async (p: Parameters<typeof simulateRequest>[1] & { workDoneToken?: ProgressToken }, token: CancellationToken) => {
    requireTrust('Simulation');
    const wdt = p?.workDoneToken;
    let cancelled = false;
    const listeners: (() => void)[] = [];
    const combined: CancellationToken = {
      get isCancellationRequested() {
        return cancelled || token.isCancellationRequested;
      },
      onCancellationRequested: (listener: () => void) => {
        listeners.push(listener);
        const d = token.onCancellationRequested(listener);
        return { dispose: () => d.dispose() };
      },
    } as CancellationToken;
    if (wdt !== undefined) {
      progressCancels.set(wdt, () => {
        cancelled = true;
        for (const l of listeners) l();
      });
    }
    const progress: Progress = {
      begin: (title) => {
        if (wdt !== undefined) void connection.sendProgress(WorkDoneProgress.type, wdt, { kind: 'begin', title, cancellable: true, percentage: 0 });
      },
      report: (percentage, message) => {
        if (wdt !== undefined) void connection.sendProgress(WorkDoneProgress.type, wdt, { kind: 'report', percentage, message });
      },
      done: () => {
        if (wdt !== undefined) {
          void connection.sendProgress(WorkDoneProgress.type, wdt, { kind: 'end' });
          progressCancels.delete(wdt);
        }
      },
    };
    return simulateRequest(ws, p, combined, progress);
  });

  connection.listen();
}

function mergeSettings(base: Settings, raw: unknown): Settings {
  if (typeof raw !== 'object' || raw === null) return base;
  const r = raw as {
    trusted?: unknown;
    defaultPart?: unknown;
    defaultClockNs?: unknown;
    inlayHints?: { enabled?: unknown } | boolean;
    codeLens?: { enabled?: unknown } | boolean;
    diagnostics?: { debounceMs?: unknown; estimateDelayMs?: unknown };
  };
  const flag = (v: { enabled?: unknown } | boolean | undefined, dflt: boolean) => (typeof v === 'boolean' ? v : typeof v?.enabled === 'boolean' ? v.enabled : dflt);
  const debounce = r.diagnostics?.debounceMs;
  const estimateDelay = r.diagnostics?.estimateDelayMs;
  return {
    trusted: typeof r.trusted === 'boolean' ? r.trusted : base.trusted,
    defaultPart: typeof r.defaultPart === 'string' && r.defaultPart !== '' ? r.defaultPart : base.defaultPart,
    defaultClockNs: typeof r.defaultClockNs === 'number' && r.defaultClockNs > 0 ? r.defaultClockNs : base.defaultClockNs,
    inlayHints: { enabled: flag(r.inlayHints, base.inlayHints.enabled) },
    codeLens: { enabled: flag(r.codeLens, base.codeLens.enabled) },
    diagnostics: {
      debounceMs: typeof debounce === 'number' && debounce >= 0 && debounce <= 5000 ? debounce : base.diagnostics.debounceMs,
      estimateDelayMs: typeof estimateDelay === 'number' && estimateDelay >= 0 && estimateDelay <= 60000 ? estimateDelay : base.diagnostics.estimateDelayMs,
    },
  };
}

/** Moves spans through an edit that replaced [start, end) by `length` characters; spans it touches are dropped. */
function shiftSpans(ds: readonly QnnDiagnostic[], start: number, end: number, length: number): QnnDiagnostic[] {
  const delta = length - (end - start);
  const out: QnnDiagnostic[] = [];
  for (const d of ds) {
    if (d.span.end <= start) out.push(d);
    else if (d.span.start >= end) out.push({ ...d, span: { start: d.span.start + delta, end: d.span.end + delta } });
  }
  return out;
}

function fuzzy(name: string, q: string): boolean {
  let i = 0;
  for (const c of name) if (c === q[i]) i++;
  return i === q.length;
}

function baseName(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}
