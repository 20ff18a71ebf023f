"""Real photos that come with a package pip installs, as negatives for the identifier (train.uploads): the faces,
photos and measurements in scikit-image's sample data.

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
PHOTOS = ("astronaut.png", "brick.png", "camera.png", "cell.png", "clock_motion.png", "coffee.png", "coins.png",
          "color.png", "grass.png", "gravel.png", "hubble_deep_field.jpg", "ihc.png", "logo.png", "microaneurysms.png",
          "moon.png", "page.png", "phantom.png", "retina.jpg", "text.png")
#   scikit-image's photos of nothing in CIFAR-10's classes: its cat, horse, motorcycle and rocket are left out
FIELDS = ("brick.png", "camera.png", "cell.png", "coins.png", "grass.png", "gravel.png", "microaneurysms.png", "moon.png")
#   grey photos whose shades read as measurements once a colour map draws them; also its motorcycle's depth map
DEPTH_MAP = "motorcycle_disp.npz"


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


def astronaut() -> Image.Image:
    """scikit-image's colour portrait of an astronaut, head and shoulders; the face is at ``ASTRONAUT_FACE``."""
    return _photo("astronaut.png")


@functools.cache
def _photo(name: str) -> Image.Image:
    """One of scikit-image's sample photos in colour; transparency laid on white."""
    image = Image.open(_sample_data() / name)
    if image.mode == "RGBA":
        image = Image.alpha_composite(Image.new("RGBA", image.size, "white"), image)
    return image.convert("RGB")


def photo(rng: np.random.Generator) -> Image.Image:
    """A real photo of none of CIFAR-10's classes (``PHOTOS``), picked at random."""
    return _photo(PHOTOS[rng.integers(len(PHOTOS))])


@functools.cache
def _field(name: str) -> np.ndarray:
    """A 2-D field of values: the depth map's, or a grey photo's shades."""
    if name == DEPTH_MAP:
        depth = np.load(_sample_data() / name)["arr_0"]
        return np.where(np.isfinite(depth), depth, depth[np.isfinite(depth)].min())  # unmatched pixels: the farthest
    return np.asarray(Image.open(_sample_data() / name).convert("L"), np.float32)


def field(rng: np.random.Generator) -> np.ndarray:
    """A real 2-D field (``FIELDS`` or the depth map), picked at random."""
    names = (*FIELDS, DEPTH_MAP)
    return _field(names[rng.integers(len(names))])
