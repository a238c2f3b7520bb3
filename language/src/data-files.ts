// Readers for the numeric data files a .qnn project refers to (NumPy .npy, CSV) and a .npy writer, in pure TS.

/** A dense n-dimensional array in C (row-major) order, its values converted to doubles. */
export interface NdArray {
  readonly shape: readonly number[];
  readonly data: Float64Array;
  /** The dtype in the source file as spelled there (`'<f4'`, `'>i8'`, `'|b1'`), or `'csv'`. */
  readonly dtype: string;
}

export type DataResult = { readonly ok: true; readonly array: NdArray } | { readonly ok: false; readonly message: string };

export interface DataReadOptions {
  /** Files holding more values than this are rejected before anything is allocated. Default 2^28. */
  readonly maxElements?: number;
}

export const DEFAULT_MAX_ELEMENTS = 2 ** 28;

/**
 * Reads a NumPy .npy file (format versions 1.0, 2.0 and 3.0). Supported dtypes: bool (`b1`), signed and unsigned
 * integers of 1, 2, 4 and 8 bytes, and floats of 2, 4 and 8 bytes, in either byte order (`|`, `=` and no prefix are
 * taken as little-endian). A Fortran-order file is transposed into C order. 64-bit integers become the nearest
 * double (exact while |v| < 2^53). NaN and infinities in float data are passed through unchanged.
 *
 * Never throws: a corrupt, truncated or unsupported file gives `ok: false` with a one-sentence message.
 * The shape in the header is checked against the data length before the result is allocated.
 */
export function readNpy(bytes: Uint8Array, opts?: DataReadOptions): DataResult {
  try {
    return readNpyUnchecked(bytes, opts?.maxElements ?? DEFAULT_MAX_ELEMENTS);
  } catch (e) {
    // Not expected to happen; the safety net keeps the "never throws" promise.
    return fail(`internal error while reading the .npy file: ${e instanceof Error ? e.message : String(e)}`);
  }
}

export type NpyWriteDtype = '<f4' | '<f8' | '<i4' | '<i8';

/**
 * Writes a C-order .npy file, format version 1.0, with the same bytes as NumPy's `np.save` (header spelled as
 * NumPy does, padded with spaces and terminated by `\n` so that the data starts at a multiple of 64 bytes).
 *
 * @throws RangeError when the shape is not a list of non-negative integers, when `data.length` differs from the
 *   product of the shape, or when an integer dtype is asked for and a value is not an integer in its range.
 */
