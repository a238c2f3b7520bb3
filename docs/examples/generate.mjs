// Writes the data files that the examples of docs/language.md and docs/diagnostics.md load.
//
//   cd /work/main && npx tsc -b && node docs/examples/generate.mjs
//
// Deterministic: the same bytes on every run (uniform draws of the language's own seeded generator, rounded to the
// grid of the type each file is loaded into, so that no example warns with QNN2020). The files are tiny on purpose.
// The .qnn files next to them (common.qnn, lib/, cycle/) are written by hand, not by this script.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { seededUniform, writeNpy } from '../../language/dist/index.js';

const DIR = path.dirname(fileURLToPath(import.meta.url));

function write(rel, bytes) {
  const file = path.join(DIR, rel);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, bytes);
}

/** `count` values uniform in [-scale, scale), rounded to multiples of `step` (a power of two: exact in binary). */
function values(stream, count, scale, step) {
  return Array.from(seededUniform(1, stream, count), (u) => Math.round((u * scale) / step) * step);
}

function npy(rel, shape, data, dtype = '<f8') {
  write(rel, writeNpy({ shape, data }, dtype));
}

const COEF_STEP = 2 ** -7; // coef = fixed<8, 1, RND, SAT> in common.qnn and the reference: range [-1, 1)
const DATA_STEP = 2 ** -10; // data = fixed<16, 6>

// Weights of the running example: dense 16 -> 8 -> 5 (Keras layout [inputs, units]).
npy('weights/fc1.npy', [16, 8], values('fc1', 16 * 8, 0.5, COEF_STEP));
npy('weights/fc1_bias.npy', [8], values('fc1_bias', 8, 0.05, COEF_STEP));
npy('weights/fc2.npy', [8, 5], values('fc2', 8 * 5, 0.6, COEF_STEP));
npy('weights/fc2_bias.npy', [5], values('fc2_bias', 5, 0.05, COEF_STEP));
// The fc1 weights as a CSV file: 16 rows (inputs) of 8 columns (units), without a header.
{
  const w = values('fc1', 16 * 8, 0.5, COEF_STEP);
  const rows = [];
  for (let i = 0; i < 16; i++) rows.push(w.slice(i * 8, i * 8 + 8).join(','));
  write('weights/fc1.csv', rows.join('\n') + '\n');
}
// The same fc1 weights as PyTorch stores a Linear layer, [out, in]: the checker says it looks transposed.
{
  const w = values('fc1', 16 * 8, 0.5, COEF_STEP);
  const t = new Array(8 * 16);
  for (let i = 0; i < 16; i++) for (let j = 0; j < 8; j++) t[j * 16 + i] = w[i * 8 + j];
  npy('weights/fc1_torch.npy', [8, 16], t);
}
// A 3×3 convolution kernel, 1 input channel, 4 filters: [kh, kw, C, filters].
npy('weights/conv1.npy', [3, 3, 1, 4], values('conv1', 36, 0.5, COEF_STEP));
// Folded batch normalization over 8 channels: y = x·scale + bias.
npy('weights/bn_scale.npy', [8], values('bn_scale', 8, 0.2, COEF_STEP).map((v) => 0.75 + v));
npy('weights/bn_bias.npy', [8], values('bn_bias', 8, 0.25, COEF_STEP));
// Weights of the encoder in lib/encoder.qnn: paths in a .qnn file are relative to that file.
npy('lib/weights/enc.npy', [16, 4], values('enc', 16 * 4, 0.5, COEF_STEP));
// Not a .npy file at all: the checker reports QNN2018.
write('weights/corrupt.npy', 'this is not a NumPy file\n');

// Test data: 20 samples of 16 features and a class label in 0..4.
const N = 20;
const features = values('features', N * 16, 4, DATA_STEP);
const labels = Array.from(seededUniform(1, 'labels', N), (u) => Math.floor((u + 1) * 2.5));
const expected = values('expected', N * 5, 0.5, 2 ** -16).map((v) => v + 0.5);
npy('data/x.npy', [N, 16], features);
npy('data/labels.npy', [N], labels, '<i8');
npy('data/expected.npy', [N, 5], expected);
// The same samples as one CSV file: a header line, then 16 feature columns and the label in column 16.
{
  const header = [...Array.from({ length: 16 }, (_, i) => `f${i}`), 'label'].join(',');
  const rows = [];
  for (let i = 0; i < N; i++) rows.push([...features.slice(i * 16, i * 16 + 16), labels[i]].join(','));
  write('data/samples.csv', [header, ...rows].join('\n') + '\n');
}
// Two inputs of a network with inputs `a` and `b` (each [4]): one file per input, by name.
npy('data/a.npy', [N, 4], values('a', N * 4, 2, DATA_STEP));
npy('data/b.npy', [N, 4], values('b', N * 4, 2, DATA_STEP));
// Labels with a class that a 5-class network does not have (7): the checker reports QNN2030.
npy('data/bad_labels.npy', [N], labels.map((v, i) => (i === 3 ? 7 : v)), '<i8');
