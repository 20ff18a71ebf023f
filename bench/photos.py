"""``python -m bench.photos``: phone-style photos of handwritten digits, through the Upload tab's path.

A seeded generator turns MNIST *test* digits (never trained on) into photos of a digit written on paper (or in
chalk on a board), one condition at a time and all combined (``CONDITIONS``; docs/photo-path.md). Each photo goes the way an upload goes:
``/identify`` must call it a handwritten digit, and the MNIST variants must read it (the best variant's answer
and the variants' majority are both reported). Also times uploads of 12-megapixel photos, and asks
``/identify`` about pictures of none of the datasets, kind by kind (bench.none_of_these). Writes
bench/photos-results.json.
"""
from __future__ import annotations

import argparse
import io
import json
import statistics
import time
from pathlib import Path
from typing import Callable

import numpy as np
from PIL import Image, ImageFilter

from demo.compare import compare
from bench.none_of_these import KINDS, none_of_these
from demo.zoo import Zoo, load_identifier
from lenet import LenetError
from lenet.datasets import load_tensors

Photo = dict  # {"rgb": H x W x 3 float array in [0, 1], "digit_side": px}
PAPER = np.array([0.94, 0.93, 0.89])
PENS = {"black": (0.12, 0.12, 0.14), "blue": (0.12, 0.22, 0.70), "red": (0.75, 0.12, 0.15), "green": (0.10, 0.50, 0.22)}
CHALK, BOARD = (0.88, 0.88, 0.85), np.array([0.17, 0.22, 0.20])  # on a green-black chalkboard...
CHALK_SPECKS = 0.4  # ...where chalk misses up to this share of a stroke here and there
TABLE = np.array([0.32, 0.22, 0.14])
RULINGS = (np.array([0.62, 0.74, 0.90]), np.array([0.40, 0.50, 0.78]))  # faint to ballpoint-dark ruled lines
FRAME = (640, 480)
BEST_MODEL = "lenet5-modern"
LARGE_PHOTO = (4000, 3000)  # 12 megapixels
TIMED_UPLOADS = 20
MS = 1000


def write_digit(digit: np.ndarray, rng: np.random.Generator, side: int, pen: str = "black", width: float = 1.0,
                degrees: float = 0.0, frame: tuple[int, int] = FRAME) -> Photo:
    """The 28x28 digit written ``side`` px tall in ``pen`` on blank paper, or (pen "chalk") on a board (``width``:
    stroke width, 1 as drawn)."""
    ink = Image.fromarray(digit).resize((side, side), Image.Resampling.BICUBIC)
    if degrees:
        ink = ink.rotate(degrees, Image.Resampling.BICUBIC)
    if width != 1.0:  # a thinner pen or a thicker marker: grow or shrink the strokes
        size = max(3, int(abs(width - 1.0) * side / 12) | 1)
        ink = ink.filter(ImageFilter.MaxFilter(size) if width > 1 else ImageFilter.MinFilter(size))
    alpha = np.zeros(frame[::-1], dtype=np.float32)
    top = int(rng.integers(0, frame[1] - side + 1))
    left = int(rng.integers(0, frame[0] - side + 1))
    alpha[top:top + side, left:left + side] = np.asarray(ink, dtype=np.float32) / 255
    if pen == "chalk":
        colour, ground = CHALK, BOARD
        alpha *= 1 - CHALK_SPECKS * rng.uniform(size=alpha.shape)
    else:
        colour, ground = PENS[pen], PAPER
    surface = ground + rng.normal(0, 0.01, (*frame[::-1], 3))
    rgb = surface * (1 - alpha[..., None]) + np.array(colour) * alpha[..., None]
    return {"rgb": rgb, "digit_side": side}


