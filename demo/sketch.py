"""The Draw tab's canvas: a small drawing surface of our own, built on ``gr.HTML``.

Gradio's Sketchpad reports a drawing only well after pen-up and never during a stroke. This one
(demo/static/sketch.js) sends the picture while the pen moves, at most every ``SEND_INTERVAL_MS``, and once
more at pen-up, each time as a small PNG data URL in the component's value; every change fires the
component's ``change`` event. Wire it with ``trigger_mode="always_last"`` so that requests never pile up,
and decode the value with ``sketch_image``.
"""
from __future__ import annotations

import base64
import binascii
import io
from pathlib import Path

import gradio as gr
from PIL import Image, UnidentifiedImageError

from lenet import InputError

CANVAS_SIDE = 280  # the logical drawing space, in CSS pixels at full size; the canvas shrinks on phones
BRUSH_WIDTH = 12  # in logical pixels
SENT_SIDE = 112  # the picture sent to Python: 28x28 MNIST times 4, ample for a 32x32 model input
SEND_INTERVAL_MS = 120  # while a stroke is in progress, about eight pictures a second
PNG_DATA_URL = "data:image/png;base64,"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MAX_VALUE_CHARS = 200_000  # a 112x112 drawing is a few kB of PNG; anything far larger was not sent by the canvas
MAX_SIDE = 1024  # pixels per side of a decoded drawing
SCRIPT = (Path(__file__).parent / "static" / "sketch.js").read_text(encoding="utf-8")

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


def sketchpad(texts: dict[str, dict[str, str]], elem_id: str = "sketchpad") -> gr.HTML:
    """The canvas with its Undo and Clear buttons; its value is a PNG data URL, or "" once cleared.

    ``texts`` maps a language code to the words ``label``, ``undo`` and ``clear``; the browser's language picks.

    Listen to its ``change`` event with ``trigger_mode="always_last"`` (one request in flight, then the latest
    picture; the ones in between are skipped) and turn the value into an image with ``sketch_image``.
    """
    return gr.HTML(
        value=None,
        texts=texts,
        html_template=HTML_TEMPLATE,
        css_template=CSS_TEMPLATE,
        js_on_load=SCRIPT,
        apply_default_css=False,
        elem_id=elem_id,
        canvas_side=CANVAS_SIDE,
        brush_width=BRUSH_WIDTH,
        sent_side=SENT_SIDE,
        send_interval_ms=SEND_INTERVAL_MS,
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
