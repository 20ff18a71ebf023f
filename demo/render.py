"""Pictures of what a network sees and computes, rendered with numpy at the size needed."""
from __future__ import annotations

import base64
import html
import io

import numpy as np
import torch
from matplotlib import colormaps
from PIL import Image
from torchvision.utils import make_grid

COLORMAP = (colormaps["viridis"](np.linspace(0, 1, 256))[:, :3] * 255).astype(np.uint8)  # 256 x 3 lookup table
INPUT_SCALE = 8  # the 32x32 input shown as 256x256
INSIGHT_WIDTH = 200  # saliency, Grad-CAM and kernel pictures, shown three abreast
MAP_PADDING = 1
SEPARATOR = 255  # white lines between maps
FLAT_RANGE = 1e-8  # a constant tensor is drawn as all-low instead of dividing by zero
HEAT = (colormaps["inferno"](np.linspace(0, 1, 256))[:, :3] * 255).astype(np.uint8)
SIGNED = (colormaps["RdBu_r"](np.linspace(0, 1, 256))[:, :3] * 255).astype(np.uint8)  # kernel weights: - blue, + red
KERNEL_PX = 10  # CSS pixels per kernel weight: a 5x5 kernel is 50 px
LEGEND_STOPS = 8
C1_PX, C3_PX = 3, 4  # CSS pixels per activation: readable on a phone
HEAT_OPACITY = 0.8
OVERLAY_BASE_BRIGHTNESS = 0.4
THUMBNAIL_QUALITY = 85


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


def overlay(pixels: torch.Tensor, heat: torch.Tensor) -> Image.Image:
    """A ``H x W`` heat map in [0, 1] blended over the ``C x H x W`` input, enlarged."""
    base = pixels.clamp(0, 1).permute(1, 2, 0).numpy() * OVERLAY_BASE_BRIGHTNESS  # dimmed, so the heat stands out
    base = np.repeat(base, 3, axis=2) if base.shape[2] == 1 else base
    coloured = HEAT[(heat.clamp(0, 1).numpy() * 255).round().astype(np.uint8)] / 255.0
    alpha = HEAT_OPACITY * heat.clamp(0, 1).numpy()[..., None]
    return enlarge((((1 - alpha) * base + alpha * coloured) * 255).round().astype(np.uint8), INPUT_SCALE)


def png_data_url(image: Image.Image) -> str:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def html_figure(image: Image.Image, caption: str, width: int, legend: str = "") -> str:
    """The image inlined as a PNG data URI, scaled up by the browser with nearest-neighbour
    (``image-rendering: pixelated``): tiny to send, no temp file, no second request, pixels stay crisp."""
    return (
        f'<figure><img src="{png_data_url(image)}" alt="{html.escape(caption)}" '
        f'style="width:{width}px;max-width:100%;image-rendering:pixelated">{legend}'
        f'<figcaption>{html.escape(caption)}</figcaption></figure>'
    )


def figures(*items: str) -> str:
    """Figures side by side, wrapping on a narrow screen."""
    return f'<div class="figures">{"".join(items)}</div>'


def tiles_html(maps: torch.Tensor, caption: str, px: int) -> str:
    """``C x H x W`` maps as tiles of ``px`` CSS pixels per activation that wrap to the screen's width, on one
    shared colour scale: one PNG strip (a pixel per activation) that CSS cuts into tiles and enlarges crisply."""
    count, height, width = maps.shape
    strip = shared_scale(maps).permute(1, 0, 2).reshape(height, count * width).numpy()
    data = png_data_url(Image.fromarray(COLORMAP[(strip * 255).round().astype(np.uint8)]))
    tiles = "".join(f'<i style="background-position:{-index * width * px}px 0"></i>' for index in range(count))
    return (
        f'<figure class="tiles" style="--sprite:url({data});--w:{width * px}px;--h:{height * px}px;'
        f'--strip:{count * width * px}px"><div>{tiles}</div><figcaption>{html.escape(caption)}</figcaption></figure>'
    )


def gradient(colours: np.ndarray) -> str:
    """The colormap as a left-to-right CSS gradient."""
    stops = ", ".join(f"rgb({r},{g},{b})" for r, g, b in colours[:: len(colours) // LEGEND_STOPS])
    return f"linear-gradient(to right, {stops})"


def colour_bar(colours: np.ndarray, low: str, high: str, middle: str = "") -> str:
    """A horizontal colour scale for a picture, labelled at its ends (markup shared with demo/static/cards.js)."""
    return (
        f'<div class="legend"><div style="background:{gradient(colours)}"></div>'
        f'<span>{html.escape(low)}</span><span>{html.escape(middle)}</span><span>{html.escape(high)}</span></div>'
    )


def maps_scale(low: str, high: str, caption: str) -> str:
    """The feature maps' colour scale as a figure of its own, for a group of maps."""
    return f'<figure class="maps-scale">{colour_bar(COLORMAP, low, high)}<figcaption>{html.escape(caption)}</figcaption></figure>'


def thumbnail(image: Image.Image, side: int) -> str:
    """A copy of ``image`` at most ``side`` pixels a side, as a JPEG data URL (an upload's preview: a photo's PNG
    would be ten times the bytes)."""
    small = image.copy()
    small.thumbnail((side, side))
    rgba = small.convert("RGBA")
    small = Image.alpha_composite(Image.new("RGBA", rgba.size, "white"), rgba).convert("RGB")  # transparency on white
    buffer = io.BytesIO()
    small.save(buffer, format="JPEG", quality=THUMBNAIL_QUALITY)
    return "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def kernels_html(weight: torch.Tensor, caption: str) -> str:
    """First-layer filters ``out x in x k x k``, each weight a ``KERNEL_PX`` square: grey kernels on a signed
    scale centred on zero (blue negative, red positive), colour ones as RGB."""
    if weight.shape[1] == 3:
        grid = make_grid(shared_scale(weight), nrow=len(weight), padding=MAP_PADDING, pad_value=1.0)
        array = (grid.permute(1, 2, 0).numpy() * 255).round().astype(np.uint8)
        return html_figure(Image.fromarray(array), caption, array.shape[1] * KERNEL_PX // 2)
    reach = float(weight.abs().max().clamp_min(FLAT_RANGE))
    signed = (weight[:, 0] / reach + 1) / 2  # -reach..reach -> 0..1, zero in the middle
    grid = make_grid(signed.unsqueeze(1), nrow=len(weight), padding=MAP_PADDING, pad_value=-1.0)[0].numpy()
    coloured = SIGNED[(grid.clip(0, 1) * 255).round().astype(np.uint8)]
    coloured[grid < 0] = SEPARATOR
    legend = colour_bar(SIGNED, f"{-reach:.2f}", f"+{reach:.2f}", "0")
    return html_figure(Image.fromarray(coloured), caption, coloured.shape[1] * KERNEL_PX, legend)
