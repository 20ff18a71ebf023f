"""A wider LeNet for 32x32 images, as CIFAR-10 tutorials build it: RGB, or grey with ``in_channels=1``.

Three 3x3 conv blocks with padding (conv -> BatchNorm -> ReLU), max pooling
between them, and a hidden fully connected layer with dropout. Stage names
follow LeNet-5: c1, s2, c3, s4 as in the paper; c5 is the third conv block
(with its pooling), f6 the hidden layer.
"""
from __future__ import annotations

from torch import nn

from lenet.models.lenet5 import init_relu_network
from lenet.registry import register_model
from lenet.stages import StagedModel

CIFAR_WIDTH = 32  # channels of the first block; each block doubles it
CIFAR_HIDDEN = 256
CIFAR_DROPOUT = 0.5
CIFAR_INPUT_SIZE = 32


def conv_block(cin: int, cout: int) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


class LeNetCifar(StagedModel):
    def __init__(self, in_channels: int, num_classes: int, width: int, hidden: int, dropout: float) -> None:
        super().__init__()
        self.c1 = conv_block(in_channels, width)
        self.s2 = nn.MaxPool2d(2)
        self.c3 = conv_block(width, 2 * width)
        self.s4 = nn.MaxPool2d(2)
        self.c5 = nn.Sequential(conv_block(2 * width, 4 * width), nn.MaxPool2d(2))
        flat = 4 * width * (CIFAR_INPUT_SIZE // 8) ** 2
        self.f6 = nn.Sequential(nn.Flatten(), nn.Linear(flat, hidden), nn.ReLU(inplace=True))
        self.output = nn.Sequential(nn.Dropout(dropout), nn.Linear(hidden, num_classes))


@register_model("lenet-cifar")
def lenet_cifar(
    in_channels: int = 3,
    num_classes: int = 10,
    width: int = CIFAR_WIDTH,
    hidden: int = CIFAR_HIDDEN,
    dropout: float = CIFAR_DROPOUT,
) -> nn.Module:
    """Wider LeNet of the CIFAR-10 tutorials: 3x3 conv blocks of width, 2x width and 4x width channels."""
    return init_relu_network(LeNetCifar(in_channels, num_classes, width, hidden, dropout))
