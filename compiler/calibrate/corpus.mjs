// The calibration corpus: small generated networks (seeded; spanning widths, sizes, reuse factors, sparsity and every
// layer kind the Verilog backend builds) plus the samples. Each item is a .qnn source text, checked in memory.
//
// The held-out split is stratified by kind, decided before any error was looked at: the generated items of each kind,
// counted in index order, hold out every fourth (the 4th, 8th, … of that kind), and every sample is held out. So every
// kind has training items and held-out items (a split by index alone, i % 4, put whole kinds of the 12-kind cycle on
// one side). The fit never sees the held-out items; the error table reports them.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '../..');

/** xorshift32: the corpus must be the same on every machine. */
function rng(seed) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
}
const pick = (r, xs) => xs[Math.floor(r() * xs.length)];

/** Divisors of n that satisfy hls4ml's reuse rule (the checker refuses the others). */
function validReuse(nIn, nOut) {
  const out = [];
  const total = nIn * nOut;
  for (let r = 1; r <= total; r++) {
    if (total % r) continue;
    const mf = Math.min(nIn, r);
    const ml = Math.ceil(total / mf);
    if ((ml % nOut === 0 || r >= nIn) && (r % nIn === 0 || r < nIn)) out.push(r);
  }
  return out;
}

const fx = (w, i, q, o) => `fixed<${w}, ${i}${q || o ? `, ${q ?? 'TRN'}` : ''}${o ? `, ${o}` : ''}>`;

function header(name, part) {
  return `target ${part} clock 10ns\n\nnetwork ${name} {\n  io parallel\n`;
}

/** One generated network; `kind` chooses the family of layers, `r` the parameters. */
/** The first 44 items cycle through these kinds (their parameters are drawn as they always were: measurements stay valid). */
const KINDS = ['dense', 'dense', 'dense', 'mlp', 'sigmoid', 'softmax', 'batchnorm', 'pool', 'branch', 'leaky', 'dense_reuse', 'dense_reuse'];
/** Items from FIRST_EXTRA on cycle through these: more of the kinds with few items, convolutions, wide and sparse dense. */
const FIRST_EXTRA = 44;
const EXTRA_KINDS = ['mlp', 'pool', 'dense_reuse', 'conv1d', 'sigmoid', 'softmax', 'leaky', 'batchnorm', 'dense_wide', 'conv2d', 'branch', 'mlp', 'pool', 'dense_reuse', 'conv1d', 'dense_wide'];
/**
 * Items from FIRST_WIDE_REUSE on: dense layers at reuse > 1 with many terms per output and outputs per phase (as the
 * digits sample has), where yosys' opt_merge and share passes merge the per-phase sums that the small dense_reuse items
 * do not exercise.
 */
const FIRST_WIDE_REUSE = 76;
/**
 * Items from FIRST_HELD_BATCH on are held out in batches of one network of each kind (BLIND_KINDS), each generated
 * after a round of the estimator was committed and measured once. The latest batch, from FIRST_BLIND on, is the blind
 * set: no change to the estimator was made after its figures were seen. Earlier batches stay held out but are no longer
 * blind (their figures were seen while the next round was developed: docs/estimate.md says where).
 *   c82–c93: after the seventh round (commit 8c45f99); seen in the eighth.
 *   c94–c105: after the eighth round (commit c9eee4c); seen in the ninth.
 *   c106–c117: after the ninth round (commit bbcb851); seen in the tenth.
 *   c118–c129: after the tenth round (commit dacd1b0); seen in the eleventh.
 *   c130–c141: after the eleventh round (commit 157c616); seen in the twelfth.
 *   c142–c153: after the twelfth round (commit 6371296); seen in the thirteenth.
 *   c154–c165: after the thirteenth round (commit e7d37c0); seen in the fourteenth.
 *   c166–c177: after the fourteenth round (commit 1464e1e); seen in the fifteenth.
 *   c178–c189: after the fifteenth round (commit 455e624); seen in the sixteenth.
 *   c190–c201: after the sixteenth round (commit 017c6e9); seen in the seventeenth.
 *   c202–c213: after the seventeenth round (commit 8bd0a77); seen in the eighteenth.
 *   c214–c225: after the eighteenth round (commit 1f4ca9d); seen in the nineteenth.
 *   c226–c237: after the nineteenth round (commit 7cd7e7c); seen in the twentieth.
 *   c238–c249: after the twentieth round (commit e6399a5); seen in the twenty-first.
 *   c250–c261: after the twenty-first round (commit 0410d27).
 */
