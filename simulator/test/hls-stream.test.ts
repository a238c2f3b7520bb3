// io stream in the HLS backend: hls::stream between layers, DATAFLOW, FIFO depths from the network, line buffers for
// convolutions and pooling, AXI-Stream ports. The generated C++ (g++ with our ap_fixed.h and hls_stream.h) must
// compute exactly the simulator's bits on the io-stream samples (their test data and random vectors) and on seeded
// random stream networks: dense stacks, single window layers (every padding and stride), and CNNs whose tensors have
// several readers (clones) and are merged again (concat along any axis, add).
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkProgram, type NetworkModel } from '@qnn/language';
import { generateHls, hlsIncludeDir, nodeFileSystem, partCatalog } from '@qnn/compiler';
import { rng } from './helpers.js';
import { checked, cosim, Gen, pool, randomNetwork, randomStreamCnn, randomWindowNetwork, requireGpp, root, run, samples } from './hls-harness.js';

function streamSamples(): { net: NetworkModel; program: ReturnType<typeof checkProgram> }[] {
  const files = ['econ-t/econ-t.qnn', 'pulse-shape/pulse-shape.qnn', 'bragg-peak/bragg-peak.qnn'].map((f) => join(samples, f));
  const program = checkProgram(files, { fs: nodeFileSystem, parts: partCatalog });
  return [...program.files.values()].flatMap((f) => [...f.networks.values()]).map((net) => ({ net, program }));
}

async function randomBatch(label: string, sources: string[], seed: number): Promise<{ failures: string[]; distinct: number[] }> {
  const results = await pool(
    sources.map((src, k) => async () => {
      const r = await cosim(checked(src), `${label}-${k}`, seed + k);
      return { failure: r.ok ? undefined : `${label} network ${k} (${r.dir}):\n${r.report}\n${src}`, distinct: r.distinct };
    }),
    2,
  );
  return { failures: results.flatMap((r) => (r.failure ? [r.failure] : [])), distinct: results.map((r) => r.distinct) };
}

