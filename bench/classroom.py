"""``python -m bench.classroom``: the Draw tab as a class uses it, in headless Chromium on an emulated network.

Starts ``python -m demo`` in its own process. Every page is a first visit (its own browser context) over a 4G-like
link (``Network.emulateNetworkConditions``: 100 ms latency, 12 Mbit/s down, 6 Mbit/s up). Strokes are real input
events sent through the DevTools protocol, one a frame for one second. For the page answering by itself and, as
before this feature, for ``?server=1`` (the server answers, as the Draw tab always did), it measures:

- first visit: the bytes transferred, and those of the page's own scripts and models (``lenet/...``); a second
  visit's (same browser: its cache);
- on a desktop page: pen-move -> answer on the page (each move, to the first answer drawn after it), pen-up ->
  final answer, answers drawn during a 1-s stroke (and how many of them changed a label or a confidence), requests
  to the app from pen-down to the final answer;
- the same on a phone (390x844, touch, the CPU slowed 4x with ``Emulation.setCPUThrottlingRate``), and what is on
  its first screen once it has answered;
- ``--pages`` pages (64) open at once: the figures of one drawing while the others wait, then of all drawing at
  once (on this machine the pages share its 2 cores), and the server's CPU time per stroke, less what it spends
  with every page open and none drawing.
The first stroke of each page warms it up and is not counted. Writes bench/classroom-results.json.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import time
from pathlib import Path
from typing import Any

from playwright.async_api import Browser, Page, async_playwright

from bench.serve import percentile, start
from tools.browser import BROWSER_ARGS, CHROMIUM

NETWORK = {"offline": False, "latency": 100, "downloadThroughput": 12e6 / 8, "uploadThroughput": 6e6 / 8}
DESKTOP = {"viewport": {"width": 1400, "height": 1000}}
PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True, "device_scale_factor": 3}
PHONE_SLOWDOWN = 4
FRAME_S = 1 / 60  # an input event a frame, as a pen reports it
STROKE_S = 1.0
SETTLE_S = 1.5  # the final answer: the last one drawn before the page is quiet this long after pen-up
IDLE_S = 10.0  # the server's CPU time with every page open and none drawing, over this long
ARRIVING = 8  # pages opened at a time
READY_TIMEOUT_MS = 600_000  # 64 first visits on 2 cores take minutes
SHIPPED_MNIST = "lenet5-1998,lenet5,lenet5-modern"
APP_CALLS = "/gradio_api/"  # a request that asks the app to do something
PAGE_FILES = "/lenet/"  # the page's own scripts and models
SHAPES = [  # strokes in canvas fractions: single-stroke digits and scribbles
    [(0.5, 0.15), (0.5, 0.85)],
    [(0.25, 0.25), (0.75, 0.25), (0.45, 0.85)],
    [(0.3, 0.3), (0.5, 0.15), (0.7, 0.3), (0.3, 0.8), (0.75, 0.8)],
    [(0.7, 0.2), (0.3, 0.2), (0.3, 0.5), (0.7, 0.5), (0.7, 0.8), (0.3, 0.8)],
    [(0.5, 0.2), (0.25, 0.6), (0.75, 0.6), (0.6, 0.45), (0.6, 0.85)],
    [(0.5, 0.15), (0.25, 0.5), (0.5, 0.85), (0.75, 0.5), (0.5, 0.15)],
]
# The page's clock for every input event; for every answer drawn (the answers strip names the drawing its answer
# is for: data-drawing); and for every answer that differs from the one before (each variant's label and
# confidence). An answer is on screen once the task that drew it (and rendered the frame) is over.
WATCH_JS = """() => {
  window.__bench = {down: [], move: [], up: [], drawn: [], changed: []};
  for (const kind of ["down", "move", "up"]) {
    document.addEventListener("pointer" + kind, (event) => __bench[kind].push(event.timeStamp), true);
  }
  const strip = document.querySelector("#draw-answers");
  let shown = strip.innerText;
  new MutationObserver((records) => {
    const now = (list) => setTimeout(() => list.push(performance.now()));
    if (records.some((record) => record.attributeName === "data-drawing")) now(__bench.drawn);
    if (strip.innerText !== shown) { shown = strip.innerText; now(__bench.changed); }
  }).observe(strip, {subtree: true, childList: true, characterData: true, attributes: true});
}"""
FIRST_SCREEN_JS = """() => {
  const visible = (node) => { const r = node.getBoundingClientRect();
    return r.width > 0 && r.top >= 0 && r.bottom <= innerHeight && r.left >= 0 && r.right <= innerWidth; };
  const predictions = [...document.querySelectorAll('#draw-answers .prediction')];
  return {answers: predictions.length, answers_on_first_screen: predictions.filter(visible).length,
          scrolls_sideways: document.documentElement.scrollWidth > innerWidth};
}"""


class Visit:
    """One page, a first visit on the emulated network; counts the bytes and the app requests it makes."""

    def __init__(self, page: Page, cdp: Any) -> None:
        self.page, self.cdp = page, cdp
        self.urls: dict[str, str] = {}
        self.bytes: dict[str, int] = {}  # by URL: bytes on the wire
        self.app_calls = 0
        cdp.on("Network.requestWillBeSent", self.sent)
        cdp.on("Network.loadingFinished", self.received)

    def sent(self, event: dict) -> None:
        self.urls[event["requestId"]] = event["request"]["url"]
        self.app_calls += APP_CALLS in event["request"]["url"]

    def received(self, event: dict) -> None:
        url = self.urls.get(event["requestId"], "")
        self.bytes[url] = self.bytes.get(url, 0) + int(event["encodedDataLength"])

    def transferred(self) -> dict[str, int]:
        return {"total_bytes": sum(self.bytes.values()),
                "page_files_bytes": sum(n for url, n in self.bytes.items() if PAGE_FILES in url)}


async def visit(browser: Browser, url: str, options: dict, slowdown: int = 1, context=None) -> Visit:
    context = context or await browser.new_context(**options)
    context.set_default_timeout(READY_TIMEOUT_MS)  # 64 pages on 2 cores answer Playwright slowly
    page = await context.new_page()
    cdp = await context.new_cdp_session(page)
    seen = Visit(page, cdp)
    await cdp.send("Network.enable")
    await cdp.send("Network.emulateNetworkConditions", NETWORK)
    if slowdown > 1:
        await cdp.send("Emulation.setCPUThrottlingRate", {"rate": slowdown})
    await page.goto(url, timeout=READY_TIMEOUT_MS)
    if "server=1" in url:
        await page.locator("#draw-answers .answers").wait_for(timeout=READY_TIMEOUT_MS)
    else:
        await page.locator(f'#sketchpad [data-local="{SHIPPED_MNIST}"]').wait_for(state="attached", timeout=READY_TIMEOUT_MS)
    await page.evaluate(WATCH_JS)
    return seen


def path(shape: list[tuple[float, float]], steps: int) -> list[tuple[float, float]]:
    """``steps`` points evenly along the polyline."""
    lengths = [0.0]
    for a, b in zip(shape, shape[1:]):
        lengths.append(lengths[-1] + ((b[0] - a[0]) ** 2 + (b[1] - a[1]) ** 2) ** 0.5)
    points = []
    for step in range(steps):
        at = lengths[-1] * step / (steps - 1)
        i = max(j for j in range(len(shape) - 1) if lengths[j] <= at) if at < lengths[-1] else len(shape) - 2
        t = (at - lengths[i]) / max(lengths[i + 1] - lengths[i], 1e-9)
        points.append((shape[i][0] + t * (shape[i + 1][0] - shape[i][0]), shape[i][1] + t * (shape[i + 1][1] - shape[i][1])))
    return points


async def stroke(seen: Visit, shape: list[tuple[float, float]], touch: bool) -> dict[str, Any]:
    """Draw ``shape`` over ``STROKE_S``, a move a frame; the figures of this stroke in the page's clock."""
    page, cdp = seen.page, seen.cdp
    box = await page.locator("#sketchpad canvas").bounding_box()
    points = [(box["x"] + x * box["width"], box["y"] + y * box["height"]) for x, y in path(shape, round(STROKE_S / FRAME_S))]
    await page.evaluate("() => { for (const list of Object.values(__bench)) list.length = 0; }")
    calls = seen.app_calls
    began = time.perf_counter()
    for index, (x, y) in enumerate(points):
        if touch:
            kind = "touchStart" if index == 0 else "touchMove"
            await cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": [{"x": x, "y": y}]})
        else:
            kind = "mousePressed" if index == 0 else "mouseMoved"
            await cdp.send("Input.dispatchMouseEvent", {"type": kind, "x": x, "y": y, "button": "left", "buttons": 1,
                                                        "clickCount": 1})
        await asyncio.sleep(max(0.0, began + (index + 1) * FRAME_S - time.perf_counter()))
    if touch:
        await cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    else:
        x, y = points[-1]
        await cdp.send("Input.dispatchMouseEvent", {"type": "mouseReleased", "x": x, "y": y, "button": "left", "clickCount": 1})
    while True:  # until the page has been quiet for SETTLE_S
        await asyncio.sleep(SETTLE_S / 3)
        quiet = await page.evaluate("() => performance.now() - Math.max(0, ...__bench.drawn, ...__bench.changed, ...__bench.up)")
        if quiet > SETTLE_S * 1000:
            break
    marks = await page.evaluate("() => __bench")
    down, up, drawn = marks["down"][0], marks["up"][-1], sorted(marks["drawn"])
    after = [t for t in drawn if t >= up]
    final = after[-1] if after else up  # none after pen-up: the answer to the whole stroke was on screen already
    moves = [t for t in marks["move"] if down <= t <= up]
    waits = [next((t for t in drawn if t >= move), final) - move for move in moves]
    return {"move_to_answer_ms": waits, "pen_up_to_final_ms": final - up,
            "answers_during_stroke": sum(down <= t <= up for t in drawn),
            "changes_during_stroke": sum(down <= t <= up for t in marks["changed"]), "app_calls": seen.app_calls - calls}


