"""CPU training speed-ups, applied by the trainer as a swap of modules: same parameters, same state_dict.

The model files read like the paper (``nn.AvgPool2d``, ``nn.Conv2d``); on a CPU,
two of those layers are slow at LeNet's shapes, so ``speed_up_for_cpu`` replaces
them in a model about to be trained. Checkpoints, evaluation and the demo use the
plain layers. Why each is faster, and by how much, is in bench/README.md.
"""
from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

WINDOW = 2


class _AvgPool2x2(torch.autograd.Function):
    """2x2 average pooling whose gradient is two row copies: PyTorch's CPU backward vectorises over
    channels, and S2 has only 6."""

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


class AvgPool2x2(nn.Module):
    """``nn.AvgPool2d(2)``: the same values and, bit for bit, the same gradients, computed faster on a CPU."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return _AvgPool2x2.apply(x)


class WholeMapConv2d(nn.Conv2d):
    """A convolution whose kernel covers its whole input map (C5: 5x5 over S4's 5x5) is one matrix product;
    oneDNN's channels-last backward for it is several times slower. Equal up to float rounding."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.shape[-2:] != self.weight.shape[-2:]:
            return super().forward(x)
        return F.linear(x.flatten(1), self.weight.flatten(1), self.bias)[..., None, None]


def _is_plain_2x2_average(module: nn.Module) -> bool:
    return (
        type(module) is nn.AvgPool2d and module.kernel_size in (2, (2, 2)) and module.stride in (2, (2, 2))
        and module.padding in (0, (0, 0)) and not module.ceil_mode and module.divisor_override is None
    )


def _convolutions_over_whole_maps(model: nn.Module, example: torch.Tensor) -> set[nn.Conv2d]:
    """The plain convolutions whose kernel is as large as the map they receive, found by one forward pass."""
    found: set[nn.Conv2d] = set()

    def record(module: nn.Conv2d, inputs: tuple[torch.Tensor, ...]) -> None:
        if inputs[0].shape[-2:] == module.weight.shape[-2:]:
            found.add(module)

    plain = [m for m in model.modules() if type(m) is nn.Conv2d and m.padding in (0, (0, 0)) and m.groups == 1
             and m.stride in (1, (1, 1)) and m.dilation in (1, (1, 1))]
    hooks = [conv.register_forward_pre_hook(record) for conv in plain]
    try:
        with torch.no_grad():
            model.eval()(example)
    finally:
        for hook in hooks:
            hook.remove()
    return found


def _as_whole_map_conv(conv: nn.Conv2d) -> WholeMapConv2d:
    fast = WholeMapConv2d(conv.in_channels, conv.out_channels, conv.kernel_size, bias=conv.bias is not None, device="meta")
    fast.weight, fast.bias = conv.weight, conv.bias  # the very same parameters
    return fast


def speed_up_for_cpu(model: nn.Module, example: torch.Tensor) -> nn.Module:
    """Swap, in place, 2x2 average pooling for ``AvgPool2x2`` and whole-map convolutions for ``WholeMapConv2d``.

    ``example`` is one input batch of the right shape (it finds the whole-map convolutions).
    The state_dict keeps its keys and tensors; the training mode is kept.
    """
    training = model.training
    whole_map = _convolutions_over_whole_maps(model, example)
    for parent in list(model.modules()):
        for name, child in parent.named_children():
            if _is_plain_2x2_average(child):
                setattr(parent, name, AvgPool2x2())
            elif child in whole_map:
                setattr(parent, name, _as_whole_map_conv(child))
    return model.train(training)
