"""Real photos that come with a package pip installs, as negatives for the identifier (train.uploads): the faces
in scikit-image's sample data.

``bench.none_of_these`` judges the identifier on pictures from other sources (docs/none-of-these.md).
"""
from __future__ import annotations

import functools
import importlib.util
from pathlib import Path

import numpy as np
from PIL import Image

import lenet

LFW_FACES = 100  # scikit-image's LFW subset: 100 faces, then 100 pictures of no face
ASTRONAUT_FACE = (0.44, 0.24)  # where the face is in scikit-image's astronaut portrait, of its width and height


@functools.cache
def _sample_data() -> Path:
    """scikit-image's sample data folder, found without importing scikit-image (slow, and not needed)."""
    spec = importlib.util.find_spec("skimage")
    if spec is None or not spec.submodule_search_locations:
        raise lenet.LenetError("python -m train.identify draws faces from the scikit-image package: "
                               "pip install -r requirements-dev.txt")
    return Path(spec.submodule_search_locations[0]) / "data"


@functools.cache
def _faces() -> np.ndarray:
    """LFW's faces in scikit-image: ``100 x 25 x 25`` grey, in [0, 1]."""
    return np.load(_sample_data() / "lfw_subset.npy")[:LFW_FACES]


def lfw_face(rng: np.random.Generator) -> np.ndarray:
    """A grey face photo, cropped tight: ``25 x 25`` in [0, 1]."""
    faces = _faces()
    return faces[rng.integers(len(faces))]


@functools.cache
def astronaut() -> Image.Image:
    """scikit-image's colour portrait of an astronaut, head and shoulders; the face is at ``ASTRONAUT_FACE``."""
    return Image.open(_sample_data() / "astronaut.png").convert("RGB")
