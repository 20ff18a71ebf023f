"""One small config per run (nanoGPT style): parsed from the command line, printed, saved in the checkpoint.

Each field carries its own help and choices, so the flags are generated from the dataclass.
"""
from __future__ import annotations

import argparse
import shlex
import sys
from dataclasses import asdict, dataclass, field, fields
from typing import Any, Sequence, get_type_hints

import torch

import lenet
from lenet.datasets import DATA_DIR_HELP, DATASETS
from lenet.errors import UnknownNameError
from lenet.models.lenet5 import ACTIVATIONS, POOLINGS

AUTOCAST_DTYPES: dict[str, torch.dtype | None] = {"fp32": None, "bf16": torch.bfloat16}  # --precision -> autocast dtype


def option(default: Any, help: str, choices: Sequence[str] | None = None, recipe: bool = True) -> Any:
    """A config field with its flag's help, its valid values, and whether it changes what is learnt
    (``recipe``) or only where and how fast it runs."""
    return field(default=default, metadata={"help": help, "choices": choices, "recipe": recipe})


# Recipes that reach the accuracies in checkpoints/manifest.json: "best" is each dataset spec's own recipe.
PRESETS: dict[str, dict[str, dict[str, Any]]] = {
    "paper": {  # 20 passes with the paper's small distortions and a decreasing learning rate (Section III-C)
        "mnist": dict(epochs=20, optimizer="sgd", lr=0.01, schedule="step", weight_decay=0.0),
    },
    "best": {name: spec.recipe for name, spec in DATASETS.items()},
}

# Whatever the preset: the 1998 model's RBF logits (-squared distances) are steep, so it wants a smaller step.
PRESET_MODEL_OVERRIDES: dict[str, dict[str, Any]] = {"lenet5-1998": dict(lr=0.01)}


@dataclass
class TrainConfig:
    dataset: str = option("mnist", "dataset to train on", list(DATASETS))
    model: str = option("lenet5", "variant from the lenet registry", lenet.list_models())
    activation: str | None = option(None, "lenet5 only: its activation (default: the variant's own, tanh)", list(ACTIVATIONS))
    pooling: str | None = option(None, "lenet5 only: its S2/S4 pooling (default: the variant's own, avg)", list(POOLINGS))
    epochs: int = option(10, "passes over the training set")
    batch_size: int = option(128, "images per optimisation step (summed over all processes under torchrun)")
    lr: float = option(0.05, "peak learning rate")
    optimizer: str = option("sgd", "optimizer; sgd uses Nesterov momentum 0.9", ["sgd", "adam", "adamw"])
    schedule: str = option("onecycle", "learning-rate schedule over the whole run; step divides the rate by 10 at "
                           "50%% and 75%%", ["cosine", "onecycle", "step", "none"])
    weight_decay: float = option(5e-4, "L2 penalty (decoupled for adamw)")
    label_smoothing: float = option(0.0, "cross-entropy label smoothing")
    augment: bool = option(True, "batched random distortions suited to the dataset (its spec's augmentation)")
    val_size: int = option(5000, "training images held out to pick the best epoch (0: pick by the last epoch)")
    seed: int = option(1, "random seed for init, shuffling, augmentation and dropout")
    device: str = option("auto", "auto picks cuda when available", ["auto", "cpu", "cuda"], recipe=False)
    data_dir: str | None = option(None, DATA_DIR_HELP, recipe=False)
    download: bool = option(True, "download the dataset with torchvision if missing (from $LENET_DATA_MIRROR if set)", recipe=False)
    out: str = option("runs/latest", "output folder: the model (Hugging Face layout), last.pt, metrics and plots",
                      recipe=False)
    resume: str | None = option(None, "continue from a last.pt written by an earlier run", recipe=False)
    limit: int | None = option(None, "use only the first N training and N test images (quick runs, tests)")
    deterministic: bool = option(False, "use deterministic algorithms (bit-identical resumes)")
    channels_last: bool = option(True, "NHWC memory layout (faster for lenet5 and lenet-cifar on a CPU, slower for "
                                 "lenet5-modern: see bench/README.md)", recipe=False)
    precision: str = option("fp32", "bf16 runs convolutions and matmuls in bfloat16 under autocast (weights, "
                            "optimizer and scoring stay float32)", list(AUTOCAST_DTYPES))
    preset: str | None = option(None, "a named recipe that sets the defaults for --dataset (best: the shipped "
                                "checkpoints' recipes; paper: 20 epochs with distortions and a stepped rate, MNIST "
                                "only); explicit flags still win", list(PRESETS), recipe=False)
    command: str = field(default="", metadata={"recipe": False})  # recipe_command(), for model cards

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def recipe_command(self) -> str:
        """The command that reproduces this run with every recipe flag explicit (presets may change)."""
        words = ["python", "-m", "train"]
        for f in fields(self):
            value = getattr(self, f.name)
            if not f.metadata["recipe"] or value is None:
                continue
            flag = "--" + f.name.replace("_", "-")
            if isinstance(value, bool):
                words.append(flag if value else "--no-" + flag[2:])
            else:
                words += [flag, str(value)]
        return shlex.join(words)

    def model_options(self) -> dict[str, str]:
        """What the variant's builder is asked for beyond its defaults (saved in the model's config.json)."""
        return {name: value for name, value in (("activation", self.activation), ("pooling", self.pooling)) if value}

    def validate(self) -> None:
        """Names are checked here rather than by argparse, so the message lists the valid ones."""
        for f in fields(self):
            value, choices = getattr(self, f.name), f.metadata.get("choices")
            if choices and value is not None and value not in choices:
                raise UnknownNameError(f.name, value, choices)
        require_at_least(self, {"epochs": 1, "batch_size": 1})


