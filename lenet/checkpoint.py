"""One checkpoint format: ``torch.save({"state_dict", "meta"})``, loaded with ``weights_only=True``.

``meta`` holds everything needed to rebuild and use the model (name, dataset,
in_channels, classes, normalisation) and to trust it (test accuracy, training
config, the command that produced it). A ``manifest.json`` beside shipped
checkpoints records each file's sha256, verified on every load.
"""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import torch
from torch import nn

from lenet.errors import CheckpointError, LenetError
from lenet.registry import create_model

MANIFEST_NAME = "manifest.json"
MANIFEST_KEYS = ("file", "sha256", "dataset", "model", "params", "test_accuracy", "epochs", "train_seconds", "machine", "command")
REQUIRED_META = ("model", "dataset", "in_channels", "classes", "mean", "std")
HASH_CHUNK = 1 << 20
PLOTS = ("curves", "confusion", "misclassified")  # what a training run draws; shipped as <checkpoint stem>-<plot>.png


def plot_path(checkpoint: Path, plot: str) -> Path:
    """Where a shipped checkpoint's plot lies, beside it."""
    return checkpoint.with_name(f"{checkpoint.stem}-{plot}.png")


def sha256_file(path: str | os.PathLike) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(HASH_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def count_parameters(model: nn.Module) -> int:
    """Trainable parameters, as papers count them."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def atomic_save(obj: Any, path: str | os.PathLike) -> None:
    """``torch.save`` to a temp file in the same folder, then rename: a crash never leaves half a file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            torch.save(obj, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def save_checkpoint(path: str | os.PathLike, model: nn.Module, meta: dict[str, Any], **extra: Any) -> None:
    """Write ``{"state_dict", "meta", **extra}`` atomically (extra: optimizer state etc. for resuming)."""
    missing = [key for key in REQUIRED_META if key not in meta]
    if missing:
        raise ValueError(f"checkpoint meta lacks {missing}")
    atomic_save({"state_dict": model.state_dict(), "meta": meta, **extra}, path)


def read_manifest(folder: str | os.PathLike) -> list[dict[str, Any]]:
    path = Path(folder) / MANIFEST_NAME
    if not path.is_file():
        return []
    entries = json.loads(path.read_text())
    for entry in entries:
        missing = [key for key in MANIFEST_KEYS if key not in entry]
        if missing:
            raise CheckpointError(f"{path}: entry {entry.get('file')!r} lacks {missing}")
    return entries


def verify_against_manifest(path: Path) -> None:
    """If the folder's manifest lists this file, its sha256 must match."""
    for entry in read_manifest(path.parent):
        if entry["file"] == path.name and sha256_file(path) != entry["sha256"]:
            raise CheckpointError(f"{path}: sha256 does not match {MANIFEST_NAME}; the file was modified or corrupted")


def read_checkpoint(path: str | os.PathLike) -> dict[str, Any]:
    """The raw checkpoint dict, verified, or one ``CheckpointError`` naming the file."""
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"{path}: no such checkpoint")
    verify_against_manifest(path)
    try:
        checkpoint = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:  # pickle, zip and unpickler errors come in many types
        raise CheckpointError(f"{path}: not a readable checkpoint ({error.__class__.__name__})") from error
    if not isinstance(checkpoint, dict) or "state_dict" not in checkpoint or "meta" not in checkpoint:
        raise CheckpointError(f"{path}: not a lenet-lab checkpoint (expected keys 'state_dict' and 'meta')")
    missing = [key for key in REQUIRED_META if key not in checkpoint["meta"]]
    if missing:
        raise CheckpointError(f"{path}: checkpoint meta lacks {missing}")
    return checkpoint


def load_checkpoint(path: str | os.PathLike) -> tuple[nn.Module, dict[str, Any]]:
    """Rebuild the model a checkpoint describes, load its weights, return ``(model in eval mode, meta)``."""
    checkpoint = read_checkpoint(path)
    meta = checkpoint["meta"]
    try:
        model = create_model(meta["model"], in_channels=meta["in_channels"], num_classes=len(meta["classes"]))
        model.load_state_dict(checkpoint["state_dict"])
    except (LenetError, RuntimeError, ValueError) as error:
        raise CheckpointError(f"{path}: weights do not match model {meta['model']!r} ({error})") from error
    return model.eval(), meta
