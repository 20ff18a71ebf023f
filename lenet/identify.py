"""Which dataset does a picture look like, if any? A small LeNet that looks at the whole picture.

The classifiers only see what their dataset's recipe cuts out of an upload, so
they cannot tell a digit from a photo or from noise. The identifier sees the
whole image as a 32x32 colour thumbnail and answers one of ``KINDS``; it is
trained by ``python -m train.identify`` and ships in ``checkpoints/identify``: a few
such LeNets trained alike from different random starts, whose answers are averaged
(a deep ensemble: they agree on what they were taught and disagree on what none of
them saw, so the average is less sure of a picture of no dataset than any one is).
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np
import torch
from torch import nn
from torchvision.transforms.v2.functional import normalize

from lenet.checkpoint import load_checkpoint
from lenet.errors import EmptyImageError
from lenet.preprocess import (
    DATASET_SIDE,
    ImageSource,
    edge_colour,
    fit_longest_side,
    ink_box,
    ink_map,
    inside_frame,
    luminance,
    opaque_photo,
    open_image,
    opposite_of_ink,
    resize_square,
    rgba_array,
    square_with,
    written_page,
)

NONE = "none"  # like none of the datasets
KINDS = ("mnist", "fashion-mnist", "cifar10", NONE)
LOOK_SIZE = 32
MIN_CONFIDENCE = 0.5  # a dataset scoring below this is not named: the answer is "none of them"
IDENTIFIER_DIR = Path(__file__).resolve().parents[1] / "checkpoints" / "identify"
MEMBERS = "member-*"  # the ensemble's model folders inside the identifier's folder
DESIGNED_SYMMETRY = 0.95  # ink that matches a mirror image or its half-turn this closely was drawn by design (an icon),
#   hardly ever by hand: of MNIST's 10,000 test digits 4 do, each a straight "1" (docs/none-of-these.md)...
ONE_STROKE = 0.4  # ...so ink narrower than this share of its length (by its second moments) is left alone: one stroke
#   is symmetric however it is drawn (MNIST's four: 0.09-0.26)
SYMMETRY_SIDE = 64  # px: a larger shape is shrunk to this before its symmetry is measured


def look(source: ImageSource) -> torch.Tensor:
    """The picture as the identifier sees it: ``1 x 3 x 32 x 32`` in [0, 1]. What a flat frame or a page
    holds, however small (else the whole picture), is padded to a square with the background's colour, so
    nothing is cut off and a picture on a page fills the view; then shrunk by Lanczos. Transparency becomes
    the opposite of the ink."""
    return thumbnail(*rgba_array(open_image(source)))


def thumbnail(rgb: np.ndarray, alpha: np.ndarray) -> torch.Tensor:
    """``look`` for a picture already read into arrays (``lenet.preprocess.rgba_array``)."""
    if alpha.min() < 1.0:
        rgb = rgb * alpha[..., None] + (1.0 - alpha[..., None]) * opposite_of_ink(luminance(rgb), alpha)
    frame = inside_frame(rgb, min_fraction=0.0)  # a narrow "1" on a page is looked at, not the page
    return resize_square(square_with(frame.picture, frame.colour) if frame else square_with(rgb, edge_colour(rgb)), LOOK_SIZE)


def symmetry(ink: np.ndarray) -> float:
    """How closely the ink, cropped to its box, matches itself mirrored left to right or top to bottom, turned half
    round, or (a square box) mirrored across its diagonal: the best overlap (1: exactly), each view also shifted by a
    pixel either way (a shape centred between two pixels)."""
    box = ink[ink_box(ink)]
    if max(box.shape) > SYMMETRY_SIDE:  # plenty to tell a design from a hand, and a large drawing costs no more
        box = fit_longest_side(np.ascontiguousarray(box), SYMMETRY_SIDE).numpy()
    box = np.pad(box, 1)  # a pixel of nothing round it: a shifted view rolls nothing in from the far edge
    views = [box[:, ::-1], box[::-1], box[::-1, ::-1]] + ([box.T] if box.shape[0] == box.shape[1] else [])
    return max(float(np.minimum(box, moved).sum() / np.maximum(box, moved).sum())
               for view in views for moved in (np.roll(view, (dy, dx), (0, 1)) for dy in (-1, 0, 1) for dx in (-1, 0, 1)))


def narrowness(ink: np.ndarray) -> float:
    """How narrow the ink is for its length: the square root of its second moments' smaller to larger eigenvalue
    (0: a line, 1: as wide as long)."""
    rows, cols = np.nonzero(ink)
    weights, where = ink[rows, cols], np.stack([rows, cols]).astype(np.float64)
    centred = where - np.average(where, axis=1, weights=weights)[:, None]
    smaller, larger = np.linalg.eigvalsh((centred * weights) @ centred.T / weights.sum())
    return float(np.sqrt(max(smaller, 0.0) / larger)) if larger > 0 else 0.0  # a dot: no length, no width


def designed(rgb: np.ndarray, alpha: np.ndarray) -> bool:
    """Whether a picture (``lenet.preprocess.rgba_array``) that is not a photo holds a shape as symmetric as only a
    designed one is (an arrow, a star, a house): a handwritten digit never is, but for a "1" that is one straight
    stroke."""
    if opaque_photo(rgb, alpha):
        return False
    try:
        ink = ink_map(rgb, alpha)
    except EmptyImageError:  # one flat colour: no shape at all
        return False
    return narrowness(ink) >= ONE_STROKE and symmetry(ink) >= DESIGNED_SYMMETRY


@dataclass
class Identification:
    dataset: str | None  # one of the datasets, or None: like none of them
    scores: dict[str, float]  # every kind (the datasets and "none") -> probability


class Identifier:
    def __init__(self, members: Sequence[tuple[nn.Module, dict]]) -> None:
        self.members = [(model.eval(), meta) for model, meta in members]
        self.classes: list[str] = self.members[0][1]["classes"]

    @classmethod
    def from_pretrained(cls, source: str | os.PathLike = IDENTIFIER_DIR) -> "Identifier":
        """The ensemble in ``source`` (its ``member-*`` folders), or the one model folder ``source`` is."""
        return cls([load_checkpoint(folder) for folder in sorted(Path(source).glob(MEMBERS)) or [source]])

    @torch.inference_mode()
    def scores(self, pixels: torch.Tensor) -> torch.Tensor:
        """``N x kinds`` probabilities for thumbnails from ``look``: the members' mean over each thumbnail and its
        mirror, as they were trained on both (bench/README.md, "Mirrored looks")."""
        both = torch.cat([pixels, pixels.flip(-1)])
        mean = torch.stack([model(normalize(both, meta["mean"], meta["std"])).softmax(dim=1) for model, meta in self.members]).mean(0)
        return (mean[: len(pixels)] + mean[len(pixels) :]) / 2

    def __call__(self, source: ImageSource) -> Identification:
        """What ``source`` looks like; a photo of writing on plain paper is also looked at with its ink in black
        (lenet.preprocess.written_page), and is a handwritten digit if that looks like one more surely than the
        picture looks like anything. A picture smaller than the datasets' images (it fits inside ``DATASET_SIDE``)
        is an icon or a thumbnail, and a "handwritten digit" (not a photo) as symmetric as a designed shape is an
        icon: none of them, whatever they look like."""
        image = open_image(source)
        rgb, alpha = rgba_array(image)
        probabilities = self.scores(thumbnail(rgb, alpha))[0]
        page = written_page(image)
        if page is not None:
            drawn = self.scores(look(page))[0]
            if self.classes[int(drawn.argmax())] == "mnist" and float(drawn.max()) > float(probabilities.max()):
                probabilities = drawn  # surer as a drawing than as the picture it is
        scores = dict(zip(self.classes, probabilities.tolist()))
        best = max(scores, key=scores.get)
        sure = (best != NONE and scores[best] >= MIN_CONFIDENCE and max(image.size) >= DATASET_SIDE
                and not (best == "mnist" and designed(rgb, alpha)))
        return Identification(best if sure else None, scores)
