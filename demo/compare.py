"""The pure functions behind the UI: run several variants on one image and describe the result."""
from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass

import torch
from PIL import Image

from demo.render import (
    INPUT_SCALE,
    MAP_TARGET_WIDTH,
    feature_grid,
    html_figure,
    input_image,
)
from demo.zoo import Zoo
from lenet.errors import UnknownNameError
from lenet.datasets import dataset_spec
from lenet.preprocess import RECIPES, ImageSource

TOP_CLASSES = 3
MS_PER_SECOND = 1000


@dataclass
class VariantResult:
    model: str
    label: str
    probabilities: dict[str, float]
    c1: Image.Image  # C1 feature maps as one grid, one pixel per activation
    c3: Image.Image
    test_accuracy: float
    params: int
    latency_ms: float

    def title(self, consensus: str | None) -> str:
        mark = "" if consensus is None else ("✓" if self.label == consensus else "✗ disagrees:")
        return (
            f"### {mark} {self.model}: **{self.label}**\n"
            f"test accuracy {self.test_accuracy:.2%} · {self.params:,} parameters · {self.latency_ms:.1f} ms"
        )

    def maps_html(self) -> str:
        captions = ((self.c1, "C1 feature maps"), (self.c3, "C3 feature maps"))
        figures = (html_figure(grid, caption, MAP_TARGET_WIDTH) for grid, caption in captions)
        return f'<div style="display:flex;gap:16px;flex-wrap:wrap">{"".join(figures)}</div>'


@dataclass
class Comparison:
    pixels: torch.Tensor  # the 1 x C x 32 x 32 input in [0, 1]
    seen: Image.Image  # the same as an image, one pixel per pixel
    results: list[VariantResult]

    @property
    def consensus(self) -> str | None:
        """The label more variants give than any other (None without results or on a tie)."""
        ranked = Counter(result.label for result in self.results).most_common(2)
        if not ranked or (len(ranked) == 2 and ranked[0][1] == ranked[1][1]):
            return None
        return ranked[0][0]

    def seen_html(self) -> str:
        return html_figure(self.seen, "What the network sees (32×32)", self.seen.width * INPUT_SCALE)

    def summary(self) -> str:
        if not self.results:
            return "Pick at least one model."
        labels = {result.label for result in self.results}
        if len(self.results) == 1:
            return f"{self.results[0].model} says: **{self.results[0].label}**"
        if len(labels) == 1:
            return f"All {len(self.results)} models agree: **{self.consensus}**"
        said = ", ".join(f"{result.model} → **{result.label}**" for result in self.results)
        return f"The models disagree: {said}"


def compare(zoo: Zoo, image: ImageSource, dataset: str, models: list[str]) -> Comparison:
    """Preprocess once with the dataset's recipe, then run each chosen variant, timing each."""
    pixels = RECIPES[dataset_spec(dataset).preprocess](image)
    results = []
    for name in models:
        predictor = zoo.by_dataset[dataset][name]
        start = time.perf_counter()
        prediction = predictor.predict_pixels(pixels)
        c1, c3 = feature_grid(prediction.stages["c1"], enlarged=False), feature_grid(prediction.stages["c3"], enlarged=False)
        results.append(
            VariantResult(
                model=name,
                label=prediction.label,
                probabilities=prediction.probabilities,
                c1=c1,
                c3=c3,
                test_accuracy=predictor.meta["test_accuracy"],
                params=predictor.params,
                latency_ms=(time.perf_counter() - start) * MS_PER_SECOND,
            )
        )
    return Comparison(pixels=pixels, seen=input_image(pixels[0], enlarged=False), results=results)


def classify(zoo: Zoo, image: ImageSource, dataset: str, model: str) -> dict[str, float]:
    """The API endpoint: class name -> probability, for one variant. Raises LenetError on bad input."""
    if dataset not in zoo.by_dataset:
        raise UnknownNameError("dataset", dataset, zoo.datasets)
    if model not in zoo.by_dataset[dataset]:
        raise UnknownNameError(f"{dataset} model", model, zoo.models(dataset))
    predictor = zoo.by_dataset[dataset][model]
    return predictor.probabilities(predictor.preprocess(image))  # no feature maps: the API returns only the label
