"""The Models tab: every shipped model's card, from the files the training package wrote, in the visitor's language."""
from __future__ import annotations

import re
from pathlib import Path

import gradio as gr

from demo.strings import dataset_label, label, language, text
from demo.zoo import Zoo
from lenet.checkpoint import PLOTS

THREADS = re.compile(r"^(?P<cpu>[^,]+), (?P<threads>\d+) threads?$")  # the manifest's machine: "AMD EPYC, 1 thread"


class ModelsTab:
    def __init__(self, zoo: Zoo) -> None:
        self.zoo = zoo
        self.cards: list[tuple[gr.Markdown, dict]] = []
        with gr.Tab(label("tab_models"), id="models"):
            gr.Markdown(label("models_intro"))
            for dataset in zoo.datasets:
                gr.Markdown(dataset_label(dataset), elem_classes="models-dataset")
                for entry in (e for e in zoo.entries if e["dataset"] == dataset):
                    with gr.Accordion(f"{entry['model']} · {entry['test_accuracy']:.2%}", open=False):
                        self.cards.append((gr.Markdown(model_card(entry, "en")), entry))
                        curves, confusion, misclassified = plots(zoo.folder, entry)
                        plot(curves, "curves")
                        with gr.Row():
                            plot(confusion, "confusion")
                            plot(misclassified, "misclassified")

    @property
    def components(self) -> list[gr.Markdown]:
        return [card for card, _ in self.cards]

    def greet(self, request: gr.Request | None = None) -> list[str]:
        """On page load: every card in the visitor's language."""
        lang = language(request)
        return [model_card(entry, lang) for _, entry in self.cards]


def plot(path: str, key: str) -> None:
    """A plot the trainer drew, its caption above it: a label drawn over the image would hide its title."""
    with gr.Column():
        gr.Markdown(label(key))
        gr.Image(path, show_label=False, interactive=False, buttons=[], container=False)


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


def plots(folder: Path, entry: dict) -> list[str]:
    """The paths of its curves, confusion matrix and most confident mistakes."""
    model_dir = (folder / entry["file"]).parent
    return [str(model_dir / f"{name}.png") for name in PLOTS]
