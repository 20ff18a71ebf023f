"""The pure functions behind the "Look inside" tab: saliency, robustness probe, kernels, stages."""
from __future__ import annotations

import time
from dataclasses import dataclass

import pandas as pd
import torch
from PIL import Image

from demo.compare import MS_PER_SECOND
from demo.render import overlay
from demo.zoo import Zoo
from lenet import Predictor
from lenet.explain import confidence_under_rotation, explain
from lenet.transforms import distort

PROBE_ANGLES = [float(a) for a in range(-45, 46, 5)]
MAP_STAGES = ("c1", "s2", "c3", "s4")  # shown as grids of maps
VECTOR_STAGES = ("c5", "f6")  # shown as strips of bars


@dataclass
class Distortion:
    degrees: float = 0.0
    shift_x: float = 0.0
    shift_y: float = 0.0
    zoom: float = 1.0
    thickness: int = 0
    noise: float = 0.0

    @classmethod
    def from_sliders(cls, values: tuple[float, ...]) -> "Distortion":
        """The sliders' values in field order (the thickness slider moves in whole pixels)."""
        degrees, shift_x, shift_y, zoom, thickness, noise = values
        return cls(degrees, shift_x, shift_y, zoom, int(thickness), noise)

    def apply(self, pixels: torch.Tensor) -> torch.Tensor:
        return distort(pixels, self.degrees, (self.shift_x, self.shift_y), self.zoom, self.thickness, self.noise)


@dataclass
class Insight:
    model: str
    label: str
    probabilities: dict[str, float]
    saliency: Image.Image  # gradient x input over the input
    grad_cam: Image.Image  # Grad-CAM on C3 over the input
    kernels: torch.Tensor  # the learned C1 filters
    latency_ms: float


def first_layer_weight(model: torch.nn.Module) -> torch.Tensor:
    """C1's convolution kernels, whatever the variant wraps around them."""
    conv = next(m for m in model.c1.modules() if isinstance(m, torch.nn.Conv2d))
    return conv.weight.detach()


def look_inside(zoo: Zoo, pixels: torch.Tensor, dataset: str, models: list[str]) -> list[Insight]:
    """For each variant: its prediction, where its evidence lies, and its C1 kernels."""
    insights = []
    for name in models:
        predictor = zoo.by_dataset[dataset][name]
        start = time.perf_counter()
        explanation = explain(predictor, pixels)
        insights.append(
            Insight(
                model=name,
                label=predictor.classes[explanation.target],
                probabilities=predictor.by_class(explanation.probabilities),
                saliency=overlay(pixels[0], explanation.saliency),
                grad_cam=overlay(pixels[0], explanation.grad_cam),
                kernels=first_layer_weight(predictor.model),
                latency_ms=(time.perf_counter() - start) * MS_PER_SECOND,
            )
        )
    return insights


def rotation_curves(zoo: Zoo, pixels: torch.Tensor, dataset: str, models: list[str]) -> pd.DataFrame:
    """Confidence in each variant's own upright answer as the input turns from -45 to 45 degrees (absolute angles:
    ``pixels`` is the upright input)."""
    rows = []
    for name in models:
        confidences = confidence_under_rotation(zoo.by_dataset[dataset][name], pixels, PROBE_ANGLES)
        for angle, confidence in zip(PROBE_ANGLES, confidences):
            rows.append({"rotation": angle, "confidence": confidence, "model": name})
    return pd.DataFrame(rows, columns=["rotation", "confidence", "model"])


def stage_pictures(predictor: Predictor, pixels: torch.Tensor) -> dict[str, torch.Tensor | pd.DataFrame]:
    """Every stage of one variant: the maps of C1-S4, one activation per unit for C5 and F6 (for bar charts)."""
    stages = predictor.predict_pixels(pixels).stages
    pictures: dict[str, torch.Tensor | pd.DataFrame] = {name: stages[name] for name in MAP_STAGES}
    pictures.update({name: pd.DataFrame({"unit": range(stages[name].numel()), "activation": stages[name].flatten().tolist()})
                     for name in VECTOR_STAGES})
    return pictures
