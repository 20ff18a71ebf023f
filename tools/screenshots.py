"""``python -m tools.screenshots``: the README's screenshots, taken in the same browser as the tests.

Every tab on a desktop (the whole page) and on a 390x844 phone (its first screen, what a person sees without
scrolling), written as docs/<desktop|phone>-<tab>.png. The Train tab is taken mid-run.
"""
from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect, sync_playwright

from demo.examples import EXAMPLES_DIR, load_index
from demo.serving import launch_app
from tools.browser import (
    BROWSER_ARGS,
    CHROMIUM,
    SKETCHPAD_READY,
    STROKES,
    VIEWPORT,
    draw,
    open_tab,
)

DOCS = Path(__file__).resolve().parents[1] / "docs"
PHONE = {"width": 390, "height": 844}
SETTLE_MS = 2500  # lets the plots and feature maps finish rendering before the shot
MID_RUN_TIMEOUT_MS = 60_000


def shoot(page: Page, name: str, full_page: bool) -> None:
    page.wait_for_timeout(SETTLE_MS)
    page.screenshot(path=DOCS / f"{name}.png", full_page=full_page)


def tour(page: Page, device: str) -> None:
    """Each tab in turn, with something in it: a drawn 7, its insides, an uploaded CIFAR-10 file, a training run, a
    card."""
    full = device == "desktop"
    page.locator(SKETCHPAD_READY).wait_for()
    draw(page, STROKES["7"])
    expect(page.locator("#draw-answers")).to_contain_text("agree")
    shoot(page, f"{device}-draw", full)
    open_tab(page, "Look inside")
    page.get_by_text("Looking inside").wait_for()
    page.get_by_text("Stage explorer").click()
    shoot(page, f"{device}-inside", full)
    open_tab(page, "Upload")
    photo = next(EXAMPLES_DIR / entry["file"] for entry in load_index() if entry["dataset"] == "cifar10")
    page.locator("#upload input[type=file]").set_input_files(str(photo))  # the app picks CIFAR-10 and says so
    expect(page.locator("#upload-answers")).to_contain_text("It looks like")
    shoot(page, f"{device}-upload", full)
    open_tab(page, "Train")
    page.locator("#train-start").click()
    expect(page.locator("#train-status")).to_contain_text("step", timeout=MID_RUN_TIMEOUT_MS)
    shoot(page, f"{device}-train", full)
    page.locator("#train-stop").click()
    expect(page.locator("#train-status")).to_contain_text("Stopped after", timeout=MID_RUN_TIMEOUT_MS)
    open_tab(page, "Models")
    page.locator("button").filter(has_text="lenet5-1998").first.click()
    shoot(page, f"{device}-models", full)


def main() -> None:
    app, url = launch_app()
    DOCS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
        for device, viewport, touch in (("desktop", VIEWPORT, False), ("phone", PHONE, True)):
            page = browser.new_page(viewport=viewport, has_touch=touch, is_mobile=touch, locale="en-US")
            page.goto(url)
            tour(page, device)
            page.close()
        browser.close()
    app.close()
    print(f"wrote {DOCS}/{{desktop,phone}}-{{draw,inside,upload,train,models}}.png")


if __name__ == "__main__":
    main()
