// The Vitis HLS C++ backend.
export { exactDecimal, generateHls, hlsIncludeDir, HlsUnsupportedError, type HlsProject } from './generate.js';
