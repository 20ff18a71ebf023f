"""What a run leaves behind for people: metrics.json, curves, a confusion matrix, the worst mistakes."""
from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any, Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import torch  # noqa: E402

GALLERY_SIZE = 32  # most confidently wrong test images shown
GALLERY_COLUMNS = 8
GALLERY_FONT = 10  # points: the captions stay legible when the picture is shown at half a page
FIGURE_DPI = 110


def confusion_matrix(labels: torch.Tensor, predictions: torch.Tensor, num_classes: int) -> torch.Tensor:
    """``[true, predicted]`` counts."""
    return torch.bincount(labels * num_classes + predictions, minlength=num_classes**2).view(num_classes, num_classes)


def write_metrics(path: Path, summary: dict[str, Any], history: list[dict[str, Any]]) -> None:
    path.write_text(json.dumps({**summary, "epochs": history}, indent=2))


def plot_curves(path: Path, history: list[dict[str, Any]]) -> None:
    epochs = [row["epoch"] for row in history]
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.6))
    for ax, metric in zip(axes, ("loss", "accuracy")):
        for split, style in (("train", "-o"), ("val", "-s"), ("test", "-^")):
            values = [row[split][metric] for row in history]
            if not any(math.isnan(v) for v in values):  # skip an absent split (NaN: no hold-out)
                ax.plot(epochs, values, style, markersize=3, label=split)
        ax.set_xlabel("epoch")
        ax.set_title(metric)
        ax.grid(alpha=0.3)
        ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=FIGURE_DPI)
    plt.close(fig)


def plot_confusion(path: Path, matrix: torch.Tensor, classes: Sequence[str]) -> None:
    fig, ax = plt.subplots(figsize=(6.4, 5.6))
    image = ax.imshow(matrix.numpy(), cmap="Blues")
    ax.set_xticks(range(len(classes)), classes, rotation=45, ha="right")
    ax.set_yticks(range(len(classes)), classes)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    threshold = matrix.max().item() / 2
    for (true, predicted), count in ((divmod(i, len(classes)), int(c)) for i, c in enumerate(matrix.flatten())):
        ax.text(predicted, true, count, ha="center", va="center", fontsize=7, color="white" if count > threshold else "black")
    fig.colorbar(image, ax=ax, fraction=0.046)
    fig.tight_layout()
    fig.savefig(path, dpi=FIGURE_DPI)
    plt.close(fig)


def plot_misclassified(
    path: Path, pixels: torch.Tensor, labels: torch.Tensor, probabilities: torch.Tensor, classes: Sequence[str]
) -> None:
    """The test images the model got wrong with the highest confidence, titled 'true -> predicted (p)'."""
    confidence, predictions = probabilities.max(1)
    wrong = (predictions != labels).nonzero().flatten()
    worst = wrong[confidence[wrong].argsort(descending=True)][:GALLERY_SIZE]
    rows = max(1, -(-len(worst) // GALLERY_COLUMNS))
    fig, axes = plt.subplots(rows, GALLERY_COLUMNS, figsize=(GALLERY_COLUMNS * 1.5, rows * 1.9), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for ax, index in zip(axes.flat, worst.tolist()):
        image = pixels[index].permute(1, 2, 0).squeeze(-1).numpy()
        ax.imshow(image, cmap="gray" if image.ndim == 2 else None, vmin=0, vmax=1)
        ax.set_title(f"{classes[labels[index]]}→{classes[predictions[index]]}\n{confidence[index]:.2f}", fontsize=GALLERY_FONT)
    fig.tight_layout()
    fig.savefig(path, dpi=FIGURE_DPI)
    plt.close(fig)
