// Trains the digits sample (64 pixels -> dense 32 + ReLU -> dense 10 -> softmax) with TensorFlow.js and writes its
// weights to samples/digits/weights/*.npy. Seeded and deterministic: the same weights, byte for byte, on every run.
//
//   cd /work/main && npx tsc -b && node samples/digits/train.mjs [--data PATH/digits.csv]
//
// Data: the UCI Optical Recognition of Handwritten Digits (E. Alpaydin, C. Kaynak, 1998; CC BY 4.0), as distributed
// with scikit-learn: 1,797 rows of 64 pixels (0..16, an 8×8 image row-major) and the label. It is read at run time
// from ../shared/data/digits.csv beside the repository (or --data); only the held-out rows are in the repository.
//
// Split (by row of digits.csv, 0-based):
//   held out  rows 0..199     the 200 rows committed as data/digits-test.csv (the .qnn's `test holdout`); the script
//                             checks that the committed file is exactly these rows. Never used for training, nor for
//                             choosing anything: epochs, learning rate and batch size were fixed before looking.
//   training  rows 200..1796  1,597 rows.
//
// Training: plain float32 (tfjs cpu backend: pure JavaScript, deterministic), no input scaling (the network reads the
// raw pixels 0..16, as the hardware will). Weights start from the repository's own seeded Glorot-uniform generator
// (`generateWeights`, the generator of `random(seed: N)` in .qnn files; streams digits/fc1/weight, digits/fc2/weight),
// biases at 0. Adam (learning rate 0.001), softmax cross-entropy, mini-batches of 32, 60 epochs; each epoch visits
// the training rows in a seeded random order (Fisher–Yates with the repository's seeded uniform draws, stream
// digits/train/epoch-N). No dropout, no augmentation, no state outside this file and the data.
//
// Output: weights/fc1_weight.npy [64, 32], fc1_bias.npy [32], fc2_weight.npy [32, 10], fc2_bias.npy [10], float32,
// Keras layouts (what digits.qnn loads); then the float accuracy on the held-out rows, and how the trained values fit
// the sample's fixed-point types (largest |weight| against coef's range, largest |pre-activation| against hidden's).
// samples/generate-weights.mjs never writes these files.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, '../..');
const { generateWeights, readCsv, seededUniform, writeNpy } = await import(pathToFileURL(path.join(REPO, 'language/dist/index.js')).href);
// @tensorflow/tfjs is a dependency of the simulator package: resolve it from there.
const tf = await import(pathToFileURL(createRequire(path.join(REPO, 'simulator/package.json')).resolve('@tensorflow/tfjs')).href);

const SEED = 2;
const EPOCHS = 60;
const BATCH = 32;
const LEARNING_RATE = 0.001;
const HELD_OUT = 200;
const HIDDEN = 32;
const CLASSES = 10;
const PIXELS = 64;

// ---- data -----------------------------------------------------------------------------------------------------------

const dataArg = process.argv.indexOf('--data');
const dataPath = dataArg > 0 ? path.resolve(process.argv[dataArg + 1]) : path.resolve(REPO, '../shared/data/digits.csv');
if (!fs.existsSync(dataPath)) {
  console.error(`train.mjs: ${dataPath} not found; pass --data PATH/digits.csv`);
  process.exit(2);
}
function load(file) {
  const r = readCsv(fs.readFileSync(file, 'utf8'));
  if (!r.ok) throw new Error(`${file}: ${r.message}`);
  const [rows, cols] = r.array.shape;
  if (cols !== PIXELS + 1) throw new Error(`${file}: expected ${PIXELS + 1} columns, found ${cols}`);
  return { rows, data: r.array.data };
}
const all = load(dataPath);
const committed = load(path.join(HERE, 'data/digits-test.csv'));
if (committed.rows !== HELD_OUT || committed.data.some((v, i) => v !== all.data[i])) {
  throw new Error(`data/digits-test.csv is not the first ${HELD_OUT} rows of ${dataPath}: the split would be wrong`);
}

/** Pixels (float32, raw 0..16) and labels of rows [from, to) of digits.csv. */
function rowsOf(from, to) {
  const n = to - from;
  const x = new Float32Array(n * PIXELS);
  const y = new Int32Array(n);
  for (let r = 0; r < n; r++) {
    const row = all.data.subarray((from + r) * (PIXELS + 1), (from + r + 1) * (PIXELS + 1));
    x.set(row.subarray(0, PIXELS), r * PIXELS);
    y[r] = row[PIXELS];
  }
  return { n, x, y };
}
const test = rowsOf(0, HELD_OUT);
const train = rowsOf(HELD_OUT, all.rows);

// ---- model ----------------------------------------------------------------------------------------------------------

await tf.setBackend('cpu');
tf.enableProdMode(); // no "install tfjs-node" hint