def summarise(strokes: list[dict[str, Any]]) -> dict[str, Any]:
    waits = [w for s in strokes for w in s["move_to_answer_ms"]]
    finals = [s["pen_up_to_final_ms"] for s in strokes]
    answers = [s["answers_during_stroke"] for s in strokes]
    changes = [s["changes_during_stroke"] for s in strokes]
    return {"strokes": len(strokes),
            "move_to_answer_p50_ms": round(statistics.median(waits), 1), "move_to_answer_p95_ms": round(percentile(waits, 95), 1),
            "pen_up_to_final_p50_ms": round(statistics.median(finals), 1), "pen_up_to_final_p95_ms": round(percentile(finals, 95), 1),
            "answers_during_1s_stroke_median": statistics.median(answers), "answers_during_1s_stroke_min": min(answers),
            "changed_answers_during_1s_stroke_median": statistics.median(changes),
            "app_calls_per_stroke": round(statistics.mean(s["app_calls"] for s in strokes), 1)}


async def draw_strokes(seen: Visit, count: int, touch: bool = False) -> list[dict[str, Any]]:
    await stroke(seen, SHAPES[0], touch)  # warm-up
    return [await stroke(seen, SHAPES[i % len(SHAPES)], touch) for i in range(count)]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def crowd(browser: Browser, url: str, strokes: int, pages: int, server_pid: int) -> dict[str, Any]:
    """``pages`` first visits open at once; one draws while the others wait, then all draw at once. The server's
    CPU time is read while they all wait (its idle work: connections, heartbeats) and while they all draw."""
    many = []
    for _ in range(0, pages, ARRIVING):  # a class comes in a few at a time; then they all draw at once
        many += await asyncio.gather(*(visit(browser, url, DESKTOP) for _ in range(min(ARRIVING, pages - len(many)))))
    alone = summarise(await draw_strokes(many[0], strokes))
    began, cpu = time.perf_counter(), cpu_seconds(server_pid)
    await asyncio.sleep(IDLE_S)
    idle_cpu_per_s = (cpu_seconds(server_pid) - cpu) / (time.perf_counter() - began)
    began, cpu = time.perf_counter(), cpu_seconds(server_pid)
    drawn = await asyncio.gather(*(draw_strokes(seen, strokes) for seen in many))
    seconds, spent = time.perf_counter() - began, cpu_seconds(server_pid) - cpu
    every = [s for page_strokes in drawn for s in page_strokes]
    for seen in many:
        await seen.page.context.close()
    return {"one_drawing_the_others_open": alone, "all_drawing_at_once": summarise(every),
            "server_cpu_ms_per_stroke": round(1000 * spent / len(every), 2),
            "server_cpu_ms_per_stroke_above_idle": round(1000 * (spent - idle_cpu_per_s * seconds) / len(every), 2)}


