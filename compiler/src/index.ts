// Public API of @qnn/compiler: the device table, the Node file system, and (later) IR, estimation and backends.
export * from './devices/device-table.js';
export { nodeFileSystem } from './node-fs.js';
export { runCli, UsageError, type CliExtension } from './cli/cli.js';
export * from './semantics/index.js';
export * from './backends/verilog/index.js';
export * from './backends/hls/index.js';
export * from './estimate/index.js';
export * from './plan/index.js';
export * from './ir/index.js';
export * from './passes/index.js';
export { importModel, SUPPORTED_KERAS_LAYERS, SUPPORTED_ONNX_OPS, type ImportOptions, type ImportResult } from './import/index.js';
