"""``python -m bench.uploads``: test images uploaded the way people upload them, against the same images fed
straight from the dataset; and whether ``/identify`` knows what each upload is, or that it is none of them.

A seeded sample of each test set is written as image files in several styles
(the raw file, enlarged with four resamplers, enlarged and saved as JPEG, dark on
a white page, a photo of the page: margins, a slight turn, JPEG), each
classified through ``/classify``'s code path (``demo.compare.classify``) by every
shipped variant. ``/identify`` is scored on all of those, on digits drawn with
a pen (strokes rendered here) and on pictures of no dataset (noise, text
screenshots, gradients, chequerboards). Writes bench/uploads-results.json; with
``--identify-only`` it scores only ``/identify`` on the same files and writes
bench/uploads-identify-results.json (another identifier, ``--identifier``: printed only).
"""
from __future__ import annotations

import argparse
import functools
import json
import multiprocessing
import os
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Callable

import numpy as np
import torch
from PIL import Image, ImageDraw, ImageFont, ImageOps

import lenet
from demo.compare import classify
from demo.zoo import Zoo, load_identifier
from lenet.datasets import DATA_DIR_HELP
from train.data import Split
from train.engine import EVAL_BATCH_SIZE, predict
from train.uploads import save_as_jpeg

RESULTS = Path(__file__).with_name("uploads-results.json")
IDENTIFY_RESULTS = Path(__file__).with_name("uploads-identify-results.json")  # --identify-only
UPLOAD_SIDE = 256  # what "enlarged" means here: a typical saved or screenshotted size
JPEG_QUALITY = 75  # "enlarged + JPEG"
WEB_JPEG_QUALITY = 90  # "on white": a product or a digit on a web page
PHONE_JPEG_QUALITY = 85  # "photo of a page"
PAGE = (640, 480)  # a photo of a printed page...
PRINTED_SIDE = (200, 320)  # ...holding the picture this large...
PAPER = (215, 256)  # ...on paper this light...
TURN = 4  # ...turned by up to this many degrees
MARGIN = (10, 60)  # pixels of white page round a photo "on white"
Style = Callable[[Image.Image, np.random.Generator], Image.Image]


def enlarged(resample: Image.Resampling) -> Style:
    return lambda image, rng: image.resize((UPLOAD_SIDE, UPLOAD_SIDE), resample)


def jpeg(image: Image.Image, quality: int = JPEG_QUALITY) -> Image.Image:
    return save_as_jpeg(image.convert("RGB"), quality)


def on_white(image: Image.Image, rng: np.random.Generator) -> Image.Image:
    """A digit or a product dark on white, as on a web page; a photo laid on a white page. JPEG 90."""
    if image.mode == "L":
        return jpeg(ImageOps.invert(image).resize((UPLOAD_SIDE, UPLOAD_SIDE), Image.Resampling.BICUBIC), WEB_JPEG_QUALITY)
    margin = int(rng.integers(*MARGIN))
    return jpeg(ImageOps.expand(image.resize((UPLOAD_SIDE, UPLOAD_SIDE), Image.Resampling.BICUBIC), margin, "white"),
                WEB_JPEG_QUALITY)


def photo_of_page(image: Image.Image, rng: np.random.Generator) -> Image.Image:
    """The picture printed on a light page and photographed: margins, a slight turn, JPEG."""
    paper = int(rng.integers(*PAPER))
    if image.mode == "L":
        image = ImageOps.invert(image)
    side = int(rng.integers(*PRINTED_SIDE))
    picture = image.convert("RGB").resize((side, side), Image.Resampling.BICUBIC)
    picture = picture.rotate(float(rng.uniform(-TURN, TURN)), Image.Resampling.BICUBIC, expand=True, fillcolor=(paper,) * 3)
    page = Image.new("RGB", PAGE, (paper,) * 3)
    page.paste(picture, (int(rng.integers(20, PAGE[0] - picture.width - 20)), int(rng.integers(20, PAGE[1] - picture.height - 20))))
    return jpeg(page, PHONE_JPEG_QUALITY)


STYLES: dict[str, Style] = {
    "raw file": lambda image, rng: image,
    "enlarged, nearest": enlarged(Image.Resampling.NEAREST),
    "enlarged, bilinear": enlarged(Image.Resampling.BILINEAR),
    "enlarged, bicubic": enlarged(Image.Resampling.BICUBIC),
    "enlarged, Lanczos": enlarged(Image.Resampling.LANCZOS),
    "enlarged + JPEG 75": lambda image, rng: jpeg(enlarged(Image.Resampling.BICUBIC)(image, rng)),
    "on white": on_white,
    "photo of a page": photo_of_page,
}

