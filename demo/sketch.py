"""The Draw tab's canvas and the page's brain behind it, built on ``gr.HTML``.

demo/static/draw.js keeps the strokes (sketch.js), and on every animation frame while the pen moves, and at
pen-up, reads the drawing with MNIST's recipe (recipe.js), runs each chosen variant's browser form (runtime.js)
and draws the answers (cards.js): no request to the server. Variants the page cannot run are asked of the
server: the drawing goes as the component's value (a small PNG data URL, at most every ``SEND_INTERVAL_MS``
while the pen moves, and at pen-up) with the component's ``ask`` event, and the answer comes back as its
``remote`` prop (a view, demo/cards.py). Decode the value with ``sketch_image``.
"""
from __future__ import annotations

import base64
import binascii
import io

import gradio as gr
from PIL import Image, UnidentifiedImageError

from demo.scripts import loader, scripts_address
from lenet import InputError

CANVAS_SIDE = 280  # the logical drawing space, in CSS pixels at full size; the canvas shrinks on phones
BRUSH_WIDTH = 12  # in logical pixels
SENT_SIDE = 112  # the picture the models read: 28x28 MNIST times 4, ample for a 32x32 model input
SEND_INTERVAL_MS = 120  # when the server answers: while a stroke is in progress, about eight pictures a second
PNG_DATA_URL = "data:image/png;base64,"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MAX_VALUE_CHARS = 200_000  # a 112x112 drawing is a few kB of PNG; anything far larger was not sent by the canvas
MAX_SIDE = 1024  # pixels per side of a decoded drawing
CANVAS_WORDS = {"label": "draw_label", "undo": "undo", "clear": "clear"}  # the canvas's words -> string keys
ASK = "ask"  # the event the page sends the drawing with; js_on_load must name it (gr.HTML finds it there)

# gr.HTML fills the templates with Handlebars ({{...}}, escaped) and then as a JavaScript template string (${...}).
HTML_TEMPLATE = """
<div class="sketch">
  <div class="sketch-bar">
    <span class="sketch-label" data-text="label"></span>
    <button type="button" data-action="undo" data-text="undo" disabled></button>
    <button type="button" data-action="clear" data-text="clear" disabled></button>
  </div>
  <canvas width="${canvas_side}" height="${canvas_side}" role="img"></canvas>
</div>
"""
CSS_TEMPLATE = """
.sketch { display: flex; flex-direction: column; gap: 8px; width: 100%; max-width: 420px; margin: 0 auto; }
.sketch-bar { display: flex; align-items: center; gap: 8px; }
.sketch-label { flex: 1; font-weight: 600; color: var(--body-text-color); }
.sketch-bar button {
  padding: 4px 14px; border-radius: var(--button-small-radius, 6px); cursor: pointer;
  border: 1px solid var(--button-secondary-border-color, var(--border-color-primary));
  background: var(--button-secondary-background-fill); color: var(--button-secondary-text-color);
  font-size: var(--text-md);
}
.sketch-bar button:hover:not(:disabled) { background: var(--button-secondary-background-fill-hover); }
.sketch-bar button:disabled { opacity: 0.5; cursor: default; }
@media (pointer: coarse) { .sketch-bar button { padding: 10px 18px; } }
.sketch canvas {
  display: block; width: 100%; aspect-ratio: 1; background: #fff; cursor: crosshair;
  border: 1px solid var(--border-color-primary); border-radius: var(--radius-lg);
  touch-action: none; user-select: none; -webkit-user-select: none; -webkit-touch-callout: none;
}
"""


def sketchpad(models: list[dict], chosen: list[str], hint: str, models_event: str, answers_id: str | None = None,
              cards_id: str | None = None, map_px: tuple[int, int] = (0, 0), server_only: bool = False,
              elem_id: str = "sketchpad") -> gr.HTML:
    """The canvas with its Undo and Clear buttons, answering for the ``chosen`` variants of ``models`` (the page's
    catalogue: ``{"name", "form", "weights", "accuracy", "params"}``, a form's address relative to the page).

    The page draws the answers into the components ``answers_id`` and ``cards_id`` (demo/cards.py) and shows
    the message ``hint`` on an empty canvas; the document event ``models_event`` tells it which variants are
    chosen. ``server_only``: every variant is asked of the server (tests of the canvas itself). Listen to its
    ``ask`` event with ``trigger_mode="always_last"`` and answer with ``gr.HTML(remote=view)``.
    """
    return gr.HTML(
        value=None,
        html_template=HTML_TEMPLATE,
        css_template=CSS_TEMPLATE,
        js_on_load=loader("draw.js", "mount(element, props, trigger, watch)") + f' // triggers "{ASK}"',
        apply_default_css=False,
        elem_id=elem_id,
        scripts=scripts_address(),
        canvas_side=CANVAS_SIDE,
        brush_width=BRUSH_WIDTH,
        picture_side=SENT_SIDE,
        send_interval_ms=SEND_INTERVAL_MS,
        canvas_words=CANVAS_WORDS,
        models=models,
        chosen=chosen,
        models_event=models_event,
        hint=hint,
        answers_id=answers_id,
        cards_id=cards_id,
        map_px=list(map_px),
        server_only=server_only,
        remote=None,
    )


def sketch_image(value: str | None) -> Image.Image | None:
    """The drawing as a decoded PIL image, or None for an empty canvas (the app then shows its hint).

    Any client can send any value to the event, so everything but a small PNG data URL is refused
    with an ``InputError`` that says what was wrong.
    """
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not value.startswith(PNG_DATA_URL):
        raise InputError("the drawing must be a PNG data URL (data:image/png;base64,...)")
    if len(value) > MAX_VALUE_CHARS:
        raise InputError(f"the drawing is too large ({len(value):,} characters; the limit is {MAX_VALUE_CHARS:,})")
    try:
        data = base64.b64decode(value[len(PNG_DATA_URL):], validate=True)
    except binascii.Error as error:
        raise InputError("the drawing is not valid base64") from error
    if not data.startswith(PNG_SIGNATURE):
        raise InputError("the drawing is not a PNG image")
    try:
        image = Image.open(io.BytesIO(data), formats=["PNG"])
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as error:
        raise InputError("the drawing is not a readable PNG") from error
    if max(image.size) > MAX_SIDE:
        raise InputError(f"the drawing is too large ({image.width}x{image.height}); "
                         f"the limit is {MAX_SIDE} pixels a side")
    try:
        image.load()
    except (OSError, SyntaxError, ValueError, EOFError) as error:
        raise InputError("the drawing is not a readable PNG") from error
    return image
