"""The "Models" tab: each shipped model's card, from files the training package wrote."""
from __future__ import annotations

from pathlib import Path

from lenet.checkpoint import PLOTS
from lenet.datasets import dataset_spec


def model_card(folder: Path, entry: dict) -> tuple[str, list[str]]:
    """Markdown summary and the paths of its curves, confusion matrix and most confident mistakes."""
    model_dir = (folder / entry["file"]).parent
    text = (
        f"### {entry['model']} on {entry['dataset']}\n"
        f"| test accuracy | published for comparison | parameters | epochs | training |\n|---|---|---|---|---|\n"
        f"| **{entry['test_accuracy']:.2%}** | {dataset_spec(entry['dataset']).published} | {entry['params']:,} | "
        f"{entry['epochs']} | {entry['train_seconds'] / 60:.1f} min on {entry['machine']} |\n\n"
        f"Reproduce: `{entry['command']}`"
    )
    return text, [str(model_dir / f"{plot}.png") for plot in PLOTS]
