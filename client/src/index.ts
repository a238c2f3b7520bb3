// @qnn/client: the VS Code extension. Its entry point is src/extension.ts, bundled by scripts/build.mjs into
// out/extension.cjs; this module only re-exports the shapes that the extension and its webviews exchange.
export type * from './protocol.js';