export function writeNpy(
  array: { readonly shape: readonly number[]; readonly data: ArrayLike<number> },
  dtype: NpyWriteDtype = '<f8',
): Uint8Array {
  const { shape, data } = array;
  let count = 1;
  for (const d of shape) {
    if (!Number.isSafeInteger(d) || d < 0) throw new RangeError(`writeNpy: bad dimension ${d} in shape ${formatShape(shape)}`);
    count *= d;
  }
  if (!Number.isSafeInteger(count) || count !== data.length) {
    throw new RangeError(`writeNpy: shape ${formatShape(shape)} needs ${count} values but data has ${data.length}`);
  }
  const size = dtype === '<f4' || dtype === '<i4' ? 4 : 8;

  // NumPy: "{'descr': ..., 'fortran_order': False, 'shape': (...), }", then room for the first axis to grow to 21
  // digits, then spaces and "\n" up to a multiple of 64 (a full 64 more when it already was one).
  let dict = `{'descr': '${dtype}', 'fortran_order': False, 'shape': ${pythonTuple(shape)}, }`;
  if (shape.length > 0) dict += ' '.repeat(Math.max(0, 21 - String(shape[0]).length));
  const unpadded = NPY_MAGIC.length + 2 + 2 + dict.length + 1;
  const headerLen = dict.length + 1 + (64 - (unpadded % 64));
  if (headerLen > 0xffff) throw new RangeError(`writeNpy: shape ${formatShape(shape)} is too long for a version 1.0 header`);
  const out = new Uint8Array(10 + headerLen + count * size);
  out.set(NPY_MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  out[8] = headerLen & 0xff;
  out[9] = headerLen >>> 8;
  for (let i = 0; i < dict.length; i++) out[10 + i] = dict.charCodeAt(i);
  out.fill(0x20, 10 + dict.length, 10 + headerLen - 1);
  out[10 + headerLen - 1] = 0x0a;

  const view = new DataView(out.buffer, 10 + headerLen);
  for (let i = 0; i < count; i++) {
    const v = data[i];
    const at = i * size;
    switch (dtype) {
      case '<f4':
        view.setFloat32(at, v, true);
        break;
      case '<f8':
        view.setFloat64(at, v, true);
        break;
      case '<i4':
        if (!Number.isInteger(v) || v < -(2 ** 31) || v >= 2 ** 31) throw new RangeError(`writeNpy: value ${v} at index ${i} is not an int32`);
        view.setInt32(at, v, true);
        break;
      case '<i8':
        if (!Number.isSafeInteger(v)) throw new RangeError(`writeNpy: value ${v} at index ${i} is not a safe integer for int64`);
        view.setBigInt64(at, BigInt(v), true);
        break;
    }
  }
  return out;
}

/**
 * Reads a CSV file of numbers into a `[rows, cols]` array (a single column is `[rows, 1]`).
 *
 * Cells are separated by `,`, or else `;`, or else tabs, or else runs of spaces (chosen per line in that order);
 * spaces around cells are ignored. LF, CRLF and CR line ends are accepted; blank lines and lines starting with `#`
 * are skipped; a first line that is not all numbers is a header and is skipped too. A ragged row, a cell that is
 * not a decimal number, and NaN or infinite cells are errors whose message names the line (and column, 1-based).
 *
 * Never throws.
 */
export function readCsv(text: string, opts?: DataReadOptions): DataResult {
  try {
    return readCsvUnchecked(text, opts?.maxElements ?? DEFAULT_MAX_ELEMENTS);
  } catch (e) {
    return fail(`internal error while reading the CSV file: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** `[16, 64]`; a scalar's empty shape is `[]`. */
export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

// ---------------------------------------------------------------------------------------------------------------
// .npy reading

const NPY_MAGIC: readonly number[] = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // "\x93NUMPY"

/** Element decoding of one dtype: size in bytes and a reader at a byte offset of a DataView. */
interface ElementCodec {
  readonly size: number;
  read(view: DataView, at: number): number;
}

function readNpyUnchecked(bytes: Uint8Array, maxElements: number): DataResult {
  for (let i = 0; i < NPY_MAGIC.length; i++) {
    if (i >= bytes.length || bytes[i] !== NPY_MAGIC[i]) return fail('not a .npy file (bad magic bytes)');
  }
  if (bytes.length < 8) return fail('the .npy file is truncated before its format version');
  const major = bytes[6];
  const minor = bytes[7];
  if (!((major === 1 || major === 2 || major === 3) && minor === 0)) {
    return fail(`unsupported .npy format version ${major}.${minor} (only 1.0, 2.0 and 3.0 are known)`);
  }
  const lenBytes = major === 1 ? 2 : 4;
  const headerStart = 8 + lenBytes;
  if (bytes.length < headerStart) return fail('the .npy file is truncated before its header length');
  const headerLen =
    major === 1
      ? bytes[8] | (bytes[9] << 8)
      : (bytes[8] | (bytes[9] << 8) | (bytes[10] << 16) | (bytes[11] << 24)) >>> 0;
  const dataStart = headerStart + headerLen;
  if (dataStart > bytes.length) {
    return fail(
      `the .npy file is truncated: its header should be ${headerLen} bytes long but only ${bytes.length - headerStart} bytes follow`,
    );
  }

  const headerBytes = bytes.subarray(headerStart, dataStart);
  let headerText: string;
  if (major === 3) {
    try {
      headerText = new TextDecoder('utf-8', { fatal: true }).decode(headerBytes);
    } catch {
      return fail('the .npy header is not valid UTF-8');
    }
  } else {
    headerText = latin1(headerBytes);
  }

  const parsed = parsePythonLiteral(headerText);
  if (!parsed.ok) return fail(`the .npy header is not a valid Python dict literal (${parsed.message})`);
  const header = parsed.value;
  if (header.kind !== 'dict') return fail('the .npy header is not a Python dict');
  const descr = header.entries.get('descr');
  const fortran = header.entries.get('fortran_order');
  const shapeValue = header.entries.get('shape');
  if (descr === undefined) return fail("the .npy header lacks the 'descr' key");
  if (fortran === undefined) return fail("the .npy header lacks the 'fortran_order' key");
  if (shapeValue === undefined) return fail("the .npy header lacks the 'shape' key");
  if (descr.kind !== 'str') return fail('structured dtypes (record arrays) are not supported');
  if (fortran.kind !== 'bool') return fail("the .npy header's 'fortran_order' is not True or False");
  if (shapeValue.kind !== 'tuple' && shapeValue.kind !== 'list') {
    return fail("the .npy header's 'shape' is not a tuple of integers");
  }
  const shape: number[] = [];
  for (const item of shapeValue.items) {
    if (item.kind !== 'int') return fail("the .npy header's 'shape' is not a tuple of integers");
    if (item.value < 0) return fail(`the .npy header's shape has a negative dimension (${item.value})`);
    if (!Number.isSafeInteger(item.value)) return fail(`the .npy header's shape has an absurd dimension (${item.value})`);
    shape.push(item.value);
  }

  const codec = dtypeCodec(descr.value);
  if (typeof codec === 'string') return fail(codec);

  // Count the values without overflow: an absurd shape must fail here, before any allocation.
  let count = 1;
  if (!shape.includes(0)) {
    for (const d of shape) {
      count *= d;
      if (count > maxElements) {
        return fail(`the .npy array of shape ${formatShape(shape)} has more values than the limit of ${maxElements}`);
      }
    }
  } else count = 0;

  const dataBytes = bytes.length - dataStart;
  const expectedBytes = count * codec.size;
  if (dataBytes !== expectedBytes) {
    const held = Math.floor(dataBytes / codec.size);
    if (held === count) {
      return fail(
        `the header says ${plural(count, 'value')} of ${codec.size} bytes (${expectedBytes} bytes) but ${dataBytes} bytes follow the header`,
      );
    }
    return fail(`the header says ${plural(count, 'value')} but the file holds ${held}`);
  }

  const view = new DataView(bytes.buffer, bytes.byteOffset + dataStart, dataBytes);
  const data = new Float64Array(count);
  if (fortran.value && shape.length > 1) {
    // The file lists the values with the first axis fastest; walk that order and place each value at its C index.
    const n = shape.length;
    const cStride = new Array<number>(n);
    cStride[n - 1] = 1;
    for (let k = n - 2; k >= 0; k--) cStride[k] = cStride[k + 1] * shape[k + 1];
    const index = new Array<number>(n).fill(0);
    let c = 0;
    for (let f = 0; f < count; f++) {
      data[c] = codec.read(view, f * codec.size);
      for (let k = 0; k < n; k++) {
        index[k]++;
        c += cStride[k];
        if (index[k] < shape[k]) break;
        c -= cStride[k] * shape[k];
        index[k] = 0;
      }
    }
  } else {
    for (let i = 0; i < count; i++) data[i] = codec.read(view, i * codec.size);
  }
  return { ok: true, array: { shape, data, dtype: descr.value } };
}

/** The codec of a NumPy type string such as `'<f4'`, or a message saying why it is not supported. */
function dtypeCodec(descr: string): ElementCodec | string {
  const m = /^([<>|=]?)([a-zA-Z?])(\d*)(.*)$/.exec(descr);
  if (!m) return `unsupported dtype '${descr}'`;
  const [, order, kind, sizeText, rest] = m;
  const size = sizeText === '' ? 0 : Number(sizeText);
  const little = order !== '>';
  const describe = (what: string) => `unsupported dtype '${descr}' (${what} cannot be read as numbers)`;
  if (kind === 'O') return describe('Python objects');
  if (kind === 'c') return describe('complex numbers');
  if (kind === 'S' || kind === 'U' || kind === 'a') return describe('strings');
  if (kind === 'V') return describe('raw void records');
  if (kind === 'M' || kind === 'm') return describe('dates and time spans');
  if (rest !== '') return `unsupported dtype '${descr}'`;
  const codec = numericCodec(kind, size, little);
  return codec ?? `unsupported dtype '${descr}'`;
}

function numericCodec(kind: string, size: number, little: boolean): ElementCodec | undefined {
  switch (`${kind}${size}`) {
    case 'b1':
    case '?0':
    case '?1':
      return { size: 1, read: (v, at) => (v.getUint8(at) !== 0 ? 1 : 0) };
    case 'i1':
      return { size: 1, read: (v, at) => v.getInt8(at) };
    case 'u1':
      return { size: 1, read: (v, at) => v.getUint8(at) };
    case 'i2':
      return { size: 2, read: (v, at) => v.getInt16(at, little) };
    case 'u2':
      return { size: 2, read: (v, at) => v.getUint16(at, little) };
    case 'i4':
      return { size: 4, read: (v, at) => v.getInt32(at, little) };
    case 'u4':
      return { size: 4, read: (v, at) => v.getUint32(at, little) };
    case 'i8':
      return { size: 8, read: (v, at) => Number(v.getBigInt64(at, little)) };
    case 'u8':
      return { size: 8, read: (v, at) => Number(v.getBigUint64(at, little)) };
    case 'f2':
      return { size: 2, read: (v, at) => float16ToNumber(v.getUint16(at, little)) };
    case 'f4':
      return { size: 4, read: (v, at) => v.getFloat32(at, little) };
    case 'f8':
      return { size: 8, read: (v, at) => v.getFloat64(at, little) };
    default:
      return undefined;
  }
}

/** IEEE 754 binary16 to double (exact). */
function float16ToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac === 0 ? sign * Infinity : NaN;
  return sign * (1024 + frac) * 2 ** (exp - 25);
}

function latin1(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 4096) {
    s += String.fromCharCode(...bytes.subarray(i, Math.min(bytes.length, i + 4096)));
  }
  return s;
}

