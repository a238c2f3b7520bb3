// The one catalog of diagnostic codes, and the Diagnostic value every analysis returns.
import type { Span } from './ast.js';

export type Severity = 'error' | 'warning' | 'info';

export interface CodeInfo {
  readonly severity: Severity;
  /** One line for docs/diagnostics.md and for hovers on the code. */
  readonly title: string;
  /** How to fix it, in general; each message adds the specifics. */
  readonly fix: string;
}

/**
 * QNN1xxx syntax, QNN2xxx names, types, shapes and weights, QNN3xxx resources and timing, QNN4xxx backends and
 * simulation, QNN5xxx importing trained models. docs/diagnostics.md is generated from this table (a test keeps them
 * equal).
 */
export const CODES = {
  QNN1001: { severity: 'error', title: 'Unexpected character', fix: 'Delete the character; names use letters, digits and _.' },
  QNN1002: { severity: 'error', title: 'Unterminated string', fix: 'Close the string with " on the same line.' },
  QNN1003: { severity: 'error', title: 'Syntax error', fix: 'Write the statement as the language reference shows (docs/language.md).' },
  QNN1004: { severity: 'error', title: 'Unterminated block comment', fix: 'Close the comment with */.' },
  QNN1005: { severity: 'error', title: 'Nesting too deep', fix: 'Nest brackets at most 64 levels deep; put large tensors in a .npy file.' },
  QNN1006: { severity: 'error', title: 'File too large', fix: 'Keep .qnn files under 16 MB; put weights in .npy files.' },
  QNN1007: { severity: 'error', title: 'Too many syntax errors', fix: 'Fix the first errors; the rest are not reported.' },
  QNN1999: { severity: 'error', title: 'Internal error', fix: 'Report the file that causes it; the rest of the analysis is skipped.' },

  QNN2001: { severity: 'error', title: 'Undefined name', fix: 'Define the name, or correct its spelling.' },
  QNN2002: { severity: 'error', title: 'Duplicate name', fix: 'Rename one of the definitions.' },
  QNN2003: { severity: 'warning', title: 'Unused name', fix: 'Use the name or delete its definition.' },
  QNN2004: { severity: 'error', title: 'Unknown type', fix: 'Declare the type alias, import it, or write fixed<W, I>.' },
  QNN2005: { severity: 'error', title: 'Invalid fixed-point type', fix: 'Write fixed<W, I[, Q[, O]]> with 1 ≤ W ≤ 1024, or int<W>/uint<W>.' },
  QNN2006: { severity: 'error', title: 'Unknown quantization or overflow mode', fix: 'Use TRN, TRN_ZERO, RND, RND_ZERO, RND_INF, RND_MIN_INF, RND_CONV and WRAP, SAT, SAT_ZERO, SAT_SYM.' },
  QNN2007: { severity: 'error', title: 'Unknown operation', fix: 'Use an operation of the language reference, or a network defined or imported here.' },
  QNN2008: { severity: 'error', title: 'Wrong arguments', fix: 'Pass the arguments the operation takes (see its signature).' },
  QNN2009: { severity: 'error', title: 'Invalid parameter value', fix: 'Give the parameter a value in its allowed range.' },
  QNN2010: { severity: 'error', title: 'Shape mismatch', fix: 'Make the shapes agree: reshape, flatten or change the layer sizes.' },
  QNN2011: { severity: 'error', title: 'Invalid shape', fix: 'Dimensions are positive integers; a tensor has at most 2^28 elements.' },
  QNN2012: { severity: 'error', title: 'Unknown attribute', fix: 'Use an attribute the operation accepts.' },
  QNN2013: { severity: 'error', title: 'Missing weights', fix: "Give the layer weights (load, an inline literal or random(seed: …)), or add 'init random(seed: 1)' to the network." },
  QNN2014: { severity: 'error', title: 'Imported file not found', fix: 'Correct the path; it is relative to the importing file.' },
  QNN2015: { severity: 'error', title: 'Import cycle', fix: 'Move the shared definitions into a file that both import.' },
  QNN2016: { severity: 'error', title: 'Name not found in imported file', fix: 'Import a type or network that the file defines.' },
  QNN2017: { severity: 'error', title: 'Data file not found', fix: 'Correct the path (relative to the .qnn file) or create the file.' },
  QNN2018: { severity: 'error', title: 'Data file unreadable', fix: 'Write the file as .npy (numpy.save) or .csv of numbers.' },
  QNN2019: { severity: 'error', title: 'Wrong weight shape', fix: 'Save the weights with the shape the layer expects (Keras layout).' },
  QNN2020: { severity: 'warning', title: 'Weights not representable in their type', fix: 'Widen the type (more integer bits to stop clipping, more fractional bits for precision).' },
  QNN2021: { severity: 'error', title: 'Invalid reuse factor', fix: 'Use one of the valid reuse factors listed in the message.' },
  QNN2022: { severity: 'error', title: 'Cycle in the network graph', fix: 'A layer may not depend on itself; break the cycle.' },
  QNN2023: { severity: 'warning', title: 'Dead layer', fix: 'Use the layer on a path to an output, or delete it.' },
  QNN2024: { severity: 'error', title: 'Output not reachable', fix: 'Every network needs an input and an output computed from its inputs.' },
  QNN2025: { severity: 'error', title: 'Unknown target part', fix: 'Use a part from the device table (qnn parts lists them).' },
  QNN2026: { severity: 'error', title: 'Invalid unit', fix: 'Clocks take ns, us, MHz or GHz; latency takes ns, us or cycles; resources take a count or %.' },
  QNN2027: { severity: 'error', title: 'Invalid io mode', fix: "Write 'io parallel' or 'io stream'." },
  QNN2028: { severity: 'warning', title: 'Repeated setting', fix: 'Keep one; the last one wins.' },
  QNN2029: { severity: 'warning', title: 'FIFO setting without effect', fix: "FIFO depths apply to 'io stream' networks, on edges between connected layers." },
  QNN2030: { severity: 'error', title: 'Invalid test data', fix: "Give 'inputs' (and optionally 'labels', 'expected') as load(\"file.npy\" or \"file.csv\") with one row per sample." },
  QNN2031: { severity: 'error', title: 'Invalid literal', fix: 'Write numbers in nested [ … ] lists of the same length.' },
  QNN2032: { severity: 'error', title: 'Invalid initializer', fix: 'Use load("file.npy"), an inline list, random(seed: N[, scale: S][, sparsity: P]), zeros() or ones().' },
  QNN2033: { severity: 'error', title: 'Missing type', fix: "Give the layer a result type (': type') or the network a 'precision' statement." },
  QNN2034: { severity: 'error', title: 'Unknown budget', fix: 'Budgets are latency, ii, dsp, lut, ff and bram.' },
  QNN2036: { severity: 'error', title: 'Cannot read file', fix: 'Check that the file exists and is readable.' },

  QNN3001: { severity: 'error', title: 'Over device capacity', fix: 'Raise reuse factors, narrow the types, prune weights, or target a larger part.' },
  QNN3002: { severity: 'warning', title: 'Over budget', fix: "Change the design until the estimate ('qnn estimate') meets the 'require' budget, or relax the budget." },
  QNN3003: { severity: 'warning', title: 'Too many unrolled operations for HLS', fix: 'Raise the reuse factor of the layer to the value the message gives; Vitis HLS refuses to unroll more than about 4096 operations.' },
  QNN3004: { severity: 'warning', title: 'Accumulator can overflow', fix: "Give the layer the accumulator type the message names ('accum: …'), or delete 'accum' for a lossless default." },
  QNN3005: { severity: 'warning', title: 'Softmax input too narrow', fix: 'Give the input of the softmax at least 10 bits.' },
  QNN3006: { severity: 'warning', title: 'Average pooling accumulates in the data type', fix: "Give the layer an 'accum' type with more integer bits (the message names one), or delete 'accum' for the safe default." },

  QNN4001: { severity: 'error', title: 'No network to simulate', fix: 'Name the network with --network; the file must define it.' },
  QNN4002: { severity: 'error', title: 'Network has errors', fix: "Fix the errors that 'qnn check' reports; a network with errors cannot be simulated." },
  QNN4003: { severity: 'error', title: 'Input data unreadable', fix: 'Give a .npy (numpy.save) or .csv file of numbers that exists.' },
  QNN4004: { severity: 'error', title: 'Input data has the wrong shape', fix: 'Save one row per sample: [N, …input shape] or [N, elements].' },
  QNN4005: { severity: 'error', title: 'Input data is not finite', fix: 'Replace NaN and infinite values; every input must be a finite number.' },
  QNN4006: { severity: 'error', title: 'Invalid labels', fix: 'Give one integer class index per sample, in [0, classes).' },
  QNN4007: { severity: 'error', title: 'Float reference failed', fix: 'The TensorFlow.js reference could not run; the message says why.' },
  QNN4008: { severity: 'warning', title: 'Simulation stopped', fix: 'The run was interrupted (Ctrl-C); the results cover the samples done.' },
  QNN4009: { severity: 'error', title: 'Cannot write the output', fix: 'Give --out a writable path ending in .npy.' },
  QNN4010: { severity: 'error', title: 'Invalid option', fix: 'Give --count a positive integer and --seed an integer between 0 and 4294967295.' },
  QNN4011: { severity: 'error', title: 'Backend cannot generate the network', fix: "Choose another backend with --backend (or 'all'), or change the layer the message names to one the backend implements." },
  QNN4012: { severity: 'error', title: 'Output folder is not a generated project', fix: 'Give --out a new folder or one that qnn build wrote (it holds .qnn-project.json); qnn build never overwrites other folders.' },
  QNN4020: { severity: 'error', title: 'Hardware tool missing', fix: 'Install the Debian package the message names (apt-get install -y PACKAGE) and run again.' },
  QNN4021: { severity: 'error', title: 'Hardware differs from the simulator', fix: 'The generated RTL or C++ computes other bits than the bit-accurate simulator: report it with the .qnn file and the listed sample (it is a backend bug).' },
  QNN4022: { severity: 'error', title: 'Co-simulation failed', fix: 'The RTL simulator or the C++ compiler failed or timed out; the message gives its output. Keep the project with --keep to rerun it by hand.' },

  // QNN5xxx: importing trained models (qnn import).
  QNN5001: { severity: 'error', title: 'Model file unreadable', fix: 'Give a Keras .json (with its weights .h5), a whole-model .h5, a .keras archive or an .onnx file that exists.' },
  QNN5002: { severity: 'error', title: 'Unsupported layer', fix: 'Replace the layer by one of the supported layers the message lists, or remove it before exporting the model.' },
  QNN5003: { severity: 'error', title: 'Unsupported layer setting', fix: 'Change the setting the message names (for example dilation, padding or data layout) to one the language supports.' },
  QNN5004: { severity: 'error', title: 'Missing or mismatched weights', fix: 'Give the weights file that belongs to the model (--weights), saved by the same model.' },
  QNN5005: { severity: 'error', title: 'Unsupported quantizer', fix: 'Use a quantizer the importer maps to a fixed-point type (quantized_bits, quantized_relu, binary, ternary, quantized_po2; QONNX Quant with a power-of-two scale, BipolarQuant).' },
  QNN5006: { severity: 'error', title: 'Output file exists', fix: 'Choose another --out folder or --name, or pass --force to replace the imported files.' },
  QNN5007: { severity: 'error', title: 'Invalid import option', fix: 'Give --precision as fixed<W, I[, Q[, O]]>, --name as a name of letters, digits and _, and --part as a part that qnn parts lists.' },
  QNN5008: { severity: 'error', title: 'Imported network does not check', fix: 'The generated .qnn has errors (listed with the message); report the model that causes it.' },
  QNN5009: { severity: 'error', title: 'Cannot write the imported files', fix: 'Give --out a folder that can be created and written.' },
} as const satisfies Record<string, CodeInfo>;

export type DiagnosticCode = keyof typeof CODES;

export interface RelatedInformation {
  readonly message: string;
  readonly path: string;
  readonly span: Span;
}

export interface Diagnostic {
  readonly code: DiagnosticCode;
  readonly severity: Severity;
  readonly message: string;
  /** The file the span points into. */
  readonly path: string;
  readonly span: Span;
  readonly related?: readonly RelatedInformation[];
  /** Machine-readable facts for code actions (for example `suggestions: string[]`). */
  readonly data?: Readonly<Record<string, unknown>>;
}

export function diag(
  code: DiagnosticCode,
  path: string,
  span: Span,
  message: string,
  extra?: { readonly related?: readonly RelatedInformation[]; readonly data?: Readonly<Record<string, unknown>>; readonly severity?: Severity },
): Diagnostic {
  return {
    code,
    severity: extra?.severity ?? CODES[code].severity,
    message,
    path,
    span,
    ...(extra?.related ? { related: extra.related } : {}),
    ...(extra?.data ? { data: extra.data } : {}),
  };
}
