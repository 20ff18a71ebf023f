"""``python -m tools.screenshots``: the README's screenshots, taken in the same browser as the tests."""
from __future__ import annotations

from pathlib import Path

from playwright.sync_api import sync_playwright

from demo.serving import launch_app
from tools.browser import BROWSER_ARGS, CHROMIUM, SKETCHPAD_CANVAS, STROKES, VIEWPORT, draw

DOCS = Path(__file__).resolve().parents[1] / "docs"
SETTLE_MS = 2500  # lets the plots and feature maps finish rendering before the shot


def main() -> None:
    """Serve the app, visit each tab in chromium, and write docs/{draw,inside,upload,models}.png."""
    app, url = launch_app()
    DOCS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
        page = browser.new_page(viewport=VIEWPORT)
        page.goto(url)
        page.locator(SKETCHPAD_CANVAS).first.wait_for()
        draw(page, STROKES["7"])
        page.get_by_text("models agree").wait_for()
        page.screenshot(path=DOCS / "draw.png", full_page=True)

        page.get_by_role("tab", name="Look inside").click()
        page.get_by_text("Looking inside").wait_for()
        page.get_by_text("Stage explorer").click()
        page.wait_for_timeout(SETTLE_MS)
        page.screenshot(path=DOCS / "inside.png", full_page=True)

        page.get_by_role("tab", name="Upload").click()
        page.locator("#examples button:has(img)").filter(has_text="cifar10").first.click()
        page.wait_for_timeout(SETTLE_MS)
        page.screenshot(path=DOCS / "upload.png", full_page=True)

        page.get_by_role("tab", name="Models").click()
        page.locator("button").filter(has_text="lenet5-1998").first.click()
        page.wait_for_timeout(SETTLE_MS)
        page.screenshot(path=DOCS / "models.png", full_page=True)
        browser.close()
    app.close()
    print(f"wrote {DOCS}/{{draw,inside,upload,models}}.png")


if __name__ == "__main__":
    main()
