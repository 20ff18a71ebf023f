"""What happens to a picture on its way to an upload, done to a batch so that models learn to shrug it off.

An uploaded image was enlarged by someone's resampler, often saved as JPEG, maybe
blurred or framed, and then shrunk back by ``lenet.preprocess``. ``degrade``
plays that round trip on a random share of a training batch, on the batch's own
device: every image gets its own blur, and small groups share a resampler,
an enlargement and a JPEG quality (one ``interpolate`` call each way).
"""
from __future__ import annotations

import io

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

ENLARGE_MODES = ("nearest", "bilinear", "bicubic")  # how image editors enlarge
SHRINK_MODES = ("area", "bilinear", "bicubic")  # how the upload is brought back to the model's size
ENLARGE_FACTORS = (2, 3, 4)
JPEG_QUALITY = (50, 95)  # what phones and websites save
JPEG_SHARE = 0.5  # of the round trips, this share also goes through JPEG
MAX_BLUR_SIGMA = 1.0  # pixels at the model's size: a soft focus, not a smudge
BLUR_RADIUS = 2  # the Gaussian kernel is 2 * radius + 1 wide
MIN_SIGMA = 1e-3  # narrower than a pixel: no blur, and no division by zero
GROUP_SIZE = 32  # images that share one resampler, enlargement and JPEG quality
MAX_FRAME = 3  # pixels of a photo's frame or page margin left after cropping


def gaussian_blur(images: torch.Tensor, sigma: torch.Tensor) -> torch.Tensor:
    """Blur each image of ``N x C x H x W`` with its own ``sigma`` (length N, pixels; 0 leaves it unchanged)."""
    n, c, h, w = images.shape
    offsets = torch.arange(-BLUR_RADIUS, BLUR_RADIUS + 1, device=images.device, dtype=images.dtype)
    kernel = torch.exp(-offsets**2 / (2 * sigma.to(images).clamp_min(MIN_SIGMA)[:, None] ** 2))  # sigma 0: a unit impulse
    kernel = (kernel / kernel.sum(1, keepdim=True)).repeat_interleave(c, 0)  # one 1-D kernel per image and channel
    flat = F.pad(images.reshape(1, n * c, h, w), [BLUR_RADIUS] * 4, mode="replicate")
    flat = F.conv2d(flat, kernel[:, None, None, :], groups=n * c)  # along rows, then along columns
    return F.conv2d(flat, kernel[:, None, :, None], groups=n * c).reshape(n, c, h, w)


def jpeg(images: torch.Tensor, quality: int) -> torch.Tensor:
    """Float images in [0, 1] saved as JPEG at ``quality`` and read back, by Pillow on the CPU (torchvision's
    JPEG codec is deprecated, and nvJPEG takes only colour images)."""
    as_bytes = (images.clamp(0, 1) * 255).round().to(torch.uint8).permute(0, 2, 3, 1).cpu().numpy()
    decoded = []
    for pixels in as_bytes:
        buffer = io.BytesIO()
        Image.fromarray(pixels.squeeze(2) if pixels.shape[2] == 1 else pixels).save(buffer, "JPEG", quality=quality)
        decoded.append(np.asarray(Image.open(buffer)).reshape(pixels.shape))
    return torch.from_numpy(np.stack(decoded)).permute(0, 3, 1, 2).to(images.device, images.dtype) / 255


def round_trip(images: torch.Tensor, enlarge: str, factor: int, quality: int | None, shrink: str) -> torch.Tensor:
    """Enlarge by ``factor`` with one resampler, optionally JPEG, shrink back with another."""
    h, w = images.shape[-2:]
    big = F.interpolate(images, scale_factor=factor, mode=enlarge).clamp(0, 1)
    if quality is not None:
        big = jpeg(big, quality)
    antialias = dict(antialias=True) if shrink != "area" else {}
    return F.interpolate(big, size=(h, w), mode=shrink, **antialias).clamp(0, 1)


def add_frames(images: torch.Tensor, share: float, generator: torch.Generator) -> torch.Tensor:
    """Paint a frame of 1 to ``MAX_FRAME`` pixels in a random flat colour around a random ``share`` of the images."""
    n, c, h, w = images.shape
    device = generator.device
    width = torch.randint(1, MAX_FRAME + 1, (n, 1, 1, 1), generator=generator, device=device)
    width = torch.where(torch.rand(n, 1, 1, 1, generator=generator, device=device) < share, width, 0)
    rows, cols = torch.arange(h, device=device), torch.arange(w, device=device)
    from_edge = torch.minimum(torch.minimum(rows, h - 1 - rows)[:, None], torch.minimum(cols, w - 1 - cols)[None, :])
    colour = torch.rand(n, c, 1, 1, generator=generator, device=device)
    return torch.where((from_edge < width).to(images.device), colour.to(images), images)


def degrade_like_uploads(images: torch.Tensor, share: float, generator: torch.Generator) -> torch.Tensor:
    """Blur and round-trip a random ``share`` of a float batch in [0, 1]; the rest is returned as it is."""
    device = generator.device

    def pick(options: tuple) -> object:
        return options[int(torch.randint(len(options), (1,), generator=generator, device=device))]

    chosen = (torch.rand(images.shape[0], generator=generator, device=device) < share).nonzero().flatten().to(images.device)
    if not len(chosen):
        return images
    images = images.clone()
    sigma = torch.rand(len(chosen), generator=generator, device=device).to(images.device) * MAX_BLUR_SIGMA
    images[chosen] = gaussian_blur(images[chosen], sigma)
    for group in chosen.split(GROUP_SIZE):
        with_jpeg = float(torch.rand((), generator=generator, device=device)) < JPEG_SHARE
        quality = int(torch.randint(JPEG_QUALITY[0], JPEG_QUALITY[1] + 1, (1,), generator=generator, device=device))
        images[group] = round_trip(images[group], pick(ENLARGE_MODES), pick(ENLARGE_FACTORS), quality if with_jpeg else None,
                                   pick(SHRINK_MODES))
    return images
