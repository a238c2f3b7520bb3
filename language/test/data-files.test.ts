// Tests of the .npy reader and writer, the CSV reader and formatShape.
import { describe, expect, it } from 'vitest';
import { formatShape, readCsv, readNpy, writeNpy, type DataResult, type NdArray } from '../src/data-files.js';

/** A .npy file made by hand: magic, version, little-endian header length, the header text, then the data bytes. */
function npy(header: string, data: readonly number[] | Uint8Array, version: 1 | 2 | 3 = 1): Uint8Array {
  const head = new TextEncoder().encode(header);
  const lenBytes = version === 1 ? 2 : 4;
  const out = new Uint8Array(8 + lenBytes + head.length + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  for (let i = 0; i < lenBytes; i++) out[8 + i] = (head.length >>> (8 * i)) & 0xff;
  out.set(head, 8 + lenBytes);
  out.set(data, 8 + lenBytes + head.length);
  return out;
}

function dict(descr: string, shape: string, fortran = false): string {
  return `{'descr': '${descr}', 'fortran_order': ${fortran ? 'True' : 'False'}, 'shape': ${shape}, }\n`;
}

/** Encodes numbers with a DataView setter (e.g. 'setInt16') in the given byte order. */
function encode(values: readonly number[], size: number, set: (v: DataView, at: number, x: number) => void): Uint8Array {
  const out = new Uint8Array(values.length * size);
  const view = new DataView(out.buffer);
  values.forEach((x, i) => set(view, i * size, x));
  return out;
}

function ok(r: DataResult): NdArray {
  if (!r.ok) throw new Error(`expected ok, got: ${r.message}`);
  return r.array;
}

function message(r: DataResult): string {
  if (r.ok) throw new Error(`expected an error, got an array of shape ${formatShape(r.array.shape)}`);
  return r.message;
}

function hex(s: string): Uint8Array {
  return Uint8Array.from(s.match(/../g)!.map((b) => parseInt(b, 16)));
}

describe('writeNpy → readNpy round trips', () => {
  const shapes: number[][] = [[16], [2, 3], [], [0], [2, 0, 3], [2, 3, 4]];
  const fill = (n: number, f: (i: number) => number) => Array.from({ length: n }, (_, i) => f(i));
  const count = (s: number[]) => s.reduce((a, b) => a * b, 1);

  for (const shape of shapes) {
    const n = count(shape);
    it(`<f8 ${formatShape(shape)}`, () => {
      const data = fill(n, (i) => (i - 3) * 0.1 + 1e-300 * i);
      const a = ok(readNpy(writeNpy({ shape, data })));
      expect(a.shape).toEqual(shape);
      expect(a.dtype).toBe('<f8');
      expect(Array.from(a.data)).toEqual(data);
    });
    it(`<f4 ${formatShape(shape)}`, () => {
      const data = fill(n, (i) => (i - 3) * 0.1);
      const a = ok(readNpy(writeNpy({ shape, data }, '<f4')));
      expect(a.shape).toEqual(shape);
      expect(a.dtype).toBe('<f4');
      expect(Array.from(a.data)).toEqual(data.map(Math.fround));
    });
    it(`<i4 ${formatShape(shape)}`, () => {
      const data = fill(n, (i) => (i % 2 ? -1 : 1) * i * 1000003);
      if (n > 1) data[1] = -(2 ** 31);
      if (n > 2) data[2] = 2 ** 31 - 1;
      const a = ok(readNpy(writeNpy({ shape, data: Int32Array.from(data) }, '<i4')));
      expect(a.shape).toEqual(shape);
      expect(Array.from(a.data)).toEqual(data);
    });
    it(`<i8 ${formatShape(shape)}`, () => {
      const data = fill(n, (i) => (i % 2 ? -1 : 1) * i * 7919);
      if (n > 1) data[1] = Number.MAX_SAFE_INTEGER;
      if (n > 2) data[2] = Number.MIN_SAFE_INTEGER;
      const a = ok(readNpy(writeNpy({ shape, data }, '<i8')));
      expect(a.shape).toEqual(shape);
      expect(Array.from(a.data)).toEqual(data);
    });
  }

  it('keeps NaN, infinities and -0 in float files', () => {
    const a = ok(readNpy(writeNpy({ shape: [4], data: [NaN, Infinity, -Infinity, -0] })));
    expect(Number.isNaN(a.data[0])).toBe(true);
    expect(a.data[1]).toBe(Infinity);
    expect(a.data[2]).toBe(-Infinity);
    expect(Object.is(a.data[3], -0)).toBe(true);
  });

  it('reads from a Uint8Array that is a view into a larger buffer', () => {
    const file = writeNpy({ shape: [3], data: [1, 2, 3] });
    const big = new Uint8Array(file.length + 13);
    big.set(file, 5);
    expect(Array.from(ok(readNpy(big.subarray(5, 5 + file.length))).data)).toEqual([1, 2, 3]);
  });
});

describe('writeNpy header', () => {
  const headerText = (b: Uint8Array) => new TextDecoder().decode(b.subarray(10, 10 + (b[8] | (b[9] << 8))));

  it('is spelled and padded as NumPy does', () => {
    const b = writeNpy({ shape: [16], data: new Float64Array(16) });
    expect(Array.from(b.subarray(0, 8))).toEqual([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
    const h = headerText(b);
    expect(h.startsWith("{'descr': '<f8', 'fortran_order': False, 'shape': (16,), }")).toBe(true);
    expect(h.endsWith(' \n')).toBe(true);
    expect(h.trimEnd()).toBe("{'descr': '<f8', 'fortran_order': False, 'shape': (16,), }");
    expect((10 + h.length) % 64).toBe(0);
    expect(b.length).toBe(10 + h.length + 16 * 8);
    // np.save(np.zeros(16)) is 256 bytes: a 128-byte preamble and header, then the data.
    expect(b.length).toBe(256);
  });

  it('spells scalar and 2-D shapes as NumPy does', () => {
    expect(headerText(writeNpy({ shape: [], data: [3] })).trimEnd()).toBe(
      "{'descr': '<f8', 'fortran_order': False, 'shape': (), }",
    );
    expect(headerText(writeNpy({ shape: [2, 3], data: new Array(6).fill(0) }, '<i4')).trimEnd()).toBe(
      "{'descr': '<i4', 'fortran_order': False, 'shape': (2, 3), }",
    );
  });

  it('keeps the data 64-byte aligned for every header length', () => {
    for (let d = 0; d < 40; d++) {
      const shape = new Array(d % 9).fill(1);
      shape[0] = 10 ** (d % 12);
      if (d % 9 === 0) shape.length = 0;
      const n = shape.reduce((a, b) => a * b, 1);
      if (n > 1e6) continue;
      const b = writeNpy({ shape, data: new Float64Array(n) }, '<f4');
      const headerLen = b[8] | (b[9] << 8);
      expect((10 + headerLen) % 64).toBe(0);
      expect(b[10 + headerLen - 1]).toBe(0x0a);
    }
  });

  it('writes the same bytes as np.save', () => {
    // python3 -c "import numpy as np, io; b = io.BytesIO(); np.save(b, np.arange(6, dtype='<f4').reshape(2, 3)); print(b.getvalue().hex())"
    const expected = hex(
      '934e554d5059010076007b276465736372273a20273c6634272c2027666f727472616e5f6f72646572273a2046616c73652c2027' +
        '7368617065273a2028322c2033292c207d2020202020202020202020202020202020202020202020202020202020202020202020' +
        '20202020202020202020202020202020202020202020200a000000000000803f0000004000004040000080400000a040',
    );
    expect(Array.from(writeNpy({ shape: [2, 3], data: [0, 1, 2, 3, 4, 5] }, '<f4'))).toEqual(Array.from(expected));
  });

  it('rejects data that does not fit the shape or the dtype', () => {
    expect(() => writeNpy({ shape: [2, 2], data: [1, 2, 3] })).toThrow(RangeError);
    expect(() => writeNpy({ shape: [-1], data: [] })).toThrow(RangeError);
    expect(() => writeNpy({ shape: [2], data: [1.5, 2] }, '<i4')).toThrow(RangeError);
    expect(() => writeNpy({ shape: [1], data: [2 ** 31] }, '<i4')).toThrow(RangeError);
    expect(() => writeNpy({ shape: [1], data: [2 ** 53] }, '<i8')).toThrow(RangeError);
  });
});

describe('readNpy fixtures', () => {
  it('reads a big-endian Fortran-order int16 file (as np.save writes it)', () => {
    // np.array([[1, -2, 3], [4, 5, -6]], dtype='>i2', order='F'): the file lists the columns.
    const bytes = npy(dict('>i2', '(2, 3)', true), [0, 1, 0, 4, 0xff, 0xfe, 0, 5, 0, 3, 0xff, 0xfa]);
    const a = ok(readNpy(bytes));
    expect(a.shape).toEqual([2, 3]);
    expect(a.dtype).toBe('>i2');
    expect(Array.from(a.data)).toEqual([1, -2, 3, 4, 5, -6]);
  });

  it('transposes a 3-D Fortran-order file into C order', () => {
    const [I, J, K] = [2, 3, 4];
    const fileOrder: number[] = [];
    for (let k = 0; k < K; k++) for (let j = 0; j < J; j++) for (let i = 0; i < I; i++) fileOrder.push(i * J * K + j * K + k);
    const bytes = npy(dict('<f8', '(2, 3, 4)', true), encode(fileOrder, 8, (v, at, x) => v.setFloat64(at, x, true)));
    const a = ok(readNpy(bytes));
    expect(a.shape).toEqual([2, 3, 4]);
    expect(Array.from(a.data)).toEqual(Array.from({ length: 24 }, (_, i) => i));
  });

  it('treats a 1-D Fortran-order file like a C-order one', () => {
    const a = ok(readNpy(npy(dict('|u1', '(3,)', true), [7, 8, 9])));
    expect(Array.from(a.data)).toEqual([7, 8, 9]);
  });

  it('reads a version 2.0 header with big-endian doubles', () => {
    const a = ok(readNpy(npy(dict('>f8', '(2,)'), encode([1.5, -2], 8, (v, at, x) => v.setFloat64(at, x, false)), 2)));
    expect(a.shape).toEqual([2]);
    expect(Array.from(a.data)).toEqual([1.5, -2]);
  });

  it('reads a version 3.0 header (UTF-8) with float16 data', () => {
    const header = "{'descr': '<f2', 'fortran_order': False, 'shape': (5,), 'note': 'poids été'}\n";
    // 1.5, -2, the smallest subnormal 2^-24, 65504 (largest finite) and -infinity
    const a = ok(readNpy(npy(header, [0x00, 0x3e, 0x00, 0xc0, 0x01, 0x00, 0xff, 0x7b, 0x00, 0xfc], 3)));
    expect(Array.from(a.data)).toEqual([1.5, -2, 2 ** -24, 65504, -Infinity]);
  });

  it('reads bool and uint8', () => {
    expect(Array.from(ok(readNpy(npy(dict('|b1', '(4,)'), [1, 0, 1, 0]))).data)).toEqual([1, 0, 1, 0]);
    const u8 = ok(readNpy(npy(dict('|u1', '(2, 2)'), [0, 255, 128, 1])));
    expect(u8.shape).toEqual([2, 2]);
    expect(u8.dtype).toBe('|u1');
    expect(Array.from(u8.data)).toEqual([0, 255, 128, 1]);
  });

  it('reads every integer width in both byte orders', () => {
    const cases: [string, number, (v: DataView, at: number, x: number, le: boolean) => void, number[]][] = [
      ['i1', 1, (v, at, x) => v.setInt8(at, x), [-128, 127, 0]],
      ['i2', 2, (v, at, x, le) => v.setInt16(at, x, le), [-32768, 32767, -1]],
      ['u2', 2, (v, at, x, le) => v.setUint16(at, x, le), [0, 65535, 258]],
      ['i4', 4, (v, at, x, le) => v.setInt32(at, x, le), [-(2 ** 31), 2 ** 31 - 1, -5]],
      ['u4', 4, (v, at, x, le) => v.setUint32(at, x, le), [0, 2 ** 32 - 1, 66051]],
      ['i8', 8, (v, at, x, le) => v.setBigInt64(at, BigInt(x), le), [-(2 ** 53 - 1), 2 ** 53 - 1, -3]],
      ['u8', 8, (v, at, x, le) => v.setBigUint64(at, BigInt(x), le), [0, 2 ** 53 - 1, 2 ** 40 + 1]],
      ['f4', 4, (v, at, x, le) => v.setFloat32(at, x, le), [0.5, -3.25, 1e-40]],
    ];
    for (const [kind, size, set, values] of cases) {
      for (const order of size === 1 ? ['|', '<', '>'] : ['<', '>']) {
        const data = encode(values, size, (v, at, x) => set(v, at, x, order !== '>'));
        const a = ok(readNpy(npy(dict(`${order}${kind}`, `(${values.length},)`), data)));
        expect(a.dtype, `${order}${kind}`).toBe(`${order}${kind}`);
        expect(Array.from(a.data), `${order}${kind}`).toEqual(values.map((x) => (kind === 'f4' ? Math.fround(x) : x)));
      }
    }
  });

  it('rounds 64-bit integers beyond 2^53 to the nearest double', () => {
    const data = new Uint8Array(16);
    const v = new DataView(data.buffer);
    v.setBigInt64(0, 2n ** 63n - 1n, true);
    v.setBigUint64(8, 2n ** 64n - 1n, true);
    expect(Array.from(ok(readNpy(npy(dict('<i8', '(1,)'), data.subarray(0, 8)))).data)).toEqual([2 ** 63]);
    expect(Array.from(ok(readNpy(npy(dict('<u8', '(1,)'), data.subarray(8)))).data)).toEqual([2 ** 64]);
  });

  it('reads a scalar and empty arrays', () => {
    const s = ok(readNpy(npy(dict('<f8', '()'), encode([2.5], 8, (v, at, x) => v.setFloat64(at, x, true)))));
    expect(s.shape).toEqual([]);
    expect(Array.from(s.data)).toEqual([2.5]);
    const e = ok(readNpy(npy(dict('<f8', '(3, 0)'), [])));
    expect(e.shape).toEqual([3, 0]);
    expect(e.data.length).toBe(0);
    // A zero anywhere makes the array empty, however absurd the other dimensions.
    expect(ok(readNpy(npy(dict('<f8', '(99999999999999, 0, 99999999999999)'), []))).data.length).toBe(0);
  });

  it('parses headers written in other styles', () => {
    const one = encode([4], 4, (v, at, x) => v.setInt32(at, x, true));
    const headers = [
      "{'descr': '<i4', 'fortran_order': False, 'shape': (1L,), }\n", // Python 2
      '{"shape": (1,), "fortran_order": False, "descr": "<i4"}', // other order, double quotes, no newline
      "{ 'descr' : '<i4' ,\n 'fortran_order':False,'shape':[1]}   \n", // odd spacing, a list
      "{'descr': '<i4', 'fortran_order': False, 'shape': (1,), 'extra': {'a': [None, True, -3]}, }\n",
      "{'descr': 'i4', 'fortran_order': False, 'shape': (1,)}\n", // no byte-order mark: native
      "{'descr': '=i4', 'fortran_order': False, 'shape': (1,)}\n",
    ];
    for (const h of headers) expect(Array.from(ok(readNpy(npy(h, one))).data), h).toEqual([4]);
  });
});

describe('readNpy errors', () => {
  const f8 = (values: number[]) => encode(values, 8, (v, at, x) => v.setFloat64(at, x, true));
  const cases: [string, Uint8Array, string | RegExp][] = [
    ['empty input', new Uint8Array(0), 'not a .npy file (bad magic bytes)'],
    ['a PNG', Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0]), 'not a .npy file (bad magic bytes)'],
    ['text', new TextEncoder().encode('1,2,3\n4,5,6\n'), 'not a .npy file (bad magic bytes)'],
    ['only the magic', Uint8Array.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]), 'the .npy file is truncated before its format version'],
    ['version 4.0', npy(dict('<f8', '(1,)'), f8([1])).map((b, i) => (i === 6 ? 4 : b)), 'unsupported .npy format version 4.0 (only 1.0, 2.0 and 3.0 are known)'],
    ['version 1.1', npy(dict('<f8', '(1,)'), f8([1])).map((b, i) => (i === 7 ? 1 : b)), 'unsupported .npy format version 1.1 (only 1.0, 2.0 and 3.0 are known)'],
    ['no header length', Uint8Array.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 2, 0, 5]), 'the .npy file is truncated before its header length'],
    ['truncated header', npy(dict('<f8', '(1,)'), []).subarray(0, 40), /^the \.npy file is truncated: its header should be \d+ bytes long but only 30 bytes follow$/],
    ['values missing', npy(dict('<f8', '(1000,)'), f8(new Array(12).fill(0))), 'the header says 1000 values but the file holds 12'],
    ['a value too many', npy(dict('<f8', '(2,)'), f8([1, 2, 3])), 'the header says 2 values but the file holds 3'],
    ['stray bytes', npy(dict('<f8', '(2,)'), [...f8([1, 2]), 0, 0, 0]), 'the header says 2 values of 8 bytes (16 bytes) but 19 bytes follow the header'],
    ['a scalar without data', npy(dict('<f8', '()'), []), 'the header says 1 value but the file holds 0'],
    ['an absurd shape', npy(dict('<f8', '(100000, 100000, 100000)'), f8([1])), 'the .npy array of shape [100000, 100000, 100000] has more values than the limit of 268435456'],
    ['a huge dimension', npy(dict('<f8', '(123456789012345678901234567890,)'), []), "the .npy header's shape has an absurd dimension (1.2345678901234568e+29)"],
    ['a negative dimension', npy(dict('<f8', '(-1,)'), []), "the .npy header's shape has a negative dimension (-1)"],
    ['a float dimension', npy(dict('<f8', '(2.0,)'), f8([1, 2])), /^the \.npy header is not a valid Python dict literal \(expected a value: unexpected '2' at offset \d+\)$/],
    ['a string shape', npy(dict('<f8', "'2'"), f8([1, 2])), "the .npy header's 'shape' is not a tuple of integers"],
    ['object dtype', npy(dict('|O', '(1,)'), [0, 0, 0, 0, 0, 0, 0, 0]), "unsupported dtype '|O' (Python objects cannot be read as numbers)"],
    ['complex dtype', npy(dict('<c16', '(1,)'), f8([1, 2])), "unsupported dtype '<c16' (complex numbers cannot be read as numbers)"],
    ['string dtype', npy(dict('<U3', '(1,)'), new Array(12).fill(65)), "unsupported dtype '<U3' (strings cannot be read as numbers)"],
    ['bytes dtype', npy(dict('|S4', '(1,)'), [65, 66, 67, 68]), "unsupported dtype '|S4' (strings cannot be read as numbers)"],
    ['datetime dtype', npy(dict('<M8[ns]', '(1,)'), f8([0])), "unsupported dtype '<M8[ns]' (dates and time spans cannot be read as numbers)"],
    ['long double', npy(dict('<f16', '(1,)'), new Array(16).fill(0)), "unsupported dtype '<f16'"],
    ['a 3-byte int', npy(dict('<i3', '(1,)'), [0, 0, 0]), "unsupported dtype '<i3'"],
    ['structured dtype', npy("{'descr': [('x', '<f8')], 'fortran_order': False, 'shape': (1,), }\n", f8([1])), 'structured dtypes (record arrays) are not supported'],
    ['no shape', npy("{'descr': '<f8', 'fortran_order': False}\n", f8([1])), "the .npy header lacks the 'shape' key"],
    ['no descr', npy("{'fortran_order': False, 'shape': (1,)}\n", f8([1])), "the .npy header lacks the 'descr' key"],
    ['no fortran_order', npy("{'descr': '<f8', 'shape': (1,)}\n", f8([1])), "the .npy header lacks the 'fortran_order' key"],
    ['fortran_order 0', npy("{'descr': '<f8', 'fortran_order': 0, 'shape': (1,)}\n", f8([1])), "the .npy header's 'fortran_order' is not True or False"],
    ['a list header', npy("['<f8', False, (1,)]\n", f8([1])), 'the .npy header is not a Python dict'],
    ['code in the header', npy("{'descr': __import__('os').system('rm -rf /'), 'fortran_order': False, 'shape': (1,)}", f8([1])), /^the \.npy header is not a valid Python dict literal \(only literals are allowed: unexpected '_' at offset 10\)$/],
    ['an unclosed dict', npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), ", f8([1])), 'the .npy header is not a valid Python dict literal (expected a value at the end of the header)'],
    ['an unclosed string', npy("{'descr: '<f8'}", f8([1])), /^the \.npy header is not a valid Python dict literal \(expected ':': unexpected '<' at offset \d+\)$/],
    ['text after the dict', npy(dict('<f8', '(1,)') + 'x', f8([1])), /^the \.npy header is not a valid Python dict literal \(unexpected text after the dict: unexpected 'x' at offset \d+\)$/],
    ['deep nesting', npy(`{'descr': '<f8', 'fortran_order': False, 'shape': ${'('.repeat(5000)}`, []), /^the \.npy header is not a valid Python dict literal \(nested too deeply/],
    ['bad UTF-8 in a 3.0 header', npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), 'x': 'Z'}", f8([1]), 3).map((b) => (b === 0x5a ? 0xff : b)), 'the .npy header is not valid UTF-8'],
  ];
  for (const [name, bytes, expected] of cases) {
    it(name, () => {
      const m = message(readNpy(bytes));
      if (typeof expected === 'string') expect(m).toBe(expected);
      else expect(m).toMatch(expected);
    });
  }

  it('honours maxElements', () => {
    const file = writeNpy({ shape: [10, 10], data: new Float64Array(100) });
    expect(ok(readNpy(file, { maxElements: 100 })).data.length).toBe(100);
    expect(message(readNpy(file, { maxElements: 99 }))).toBe(
      'the .npy array of shape [10, 10] has more values than the limit of 99',
    );
  });
});

