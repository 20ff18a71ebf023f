"""Two LeNet layers computed as PyTorch would, but fast at LeNet's shapes on a CPU.

Average pooling over 2x2 blocks (S2, S4): PyTorch's CPU kernel for the backward
pass of ``avg_pool2d`` vectorises over channels, and S2 has only 6: at batch 512
in bfloat16 it took 6-7 ms, a fifth of a LeNet-5 training step. The gradient of
a 2x2 average is each output's gradient divided by 4, copied to its 4 inputs;
written as two copies of contiguous rows it takes under 1 ms. The forward pass
is ``F.avg_pool2d`` itself, and dividing by 4 is exact, so values and gradients
are bit for bit those of ``nn.AvgPool2d(2)``.

A convolution whose kernel covers its whole input map (C5: 5x5 over S4's 5x5)
is a fully connected layer, which is why the paper notes that C5 only differs
from one on a larger input. oneDNN's channels-last backward pass for it took
2.4 ms a step, where one matrix product takes a fraction of that; the same
parameters, the same state_dict, the same values up to float rounding.

(All times from ``torch.profiler`` in a training step.)
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


@torch.fx.wrap  # a device test the feature extractor's tracer cannot follow: one node instead
def avg_pool_2x2(x: torch.Tensor) -> torch.Tensor:
    """``F.avg_pool2d(x, 2)``, with the fast gradient on the CPU (CUDA's own kernel is fast already)."""
    return _AvgPool2x2.apply(x) if x.device.type == "cpu" else F.avg_pool2d(x, WINDOW)


class AvgPool2x2(nn.Module):
    """``nn.AvgPool2d(2)``, same values and gradients, with ``avg_pool_2x2``'s fast gradient."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return avg_pool_2x2(x)


@torch.fx.wrap  # a shape test the feature extractor's tracer cannot follow: one node instead
def conv_over_whole_map(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None) -> torch.Tensor:
    """``F.conv2d(x, weight, bias)``; one matrix product when the kernel is as large as the map."""
    if x.shape[-2:] != weight.shape[-2:]:
        return F.conv2d(x, weight, bias)
    return F.linear(x.flatten(1), weight.flatten(1), bias)[..., None, None]


class WholeMapConv2d(nn.Conv2d):
    """``nn.Conv2d(in_channels, out_channels, kernel_size)``, run as one matrix product where its kernel covers
    the input map (LeNet's C5 on a 32x32 image)."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int, bias: bool = True) -> None:
        super().__init__(in_channels, out_channels, kernel_size, bias=bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return conv_over_whole_map(x, self.weight, self.bias)
