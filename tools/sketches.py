"""``python -m tools.sketches``: the sketch fixtures that the Python and the page's recipe are both held to.

Digits drawn as a hand moves a pen: each digit's strokes (``TEMPLATES``, in fractions of the canvas) are slanted,
turned, stretched, shifted and wobbled by a seeded random hand, and sampled like pointer events. The strokes, in
the canvas's logical units, go to tests/fixtures/sketches.json; each drawing as the page's canvas renders it
(demo/static/sketch.js, in Chromium) to tests/fixtures/sketches/<index>.png, the picture the models read.
"""
from __future__ import annotations

import argparse
import base64
import json
from pathlib import Path

import numpy as np
from playwright.sync_api import Page, sync_playwright

from demo.scripts import scripts_address
from demo.serving import launch_app
from demo.sketch import BRUSH_WIDTH, CANVAS_SIDE, SENT_SIDE
from tools.browser import BROWSER_ARGS, CHROMIUM

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures"
SKETCHES_JSON = FIXTURES / "sketches.json"
SKETCHES_DIR = FIXTURES / "sketches"
PER_DIGIT = 5
SEED = 1998
POINT_SPACING = 3.0  # logical pixels between pointer events, as a mouse moving at a steady pace reports them
LOOP_POINTS = 40


def arc(cx: float, cy: float, rx: float, ry: float, start: float, end: float) -> list[tuple[float, float]]:
    """Points along an ellipse from ``start`` to ``end`` degrees (clockwise on screen: y grows downwards)."""
    angles = np.radians(np.linspace(start, end, LOOP_POINTS))
    return [(cx + rx * np.cos(a), cy + ry * np.sin(a)) for a in angles]


TEMPLATES: dict[str, list[list[tuple[float, float]]]] = {  # each digit's strokes, as a person draws them
    "0": [arc(0.5, 0.5, 0.22, 0.33, -90, 275)],
    "1": [[(0.38, 0.28), (0.52, 0.15), (0.52, 0.85)]],
    "2": [arc(0.5, 0.34, 0.2, 0.18, 190, 380) + [(0.28, 0.84), (0.75, 0.84)]],
    "3": [arc(0.48, 0.32, 0.2, 0.16, 200, 450) + arc(0.48, 0.66, 0.22, 0.19, -90, 150)],
    "4": [[(0.62, 0.85), (0.62, 0.15), (0.24, 0.62), (0.8, 0.62)]],
    "5": [[(0.72, 0.16), (0.36, 0.16), (0.33, 0.47)] + arc(0.5, 0.64, 0.21, 0.2, -120, 150)],
    "6": [[(0.66, 0.15)] + arc(0.5, 0.64, 0.2, 0.21, 200, 560)],
    "7": [[(0.26, 0.2), (0.74, 0.2), (0.42, 0.86)]],
    "8": [arc(0.5, 0.31, 0.17, 0.16, 90, 450) + arc(0.5, 0.67, 0.21, 0.19, -90, 270)],
    "9": [arc(0.5, 0.34, 0.19, 0.18, 0, 360) + [(0.69, 0.34), (0.64, 0.86)]],
}


def resampled(points: np.ndarray, spacing: float) -> np.ndarray:
    """Points every ``spacing`` along the polyline, as pointer events report a pen moving at a steady pace."""
    lengths = np.r_[0, np.cumsum(np.hypot(*np.diff(points, axis=0).T))]
    at = np.arange(0, lengths[-1] + spacing / 2, spacing)
    return np.stack([np.interp(at, lengths, points[:, 0]), np.interp(at, lengths, points[:, 1])], axis=1)


def hand(strokes: list[list[tuple[float, float]]], rng: np.random.Generator) -> list[list[list[float]]]:
    """The template as one person draws it: a random size, slant, tilt, aspect and place, and a wobbly line."""
    size = rng.uniform(0.55, 0.95)
    slant, tilt = rng.uniform(-0.3, 0.3), np.radians(rng.uniform(-12, 12))
    aspect = rng.uniform(0.8, 1.2)
    turn = np.array([[np.cos(tilt), -np.sin(tilt)], [np.sin(tilt), np.cos(tilt)]])
    shape = turn @ np.array([[size * aspect, slant * size], [0, size]])
    centre = rng.uniform(0.5 - (1 - size) / 2, 0.5 + (1 - size) / 2, 2)
    drawn = []
    for stroke in strokes:
        points = (np.array(stroke) - 0.5) @ shape.T + centre
        path = resampled(points * CANVAS_SIDE, POINT_SPACING)
        wobble = np.cumsum(rng.normal(0, 0.4, path.shape), axis=0)  # a hand drifts, then corrects
        path = np.clip(path + wobble - np.linspace(0, 1, len(path))[:, None] * wobble[-1], 1, CANVAS_SIDE - 1)
        drawn.append(np.round(path, 2).tolist())
    return drawn


def sketches(per_digit: int = PER_DIGIT, seed: int = SEED) -> list[dict]:
    rng = np.random.default_rng(seed)
    return [{"digit": digit, "strokes": hand(strokes, rng)} for digit, strokes in TEMPLATES.items() for _ in range(per_digit)]


# A Sketch (demo/static/sketch.js) on a detached drawing surface, its strokes set, rendered as the models read it.
RENDER_JS = """async ([scripts, options, strokes]) => {
  const { Sketch } = await import(new URL(scripts + "sketch.js", document.baseURI));
  const surface = document.createElement("div");
  surface.innerHTML = '<canvas></canvas><button data-action="undo"></button><button data-action="clear"></button>';
  const sketch = new Sketch(surface, options, () => {});
  return strokes.map((each) => { sketch.strokes = each; return sketch.dataUrl(); });
}"""
SKETCH_OPTIONS = {"side": CANVAS_SIDE, "brushWidth": BRUSH_WIDTH, "pictureSide": SENT_SIDE, "words": {"label": ""}}


def render(page: Page, strokes: list[list[list[list[float]]]]) -> list[bytes]:
    """Each drawing as the canvas renders it for the models: PNG bytes."""
    urls = page.evaluate(RENDER_JS, [scripts_address(), SKETCH_OPTIONS, strokes])
    return [base64.b64decode(url.split(",", 1)[1]) for url in urls]


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tools.sketches", description=__doc__.split("\n")[0])
    parser.add_argument("--per-digit", type=int, default=PER_DIGIT)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args()
    drawn = sketches(args.per_digit, args.seed)
    app, url = launch_app()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
        page = browser.new_page()
        page.goto(url)
        pictures = render(page, [sketch["strokes"] for sketch in drawn])
        browser.close()
    app.close()
    SKETCHES_DIR.mkdir(parents=True, exist_ok=True)
    for old in SKETCHES_DIR.glob("*.png"):
        old.unlink()
    for index, (sketch, png) in enumerate(zip(drawn, pictures)):
        sketch["file"] = f"sketches/{index:02d}.png"
        (FIXTURES / sketch["file"]).write_bytes(png)
    SKETCHES_JSON.write_text(json.dumps(drawn, separators=(",", ":")) + "\n")
    print(f"wrote {len(drawn)} sketches to {SKETCHES_JSON} and {SKETCHES_DIR}/")


if __name__ == "__main__":
    main()
