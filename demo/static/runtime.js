// The page's LeNet runtime: it runs a model's browser form (lenet/browser_form.py writes it) on a 32x32
// input, stage by stage, as PyTorch runs the model in eval mode. Activations are float64; weights are the
// checkpoint's float32 numbers, checked against their sha256 before they are used.

import { sha256 } from "./sha256.js";

const FORMAT = "lenet-browser/1";

export class FormError extends Error {}

async function download(url, read) {
  const response = await fetch(url);
  if (!response.ok) throw new FormError(`${url}: HTTP ${response.status}`);
  return read(response);
}

// A model from its browser form (a URL; its weights lie beside it). Throws FormError when the form or its
// weights cannot be had or trusted.
export async function loadModel(formUrl) {
  const form = await download(formUrl, (response) => response.json());
  if (form.format !== FORMAT) throw new FormError(`${formUrl}: not a ${FORMAT} file`);
  const weightsUrl = new URL(form.weights.file, formUrl);
  const buffer = await download(weightsUrl, (response) => response.arrayBuffer());
  if (sha256(buffer) !== form.weights.sha256) throw new FormError(`${weightsUrl}: checksum mismatch`);
  if (buffer.byteLength !== 4 * form.weights.floats) throw new FormError(`${weightsUrl}: wrong length`);
  return new Model(form, new Float32Array(buffer)); // little-endian, as every browser's platform is
}

// Each layer: (layer, weights, input, shape) -> [output, shape]. Shapes are [C, H, W] or [N].
const LAYERS = {
  conv(layer, w, x, [channels, height, width]) {
    const { out, kernel: k, padding: p } = layer;
    const outHeight = height + 2 * p - k + 1, outWidth = width + 2 * p - k + 1, plane = outHeight * outWidth;
    const y = new Float64Array(out * plane);
    const every = Array.from({ length: channels }, (_, i) => i);
    let offset = layer.weight; // the kernels of each output map's inputs, one after another
    for (let o = 0; o < out; o++) {
      const base = o * plane;
      y.fill(w[layer.bias + o], base, base + plane);
      for (const i of layer.connections ? layer.connections[o] : every) {
        for (let ky = 0; ky < k; ky++) {
          for (let kx = 0; kx < k; kx++) {
            const weight = w[offset + ky * k + kx];
            const first = Math.max(0, p - kx), last = Math.min(outWidth, width + p - kx);
            for (let oy = Math.max(0, p - ky); oy < Math.min(outHeight, height + p - ky); oy++) {
              const row = (i * height + oy + ky - p) * width + kx - p, outRow = base + oy * outWidth;
              for (let ox = first; ox < last; ox++) y[outRow + ox] += weight * x[row + ox];
            }
          }
        }
        offset += k * k;
      }
    }
    return [y, [out, outHeight, outWidth]];
  },
  avg_pool: (layer, w, x, shape) => pool(layer.size, x, shape, (sum, value) => sum + value, 0, (sum) => sum / layer.size ** 2),
  max_pool: (layer, w, x, shape) => pool(layer.size, x, shape, Math.max, -Infinity, (most) => most),
  subsample(layer, w, x, shape) { // the 1998 S2/S4: a block's sum, times the map's coefficient, plus its bias
    const [y, pooled] = pool(layer.size, x, shape, (sum, value) => sum + value, 0, (sum) => sum);
    const plane = pooled[1] * pooled[2];
    for (let c = 0; c < pooled[0]; c++) {
      for (let i = c * plane; i < (c + 1) * plane; i++) y[i] = y[i] * w[layer.coefficient + c] + w[layer.bias + c];
    }
    return [y, pooled];
  },
  tanh: (layer, w, x, shape) => [x.map(Math.tanh), shape],
  scaled_tanh: (layer, w, x, shape) => [x.map((v) => layer.amplitude * Math.tanh(layer.slope * v)), shape],
  relu: (layer, w, x, shape) => [x.map((v) => Math.max(0, v)), shape],
  flatten: (layer, w, x, shape) => [x, [x.length]],
  linear(layer, w, x) {
    const y = new Float64Array(layer.out);
    for (let o = 0; o < layer.out; o++) {
      let sum = w[layer.bias + o];
      const row = layer.weight + o * layer.in;
      for (let i = 0; i < layer.in; i++) sum += w[row + i] * x[i];
      y[o] = sum;
    }
    return [y, [layer.out]];
  },
  rbf(layer, w, x) { // the paper's output units: minus the squared distance to each class's fixed code
    const y = new Float64Array(layer.classes);
    for (let c = 0; c < layer.classes; c++) {
      let distance = 0;
      for (let j = 0; j < layer.length; j++) distance += (x[j] - w[layer.codes + c * layer.length + j]) ** 2;
      y[c] = -distance;
    }
    return [y, [layer.classes]];
  },
};

// Windows of size x size that do not overlap, each folded by `combine` from `start`, then `finish`ed.
function pool(size, x, [channels, height, width], combine, start, finish) {
  const outHeight = Math.floor(height / size), outWidth = Math.floor(width / size);
  const y = new Float64Array(channels * outHeight * outWidth);
  let index = 0;
  for (let c = 0; c < channels; c++) {
    for (let oy = 0; oy < outHeight; oy++) {
      for (let ox = 0; ox < outWidth; ox++) {
        let folded = start;
        for (let dy = 0; dy < size; dy++) {
          const row = (c * height + oy * size + dy) * width + ox * size;
          for (let dx = 0; dx < size; dx++) folded = combine(folded, x[row + dx]);
        }
        y[index++] = finish(folded);
      }
    }
  }
  return [y, [channels, outHeight, outWidth]];
}

function softmax(logits) {
  const top = Math.max(...logits);
  const exp = logits.map((v) => Math.exp(v - top));
  const total = exp.reduce((a, b) => a + b, 0);
  return exp.map((v) => v / total);
}

export class Model {
  constructor(form, weights) {
    this.form = form;
    this.weights = weights;
    this.classes = form.classes;
  }

  // pixels: the model input in [0, 1], C x 32 x 32, row-major. Returns the class probabilities and the
  // activations of the stages named in `keep` ({data, shape}).
  run(pixels, keep = ["c1", "c3"]) {
    const { mean, std, input } = this.form;
    const plane = input[1] * input[2];
    let x = Float64Array.from(pixels, (value, i) => (value - mean[Math.floor(i / plane)]) / std[Math.floor(i / plane)]);
    let shape = input;
    const stages = {};
    for (const stage of this.form.stages) {
      for (const layer of stage.layers) [x, shape] = LAYERS[layer.op](layer, this.weights, x, shape);
      if (keep.includes(stage.name)) stages[stage.name] = { data: x, shape };
    }
    return { probabilities: softmax(x), stages };
  }
}