DIGIT_STROKES = {  # a pen's path for each digit, in fractions of the canvas
    "0": [[(0.5, 0.15), (0.3, 0.3), (0.28, 0.6), (0.4, 0.85), (0.6, 0.85), (0.72, 0.6), (0.7, 0.3), (0.5, 0.15)]],
    "1": [[(0.4, 0.25), (0.52, 0.15), (0.52, 0.85)]],
    "2": [[(0.3, 0.3), (0.45, 0.15), (0.65, 0.2), (0.68, 0.4), (0.3, 0.85), (0.72, 0.85)]],
    "3": [[(0.3, 0.2), (0.65, 0.2), (0.45, 0.45), (0.7, 0.6), (0.6, 0.85), (0.3, 0.82)]],
    "4": [[(0.6, 0.85), (0.6, 0.15), (0.28, 0.62), (0.75, 0.62)]],
    "5": [[(0.7, 0.15), (0.35, 0.15), (0.32, 0.45), (0.62, 0.45), (0.7, 0.7), (0.55, 0.85), (0.3, 0.8)]],
    "6": [[(0.65, 0.15), (0.38, 0.4), (0.32, 0.7), (0.5, 0.86), (0.68, 0.7), (0.55, 0.52), (0.35, 0.6)]],
    "7": [[(0.28, 0.18), (0.72, 0.18), (0.45, 0.85)]],
    "8": [[(0.5, 0.5), (0.32, 0.32), (0.5, 0.15), (0.68, 0.32), (0.5, 0.5), (0.3, 0.7), (0.5, 0.86), (0.7, 0.7), (0.5, 0.5)]],
    "9": [[(0.65, 0.35), (0.5, 0.18), (0.33, 0.32), (0.45, 0.5), (0.65, 0.38), (0.62, 0.85)]],
}


PEN_COLOURS = ((220, 30, 30), (30, 60, 220), (20, 150, 40), (240, 120, 0), (120, 40, 160), (120, 70, 20))


def drawn_digit(digit: str, rng: np.random.Generator, coloured: bool = False) -> Image.Image:
    """A digit drawn with a pen or a finger: a wobbly path, any width, dark on light or light on dark; or
    (``coloured``) in red, blue, green, orange, purple or brown on white."""
    side = int(rng.integers(150, 500))
    dark_on_light = rng.random() < 0.7
    paper, ink = ((255, 255, 255), (0, 0, 0)) if dark_on_light else ((0, 0, 0), (255, 255, 255))
    if coloured:
        paper, ink = (255, 255, 255), PEN_COLOURS[rng.integers(len(PEN_COLOURS))]
    image = Image.new("RGB", (side, side), paper)
    draw = ImageDraw.Draw(image)
    for stroke in DIGIT_STROKES[digit]:
        points = [((x + rng.normal(0, 0.02)) * side, (y + rng.normal(0, 0.02)) * side) for x, y in stroke]
        draw.line(points, fill=ink, width=max(2, int(side * rng.uniform(0.03, 0.09))), joint="curve")
    return image


