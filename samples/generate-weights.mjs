// Regenerates every .npy file of the samples: seeded weights and synthetic test inputs.
//
//   cd /work/main && npx tsc -p language && node samples/generate-weights.mjs
//
// Deterministic: the same files, byte for byte, on every run. Weights come from the language's own seeded generator
// (generateWeights: xoshiro128** seeded by (seed, stream), specified in language/src/random.ts), with the stream named
// `network/layer/tensor` exactly as `random(seed: N)` in a .qnn file names it. So, for example,
// samples/jet-tagger/weights/fc1_weight.npy holds the values `weight: coef = random(seed: 1)` would generate for
// layer fc1, before they are rounded to `coef`. The default scale is Glorot/Xavier uniform, sqrt(6 / (fanIn + fanOut)),
// with the checker's fans: dense [in, units] -> (in, units); conv [k.., C, F] -> (k·C, F); depthwise -> (k, multiplier),
// where k is the product of the kernel sizes ([k] for conv1d and depthwise_conv1d, [kh, kw] for the 2-D layers).
//
// These are NOT trained weights: they stand in until trained weights exist. They have the magnitudes trained layers
// have, so types, resources and overflow behaviour are realistic, and every value fits the type its .qnn file declares
// (the check at the end proves it: no QNN2020).
//
// Trained samples are left alone: a sample folder with a training script (`train.mjs`, today only digits/, whose
// weights samples/digits/train.mjs trains with TensorFlow.js) is never written to; `save` refuses to. Test inputs of
// all samples except digits are synthetic too (described where they are made); digits uses 200 rows of the UCI
// optical digits data (samples/digits/data/digits-test.csv, copied, not generated).
//
// After writing, the script lists (never deletes) .npy files under samples/ that it did not write (trained weights, or
// files left over from an old layout), then checks every sample .qnn file with the language checker and exits with
// status 1 if any error or warning is reported.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkProgram, generateWeights, seededUniform, writeNpy } from '../language/dist/index.js';

const SAMPLES = path.dirname(fileURLToPath(import.meta.url));
const written = [];

// ---- writing ------------------------------------------------------------------------------------------------------

/** A sample whose weights are trained by its own script: this script must never write into it. */
const isTrained = (sample) => fs.existsSync(path.join(SAMPLES, sample, 'train.mjs'));

/** Writes `samples/<sample>/<rel>` as a C-order .npy file. */
function save(sample, rel, shape, data, dtype = '<f4') {
  if (isTrained(sample)) throw new Error(`${sample}/${rel}: ${sample} has trained weights (${sample}/train.mjs); this script never writes them`);
  const file = path.join(SAMPLES, sample, rel);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, writeNpy({ shape, data }, dtype));
  let maxAbs = 0;
  let zeros = 0;
  for (const v of data) {
    maxAbs = Math.max(maxAbs, Math.abs(v));
    if (v === 0) zeros++;
  }
  written.push({ file: path.relative(SAMPLES, file), shape, maxAbs, zeros: zeros / data.length });
}

/** Glorot-uniform weights of one layer (the stream `net/layer/weight`), optionally with a fraction of zeros. */
function weights(sample, seed, net, layer, shape, fan, opts = {}) {
  const w = generateWeights({ seed, sparsity: opts.sparsity ?? 0, scale: opts.scale }, `${net}/${layer}/weight`, shape, fan);
  save(sample, `weights/${layer}_weight.npy`, shape, w);
  return w;
}

/** Small biases, uniform in [-scale, scale): trained biases are small next to the weights. */
function biases(sample, seed, net, layer, n, scale = 0.05) {
  const b = generateWeights({ seed, scale }, `${net}/${layer}/bias`, [n], { fanIn: 1, fanOut: 1 });
  save(sample, `weights/${layer}_bias.npy`, [n], b);
  return b;
}