describe('HLS C++ in io stream (g++ with our ap_fixed.h and hls_stream.h) = simulator, bit for bit', () => {
  it('the io-stream samples (econ-t, pulse-shape, bragg-peak) on their test data and on 200 random vectors', async () => {
    requireGpp();
    const nets = streamSamples();
    expect(nets.map((n) => `${n.net.name}:${n.net.io}:${n.net.complete}`)).toEqual(['econ_t:stream:true', 'pulse_id:stream:true', 'bragg:stream:true']);
    const jobs = nets.flatMap(({ net, program }, i) => {
      const test = [...program.files.values()].flatMap((f) => [...f.tests.values()]).find((t) => t.network === net.name);
      expect(test, `test data of ${net.name}`).toBeDefined();
      return [
        async () => {
          const r = await cosim(net, `sample-${net.name}-test`, 0, { inputs: test!.inputs });
          return r.ok ? undefined : `${net.name} (test data, ${r.dir}):\n${r.report}`;
        },
        async () => {
          const r = await cosim(net, `sample-${net.name}-random`, 500 + i);
          return r.ok && r.distinct >= 20 ? undefined : `${net.name} (random, ${r.distinct} distinct outputs, ${r.dir}):\n${r.report}`;
        },
      ];
    });
    expect((await pool(jobs, 2)).filter((f) => f !== undefined)).toEqual([]);
  }, 400_000);

  it('the generated code: stream ports with AXI-Stream interfaces, DATAFLOW, FIFO depths as declared, line buffers', () => {
    const econ = streamSamples().find((n) => n.net.name === 'econ_t')!.net;
    const p = generateHls(econ);
    expect(p.io).toBe('stream');
    const cpp = p.files.get('econ_t.cpp')!;
    expect(cpp).toContain('void econ_t(hls::stream<wafer_px> &wafer, hls::stream<enc_px> &enc_out) {');
    expect(cpp).toContain('#pragma HLS INTERFACE axis port=wafer');
    expect(cpp).toContain('#pragma HLS INTERFACE axis port=enc_out');
    expect(cpp).toContain('#pragma HLS DATAFLOW');
    // `fifo 32` for every edge, `fifo flat -> enc depth 128` for that one.
    expect(cpp).toContain('#pragma HLS STREAM variable=conv_s depth=32');
    expect(cpp).toContain('#pragma HLS STREAM variable=relu1_s depth=32');
    expect(cpp).toContain('#pragma HLS STREAM variable=flat_s depth=128');
    // A 3×3 stride-2 convolution over 8 rows keeps 3 rows of 8 pixels of 1 channel.
    expect(cpp).toContain('// Line buffer: 3 of 8 rows');
    expect(cpp).toContain('wafer_t lb[24];');
    expect(p.files.get('defines.h')).toContain('#include "hls_stream.h"');
    expect(p.files.get('defines.h')).toContain('struct wafer_px {\n  wafer_t data[1];\n};');
    expect(p.files.has('include/hls_stream.h')).toBe(true);
    // A tensor with four readers (bragg's a2) is cloned into four FIFOs.
    const bragg = generateHls(streamSamples().find((n) => n.net.name === 'bragg')!.net).files.get('bragg.cpp')!;
    expect(bragg).toMatch(/static void clone_a2\(hls::stream<a2_px> &in0, hls::stream<a2_px> &out0, hls::stream<a2_px> &out1, hls::stream<a2_px> &out2, hls::stream<a2_px> &out3\)/);
  });

  it('on 24 seeded random dense networks in io stream (branches, add, concat, reshape, softmax)', async () => {
    requireGpp();
    const g = new Gen(rng(2024));
    const { failures, distinct } = await randomBatch('stream-dense', Array.from({ length: 24 }, (_, k) => randomNetwork(g, k, 'stream')), 3000);
    expect(failures).toEqual([]);
    expect(distinct.filter((d) => d >= 20).length, `distinct outputs: ${distinct.join(', ')}`).toBeGreaterThanOrEqual(12);
  }, 400_000);

  it('on 24 seeded random convolution and pooling layers in io stream (line buffers: padding, strides, kernels up to the input)', async () => {
    requireGpp();
    const g = new Gen(rng(8080));
    const { failures, distinct } = await randomBatch('stream-window', Array.from({ length: 24 }, (_, k) => randomWindowNetwork(g, k, 'stream')), 4000);
    expect(failures).toEqual([]);
    expect(distinct.filter((d) => d >= 20).length, `distinct outputs: ${distinct.join(', ')}`).toBeGreaterThanOrEqual(12);
  }, 400_000);

  it('on 16 seeded random CNNs in io stream (several readers of a tensor, merges along any axis, FIFO depths)', async () => {
    requireGpp();
    const g = new Gen(rng(5151));
    const { failures, distinct } = await randomBatch('stream-cnn', Array.from({ length: 16 }, (_, k) => randomStreamCnn(g, k)), 5000);
    expect(failures).toEqual([]);
    expect(distinct.filter((d) => d >= 20).length, `distinct outputs: ${distinct.join(', ')}`).toBeGreaterThanOrEqual(8);
  }, 400_000);

  it('on a network used twice as a layer of an io-stream network (arguments cast, each use its own processes)', async () => {
    requireGpp();
    const src = [
      `network block {`,
      `  input a : fixed<10, 3, RND, SAT>[4, 2]`,
      `  d = dense(a, 2) {`,
      `    weight: fixed<8, 2, RND> = [[0.5, -0.25], [1.5, 0.75]]`,
      `    bias: fixed<8, 2> = [0.25, -0.5]`,
      `    accum: fixed<18, 6>`,
      `  } : fixed<12, 4, RND_CONV, SAT_SYM>`,
      `  r = relu(d) : ufixed<10, 3, RND, SAT>`,
      `  output r`,
      `}`,
      `network outer {`,
      `  io stream`,
      `  input x : fixed<14, 5>[4, 2]`,
      `  b1 = block(x)`,
      `  b2 = block(b1)`,
      `  s = add(b1, b2) : fixed<12, 5, RND>`,
      `  f = flatten(s) : fixed<12, 5, RND>`,
      `  output f`,
      `}`,
    ].join('\n');
    const r = await cosim(checked(src), 'stream-calls', 11);
    expect(r.ok, `${r.dir}\n${r.report}`).toBe(true);
    expect(r.distinct).toBeGreaterThan(50);
  }, 60_000);

  it('our hls_stream.h: FIFO order, read/write, >> <<, empty, size, read_nb; reading an empty stream aborts naming it', async () => {
    requireGpp();
    const dir = join(root, 'stream-header');
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 's.cpp'),
      [
        '#include <cstdio>',
        '#include "ap_fixed.h"',
        '#include "hls_stream.h"',
        'struct px { ap_fixed<8, 3> data[2]; };',
        'int main(int argc, char **argv) {',
        '  hls::stream<int> s("s");',
        '  std::printf("%d %d ", (int)s.empty(), (int)s.size());',
        '  s.write(1); s << 2; s.write_nb(3);',
        '  int a, b, c; s >> a; s.read(b); c = s.read();',
        '  int d = 7; bool got = s.read_nb(d);',
        '  std::printf("%d %d %d %d %d %d %d\\n", (int)s.size(), a, b, c, (int)got, d, (int)s.full());',
        '  hls::stream<px> p;',
        '  px v; v.data[0] = 1.25; v.data[1] = -2.5; p.write(v);',
        '  px w = p.read();',
        '  std::printf("%g %g\\n", w.data[0].to_double(), w.data[1].to_double());',
        '  if (argc > 1) { hls::stream<int> e("the_empty_one"); e.read(); }',
        '  return 0;',
        '}',
      ].join('\n'),
    );
    await run('g++', ['-std=c++14', `-I${hlsIncludeDir()}`, '-o', 's', 's.cpp'], { cwd: dir });
    const { stdout } = await run('./s', [], { cwd: dir });
    expect(stdout).toBe('1 0 0 1 2 3 0 7 0\n1.25 -2.5\n');
    const empty = spawnSync('./s', ['x'], { cwd: dir, encoding: 'utf8' });
    expect(empty.status).not.toBe(0);
    expect(empty.stderr).toContain("hls::stream 'the_empty_one' is read while empty");
  }, 60_000);
});
