// Pure constant builders of docs/semantics.md, shared by the simulator and the backends.
export { quantizeValues, type QuantizedValues } from './quantize.js';
export { activationTable, sigmoid, type ActivationTable } from './tables.js';
export { softmaxTables, type SoftmaxTables } from './softmax.js';
export { alphaType, ALPHA_FRAC_BITS } from './alpha.js';
export { batchnormCoefficients, type BatchnormCoefficients } from './batchnorm.js';
export { ROUND_RULES, renderRoundRule, type RoundTerm } from './round-rule.js';