function dense(sample, seed, net, layer, nIn, units, opts = {}) {
  const w = weights(sample, seed, net, layer, [nIn, units], { fanIn: nIn, fanOut: units }, opts);
  const b = biases(sample, seed, net, layer, units, opts.biasScale);
  return { w, b };
}

/** A conv1d or conv2d layer: `kernel` is [k] or [kh, kw]; the weight is [...kernel, channels, filters] (Keras). */
function conv(sample, seed, net, layer, kernel, channels, filters, opts = {}) {
  const kk = kernel.reduce((a, b) => a * b, 1);
  const w = weights(sample, seed, net, layer, [...kernel, channels, filters], { fanIn: kk * channels, fanOut: filters }, opts);
  const b = biases(sample, seed, net, layer, filters, opts.biasScale);
  return { w, b };
}

/** A depthwise_conv1d or depthwise_conv2d layer: the weight is [...kernel, channels, multiplier] (Keras). */
function depthwise(sample, seed, net, layer, kernel, channels, multiplier, opts = {}) {
  const kk = kernel.reduce((a, b) => a * b, 1);
  const w = weights(sample, seed, net, layer, [...kernel, channels, multiplier], { fanIn: kk, fanOut: multiplier }, opts);
  const b = biases(sample, seed, net, layer, channels * multiplier, opts.biasScale);
  return { w, b };
}

// ---- seeded draws for synthetic data (uniform draws only, so that the files are bit-identical everywhere) -----------

/** A source of uniform numbers in [0, 1) for one stream (exact multiples of 2^-53). */
function draws(seed, stream, count) {
  const u = seededUniform(seed, stream, count);
  let i = 0;
  return () => {
    if (i >= u.length) throw new Error(`stream ${stream} ran out of draws`);
    return (u[i++] + 1) / 2;
  };
}

/** Approximately standard normal: the Irwin–Hall sum of four uniforms, scaled to variance 1 (bounded by ±3.47). */
function gauss(next) {
  return (next() + next() + next() + next() - 2) * Math.sqrt(3);
}

// ---- 1. jet-tagger: hls4ml jet tagger 16-64-32-32-5 ---------------------------------------------------------------
{
  const S = 'jet-tagger';
  const seed = 1;
  const net = 'jet_tagger';
  dense(S, seed, net, 'fc1', 16, 64);
  // A quarter of fc2's weights are zero, as after light magnitude pruning: the estimate counts no multiplier for them.
  dense(S, seed, net, 'fc2', 64, 32, { sparsity: 0.25 });
  dense(S, seed, net, 'fc3', 32, 32);
  dense(S, seed, net, 'fc4', 32, 5);
  // 256 events of 16 standardized features (zero mean, unit variance, as the jet tagger's inputs are after scaling).
  const n = 256;
  const next = draws(seed, `${net}/test/inputs`, n * 16 * 4);
  const x = new Float64Array(n * 16).map(() => gauss(next));
  save(S, 'data/synthetic-features.npy', [n, 16], x);
}

// ---- 2. digits: 8×8 UCI optical digits, 64-32-10 ------------------------------------------------------------------
// Trained, not generated: samples/digits/train.mjs writes digits/weights/*.npy (TensorFlow.js, seeded). Test data:
// data/digits-test.csv, the first 200 rows of the UCI data (copied; not generated). Nothing to write here.

