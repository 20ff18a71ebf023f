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
OVERFLOW_MENU = "[class*=overflow] button"  # Gradio's "..." button holding the tabs that do not fit


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
    """Click the tab called ``name``; on a narrow screen Gradio folds the last tabs into its "..." menu."""
    tab = page.get_by_role("tab", name=name)
    if tab.count() and tab.first.is_visible():
        tab.first.click()
        return
    page.locator(OVERFLOW_MENU).first.click()
    page.locator(f"{OVERFLOW_MENU.split(' ')[0]} button").filter(has_text=name).first.click()
