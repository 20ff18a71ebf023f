"""Driving the playground in Debian's chromium with Playwright: shared by the browser tests and the screenshot tool."""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # Playwright is a dev requirement; importing the constants must not need it
    from playwright.sync_api import Page

CHROMIUM = "/usr/bin/chromium"
BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"]
VIEWPORT = {"width": 1400, "height": 1100}
STROKES = {  # polylines in canvas fractions (0-1): a digit as a person draws it
    "1": [[(0.5, 0.2), (0.5, 0.8)]],
    "7": [[(0.28, 0.25), (0.72, 0.25), (0.45, 0.8)]],
}
STROKE_STEPS = 12  # intermediate mouse moves per segment, so the sketchpad records a continuous line
SKETCHPAD_CANVAS = "#sketchpad canvas"
SKETCHPAD_READY = "#sketchpad [data-answers]"  # set once the canvas listens (demo/static/draw.js)


def draw(page: Page, strokes: list[list[tuple[float, float]]]) -> None:
    """Draw ``strokes`` with the mouse on the sketchpad's square drawing area, as a person would."""
    canvas = page.locator(SKETCHPAD_CANVAS).first
    box = canvas.bounding_box()
    side = min(box["width"], box["height"])
    left, top = box["x"] + (box["width"] - side) / 2, box["y"] + (box["height"] - side) / 2
    for stroke in strokes:
        page.mouse.move(left + stroke[0][0] * side, top + stroke[0][1] * side)
        page.mouse.down()
        for x, y in stroke[1:]:
            page.mouse.move(left + x * side, top + y * side, steps=STROKE_STEPS)
        page.mouse.up()


def open_tab(page: Page, name: str) -> None:
    """Click the tab called ``name`` (every tab is in view, even on a phone: the tabs wrap)."""
    page.get_by_role("tab", name=name).first.click()
