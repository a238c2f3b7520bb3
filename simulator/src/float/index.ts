// The TensorFlow.js float reference: the network computed in float32 with its unquantized weights.
export {
  floatReference,
  FloatReferenceError,
  type FloatInput,
  type FloatOptions,
  type FloatResult,
  type FloatTensor,
} from './reference.js';
export {
  initFloatBackend,
  removedProcessHandlerCount,
  tfjsNodeInstalled,
  wasmBinaryDir,
  type FloatBackend,
  type FloatBackendInfo,
} from './backend.js';
