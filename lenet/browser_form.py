"""A model's browser form: float32 weights in one binary file and a small JSON list of layers that the page's
runtime (demo/static/runtime.js) interprets, stage by stage.

Every layer the variants use has one entry in ``EXPORTS``; batch norm is folded into the convolution before it and
dropout (an identity at inference) is left out, so the page runs exactly what ``model.eval()`` computes. The JSON
names its weights file with the file's sha256, which the page checks before it trusts the numbers.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import numpy as np
import torch
from torch import nn

from lenet.checkpoint import atomic_write
from lenet.datasets import MODEL_INPUT_SIZE
from lenet.errors import CheckpointError
from lenet.models.lenet5_1998 import (
    SQUASH_AMPLITUDE,
    SQUASH_SLOPE,
    EuclideanRBF,
    PartialConv2d,
    Squash,
    TrainableSubsampling,
)
from lenet.stages import STAGE_NAMES

FORM_NAME = "browser.json"
FORM_WEIGHTS_NAME = "browser.f32"  # little-endian float32, nothing else: not a pickle (.bin on the Hub)
FORMAT = "lenet-browser/1"


class Weights:
    """The float32 numbers of one model, appended layer by layer; each layer names its arrays by offset."""

    def __init__(self) -> None:
        self.chunks: list[np.ndarray] = []
        self.size = 0

    def add(self, tensor: torch.Tensor) -> int:
        """Append ``tensor`` (flattened, row-major) and return its offset in float32 elements."""
        array = tensor.detach().to(torch.float32).cpu().contiguous().numpy().ravel()
        offset = self.size
        self.chunks.append(array)
        self.size += array.size
        return offset

    def to_bytes(self) -> bytes:
        return np.concatenate(self.chunks).astype("<f4").tobytes() if self.chunks else b""


def _conv(weights: Weights, conv: nn.Conv2d, norm: nn.BatchNorm2d | None) -> dict[str, Any]:
    if conv.groups != 1 or conv.stride not in (1, (1, 1)) or conv.dilation not in (1, (1, 1)):
        raise CheckpointError("the browser form has plain convolutions only (no groups, stride or dilation)")
    weight = conv.weight.detach().double()
    bias = conv.bias.detach().double() if conv.bias is not None else torch.zeros(conv.out_channels, dtype=torch.float64)
    if norm is not None:  # y = gamma (conv(x) - mean) / sqrt(var + eps) + beta, as one convolution
        scale = norm.weight.detach().double() / (norm.running_var.double() + norm.eps).sqrt()
        weight = weight * scale[:, None, None, None]
        bias = (bias - norm.running_mean.double()) * scale + norm.bias.detach().double()
    padding = conv.padding[0] if isinstance(conv.padding, tuple) else conv.padding
    return {"op": "conv", "in": conv.in_channels, "out": conv.out_channels, "kernel": conv.kernel_size[0],
            "padding": padding, "weight": weights.add(weight), "bias": weights.add(bias)}


def _partial_conv(weights: Weights, conv: PartialConv2d) -> dict[str, Any]:
    """Only the connected kernels, in the order of the 1998 connection table (row-major, as ``masked_scatter``)."""
    mask = conv.kernel_mask[:, :, 0, 0]
    connections = [torch.nonzero(row).flatten().tolist() for row in mask]
    return {"op": "conv", "in": mask.shape[1], "out": mask.shape[0], "kernel": conv.kernel_mask.shape[-1], "padding": 0,
            "connections": connections, "weight": weights.add(conv.weight), "bias": weights.add(conv.bias)}


def _pool(op: str) -> Callable[[Weights, nn.Module], dict[str, Any]]:
    def export(weights: Weights, pool: nn.AvgPool2d | nn.MaxPool2d) -> dict[str, Any]:
        size = pool.kernel_size if isinstance(pool.kernel_size, int) else pool.kernel_size[0]
        stride = pool.stride if isinstance(pool.stride, int) else pool.stride[0]
        padding = pool.padding if isinstance(pool.padding, int) else pool.padding[0]
        if stride != size or padding or pool.ceil_mode:
            raise CheckpointError("the browser form pools in windows that do not overlap, without padding")
        return {"op": op, "size": size}
    return export


def _subsampling(weights: Weights, layer: TrainableSubsampling) -> list[dict[str, Any]]:
    """The paper's S2/S4: each 2x2 block summed, times a trainable coefficient, plus a bias, then squashed."""
    return [{"op": "subsample", "size": 2, "coefficient": weights.add(layer.coefficient), "bias": weights.add(layer.bias)},
            _scaled_tanh(weights, layer.squash)]


