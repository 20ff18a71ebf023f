"""What a results panel shows, as data for the page's one renderer (demo/static/cards.js), and the panel itself.

A *view* is a JSON object, made here on the server or by the page itself (demo/static/draw.js):

- ``{"message": html}`` or ``{"message_key": key}``: no answers, only why (a refusal) or what to do (a hint);
- ``{"note": html, "original": url, "seen": seen, "variants": [variant, ...]}``: the answers, where ``original``
  (optional) is a preview of the uploaded image, ``seen`` the 32x32 input (``{"channels", "side", "levels"}``)
  and each variant is ``{"model", "classes", "probabilities", "facts":
  {"key", "values"}, "maps": [{"shape", "px", "caption_key", "levels"}], "figures": html, "problem": text}``.

``levels`` are 0-255, one per pixel or activation, as base64 (the page's own views pass the bytes).
Handlers return ``{component: value}`` dicts built here, so nothing depends on output order.
"""
from __future__ import annotations

import base64
import html
from typing import Any

import gradio as gr
import torch
from PIL import Image

from demo.compare import Comparison, VariantResult, compare
from demo.render import C1_PX, C3_PX, shared_scale, thumbnail
from demo.scripts import loader, scripts_address
from demo.strings import class_names, text
from demo.zoo import Zoo
from lenet import (
    EmptyImageError,
    ImageTooLargeError,
    LenetError,
    Predictor,
    UnreadableImageError,
)
from lenet.preprocess import MAX_INPUT_PIXELS, ImageSource

Update = dict[gr.components.Component, Any]
View = dict[str, Any]
REASON_KEYS: dict[type[LenetError], str] = {UnreadableImageError: "unreadable_image", ImageTooLargeError: "image_too_large"}
LEVELS = 255
MAP_STAGES = (("c1", "c1_maps", C1_PX), ("c3", "c3_maps", C3_PX))  # stage, caption, CSS pixels per activation
PREVIEW_SIDE = 256  # pixels: as wide as the 32x32 input is shown
ANSWERS_TEMPLATE = '<div class="slot"></div>'  # cards.js writes the answers strip into it
PANEL_TEMPLATE = '<div class="panel"></div>'  # ...and the cards into this


def levels(values: torch.Tensor) -> str:
    """Values in [0, 1] as base64 bytes 0-255, in row-major order."""
    quantised = (values.clamp(0, 1) * LEVELS).round().to(torch.uint8).contiguous().numpy()
    return base64.b64encode(quantised.tobytes()).decode("ascii")


def variant_view(result: VariantResult, classes: list[str]) -> View:
    """One variant's card; ``classes``: its classes' names in the reader's language."""
    maps = [{"shape": list(stage.shape), "px": px, "caption_key": caption, "levels": levels(shared_scale(stage))}
            for stage, (_, caption, px) in zip((result.c1, result.c3), MAP_STAGES)]
    return {"model": result.model, "classes": classes, "probabilities": list(result.probabilities.values()),
            "facts": {"key": "card_facts", "values": {"accuracy": result.test_accuracy, "params": result.params,
                                                      "ms": result.latency_ms}},
            "maps": maps}


def comparison_view(comparison: Comparison, lang: str, note: str = "", original: Image.Image | None = None) -> View:
    """The answers to one input; ``original``: the uploaded image, previewed beside what the networks see."""
    pixels, classes = comparison.pixels[0], class_names(lang, comparison.dataset)
    seen = {"channels": pixels.shape[0], "side": pixels.shape[-1], "levels": levels(pixels)}
    view = {"note": note, "seen": seen, "variants": [variant_view(result, classes) for result in comparison.results]}
    if original is not None:
        view["original"] = thumbnail(original, PREVIEW_SIDE)
    return view


def message_view(message: str) -> View:
    return {"message": message}


def refusal(error: LenetError, lang: str) -> View:
    """Why this input cannot be classified, in plain words: in the visitor's language for the reasons in
    ``REASON_KEYS``, else in the library's (English) words."""
    key = next((key for kind, key in REASON_KEYS.items() if isinstance(error, kind)), None)
    reason = text(lang, key, limit=MAX_INPUT_PIXELS) if key else str(error)
    return message_view(text(lang, "cannot_classify", error=html.escape(reason)))


def results(value: View | None = None, answers_id: str | None = None, elem_id: str | None = None) -> gr.HTML:
    """A component that draws a view (its value) with cards.js: the cards in place, and the answers strip into the
    component ``answers_id`` (see ``answers_box``)."""
    return gr.HTML(value, html_template=PANEL_TEMPLATE, js_on_load=loader("cards.js", "mountPanel(element, props, watch)"),
                   scripts=scripts_address(), answers_id=answers_id, elem_id=elem_id, elem_classes="results",
                   apply_default_css=False)


def answers_box(elem_id: str) -> gr.HTML:
    """Where the answers strip goes, under the canvas or the file: seen first, even on a phone."""
    return gr.HTML(html_template=ANSWERS_TEMPLATE, js_on_load=None, elem_classes="answers-box", elem_id=elem_id,
                   apply_default_css=False)


class ResultPanel:
    """What a tab shows for one input: the answers, the 32x32 input the networks see, and the cards.

    The answers are placed where the panel is made (under the canvas or the file); ``add_cards`` places the
    rest. ``hint`` (no input yet) and ``blank`` (nothing to classify) are each tab's own message keys.
    """

    def __init__(self, current: gr.State, hint: str, blank: str, elem_id: str) -> None:
        self.current = current  # the last input, shared with the Look inside tab
        self.hint, self.blank = hint, blank
        self.answers_id = elem_id
        self.summary = answers_box(elem_id)

    def add_cards(self, elem_id: str) -> None:
        self.cards = results({"message_key": self.hint}, self.answers_id, elem_id)

    @property
    def components(self) -> list[gr.components.Component]:
        return [self.current, self.cards]

    def answer(self, zoo: Zoo, image: ImageSource | None, dataset: str, models: list[str], lang: str,
               yours: dict[str, Predictor] | None = None, note: str = "", preview: bool = False) -> Update:
        """Classify ``image`` with each chosen variant (``yours``: the session's own models) and show it with
        ``note`` beside the answers (``preview``: and the image itself), or say why not."""
        if image is None:
            return self.message(message_view(text(lang, self.hint)))
        try:
            comparison = compare(zoo, image, dataset, models, yours)
        except EmptyImageError:
            return self.message(message_view(text(lang, self.blank)))
        except LenetError as error:
            return self.message(refusal(error, lang))
        original = image if preview and isinstance(image, Image.Image) else None
        if comparison.notes:  # say what the photo path did, so a reader can tell why the input looks as it does
            done = ", ".join(text(lang, f"photo_{key}") for key in comparison.notes)
            note = " ".join(part for part in (note, text(lang, "photo_cleaned", done=done)) if part)
        return {self.cards: comparison_view(comparison, lang, note, original),
                self.current: {"pixels": comparison.pixels, "dataset": dataset}}

    def message(self, view: View) -> Update:
        return {self.cards: view, self.current: gr.skip()}
