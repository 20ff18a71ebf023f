"""What a run leaves behind for people: metrics.json, curves, a confusion matrix, the worst mistakes.

The figures carry English words for the Hub's card; evaluation.json and mistakes.png hold the same matrix and
mistakes without words, so a page can draw them in its reader's language.

Figures are built as ``matplotlib.figure.Figure`` objects, not through pyplot:
no global state, so a run in a server's thread can draw them too.
"""
from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any, Sequence

import torch
from matplotlib.figure import Figure
from torchvision.utils import save_image

from lenet.checkpoint import EVALUATION_NAME, MISTAKES_NAME

GALLERY_SIZE = 32  # most confidently wrong test images shown
GALLERY_COLUMNS = 8
GALLERY_FONT = 10  # points: the captions stay legible when the picture is shown at half a page
FIGURE_DPI = 110


def confusion_matrix(labels: torch.Tensor, predictions: torch.Tensor, num_classes: int) -> torch.Tensor:
    """``[true, predicted]`` counts."""
    return torch.bincount(labels * num_classes + predictions, minlength=num_classes**2).view(num_classes, num_classes)


def write_metrics(path: Path, summary: dict[str, Any], history: list[dict[str, Any]]) -> None:
    path.write_text(json.dumps({**summary, "epochs": history}, indent=2))


def save(figure: Figure, path: Path) -> None:
    """Laid out so labels do not overlap, then written as a PNG."""
    figure.tight_layout()
    figure.savefig(path, dpi=FIGURE_DPI)


def curves(history: list[dict[str, Any]]) -> Figure:
    """Loss and accuracy by epoch for each split that was measured."""
    epochs = [row["epoch"] for row in history]
    fig = Figure(figsize=(10, 3.6))
    axes = fig.subplots(1, 2)
    for ax, metric in zip(axes, ("loss", "accuracy")):
        for split, style in (("train", "-o"), ("val", "-s"), ("test", "-^")):
            values = [row[split][metric] for row in history]
            if not any(math.isnan(v) for v in values):  # skip an absent split (NaN: no hold-out)
                ax.plot(epochs, values, style, markersize=3, label=split)
        ax.set_xlabel("epoch")
        ax.set_title(metric)
        ax.grid(alpha=0.3)
        ax.legend()
    return fig


def confusion(matrix: torch.Tensor, classes: Sequence[str]) -> Figure:
    fig = Figure(figsize=(6.4, 5.6))
    ax = fig.subplots()
    image = ax.imshow(matrix.numpy(), cmap="Blues")
    ax.set_xticks(range(len(classes)), classes, rotation=45, ha="right")
    ax.set_yticks(range(len(classes)), classes)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    threshold = matrix.max().item() / 2
    for (true, predicted), count in ((divmod(i, len(classes)), int(c)) for i, c in enumerate(matrix.flatten())):
        ax.text(predicted, true, count, ha="center", va="center", fontsize=7, color="white" if count > threshold else "black")
    fig.colorbar(image, ax=ax, fraction=0.046)
    return fig


def worst_mistakes(labels: torch.Tensor, probabilities: torch.Tensor) -> torch.Tensor:
    """The indices of the (at most ``GALLERY_SIZE``) test images the model got wrong most confidently, surest first."""
    confidence, predictions = probabilities.max(1)
    wrong = (predictions != labels).nonzero().flatten()
    return wrong[confidence[wrong].argsort(descending=True)][:GALLERY_SIZE]


def write_evaluation(folder: Path, pixels: torch.Tensor, labels: torch.Tensor, probabilities: torch.Tensor) -> torch.Tensor:
    """``evaluation.json``: the test set's confusion matrix and worst mistakes (index, true and predicted class,
    confidence); ``mistakes.png``: their images, ``columns`` a row, in the same order (none if none). Returns the
    matrix, for the figure beside it."""
    confidence, predictions = probabilities.max(1)
    worst = worst_mistakes(labels, probabilities)
    mistakes = [{"index": i, "true": int(labels[i]), "predicted": int(predictions[i]), "confidence": round(float(confidence[i]), 4)}
                for i in worst.tolist()]
    matrix = confusion_matrix(labels, predictions, probabilities.shape[1])
    evaluation = {"images": len(labels), "confusion": matrix.tolist(), "mistakes": mistakes, "columns": GALLERY_COLUMNS}
    (folder / EVALUATION_NAME).write_text(json.dumps(evaluation) + "\n")
    if mistakes:
        save_image(pixels[worst], folder / MISTAKES_NAME, nrow=GALLERY_COLUMNS, padding=0)
    return matrix


def misclassified(pixels: torch.Tensor, labels: torch.Tensor, probabilities: torch.Tensor, classes: Sequence[str]) -> Figure:
    """The test images the model got wrong with the highest confidence, titled 'true -> predicted (p)'."""
    confidence, predictions = probabilities.max(1)
    worst = worst_mistakes(labels, probabilities)
    rows = max(1, math.ceil(len(worst) / GALLERY_COLUMNS))
    fig = Figure(figsize=(GALLERY_COLUMNS * 1.5, rows * 1.9))
    axes = fig.subplots(rows, GALLERY_COLUMNS, squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for ax, index in zip(axes.flat, worst.tolist()):
        image = pixels[index].permute(1, 2, 0).squeeze(-1).numpy()
        ax.imshow(image, cmap="gray" if image.ndim == 2 else None, vmin=0, vmax=1)
        ax.set_title(f"{classes[labels[index]]}→{classes[predictions[index]]}\n{confidence[index]:.2f}", fontsize=GALLERY_FONT)
    return fig
