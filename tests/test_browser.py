"""A real browser: Debian's chromium, driven by Playwright, draws on the sketchpad."""
import re

import pytest
from playwright.sync_api import sync_playwright

from tools.browser import BROWSER_ARGS, CHROMIUM, STROKES, draw

# One browser session, step after step (Look inside explains the digit drawn before it): the file runs whole,
# about 35 s. conftest skips it without chromium (fails it in CI).
pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def page(app_url):
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1100})
        page.goto(app_url)
        page.locator("#sketchpad canvas").first.wait_for()
        yield page
        browser.close()


@pytest.mark.parametrize("digit", ["1", "7"])
def test_drawing_a_digit_shows_its_label(page, digit):
    page.locator("#clear").click()
    page.get_by_text("Draw a digit: the models answer as you draw.").wait_for()
    draw(page, STROKES[digit])
    summary = page.get_by_text(re.compile("models (agree|disagree)"))
    summary.wait_for(timeout=15_000)
    assert summary.inner_text().strip().endswith(f"agree: {digit}")


def test_look_inside_explains_the_last_drawing(page):
    page.get_by_role("tab", name="Look inside").click()
    page.get_by_text("Looking inside the").wait_for(timeout=15_000)
    assert page.get_by_text("Saliency (SmoothGrad × input)").first.is_visible()
    assert page.get_by_text("Confidence in the upright answer").first.is_visible()
    page.get_by_role("tab", name="Draw").click()


def test_clicking_a_real_test_image_classifies_it(page):
    page.get_by_role("tab", name="Upload").click()
    page.locator("#examples button:has(img)").first.click()  # the first MNIST test image, a 7
    summary = page.locator("#upload-results").get_by_text(re.compile("models (agree|disagree)"))
    summary.wait_for(timeout=15_000)
    assert summary.inner_text().strip().endswith("agree: 7")
    page.get_by_role("tab", name="Draw").click()
