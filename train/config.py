"""One small config per run (nanoGPT style): parsed from the command line, printed, saved in the checkpoint."""
from __future__ import annotations

import argparse
import shlex
import sys
from dataclasses import asdict, dataclass, fields
from typing import Any, Sequence

import torch

import lenet
from lenet.datasets import DATA_DIR_ENV, DATASETS


@dataclass
class TrainConfig:
    dataset: str = "mnist"
    model: str = "lenet5"
    epochs: int = 10
    batch_size: int = 128
    lr: float = 0.05
    optimizer: str = "sgd"
    schedule: str = "onecycle"
    weight_decay: float = 5e-4
    label_smoothing: float = 0.0
    augment: bool = True
    val_size: int = 5000
    seed: int = 1
    device: str = "auto"
    data_dir: str | None = None
    download: bool = False
    out: str = "runs/latest"
    resume: str | None = None
    limit: int | None = None
    deterministic: bool = False
    channels_last: bool = True
    precision: str = "fp32"
    preset: str | None = None
    command: str = ""  # recipe_command(), for model cards

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def recipe_command(self) -> str:
        """The command that reproduces this run with every recipe flag explicit (presets may change)."""
        words = ["python", "-m", "train"]
        for field in fields(self):
            if field.name in NOT_RECIPE:
                continue
            value = getattr(self, field.name)
            flag = "--" + field.name.replace("_", "-")
            if isinstance(value, bool):
                words.append(flag if value else "--no-" + flag[2:])
            elif value is not None:
                words += [flag, str(value)]
        return shlex.join(words)


AUTOCAST_DTYPES: dict[str, torch.dtype | None] = {"fp32": None, "bf16": torch.bfloat16}  # --precision -> autocast dtype

NOT_RECIPE = {"device", "data_dir", "download", "out", "resume", "preset", "command", "channels_last"}  # where and how fast, not what


# Recipes that reach the accuracies in checkpoints/manifest.json, keyed by preset then dataset.
PRESETS: dict[str, dict[str, dict[str, Any]]] = {
    "paper": {  # 20 passes with the paper's small distortions and a decreasing learning rate (Section III-C)
        "mnist": dict(epochs=20, optimizer="sgd", lr=0.01, schedule="step", weight_decay=0.0),
    },
    "best": {
        "mnist": dict(epochs=30, optimizer="sgd", lr=0.05, schedule="onecycle", weight_decay=5e-4, batch_size=128),
        "fashion-mnist": dict(
            epochs=40, optimizer="sgd", lr=0.05, schedule="onecycle", weight_decay=5e-4, batch_size=128, label_smoothing=0.1
        ),
        "cifar10": dict(
            epochs=30, optimizer="sgd", lr=0.1, schedule="onecycle", weight_decay=5e-4, batch_size=128, label_smoothing=0.1
        ),
    },
}

# Whatever the preset: the 1998 model's RBF logits (-squared distances) are steep, so it wants a smaller step.
PRESET_MODEL_OVERRIDES: dict[str, dict[str, Any]] = {"lenet5-1998": dict(lr=0.01)}

HELP = {
    "dataset": "dataset to train on",
    "model": "variant from the lenet registry",
    "epochs": "passes over the training set",
    "batch_size": "images per optimisation step (summed over all processes under torchrun)",
    "lr": "peak learning rate",
    "optimizer": "optimizer; sgd uses Nesterov momentum 0.9",
    "schedule": "learning-rate schedule over the whole run; step divides the rate by 10 at 50%% and 75%%",
    "weight_decay": "L2 penalty (decoupled for adamw)",
    "label_smoothing": "cross-entropy label smoothing",
    "augment": "batched random distortions suited to the dataset (affine for digits, crop+flip otherwise)",
    "val_size": "training images held out to pick the best epoch (0: pick by the last epoch)",
    "seed": "random seed for init, shuffling, augmentation and dropout",
    "device": "auto picks cuda when available",
    "data_dir": f"dataset root (default: ${DATA_DIR_ENV}, else ./data)",
    "download": "download the dataset with torchvision if missing",
    "out": "output folder for checkpoints, metrics.json and plots",
    "resume": "continue from a last.pt written by an earlier run",
    "limit": "use only the first N training and N test images (quick runs, tests)",
    "deterministic": "use deterministic algorithms (bit-identical resumes)",
    "channels_last": "NHWC memory layout: measured on a 2-core CPU 1.3-1.4x faster for lenet5 and 1.5x for lenet-cifar, "
                     "15-50%% slower for lenet5-modern (use --no-channels-last there)",
    "precision": "bf16 runs convolutions and matmuls in bfloat16 under autocast (weights, optimizer and scoring stay "
                 "float32): measured 1.1-1.4x faster for lenet5 at batch 512 on an AVX-512 CPU, barely faster at 256",
    "preset": "a named recipe that sets the defaults for --dataset (best: the shipped checkpoints' recipes; "
              "paper: 20 epochs with distortions and a stepped rate, MNIST only); explicit flags still win",
}

CHOICES = {
    "dataset": list(DATASETS),
    "model": lenet.list_models(),
    "optimizer": ["sgd", "adam", "adamw"],
    "schedule": ["cosine", "onecycle", "step", "none"],
    "device": ["auto", "cpu", "cuda"],
    "precision": list(AUTOCAST_DTYPES),
    "preset": list(PRESETS),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m train", description="Train a LeNet variant.")
    defaults = TrainConfig()
    for field in fields(TrainConfig):
        if field.name == "command":
            continue
        flag = "--" + field.name.replace("_", "-")
        default = getattr(defaults, field.name)
        if isinstance(default, bool):
            parser.add_argument(flag, action=argparse.BooleanOptionalAction, default=default, help=HELP[field.name])
            continue
        kind = int if field.type in ("int", "int | None") else float if field.type == "float" else str
        # Leave choices unchecked by argparse: a clear message with the valid names comes from validate().
        choices = f" ({', '.join(CHOICES[field.name])})" if field.name in CHOICES else ""
        shown_default = " [default: %(default)s]" if default is not None else ""
        parser.add_argument(flag, type=kind, default=default, help=HELP[field.name] + choices + shown_default)
    return parser


def parse_config(argv: Sequence[str] | None = None) -> TrainConfig:
    """Flags over preset over dataclass defaults."""
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    first, _ = parser.parse_known_args(argv)
    if first.preset:
        validate_choice("preset", first.preset)
        validate_choice("dataset", first.dataset)
        if first.dataset not in PRESETS[first.preset]:
            raise lenet.LenetError(f"preset {first.preset!r} has no recipe for {first.dataset}; it has: {', '.join(PRESETS[first.preset])}")
        parser.set_defaults(**{**PRESETS[first.preset][first.dataset], **PRESET_MODEL_OVERRIDES.get(first.model, {})})
    args = parser.parse_args(argv)
    config = TrainConfig(**vars(args))
    config.command = config.recipe_command()
    for name in ("dataset", "model", "optimizer", "schedule", "device", "precision"):
        validate_choice(name, getattr(config, name))
    return config


def validate_choice(name: str, value: str) -> None:
    if value not in CHOICES[name]:
        raise lenet.LenetError(f"unknown {name} {value!r}; choose one of: {', '.join(CHOICES[name])}")
