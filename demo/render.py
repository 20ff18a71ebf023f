"""Pictures of what a network sees and computes, rendered with numpy at the size needed."""
from __future__ import annotations

import base64
import io

import numpy as np
import torch
from matplotlib import colormaps
from PIL import Image
from torchvision.utils import make_grid

COLORMAP = (colormaps["viridis"](np.linspace(0, 1, 256))[:, :3] * 255).astype(np.uint8)  # 256 x 3 lookup table
INPUT_SCALE = 8  # the 32x32 input shown as 256x256
MAP_TARGET_WIDTH = 360  # feature-map grids are enlarged by a whole factor to about this width
INSIGHT_WIDTH = 200  # saliency, Grad-CAM and kernel pictures, shown three abreast
MAP_PADDING = 1
SEPARATOR = 255  # white lines between maps
FLAT_RANGE = 1e-8  # a constant tensor is drawn as all-low instead of dividing by zero
HEAT = (colormaps["inferno"](np.linspace(0, 1, 256))[:, :3] * 255).astype(np.uint8)
HEAT_OPACITY = 0.8
OVERLAY_BASE_BRIGHTNESS = 0.4
BAR_HEIGHT = 64
BAR_WIDTH = 3
BAR_GAP = 1
BAR_COLOUR = np.array([68, 1, 84], dtype=np.uint8)  # viridis' darkest
BAR_BACKGROUND = 255
MAPS_PER_ROW = {6: 6, 16: 8, 32: 8, 64: 16}  # LeNet-5's C1 in one row, C3 in two; lenet-cifar's in four


def shared_scale(values: torch.Tensor) -> torch.Tensor:
    """Map the tensor's min..max to 0..1: one scale for all of it, so maps can be compared by eye."""
    low, high = values.min(), values.max()
    return (values - low) / (high - low).clamp_min(FLAT_RANGE)


def enlarge(image: np.ndarray, factor: int) -> Image.Image:
    """Nearest-neighbour upsampling: every input pixel stays a crisp square."""
    return Image.fromarray(image.repeat(factor, axis=0).repeat(factor, axis=1))


def input_image(pixels: torch.Tensor, enlarged: bool = True) -> Image.Image:
    """The ``C x 32 x 32`` model input in [0, 1] as an image (enlarged unless the browser will do it)."""
    array = (pixels.clamp(0, 1).permute(1, 2, 0).numpy() * 255).round().astype(np.uint8)
    return enlarge(array.squeeze(-1) if array.shape[-1] == 1 else array, INPUT_SCALE if enlarged else 1)


def feature_grid(maps: torch.Tensor, enlarged: bool = True) -> Image.Image:
    """``C x H x W`` activations as one grid, one colour scale shared by all maps (enlarged unless the
    browser will do it, see ``html_figure``)."""
    count = maps.shape[0]
    scaled = shared_scale(maps)
    per_row = MAPS_PER_ROW.get(count, int(np.ceil(np.sqrt(2 * count))))
    grid = make_grid(scaled.unsqueeze(1), nrow=per_row, padding=MAP_PADDING, pad_value=-1.0)[0].numpy()
    coloured = COLORMAP[(grid.clip(0, 1) * 255).round().astype(np.uint8)]
    coloured[grid < 0] = SEPARATOR
    factor = max(1, MAP_TARGET_WIDTH // grid.shape[1]) if enlarged else 1
    return enlarge(coloured, factor)


def overlay(pixels: torch.Tensor, heat: torch.Tensor) -> Image.Image:
    """A ``H x W`` heat map in [0, 1] blended over the ``C x H x W`` input, enlarged."""
    base = pixels.clamp(0, 1).permute(1, 2, 0).numpy() * OVERLAY_BASE_BRIGHTNESS  # dimmed, so the heat stands out
    base = np.repeat(base, 3, axis=2) if base.shape[2] == 1 else base
    coloured = HEAT[(heat.clamp(0, 1).numpy() * 255).round().astype(np.uint8)] / 255.0
    alpha = HEAT_OPACITY * heat.clamp(0, 1).numpy()[..., None]
    return enlarge((((1 - alpha) * base + alpha * coloured) * 255).round().astype(np.uint8), INPUT_SCALE)


def bars(values: torch.Tensor) -> Image.Image:
    """A strip of vertical bars, one per unit (C5's 120, F6's 84), heights on a shared scale from the strip's minimum."""
    values = values.flatten()
    heights = (shared_scale(values) * (BAR_HEIGHT - 1)).round().long() + 1
    pitch = BAR_WIDTH + BAR_GAP
    strip = np.full((BAR_HEIGHT, len(values) * pitch, 3), BAR_BACKGROUND, dtype=np.uint8)
    for index, height in enumerate(heights.tolist()):
        strip[BAR_HEIGHT - height :, index * pitch : index * pitch + BAR_WIDTH] = BAR_COLOUR
    return Image.fromarray(strip)


def kernels(weight: torch.Tensor) -> Image.Image:
    """First-layer filters ``out x in x k x k`` as a grid (colour kernels shown in RGB, grey ones colour-mapped)."""
    if weight.shape[1] == 3:
        grid = make_grid(shared_scale(weight), nrow=int(np.ceil(np.sqrt(len(weight)))), padding=MAP_PADDING, pad_value=1.0)
        array = (grid.permute(1, 2, 0).numpy() * 255).round().astype(np.uint8)
        return enlarge(array, max(1, MAP_TARGET_WIDTH // array.shape[1]))
    return feature_grid(weight[:, 0])


def html_figure(image: Image.Image, caption: str, width: int) -> str:
    """The image inlined as a PNG data URI, scaled up by the browser with nearest-neighbour
    (``image-rendering: pixelated``): tiny to send, no temp file, no second request, pixels stay crisp."""
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return (
        f'<figure style="margin:0"><img src="data:image/png;base64,{data}" alt="{caption}" '
        f'style="width:{width}px;max-width:100%;image-rendering:pixelated">'
        f'<figcaption style="font-size:0.8em">{caption}</figcaption></figure>'
    )
