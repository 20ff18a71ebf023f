"""The Models tab: every shipped model's card, from the files the training package wrote."""
from __future__ import annotations

from pathlib import Path

import gradio as gr

from demo.strings import label
from demo.zoo import Zoo
from lenet.checkpoint import PLOTS
from lenet.datasets import dataset_spec


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


def model_card(folder: Path, entry: dict) -> tuple[str, list[str]]:
    """Markdown summary and the paths of its curves, confusion matrix and most confident mistakes."""
    model_dir = (folder / entry["file"]).parent
    text = (  # two columns, one fact a row: readable on a phone too
        f"### {entry['model']} on {entry['dataset']}\n"
        f"| | |\n|---|---|\n"
        f"| test accuracy | **{entry['test_accuracy']:.2%}** |\n"
        f"| published for comparison | {dataset_spec(entry['dataset']).published} |\n"
        f"| parameters | {entry['params']:,} |\n"
        f"| epochs | {entry['epochs']} |\n"
        f"| training | {entry['train_seconds'] / 60:.1f} min on {entry['machine']} |\n\n"
        f"Reproduce: `{entry['command']}`"
    )
    return text, [str(model_dir / f"{plot}.png") for plot in PLOTS]
