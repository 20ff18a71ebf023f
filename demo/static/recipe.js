// MNIST's recipe for a drawing, as lenet/preprocess.py's prepare_sketch computes it, step for step
// (docs/sketch-recipe.md is the recipe; tests/test_recipe_parity.py holds both to it). Its input is the
// canvas: opaque RGBA pixels, dark ink on light paper or the other way round.

export const MODEL_SIDE = 32;
const DIGIT_BOX = 20; // the longest side of the ink, in pixels...
const DIGIT_FIELD = 28; // ...centred by mass in this field, then padded to MODEL_SIDE
const INK_THRESHOLD = 50.5 / 255; // below this share of the strongest ink, a pixel is paper
const MIN_CONTRAST = 0.05; // weaker ink than this: the canvas is blank
const BORDER_WIDTH_FRACTION = 0.05; // the outer 5% of each side shows the paper
const LUMINANCE = [0.299, 0.587, 0.114]; // ITU-R 601, as PIL's and lenet's grey
const MIN_PEAK = 1e-6;

// Python's round(): halves go to the even neighbour.
export function roundHalfEven(x) {
  const floor = Math.floor(x), rest = x - floor;
  if (rest !== 0.5) return rest < 0.5 ? floor : floor + 1;
  return floor % 2 === 0 ? floor : floor + 1;
}

function median(values) {
  const sorted = Float64Array.from(values).sort();
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function paper(gray, height, width) {
  const rows = Math.max(1, Math.floor(height * BORDER_WIDTH_FRACTION));
  const cols = Math.max(1, Math.floor(width * BORDER_WIDTH_FRACTION));
  const border = []; // as numpy concatenates the top and bottom rows, then the left and right columns
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const times = (y < rows) + (y >= height - rows) + (x < cols) + (x >= width - cols);
      for (let n = 0; n < times; n++) border.push(gray[y * width + x]);
    }
  }
  return median(border);
}

// The weights by which each output pixel mixes the input pixels: PyTorch's antialiased bilinear
// (interpolate(..., antialias=True)), a triangle filter widened by the scale when shrinking.
function resampling(inSize, outSize) {
  const scale = inSize / outSize;
  const support = scale >= 1 ? scale : 1;
  const invScale = scale >= 1 ? 1 / scale : 1;
  return Array.from({ length: outSize }, (_, i) => {
    const centre = scale * (i + 0.5);
    const first = Math.max(Math.trunc(centre - support + 0.5), 0);
    const count = Math.min(Math.trunc(centre + support + 0.5), inSize) - first;
    const weights = Array.from({ length: count }, (_, j) => Math.max(0, 1 - Math.abs((j + first - centre + 0.5) * invScale)));
    const total = weights.reduce((a, b) => a + b, 0);
    return { first, weights: total ? weights.map((w) => w / total) : weights };
  });
}

function resize(patch, height, width, outHeight, outWidth) {
  const across = resampling(width, outWidth), down = resampling(height, outHeight);
  const wide = new Float64Array(height * outWidth);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < outWidth; x++) {
      const { first, weights } = across[x];
      let sum = 0;
      for (let j = 0; j < weights.length; j++) sum += weights[j] * patch[y * width + first + j];
      wide[y * outWidth + x] = sum;
    }
  }
  const out = new Float64Array(outHeight * outWidth);
  for (let y = 0; y < outHeight; y++) {
    const { first, weights } = down[y];
    for (let x = 0; x < outWidth; x++) {
      let sum = 0;
      for (let j = 0; j < weights.length; j++) sum += weights[j] * wide[(first + j) * outWidth + x];
      out[y * outWidth + x] = sum;
    }
  }
  return out;
}

// The drawing as the 1 x 32 x 32 model input in [0, 1] (a Float32Array), or null for a blank canvas.
export function prepareSketch({ data, width, height }) {
  const gray = new Float64Array(width * height);
  for (let i = 0; i < gray.length; i++) {
    gray[i] = (LUMINANCE[0] * data[4 * i] + LUMINANCE[1] * data[4 * i + 1] + LUMINANCE[2] * data[4 * i + 2]) / 255;
  }
  const background = paper(gray, height, width);
  const ink = new Float64Array(gray.length);
  let strongest = 0;
  for (let i = 0; i < ink.length; i++) {
    ink[i] = Math.abs(gray[i] - background);
    if (ink[i] > strongest) strongest = ink[i];
  }
  if (strongest < MIN_CONTRAST) return null;
  let top = height, bottom = -1, left = width, right = -1;
  for (let i = 0; i < ink.length; i++) {
    const share = ink[i] / strongest;
    ink[i] = share < INK_THRESHOLD ? 0 : share;
    if (ink[i] > 0) {
      const y = Math.floor(i / width), x = i % width;
      top = Math.min(top, y); bottom = Math.max(bottom, y); left = Math.min(left, x); right = Math.max(right, x);
    }
  }
  const boxHeight = bottom - top + 1, boxWidth = right - left + 1;
  const crop = new Float64Array(boxHeight * boxWidth);
  for (let y = 0; y < boxHeight; y++) crop.set(ink.subarray((top + y) * width + left, (top + y) * width + right + 1), y * boxWidth);

  const scale = DIGIT_BOX / Math.max(boxHeight, boxWidth);
  const fitHeight = Math.max(1, roundHalfEven(boxHeight * scale)), fitWidth = Math.max(1, roundHalfEven(boxWidth * scale));
  const fitted = resize(crop, boxHeight, boxWidth, fitHeight, fitWidth);
  let peak = MIN_PEAK;
  for (let i = 0; i < fitted.length; i++) {
    fitted[i] = Math.min(1, Math.max(0, fitted[i]));
    if (fitted[i] > peak) peak = fitted[i];
  }
  let mass = 0, rows = 0, cols = 0;
  for (let i = 0; i < fitted.length; i++) {
    fitted[i] /= peak;
    mass += fitted[i];
    rows += Math.floor(i / fitWidth) * fitted[i];
    cols += (i % fitWidth) * fitted[i];
  }
  const placedTop = roundHalfEven(DIGIT_FIELD / 2 - (rows / mass + 0.5));
  const placedLeft = roundHalfEven(DIGIT_FIELD / 2 - (cols / mass + 0.5));
  const pad = (MODEL_SIDE - DIGIT_FIELD) / 2;
  const pixels = new Float32Array(MODEL_SIDE * MODEL_SIDE);
  for (let y = Math.max(placedTop, 0); y < Math.min(placedTop + fitHeight, DIGIT_FIELD); y++) {
    for (let x = Math.max(placedLeft, 0); x < Math.min(placedLeft + fitWidth, DIGIT_FIELD); x++) {
      pixels[(y + pad) * MODEL_SIDE + x + pad] = fitted[(y - placedTop) * fitWidth + x - placedLeft];
    }
  }
  return pixels;
}
