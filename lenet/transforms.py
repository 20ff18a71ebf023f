"""Geometric and stroke distortions of batched image tensors, each image with its own parameters.

Training draws the parameters at random (lenet.augment); the demo's robustness
probe sets them with sliders. Both warp a batch with one ``grid_sample``.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F


def affine(
    images: torch.Tensor,
    degrees: torch.Tensor,
    shift_x: torch.Tensor,
    shift_y: torch.Tensor,
    zoom: torch.Tensor,
    shear: torch.Tensor | None = None,
    flip: torch.Tensor | None = None,
) -> torch.Tensor:
    """Rotate (degrees, counter-clockwise), shear, zoom (>1 enlarges), shift (pixels) and mirror (flip = -1)
    each image of ``N x C x H x W`` about its centre; uncovered pixels become 0. Parameters are length-N."""
    h, w = images.shape[-2:]
    angle = torch.deg2rad(degrees)
    slant = angle + (torch.deg2rad(shear) if shear is not None else 0)
    mirror = flip if flip is not None else torch.ones_like(angle)
    # grid_sample maps output to input coordinates, so this is the inverse of the intended motion.
    theta = torch.stack(
        [
            torch.stack([torch.cos(angle) * mirror / zoom, -torch.sin(slant) / zoom, -2 * shift_x / w], dim=1),
            torch.stack([torch.sin(angle) * mirror / zoom, torch.cos(slant) / zoom, -2 * shift_y / h], dim=1),
        ],
        dim=1,
    ).to(images)
    return F.grid_sample(images, affine_grid(theta, h, w), mode="bilinear", padding_mode="zeros", align_corners=False)


def affine_grid(theta: torch.Tensor, h: int, w: int) -> torch.Tensor:
    """``F.affine_grid(theta, [N, C, h, w], align_corners=False)`` as one matrix product for the whole batch
    (affine_grid multiplies each image's matrix separately), laid out x plane then y plane per image so that
    grid_sample reads it sequentially (bench/README.md)."""
    identity = torch.eye(2, 3, dtype=theta.dtype, device=theta.device)[None]
    base = F.affine_grid(identity, [1, 1, h, w], align_corners=False).reshape(h * w, 2)  # torch's pixel centres
    homogeneous = torch.cat([base, torch.ones(h * w, 1, dtype=theta.dtype, device=theta.device)], dim=1)
    n = theta.shape[0]
    return (theta.reshape(n * 2, 3) @ homogeneous.T).view(n, 2, h, w).permute(0, 2, 3, 1)


def stroke_width(images: torch.Tensor, pixels: int) -> torch.Tensor:
    """Thicken (``pixels`` > 0) or thin (< 0) bright strokes on a dark background by grey-scale dilation/erosion."""
    if pixels == 0:
        return images
    size = 2 * abs(pixels) + 1
    if pixels > 0:
        return F.max_pool2d(images, size, stride=1, padding=abs(pixels))
    return -F.max_pool2d(-images, size, stride=1, padding=abs(pixels))


def distort(
    pixels: torch.Tensor,
    degrees: float = 0.0,
    shift: tuple[float, float] = (0.0, 0.0),
    zoom: float = 1.0,
    thickness: int = 0,
    noise: float = 0.0,
    seed: int = 0,
) -> torch.Tensor:
    """One ``1 x C x H x W`` input, rotated/shifted/zoomed, its strokes thickened or thinned, plus Gaussian noise."""
    one = torch.ones(1)
    out = affine(pixels, one * degrees, one * shift[0], one * shift[1], one * zoom)
    out = stroke_width(out, thickness)
    if noise:
        out = out + noise * torch.randn(out.shape, generator=torch.Generator().manual_seed(seed))
    return out.clamp(0, 1)
