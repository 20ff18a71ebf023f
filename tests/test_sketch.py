"""demo.sketch: decoding the canvas's value, and the canvas itself in a real browser.

The browser tests serve a tiny app (the canvas asking the server for every answer, as with ``?server=1``, and a
handler that counts its calls and answers with the ink's bounding box) and drive Debian's chromium with
Playwright: mouse on a desktop page, touch on a phone. The page answering by itself is tested in test_browser.py.
"""
from __future__ import annotations

import base64
import io
import statistics
import time
from collections.abc import Iterator

import gradio as gr
import numpy as np
import pytest
from PIL import Image

from demo.app import launch_options
from demo.serving import free_port
from demo.sketch import (
    BRUSH_WIDTH,
    CANVAS_SIDE,
    MAX_SIDE,
    MAX_VALUE_CHARS,
    PNG_DATA_URL,
    SENT_SIDE,
    sketch_image,
    sketchpad,
)
from lenet import InputError
from tools.browser import SKETCHPAD_READY

Box = tuple[int, int, int, int]  # left, top, right, bottom ink pixels of the sent picture

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
INK_LEVEL = 128  # a pixel of the sent picture darker than this is ink
BOX_TOLERANCE = 3  # pixels of the sent picture: antialiasing, the canvas border, rounding
STROKE_S = 1.0
QUICK_STROKE_S = 0.3
TOUCH_STEPS = 30
SETTLE_S = 0.4  # no new call for this long and the last answer shown: the canvas has said everything
SETTLE_TIMEOUT_S = 15
MIN_CALLS_DURING_STROKE = 3
LATENCY_STROKES = 10
FILLS_CONTAINER = 0.9  # the canvas's width over its component's (which has some padding)
FILLER_PARAGRAPHS = 60  # text below the canvas, so that the phone page could scroll


def png_bytes(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def data_url(data: bytes) -> str:
    return PNG_DATA_URL + base64.b64encode(data).decode("ascii")


def png_data_url(image: Image.Image) -> str:
    return data_url(png_bytes(image))


def test_a_png_data_url_decodes_to_the_picture_it_holds() -> None:
    picture = Image.new("L", (SENT_SIDE, SENT_SIDE), 255)
    picture.paste(0, (30, 40, 60, 90))
    decoded = sketch_image(png_data_url(picture))
    assert decoded.size == (SENT_SIDE, SENT_SIDE)
    assert np.array_equal(np.asarray(decoded.convert("L")), np.asarray(picture))


@pytest.mark.parametrize("value", [None, ""])
def test_an_empty_canvas_is_none(value: str | None) -> None:
    assert sketch_image(value) is None


@pytest.mark.parametrize("value, message", [
    ("hello", "must be a PNG data URL"),
    (["data:image/png;base64,"], "must be a PNG data URL"),
    (png_data_url(Image.new("L", (8, 8))).replace("image/png", "image/jpeg"), "must be a PNG data URL"),
    (PNG_DATA_URL + "not base64!", "not valid base64"),
    (data_url(b"GIF89a and more"), "not a PNG image"),
    (data_url(png_bytes(Image.new("L", (8, 8)))[:-30]), "not a readable PNG"),
    (png_data_url(Image.new("1", (MAX_SIDE + 1, 1))), "too large"),
    (PNG_DATA_URL + "A" * MAX_VALUE_CHARS, "too large"),
])
def test_anything_else_is_refused_with_a_clear_message(value: object, message: str) -> None:
    with pytest.raises(InputError, match=message):
        sketch_image(value)


def ink_box(image: Image.Image | None) -> Box | None:
    if image is None:
        return None
    ys, xs = np.nonzero(np.asarray(image.convert("L")) < INK_LEVEL)
    return (int(xs.min()), int(ys.min()), int(xs.max()), int(ys.max())) if len(xs) else None


def line_box(start: tuple[float, float], end: tuple[float, float]) -> Box:
    """Where a straight stroke between two points (fractions of the canvas) should ink the sent picture."""
    radius = BRUSH_WIDTH / 2 * SENT_SIDE / CANVAS_SIDE
    xs, ys = (start[0] * SENT_SIDE, end[0] * SENT_SIDE), (start[1] * SENT_SIDE, end[1] * SENT_SIDE)
    return round(min(xs) - radius), round(min(ys) - radius), round(max(xs) + radius), round(max(ys) + radius)


def union(*boxes: Box) -> Box:
    return min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes)


def assert_close(box: Box | None, expected: Box) -> None:
    assert box is not None and all(abs(a - b) <= BOX_TOLERANCE for a, b in zip(box, expected)), (box, expected)


