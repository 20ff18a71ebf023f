"""``python -m train.evaluate --checkpoint PATH``: test accuracy, per-class accuracy and confusion matrix.

Reproduces the accuracy stored in the checkpoint (same preprocessing, same test set). ``--save`` writes
evaluation.json and mistakes.png into a model folder (train.report.write_evaluation): what the playground's Models
tab draws in its reader's language.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, Sequence

import torch

import lenet
from lenet.datasets import DATA_DIR_HELP
from lenet.preprocess import dataset_pixels
from train.data import Split
from train.engine import EVAL_BATCH_SIZE, predict
from train.report import confusion_matrix, write_evaluation


def evaluate_checkpoint(path: str, data_dir: str | None = None, limit: int | None = None, save: bool = False) -> dict[str, Any]:
    """Accuracy, per-class accuracy and confusion matrix of a model on its dataset's test set; ``save``: also
    written into the model folder ``path`` as evaluation.json and mistakes.png."""
    if save and (limit is not None or not Path(path).is_dir()):
        raise lenet.LenetError("--save writes the whole test set's evaluation into a model folder: give a folder, without --limit")
    model, meta = lenet.load_checkpoint(path)
    images, labels = lenet.load_tensors(meta["dataset"], data_dir, train=False, limit=limit)
    probabilities = predict(model, Split(images, labels), meta["mean"], meta["std"], EVAL_BATCH_SIZE)
    predictions = probabilities.argmax(1)
    if save:
        matrix = write_evaluation(Path(path), dataset_pixels(images), labels, probabilities)
    else:
        matrix = confusion_matrix(labels, predictions, len(meta["classes"]))
    per_class = (matrix.diag() / matrix.sum(1).clamp_min(1)).tolist()
    return {
        "accuracy": (predictions == labels).float().mean().item(),
        "recorded_accuracy": meta.get("test_accuracy"),
        "per_class": dict(zip(meta["classes"], per_class)),
        "confusion": matrix,
        "images": len(labels),
        "meta": meta,
    }


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m train.evaluate", description=__doc__.split("\n")[0])
    parser.add_argument("--checkpoint", required=True, help="a model folder (a run of python -m train, or checkpoints/<name>), a zip of one, a Hub repo id, or a last.pt")
    parser.add_argument("--data-dir", help=DATA_DIR_HELP)
    parser.add_argument("--limit", type=int, help="evaluate only the first N test images")
    parser.add_argument("--save", action="store_true", help="write evaluation.json and mistakes.png into the model folder")
    args = parser.parse_args(argv)
    try:
        result = evaluate_checkpoint(args.checkpoint, args.data_dir, args.limit, args.save)
    except lenet.LenetError as error:
        sys.exit(f"error: {error}")
    meta = result["meta"]
    print(f"{meta['model']} on {meta['dataset']} ({args.checkpoint}), {result['images']:,} test images")
    print(f"test accuracy {result['accuracy']:.4f}  (recorded in checkpoint: {result['recorded_accuracy']:.4f})")
    width = max(len(name) for name in meta["classes"])
    for name, accuracy in result["per_class"].items():
        print(f"  {name:>{width}}  {accuracy:.4f}")
    print("confusion matrix [true, predicted]:")
    torch.set_printoptions(linewidth=200)
    print(result["confusion"])


if __name__ == "__main__":
    main()
