"""The Models tab: every shipped model's card, from the files the training package wrote."""
from __future__ import annotations

import gradio as gr

from demo.gallery import model_card
from demo.strings import label
from demo.zoo import Zoo


def models_tab(zoo: Zoo) -> None:
    with gr.Tab(label("tab_models"), id="models"):
        gr.Markdown(label("models_intro"))
        for entry in zoo.entries:
            text, plots = model_card(zoo.folder, entry)
            with gr.Accordion(f"{entry['dataset']} · {entry['model']} · {entry['test_accuracy']:.2%}", open=False):
                gr.Markdown(text)
                curves, confusion, misclassified = plots
                plot(curves, "curves")
                with gr.Row():
                    plot(confusion, "confusion")
                    plot(misclassified, "misclassified")


def plot(path: str, key: str) -> None:
    """A plot the trainer drew, its caption above it: a label drawn over the image would hide its title."""
    with gr.Column():
        gr.Markdown(label(key))
        gr.Image(path, show_label=False, interactive=False, buttons=[], container=False)
