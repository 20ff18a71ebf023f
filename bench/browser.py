"""``python -m bench.browser``: how the Draw tab feels in a real browser (Playwright + Debian's chromium, headless).

Starts ``python -m demo`` in its own process, then on a desktop viewport draws one-second strokes with the mouse
and, from the page's own clock, measures the time from pen-up to the final answer on the page and how many times
a new answer was shown while the pen was down. On a 390x844 phone viewport it draws a digit and checks what a person
sees without scrolling: the summary and every variant's answer, the size of the C1/C3 activations, sideways scroll.
Writes bench/browser-results.json.
"""
from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, sync_playwright

from bench.serve import percentile, start
from tools.browser import BROWSER_ARGS, CHROMIUM

DESKTOP = {"width": 1400, "height": 1000}
PHONE = {"width": 390, "height": 844}
STROKE_S = 1.0  # each stroke lasts this long...
MOVES = 20  # ...in this many mouse moves, paced by the clock (each move is a round trip to the browser)
SETTLE_MS = 1500  # the answer counts as final once nothing on the page changed for this long
C1_SIDE, C3_SIDE = 28, 10  # activations across one C1 / C3 map
SHAPES = [  # strokes in canvas fractions: a varied set of single-stroke digits and scribbles
    [(0.5, 0.15), (0.5, 0.85)],
    [(0.25, 0.25), (0.75, 0.25), (0.45, 0.85)],
    [(0.3, 0.3), (0.5, 0.15), (0.7, 0.3), (0.3, 0.8), (0.75, 0.8)],
    [(0.7, 0.2), (0.3, 0.2), (0.3, 0.5), (0.7, 0.5), (0.7, 0.8), (0.3, 0.8)],
    [(0.5, 0.2), (0.25, 0.6), (0.75, 0.6), (0.6, 0.45), (0.6, 0.85)],
    [(0.5, 0.15), (0.25, 0.5), (0.5, 0.85), (0.75, 0.5), (0.5, 0.15)],
]
WATCH_JS = """() => {
  // One entry per answer shown: the first card's facts carry that request's latency, so each response differs.
  window.__renders = [];
  let shown = null;
  new MutationObserver(() => {
    const facts = document.querySelector('#draw-results .card-facts')?.textContent;
    if (facts && facts !== shown) { shown = facts; window.__renders.push(performance.now()); }
  }).observe(document.body, {subtree: true, childList: true, characterData: true});
}"""


def canvas_box(page: Page) -> tuple[float, float, float]:
    box = page.locator("#sketchpad canvas").bounding_box()
    return box["x"], box["y"], box["width"]


def polyline(points: list[tuple[float, float]], moves: int) -> list[tuple[float, float]]:
    """About ``moves`` evenly spaced points along the segments, each segment its share."""
    per = max(1, moves // (len(points) - 1))
    return [points[0]] + [(a[0] + (b[0] - a[0]) * t / per, a[1] + (b[1] - a[1]) * t / per)
                          for a, b in zip(points, points[1:]) for t in range(1, per + 1)]


def one_stroke(page: Page, points: list[tuple[float, float]]) -> dict[str, float]:
    """Draw ``points`` over ``STROKE_S`` seconds; the answer's renders during it, and pen-up to the last render."""
    clear = page.locator("#sketchpad [data-action=clear]")
    if clear.is_enabled():  # disabled on an empty canvas
        clear.click()
        page.wait_for_timeout(SETTLE_MS)
    left, top, side = canvas_box(page)
    page.evaluate("() => { window.__renders = []; }")
    path = polyline(points, MOVES)
    page.mouse.move(left + path[0][0] * side, top + path[0][1] * side)
    down = page.evaluate("() => performance.now()")
    page.mouse.down()
    began = time.perf_counter()
    for index, (x, y) in enumerate(path[1:], start=1):
        page.mouse.move(left + x * side, top + y * side)
        time.sleep(max(0.0, began + STROKE_S * index / (len(path) - 1) - time.perf_counter()))
    up = page.evaluate("() => performance.now()")
    page.mouse.up()
    page.wait_for_function(f"() => performance.now() - Math.max(0, ...window.__renders) > {SETTLE_MS}")
    renders = page.evaluate("() => window.__renders")
    during = sorted(t for t in renders if down <= t <= up)
    after = [t for t in renders if t > up]
    return {"updates_while_drawing": len(during), "pen_up_to_answer_ms": (max(after) - up) if after else float("nan"),
            "stroke_s": (up - down) / 1000}


def phone_check(page: Page) -> dict[str, Any]:
    """After drawing a 7 on a phone: is everything that answers on the first screen, and are the maps readable?"""
    left, top, side = canvas_box(page)
    page.mouse.move(left + 0.25 * side, top + 0.25 * side)
    page.mouse.down()
    for x, y in ((0.75, 0.25), (0.45, 0.85)):
        page.mouse.move(left + x * side, top + y * side, steps=15)
    page.mouse.up()
    page.wait_for_selector(".answers .prediction")
    page.wait_for_timeout(SETTLE_MS)
    return page.evaluate("""([c1, c3]) => {
      const visible = (node) => { const r = node.getBoundingClientRect();
        return r.width > 0 && r.top >= 0 && r.bottom <= innerHeight && r.left >= 0 && r.right <= innerWidth; };
      const predictions = [...document.querySelectorAll('.answers .prediction')];
      const tile = (figure) => figure ? figure.querySelector('i').getBoundingClientRect().width : 0;
      const figures = [...document.querySelectorAll('#draw-results figure.tiles')];
      return {
        scroll_y: scrollY,
        summary_on_first_screen: visible(document.querySelector('.answers p')),
        answers: predictions.length,
        answers_on_first_screen: predictions.filter(visible).length,
        c1_css_px_per_activation: tile(figures[0]) / c1,
        c3_css_px_per_activation: tile(figures[1]) / c3,
        scrolls_sideways: document.documentElement.scrollWidth > innerWidth,
      };
    }""", [C1_SIDE, C3_SIDE])


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.browser", description=__doc__.split("\n")[0])
    parser.add_argument("--strokes", type=int, default=12, help="one-second strokes on the desktop viewport")
    parser.add_argument("--out", type=Path, default=Path("bench/browser-results.json"))
    args = parser.parse_args()
    server, url, cold_start = start(["demo"])
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
            page = browser.new_page(viewport=DESKTOP)
            page.goto(url)
            page.locator("#sketchpad canvas").wait_for()
            page.evaluate(WATCH_JS)
            one_stroke(page, SHAPES[0])  # warm-up: the first event a Gradio process serves is slow
            strokes = [one_stroke(page, SHAPES[i % len(SHAPES)]) for i in range(args.strokes)]
            phone = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True).new_page()
            phone.goto(url)
            phone.locator("#sketchpad canvas").wait_for()
            phone_result = phone_check(phone)
            browser.close()
    finally:
        server.kill()
    latencies = [s["pen_up_to_answer_ms"] for s in strokes]
    result = {
        "strokes": len(strokes),
        "pen_up_to_answer_p50_ms": statistics.median(latencies),
        "pen_up_to_answer_p95_ms": percentile(latencies, 95),
        "updates_during_1s_stroke_median": statistics.median(s["updates_while_drawing"] for s in strokes),
        "updates_during_1s_stroke_min": min(s["updates_while_drawing"] for s in strokes),
        "phone": phone_result,
        "server_cold_start_s": round(cold_start, 2),
        "per_stroke": strokes,
    }
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps({k: v for k, v in result.items() if k != "per_stroke"}, indent=2))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
