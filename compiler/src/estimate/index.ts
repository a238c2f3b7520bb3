// Resource and latency estimation (docs/estimate.md): estimateNetwork, the QNN3xxx diagnostics, the cost tables.
export { estimateNetwork, computeEstimate, networkFeatures, resolvePart, flowOf, UnknownPartError, DEFAULT_PART, DEFAULT_CLOCK_NS } from './estimate.js';
export { estimateDiagnostics, withEstimateDiagnostics, networkDiagnostics, HLS_UNROLL_LIMIT, SOFTMAX_MIN_INPUT_BITS } from './diagnostics.js';
export { estimateHls, HLS_REFERENCE } from './hls.js';
export { COST_TABLES, type CostTables, type CostTable } from './cost-model.js';
export { layerFeatures, xc7DspTiles, csdDigits, FEATURE_NAMES, PATH_NAMES, type Features, type PathFeatures, type Flow } from './features.js';
export type * from './types.js';
