"""The Models tab: every shipped model's card, from the files the training package wrote."""
from __future__ import annotations

import gradio as gr

from demo.gallery import model_card
from demo.strings import label
from demo.zoo import Zoo

PLOT_LABELS = ("curves", "confusion", "misclassified")


def models_tab(zoo: Zoo) -> None:
    with gr.Tab(label("tab_models"), id="models"):
        gr.Markdown(label("models_intro"))
        for entry in zoo.entries:
            text, plots = model_card(zoo.folder, entry)
            with gr.Accordion(f"{entry['dataset']} · {entry['model']} · {entry['test_accuracy']:.2%}", open=False):
                gr.Markdown(text)
                with gr.Row():
                    for path, key in zip(plots, PLOT_LABELS):
                        gr.Image(path, label=label(key), interactive=False, buttons=[])