class Echo:
    """The handler: counts its calls and answers with the ink's bounding box, numbered."""

    def __init__(self) -> None:
        self.boxes: list[Box | None] = []

    def __call__(self, value: str | None) -> str:
        self.boxes.append(ink_box(sketch_image(value)))
        return f'<span data-call="{len(self.boxes)}">call {len(self.boxes)}: {self.boxes[-1]}</span>'


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[str, Echo]]:
    echo = Echo()
    with gr.Blocks() as app:
        with gr.Row():
            with gr.Column(scale=1, min_width=300):
                canvas = sketchpad(models=[], chosen=[], hint="draw_hint", models_event="echo-models", server_only=True)
            with gr.Column(scale=3):
                answer = gr.HTML(elem_id="echo")
        gr.Markdown("\n\n".join(["Filler, so that the page is taller than a phone's screen."] * FILLER_PARAGRAPHS),
                    elem_id="filler")
        canvas.ask(echo, canvas, answer, trigger_mode="always_last", show_progress="hidden")
    port = free_port()
    app.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True, **launch_options())
    yield f"http://127.0.0.1:{port}/", echo
    app.close()


def open_page(browser, url: str, **context_options):
    page = browser.new_context(**context_options).new_page()
    page.goto(url)
    page.locator(SKETCHPAD_READY).wait_for()
    return page


@pytest.fixture(scope="module")
def page(browser, served):
    url, echo = served
    page = open_page(browser, url, viewport=DESKTOP)
    # The first event a Gradio process serves waits about half a second (measured): not the canvas's doing.
    stroke(page, echo, (0.5, 0.5), (0.55, 0.5), QUICK_STROKE_S)
    clear(page, echo)
    yield page
    page.context.close()


def canvas_point(page, x: float, y: float) -> tuple[float, float]:
    """Page coordinates of a point given as fractions of the canvas."""
    box = page.locator("#sketchpad canvas").bounding_box()
    return box["x"] + x * box["width"], box["y"] + y * box["height"]


def stroke(page, echo: Echo, start: tuple[float, float], end: tuple[float, float], seconds: float) -> int:
    """A straight mouse stroke at an even pace; returns how many handler calls came while the pen was down."""
    (x0, y0), (x1, y1) = canvas_point(page, *start), canvas_point(page, *end)
    calls = len(echo.boxes)
    page.mouse.move(x0, y0)
    page.mouse.down()
    began = time.perf_counter()
    while (done := (time.perf_counter() - began) / seconds) < 1:
        page.mouse.move(x0 + (x1 - x0) * done, y0 + (y1 - y0) * done)
        page.wait_for_timeout(10)
    page.mouse.move(x1, y1)
    during = len(echo.boxes) - calls
    page.mouse.up()
    return during


def settle(page, echo: Echo) -> Box | None:
    """Wait until the calls stop and the last answer is on the page; returns the last box."""
    deadline = time.perf_counter() + SETTLE_TIMEOUT_S
    seen, since = len(echo.boxes), time.perf_counter()
    while time.perf_counter() < deadline:
        page.wait_for_timeout(50)
        if len(echo.boxes) != seen:
            seen, since = len(echo.boxes), time.perf_counter()
        shown = page.locator("#echo [data-call]").last.get_attribute("data-call") if seen else "0"
        if time.perf_counter() - since >= SETTLE_S and shown == str(seen):
            return echo.boxes[-1] if seen else None
    raise AssertionError(f"no settled answer after {SETTLE_TIMEOUT_S} s ({seen} calls)")


def click(page, echo: Echo, action: str) -> Box | None:
    page.locator(f"#sketchpad [data-action={action}]").click()
    return settle(page, echo)


def clear(page, echo: Echo) -> None:
    if page.locator("#sketchpad [data-action=clear]").is_enabled():
        assert click(page, echo, "clear") is None


def screen_ink(page) -> int:
    """Dark pixels on the canvas as displayed."""
    return page.evaluate("""() => {
        const canvas = document.querySelector('#sketchpad canvas');
        const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
        let dark = 0;
        for (let i = 0; i < pixels.length; i += 4) dark += pixels[i] < 128;
        return dark;
    }""")


@pytest.mark.browser
@pytest.mark.slow
def test_answers_arrive_while_the_pen_moves(page, served) -> None:
    _, echo = served
    start, end = (0.2, 0.3), (0.8, 0.7)
    first = len(echo.boxes)
    during = stroke(page, echo, start, end, STROKE_S)
    final = settle(page, echo)
    assert during >= MIN_CALLS_DURING_STROKE
    assert_close(final, line_box(start, end))
    assert echo.boxes[first][2] < final[2] - BOX_TOLERANCE  # the first answer saw only the start of the stroke
    assert screen_ink(page) > 0