export const FIRST_HELD_BATCH = 82;
export const FIRST_BLIND = 250;
const BLIND_KINDS = ['dense', 'mlp', 'dense_reuse', 'sigmoid', 'softmax', 'batchnorm', 'pool', 'branch', 'leaky', 'conv1d', 'dense_wide', 'conv2d'];
const kindOf = (i) =>
  i >= FIRST_HELD_BATCH ? BLIND_KINDS[(i - FIRST_HELD_BATCH) % BLIND_KINDS.length] : i >= FIRST_WIDE_REUSE ? 'dense_reuse_wide' : i < FIRST_EXTRA ? KINDS[i % KINDS.length] : EXTRA_KINDS[(i - FIRST_EXTRA) % EXTRA_KINDS.length];

function generated(i) {
  const r = rng(1000 + i * 7919);
  const kind = kindOf(i);
  const name = `c${String(i).padStart(2, '0')}_${kind}`;
  // The later items stay at most 12 bits wide, to keep the whole calibration under ~45 minutes on 2 cores.
  const xw = pick(r, i < FIRST_EXTRA ? [4, 6, 8, 10, 12, 16] : [4, 6, 8, 10, 12, 12]);
  const xi = Math.min(xw - 1, pick(r, [2, 3, 4]));
  const ww = pick(r, [3, 4, 5, 6, 8]);
  const sparsity = pick(r, [0, 0, 0.3, 0.6, 0.85]);
  const quant = pick(r, [undefined, 'RND']);
  const ovf = pick(r, [undefined, 'SAT']);
  const data = fx(xw, xi, quant ?? (ovf ? 'TRN' : undefined), ovf);
  let wseed = 100 * i;
  const sparsity0 = sparsity;
  const coefType = fx(ww, 1, 'RND', 'SAT');
  const coefObj = { toString: () => `${coefType} = random(seed: ${++wseed}, sparsity: ${sparsity0})` };
  const coef = coefObj;
  const nin = pick(r, [4, 6, 8, 12, 16]);
  const nout = pick(r, [2, 3, 4, 6, 8]);
  const narrowAcc = r() < 0.4;
  const acc = narrowAcc ? `\n    accum: ${fx(xw + 4, xi + 3, undefined, pick(r, [undefined, 'SAT']))}` : '';
  const part = 'xc7a100t';
  let body = `  input x : ${data}[${nin}]\n`;
  let reuse = 1;
  switch (kind) {
    case 'dense':
      body += `  d = dense(x, ${nout}) {\n    weight: ${coef}${acc}\n  } : ${data}\n  output d\n`;
      break;
    case 'dense_reuse': {
      const rs = validReuse(nin, nout).filter((v) => v > 1 && v <= 16);
      reuse = rs.length ? pick(r, rs) : 1;
      body += `  d = dense(x, ${nout}) {\n    weight: ${coef}${acc}\n    reuse: ${reuse}\n  } : ${data}\n  output d\n`;
      break;
    }
    case 'mlp': {
      const h = pick(r, [4, 6, 8]);
      body += `  d1 = dense(x, ${h}) { weight: ${coef} } : ${data}\n  a1 = relu(d1) : ufixed<${xw - 1}, ${xi - 1}>\n  d2 = dense(a1, ${nout}) { weight: ${coef} } : ${data}\n  output d2\n`;
      break;
    }
    case 'sigmoid': {
      const fn = pick(r, ['sigmoid', 'tanh']);
      const t = pick(r, [32, 64, 256]);
      body += `  d = dense(x, ${nout}) { weight: ${coef} } : ${data}\n  s = ${fn}(d) { table: ${t} } : ${fn === 'sigmoid' ? 'ufixed<8, 0, RND, SAT>' : 'fixed<8, 1, RND, SAT>'}\n  output s\n`;
      break;
    }
    case 'softmax': {
      const t = pick(r, [32, 64, 128]);
      const impl = pick(r, ['stable', 'latency']);
      body += `  d = dense(x, ${Math.min(nout, 4)}) { weight: ${coef} } : ${fx(Math.max(xw, 10), xi + 2)}\n  p = softmax(d) {\n    table: ${t}\n    exp_table: fixed<12, 6, RND, SAT>\n    inv_table: ufixed<12, 4, RND, SAT>\n    implementation: ${impl}\n  } : ufixed<10, 0, TRN, SAT>\n  output p\n`;
      break;
    }
    case 'batchnorm':
      body += `  b = batchnorm(x) {\n    scale: ${coefType} = random(seed: ${i + 5})\n    bias: ${coefType} = random(seed: ${i + 6})\n  } : ${data}\n  d = dense(b, ${nout}) { weight: ${coef} } : ${data}\n  output d\n`;
      break;
    case 'pool': {
      const L = pick(r, [4, 8]);
      const C = pick(r, [2, 3]);
      const kindP = pick(r, ['maxpool1d', 'avgpool1d']);
      body = `  input x : ${data}[${L}, ${C}]\n  m = ${kindP}(x, 2) : ${data}[${L / 2}, ${C}]\n  g = global_${pick(r, ['max', 'avg'])}pool1d(m) : ${data}[${C}]\n  output g\n`;
      break;
    }
    case 'branch':
      body += `  a = dense(x, ${nout}) { weight: ${coef} } : ${data}\n  b = dense(x, ${nout}) { weight: ${coef} } : ${data}\n  r1 = relu(a) : ${data}\n  s = add(r1, b) : ${fx(xw + 1, xi + 1)}\n  output s\n`;
      break;
    case 'leaky':
      body += `  d = dense(x, ${nout}) { weight: ${coef} } : ${data}\n  l = leaky_relu(d, ${pick(r, [0.125, 0.3])}) : ${data}\n  output l\n`;
      break;
    case 'dense_wide': {
      // Wider inputs and sparsity extremes (narrow types keep synthesis short).
      const n = pick(r, [24, 32]);
      const sp = pick(r, [0, 0.5, 0.9, 0.95]);
      const wide = { toString: () => `${coefType} = random(seed: ${++wseed}, sparsity: ${sp})` };
      body = `  input x : ${data}[${n}]\n  d = dense(x, ${Math.min(nout, 4)}) {\n    weight: ${wide}${acc}\n  } : ${data}\n  output d\n`;
      break;
    }
    case 'conv1d': {
      const L = pick(r, [4, 6, 8]);
      const C = pick(r, [1, 2, 3]);
      const F = pick(r, [2, 3, 4]);
      const K = pick(r, [1, 2, 3]);
      const pad = pick(r, ['valid', 'same']);
      body = `  input x : ${data}[${L}, ${C}]\n  c = conv1d(x, ${F}, ${K}, padding: ${pad}) {\n    weight: ${coef}${acc}\n  } : ${data}\n  a = relu(c) : ${data}\n  output a\n`;
      break;
    }
    case 'dense_reuse_wide': {
      // At most 8-bit data and 6-bit weights keep synthesis short.
      const n = pick(r, [24, 32, 48]);
      const m = pick(r, [8, 12, 16]);
      const rs = validReuse(n, m).filter((v) => v >= 4 && v <= 16);
      reuse = rs.length ? pick(r, rs) : 1;
      const dw = Math.min(xw, 8);
      const d8 = fx(dw, Math.min(dw - 1, xi), quant ?? (ovf ? 'TRN' : undefined), ovf);
      const c6 = fx(Math.min(ww, 6), 1, 'RND', 'SAT');
      const wgt = { toString: () => `${c6} = random(seed: ${++wseed}, sparsity: ${pick(r, [0, 0.3, 0.6])})` };
      body = `  input x : ${d8}[${n}]\n  d = dense(x, ${m}) {\n    weight: ${wgt}\n    reuse: ${reuse}\n  } : ${d8}\n  output d\n`;
      break;
    }
    case 'conv2d': {
      const H = pick(r, [3, 4]);
      const C = pick(r, [1, 2]);
      const F = pick(r, [2, 3]);
      const K = pick(r, [2, 3]);
      body = `  input x : ${data}[${H}, ${H}, ${C}]\n  c = conv2d(x, ${F}, ${K}) {\n    weight: ${coef}${acc}\n  } : ${data}\n  output c\n`;
      break;
    }
    default:
      throw new Error(kind);
  }
  const source = `${header(name, part)}${body}}\n`;
  return { id: name, kind, source, params: { xw, ww, nin, nout, sparsity, reuse } };
}

