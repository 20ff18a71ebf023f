"""A timm-style model registry: adding a variant is one decorated builder and nothing else.

The order of registration is the order people see (the oldest design first), and
the first line of the builder's docstring is the variant's description.
"""
from __future__ import annotations

import inspect
from typing import Callable

from torch import nn

from lenet.errors import UnknownNameError

ModelBuilder = Callable[..., nn.Module]

_REGISTRY: dict[str, ModelBuilder] = {}  # insertion-ordered: the display order


def register_model(name: str) -> Callable[[ModelBuilder], ModelBuilder]:
    """Register ``builder(in_channels, num_classes, **kwargs) -> nn.Module`` under ``name``."""

    def decorate(builder: ModelBuilder) -> ModelBuilder:
        if name in _REGISTRY:
            raise ValueError(f"model {name!r} is registered twice")
        _REGISTRY[name] = builder
        return builder

    return decorate


def list_models() -> list[str]:
    """Names of every registered variant, in the order they were registered (the display order)."""
    return list(_REGISTRY)


def _builder(name: str) -> ModelBuilder:
    if name not in _REGISTRY:
        raise UnknownNameError("model", name, list_models())
    return _REGISTRY[name]


def model_description(name: str) -> str:
    """The first line of the variant's builder docstring."""
    return (inspect.getdoc(_builder(name)) or name).splitlines()[0]


def create_model(name: str, in_channels: int = 1, num_classes: int = 10, **kwargs) -> nn.Module:
    """Build a fresh (untrained) variant by name."""
    builder = _builder(name)
    if in_channels not in (1, 3):
        raise ValueError(f"in_channels must be 1 (grayscale) or 3 (RGB), got {in_channels}")
    return builder(in_channels=in_channels, num_classes=num_classes, **kwargs)
