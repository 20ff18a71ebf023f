// The page runtime's convolution (runtime.js), built to conv.wasm by `python -m tools.wasm`: the one layer whose
// multiply-adds dominate a LeNet, four output maps at a time with WebAssembly SIMD.
//
// y[o][oy][ox] = bias[o] + sum over i, ky, kx of w[o][i][ky][kx] * x[i][oy + ky - padding][ox + kx - padding]
// (outside the input counts as 0). The weights come regrouped by runtime.js: groups of four output maps, and in
// each group w4[i][ky][kx][4], the four maps' weights side by side (a missing map's are 0); bias4 likewise.

#include <wasm_simd128.h>

#define LANES 4

void conv(float *y, const float *x, const float *w4, const float *bias4, int channels, int height, int width,
          int out, int kernel, int padding) {
  const int out_height = height + 2 * padding - kernel + 1, out_width = width + 2 * padding - kernel + 1;
  const int plane = out_height * out_width, groups = (out + LANES - 1) / LANES, window = kernel * kernel;
  for (int group = 0; group < groups; group++) {
    const v128_t bias = wasm_v128_load(bias4 + LANES * group);
    for (int oy = 0; oy < out_height; oy++) {
      for (int ox = 0; ox < out_width; ox++) {
        v128_t sum = bias;
        for (int i = 0; i < channels; i++) {
          const float *input = x + i * height * width;
          const float *weights = w4 + (group * channels + i) * window * LANES;
          for (int ky = 0; ky < kernel; ky++) {
            const int iy = oy + ky - padding;
            if (iy < 0 || iy >= height) continue;
            for (int kx = 0; kx < kernel; kx++) {
              const int ix = ox + kx - padding;
              if (ix < 0 || ix >= width) continue;
              const v128_t four = wasm_v128_load(weights + (ky * kernel + kx) * LANES);
              sum = wasm_f32x4_add(sum, wasm_f32x4_mul(four, wasm_f32x4_splat(input[iy * width + ix])));
            }
          }
        }
        float lanes[LANES];
        wasm_v128_store(lanes, sum);
        for (int lane = 0; lane < LANES && LANES * group + lane < out; lane++) {
          y[(LANES * group + lane) * plane + oy * out_width + ox] = lanes[lane];
        }
      }
    }
  }
}
