// Public API of @qnn/language: parser, AST, checker, formatter, diagnostics and the fixed-point type.
export * from './ast.js';
export * from './diagnostics.js';
export * from './fixed-type.js';
export { parse, parseIncremental, type ParseResult, type ParseState } from './parse.js';
export * from './data-files.js';
export * from './random.js';
export * from './host.js';
export * from './model.js';
export * from './ops.js';
export { checkProgram, createParseCache, type ParseCache } from './check/program.js';
export type { CheckOptions, PartCatalog } from './check/context.js';
export { isValidReuse, nearestValidReuse } from './check/reuse.js';
export { losslessAccum } from './check/layer.js';
export * from './line-index.js';
export * from './format.js';
