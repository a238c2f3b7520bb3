// Public API of @qnn/simulator: fixed-point arithmetic with ap_fixed semantics and the bit-accurate executor.
export * from './fixed/index.js';
export { simulate, simulateSync, SimulationInputError, type SimulateOptions, type SimulationInputs } from './exec/simulate.js';
export {
  rawsToDoubles,
  type InputResult,
  type LayerResult,
  type NetworkResult,
  type OverflowStage,
  type OverflowStats,
  type RawTensor,
  type StageOverflow,
} from './exec/result.js';
export type { Path, Raws } from './exec/ops.js';
export { activationTable, sigmoid, type ActivationTable } from './exec/kernels/tables.js';
export { softmaxTables, type SoftmaxTables } from './exec/kernels/softmax.js';
export { alphaType, ALPHA_FRAC_BITS } from './exec/kernels/elementwise.js';
export { samePadding } from './exec/geometry.js';
export * from './float/index.js';
export { coSimulate, CosimError, formatCosim, requireCosimTools, type CosimMismatch, type CosimReport, type CosimRequest, type HlsRun, type RtlRun, type RtlSimulator } from './cosim/index.js';
export { writeProject, type ProjectRequest, type ProjectResult } from './project/write-project.js';
export { runBoth, type RunResult } from './cli/run.js';
export { buildReport, type SimReport, type SimReportJson } from './cli/report.js';
export { randomInputs, testInputs, type LoadedInputs } from './cli/inputs.js';
export { SimError } from './cli/sim-error.js';
export { ProjectError, checkOutFolder, isGeneratedProject } from './project/write-project.js';
