"""The LeNet-5 of textbooks and tutorials, and its modern ReLU/BatchNorm/Dropout cousin.

Both keep the paper's topology (6@5x5 -> pool -> 16@5x5 -> pool -> 120@5x5 ->
84 -> classes) and its stage names, so their feature maps line up with the 1998
model's: C1 is 6x28x28 and C3 is 16x10x10 on a 32x32 input.
"""
from __future__ import annotations

from functools import partial
from typing import Callable

from torch import nn

from lenet.errors import UnknownNameError
from lenet.registry import register_model
from lenet.stages import StagedModel

MODERN_DROPOUT = 0.25
ACTIVATIONS: dict[str, type[nn.Module]] = {"tanh": nn.Tanh, "relu": nn.ReLU}
POOLINGS: dict[str, type[nn.Module]] = {"avg": nn.AvgPool2d, "max": nn.MaxPool2d}


class LeNet5(StagedModel):
    """Stages are children named c1, s2, c3, s4, c5, f6, output (see lenet.stages)."""

    def __init__(
        self,
        in_channels: int,
        num_classes: int,
        activation: type[nn.Module],
        pool: Callable[[], nn.Module],  # a 2x2 pooling layer
        batch_norm: bool = False,
        dropout: float = 0.0,
    ) -> None:
        super().__init__()

        def conv(cin: int, cout: int) -> nn.Sequential:
            layers = [nn.Conv2d(cin, cout, 5, bias=not batch_norm)]
            if batch_norm:
                layers.append(nn.BatchNorm2d(cout))
            return nn.Sequential(*layers, activation())

        self.c1 = conv(in_channels, 6)
        self.s2 = pool()
        self.c3 = conv(6, 16)
        self.s4 = pool()
        self.c5 = conv(16, 120)  # 5x5 over S4's 5x5 maps: fully connected, as the paper notes
        self.f6 = nn.Sequential(nn.Flatten(), nn.Linear(120, 84), activation())
        self.output = nn.Sequential(nn.Dropout(dropout), nn.Linear(84, num_classes)) if dropout else nn.Linear(84, num_classes)


def init_relu_network(model: nn.Module) -> nn.Module:
    """Kaiming init for layers followed by ReLU, Xavier for the final classifier."""
    linears = [m for m in model.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]
    for layer in linears[:-1]:
        nn.init.kaiming_normal_(layer.weight, nonlinearity="relu")
    nn.init.xavier_uniform_(linears[-1].weight)
    for layer in linears:
        if layer.bias is not None:
            nn.init.zeros_(layer.bias)
    return model


@register_model("lenet5")
def lenet5(in_channels: int = 1, num_classes: int = 10, activation: str = "tanh", pooling: str = "avg") -> nn.Module:
    """Textbook LeNet-5: tanh activations, average pooling, a plain linear output.

    ``activation`` (tanh, relu) and ``pooling`` (avg, max) swap in what the tutorials compare.
    """
    if activation not in ACTIVATIONS or pooling not in POOLINGS:
        raise UnknownNameError("activation or pooling", f"{activation}/{pooling}",
                               [f"{a}/{p}" for a in ACTIVATIONS for p in POOLINGS])
    return LeNet5(in_channels, num_classes, activation=ACTIVATIONS[activation], pool=partial(POOLINGS[pooling], 2))


@register_model("lenet5-modern")
def lenet5_modern(in_channels: int = 1, num_classes: int = 10, dropout: float = MODERN_DROPOUT) -> nn.Module:
    """LeNet-5 topology with ReLU, max pooling, BatchNorm after each conv and Dropout before the output."""
    model = LeNet5(in_channels, num_classes, activation=nn.ReLU, pool=partial(nn.MaxPool2d, 2), batch_norm=True, dropout=dropout)
    return init_relu_network(model)