def require_at_least(config: Any, minimums: dict[str, int]) -> None:
    """Each named field of a config at least its minimum, else a message that names the flag and the value."""
    for name, least in minimums.items():
        value = getattr(config, name)
        if value < least:
            raise lenet.LenetError(f"--{name.replace('_', '-')} must be at least {least}, not {value}")


def build_parser(config: type, prog: str, description: str) -> argparse.ArgumentParser:
    """A flag for every ``option`` field of a config dataclass, with its help, choices and default."""
    parser = argparse.ArgumentParser(prog=prog, description=description)
    types = get_type_hints(config)
    for f in fields(config):
        if "help" not in f.metadata:
            continue
        flag = "--" + f.name.replace("_", "-")
        if types[f.name] is bool:
            parser.add_argument(flag, action=argparse.BooleanOptionalAction, default=f.default, help=f.metadata["help"])
            continue
        kind = next(t for t in (int, float, str) if t == types[f.name] or t | None == types[f.name])
        choices = f" ({', '.join(f.metadata['choices'])})" if f.metadata["choices"] else ""
        shown_default = " [default: %(default)s]" if f.default is not None else ""
        parser.add_argument(flag, type=kind, default=f.default, help=f.metadata["help"] + choices + shown_default)
    return parser


def parse_config(argv: Sequence[str] | None = None) -> TrainConfig:
    """Flags over preset over dataclass defaults."""
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(TrainConfig, "python -m train", "Train a LeNet variant.")
    first, _ = parser.parse_known_args(argv)
    if first.preset:
        TrainConfig(dataset=first.dataset, preset=first.preset).validate()
        if first.dataset not in PRESETS[first.preset]:
            raise lenet.LenetError(f"preset {first.preset!r} has no recipe for {first.dataset}; it has: {', '.join(PRESETS[first.preset])}")
        parser.set_defaults(**{**PRESETS[first.preset][first.dataset], **PRESET_MODEL_OVERRIDES.get(first.model, {})})
    config = TrainConfig(**vars(parser.parse_args(argv)))
    config.validate()
    config.command = config.recipe_command()
    return config
