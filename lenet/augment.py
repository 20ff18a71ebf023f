"""Batched, per-sample augmentation on tensors (CPU or GPU).

torchvision's v2 transforms draw one set of random parameters per call, so a
whole batch would get the same distortion; here every image gets its own
random affine map (lenet.transforms.affine), and the batch is warped at once;
then a share of it goes through what uploading does to a picture (lenet.degrade).
Each dataset's own augmentation is part of its spec (lenet.datasets).
"""
from __future__ import annotations

from dataclasses import dataclass

import torch

from lenet.degrade import add_frames, degrade_like_uploads
from lenet.transforms import affine


@dataclass(frozen=True)
class Augmentation:
    degrees: float = 0.0  # rotation in [-degrees, degrees]
    shift: float = 0.0  # translation in pixels, in [-shift, shift] along each axis
    scale: float = 0.0  # zoom factor in [1 - scale, 1 + scale]
    shear: float = 0.0  # degrees
    hflip: bool = False
    integer_shift: bool = False  # whole-pixel shifts, i.e. random crops of a zero-padded image
    frame: float = 0.0  # share of images given a thin flat-coloured frame, as photos on a page have
    degrade: float = 0.0  # share of images blurred and round-tripped as uploads are (lenet.degrade)

    def __call__(self, images: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
        """Distort a float batch ``N x C x H x W``; ``generator`` makes it reproducible."""
        n = images.shape[0]

        def uniform(low: float, high: float) -> torch.Tensor:
            return torch.rand(n, generator=generator, device=generator.device) * (high - low) + low

        degrees, shear = uniform(-self.degrees, self.degrees), uniform(-self.shear, self.shear)
        zoom = uniform(1 - self.scale, 1 + self.scale)
        shift_x, shift_y = uniform(-self.shift, self.shift), uniform(-self.shift, self.shift)
        if self.integer_shift:
            shift_x, shift_y = shift_x.round(), shift_y.round()
        flip = torch.where(uniform(0, 1) < 0.5, -1.0, 1.0) if self.hflip else None
        images = affine(images, degrees, shift_x, shift_y, zoom, shear, flip)
        if self.frame:
            images = add_frames(images, self.frame, generator)
        return degrade_like_uploads(images, self.degrade, generator) if self.degrade else images
