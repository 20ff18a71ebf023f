"""The "Models" tab: each shipped checkpoint's card, from files the training package wrote."""
from __future__ import annotations

from pathlib import Path

from lenet.checkpoint import PLOTS, plot_path

# What others report for comparable networks (full test sets), for the comparison column.
PUBLISHED = {
    "mnist": "LeNet-5, LeCun et al. 1998: 99.05 % (99.2 % trained with distortions)",
    "fashion-mnist": "LeNet-style tutorials: 85-90 %",
    "cifar10": "LeNet-style tutorials: 60-70 %",
}


def model_card(folder: Path, entry: dict) -> tuple[str, list[str]]:
    """Markdown summary and the paths of its curves, confusion matrix and most confident mistakes."""
    text = (
        f"### {entry['model']} on {entry['dataset']}\n"
        f"| test accuracy | published for comparison | parameters | epochs | training |\n|---|---|---|---|---|\n"
        f"| **{entry['test_accuracy']:.2%}** | {PUBLISHED[entry['dataset']]} | {entry['params']:,} | {entry['epochs']} | "
        f"{entry['train_seconds'] / 60:.1f} min on {entry['machine']} |\n\n"
        f"Reproduce: `{entry['command']}`"
    )
    return text, [str(plot_path(folder / entry["file"], plot)) for plot in PLOTS]
