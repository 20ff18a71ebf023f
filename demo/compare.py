"""The pure functions behind the Draw and Upload tabs: run several variants on one image."""
from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass

import torch

from demo.zoo import Zoo
from lenet import Predictor
from lenet.datasets import dataset_spec
from lenet.errors import UnknownNameError
from lenet.preprocess import ImageSource, prepare

TOP_CLASSES = 3
MS_PER_SECOND = 1000


@dataclass
class VariantResult:
    model: str
    label: str
    probabilities: dict[str, float]
    c1: torch.Tensor  # C1 activations, maps x H x W
    c3: torch.Tensor
    test_accuracy: float
    params: int
    latency_ms: float


@dataclass
class Comparison:
    dataset: str
    pixels: torch.Tensor  # the 1 x C x 32 x 32 input in [0, 1]: what the networks see
    results: list[VariantResult]
    notes: tuple[str, ...] = ()  # what was done to a photo on the way (lenet.photo's keys)

    @property
    def consensus(self) -> str | None:
        """The label more variants give than any other (None without results or on a tie)."""
        ranked = Counter(result.label for result in self.results).most_common(2)
        if not ranked or (len(ranked) == 2 and ranked[0][1] == ranked[1][1]):
            return None
        return ranked[0][0]


def compare(zoo: Zoo, image: ImageSource, dataset: str, models: list[str], yours: dict[str, Predictor] | None = None) -> Comparison:
    """Preprocess once with the dataset's recipe, then run each chosen variant (shipped, or one of ``yours``,
    the session's own), timing each."""
    prepared = prepare(dataset_spec(dataset).preprocess, image)
    pixels = prepared.pixels
    available = {**zoo.by_dataset.get(dataset, {}), **{n: p for n, p in (yours or {}).items() if p.meta["dataset"] == dataset}}
    results = []
    for name in (m for m in models if m in available):
        predictor = available[name]
        start = time.perf_counter()
        prediction = predictor.predict_pixels(pixels)
        results.append(
            VariantResult(
                model=name,
                label=prediction.label,
                probabilities=prediction.probabilities,
                c1=prediction.stages["c1"],
                c3=prediction.stages["c3"],
                test_accuracy=predictor.meta["test_accuracy"],
                params=predictor.params,
                latency_ms=(time.perf_counter() - start) * MS_PER_SECOND,
            )
        )
    return Comparison(dataset=dataset, pixels=pixels, results=results, notes=prepared.notes)


def classify(zoo: Zoo, image: ImageSource, dataset: str, model: str) -> dict[str, float]:
    """The API endpoint: class name -> probability, for one variant. Raises LenetError on bad input."""
    if dataset not in zoo.by_dataset:
        raise UnknownNameError("dataset", dataset, zoo.datasets)
    if model not in zoo.by_dataset[dataset]:
        raise UnknownNameError(f"{dataset} model", model, zoo.models(dataset))
    predictor = zoo.by_dataset[dataset][model]
    return predictor.probabilities(predictor.preprocess(image))  # no feature maps: the API returns only the label
