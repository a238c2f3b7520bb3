// The generated Vitis HLS C++, compiled with g++ against QNN Studio's own ap_fixed.h, computes exactly the simulator's
// bits: for every sample network the backend supports and for seeded random networks (random types, every
// quantization and overflow mode), 200 seeded input vectors and the simulator's outputs (raw integers) are written
// next to the generated sources, and the C testbench must report zero mismatches.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyOverflow, checkProgram, fracBits, quantizeDouble, roundShiftRight, OVERFLOW_MODES, QUANT_MODES, type FixedType } from '@qnn/language';
import { generateHls, hlsIncludeDir, HlsUnsupportedError, nodeFileSystem, partCatalog } from '@qnn/compiler';
import { productType, sumType } from '../src/fixed/types.js';
import { rng } from './helpers.js';
import { checked, cosim, Gen, literal, pool, qnnFiles, randomNetwork, randomWindowNetwork, requireGpp, root, run, samples } from './hls-harness.js';

describe('HLS C++ (g++ with our ap_fixed.h) = simulator, bit for bit', () => {
  it('on every sample network the backend supports', async () => {
    requireGpp();
    const program = checkProgram(qnnFiles(samples).sort(), { fs: nodeFileSystem, parts: partCatalog });
    const nets = [...program.files.values()].flatMap((f) => [...f.networks.values()]).filter((n) => n.complete);
    const unsupported: string[] = [];
    const jobs: (() => Promise<string | undefined>)[] = [];
    nets.forEach((net, i) => {
      try {
        generateHls(net);
      } catch (e) {
        if (!(e instanceof HlsUnsupportedError)) throw e;
        unsupported.push(`${net.name}: ${e.message}`);
        return;
      }
      jobs.push(async () => {
        const r = await cosim(net, `sample-${net.name}`, 100 + i);
        return r.ok ? undefined : `${net.name} (${r.dir}):\n${r.report}`;
      });
    });
    const failures = (await pool(jobs, 2)).filter((f) => f !== undefined);
    expect(failures).toEqual([]);
    // The supported samples must include the dense networks.
    expect(jobs.length).toBeGreaterThanOrEqual(3);
    if (unsupported.length) console.log(`HLS backend: not yet supported:\n  ${unsupported.join('\n  ')}`);
  }, 300_000);

  it('on 24 seeded random dense networks (every quantization and overflow mode)', async () => {
    requireGpp();
    const g = new Gen(rng(4242));
    const sources = Array.from({ length: 24 }, (_, k) => randomNetwork(g, k));
    const results = await pool(
      sources.map((src, k) => async () => {
        const r = await cosim(checked(src), `random-${k}`, k);
        return { failure: r.ok ? undefined : `random network ${k} (${r.dir}):\n${r.report}\n${src}`, distinct: r.distinct };
      }),
      2,
    );
    expect(results.map((r) => r.failure).filter((f) => f !== undefined)).toEqual([]);
    // Most networks must produce varied outputs (not all saturated), or the comparison proves little.
    const varied = results.filter((r) => r.distinct >= 20).length;
    expect(varied, `distinct output vectors per network: ${results.map((r) => r.distinct).join(', ')}`).toBeGreaterThanOrEqual(results.length / 2);
  }, 300_000);

  it('on 24 seeded random convolution and pooling layers (padding, strides, every mode)', async () => {
    requireGpp();
    const g = new Gen(rng(777));
    const sources = Array.from({ length: 24 }, (_, k) => randomWindowNetwork(g, k));
    const results = await pool(
      sources.map((src, k) => async () => {
        const r = await cosim(checked(src), `window-${k}`, 1000 + k);
        return { failure: r.ok ? undefined : `window network ${k} (${r.dir}):\n${r.report}\n${src}`, distinct: r.distinct };
      }),
      2,
    );
    expect(results.map((r) => r.failure).filter((f) => f !== undefined)).toEqual([]);
    const varied = results.filter((r) => r.distinct >= 20).length;
    expect(varied, `distinct output vectors per network: ${results.map((r) => r.distinct).join(', ')}`).toBeGreaterThanOrEqual(results.length / 2);
  }, 300_000);

  it('our ap_fixed.h: casts (W up to 128, every mode), construction from doubles, + * and < agree with the semantics', async () => {
    requireGpp();
    const g = new Gen(rng(31337));
    const randType = (maxW: number): FixedType => {
      const signed = g.rnd() < 0.6;
      const width = g.int(1, signed ? maxW : Math.min(maxW, 127));
      return { signed, width, intBits: g.int(-20, width + 20), quant: g.pick(QUANT_MODES), overflow: g.pick(OVERFLOW_MODES) };
    };
    const randRaw = (t: FixedType): bigint => {
      let v = 0n;
      for (let i = 0; i < 5; i++) v = (v << 32n) | BigInt(Math.floor(g.rnd() * 2 ** 32));
      const bits = BigInt(g.int(1, t.width));
      v &= (1n << bits) - 1n;
      if (t.signed) v -= 1n << (bits - 1n);
      return v;
    };
    const ap = (t: FixedType) => `${t.signed ? 'ap_fixed' : 'ap_ufixed'}<${t.width}, ${t.intBits}, AP_${t.quant}, AP_${t.overflow}>`;
    const u64 = (v: bigint) => `${BigInt.asUintN(64, v)}ULL`;
    const setRaw = (name: string, t: FixedType, raw: bigint) =>
      t.width > 64 ? `${name}.range(${t.width - 1}, 64) = ${u64(raw >> 64n)}; ${name}.range(63, 0) = ${u64(raw)};` : `${name}.range(${t.width - 1}, 0) = ${u64(raw)};`;
    const print = (name: string, t: FixedType) =>
      t.width > 64
        ? `std::printf("%llx %llx\\n", ${name}.range(${t.width - 1}, 64).to_uint64(), ${name}.range(63, 0).to_uint64());`
        : `std::printf("0 %llx\\n", ${name}.range(${t.width - 1}, 0).to_uint64());`;
    const readRaw = (line: string, t: FixedType): bigint => {
      const [hi, lo] = line.split(' ').map((x) => BigInt(`0x${x}`));
      const bits = (hi << 64n) | lo;
      return t.signed ? BigInt.asIntN(t.width, bits) : BigInt.asUintN(t.width, bits);
    };
    const t_overflow = (raw: bigint, t: FixedType) => (t.signed ? BigInt.asIntN(t.width, raw) : BigInt.asUintN(t.width, raw)) !== raw;
    const cast = (raw: bigint, from: FixedType, to: FixedType): bigint =>
      applyOverflow(to, roundShiftRight(raw, fracBits(from) - fracBits(to), to.quant)).raw;
    const body: string[] = [];
    const checks: ((line: string) => string | undefined)[] = [];
    for (let i = 0; i < 300; i++) {
      const a = randType(128);
      const b = randType(128);
      let raw = randRaw(a);
      // Often an exact tie or a single dropped bit: the cases where the quantization modes differ.
      const n = BigInt(fracBits(a) - fracBits(b));
      if (n > 0n && n <= BigInt(a.width) && g.rnd() < 0.6) {
        raw = ((raw >> n) << n) | (g.rnd() < 0.7 ? 1n << (n - 1n) : 1n);
        if (t_overflow(raw, a)) raw = (raw >> n) << n;
      }
      body.push(`{ ${ap(a)} a; ${setRaw('a', a, raw)} ${ap(b)} b = a; ${print('b', b)} }`);
      checks.push((line) => (readRaw(line, b) === cast(raw, a, b) ? undefined : `cast ${raw} from ${ap(a)} to ${ap(b)}: got ${readRaw(line, b)}, want ${cast(raw, a, b)}`));
    }
    for (let i = 0; i < 100; i++) {
      const t = randType(100);
      const x = g.pick([0, 1, -1, 0.5, 1e-30, -3e25]) * (g.rnd() < 0.5 ? 1 : g.rnd() * 1000);
      const want = quantizeDouble(t, x).raw;
      body.push(`{ ${ap(t)} c = ${x.toPrecision(17)}; ${print('c', t)} }`);
      checks.push((line) => (readRaw(line, t) === want ? undefined : `${ap(t)} = ${x}: got ${readRaw(line, t)}, want ${want}`));
    }
    for (let i = 0; i < 100; i++) {
      const a = randType(60);
      const b = randType(60);
      const ra = randRaw(a);
      const rb = randRaw(b);
      const prod = productType(a, b);
      const sum = sumType(a, b);
      const f = Math.max(fracBits(a), fracBits(b));
      const rs = (ra << BigInt(f - fracBits(a))) + (rb << BigInt(f - fracBits(b)));
      const less = ra * 2n ** BigInt(f - fracBits(a)) < rb * 2n ** BigInt(f - fracBits(b));
      body.push(
        `{ ${ap(a)} a; ${setRaw('a', a, ra)} ${ap(b)} b; ${setRaw('b', b, rb)} auto p = a * b; auto s = a + b; ` +
          `std::printf("%d %d %d %d %d ", p.width, p.iwidth, s.width, s.iwidth, (int)(a < b)); ${print('p', prod).replace('std::printf("', 'std::printf("P ')} }`,
        `{ ${ap(a)} a; ${setRaw('a', a, ra)} ${ap(b)} b; ${setRaw('b', b, rb)} auto s = a + b; ${print('s', sum)} }`,
      );
      checks.push((line) => {
        const [pw, pi, sw, si, lt, , ...rest] = line.split(' ');
        const got = readRaw(rest.join(' '), prod);
        const ok = Number(pw) === prod.width && Number(pi) === prod.intBits && Number(sw) === sum.width && Number(si) === sum.intBits && (lt === '1') === less && got === ra * rb;
        return ok ? undefined : `${ap(a)} ${ra} op ${ap(b)} ${rb}: ${line}; want ${prod.width} ${prod.intBits} ${sum.width} ${sum.intBits} ${less} ${ra * rb}`;
      });
      checks.push((line) => (readRaw(line, sum) === rs ? undefined : `${ap(a)} ${ra} + ${ap(b)} ${rb}: got ${readRaw(line, sum)}, want ${rs}`));
    }
    const dir = join(root, 'header');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 't.cpp'), `#include <cstdio>\n#include "ap_fixed.h"\nint main() {\n${body.join('\n')}\n}\n`);
    await run('g++', ['-std=c++17', '-O0', `-I${hlsIncludeDir()}`, '-o', 't', 't.cpp'], { cwd: dir });
    const { stdout } = await run('./t', [], { cwd: dir });
    const lines = stdout.trim().split('\n');
    expect(lines.length).toBe(checks.length);
    const errors = checks.map((c, i) => c(lines[i])).filter((e) => e !== undefined);
    expect(errors.slice(0, 10)).toEqual([]);
  }, 300_000);

  it('on networks used as layers (inlined, each use a separate instance, arguments cast to the input type)', async () => {
    requireGpp();
    const g = new Gen(rng(99));
    const w = (n: number, units: number) => literal(g.values({ signed: true, width: 8, intBits: 2, quant: 'TRN', overflow: 'WRAP' }, n * units, 1), [n, units]);
    const src = [
      `network block {`,
      `  input a : fixed<10, 3, RND, SAT>[4]`,
      `  d = dense(a, 4) {`,
      `    weight: fixed<8, 2, RND> = ${w(4, 4)}`,
      `    bias: fixed<8, 2> = [0.25, -0.5, 0, 1]`,
      `    accum: fixed<18, 6>`,
      `  } : fixed<12, 4, RND_CONV, SAT_SYM>`,
      `  r = relu(d) : ufixed<10, 3, RND, SAT>`,
      `  output r`,
      `}`,
      `network outer {`,
      `  io parallel`,
      `  input x : fixed<14, 5>[4]`,
      `  b1 = block(x)`,
      `  b2 = block(b1)`,
      `  s = add(b1, b2) : fixed<12, 5, RND>`,
      `  t = tanh(s) { table: 256 } : fixed<10, 2, RND>`,
      `  output t`,
      `}`,
    ].join('\n');
    const r = await cosim(checked(src), 'calls', 7);
    expect(r.ok, `${r.dir}\n${r.report}`).toBe(true);
    expect(r.distinct).toBeGreaterThan(50);
  }, 60_000);

  it('casts that the vendor headers would stop at (a rounding cast dropping more bits than the source has) are widened first', async () => {
    requireGpp();
    // Our header with QNN_AP_VENDOR_CHECKS aborts on such a cast, as the vendor's assertion does.
    const dir = join(root, 'vendor-check');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'c.cpp'), '#include "ap_fixed.h"\nint main() {\n  ap_fixed<4, -3> a = 0.0078125;\n  ap_fixed<6, 8, AP_RND> b = a;\n  return b.to_int();\n}\n');
    await run('g++', ['-std=c++14', `-I${hlsIncludeDir()}`, '-DQNN_AP_VENDOR_CHECKS', '-o', 'c', 'c.cpp'], { cwd: dir });
    const r = spawnSync('./c', [], { cwd: dir, encoding: 'utf8' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('QNN_AP_VENDOR_CHECKS: a cast drops 9 fractional bits of a 4-bit value');
    // Tiny weights and inputs into coarse rounding accumulators, outputs and table indices: the generated code widens
    // the sources and still computes the simulator's bits (cosim compiles with QNN_AP_VENDOR_CHECKS).
    const src = [
      `network tiny {`,
      `  io parallel`,
      `  input x : fixed<5, -1, RND, SAT>[3]`,
      `  d = dense(x, 2) {`,
      `    weight: fixed<4, -2, RND, SAT> = [[0.1, -0.05], [0.02, 0.11], [-0.12, 0.07]]`,
      `    bias: fixed<4, -2> = [0.05, -0.1]`,
      `    accum: fixed<6, 8, RND_CONV, SAT>`,
      `  } : fixed<6, 9, RND_INF>`,
      `  s = sigmoid(x) { table: 64 } : ufixed<8, 0, RND>`,
      `  l = linear(x) : fixed<5, 7, RND_ZERO, SAT_SYM>`,
      `  c = concat(d, s, l) : fixed<8, 9, RND_MIN_INF>`,
      `  output c`,
      `}`,
    ].join('\n');
    const res = await cosim(checked(src), 'vendor-widen', 3);
    expect(res.ok, `${res.dir}\n${res.report}`).toBe(true);
  }, 60_000);

  it('refuses what it does not implement with a message naming the layer or network', () => {
    const wide = checked(`network p {\n  io parallel\n  input x : fixed<8, 4>[4, 2]\n  y = avgpool1d(x, [2]) { accum: fixed<70, 20> } : fixed<70, 20>\n  output y\n}`);
    expect(() => generateHls(wide)).toThrow(HlsUnsupportedError);
    expect(() => generateHls(wide)).toThrow(/layer 'y'.*avgpool1d/);
    const wideAcc = checked(`network d {\n  io parallel\n  input x : fixed<8, 4>[2]\n  y = dense(x, 1) {\n    weight: fixed<8, 2> = [[1], [0.5]]\n    accum: fixed<128, 60>\n  } : fixed<16, 6>\n  output y\n}`);
    expect(() => generateHls(wideAcc)).toThrow(/layer 'y'.*129 bits/);
    const wideStream = checked(`network s {\n  io stream\n  input x : fixed<8, 4>[4, 2]\n  y = global_avgpool1d(x) { accum: fixed<70, 20> } : fixed<70, 20>\n  output y\n}`);
    expect(() => generateHls(wideStream)).toThrow(/layer 'y'.*global_avgpool1d/);
  });
});
