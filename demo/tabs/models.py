"""The Models tab: every shipped model's card, from the files the training package wrote, in the visitor's language.

The confusion matrix and the worst mistakes are drawn here from the numbers the trainer saved (evaluation.json,
mistakes.png), so their class names and captions are the visitor's words; the curves are the trainer's picture.
"""
from __future__ import annotations

import json
import math
import re
from html import escape
from pathlib import Path
from typing import Callable

import gradio as gr

from demo.assets import ASSETS
from demo.strings import class_names, dataset_label, label, language, text
from demo.zoo import Zoo
from lenet.checkpoint import EVALUATION_NAME, MISTAKES_NAME

THREADS = re.compile(r"^(?P<cpu>[^,]+), (?P<threads>\d+) threads?$")  # the manifest's machine: "AMD EPYC, 1 thread"
WHITE_TEXT_FROM = 0.55  # a cell's shade from which its count is written in white
CURVES = "curves.png"  # the trainer's picture of loss and accuracy by epoch


class ModelsTab:
    def __init__(self, zoo: Zoo) -> None:
        self.zoo = zoo
        self.cards: list[tuple[gr.Markdown, dict]] = []
        with gr.Tab(label("tab_models"), id="models"):
            gr.Markdown(label("models_intro"))
            for dataset in zoo.datasets:
                gr.Markdown(dataset_label(dataset), elem_classes="models-dataset")
                for entry in (e for e in zoo.entries if e["dataset"] == dataset):
                    folder = (zoo.folder / entry["file"]).parent
                    with gr.Accordion(f"{entry['model']} · {entry['test_accuracy']:.2%}", open=False) as accordion:
                        self.cards.append((gr.Markdown(model_card(entry, "en")), entry))
                        with gr.Column():
                            gr.Markdown(label("curves"))
                            gr.Image(str(folder / CURVES), show_label=False, interactive=False, buttons=[], container=False)
                            gr.Markdown(label("curves_words"), elem_classes="plot-note")
                        with gr.Row():
                            with gr.Column():
                                gr.Markdown(label("confusion"))
                                confusion = gr.HTML()
                            with gr.Column():
                                gr.Markdown(label("misclassified"))
                                mistakes = gr.HTML()
                    accordion.expand(evaluation_drawer(folder, dataset), None, [confusion, mistakes], api_visibility="private")

    @property
    def components(self) -> list[gr.Markdown]:
        return [card for card, _ in self.cards]

    def greet(self, request: gr.Request | None = None) -> list[str]:
        """On page load: every card in the visitor's language."""
        lang = language(request)
        return [model_card(entry, lang) for _, entry in self.cards]


def machine(entry: dict, lang: str) -> str:
    """Where it trained, in ``lang``: the processor's name, and its threads in words."""
    found = THREADS.match(entry["machine"])
    if not found:
        return entry["machine"]
    return text(lang, "card_machine", cpu=found["cpu"], threads=int(found["threads"]))


def model_card(entry: dict, lang: str) -> str:
    """Markdown, one fact a row (readable on a phone too): accuracy, what others published, size, training."""
    return text(lang, "model_card", model=entry["model"], dataset=text(lang, f"dataset_{entry['dataset']}"),
                accuracy=entry["test_accuracy"], published=text(lang, f"published_{entry['dataset']}"),
                params=entry["params"], epochs=entry["epochs"], minutes=entry["train_seconds"] / 60,
                machine=machine(entry, lang), command=entry["command"])


def evaluation_drawer(folder: Path, dataset: str) -> Callable[[gr.Request], tuple[str, str]]:
    """The handler that draws a model's confusion matrix and worst mistakes when its card is opened (only then: a
    page that never opens it never downloads them), in the visitor's language."""
    saved = folder / EVALUATION_NAME
    evaluation = json.loads(saved.read_text()) if saved.is_file() else None  # None: published before runs wrote it
    sprite = ASSETS.add_folder(folder, [MISTAKES_NAME]) + MISTAKES_NAME if evaluation and evaluation["mistakes"] else ""

    def draw(request: gr.Request) -> tuple[str, str]:
        lang = language(request)
        if evaluation is None:
            return text(lang, "no_evaluation", folder=folder.name), ""
        classes = [escape(name) for name in class_names(lang, dataset)]
        return (confusion_html(evaluation["confusion"], classes, lang),
                mistakes_html(evaluation["mistakes"], classes, sprite, evaluation["columns"], lang))

    return draw


def confusion_html(matrix: list[list[int]], classes: list[str], lang: str) -> str:
    """A table, a row per true class and a column per answer, each count shaded by the square root of its share of
    the largest (so a handful of mistakes still shows beside a diagonal of thousands)."""
    largest = max(max(row) for row in matrix) or 1
    head = "".join(f"<th scope='col'>{name}</th>" for name in classes)
    rows = []
    for name, row in zip(classes, matrix):
        shades = [math.sqrt(count / largest) for count in row]
        cells = "".join(f"<td style='--shade:{shade:.0%}'{' class=dark' if shade >= WHITE_TEXT_FROM else ''}>{count}</td>"
                        for count, shade in zip(row, shades))
        rows.append(f"<tr><th scope='row'>{name}</th>{cells}</tr>")
    words = " words" if max(map(len, classes)) > 1 else ""  # class names, not digits: their heads run down the column
    return (f"<table class='confusion{words}'><caption>{text(lang, 'confusion_note', images=sum(map(sum, matrix)))}</caption>"
            f"<thead><tr><td class='corner'></td>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>")


def mistakes_html(mistakes: list[dict], classes: list[str], sprite: str, per_row: int, lang: str) -> str:
    """The mistakes, surest first, each cut from ``sprite`` (their images tiled ``per_row`` a row, as
    torchvision's make_grid lays them: a grid as wide as the first row) and captioned true -> answered, confidence."""
    if not mistakes:
        return f"<p>{text(lang, 'no_mistakes')}</p>"
    rows = math.ceil(len(mistakes) / per_row)
    columns = min(len(mistakes), per_row)
    tiles = []
    for place, mistake in enumerate(mistakes):
        row, column = divmod(place, per_row)
        x = column / (columns - 1) if columns > 1 else 0
        y = row / (rows - 1) if rows > 1 else 0
        words = {"true": classes[mistake["true"]], "answer": classes[mistake["predicted"]], "confidence": mistake["confidence"]}
        tiles.append(f"<figure><i role='img' aria-label='{escape(text(lang, 'mistake_alt', **words))}' "
                     f"style='background-position:{x:.2%} {y:.2%}'></i>"
                     f"<figcaption>{text(lang, 'mistake', **words)}</figcaption></figure>")
    return (f"<p class='plot-note'>{text(lang, 'mistakes_note')}</p><div class='mistakes' style='--sprite:url({sprite});"
            f"--grid:{columns * 100}% {rows * 100}%'>{''.join(tiles)}</div>")
