"""LeNet-5 as LeCun, Bottou, Bengio and Haffner describe it (Proc. IEEE, 1998).

Faithful to Section II-B: trainable subsampling layers, the partially connected
C3 of Table I, the scaled tanh squashing function, fan-in scaled uniform
initialisation and an output layer of Euclidean RBF units with fixed codes.

Where it departs from the paper, and why:
- Trained with cross-entropy on the logits ``-distance``. That is the paper's
  MAP criterion (eq. 9) with the "rubbish class" constant j taken to infinity,
  and it is what PyTorch's losses expect.
- Trained with SGD/Adam rather than the stochastic diagonal Levenberg-Marquardt
  method of Appendix C, which has no PyTorch implementation.
- Inputs are normalised with the dataset's mean and std rather than mapped to
  [-0.1, 1.175]; both give roughly zero mean and unit variance.
- ``in_channels=3`` widens C1 for RGB input; the paper only saw grayscale.
"""
from __future__ import annotations

import torch
from torch import nn

from lenet.models.prototypes import CODE_LENGTH, prototype_codes
from lenet.registry import register_model
from lenet.stages import StagedModel

SQUASH_AMPLITUDE = 1.7159  # A in f(a) = A tanh(S a), Appendix A
SQUASH_SLOPE = 2.0 / 3.0  # S
INIT_SCALE = 2.4  # weights ~ U(-2.4 / fan_in, 2.4 / fan_in), Appendix A

# Table I: which of the 6 S2 maps (values) each of the 16 C3 maps (positions) sees.
C3_TABLE: tuple[tuple[int, ...], ...] = (
    *((j, j + 1, j + 2) for j in range(6)),  # 6 maps see 3 contiguous maps
    *((j, j + 1, j + 2, j + 3) for j in range(6)),  # 6 see 4 contiguous
    (0, 1, 3, 4), (1, 2, 4, 5), (0, 2, 3, 5),  # 3 see 4 non-contiguous
    (0, 1, 2, 3, 4, 5),  # 1 sees all 6
)


def c3_connections(in_maps: int = 6) -> torch.Tensor:
    """Boolean ``16 x 6`` matrix: ``[out, in]`` is True where Table I has an X."""
    mask = torch.zeros(len(C3_TABLE), in_maps, dtype=torch.bool)
    for out_map, in_maps_seen in enumerate(C3_TABLE):
        mask[out_map, [i % in_maps for i in in_maps_seen]] = True
    return mask


class Squash(nn.Module):
    """f(a) = 1.7159 tanh(2a/3): f(+-1) = +-1 and the gain is near 1 at the origin."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return SQUASH_AMPLITUDE * torch.tanh(SQUASH_SLOPE * x)


class TrainableSubsampling(nn.Module):
    """S2/S4: sum of each 2x2 block, times one trainable coefficient plus one bias per map."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.coefficient = nn.Parameter(torch.full((channels,), 0.25))
        self.bias = nn.Parameter(torch.zeros(channels))
        self.pool = nn.AvgPool2d(2)  # averaging is summing with the 1/4 folded into the coefficient
        self.squash = Squash()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        summed = 4 * self.pool(x)
        return self.squash(summed * self.coefficient.view(1, -1, 1, 1) + self.bias.view(1, -1, 1, 1))


class PartialConv2d(nn.Module):
    """A convolution in which output map ``o`` sees input map ``i`` only where ``connections[o, i]``.

    Only the connected kernels are parameters (so counting parameters gives the
    paper's 1,516 for C3); each forward scatters them into one dense, masked
    kernel and runs a single convolution.
    """

    def __init__(self, connections: torch.Tensor, kernel_size: int) -> None:
        super().__init__()
        out_maps, in_maps = connections.shape
        kernel_mask = connections[:, :, None, None].expand(out_maps, in_maps, kernel_size, kernel_size)
        self.register_buffer("kernel_mask", kernel_mask.contiguous(), persistent=False)
        self.weight = nn.Parameter(torch.empty(int(kernel_mask.sum())))
        self.bias = nn.Parameter(torch.zeros(out_maps))

    def fan_in(self) -> torch.Tensor:
        """Number of inputs of the unit that each entry of ``weight`` feeds."""
        per_output_map = self.kernel_mask.sum(dim=(1, 2, 3), keepdim=True).expand_as(self.kernel_mask)
        return per_output_map[self.kernel_mask]

    def dense_weight(self) -> torch.Tensor:
        return torch.zeros(self.kernel_mask.shape, dtype=self.weight.dtype, device=self.weight.device).masked_scatter(
            self.kernel_mask, self.weight
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return nn.functional.conv2d(x, self.dense_weight(), self.bias)


class EuclideanRBF(nn.Module):
    """Output units y_i = sum_j (x_j - w_ij)^2 against fixed codes; returns logits -y."""

    def __init__(self, codes: torch.Tensor) -> None:
        super().__init__()
        self.register_buffer("codes", codes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return -(x.unsqueeze(1) - self.codes).pow(2).sum(dim=-1)


class LeNet5Paper(StagedModel):
    def __init__(self, in_channels: int = 1, num_classes: int = 10) -> None:
        super().__init__()
        self.c1 = nn.Sequential(nn.Conv2d(in_channels, 6, 5), Squash())
        self.s2 = TrainableSubsampling(6)
        self.c3 = nn.Sequential(PartialConv2d(c3_connections(), 5), Squash())
        self.s4 = TrainableSubsampling(16)
        self.c5 = nn.Sequential(nn.Conv2d(16, 120, 5), Squash())
        self.f6 = nn.Sequential(nn.Flatten(), nn.Linear(120, CODE_LENGTH), Squash())
        self.output = EuclideanRBF(prototype_codes(num_classes))
        self._init_weights()

    @torch.no_grad()
    def _init_weights(self) -> None:
        for layer in (self.c1[0], self.c5[0], self.f6[1]):
            fan_in = layer.weight[0].numel()
            nn.init.uniform_(layer.weight, -INIT_SCALE / fan_in, INIT_SCALE / fan_in)
            nn.init.uniform_(layer.bias, -INIT_SCALE / fan_in, INIT_SCALE / fan_in)
        partial = self.c3[0]
        bound = INIT_SCALE / partial.fan_in().float()
        partial.weight.copy_((torch.rand_like(partial.weight) * 2 - 1) * bound)
        partial.bias.uniform_(-INIT_SCALE / partial.fan_in().max().item(), INIT_SCALE / partial.fan_in().max().item())


@register_model("lenet5-1998")
def lenet5_1998(in_channels: int = 1, num_classes: int = 10) -> nn.Module:
    """The paper's LeNet-5: 60,000 trainable parameters on a 1x32x32 input."""
    return LeNet5Paper(in_channels, num_classes)
