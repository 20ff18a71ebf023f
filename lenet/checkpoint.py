"""Models in the Hugging Face Hub's own layout: a folder with ``model.safetensors`` and ``config.json``.

``config.json`` holds everything needed to rebuild and use the model (name,
dataset, in_channels, classes, normalisation) and to trust it (test accuracy,
training config, the command that produced it). Such a folder can be pushed as
a model repo unchanged, and ``load_checkpoint`` reads one from disk or from the
Hub. The trainer's ``last.pt`` (weights plus optimizer and RNG state, for
``--resume``) stays a torch file, loaded with ``weights_only=True``. A
``manifest.json`` beside shipped models records each weight file's sha256,
verified on every load.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import zipfile
from pathlib import Path
from typing import Any, Callable

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file
from torch import nn

from lenet.errors import CheckpointError, LenetError
from lenet.registry import create_model

WEIGHTS_NAME = "model.safetensors"
CONFIG_NAME = "config.json"
CARD_NAME = "README.md"
MANIFEST_NAME = "manifest.json"
MANIFEST_KEYS = ("file", "sha256", "dataset", "model", "params", "test_accuracy", "epochs", "train_seconds", "machine", "command")
REQUIRED_META = ("model", "dataset", "in_channels", "classes", "mean", "std")
PLOTS = ("curves", "confusion", "misclassified")  # what a training run draws, as <plot>.png beside the weights
EVALUATION_NAME = "evaluation.json"  # the test set's confusion matrix and worst mistakes, as numbers (train.report)
MISTAKES_NAME = "mistakes.png"  # those mistakes' images, tiled row by row
HASH_CHUNK = 1 << 20
HUB_REPO_ID = re.compile(r"^[\w.-]+(/[\w.-]+)?$")  # "name" or "owner/name"

Source = str | os.PathLike


def sha256_file(path: Source) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(HASH_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def count_parameters(model: nn.Module) -> int:
    """Trainable parameters, as papers count them."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def atomic_write(path: Source, write: Callable[[str], None]) -> None:
    """``write(temp path)`` in the same folder, then rename: a crash never leaves half a file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        write(tmp)
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _check_meta(meta: dict[str, Any], where: Source) -> None:
    missing = [key for key in REQUIRED_META if key not in meta]
    if missing:
        raise CheckpointError(f"{where}: the model's config lacks {missing}")


def save_pretrained(folder: Source, model: nn.Module, meta: dict[str, Any]) -> None:
    """Write ``model.safetensors`` and ``config.json`` (``meta``) into ``folder``, each atomically."""
    _check_meta(meta, folder)
    tensors = {name: tensor.detach().contiguous().cpu() for name, tensor in model.state_dict().items()}
    atomic_write(Path(folder) / WEIGHTS_NAME, lambda tmp: save_file(tensors, tmp, metadata={"format": "pt"}))
    atomic_write(Path(folder) / CONFIG_NAME, lambda tmp: Path(tmp).write_text(json.dumps(meta, indent=2) + "\n"))


def save_training_state(path: Source, model: nn.Module, meta: dict[str, Any], **state: Any) -> None:
    """``last.pt``: ``{"state_dict", "meta", **state}`` (optimizer, scheduler, RNG...) for ``--resume``."""
    _check_meta(meta, path)
    atomic_write(path, lambda tmp: torch.save({"state_dict": model.state_dict(), "meta": meta, **state}, tmp))


def read_training_state(path: Source) -> dict[str, Any]:
    """A ``last.pt``, or one ``CheckpointError`` naming the file (``weights_only``: it cannot run code)."""
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"{path}: no such checkpoint")
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:  # pickle, zip and unpickler errors come in many types
        raise CheckpointError(f"{path}: not a readable checkpoint") from error
    if not isinstance(state, dict) or "state_dict" not in state or "meta" not in state:
        raise CheckpointError(f"{path}: not a lenet-lab checkpoint (expected keys 'state_dict' and 'meta')")
    _check_meta(state["meta"], path)
    return state


def read_manifest(folder: Source) -> list[dict[str, Any]]:
    path = Path(folder) / MANIFEST_NAME
    if not path.is_file():
        return []
    entries = json.loads(path.read_text())
    for entry in entries:
        missing = [key for key in MANIFEST_KEYS if key not in entry]
        if missing:
            raise CheckpointError(f"{path}: entry {entry.get('file')!r} lacks {missing}")
    return entries


def _verify_against_manifest(weights: Path) -> None:
    """If the manifest beside the model's folder lists these weights, their sha256 must match."""
    listed = f"{weights.parent.name}/{weights.name}"
    for entry in read_manifest(weights.parent.parent):
        if entry["file"] == listed and sha256_file(weights) != entry["sha256"]:
            raise CheckpointError(f"{weights}: sha256 does not match {MANIFEST_NAME}; the file was modified or corrupted")