/** A 32-bit linear congruential generator (Numerical Recipes constants), enough for picking mutations. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s;
  };
}

describe('readNpy fuzz', () => {
  it('never throws on 2,000 seeded mutations of valid files', () => {
    const next = lcg(20240611);
    const below = (n: number) => next() % n;
    const bases: Uint8Array[] = [
      writeNpy({ shape: [4], data: [1, 2, 3, 4] }),
      writeNpy({ shape: [2, 3], data: [1, 2, 3, 4, 5, 6] }, '<i4'),
      writeNpy({ shape: [], data: [7] }, '<i8'),
      writeNpy({ shape: [3, 1, 2], data: [1, 2, 3, 4, 5, 6] }, '<f4'),
      npy(dict('>i2', '(2, 3)', true), [0, 1, 0, 4, 0xff, 0xfe, 0, 5, 0, 3, 0xff, 0xfa]),
      npy(dict('<f2', '(2,)'), [0x00, 0x3e, 0x00, 0xc0], 3),
      npy(dict('|b1', '(2, 2)', true), [1, 0, 0, 1], 2),
    ];
    const headerChars = "{}()[],:' \"0123456789-LTrueFalsNonefortran_ordershapedescr<>|iufbcOSUV\\\n\0";
    let okCount = 0;
    for (let round = 0; round < 2000; round++) {
      const base = bases[below(bases.length)];
      let b = Uint8Array.from(base);
      const mutations = 1 + below(4);
      for (let m = 0; m < mutations; m++) {
        const kind = below(7);
        if (kind === 0) b = b.subarray(0, below(b.length + 1)); // truncate
        else if (kind === 1 && b.length > 0) b[below(b.length)] = below(256); // random byte
        else if (kind === 2 && b.length > 0) b[below(Math.min(b.length, 10 + 80))] = headerChars.charCodeAt(below(headerChars.length)); // header char
        else if (kind === 3 && b.length > 0) b[below(Math.min(b.length, 12))] ^= 1 << below(8); // preamble bit flip
        else if (kind === 4) {
          // insert or delete a run of bytes
          const at = below(b.length + 1);
          const len = below(9);
          const insert = below(2) === 0;
          const c = new Uint8Array(insert ? b.length + len : Math.max(0, b.length - len));
          if (insert) {
            c.set(b.subarray(0, at));
            for (let i = 0; i < len; i++) c[at + i] = below(256);
            c.set(b.subarray(at), at + len);
          } else {
            c.set(b.subarray(0, at).subarray(0, c.length));
            if (at < c.length) c.set(b.subarray(at + len).subarray(0, c.length - at), at);
          }
          b = c;
        } else if (kind === 5) b = Uint8Array.from({ length: below(200) }, () => below(256)); // noise
        else if (kind === 6 && b.length > 10) {
          // a random header length
          b[8] = below(256);
          b[9] = below(4);
        }
      }
      let r: DataResult | undefined;
      expect(() => (r = readNpy(b, { maxElements: 1 << 20 }))).not.toThrow();
      if (r!.ok) {
        okCount++;
        expect(r!.array.data.length).toBe(r!.array.shape.reduce((x, y) => x * y, 1));
      } else {
        expect(r!.message.length).toBeGreaterThan(0);
        expect(r!.message).not.toMatch(/^internal error/);
      }
    }
    // Some mutations (e.g. of data bytes) leave the file valid; most do not.
    expect(okCount).toBeGreaterThan(0);
    expect(okCount).toBeLessThan(2000);
  });
});

describe('readCsv', () => {
  it('reads comma-separated rows', () => {
    const a = ok(readCsv('1,2,3\n4,5,6\n'));
    expect(a.shape).toEqual([2, 3]);
    expect(a.dtype).toBe('csv');
    expect(Array.from(a.data)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('skips a header, comments, blank lines, a BOM, and accepts CRLF and CR', () => {
    const text = '\uFEFF# exported weights\r\nx, y\r\n\r\n 1.5 , -2e-3\r\n# middle\r\n+.5,7.\r   \r\n';
    const a = ok(readCsv(text));
    expect(a.shape).toEqual([2, 2]);
    expect(Array.from(a.data)).toEqual([1.5, -2e-3, 0.5, 7]);
  });

  it('accepts semicolons, tabs and spaces as separators', () => {
    for (const text of ['1;2\n3;4', '1\t2\n3\t4', '1 2\n  3    4  ', '1 ;2\n3; 4', '1\t 2\n3 \t4']) {
      const a = ok(readCsv(text));
      expect(a.shape, JSON.stringify(text)).toEqual([2, 2]);
      expect(Array.from(a.data)).toEqual([1, 2, 3, 4]);
    }
  });

  it('gives a single column the shape [rows, 1]', () => {
    const a = ok(readCsv('label\n0\n1\n1\n'));
    expect(a.shape).toEqual([3, 1]);
    expect(Array.from(a.data)).toEqual([0, 1, 1]);
  });

  it('reports errors with line and column', () => {
    const cases: [string, string][] = [
      ['1,2,3\n4,5\n', 'line 2 has 2 values but the first data row (line 1) has 3'],
      ['a,b\n\n1,2\n3,4,5', 'line 4 has 3 values but the first data row (line 3) has 2'],
      ['1,2\n3,abc\n', "line 2, column 2: 'abc' is not a number"],
      ['# c\n1,2\n3,0x10\n', "line 3, column 2: '0x10' is not a number"],
      ['1,2\n3,1,5\n', 'line 2 has 3 values but the first data row (line 1) has 2'],
      ['1,2\n3,NaN\n', "line 2, column 2: 'NaN' is not a finite number"],
      ['1,2\n-inf,3\n', "line 2, column 1: '-inf' is not a finite number"],
      ['nan,1\n', "line 1, column 1: 'nan' is not a finite number"],
      ['1,2\n3,1e999\n', "line 2, column 2: '1e999' is too large for a double"],
      ['1,,3\n', 'line 1, column 2: the cell is empty'],
      ['1,2,\n3,4,\n', 'line 1, column 3: the cell is empty'],
      ['x,y\n1,2\n3,4x\n', "line 3, column 2: '4x' is not a number"],
      ['', 'the CSV file holds no rows of numbers'],
      ['# nothing\n\nheader\n', 'the CSV file holds no rows of numbers'],
      [`1,2\n1,${'9'.repeat(40)}x\n`, "line 2, column 2: '999999999999999999999...' is not a number"],
    ];
    for (const [text, expected] of cases) expect(message(readCsv(text)), JSON.stringify(text)).toBe(expected);
  });

  it('honours maxElements', () => {
    expect(ok(readCsv('1,2\n3,4', { maxElements: 4 })).data.length).toBe(4);
    expect(message(readCsv('1,2\n3,4', { maxElements: 3 }))).toBe('line 2: the CSV file holds more values than the limit of 3');
  });

  it('never throws on seeded random text', () => {
    const next = lcg(7);
    const alphabet = '0123456789.,;\t \r\n#-+eEnaNiIfx\uFEFF';
    for (let round = 0; round < 500; round++) {
      const text = Array.from({ length: next() % 80 }, () => alphabet[next() % alphabet.length]).join('');
      let r: DataResult | undefined;
      expect(() => (r = readCsv(text))).not.toThrow();
      if (r!.ok) expect(r!.array.data.length).toBe(r!.array.shape[0] * r!.array.shape[1]);
      else expect(r!.message).not.toMatch(/^internal error/);
    }
  });
});

describe('formatShape', () => {
  it('spells shapes with brackets', () => {
    expect(formatShape([16, 64])).toBe('[16, 64]');
    expect(formatShape([3])).toBe('[3]');
    expect(formatShape([])).toBe('[]');
  });
});
