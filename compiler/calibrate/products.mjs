// Measures the LUTs of the products that arith.ts productConst writes as one flat canonical-signed-digit expression (a
// signed input of at most TABLE_INPUT_BITS bits times a constant that is not a power of two), and writes
// compiler/src/estimate/product-luts.json, which the estimator reads (features.ts productLuts).
//
//   node compiler/calibrate/products.mjs [--max-weight N]
//
// Every product x · w, for x of sv = 2…6 signed bits and odd w with 3 ≤ |w| ≤ N (default 255), is a module of its own
// (keep_hierarchy, every product bit an output), synthesized in one yosys run per flow: `synth_xilinx -family xc7` and
// `synth_ice40` (no -dsp), as the calibration synthesizes networks. w · 2^k has w's digits shifted: the same LUTs. The
// expression is the one productConst writes (the backend's own function, not a copy of it). Every product is measured
// a second time with a constant added (a batchnorm's offset, `withOffset`), which yosys merges into the product's own
// $macc. About 8 minutes for xc7 and 22 for iCE40 on the 2-core machine (5,080 modules per flow).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { canonicalSignedDigits, TABLE_INPUT_BITS } from '../dist/index.js';
import { productConst } from '../dist/backends/verilog/arith.js';
import { printExpr } from '../dist/backends/verilog/vast.js';

const OUT = join(dirname(fileURLToPath(import.meta.url)), '../src/estimate/product-luts.json');
const arg = process.argv.indexOf('--max-weight');
const MAX = arg > 0 ? Number(process.argv[arg + 1]) : 255;

/**
 * The module of x · w for a signed x of sv bits: the expression is the backend's own (arith.ts productConst with the
 * plan's canonical signed digits, as a `lut` constant); Y has every product bit.
 */
export function productModule(name, sv, w, withOffset = false) {
  const x = { kind: 'net', name: 'X', width: sv, signed: true, lo: -(1n << BigInt(sv - 1)), hi: (1n << BigInt(sv - 1)) - 1n };
  let wire;
  const sink = {
    wire: (prefix, width, isSigned, value) => (wire = { name: prefix, width, value }),
    adder: () => {
      throw new Error(`products.mjs: x · ${w} of ${sv} bits is not one expression`);
    },
    zerosOf: () => 0,
    setZeros: () => {},
    partlyRead: () => {},
  };
  productConst(sink, 'Y', x, BigInt(w), { kind: 'lut', csd: canonicalSignedDigits(BigInt(w)) });
  const expr = printExpr(wire.value);
  if (!withOffset) return { text: `(* keep_hierarchy *) module ${name}(input signed [${sv - 1}:0] X, output signed [${wire.width - 1}:0] Y);\n  assign Y = ${expr};\nendmodule\n`, width: wire.width };
  // A batchnorm's offset (layers.ts batchnorm): a constant one bit wider than the product, added to it. Its value
  // matters little (measured: within about two LUTs over random offsets); this one has every other bit set from bit 1.
  const W = wire.width + 1;
  let c = 0n;
  for (let b = 1; b < W - 1; b += 2) c |= 1n << BigInt(b);
  return { text: `(* keep_hierarchy *) module ${name}(input signed [${sv - 1}:0] X, output signed [${W - 1}:0] Y);\n  wire signed [${wire.width - 1}:0] P = ${expr};\n  assign Y = ${W}'sh${c.toString(16)} + P;\nendmodule\n`, width: W };
}

/**
 * Synthesizes the products `items` ({ sv, w }) in one yosys run for `flow` ('xc7' or 'ice40'), each a module of its
 * own under a top that instantiates them all, in the folder `dir`; returns their LUT counts in order.
 */
export function measureProducts(flow, items, dir) {
  const mods = items.map((k, i) => productModule(`P${i}`, k.sv, k.w, k.withOffset));
  const ports = items.map((k, i) => `input [${k.sv - 1}:0] x${i}, output [${mods[i].width - 1}:0] y${i}`).join(', ');
  const top = `module top(${ports});\n${items.map((_, i) => `  P${i} u${i}(.X(x${i}), .Y(y${i}));`).join('\n')}\nendmodule\n`;
  const v = join(dir, `products_${flow}.v`);
  const stat = join(dir, `stat_${flow}.json`);
  writeFileSync(v, mods.map((m) => m.text).join('') + top);
  const synth = flow === 'xc7' ? 'synth_xilinx -family xc7 -top top' : 'synth_ice40 -noflatten -top top';
  execFileSync('yosys', ['-q', '-p', `read_verilog ${v}; ${synth}; tee -q -o ${stat} stat -json`], { stdio: ['ignore', 'ignore', 'inherit'], maxBuffer: 1 << 28 });
  const s = JSON.parse(readFileSync(stat, 'utf8').replace(/^[^{]*/, ''));
  const luts = new Array(items.length).fill(0);
  for (const [name, mod] of Object.entries(s.modules)) {
    const n = name.replace(/^\\/, '');
    if (n === 'top') continue;
    luts[Number(n.slice(1))] = Object.entries(mod.num_cells_by_type ?? {}).filter(([t]) => /^LUT\d$|^SB_LUT4$/.test(t)).reduce((a, [, c]) => a + c, 0);
  }
  return luts;
}

function main() {
  const items = [];
  for (const withOffset of [false, true]) for (let sv = 2; sv <= TABLE_INPUT_BITS; sv++) for (let m = 3; m <= MAX; m += 2) for (const w of [m, -m]) items.push({ sv, w, withOffset });
  const dir = mkdtempSync(join(tmpdir(), 'qnn-products-'));
  try {
    const version = execFileSync('yosys', ['-V']).toString().trim();
    const table = {
      $comment: `LUTs of x · w as arith.ts productConst writes it for a signed input x of sv bits (≤ TABLE_INPUT_BITS): one flat canonical-signed-digit expression. Each product synthesized alone (keep_hierarchy, every product bit read) by ${version}: xc7 = synth_xilinx -family xc7 (LUT1-6), ice40 = synth_ice40 without -dsp (SB_LUT4). Keyed by sv, then by the odd weight w (w · 2^k costs what w does). withOffset: the same products with a constant one bit wider added (a batchnorm's offset; yosys alumacc merges it into the product's $macc), every other bit set from bit 1. Written by node compiler/calibrate/products.mjs.`,
      maxWeight: MAX,
      xc7: {},
      ice40: {},
      withOffset: { xc7: {}, ice40: {} },
    };
    for (const flow of ['xc7', 'ice40']) {
      const t0 = Date.now();
      const luts = measureProducts(flow, items, dir);
      for (let i = 0; i < items.length; i++) ((items[i].withOffset ? table.withOffset[flow] : table[flow])[items[i].sv] ??= {})[items[i].w] = luts[i];
      process.stderr.write(`products: ${flow}: ${items.length} products in ${((Date.now() - t0) / 1000).toFixed(0)} s\n`);
    }
    writeFileSync(OUT, JSON.stringify(table) + '\n');
    process.stderr.write(`wrote ${OUT}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