def _download(repo_id: str) -> Path:
    """The model repo's two files, fetched into (or found in) the Hugging Face cache."""
    from huggingface_hub import hf_hub_download

    try:
        hf_hub_download(repo_id, CONFIG_NAME)
        return Path(hf_hub_download(repo_id, WEIGHTS_NAME)).parent
    except Exception as error:  # offline, no such repo, gated, ...: all mean "cannot have it"
        raise CheckpointError(f"{repo_id}: no such model folder here, and it could not be fetched from the Hugging Face Hub") from error


def _unzipped(archive: Path, folder: Path) -> Path:
    """The model folder inside a zip (what the playground's Train tab downloads), extracted into ``folder``."""
    if not archive.is_file():
        raise CheckpointError(f"{archive}: no such file")
    try:
        with zipfile.ZipFile(archive) as zipped:
            zipped.extractall(folder)
    except (zipfile.BadZipFile, OSError) as error:
        raise CheckpointError(f"{archive.name}: not a readable zip of a model folder") from error
    found = [config.parent for config in folder.rglob(CONFIG_NAME)]
    if len(found) != 1:
        raise CheckpointError(f"{archive.name}: holds {len(found)} model folders, not one")
    return found[0]


def model_folder(source: Source) -> Path:
    """A local model folder for ``source``: a folder, its ``model.safetensors``, or a Hub repo id."""
    path = Path(source)
    if path.name == WEIGHTS_NAME and path.is_file():
        return path.parent
    if path.is_dir():
        return path
    if not path.is_absolute() and HUB_REPO_ID.match(str(source)) and path.suffix != ".pt":
        return _download(str(source))
    raise CheckpointError(f"{source}: no such model folder")


def read_config(source: Source) -> dict[str, Any]:
    """A model folder's ``config.json``."""
    folder = model_folder(source)
    try:
        meta = json.loads((folder / CONFIG_NAME).read_text())
    except (OSError, ValueError) as error:
        raise CheckpointError(f"{folder}: not a model folder (no readable {CONFIG_NAME})") from error
    _check_meta(meta, folder)
    return meta


def _rebuild(meta: dict[str, Any], state_dict: dict[str, torch.Tensor], where: Source) -> nn.Module:
    try:
        model = create_model(meta["model"], in_channels=meta["in_channels"], num_classes=len(meta["classes"]),
                             **meta.get("model_options", {}))
        model.load_state_dict(state_dict)
    except (LenetError, RuntimeError, ValueError) as error:
        raise CheckpointError(f"{where}: weights do not match model {meta['model']!r}") from error
    return model.eval()


def load_checkpoint(source: Source) -> tuple[nn.Module, dict[str, Any]]:
    """``(model in eval mode, meta)`` from a model folder (or a zip of one), a Hub repo id, or a trainer's ``last.pt``."""
    if Path(source).suffix == ".zip":
        with tempfile.TemporaryDirectory(prefix="lenet-model-") as folder:  # loaded into memory, then gone
            return load_checkpoint(_unzipped(Path(source), Path(folder)))
    if Path(source).suffix == ".pt":
        state = read_training_state(source)
        return _rebuild(state["meta"], state["state_dict"], source), state["meta"]
    folder = model_folder(source)
    meta = read_config(folder)
    weights = folder / WEIGHTS_NAME
    if not weights.is_file():
        raise CheckpointError(f"{weights.parent}: no {WEIGHTS_NAME}")
    _verify_against_manifest(weights)
    try:
        state_dict = load_file(weights)
    except (SafetensorError, OSError) as error:
        raise CheckpointError(f"{weights}: not readable safetensors weights") from error
    return _rebuild(meta, state_dict, weights), meta
