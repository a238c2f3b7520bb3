// The IR passes: each a pure function (graph → graph), one per file, run in the order of PIPELINE.
export * from './pipeline.js';