/**
 * Activation tables (kind `table`, ids t00–t11 added in the twelfth round, t12–t19 in the thirteenth): sigmoid and
 * tanh of 64 to 1024 entries read through an index that is a slice of x's bits (x's fractional and integer bits
 * exactly the table's: no rounding, no clamp) or computed (rounded, and clamped where x reaches beyond the table's
 * range), alone or after a dense layer. Until then the only training
 * network with a table of more than 64 reachable entries on xc7 was c16, so the cost of a ROM cell was fitted on one
 * network. Split like the first items: the 4th, 8th and 12th are held out.
 * t12–t19 (added in the thirteenth round) read through a clamped index: x has one or two more integer bits than the
 * table's range, so the index saturates, and synthesis folds the clamp into the table (romIdxBits). Once the backend
 * bounded rounding casts exactly, no training network had such a table left (t11, held out, was the only one).
 * Split the same way: t15 and t19 are held out.
 */
export const TABLE_ITEMS = 20;
/** The table items from this one on read through a clamped index. */
const FIRST_CLAMPED_TABLE = 12;
function tableItem(i) {
  const r = rng(50000 + i * 7919);
  const fn = i % 2 ? 'tanh' : 'sigmoid';
  const R = fn === 'sigmoid' ? 16 : 8;
  const clamped = i >= FIRST_CLAMPED_TABLE;
  const n0 = pick(r, [128, 256, 512, 1024]);
  const n = clamped ? Math.min(Math.max(n0, 256), 512) : n0;
  const slice = !clamped && i % 4 < 2;
  const ib = Math.log2(R) - (r() < 0.5 ? 0 : 1);
  const fb = Math.log2(n / R) - (r() < 0.7 ? 0 : 1);
  let data;
  if (clamped) {
    // x's integer bits beyond the table's range (R = 2^ib with the sign): the index saturates.
    const ci = Math.log2(R) + pick(r, [1, 2]);
    const cf = Math.max(0, Math.log2(n / R) + pick(r, [-1, 0, 1, 2]));
    data = fx(ci + cf, ci, pick(r, ['TRN', 'RND']));
  } else data = slice ? fx(ib + fb, ib) : fx(pick(r, [10, 12, 16]), pick(r, [3, 4, 5]), pick(r, ['TRN', 'RND']), pick(r, [undefined, 'SAT']));
  const yw = pick(r, [6, 8, 10]);
  const out = fn === 'sigmoid' ? `ufixed<${yw}, 0, RND, SAT>` : `fixed<${yw}, 1, RND, SAT>`;
  const name = `t${String(i).padStart(2, '0')}_table`;
  const nin = pick(r, [2, 4, 6]);
  let body;
  // A clamped index reads x directly: a dense layer's tracked range would keep most of them from the clamp.
  if (clamped || r() < 0.5) body = `  input x : ${data}[${nin}]\n  s = ${fn}(x) { table: ${n} } : ${out}\n  output s\n`;
  else {
    const nout = pick(r, [2, 3, 4]);
    const coef = `${fx(pick(r, [3, 4, 5]), 1, 'RND', 'SAT')} = random(seed: ${60000 + i}, sparsity: ${pick(r, [0, 0.3])})`;
    body = `  input x : ${fx(8, 3)}[${nin}]\n  d = dense(x, ${nout}) { weight: ${coef} } : ${data}\n  s = ${fn}(d) { table: ${n} } : ${out}\n  output s\n`;
  }
  return { id: name, kind: 'table', source: `${header(name, 'xc7a100t')}${body}}\n`, params: { n, slice } };
}

