"""A timm-style model registry: adding a variant is one decorated builder."""
from __future__ import annotations

from typing import Callable

from torch import nn

from lenet.errors import UnknownNameError

ModelBuilder = Callable[..., nn.Module]

_REGISTRY: dict[str, ModelBuilder] = {}


def register_model(name: str) -> Callable[[ModelBuilder], ModelBuilder]:
    """Register ``builder(in_channels, num_classes, **kwargs) -> nn.Module`` under ``name``."""

    def decorate(builder: ModelBuilder) -> ModelBuilder:
        if name in _REGISTRY:
            raise ValueError(f"model {name!r} is registered twice")
        _REGISTRY[name] = builder
        return builder

    return decorate


def list_models() -> list[str]:
    """Names of every registered variant, sorted."""
    return sorted(_REGISTRY)


def create_model(name: str, in_channels: int = 1, num_classes: int = 10, **kwargs) -> nn.Module:
    """Build a fresh (untrained) variant by name."""
    if name not in _REGISTRY:
        raise UnknownNameError("model", name, list_models())
    if in_channels not in (1, 3):
        raise ValueError(f"in_channels must be 1 (grayscale) or 3 (RGB), got {in_channels}")
    return _REGISTRY[name](in_channels=in_channels, num_classes=num_classes, **kwargs)
