"""The shipped checkpoints, loaded once at start-up and grouped by dataset."""
from __future__ import annotations

import logging
import os
from collections import defaultdict
from pathlib import Path

import torch

from lenet import LenetError, Predictor, list_models
from lenet.checkpoint import MANIFEST_NAME, read_manifest
from lenet.datasets import DATASETS, MODEL_INPUT_SIZE
from lenet.identify import IDENTIFIER_DIR, LOOK_SIZE, Identifier

CHECKPOINTS_ENV = "LENET_CHECKPOINTS"
DEFAULT_CHECKPOINTS = Path(__file__).resolve().parents[1] / "checkpoints"


def load_identifier(folder: Path) -> Identifier | None:
    """The identifier if the checkpoints have one; a broken one costs its feature, not the app."""
    if not folder.is_dir():
        return None
    try:
        return Identifier.from_pretrained(folder)
    except LenetError as error:
        logging.getLogger(__name__).warning("no dataset identification: %s", error)
        return None


class Zoo:
    """``zoo[dataset][model] -> Predictor`` for every manifest entry, and the identifier that tells which
    dataset an upload looks like (``None`` where a checkpoints folder has none)."""

    def __init__(self, predictors: list[Predictor], folder: Path | None = None, identifier: Identifier | None = None) -> None:
        self.folder = folder  # where the checkpoints, their manifest and model cards lie
        self.identifier = identifier
        self.entries = read_manifest(folder) if folder else []
        self.by_dataset: dict[str, dict[str, Predictor]] = defaultdict(dict)
        order = list_models()  # the registry's display order
        for predictor in sorted(predictors, key=lambda p: order.index(p.name)):
            self.by_dataset[predictor.meta["dataset"]][predictor.name] = predictor

    @classmethod
    def load(cls, folder: str | os.PathLike | None = None) -> "Zoo":
        folder = Path(folder or os.environ.get(CHECKPOINTS_ENV) or DEFAULT_CHECKPOINTS)
        entries = read_manifest(folder)
        if not entries:
            raise LenetError(f"no checkpoints listed in {folder / MANIFEST_NAME}; set ${CHECKPOINTS_ENV} to a folder that has them")
        predictors = [Predictor.from_pretrained((folder / entry["file"]).parent) for entry in entries]
        zoo = cls(predictors, folder, load_identifier(folder / IDENTIFIER_DIR.name))
        zoo.warm_up()
        return zoo

    def warm_up(self) -> None:
        """One forward each, so the first visitor does not pay for tracing and allocation."""
        if self.identifier is not None:
            self.identifier.scores(torch.zeros(1, 3, LOOK_SIZE, LOOK_SIZE))
        for dataset, predictors in self.by_dataset.items():
            blank = torch.zeros(1, DATASETS[dataset].in_channels, MODEL_INPUT_SIZE, MODEL_INPUT_SIZE)
            for predictor in predictors.values():
                predictor.predict_pixels(blank)

    @property
    def datasets(self) -> list[str]:
        return [name for name in DATASETS if name in self.by_dataset]

    def models(self, dataset: str) -> list[str]:
        return list(self.by_dataset.get(dataset, {}))

    def model_folder(self, dataset: str, model: str) -> Path:
        """The shipped model's folder: its weights, card, plots and browser form."""
        entry = next(e for e in self.entries if (e["dataset"], e["model"]) == (dataset, model))
        return self.folder / Path(entry["file"]).parent
