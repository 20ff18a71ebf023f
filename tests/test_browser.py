"""A real browser: Debian's chromium, driven by Playwright, draws on the sketchpad."""
import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
SCREENSHOT = os.environ.get("LENET_SCREENSHOT")  # set to save the page, e.g. for the README
STROKES = {
    "1": [[(0.5, 0.2), (0.5, 0.8)]],
    "7": [[(0.28, 0.25), (0.72, 0.25), (0.45, 0.8)]],
}


@pytest.fixture(scope="module")
def page(app_url):
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)")
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )
        page = browser.new_page(viewport={"width": 1400, "height": 1100})
        page.goto(app_url)
        page.locator("#sketchpad canvas").first.wait_for()
        yield page
        browser.close()


def draw(page, strokes):
    canvas = page.locator("#sketchpad canvas").first
    box = canvas.bounding_box()
    side = min(box["width"], box["height"])
    left, top = box["x"] + (box["width"] - side) / 2, box["y"] + (box["height"] - side) / 2
    for stroke in strokes:
        page.mouse.move(left + stroke[0][0] * side, top + stroke[0][1] * side)
        page.mouse.down()
        for x, y in stroke[1:]:
            page.mouse.move(left + x * side, top + y * side, steps=12)
        page.mouse.up()


@pytest.mark.parametrize("digit", ["1", "7"])
def test_drawing_a_digit_shows_its_label(page, digit):
    page.locator("#clear").click()
    page.get_by_text("Draw a digit: the models answer as you draw.").wait_for()
    draw(page, STROKES[digit])
    summary = page.get_by_text(re.compile("models (agree|disagree)"))
    summary.wait_for(timeout=15_000)
    if SCREENSHOT:
        page.screenshot(path=SCREENSHOT.replace(".png", f"-{digit}.png"), full_page=True)
    assert summary.inner_text().strip().endswith(f"agree: {digit}")