@pytest.mark.browser
@pytest.mark.slow
def test_undo_takes_back_the_last_stroke_and_clear_empties_the_canvas(page, served) -> None:
    _, echo = served
    clear(page, echo)
    assert page.locator("#sketchpad [data-action=undo]").is_disabled()
    bar, post = ((0.2, 0.2), (0.8, 0.2)), ((0.5, 0.4), (0.5, 0.9))
    stroke(page, echo, *bar, QUICK_STROKE_S)
    stroke(page, echo, *post, QUICK_STROKE_S)
    assert_close(settle(page, echo), union(line_box(*bar), line_box(*post)))
    assert_close(click(page, echo, "undo"), line_box(*bar))
    assert click(page, echo, "undo") is None
    assert page.locator("#sketchpad [data-action=undo]").is_disabled()
    assert screen_ink(page) == 0
    stroke(page, echo, *post, QUICK_STROKE_S)
    assert_close(settle(page, echo), line_box(*post))
    assert click(page, echo, "clear") is None
    assert screen_ink(page) == 0


def touch_swipe(page, start: tuple[float, float], end: tuple[float, float]) -> None:
    """A one-finger swipe between page coordinates, as real touch input (Playwright's touchscreen only taps)."""
    session = page.context.new_cdp_session(page)
    (x0, y0), (x1, y1) = start, end
    session.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x0, "y": y0}]})
    for step in range(1, TOUCH_STEPS + 1):
        x, y = x0 + (x1 - x0) * step / TOUCH_STEPS, y0 + (y1 - y0) * step / TOUCH_STEPS
        session.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": x, "y": y}]})
        page.wait_for_timeout(15)
    session.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    session.detach()


@pytest.mark.browser
@pytest.mark.slow
def test_a_finger_draws_on_a_phone_without_scrolling_the_page(browser, served) -> None:
    url, echo = served
    page = open_page(browser, url, viewport=PHONE, has_touch=True, is_mobile=True, device_scale_factor=2)
    try:
        box, block = page.locator("#sketchpad canvas").bounding_box(), page.locator("#sketchpad").bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]  # it fits the screen...
        assert box["width"] >= block["width"] * FILLS_CONTAINER  # ...as wide as its component allows
        start, end = (0.5, 0.85), (0.5, 0.15)  # upwards: a swipe that would scroll the page down
        touch_swipe(page, canvas_point(page, *start), canvas_point(page, *end))
        assert_close(settle(page, echo), line_box(start, end))
        assert page.evaluate("window.scrollY") == 0
        # The same swipe on the text below the canvas does scroll: the check above can fail.
        text = page.locator("#filler").bounding_box()
        low = min(text["y"] + text["height"], PHONE["height"]) - 20
        touch_swipe(page, (PHONE["width"] / 2, low), (PHONE["width"] / 2, low - 200))
        page.wait_for_function("window.scrollY > 0")
    finally:
        page.context.close()


@pytest.mark.browser
@pytest.mark.slow
def test_pen_up_latency_is_reported(page, served, capsys) -> None:
    """Pen-up to the request and to the handler's answer on the page, in the browser's clock; no assertions."""
    _, echo = served
    page.evaluate("""() => {
        window.penUps = [];
        window.answers = [];
        performance.setResourceTimingBufferSize(100000);
        window.addEventListener('pointerup', () => penUps.push(performance.now()), true);
        new MutationObserver(() => {  // on the whole page: the answer's element may be replaced, not only its children
            const shown = document.querySelectorAll('#echo [data-call]');
            const call = shown.length ? Number(shown[shown.length - 1].dataset.call) : 0;
            if (call !== (answers.at(-1) || [0, 0])[1]) answers.push([performance.now(), call]);
        }).observe(document.body, {childList: true, subtree: true, characterData: true, attributes: true});
    }""")
    to_request, to_answer, rates = [], [], []
    for index in range(LATENCY_STROKES):
        clear(page, echo)
        x = 0.15 + 0.7 * index / (LATENCY_STROKES - 1)
        during = stroke(page, echo, (x, 0.15), (1 - x, 0.85), STROKE_S)
        settle(page, echo)
        settled = int(page.locator("#echo [data-call]").last.get_attribute("data-call"))  # a later call may still come
        rates.append(during / STROKE_S)
        pen_up, answers, requests = page.evaluate("""[penUps[penUps.length - 1], answers,
            performance.getEntriesByType('resource').filter(e => e.name.includes('/queue/join')).map(e => e.startTime)]""")
        to_request.append(min((moment for moment in requests if moment >= pen_up), default=pen_up) - pen_up)
        shown = next((moment for moment, call in answers if call >= settled), None)
        assert shown is not None, f"call {settled} is on the page but was never seen arriving: {answers[-3:]}"
        to_answer.append(max(0.0, shown - pen_up))  # 0: the answer to the whole stroke came before pen-up
    with capsys.disabled():
        for name, values in (("request sent", to_request), ("answer shown", to_answer)):
            print(f"\npen-up -> {name} over {LATENCY_STROKES} strokes: p50 {statistics.median(values):.0f} ms, "
                  f"p95 {np.percentile(values, 95):.0f} ms, max {max(values):.0f} ms", end="")
        print(f"\nanswers while the pen moves: {statistics.median(rates):.1f} a second (median)")