// ---- 3. econ-t: ECON-T-like encoder, 8×8×1 -> conv 3×3/2 ×8 -> dense 16 ------------------------------------------
{
  const S = 'econ-t';
  const seed = 3;
  const net = 'econ_t';
  conv(S, seed, net, 'conv', [3, 3], 1, 8);
  dense(S, seed, net, 'enc', 128, 16);
  // 128 synthetic sensor images: the 48 trigger cells are three 4×4 blocks of the 8×8 grid (the fourth quadrant,
  // rows 4..7 × columns 4..7, is always 0). Each image has one shower (a Gaussian blob of random centre and width)
  // plus sparse noise, and is normalized so that its cells sum to 1, as the encoder's inputs are.
  const n = 128;
  const next = draws(seed, `${net}/test/inputs`, n * (64 + 64 * 2));
  const x = new Float64Array(n * 64);
  for (let e = 0; e < n; e++) {
    let cx;
    let cy;
    do {
      cx = next() * 8;
      cy = next() * 8;
    } while (cx >= 4 && cy >= 4);
    const width = 0.6 + next() * 1.2;
    const img = new Float64Array(64);
    let sum = 0;
    for (let r = 0; r < 8; r++) {
      for (let c = 0; c < 8; c++) {
        const noise = next() < 0.15 ? next() * 0.05 : (next(), 0);
        if (r >= 4 && c >= 4) continue;
        const d2 = (r + 0.5 - cy) ** 2 + (c + 0.5 - cx) ** 2;
        const v = Math.exp(-d2 / (2 * width * width)) + noise;
        img[r * 8 + c] = v < 0.01 ? 0 : v;
        sum += img[r * 8 + c];
      }
    }
    for (let i = 0; i < 64; i++) x[e * 64 + i] = img[i] / sum;
  }
  save(S, 'data/synthetic-wafers.npy', [n, 8, 8, 1], x);
}

// ---- 4. branches: two-branch Deep Sets trigger network with a residual block -----------------------------------
{
  const S = 'branches';
  const seed = 4;
  const net = 'trigger';
  // The per-object layers are kernel-1 conv1d layers: weights [1, 3, F], fans (3, F), as a 3 -> F dense layer's.
  conv(S, seed, net, 'jet_embed', [1], 3, 16);
  conv(S, seed, net, 'mu_embed', [1], 3, 8);
  dense(S, seed, net, 'fc1', 24, 32);
  dense(S, seed, net, 'res_fc1', 32, 32);
  // The last layer of a residual branch starts small, so that the block starts close to the identity.
  dense(S, seed, net, 'res_fc2', 32, 32, { scale: 0.1 });
  dense(S, seed, net, 'fc_out', 32, 1);
  // 128 synthetic events: standardized (pT, η, φ) of 8 jets and 4 muons, leading objects first (pT descending).
  const n = 128;
  const objects = (name, count) => {
    const next = draws(seed, `${net}/test/${name}`, n * count * 3 * 4);
    const out = new Float64Array(n * count * 3);
    for (let e = 0; e < n; e++) {
      const rows = [];
      for (let k = 0; k < count; k++) rows.push([gauss(next), gauss(next), gauss(next)]);
      rows.sort((a, b) => b[0] - a[0]);
      rows.flat().forEach((v, i) => (out[e * count * 3 + i] = v));
    }
    save(S, `data/synthetic-${name}.npy`, [n, count, 3], out);
  };
  objects('jets', 8);
  objects('muons', 4);
}

// ---- 5. ice40-tiny: 16-8-4 vibration classifier for an iCE40 UP5K ------------------------------------------------
{
  const S = 'ice40-tiny';
  const seed = 5;
  const net = 'vibration';
  dense(S, seed, net, 'fc1', 16, 8);
  dense(S, seed, net, 'fc2', 8, 4);
  // 64 synthetic frames of 16 standardized band energies.
  const n = 64;
  const next = draws(seed, `${net}/test/inputs`, n * 16 * 4);
  save(S, 'data/synthetic-bands.npy', [n, 16], new Float64Array(n * 16).map(() => gauss(next)));
}

