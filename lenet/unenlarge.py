"""Undo an enlargement: a small picture that someone enlarged is brought back to its own pixels.

Enlarging a ``small x small`` image ``X`` to ``size x size`` with a separable
resampler is linear, ``U = A X Aᵀ`` for a ``size x small`` matrix ``A`` that
depends only on the resampler. So for each common resampler the least-squares
``X`` is solved for, and the one whose enlargement lies closest to the upload
wins: it gives the original pixels back (to rounding), which no resize does.
An upload far from every enlargement (a real photo, a turned page) is left to
the recipe's own resize.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Callable

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

MAX_RESIDUAL = 0.02  # RMS (0-1 scale) an enlargement may differ from its exact one: JPEG at quality 50 stays under 0.01
MIN_FACTOR = 2  # enlarged less than this, too few pixels are known to tell an enlargement from a photo
MAX_LEVEL = 255  # the original was a file of 8-bit pixels: rounding to them removes what the upload's own rounding added


def _pil(resample: Image.Resampling) -> Callable[[int, int], np.ndarray]:
    def matrix(size: int, small: int) -> np.ndarray:
        identity = Image.fromarray(np.eye(small, dtype=np.float32))  # mode "F": each row enlarged on its own
        return np.asarray(identity.resize((size, small), resample), dtype=np.float64).T

    return matrix


def _torch(mode: str) -> Callable[[int, int], np.ndarray]:
    def matrix(size: int, small: int) -> np.ndarray:
        identity = torch.eye(small, dtype=torch.float64)[None, None]
        return F.interpolate(identity, size=(small, size), mode=mode)[0, 0].T.numpy()

    return matrix


ENLARGEMENTS: dict[str, Callable[[int, int], np.ndarray]] = {  # name -> (size, small) -> A, ``size x small``
    **{f"PIL {r.name.lower()}": _pil(r) for r in Image.Resampling},  # image editors, Pillow, the web
    "bicubic (OpenCV, PyTorch)": _torch("bicubic"),  # a sharper cubic, a = -0.75
    "nearest (OpenCV, PyTorch)": _torch("nearest"),  # the pixel at the left of the centre, not the nearest to it
}


@lru_cache(maxsize=32)
def _bases(size: int, small: int) -> tuple[np.ndarray, np.ndarray]:
    """For every enlargement ``A = Q R``: all ``Qᵀ`` stacked (``kinds * small x size``), and all ``R⁻¹``."""
    qs, r_inverses = zip(*(np.linalg.qr(matrix(size, small)) for matrix in ENLARGEMENTS.values()))
    return np.concatenate([q.T for q in qs]).astype(np.float32), np.stack([np.linalg.inv(r) for r in r_inverses])


@dataclass
class Enlargement:
    original: np.ndarray  # ``small x small x C`` in [0, 1], rounded to 8-bit levels
    residual: float  # RMS difference between the upload and the original enlarged by the closest resampler


def closest_enlargement(rgb: np.ndarray, small: int) -> Enlargement | None:
    """The ``small`` px picture whose enlargement (by whichever resampler fits best) lies closest to a square
    ``H x W`` or ``H x W x C`` image in [0, 1]; None unless the image is a square ``MIN_FACTOR`` times larger."""
    size = rgb.shape[0]
    if size < MIN_FACTOR * small or rgb.shape[1] != size:
        return None
    q_t, r_inverses = _bases(size, small)
    channels = np.moveaxis(np.atleast_3d(rgb), -1, 0).astype(np.float32)
    rows = q_t @ channels  # C x (kinds * small) x size: every kind's Qᵀ U at once
    blocks = np.stack([q @ q_t[k * small : (k + 1) * small].T for k, q in enumerate(np.split(rows, len(r_inverses), axis=1))])
    energy = np.square(channels, dtype=np.float64).sum()
    residual = np.sqrt(np.maximum(energy - np.square(blocks, dtype=np.float64).sum(axis=(1, 2, 3)), 0.0) / channels.size)
    best = int(residual.argmin())
    original = r_inverses[best] @ blocks[best].astype(np.float64) @ r_inverses[best].T  # X = R⁻¹ Qᵀ U Q R⁻ᵀ
    original = np.clip(np.round(np.moveaxis(original, 0, -1) * MAX_LEVEL) / MAX_LEVEL, 0.0, 1.0)
    return Enlargement(original, float(residual[best]))


def unenlarge(*candidates: np.ndarray, small: int) -> np.ndarray | None:
    """The ``small x small x C`` original of whichever candidate (say a framed photo, or the whole upload) is
    closest to an enlargement, if it is one (within ``MAX_RESIDUAL``); else None."""
    fits = [fit for fit in (closest_enlargement(candidate, small) for candidate in candidates) if fit is not None]
    best = min(fits, key=lambda fit: fit.residual, default=None)
    return best.original if best is not None and best.residual <= MAX_RESIDUAL else None
