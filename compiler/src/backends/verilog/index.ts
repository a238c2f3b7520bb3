// The Verilog backend: a syntax model and its printer, the io parallel generator, and the self-checking testbench.
export * as vast from './vast.js';
export { checkVerilogSupport, generateVerilog, VerilogBackendError, VERILOG_OPS, type PackedTensor, type VerilogDesign, type VerilogOptions } from './generate.js';
export { packBeats, packHex, testbenchTop, verilogTestbench, type Testbench, type TestbenchOptions, type TestVectors } from './testbench.js';
export { TABLE_INPUT_BITS } from './arith.js';