// ---- 6. pulse-shape: 1-D CNN for pulse-shape discrimination -------------------------------------------------------
{
  const S = 'pulse-shape';
  const seed = 6;
  const net = 'pulse_id';
  // 1-D layers over a [64, C] tensor: conv1d kernels [k, C, F], the depthwise kernel [k, C, multiplier].
  conv(S, seed, net, 'c1', [5], 1, 8);
  // Folded batchnorm: y = x·scale + bias, as exported after folding gamma/sqrt(variance + eps) and the offsets.
  {
    const g = seededUniform(seed, `${net}/bn1/gamma`, 8);
    const b = seededUniform(seed, `${net}/bn1/beta`, 8);
    const m = seededUniform(seed, `${net}/bn1/mean`, 8);
    const v = seededUniform(seed, `${net}/bn1/variance`, 8);
    const scale = new Float64Array(8);
    const bias = new Float64Array(8);
    for (let i = 0; i < 8; i++) {
      const gamma = 1 + 0.2 * g[i];
      const variance = 1 + 0.5 * v[i];
      scale[i] = gamma / Math.sqrt(variance + 0.001);
      bias[i] = 0.1 * b[i] - 0.3 * m[i] * scale[i];
    }
    save(S, 'weights/bn1_scale.npy', [8], scale);
    save(S, 'weights/bn1_bias.npy', [8], bias);
  }
  depthwise(S, seed, net, 'd1', [3], 8, 1);
  // Standalone batchnorm: Keras's moving statistics, folded by the tools.
  {
    const u = (name) => seededUniform(seed, `${net}/bn2/${name}`, 8);
    save(S, 'weights/bn2_gamma.npy', [8], u('gamma').map((x) => 1 + 0.2 * x));
    save(S, 'weights/bn2_beta.npy', [8], u('beta').map((x) => 0.1 * x));
    save(S, 'weights/bn2_mean.npy', [8], u('mean').map((x) => 0.3 * x));
    save(S, 'weights/bn2_variance.npy', [8], u('variance').map((x) => 1 + 0.5 * x));
  }
  conv(S, seed, net, 'c2', [3], 8, 16);
  dense(S, seed, net, 'logits', 16, 3);
  // 96 synthetic digitizer records of 64 samples: baseline-subtracted pulses normalized to a peak of 1, with noise.
  // A pulse rises with a 1.5-sample time constant and decays with a fast (3 samples) and a slow (25 samples)
  // component; the slow fraction is ~5 % for class 0 (gamma-like), ~25 % for class 1 (neutron-like); class 2 is a
  // pile-up of two gamma-like pulses 12..40 samples apart. Classes alternate 0, 1, 2, 0, …; labels hold them.
  const n = 96;
  const len = 64;
  const next = draws(seed, `${net}/test/inputs`, n * (8 + len));
  const pulse = (t, t0, slow) =>
    t < t0 ? 0 : (1 - Math.exp(-(t - t0) / 1.5)) * ((1 - slow) * Math.exp(-(t - t0) / 3) + slow * Math.exp(-(t - t0) / 25));
  const x = new Float64Array(n * len);
  const labels = new Float64Array(n);
  for (let e = 0; e < n; e++) {
    const cls = e % 3;
    labels[e] = cls;
    const t0 = 8 + next() * 4;
    const slow = cls === 1 ? 0.2 + next() * 0.1 : 0.03 + next() * 0.04;
    const t1 = t0 + 12 + next() * 28;
    const a1 = 0.3 + next() * 0.6;
    const rec = new Float64Array(len);
    let peak = 0;
    for (let t = 0; t < len; t++) {
      rec[t] = pulse(t, t0, slow) + (cls === 2 ? a1 * pulse(t, t1, slow) : 0);
      peak = Math.max(peak, rec[t]);
    }
    for (let t = 0; t < len; t++) x[e * len + t] = rec[t] / peak + (next() - 0.5) * 0.04;
  }
  save(S, 'data/synthetic-pulses.npy', [n, len], x);
  save(S, 'data/synthetic-labels.npy', [n], labels, '<i4');
}

