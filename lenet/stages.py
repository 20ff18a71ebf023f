"""Every variant names its stages the same way, so their activations can be read alike."""
from __future__ import annotations

import weakref

import torch
from torch import nn
from torchvision.models.feature_extraction import create_feature_extractor

STAGE_NAMES: tuple[str, ...] = ("c1", "s2", "c3", "s4", "c5", "f6", "output")


class StagedModel(nn.Module):
    """A network whose children ``c1 ... output`` run one after another."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for name in STAGE_NAMES:
            x = getattr(self, name)(x)
        return x


_extractors: weakref.WeakKeyDictionary[nn.Module, nn.Module] = weakref.WeakKeyDictionary()


def model_stages(model: nn.Module, x: torch.Tensor) -> dict[str, torch.Tensor]:
    """Run ``model`` on ``x`` and return the output of each stage, keyed by stage name.

    Built on torchvision's ``create_feature_extractor``; the traced extractor is
    made once per model and reused, since tracing costs far more than a forward.
    """
    extractor = _extractors.get(model)
    if extractor is None:
        extractor = create_feature_extractor(model, return_nodes=list(STAGE_NAMES))
        _extractors[model] = extractor
    extractor.train(model.training)
    return extractor(x)
