// Entry point of the `qnn-language-server` binary: LSP over --stdio, --node-ipc (VS Code) or --socket.
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node.js';
import { startServer } from './server.js';

/** Anything printed to stdout would corrupt the protocol stream (TensorFlow.js prints); send it to stderr. */
function redirectConsole(): void {
  const toStderr = (...args: unknown[]) => void process.stderr.write(args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ') + '\n');
  console.log = toStderr;
  console.info = toStderr;
  console.warn = toStderr;
  console.debug = toStderr;
}

export function main(): void {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    process.stdout.write('qnn-language-server: the QNN Studio language server.\nUsage: qnn-language-server --stdio | --node-ipc | --socket=PORT\n');
    return;
  }
  if (!process.argv.some((a) => a === '--stdio' || a === '--node-ipc' || a.startsWith('--socket=') || a.startsWith('--pipe='))) {
    process.stderr.write('qnn-language-server: give the transport: --stdio, --node-ipc, --socket=PORT or --pipe=NAME (see --help).\n');
    process.exitCode = 2;
    return;
  }
  if (process.argv.includes('--stdio')) redirectConsole();
  const connection = createConnection(ProposedFeatures.all);
  startServer(connection);
}
