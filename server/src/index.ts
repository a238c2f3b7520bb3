// @qnn/server: the QNN Studio language server (vscode-languageserver over the language, compiler and simulator).
export { startServer, DEFAULT_SETTINGS, SERVER_COMMANDS, type Settings } from './server.js';
export { main } from './main.js';
export { Workspace, Analysis, type OpenDocument } from './workspace.js';
export { estimateAdapter, type Estimator, type NetworkEstimate, type LayerEstimate } from './estimates.js';
export { uriToPath, pathToUri } from './paths.js';
