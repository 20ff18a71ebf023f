"""2x2 average pooling (LeNet's S2 and S4) whose gradient is cheap on the CPU.

PyTorch's CPU kernel for the backward pass of ``avg_pool2d`` vectorises over
channels, and S2 has only 6: at batch 512 in bfloat16 it took 6-7 ms, a fifth
of a LeNet-5 training step. The gradient of a 2x2 average is each output's
gradient divided by 4, copied to its 4 inputs; written as two copies of
contiguous rows it takes under 1 ms (both timed with ``torch.profiler`` in a
training step). The forward pass is ``F.avg_pool2d`` itself, and dividing by 4 is
exact, so values and gradients are bit for bit those of ``nn.AvgPool2d(2)``.
"""
from __future__ import annotations

from typing import Any

import torch
import torch.fx
import torch.nn.functional as F
from torch import nn

WINDOW = 2


class _AvgPool2x2(torch.autograd.Function):
    @staticmethod
    def forward(ctx: Any, x: torch.Tensor) -> torch.Tensor:
        ctx.height, ctx.width = x.shape[-2:]
        return F.avg_pool2d(x, WINDOW)

    @staticmethod
    def backward(ctx: Any, grad: torch.Tensor) -> torch.Tensor:
        share = grad.permute(0, 2, 3, 1) / WINDOW**2  # N x H x W x C: each row of pixels is contiguous
        wide = torch.stack((share, share), dim=3).flatten(2, 3)  # every pixel twice along a row
        tall = torch.stack((wide, wide), dim=2).flatten(1, 2)  # every row twice
        if tall.shape[1:3] != (ctx.height, ctx.width):  # an odd last row or column was left out: no gradient
            tall = F.pad(tall, (0, 0, 0, ctx.width - tall.shape[2], 0, ctx.height - tall.shape[1]))
        return tall.permute(0, 3, 1, 2)  # back to N x C x H x W, in the channels-last layout


@torch.fx.wrap  # one node when torchvision's feature extractor traces a model
def avg_pool_2x2(x: torch.Tensor) -> torch.Tensor:
    """``F.avg_pool2d(x, 2)``, with the fast gradient on the CPU (CUDA's own kernel is fast already)."""
    return _AvgPool2x2.apply(x) if x.device.type == "cpu" else F.avg_pool2d(x, WINDOW)


class AvgPool2x2(nn.Module):
    """``nn.AvgPool2d(2)``, same values and gradients, with ``avg_pool_2x2``'s fast gradient."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return avg_pool_2x2(x)