// ---- 7. bragg-peak: small 2-D CNN locating a Bragg peak in an 11×11 detector patch --------------------------------
{
  const S = 'bragg-peak';
  const seed = 7;
  const net = 'bragg';
  conv(S, seed, net, 'c1', [3, 3], 1, 8);
  depthwise(S, seed, net, 'd1', [3, 3], 8, 2);
  dense(S, seed, net, 'fc1', 320, 32);
  // The output layer regresses pixel coordinates around the patch centre (5): start its bias there.
  {
    const nIn = 32;
    weights(S, seed, net, 'fc2', [nIn, 2], { fanIn: nIn, fanOut: 2 });
    save(S, 'weights/fc2_bias.npy', [2], Float64Array.of(5, 5));
  }
  // 64 synthetic patches: one 2-D Gaussian peak (centre within ±1.5 pixels of the middle, width 0.7..1.4 pixels)
  // on a flat background with noise, scaled so that the brightest pixel is 1.
  const n = 64;
  const next = draws(seed, `${net}/test/inputs`, n * (3 + 121));
  const x = new Float64Array(n * 121);
  for (let e = 0; e < n; e++) {
    const cx = 5 + (next() - 0.5) * 3;
    const cy = 5 + (next() - 0.5) * 3;
    const w = 0.7 + next() * 0.7;
    const img = new Float64Array(121);
    for (let r = 0; r < 11; r++) {
      for (let c = 0; c < 11; c++) img[r * 11 + c] = Math.exp(-((r - cy) ** 2 + (c - cx) ** 2) / (2 * w * w)) + 0.05 + next() * 0.03;
    }
    const peak = Math.max(...img);
    for (let i = 0; i < 121; i++) x[e * 121 + i] = img[i] / peak;
  }
  save(S, 'data/synthetic-patches.npy', [n, 11, 11, 1], x);
}

// ---- report and check ---------------------------------------------------------------------------------------------

for (const w of written) {
  const zeros = w.zeros > 0 ? `, ${(w.zeros * 100).toFixed(0)}% zeros` : '';
  console.log(`${w.file.padEnd(46)} [${w.shape.join(', ')}]  max |v| ${w.maxAbs.toFixed(4)}${zeros}`);
}

const qnnFiles = [];
const npyFiles = [];
const walk = (dir) => {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p);
    else if (e.name.endsWith('.qnn')) qnnFiles.push(p);
    else if (e.name.endsWith('.npy')) npyFiles.push(p);
  }
};
walk(SAMPLES);
qnnFiles.sort();
npyFiles.sort();

// Files this script did not write may be trained weights: say so, and leave them alone.
const writtenFiles = new Set(written.map((w) => w.file));
for (const f of npyFiles) {
  const rel = path.relative(SAMPLES, f);
  if (writtenFiles.has(rel)) continue;
  const sample = rel.split(path.sep)[0];
  if (isTrained(sample)) console.log(`${rel.padEnd(46)} trained by ${sample}/train.mjs (kept)`);
  else console.log(`${rel.padEnd(46)} not written by this script (kept; delete it by hand if it is obsolete)`);
}
const read = (f) => {
  try {
    return { kind: 'ok', value: f() };
  } catch (e) {
    return e.code === 'ENOENT' ? { kind: 'missing' } : { kind: 'error', message: String(e.message) };
  }
};
const program = checkProgram(qnnFiles, {
  fs: { readText: (p) => read(() => fs.readFileSync(p, 'utf8')), readBytes: (p) => read(() => new Uint8Array(fs.readFileSync(p))) },
});
let problems = 0;
for (const [file, diags] of program.diagnostics) {
  for (const d of diags) {
    problems++;
    console.error(`${path.relative(SAMPLES, file)}@${d.span.start}: ${d.severity} ${d.code}: ${d.message}`);
  }
}
console.log(`${written.length} files written; ${qnnFiles.length} sample files checked, ${problems} problem${problems === 1 ? '' : 's'}.`);
if (problems > 0) process.exitCode = 1;