def ruled(photo: Photo, rng: np.random.Generator, squared: bool = False) -> Photo:
    """Blue lines, faint to dark, every third of a digit's height (and across, for squared paper), under the ink."""
    rgb = photo["rgb"]
    gap = max(12, photo["digit_side"] // 3)
    lines = np.zeros(rgb.shape[:2], dtype=bool)
    lines[int(rng.integers(0, gap))::gap, :] = True
    if squared:
        lines[:, int(rng.integers(0, gap))::gap] = True
    inked = rgb.min(axis=-1) < PAPER.min() - 0.2
    rgb = rgb.copy()
    shade = rng.uniform()
    rgb[lines & ~inked] = (1 - shade) * RULINGS[0] + shade * RULINGS[1]
    return {**photo, "rgb": rgb}


def uneven_light(photo: Photo, rng: np.random.Generator) -> Photo:
    """Light falling off across the page, and a soft shadow (a hand or a phone) over part of it."""
    h, w = photo["rgb"].shape[:2]
    ys, xs = np.mgrid[0:h, 0:w] / max(h, w)
    angle = rng.uniform(0, 2 * np.pi)
    light = 1.0 - 0.45 * (np.cos(angle) * xs + np.sin(angle) * ys).clip(0, 1)
    cy, cx, radius = rng.uniform(0.2, 0.8), rng.uniform(0.2, 0.8), rng.uniform(0.2, 0.4)
    shadow = 1.0 - 0.35 / (1 + np.exp((np.hypot(ys - cy * h / max(h, w), xs - cx * w / max(h, w)) - radius) * 30))
    return {**photo, "rgb": photo["rgb"] * (light * shadow)[..., None]}


def on_table(photo: Photo, rng: np.random.Generator) -> Photo:
    """The page, turned a little, lying on a darker wooden table that fills the rest of the frame."""
    page = Image.fromarray((photo["rgb"].clip(0, 1) * 255).astype(np.uint8))
    scale = rng.uniform(0.6, 0.75)
    page = page.resize((int(page.width * scale), int(page.height * scale)), Image.Resampling.BILINEAR)
    page = page.rotate(rng.uniform(-8, 8), Image.Resampling.BICUBIC, expand=True, fillcolor=(0, 0, 0))
    h, w = photo["rgb"].shape[:2]
    ys = np.arange(h)[:, None]
    grain = 0.05 * np.sin(ys / rng.uniform(3, 9) + rng.normal(0, 0.4, (h, w)).cumsum(axis=1) * 0.05)
    table = (TABLE + grain[..., None] + rng.normal(0, 0.015, (h, w, 3))).clip(0, 1)
    canvas = Image.fromarray((table * 255).astype(np.uint8))
    alpha = Image.fromarray((np.asarray(page).max(axis=-1) > 0).astype(np.uint8) * 255)
    canvas.paste(page, (int(rng.integers(0, w - page.width + 1)), int(rng.integers(0, h - page.height + 1))), alpha)
    return {"rgb": np.asarray(canvas, dtype=np.float32) / 255, "digit_side": int(photo["digit_side"] * scale)}


def blurred(photo: Photo, rng: np.random.Generator) -> Photo:
    image = Image.fromarray((photo["rgb"].clip(0, 1) * 255).astype(np.uint8))
    radius = rng.uniform(1.0, 2.5) * photo["digit_side"] / 200
    return {**photo, "rgb": np.asarray(image.filter(ImageFilter.GaussianBlur(radius)), dtype=np.float32) / 255}


def as_jpeg(photo: Photo, quality: int) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray((photo["rgb"].clip(0, 1) * 255).round().astype(np.uint8)).save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


def condition(name: str) -> Callable[[np.ndarray, np.random.Generator], bytes]:
    """A photo maker for one condition (each also saved as a phone would, JPEG 85, unless it is the JPEG one)."""

    def make(digit: np.ndarray, rng: np.random.Generator) -> bytes:
        side = int(rng.integers(200, 400))
        pen, width, degrees, quality = "black", 1.0, float(rng.uniform(-3, 3)), 85
        if name in ("blue_ink", "red_ink", "green_ink"):
            pen = name.split("_")[0]
        if name == "chalkboard":
            pen = "chalk"
        if name == "thin_pen":
            width = 0.6
        if name == "thick_marker":
            width = 1.8
        if name == "rotated":
            degrees = float(rng.choice([-1, 1]) * rng.uniform(5, 10))
        if name == "small_digit":
            side = int(rng.integers(60, 100))
        if name == "combined":
            pen = str(rng.choice(list(PENS)))
            width = float(rng.choice([0.6, 1.0, 1.8]))
            quality = int(rng.integers(40, 70))
        photo = write_digit(digit, rng, side, pen, width, degrees)
        if name in ("lined_paper", "combined"):
            photo = ruled(photo, rng)
        if name == "squared_paper":
            photo = ruled(photo, rng, squared=True)
        if name in ("uneven_light", "combined"):
            photo = uneven_light(photo, rng)
        if name in ("dark_table", "combined"):
            photo = on_table(photo, rng)
        if name in ("blur", "combined"):
            photo = blurred(photo, rng)
        return as_jpeg(photo, 40 if name == "jpeg_40" else quality)

    return make


# One random stream runs through the conditions in this order, so a condition added last leaves the others' photos as
# they were (the 12-MP photo, drawn after them all, changes).
CONDITIONS = ("clean", "dark_table", "uneven_light", "lined_paper", "squared_paper", "blue_ink", "red_ink", "green_ink",
              "thin_pen", "thick_marker", "small_digit", "jpeg_40", "blur", "rotated", "combined", "chalkboard")
NONE_STREAM = 15  # the pictures of no dataset draw from their own stream: 15, the number of conditions when it was
#   tied to it, so the figures before and after the chalkboard came compare the same pictures


def read(zoo: Zoo, photo: bytes, label: str) -> dict[str, bool]:
    """Whether the upload is taken for a handwritten digit, and read right by the best variant and the majority."""
    image = Image.open(io.BytesIO(photo))
    identity = zoo.identifier(image) if zoo.identifier is not None else None
    digit = identity is None or identity.dataset == "mnist"
    try:
        comparison = compare(zoo, image, "mnist", zoo.models("mnist"))
    except LenetError:  # nothing found to read: not read
        return {"digit": digit, "best": False, "majority": False}
    best = next(result.label for result in comparison.results if result.model == BEST_MODEL)
    return {"digit": digit, "best": best == label, "majority": comparison.consensus == label}


def timed_uploads(zoo: Zoo, digit: np.ndarray, rng: np.random.Generator) -> dict[str, float]:
    """p50/p95 of a 12-megapixel JPEG photo from its bytes to every variant's answer (identifier included)."""
    photo = as_jpeg(write_digit(digit, rng, 1600, frame=LARGE_PHOTO), 85)
    times = []
    for _ in range(TIMED_UPLOADS):
        began = time.perf_counter()
        image = Image.open(io.BytesIO(photo))
        if zoo.identifier is not None:
            zoo.identifier(image)
        compare(zoo, image, "mnist", zoo.models("mnist"))
        times.append((time.perf_counter() - began) * MS)
    return {"p50_ms": round(statistics.median(times), 1), "p95_ms": round(sorted(times)[int(0.95 * len(times)) - 1], 1)}


def named_none(zoo: Zoo, per_kind: int, rng: np.random.Generator) -> dict[str, dict]:
    """For each kind of picture of no dataset: the % that ``/identify`` calls none of them, and what it called the rest."""
    results = {}
    for kind in KINDS:
        called = [zoo.identifier(Image.open(io.BytesIO(none_of_these(kind, rng)))).dataset for _ in range(per_kind)]
        wrong = {dataset: called.count(dataset) for dataset in sorted(set(called) - {None})}
        results[kind] = {"none": round(100 * called.count(None) / per_kind, 1), "called": wrong}
        print(f"{kind:14s} {results[kind]}", flush=True)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.photos", description=__doc__.split("\n")[0])
    parser.add_argument("--per-condition", type=int, default=60)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--per-kind", type=int, default=100, help="pictures of each kind of no dataset")
    parser.add_argument("--none-only", action="store_true", help="only the pictures of no dataset (writes nothing)")
    parser.add_argument("--identifier", help="a candidate identifier's folder instead of the shipped one")
    parser.add_argument("--out", type=Path, default=Path("bench/photos-results.json"))
    args = parser.parse_args()
    zoo = Zoo.load()
    if args.identifier:
        zoo.identifier = load_identifier(Path(args.identifier))
    unknown = named_none(zoo, args.per_kind, np.random.default_rng([args.seed, NONE_STREAM]))
    unknown_overall = round(statistics.mean(kind["none"] for kind in unknown.values()), 1)
    print(f"none of these: {unknown_overall} % overall")
    if args.none_only:
        return
    images, labels = load_tensors("mnist", args.data_dir, train=False)
    rng = np.random.default_rng(args.seed)
    results: dict[str, dict[str, float]] = {}
    for name in CONDITIONS:
        make = condition(name)
        picks = rng.choice(len(labels), args.per_condition, replace=False)
        reads = [read(zoo, make(images[i, 0].numpy(), rng), str(int(labels[i]))) for i in picks]
        results[name] = {key: round(100 * sum(r[key] for r in reads) / len(reads), 1) for key in reads[0]}
        results[name]["digit_and_best"] = round(100 * sum(r["digit"] and r["best"] for r in reads) / len(reads), 1)
        print(f"{name:14s} {results[name]}", flush=True)
    overall = {key: round(statistics.mean(r[key] for r in results.values()), 1) for key in results["clean"]}
    report = {"per_condition": args.per_condition, "seed": args.seed, "conditions": results, "overall": overall,
              "upload_12mp": timed_uploads(zoo, images[0, 0].numpy(), rng), "per_kind": args.per_kind,
              "none_of_these": unknown, "none_of_these_overall": unknown_overall}
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps({"overall": overall, "upload_12mp": report["upload_12mp"]}, indent=2))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