def _scaled_tanh(weights: Weights, layer: Squash) -> dict[str, Any]:
    return {"op": "scaled_tanh", "amplitude": SQUASH_AMPLITUDE, "slope": SQUASH_SLOPE}


def _linear(weights: Weights, layer: nn.Linear) -> dict[str, Any]:
    return {"op": "linear", "in": layer.in_features, "out": layer.out_features, "weight": weights.add(layer.weight),
            "bias": weights.add(layer.bias)}


def _rbf(weights: Weights, layer: EuclideanRBF) -> dict[str, Any]:
    classes, length = layer.codes.shape
    return {"op": "rbf", "classes": classes, "length": length, "codes": weights.add(layer.codes)}


def _plain(op: str) -> Callable[[Weights, nn.Module], dict[str, Any]]:
    return lambda weights, layer: {"op": op}


EXPORTS: dict[type[nn.Module], Callable[[Weights, Any], dict[str, Any] | list[dict[str, Any]]]] = {
    PartialConv2d: _partial_conv,
    nn.AvgPool2d: _pool("avg_pool"),
    nn.MaxPool2d: _pool("max_pool"),
    TrainableSubsampling: _subsampling,
    nn.Tanh: _plain("tanh"),
    Squash: _scaled_tanh,
    nn.ReLU: _plain("relu"),
    nn.Flatten: _plain("flatten"),
    nn.Linear: _linear,
    EuclideanRBF: _rbf,
}
SKIPPED = (nn.Dropout,)  # identities at inference


def _layers(module: nn.Module) -> list[nn.Module]:
    """A stage's layers in the order they run: containers opened, the layers ``EXPORTS`` knows kept whole."""
    if type(module) in EXPORTS or not isinstance(module, nn.Sequential):
        return [module]
    return [layer for child in module for layer in _layers(child)]


def _export_stage(weights: Weights, stage: nn.Module) -> list[dict[str, Any]]:
    layers = [layer for layer in _layers(stage) if not isinstance(layer, SKIPPED)]
    exported: list[dict[str, Any]] = []
    index = 0
    while index < len(layers):
        layer = layers[index]
        if type(layer) is nn.Conv2d:
            following = layers[index + 1] if index + 1 < len(layers) else None
            norm = following if isinstance(following, nn.BatchNorm2d) else None
            exported.append(_conv(weights, layer, norm))
            index += 2 if norm is not None else 1
            continue
        if type(layer) not in EXPORTS:
            raise CheckpointError(f"the browser form has no layer like {type(layer).__name__}")
        entry = EXPORTS[type(layer)](weights, layer)
        exported.extend(entry if isinstance(entry, list) else [entry])
        index += 1
    return exported


@dataclass
class BrowserForm:
    layers: dict[str, Any]  # the JSON: what the page needs to run the model, and the weights' sha256
    weights: bytes  # little-endian float32

    def save(self, folder: str | Path) -> None:
        """``browser.json`` and ``browser.f32`` in ``folder``, each written atomically."""
        folder = Path(folder)
        atomic_write(folder / FORM_WEIGHTS_NAME, lambda tmp: Path(tmp).write_bytes(self.weights))
        text = json.dumps(self.layers, separators=(",", ":")) + "\n"
        atomic_write(folder / FORM_NAME, lambda tmp: Path(tmp).write_text(text))


@torch.no_grad()
def browser_form(model: nn.Module, meta: dict[str, Any]) -> BrowserForm:
    """The browser form of a trained model (``meta``: its config.json), as it computes in eval mode: batch norm with
    its running statistics, no dropout."""
    weights = Weights()
    stages = [{"name": name, "layers": _export_stage(weights, getattr(model, name))} for name in STAGE_NAMES]
    data = weights.to_bytes()
    layers = {
        "format": FORMAT, "model": meta["model"], "dataset": meta["dataset"], "classes": list(meta["classes"]),
        "input": [meta["in_channels"], MODEL_INPUT_SIZE, MODEL_INPUT_SIZE], "mean": list(meta["mean"]),
        "std": list(meta["std"]), "weights": {"file": FORM_WEIGHTS_NAME, "sha256": hashlib.sha256(data).hexdigest(),
                                              "floats": len(data) // 4}, "stages": stages,
    }
    return BrowserForm(layers, data)


def save_browser_form(folder: str | Path, model: nn.Module, meta: dict[str, Any]) -> BrowserForm:
    """Write the model's browser form beside its weights in ``folder``."""
    form = browser_form(model, meta)
    form.save(folder)
    return form
