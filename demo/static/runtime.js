// The page's LeNet runtime: it runs a model's browser form (lenet/browser_form.py writes it) on a 32x32
// input, stage by stage, as PyTorch runs the model in eval mode, in float32. The convolutions, nearly all the
// work, run in conv.wasm (conv.c); the other layers here. The weights are the checkpoint's, checked against their
// sha256 before use.

import { sha256 } from "./sha256.js";

const FORMAT = "lenet-browser/1";
const LANES = 4; // conv.wasm computes four output maps at a time
const FLOAT = 4; // bytes
const PAGE = 65536; // bytes in a page of WebAssembly memory

export class FormError extends Error {}

async function download(url, read) {
  const response = await fetch(url);
  if (!response.ok) throw new FormError(`${url}: HTTP ${response.status}`);
  return read(response);
}

// conv.wasm and the memory it works in, shared by every model: each keeps its weights there, and room for the
// largest input and output of its convolutions.
class Kernel {
  static async load() {
    const memory = new WebAssembly.Memory({ initial: 1 });
    const bytes = await download(new URL("./conv.wasm", import.meta.url), (response) => response.arrayBuffer());
    const { instance } = await WebAssembly.instantiate(bytes, { env: { memory } });
    return new Kernel(memory, instance.exports.conv);
  }

  constructor(memory, conv) {
    Object.assign(this, { memory, conv, used: PAGE }); // the first page is the compiled code's own stack and data
  }

  // Room for `floats` numbers: its byte offset in the memory, grown when need be.
  reserve(floats) {
    const offset = this.used;
    this.used += floats * FLOAT;
    const short = this.used - this.memory.buffer.byteLength;
    if (short > 0) this.memory.grow(Math.ceil(short / PAGE));
    return offset;
  }

  floats(offset, length) { // a fresh view: growing the memory detaches the old ones
    return new Float32Array(this.memory.buffer, offset, length);
  }
}

let kernel = null; // loaded with the first model

// A model from its browser form (a URL; its weights lie beside it). Throws FormError when the form or its
// weights cannot be had or trusted.
export async function loadModel(formUrl) {
  kernel ??= Kernel.load();
  const form = await download(formUrl, (response) => response.json());
  if (form.format !== FORMAT) throw new FormError(`${formUrl}: not a ${FORMAT} file`);
  const weightsUrl = new URL(form.weights.file, formUrl);
  const buffer = await download(weightsUrl, (response) => response.arrayBuffer());
  if (sha256(buffer) !== form.weights.sha256) throw new FormError(`${weightsUrl}: checksum mismatch`);
  if (buffer.byteLength !== 4 * form.weights.floats) throw new FormError(`${weightsUrl}: wrong length`);
  return new Model(form, new Float32Array(buffer), await kernel); // little-endian, as every browser's platform is
}

// A convolution's weights as conv.wasm reads them: groups of four output maps, their weights side by side for
// each input map and kernel position; an output map's missing inputs (the 1998 C3) and a last group's missing
// maps are zeros.
function regrouped(layer, w, channels) {
  const { out, kernel: k } = layer, window = k * k, groups = Math.ceil(out / LANES);
  const w4 = new Float32Array(groups * channels * window * LANES), bias4 = new Float32Array(groups * LANES);
  let kernels = layer.weight; // the kernels of each output map's inputs, one after another
  for (let o = 0; o < out; o++) {
    const group = Math.floor(o / LANES), lane = o % LANES;
    bias4[o] = w[layer.bias + o];
    for (const i of layer.connections ? layer.connections[o] : Array.from({ length: channels }, (_, n) => n)) {
      for (let at = 0; at < window; at++) w4[((group * channels + i) * window + at) * LANES + lane] = w[kernels + at];
      kernels += window;
    }
  }
  return { w4, bias4 };
}