/**
 * Narrow products alone (kind `narrow`, n00–n07, added in the seventeenth round): batchnorm and leaky_relu of inputs of
 * 3 to 6 bits, whose products are measured ones (product-luts.json) that no sum of products takes in (prodAloneLuts).
 * Until then every training batchnorm had inputs of 8 bits or more, and the held-out ones of 6 bits (c87, c111, c135)
 * were 24–28 % under. Split like the table items: n03 and n07 are held out.
 */
export const NARROW_ITEMS = 8;
function narrowItem(i) {
  const r = rng(70000 + i * 7919);
  const xw = pick(r, [3, 4, 5, 6]);
  const xi = Math.min(xw - 1, pick(r, [1, 2, 3]));
  const data = fx(xw, xi, pick(r, [undefined, 'RND']), pick(r, [undefined, 'SAT']));
  const ct = fx(pick(r, [4, 5, 6]), pick(r, [1, 2]), 'RND', 'SAT');
  const nin = pick(r, [4, 6, 8, 12]);
  const out = fx(pick(r, [6, 8, 10]), pick(r, [2, 3, 4]), pick(r, [undefined, 'RND']), pick(r, [undefined, 'SAT']));
  const name = `n${String(i).padStart(2, '0')}_narrow`;
  let body = `  input x : ${data}[${nin}]\n`;
  if (i % 4 === 2) body += `  l = leaky_relu(x, ${pick(r, [0.1, 0.2, 0.3])}) : ${out}\n  output l\n`;
  else {
    body += `  b = batchnorm(x) {\n    scale: ${ct} = random(seed: ${71000 + i})\n    bias: ${ct} = random(seed: ${72000 + i})\n  } : ${out}\n`;
    if (r() < 0.5) body += '  output b\n';
    else body += `  d = dense(b, ${pick(r, [2, 3, 4])}) { weight: ${fx(4, 1, 'RND', 'SAT')} = random(seed: ${73000 + i}, sparsity: 0.5) } : ${out}\n  output d\n`;
  }
  return { id: name, kind: 'narrow', source: `${header(name, 'xc7a100t')}${body}}\n`, params: { xw, nin } };
}

