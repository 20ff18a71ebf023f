"""Every variant names its stages the same way, so their activations can be read alike."""
from __future__ import annotations

import torch
from torch import nn

STAGE_NAMES: tuple[str, ...] = ("c1", "s2", "c3", "s4", "c5", "f6", "output")


class StagedModel(nn.Module):
    """A network whose children ``c1 ... output`` run one after another."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return model_stages(self, x)["output"]


def model_stages(model: nn.Module, x: torch.Tensor) -> dict[str, torch.Tensor]:
    """Run ``model`` on ``x`` and return the output of each stage, keyed by stage name.

    The stages are the model's own children, called in order: nothing is traced (torch.fx patches module calls
    process-wide while tracing, which breaks a model training in another thread) and no hook is left on a model
    that other requests share.
    """
    if not isinstance(model, StagedModel):
        raise TypeError(f"{type(model).__name__} does not name its stages: subclass lenet.stages.StagedModel")
    outputs = {}
    for name in STAGE_NAMES:
        x = outputs[name] = getattr(model, name)(x)
    return outputs
