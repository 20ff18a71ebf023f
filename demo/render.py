"""Pictures of what a network sees and computes, rendered with numpy at the size needed."""
from __future__ import annotations

import numpy as np
import torch
from matplotlib import colormaps
from PIL import Image
from torchvision.utils import make_grid

COLORMAP = (colormaps["viridis"](np.linspace(0, 1, 256))[:, :3] * 255).astype(np.uint8)  # 256 x 3 lookup table
INPUT_SCALE = 8  # the 32x32 input shown as 256x256
MAP_TARGET_WIDTH = 360  # feature-map grids are enlarged by a whole factor to about this width
MAP_PADDING = 1
SEPARATOR = 255  # white lines between maps
MAPS_PER_ROW = {6: 6, 16: 8}  # C1's 6 maps in one row, C3's 16 in two; other counts get square-ish grids


def enlarge(image: np.ndarray, factor: int) -> Image.Image:
    """Nearest-neighbour upsampling: every input pixel stays a crisp square."""
    return Image.fromarray(image.repeat(factor, axis=0).repeat(factor, axis=1))


def input_image(pixels: torch.Tensor) -> Image.Image:
    """The ``C x 32 x 32`` model input in [0, 1], enlarged."""
    array = (pixels.clamp(0, 1).permute(1, 2, 0).numpy() * 255).round().astype(np.uint8)
    return enlarge(array.squeeze(-1) if array.shape[-1] == 1 else array, INPUT_SCALE)


def feature_grid(maps: torch.Tensor) -> Image.Image:
    """``C x H x W`` activations as one grid, one colour scale shared by all maps, enlarged."""
    count = maps.shape[0]
    low, high = maps.min(), maps.max()
    scaled = (maps - low) / (high - low).clamp_min(1e-8)
    per_row = MAPS_PER_ROW.get(count, int(np.ceil(np.sqrt(count))))
    grid = make_grid(scaled.unsqueeze(1), nrow=per_row, padding=MAP_PADDING, pad_value=-1.0)[0].numpy()
    coloured = COLORMAP[(grid.clip(0, 1) * 255).round().astype(np.uint8)]
    coloured[grid < 0] = SEPARATOR
    factor = max(1, MAP_TARGET_WIDTH // grid.shape[1])
    return enlarge(coloured, factor)