/**
 * Dense layers at reuse R with few terms per phase (kind `phases`, p00–p07, added in the seventeenth round): R close to
 * the number of terms, so most phases add one or two terms, and the phases that add the same multipliers to an output's
 * accumulator are one sum (mac.ts builds each once; raccBits counts each once). Split like the table items: p03 and
 * p07 are held out.
 */
export const PHASE_ITEMS = 8;
function phaseItem(i) {
  const r = rng(80000 + i * 7919);
  const nin = pick(r, [8, 12, 16]);
  const nout = pick(r, [2, 3, 4]);
  const rs = validReuse(nin, nout).filter((v) => v >= nin / 2 && v <= 16);
  const reuse = rs.length ? pick(r, rs) : 1;
  const xw = pick(r, [4, 6, 8]);
  const data = fx(xw, Math.min(xw - 1, 2), pick(r, [undefined, 'RND']), pick(r, [undefined, 'SAT']));
  const coef = `${fx(pick(r, [3, 4, 5]), 1, 'RND', 'SAT')} = random(seed: ${81000 + i}, sparsity: ${pick(r, [0, 0.3, 0.6])})`;
  const name = `p${String(i).padStart(2, '0')}_phases`;
  const body = `  input x : ${data}[${nin}]\n  d = dense(x, ${nout}) {\n    weight: ${coef}\n    reuse: ${reuse}\n  } : ${data}\n  output d\n`;
  return { id: name, kind: 'phases', source: `${header(name, 'xc7a100t')}${body}}\n`, params: { nin, nout, reuse } };
}

/**
 * Nearly empty dense layers (kind `sparse`, s00–s07, added in the eighteenth round): one to a few non-zero weights,
 * so that the network is its handshake, a product or two and the output cast's rounding increment (a few LUTs). No
 * training network was that small, and the held-out ones of 3 LUTs were estimated at 4 (the handshake's 2 and an
 * increment priced at 1.6). Split like the table items: s03 and s07 are held out.
 */
export const SPARSE_ITEMS = 8;
function sparseItem(i) {
  const r = rng(90000 + i * 7919);
  const xw = pick(r, [6, 8, 10, 12, 16]);
  const data = fx(xw, pick(r, [1, 2, 3]), pick(r, [undefined, 'RND']), pick(r, [undefined, 'SAT']));
  const nin = pick(r, [4, 6, 8, 12]);
  const nout = pick(r, [1, 2, 3]);
  // 1 to 3 non-zero weights (multiples of 1/4 in fixed<4, 1>'s range) at drawn places; the others zero.
  const w = Array.from({ length: nin }, () => new Array(nout).fill(0));
  for (let k = 0; k < 1 + (i % 3); k++) w[Math.floor(r() * nin)][Math.floor(r() * nout)] = pick(r, [-1, -0.75, -0.5, -0.25, 0.25, 0.5, 0.75]);
  const coef = `${fx(4, 1, 'RND', 'SAT')} = [${w.map((row) => `[${row.join(', ')}]`).join(', ')}]`;
  const out = fx(pick(r, [xw - 2, xw]), 2, pick(r, ['RND', 'RND_CONV', undefined]), pick(r, ['SAT', undefined]));
  const name = `s${String(i).padStart(2, '0')}_sparse`;
  const body = `  input x : ${data}[${nin}]\n  d = dense(x, ${nout}) { weight: ${coef} } : ${out}\n  output d\n`;
  return { id: name, kind: 'sparse', source: `${header(name, 'xc7a100t')}${body}}\n`, params: { nin, nout } };
}

