"""Result cards: one per variant, the same card for the Draw, Upload and Look inside tabs.

A card is a heading (model, its answer, a line of facts), the top classes, and
pictures as inline HTML. Above the cards, an answer strip names every variant's
answer (CSS class ``prediction``) where it is seen first, even on a phone.
Handlers return ``{component: value}`` dicts built here, so nothing depends on output order.
"""
from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

import gradio as gr

from demo.compare import TOP_CLASSES, Comparison, VariantResult, compare
from demo.render import C1_PX, C3_PX, INPUT_SCALE, html_figure, tiles_html
from demo.strings import language, text
from demo.zoo import Zoo
from lenet import EmptyImageError, ImageTooLargeError, LenetError, Predictor, UnreadableImageError
from lenet.preprocess import MAX_INPUT_PIXELS, ImageSource

Update = dict[gr.components.Component, Any]
REASON_KEYS: dict[type[LenetError], str] = {UnreadableImageError: "unreadable_image", ImageTooLargeError: "image_too_large"}


@dataclass
class Card:
    model: str
    label: str
    facts: str  # one line under the heading
    probabilities: dict[str, float]
    pictures: str  # HTML figures
    mark: str = ""  # ✓ / ✗ against the consensus

    def html(self) -> str:
        """Heading, the top classes as bars, then the pictures, wrapping on a narrow screen."""
        top = sorted(self.probabilities.items(), key=lambda item: item[1], reverse=True)[:TOP_CLASSES]
        bars = "".join(
            f'<li><span class="top-label">{html.escape(name)}</span><span class="top-bar"><span style="width:{p:.1%}">'
            f'</span></span><span class="top-value">{p:.0%}</span></li>' for name, p in top
        )
        return (
            f'<div class="card-heading"><h3>{self.mark} {html.escape(self.model)}: '
            f'<span class="card-answer">{html.escape(self.label)}</span></h3>'
            f'<p class="card-facts">{html.escape(self.facts)}</p></div>'
            f'<div class="card-body"><ol class="top">{bars}</ol>{self.pictures}</div>'
        )


class Cards:
    """A fixed number of cards, enough for the largest set of variants; unused ones are hidden."""

    def __init__(self, count: int) -> None:
        self.slots = [gr.HTML(visible=False, elem_classes="card", padding=True) for _ in range(count)]

    @property
    def components(self) -> list[gr.components.Component]:
        return list(self.slots)

    def show(self, cards: list[Card]) -> Update:
        return {slot: gr.HTML(cards[index].html(), visible=True) if index < len(cards) else gr.HTML("", visible=False)
                for index, slot in enumerate(self.slots)}


def figures(*items: str) -> str:
    """Figures side by side, wrapping on a narrow screen."""
    return f'<div class="figures">{"".join(items)}</div>'


def variant_card(result: VariantResult, consensus: str | None, lang: str) -> Card:
    mark = "" if consensus is None else ("✓" if result.label == consensus else f"✗ {text(lang, 'disagrees')}:")
    facts = text(lang, "card_facts", accuracy=result.test_accuracy, params=result.params, ms=result.latency_ms)
    maps = figures(tiles_html(result.c1, text(lang, "c1_maps"), C1_PX), tiles_html(result.c3, text(lang, "c3_maps"), C3_PX))
    return Card(result.model, result.label, facts, result.probabilities, maps, mark)


def summary(comparison: Comparison, lang: str) -> str:
    """One line: what the chosen variants say together."""
    results = comparison.results
    if not results:
        return text(lang, "pick_a_model")
    if len(results) == 1:
        return text(lang, "one_says", model=results[0].model, label=results[0].label)
    if len({result.label for result in results}) == 1:
        return text(lang, "all_agree", count=len(results), label=comparison.consensus)
    return text(lang, "disagree")


def answers_html(comparison: Comparison, lang: str, note: str = "") -> str:
    """The summary line, each variant's answer with its confidence, and ``note`` (what kind of image it seems)."""
    rows = "".join(
        f'<li><span class="answer-model">{html.escape(r.model)}</span> <span class="prediction">{html.escape(r.label)}</span> '
        f'<span class="answer-confidence">{max(r.probabilities.values()):.0%}</span></li>' for r in comparison.results
    )
    note = f'<div class="note">{note}</div>' if note else ""
    return f'<div class="answers"><p>{summary(comparison, lang)}</p><ul>{rows}</ul>{note}</div>'


def message_html(message: str) -> str:
    return f'<div class="answers"><p>{message}</p></div>'


class ResultPanel:
    """What a tab shows for one input: the answers, the 32x32 input the networks see, and the cards.

    The answers are placed where the panel is made (under the canvas or the file); ``add_cards`` places the
    rest. ``hint`` (no input yet) and ``blank`` (nothing to classify) are each tab's own message keys.
    """

    def __init__(self, current: gr.State, hint: str, blank: str, elem_id: str) -> None:
        self.current = current  # the last input, shared with the Look inside tab
        self.hint, self.blank = hint, blank
        self.summary = gr.HTML(message_html(text("en", hint)), elem_classes="answers-box", elem_id=elem_id)

    def add_cards(self, count: int) -> None:
        self.seen = gr.HTML(elem_classes="seen")
        self.cards = Cards(count)

    @property
    def components(self) -> list[gr.components.Component]:
        return [self.seen, self.current, self.summary, *self.cards.components]

    def answer(self, zoo: Zoo, image: ImageSource | None, dataset: str, models: list[str], lang: str,
               yours: dict[str, Predictor] | None = None, note: str = "") -> Update:
        """Classify ``image`` with each chosen variant (``yours``: the session's own models) and show it with
        ``note`` beside the answers, or say why not."""
        if image is None:
            return self.message(text(lang, self.hint))
        try:
            comparison = compare(zoo, image, dataset, models, yours)
        except EmptyImageError:
            return self.message(text(lang, self.blank))
        except LenetError as error:
            return self.refuse(error, lang)
        return {**self.show(comparison, lang, note), self.current: {"pixels": comparison.pixels, "dataset": dataset}}

    def show(self, comparison: Comparison, lang: str, note: str = "") -> Update:
        consensus = comparison.consensus if len(comparison.results) > 1 else None  # no marks for a lone variant
        seen = html_figure(comparison.seen, text(lang, "seen"), comparison.seen.width * INPUT_SCALE)
        cards = [variant_card(result, consensus, lang) for result in comparison.results]
        return {self.seen: seen, self.summary: answers_html(comparison, lang, note), **self.cards.show(cards)}

    def greet(self, request: gr.Request | None = None) -> str:
        """The tab's hint in the visitor's language, on page load."""
        return message_html(text(language(request), self.hint))

    def refuse(self, error: LenetError, lang: str) -> Update:
        """Why this input cannot be classified, in plain words: in the visitor's language for the reasons in
        ``REASON_KEYS``, else in the library's (English) words."""
        key = next((key for kind, key in REASON_KEYS.items() if isinstance(error, kind)), None)
        reason = text(lang, key, limit=MAX_INPUT_PIXELS) if key else str(error)
        return self.message(text(lang, "cannot_classify", error=html.escape(reason)))

    def message(self, message: str) -> Update:
        return {self.seen: None, self.current: gr.skip(), self.summary: message_html(message), **self.cards.show([])}