async def mode(browser: Browser, url: str, strokes: int, pages: int, server_pid: int) -> dict[str, Any]:
    """Every figure for one way of answering (``url`` with or without ?server=1)."""
    desktop = await visit(browser, url, DESKTOP)
    first_visit = desktop.transferred()
    again = await visit(browser, url, DESKTOP, context=desktop.page.context)  # a second visit: the same cache
    result: dict[str, Any] = {"first_visit": first_visit, "second_visit": again.transferred()}
    await again.page.close()
    result["desktop"] = summarise(await draw_strokes(desktop, strokes))
    await desktop.page.context.close()
    phone = await visit(browser, url, PHONE, slowdown=PHONE_SLOWDOWN)
    result["phone"] = {**summarise(await draw_strokes(phone, strokes, touch=True)),
                       **await phone.page.evaluate(FIRST_SCREEN_JS)}
    await phone.page.context.close()
    if pages:
        result[f"{pages}_pages"] = await crowd(browser, url, strokes, pages, server_pid)
    return result


async def run(args: argparse.Namespace) -> None:
    """Each way of answering in turn; the results file is rewritten as each is measured (keeping the other's)."""
    server, url, _ = start(["demo"])
    results = json.loads(args.out.read_text()) if args.out.is_file() else {}
    results.update({"network": NETWORK, "phone_cpu_slowdown": PHONE_SLOWDOWN, "strokes": args.strokes})
    try:
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
            for name, suffix in (("page", ""), ("server", "?server=1")):
                if name in args.modes:
                    results[name] = await mode(browser, url + suffix, args.strokes, args.pages, server.pid)
                    args.out.write_text(json.dumps(results, indent=2) + "\n")
                    print(json.dumps({name: results[name]}, indent=2), flush=True)
            await browser.close()
    finally:
        server.kill()
    print(f"wrote {args.out}")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.classroom", description=__doc__.split("\n")[0])
    parser.add_argument("--strokes", type=int, default=10, help="one-second strokes a page (after one to warm up)")
    parser.add_argument("--pages", type=int, default=64, help="pages drawing at once (0: none)")
    parser.add_argument("--modes", nargs="+", default=["page", "server"], choices=["page", "server"])
    parser.add_argument("--out", type=Path, default=Path("bench/classroom-results.json"))
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
