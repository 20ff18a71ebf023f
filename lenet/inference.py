"""A small inference API: load a checkpoint once, classify images many times."""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn
from torchvision.transforms.v2.functional import normalize

from lenet.checkpoint import count_parameters, load_checkpoint
from lenet.datasets import dataset_spec
from lenet.preprocess import RECIPES, ImageSource
from lenet.stages import model_stages


@dataclass
class Prediction:
    label: str
    probabilities: dict[str, float]  # by class name, in class order
    stages: dict[str, torch.Tensor]  # each stage's activations for this one image (batch dim dropped)
    pixels: torch.Tensor  # the 32x32 input in [0, 1], C x H x W: what the network saw


class Predictor:
    """A trained model plus what it needs to read an image: its dataset's recipe and normalisation.

    Call ``torch.set_num_threads(1)`` once in a server: LeNets are too small to
    gain from intra-op threads, and concurrent requests then don't fight over cores.
    """

    def __init__(self, model: nn.Module, meta: dict[str, Any]) -> None:
        self.model = model.eval()
        self.meta = meta
        self.classes: list[str] = list(meta["classes"])
        self.recipe = RECIPES[dataset_spec(meta["dataset"]).preprocess]
        self.params = count_parameters(model)

    @classmethod
    def from_pretrained(cls, source: str | os.PathLike) -> "Predictor":
        """From a model folder (Hugging Face layout), a zip of one, a Hub repo id, or a trainer's ``last.pt``."""
        return cls(*load_checkpoint(source))

    @property
    def name(self) -> str:
        return self.meta["model"]

    def normalize(self, pixels: torch.Tensor) -> torch.Tensor:
        """Pixels in [0, 1] as this model was trained to see them (its checkpoint's mean and std)."""
        return normalize(pixels, self.meta["mean"], self.meta["std"])

    def preprocess(self, image: ImageSource) -> torch.Tensor:
        """The image as ``1 x C x 32 x 32`` pixels in [0, 1], by this model's dataset's recipe."""
        return self.recipe(image)

    @torch.inference_mode()
    def probabilities(self, pixels: torch.Tensor) -> dict[str, float]:
        """Class name -> probability for pixels from ``preprocess``: the plain forward, no stages kept."""
        return self.by_class(self.model(self.normalize(pixels)).softmax(dim=1)[0])

    @torch.inference_mode()
    def predict_pixels(self, pixels: torch.Tensor) -> Prediction:
        """Classify pixels that ``preprocess`` already made (lets several models share one preprocessing)."""
        stages = model_stages(self.model, self.normalize(pixels))
        probabilities = stages["output"].softmax(dim=1)[0]
        best = int(probabilities.argmax())
        return Prediction(
            label=self.classes[best],
            probabilities=self.by_class(probabilities),
            stages={name: activation[0] for name, activation in stages.items()},
            pixels=pixels[0],
        )

    def predict(self, image: ImageSource) -> Prediction:
        return self.predict_pixels(self.preprocess(image))

    def by_class(self, probabilities: torch.Tensor) -> dict[str, float]:
        """One probability per class as ``{class name: probability}``, in class order."""
        return {name: float(p) for name, p in zip(self.classes, probabilities)}


def from_pretrained(source: str | os.PathLike) -> Predictor:
    """A ready-to-use model: ``lenet.from_pretrained("checkpoints/mnist-lenet5").predict("digit.png").label``.

    ``source`` is a model folder (``model.safetensors`` + ``config.json``), a zip of one, a Hub repo id, or a ``last.pt``;
    the ``nn.Module`` itself is ``.model``.
    """
    return Predictor.from_pretrained(source)
