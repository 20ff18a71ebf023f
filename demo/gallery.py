"""The "Models" tab: each shipped model's card, from files the training package wrote."""
from __future__ import annotations

from pathlib import Path

from lenet.checkpoint import PLOTS
from lenet.datasets import dataset_spec


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