// ---------------------------------------------------------------------------------------------------------------
// The Python literal subset of .npy headers: dicts with string keys, tuples, lists, strings, integers (with
// Python 2's `L` suffix), True, False and None. No evaluation of anything else.

type PyValue =
  | { readonly kind: 'str'; readonly value: string }
  | { readonly kind: 'int'; readonly value: number }
  | { readonly kind: 'bool'; readonly value: boolean }
  | { readonly kind: 'none' }
  | { readonly kind: 'tuple' | 'list'; readonly items: readonly PyValue[] }
  | { readonly kind: 'dict'; readonly entries: ReadonlyMap<string, PyValue> };

type ParseOutcome = { readonly ok: true; readonly value: PyValue } | { readonly ok: false; readonly message: string };

const MAX_LITERAL_DEPTH = 32;

class LiteralError {
  constructor(readonly message: string) {}
}

function parsePythonLiteral(text: string): ParseOutcome {
  let pos = 0;

  const err = (what: string): LiteralError => {
    if (pos >= text.length) return new LiteralError(`${what} at the end of the header`);
    const ch = text[pos];
    const shown = ch === "'" ? `"'"` : ch >= ' ' && ch <= '~' ? `'${ch}'` : `character code ${ch.charCodeAt(0)}`;
    return new LiteralError(`${what}: unexpected ${shown} at offset ${pos}`);
  };
  const skipSpace = () => {
    while (pos < text.length && (text[pos] === ' ' || text[pos] === '\t' || text[pos] === '\n' || text[pos] === '\r')) pos++;
  };

  const parseValue = (depth: number): PyValue => {
    if (depth > MAX_LITERAL_DEPTH) throw err('nested too deeply');
    skipSpace();
    const ch = text[pos];
    if (ch === '{') {
      pos++;
      const entries = new Map<string, PyValue>();
      for (;;) {
        skipSpace();
        if (text[pos] === '}') {
          pos++;
          return { kind: 'dict', entries };
        }
        const key = parseValue(depth + 1);
        if (key.kind !== 'str') throw new LiteralError('a dict key is not a string');
        skipSpace();
        if (text[pos] !== ':') throw err("expected ':'");
        pos++;
        entries.set(key.value, parseValue(depth + 1));
        skipSpace();
        if (text[pos] === ',') pos++;
        else if (text[pos] !== '}') throw err("expected ',' or '}'");
      }
    }
    if (ch === '(' || ch === '[') {
      const close = ch === '(' ? ')' : ']';
      pos++;
      const items: PyValue[] = [];
      let sawComma = false;
      for (;;) {
        skipSpace();
        if (text[pos] === close) {
          pos++;
          // `(3)` is just 3 in Python; a one-item tuple needs its comma.
          if (close === ')' && items.length === 1 && !sawComma) return items[0];
          return { kind: close === ')' ? 'tuple' : 'list', items };
        }
        items.push(parseValue(depth + 1));
        skipSpace();
        if (text[pos] === ',') {
          pos++;
          sawComma = true;
        } else if (text[pos] !== close) throw err(`expected ',' or '${close}'`);
      }
    }
    if (ch === "'" || ch === '"') return { kind: 'str', value: parseString(ch) };
    const word = /^[A-Za-z_]\w*/.exec(text.slice(pos, pos + 16));
    if (word) {
      pos += word[0].length;
      if (word[0] === 'True') return { kind: 'bool', value: true };
      if (word[0] === 'False') return { kind: 'bool', value: false };
      if (word[0] === 'None') return { kind: 'none' };
      pos -= word[0].length;
      throw err('only literals are allowed');
    }
    const num = /^[+-]?\d+[lL]?/.exec(text.slice(pos, pos + 400));
    if (num && !/^[.eExXjJ\w]/.test(text.slice(pos + num[0].length, pos + num[0].length + 1))) {
      pos += num[0].length;
      return { kind: 'int', value: Number(num[0].replace(/[lL]$/, '')) };
    }
    throw err('expected a value');
  };

  const parseString = (quote: string): string => {
    pos++;
    let s = '';
    for (;;) {
      if (pos >= text.length) throw new LiteralError('a string is not closed');
      const c = text[pos++];
      if (c === quote) return s;
      if (c === '\n') throw new LiteralError('a string is not closed before the end of the line');
      if (c !== '\\') {
        s += c;
        continue;
      }
      if (pos >= text.length) throw new LiteralError('a string is not closed');
      const e = text[pos++];
      const simple: Record<string, string> = { '\\': '\\', "'": "'", '"': '"', n: '\n', t: '\t', r: '\r', '0': '\0' };
      if (Object.prototype.hasOwnProperty.call(simple, e)) s += simple[e];
      else s += `\\${e}`; // Python keeps unknown escapes as they are
    }
  };

  try {
    const value = parseValue(0);
    skipSpace();
    if (pos < text.length && text.slice(pos).replace(/\0+$/, '') !== '') throw err('unexpected text after the dict');
    return { ok: true, value };
  } catch (e) {
    if (e instanceof LiteralError) return { ok: false, message: e.message };
    throw e;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// CSV reading

const NUMBER_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const NON_FINITE_RE = /^[+-]?(?:nan|inf|infinity)$/i;

function readCsvUnchecked(text: string, maxElements: number): DataResult {
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/);
  const values: number[] = [];
  let cols = -1;
  let firstDataLine = 0;
  let rows = 0;
  let sawFirstLine = false;

  for (let li = 0; li < lines.length; li++) {
    const lineNo = li + 1;
    const line = lines[li].trim();
    if (line === '' || line.startsWith('#')) continue;
    const cells = splitCells(line);
    if (!sawFirstLine) {
      sawFirstLine = true;
      // A header has a cell that is no number at all (an empty cell or a NaN does not make a line a header).
      if (cells.some((c) => c !== '' && !NUMBER_RE.test(c) && !NON_FINITE_RE.test(c))) continue;
    }
    if (cols < 0) {
      cols = cells.length;
      firstDataLine = lineNo;
    } else if (cells.length !== cols) {
      return fail(
        `line ${lineNo} has ${plural(cells.length, 'value')} but the first data row (line ${firstDataLine}) has ${cols}`,
      );
    }
    if (values.length + cells.length > maxElements) {
      return fail(`line ${lineNo}: the CSV file holds more values than the limit of ${maxElements}`);
    }
    for (let ci = 0; ci < cells.length; ci++) {
      const cell = cells[ci];
      const where = `line ${lineNo}, column ${ci + 1}`;
      if (cell === '') return fail(`${where}: the cell is empty`);
      if (NON_FINITE_RE.test(cell)) return fail(`${where}: '${cell}' is not a finite number`);
      if (!NUMBER_RE.test(cell)) return fail(`${where}: '${shorten(cell)}' is not a number`);
      const v = Number(cell);
      if (!Number.isFinite(v)) return fail(`${where}: '${shorten(cell)}' is too large for a double`);
      values.push(v);
    }
    rows++;
  }
  if (rows === 0) return fail('the CSV file holds no rows of numbers');
  return { ok: true, array: { shape: [rows, cols], data: Float64Array.from(values), dtype: 'csv' } };
}

/** Splits a trimmed, non-empty line on `,`, else `;`, else tabs, else runs of spaces; cells come back trimmed. */
function splitCells(line: string): string[] {
  const sep = line.includes(',') ? ',' : line.includes(';') ? ';' : line.includes('\t') ? '\t' : undefined;
  if (sep === undefined) return line.split(/ +/);
  return line.split(sep).map((c) => c.trim());
}

// ---------------------------------------------------------------------------------------------------------------

function fail(message: string): DataResult {
  return { ok: false, message };
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function shorten(s: string): string {
  return s.length > 24 ? `${s.slice(0, 21)}...` : s;
}

function pythonTuple(shape: readonly number[]): string {
  if (shape.length === 1) return `(${shape[0]},)`;
  return `(${shape.join(', ')})`;
}
