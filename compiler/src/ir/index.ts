// The IR of a checked network: build it, verify it (the passes are in compiler/src/passes/).
export type * from './types.js';
export { buildIr } from './build.js';
export { verifyIr } from './verify.js';