def out_of_distribution(kind: str, rng: np.random.Generator) -> Image.Image:
    """Pictures that belong to no dataset: the four kinds the issue names, a QR-like code (a kind the identifier's
    training never draws) and a clip-art face (training draws random icons, never this one)."""
    w, h = int(rng.integers(200, 800)), int(rng.integers(200, 600))
    if kind == "noise":
        return Image.fromarray(rng.integers(0, 256, (h, w, 3), dtype=np.uint8))
    if kind == "gradient":
        t = np.linspace(0, 1, w, dtype=np.float32)[None, :, None].repeat(h, 0)
        a, b = rng.integers(0, 256, 3), rng.integers(0, 256, 3)
        return Image.fromarray((a + t * (b - a)).astype(np.uint8))
    if kind == "chequerboard":
        cell = int(rng.integers(8, 64))
        y, x = np.mgrid[0:h, 0:w]
        return Image.fromarray((((x // cell + y // cell) % 2) * 255).astype(np.uint8)).convert("RGB")
    if kind == "QR-like code (unseen)":
        modules = rng.integers(0, 2, (25, 25)).astype(np.uint8)
        for r, c in ((0, 0), (0, 18), (18, 0)):  # the three finder squares
            modules[r : r + 7, c : c + 7] = 1
            modules[r + 1 : r + 6, c + 1 : c + 6] = 0
            modules[r + 2 : r + 5, c + 2 : c + 5] = 1
        code = Image.fromarray((1 - modules) * 255).resize((250, 250), Image.Resampling.NEAREST)
        return ImageOps.expand(code, 30, 255).convert("RGB")
    if kind == "clip-art face":
        side = min(w, h)
        face = Image.new("RGB", (side, side), "white")
        draw = ImageDraw.Draw(face)
        draw.ellipse([side * 0.1, side * 0.1, side * 0.9, side * 0.9], fill=(255, 204, 0), outline=(120, 80, 0), width=4)
        for eye in (0.35, 0.65):
            draw.ellipse([side * (eye - 0.05), side * 0.35, side * (eye + 0.05), side * 0.47], fill="black")
        draw.arc([side * 0.3, side * 0.4, side * 0.7, side * 0.75], 20, 160, fill="black", width=max(2, side // 40))
        return face
    page = Image.new("RGB", (w, h), "white")  # a screenshot of text
    draw = ImageDraw.Draw(page)
    font = ImageFont.load_default(size=int(rng.integers(12, 24)))
    words = "the quick brown fox jumps over the lazy dog while LeNet reads digits 0123456789".split()
    for y in range(10, h - 20, int(font.size * 1.6)):
        draw.text((10, y), " ".join(rng.choice(words, 10)), fill=(30, 30, 30), font=font)
    return page


OOD_KINDS = ("noise", "text screenshot", "gradient", "chequerboard", "QR-like code (unseen)", "clip-art face")


def direct_accuracy(zoo: Zoo, dataset: str, images: torch.Tensor, labels: torch.Tensor) -> dict[str, float]:
    """Each variant fed the dataset's own pixels (train.evaluate's path)."""
    results = {}
    for model, predictor in zoo.by_dataset[dataset].items():
        probabilities = predict(predictor.model, Split(images, labels), predictor.meta["mean"], predictor.meta["std"], EVAL_BATCH_SIZE)
        results[model] = (probabilities.argmax(1) == labels).float().mean().item()
    return results


@functools.cache
def _zoo(identifier: str | None = None) -> Zoo:
    """The shipped models; with ``identifier``, that identifier instead of the shipped one."""
    torch.set_num_threads(1)  # as served
    zoo = Zoo.load()
    if identifier is not None:
        zoo.identifier = load_identifier(Path(identifier))
    return zoo


@functools.cache
def sample_of_test_set(dataset: str, samples: int, seed: int, data_dir: str | None) -> tuple[torch.Tensor, torch.Tensor]:
    images, labels = lenet.load_tensors(dataset, data_dir, train=False)
    chosen = torch.randperm(len(labels), generator=torch.Generator().manual_seed(seed))[:samples]
    return images[chosen], labels[chosen]


def bench_style(dataset: str, style: str, samples: int, seed: int, data_dir: str | None, folder: str,
                identifier: str | None = None, identify_only: bool = False) -> tuple[dict[str, float], float]:
    """Accuracy of every variant on the sample rendered in ``style`` (none if ``identify_only``), and how often
    /identify names the dataset. Each (dataset, style) has its own seeded random draws, so any number of
    workers gives the same numbers."""
    zoo = _zoo(identifier)
    images, labels = sample_of_test_set(dataset, samples, seed, data_dir)
    classes = list(zoo.by_dataset[dataset].values())[0].classes
    style_index = list(STYLES).index(style)
    rng = np.random.default_rng([seed, style_index])
    correct = {model: 0 for model in ([] if identify_only else zoo.models(dataset))}
    named = 0
    for index, (image, label) in enumerate(zip(images, labels)):
        picture = Image.fromarray(image.permute(1, 2, 0).squeeze(2).numpy())
        path = Path(folder) / f"{dataset}-{style_index}-{index}.png"
        STYLES[style](picture, rng).save(path)
        for model in correct:
            answer = classify(zoo, str(path), dataset, model)
            correct[model] += classes[label] == max(answer, key=answer.get)
        named += zoo.identifier(str(path)).dataset == dataset
    accuracy = {model: count / samples for model, count in correct.items()}
    print(f"{dataset:14s} {style:20s} " + "  ".join(f"{m} {a:.2%}" for m, a in accuracy.items())
          + f"  identify {named / samples:.1%}", flush=True)
    return accuracy, named / samples


DRAWN, COLOURED = "drawn digits", "drawn digits, coloured pens"
EXTRAS = {DRAWN: "mnist", COLOURED: "mnist", **dict.fromkeys(OOD_KINDS)}  # kind -> what /identify should say (None: null)


def extra(name: str, rng: np.random.Generator, index: int) -> Image.Image:
    """The ``index``-th picture of an extra kind: a drawn digit (digits in turn) or a picture of no dataset."""
    if name in OOD_KINDS:
        return out_of_distribution(name, rng)
    return drawn_digit(str(index % 10), rng, coloured=name == COLOURED)


def bench_extra(name: str, expected: str | None, samples: int, seed: int, folder: str, identifier: str | None = None) -> float:
    """How often /identify says ``expected`` (a dataset, or None: null) of ``samples`` pictures of one extra kind,
    drawn with the kind's own seeded random draws (as ``bench_style``'s)."""
    zoo = _zoo(identifier)
    rng = np.random.default_rng([seed, len(STYLES) + list(EXTRAS).index(name)])
    hits = 0
    for index in range(samples):
        path = Path(folder) / f"extra-{name}-{index}.png"
        extra(name, rng, index).save(path)
        hits += zoo.identifier(str(path)).dataset == expected
    print(f"identify {name:20s} {hits / samples:.1%} {expected or 'null'}", flush=True)
    return hits / samples


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.uploads", description=__doc__.split("\n")[0])
    parser.add_argument("--samples", type=int, default=500, help="test images per dataset (seeded sample)")
    parser.add_argument("--extras", type=int, default=200, help="drawn digits, and pictures of each kind of no dataset")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--data-dir", help=DATA_DIR_HELP)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="processes rendering and classifying "
                        "(each on one thread, as served); the numbers do not depend on it")
    parser.add_argument("--identify-only", action="store_true", help="score only /identify (written to "
                        f"{IDENTIFY_RESULTS.name})")
    parser.add_argument("--identifier", help="an identifier's model folder to score instead of the shipped one "
                        "(e.g. a new python -m train.identify --out); implies --identify-only")
    args = parser.parse_args()
    args.identify_only |= args.identifier is not None
    zoo = _zoo(args.identifier)
    if zoo.identifier is None:
        folder = args.identifier or "checkpoints/identify"
        parser.exit(2, f"python -m bench.uploads: no identifier could be loaded from {folder}: "
                       "train one there with python -m train.identify --out FOLDER\n")
    results: dict = {"samples": args.samples, "seed": args.seed, "accuracy": {}, "identify": {}}
    tasks = [(dataset, style) for dataset in zoo.datasets for style in STYLES]
    workers = ProcessPoolExecutor(max(1, args.workers), mp_context=multiprocessing.get_context("spawn"))
    with tempfile.TemporaryDirectory(prefix="bench-uploads-") as folder, workers:
        for dataset in zoo.datasets:
            results["accuracy"][dataset], results["identify"][dataset] = {}, {}
            if not args.identify_only:
                direct = direct_accuracy(zoo, dataset, *sample_of_test_set(dataset, args.samples, args.seed, args.data_dir))
                print(f"{dataset:14s} {'direct':20s} " + "  ".join(f"{m} {a:.2%}" for m, a in direct.items()), flush=True)
                results["accuracy"][dataset]["direct"] = direct
        render_and_classify = functools.partial(bench_style, samples=args.samples, seed=args.seed, data_dir=args.data_dir,
                                                folder=folder, identifier=args.identifier, identify_only=args.identify_only)
        done = workers.map(render_and_classify, *zip(*tasks))
        identify_extra = functools.partial(bench_extra, samples=args.extras, seed=args.seed, folder=folder,
                                           identifier=args.identifier)
        extras = workers.map(identify_extra, EXTRAS, EXTRAS.values())
        for (dataset, style), (accuracy, identified) in zip(tasks, done):
            results["accuracy"][dataset][style], results["identify"][dataset][style] = accuracy, identified
        results["identify"]["extras"] = dict(zip(EXTRAS, extras))
    if args.identify_only:
        if args.identifier is None:  # a candidate's figures are printed, not kept
            IDENTIFY_RESULTS.write_text(json.dumps({key: results[key] for key in ("samples", "seed", "identify")}, indent=2) + "\n")
            print(f"wrote {IDENTIFY_RESULTS}")
        return
    worst = {dataset: max(styles["direct"][m] - styles[s][m] for s in STYLES for m in styles["direct"])
             for dataset, styles in results["accuracy"].items()}
    results["largest drop (points)"] = {dataset: round(100 * drop, 2) for dataset, drop in worst.items()}
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(f"largest drop below direct accuracy, in points: {results['largest drop (points)']}\nwrote {RESULTS}")


if __name__ == "__main__":
    main()
