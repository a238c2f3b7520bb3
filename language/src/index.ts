// Public API of @qnn/language: parser, AST, checker, formatter, diagnostics and the fixed-point type.
export * from './ast.js';
export * from './diagnostics.js';
export * from './fixed-type.js';
export { parse, type ParseResult } from './parse.js';