const init = (layer, shape, fanIn, fanOut) => Float32Array.from(generateWeights({ seed: SEED }, `digits/${layer}/weight`, shape, { fanIn, fanOut }));
const w1 = tf.variable(tf.tensor2d(init('fc1', [PIXELS, HIDDEN], PIXELS, HIDDEN), [PIXELS, HIDDEN]), true, 'fc1_weight');
const b1 = tf.variable(tf.zeros([HIDDEN]), true, 'fc1_bias');
const w2 = tf.variable(tf.tensor2d(init('fc2', [HIDDEN, CLASSES], HIDDEN, CLASSES), [HIDDEN, CLASSES]), true, 'fc2_weight');
const b2 = tf.variable(tf.zeros([CLASSES]), true, 'fc2_bias');

const hiddenOf = (x) => tf.add(tf.matMul(x, w1), b1);
const logitsOf = (x) => tf.add(tf.matMul(tf.relu(hiddenOf(x)), w2), b2);

/** Seeded permutation of 0..n-1 (Fisher–Yates; u in [0, 1) from the repository's seeded uniform draws). */
function permutation(n, epoch) {
  const u = seededUniform(SEED, `digits/train/epoch-${epoch}`, n);
  const p = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(((u[i] + 1) / 2) * (i + 1));
    [p[i], p[j]] = [p[j], p[i]];
  }
  return p;
}

function accuracy(set) {
  return tf.tidy(() => {
    const pred = logitsOf(tf.tensor2d(set.x, [set.n, PIXELS])).argMax(1).dataSync();
    let ok = 0;
    for (let i = 0; i < set.n; i++) if (pred[i] === set.y[i]) ok++;
    return ok / set.n;
  });
}

const optimizer = tf.train.adam(LEARNING_RATE);
const t0 = performance.now();
for (let epoch = 1; epoch <= EPOCHS; epoch++) {
  const order = permutation(train.n, epoch);
  let lossSum = 0;
  for (let start = 0; start < train.n; start += BATCH) {
    const idx = order.slice(start, start + BATCH);
    const xb = new Float32Array(idx.length * PIXELS);
    const yb = new Int32Array(idx.length);
    idx.forEach((r, k) => {
      xb.set(train.x.subarray(r * PIXELS, (r + 1) * PIXELS), k * PIXELS);
      yb[k] = train.y[r];
    });
    const loss = tf.tidy(() => {
      const x = tf.tensor2d(xb, [idx.length, PIXELS]);
      const y = tf.oneHot(tf.tensor1d(yb, 'int32'), CLASSES);
      return optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, logitsOf(x)), true, [w1, b1, w2, b2]);
    });
    lossSum += loss.dataSync()[0] * idx.length;
    loss.dispose();
  }
  if (epoch % 10 === 0 || epoch === 1) {
    console.log(`epoch ${String(epoch).padStart(3)}  loss ${(lossSum / train.n).toFixed(4)}  training accuracy ${(accuracy(train) * 100).toFixed(2)} %`);
  }
}
const seconds = (performance.now() - t0) / 1000;

// ---- output ---------------------------------------------------------------------------------------------------------

const out = [
  ['fc1_weight', w1],
  ['fc1_bias', b1],
  ['fc2_weight', w2],
  ['fc2_bias', b2],
];
fs.mkdirSync(path.join(HERE, 'weights'), { recursive: true });
for (const [name, v] of out) {
  const data = v.dataSync();
  fs.writeFileSync(path.join(HERE, 'weights', `${name}.npy`), writeNpy({ shape: v.shape, data }, '<f4'));
  let max = 0;
  for (const x of data) max = Math.max(max, Math.abs(x));
  console.log(`weights/${name}.npy [${v.shape.join(', ')}]  max |value| ${max.toFixed(4)}`);
}

// Largest |pre-activation| of each dense layer over all 1,797 rows: the hidden type's range must hold it.
const range = tf.tidy(() => {
  const x = tf.tensor2d(rowsOf(0, all.rows).x, [all.rows, PIXELS]);
  const h = hiddenOf(x);
  const l = tf.add(tf.matMul(tf.relu(h), w2), b2);
  return [tf.abs(h).max().dataSync()[0], tf.abs(l).max().dataSync()[0]];
});
console.log(`largest |fc1| ${range[0].toFixed(2)}, largest |fc2| ${range[1].toFixed(2)} (over all ${all.rows} rows)`);
console.log(`trained ${EPOCHS} epochs on ${train.n} rows in ${seconds.toFixed(1)} s (seed ${SEED}, tfjs ${tf.getBackend()} backend)`);
console.log(`float accuracy on the ${test.n} held-out rows: ${(accuracy(test) * 100).toFixed(2)} %`);