/**
 * Narrow inputs that several multi-digit products read (kind `shared`, m00–m07, added in the nineteenth round): dense
 * layers (and two dense branches of one input, added) of 4- to 6-bit inputs times 5- to 8-bit weights, whose products
 * are one expression each, up to eight per input. abc merges the adder networks of one input's products, and the path
 * runs through the others' logic (PathFeatures.shared): the held-out c199 and c209 were 37–39 % fast in fmax, and no
 * training network had that structure on its critical path. Split like the table items: m03 and m07 are held out.
 */
export const SHARED_ITEMS = 8;
function sharedItem(i) {
  const r = rng(100000 + i * 7919);
  const xw = pick(r, [4, 5, 6]);
  const data = fx(xw, Math.min(xw - 1, pick(r, [2, 3])), 'RND', 'SAT');
  const coef = (seed) => `${fx(pick(r, [5, 6, 8]), 1, 'RND', 'SAT')} = random(seed: ${seed}, sparsity: ${pick(r, [0, 0.3])})`;
  const nin = pick(r, [1, 2, 4]);
  const nout = pick(r, [2, 4, 8]);
  const out = fx(8, 3, 'RND', 'SAT');
  const name = `m${String(i).padStart(2, '0')}_shared`;
  let body = `  input x : ${data}[${nin}]\n  a = dense(x, ${nout}) { weight: ${coef(101000 + i)} } : ${out}\n`;
  if (i % 2 === 1) body += `  b = dense(x, ${nout}) { weight: ${coef(102000 + i)} } : ${out}\n  s = add(a, b) : ${fx(9, 4)}\n  output s\n`;
  else body += '  output a\n';
  return { id: name, kind: 'shared', source: `${header(name, 'xc7a100t')}${body}}\n`, params: { xw, nin, nout } };
}

/** The c items (c00 up to the blind batch), and all generated items (the table, narrow and phase items too). */
const C_ITEMS = FIRST_BLIND + BLIND_KINDS.length;
export const GENERATED = TABLE_ITEMS + NARROW_ITEMS + PHASE_ITEMS + SPARSE_ITEMS + SHARED_ITEMS + C_ITEMS;

/** The samples the Verilog backend builds (the others have convolutions or io stream). */
const SAMPLES = [
  ['ice40-tiny', 'samples/ice40-tiny/ice40-tiny.qnn'],
  ['digits', 'samples/digits/digits.qnn'],
  ['jet-tagger', 'samples/jet-tagger/jet-tagger.qnn'],
];

/** The corpus: generated items first, then the samples (read from disk, with their weight files). */
export function corpus() {
  const items = [];
  const seen = new Map();
  // The table, narrow, phase, sparse and shared items first (training and held out as the first items are), so the blind batch stays last.
  for (let i = 0; i < TABLE_ITEMS; i++) items.push({ ...tableItem(i), holdout: i % 4 === 3 });
  for (let i = 0; i < NARROW_ITEMS; i++) items.push({ ...narrowItem(i), holdout: i % 4 === 3 });
  for (let i = 0; i < PHASE_ITEMS; i++) items.push({ ...phaseItem(i), holdout: i % 4 === 3 });
  for (let i = 0; i < SPARSE_ITEMS; i++) items.push({ ...sparseItem(i), holdout: i % 4 === 3 });
  for (let i = 0; i < SHARED_ITEMS; i++) items.push({ ...sharedItem(i), holdout: i % 4 === 3 });
  for (let i = 0; i < C_ITEMS; i++) {
    const item = generated(i);
    if (i >= FIRST_HELD_BATCH) {
      items.push({ ...item, holdout: true, ...(i >= FIRST_BLIND ? { blind: true } : {}) });
      continue;
    }
    // Stratified by kind: the 4th, 8th, … item of each kind is held out.
    const k = seen.get(item.kind) ?? 0;
    seen.set(item.kind, k + 1);
    items.push({ ...item, holdout: k % 4 === 3 });
  }
  for (const [id, path] of SAMPLES) items.push({ id: `sample_${id}`, kind: 'sample', path: join(REPO, path), source: readFileSync(join(REPO, path), 'utf8'), holdout: true, params: {} });
  return items;
}