const LAYERS = {
  conv(layer, w, x, [channels, height, width], model) { // in conv.wasm
    const { out, kernel: k, padding: p } = layer;
    const outHeight = height + 2 * p - k + 1, outWidth = width + 2 * p - k + 1, size = out * outHeight * outWidth;
    const { kernel } = model, at = model.convolution(layer, channels, x.length, size);
    kernel.floats(at.input, x.length).set(x);
    kernel.conv(at.output, at.input, at.w4, at.bias4, channels, height, width, out, k, p);
    return [kernel.floats(at.output, size).slice(), [out, outHeight, outWidth]];
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
  // Activations work in place: every other layer hands on an array of its own.
  tanh: (layer, w, x, shape) => [squash(x, 1, 1), shape],
  scaled_tanh: (layer, w, x, shape) => [squash(x, layer.amplitude, layer.slope), shape],
  relu(layer, w, x, shape) {
    for (let i = 0; i < x.length; i++) if (x[i] < 0) x[i] = 0;
    return [x, shape];
  },
  flatten: (layer, w, x, shape) => [x, [x.length]],
  linear(layer, w, x) {
    const y = new Float32Array(layer.out);
    for (let o = 0; o < layer.out; o++) {
      let sum = w[layer.bias + o];
      const row = layer.weight + o * layer.in;
      for (let i = 0; i < layer.in; i++) sum += w[row + i] * x[i];
      y[o] = sum;
    }
    return [y, [layer.out]];
  },
  rbf(layer, w, x) { // the paper's output units: minus the squared distance to each class's fixed code
    const y = new Float32Array(layer.classes);
    for (let c = 0; c < layer.classes; c++) {
      let distance = 0;
      for (let j = 0; j < layer.length; j++) distance += (x[j] - w[layer.codes + c * layer.length + j]) ** 2;
      y[c] = -distance;
    }
    return [y, [layer.classes]];
  },
};

// x = amplitude * tanh(slope * x), tanh from one exponential (Math.tanh is several times slower).
function squash(x, amplitude, slope) {
  for (let i = 0; i < x.length; i++) x[i] = amplitude * (1 - 2 / (Math.exp(2 * slope * x[i]) + 1));
  return x;
}

// Windows of size x size that do not overlap, each folded by `combine` from `start`, then `finish`ed.
function pool(size, x, [channels, height, width], combine, start, finish) {
  const outHeight = Math.floor(height / size), outWidth = Math.floor(width / size);
  const y = new Float32Array(channels * outHeight * outWidth);
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
  constructor(form, weights, kernel) {
    Object.assign(this, { form, weights, kernel, classes: form.classes, placed: new Map() });
  }

  // A convolution layer in the kernel's memory (placed on its first run): its regrouped weights, and room for
  // its input and output.
  convolution(layer, channels, inputSize, outputSize) {
    if (!this.placed.has(layer)) {
      const { kernel } = this, { w4, bias4 } = regrouped(layer, this.weights, channels);
      const at = { w4: kernel.reserve(w4.length), bias4: kernel.reserve(bias4.length),
                   input: kernel.reserve(inputSize), output: kernel.reserve(outputSize) };
      kernel.floats(at.w4, w4.length).set(w4);
      kernel.floats(at.bias4, bias4.length).set(bias4);
      this.placed.set(layer, at);
    }
    return this.placed.get(layer);
  }

  // pixels: the model input in [0, 1], C x 32 x 32, row-major. Returns the class probabilities and the
  // activations of the stages named in `keep` ({data, shape}).
  run(pixels, keep = ["c1", "c3"]) {
    const { mean, std, input } = this.form;
    const plane = input[1] * input[2];
    let x = new Float32Array(pixels.length);
    for (let i = 0; i < x.length; i++) x[i] = (pixels[i] - mean[Math.floor(i / plane)]) / std[Math.floor(i / plane)];
    let shape = input;
    const stages = {};
    for (const stage of this.form.stages) {
      for (const layer of stage.layers) [x, shape] = LAYERS[layer.op](layer, this.weights, x, shape, this);
      if (keep.includes(stage.name)) stages[stage.name] = { data: x, shape };
    }
    return { probabilities: softmax(x), stages };
  }
}
