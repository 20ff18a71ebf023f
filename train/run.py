"""``fit(config)``: one training run, top to bottom. ``python -m train`` and the demo's Train tab both call it.

A run folder is a model in the Hugging Face layout (``model.safetensors`` and
``config.json`` of the best epoch) plus ``last.pt`` for ``--resume``,
``metrics.json`` and the plots.
"""
from __future__ import annotations

import platform
from dataclasses import dataclass, field
from pathlib import Path
from threading import Event
from typing import Any, Callable

import torch
from torch.nn.parallel import DistributedDataParallel

import lenet
from lenet.checkpoint import (
    count_parameters,
    read_training_state,
    save_pretrained,
    save_training_state,
)
from lenet.datasets import MODEL_INPUT_SIZE
from lenet.preprocess import dataset_pixels
from train import distributed, report
from train.allocator import keep_freed_memory
from train.config import AUTOCAST_DTYPES, TrainConfig
from train.data import Split, load_splits
from train.engine import EVAL_BATCH_SIZE, Progress, evaluate, predict, train_one_epoch
from train.speedups import speed_up_for_cpu

SGD_MOMENTUM = 0.9
STEP_MILESTONES = (0.5, 0.75)  # fractions of the run where the step schedule divides the lr by 10
STEP_GAMMA = 0.1
EPOCH_DECIMALS = 2  # epochs_trained in the checkpoint: 0.37 of an epoch when stopped early
CPUINFO = Path("/proc/cpuinfo")  # Linux only


def pick_device(name: str) -> torch.device:
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name == "cuda" and not torch.cuda.is_available():
        raise lenet.LenetError("--device cuda was asked for but no CUDA device is available")
    return torch.device(name)


def cpu_name() -> str:
    """The CPU's model name: /proc/cpuinfo on Linux, the platform module elsewhere (macOS, Windows)."""
    try:
        lines = CPUINFO.read_text().splitlines()
    except OSError:
        lines = []
    models = [line.split(":", 1)[1].strip() for line in lines if line.startswith("model name")]
    return models[0] if models else platform.processor() or "CPU"


def machine_name(device: torch.device, world_size: int) -> str:
    if device.type == "cuda":
        return f"{world_size}x {torch.cuda.get_device_name(device)}"
    threads = torch.get_num_threads()
    return f"{cpu_name()}, {threads} thread{'s' * (threads > 1)}" + (f" x {world_size} processes" if world_size > 1 else "")


def build_model(config: TrainConfig, spec: lenet.DatasetSpec) -> torch.nn.Module:
    options = config.model_options()
    try:
        return lenet.create_model(config.model, in_channels=spec.in_channels, num_classes=spec.num_classes, **options)
    except TypeError as error:
        if not options:
            raise
        raise lenet.LenetError(f"model {config.model!r} has no {' or '.join(options)} option (only lenet5 has)") from error
    except ValueError as error:
        raise lenet.LenetError(f"model {config.model!r} cannot be used with {spec.name}: {error}") from error


def build_optimizer(config: TrainConfig, model: torch.nn.Module) -> torch.optim.Optimizer:
    """Fused kernels: one update for all parameters instead of a few small ops per tensor."""
    if config.optimizer == "sgd":
        return torch.optim.SGD(model.parameters(), lr=config.lr, momentum=SGD_MOMENTUM, nesterov=True,
                               weight_decay=config.weight_decay, fused=True)
    kind = torch.optim.AdamW if config.optimizer == "adamw" else torch.optim.Adam
    return kind(model.parameters(), lr=config.lr, weight_decay=config.weight_decay, fused=True)


def build_scheduler(config: TrainConfig, optimizer: torch.optim.Optimizer, total_steps: int) -> torch.optim.lr_scheduler.LRScheduler:
    """Every schedule is stepped once per batch."""
    schedules = torch.optim.lr_scheduler
    if config.schedule == "onecycle":
        return schedules.OneCycleLR(optimizer, max_lr=config.lr, total_steps=total_steps)
    if config.schedule == "cosine":
        return schedules.CosineAnnealingLR(optimizer, T_max=total_steps)
    if config.schedule == "step":
        return schedules.MultiStepLR(optimizer, [int(total_steps * f) for f in STEP_MILESTONES], gamma=STEP_GAMMA)
    return schedules.ConstantLR(optimizer, factor=1.0, total_iters=0)


def load_resume_state(config: TrainConfig) -> dict[str, Any]:
    state = read_training_state(config.resume)
    meta = state["meta"]
    if (meta["model"], meta["dataset"]) != (config.model, config.dataset):
        raise lenet.LenetError(
            f"--resume {config.resume} holds {meta['model']} on {meta['dataset']}, "
            f"but this run trains {config.model} on {config.dataset}"
        )
    if "optimizer" not in state:
        raise lenet.LenetError(f"--resume {config.resume} has no training state; resume from a last.pt")
    return state


@dataclass
class Training:
    """Everything that changes as a run goes, saved in ``last.pt`` and restored by ``--resume``."""

    model: torch.nn.Module
    optimizer: torch.optim.Optimizer
    scheduler: torch.optim.lr_scheduler.LRScheduler
    generator: torch.Generator  # shuffling and augmentation
    history: list[dict[str, Any]] = field(default_factory=list)
    best_score: float = -1.0
    epoch: int = 0
    train_seconds: float = 0.0

    def restore(self, state: dict[str, Any]) -> None:
        self.model.load_state_dict(state["state_dict"])
        self.optimizer.load_state_dict(state["optimizer"])
        self.scheduler.load_state_dict(state["scheduler"])
        torch.set_rng_state(state["rng"]["torch"])
        self.generator.set_state(state["rng"]["data"].to(self.generator.get_state().device))
        self.history, self.best_score = state["history"], state["best_score"]
        self.epoch, self.train_seconds = state["epoch"], state["meta"]["train_seconds"]

    def state(self) -> dict[str, Any]:
        return {
            "optimizer": self.optimizer.state_dict(), "scheduler": self.scheduler.state_dict(),
            "rng": {"torch": torch.get_rng_state(), "data": self.generator.get_state()},
            "epoch": self.epoch, "history": self.history, "best_score": self.best_score,
        }


def scoring_copy(model: torch.nn.Module, config: TrainConfig, spec: lenet.DatasetSpec) -> torch.nn.Module:
    """The plain model with the trained weights, in the default layout: what train.evaluate and the demo run,
    so recorded accuracies reproduce exactly."""
    plain = build_model(config, spec).to(next(model.parameters()).device)
    plain.load_state_dict(model.state_dict())
    return plain


def fit(config: TrainConfig, on_progress: Callable[[Progress], None] | None = None, stop: Event | None = None,
        reports: bool = True) -> dict[str, Any]:
    """Train as ``config`` says and write the run folder. ``on_progress`` hears the running numbers and each
    epoch's end; setting ``stop`` ends the run early, its last (partial) epoch scored and kept if best.
    ``reports=False`` skips the plots and metrics.json (the model and last.pt are still written)."""
    keep_freed_memory()
    device = pick_device(config.device)
    env = distributed.setup(device)
    if device.type == "cuda":
        device = torch.device("cuda", env.local_rank)
        torch.cuda.set_device(device)
    torch.manual_seed(config.seed)
    torch.use_deterministic_algorithms(config.deterministic)
    torch.backends.cudnn.benchmark = not config.deterministic  # fixed shapes: let cuDNN time its kernels once
    spec = lenet.dataset_spec(config.dataset)
    out = Path(config.out)
    say = print if env.is_main else (lambda *_: None)
    say(config)

    layout = torch.channels_last if config.channels_last else torch.contiguous_format
    model = build_model(config, spec).to(device, memory_format=layout)
    if device.type == "cpu":
        speed_up_for_cpu(model, torch.zeros(1, spec.in_channels, MODEL_INPUT_SIZE, MODEL_INPUT_SIZE))
    resume = load_resume_state(config) if config.resume else None
    train, val, test = load_splits(config.dataset, config.data_dir, config.download, config.val_size, config.limit, config.seed, device)
    optimizer = build_optimizer(config, model)
    scheduler = build_scheduler(config, optimizer, config.epochs * train.steps(config.batch_size, env.world_size))
    run = Training(model, optimizer, scheduler, torch.Generator(device=device).manual_seed(config.seed))
    if resume:
        run.restore(resume)
        say(f"resumed from {config.resume} at epoch {run.epoch}")
    net = DistributedDataParallel(model) if env.enabled else model
    params = count_parameters(model)
    machine = machine_name(device, env.world_size)
    say(f"{config.model} on {config.dataset}: {params:,} parameters, {len(train):,} train / {len(val):,} val / {len(test):,} test images, {machine}")

    def meta(stats: dict[str, Any], test_accuracy: float, val_accuracy: float) -> dict[str, Any]:
        """``stats``: the last epoch's; only a stopped run's last epoch is partial."""
        epochs_trained = run.epoch - 1 + stats["steps"] / stats["steps_per_epoch"]
        return {
            "model": config.model, "dataset": config.dataset, "in_channels": spec.in_channels, "classes": list(spec.classes),
            "mean": list(spec.mean), "std": list(spec.std), "params": params, "epoch": run.epoch, "epochs": config.epochs,
            "epochs_trained": round(epochs_trained, EPOCH_DECIMALS),
            "test_accuracy": test_accuracy, "val_accuracy": val_accuracy, "train_seconds": round(run.train_seconds, 1),
            "machine": machine, "config": config.to_dict(), "command": config.command,
            "model_options": config.model_options(),
        }

    def tell(stats: dict[str, Any], shown: torch.nn.Module, phase: str, val_accuracy: float | None = None) -> None:
        """The epoch's end, phase by phase (scoring takes a second or two), for ``on_progress``."""
        if on_progress:
            on_progress(Progress(run.epoch, config.epochs, stats["steps"], stats["steps_per_epoch"], stats["loss"],
                                 stats["accuracy"], val_accuracy, shown, phase))

    while run.epoch < config.epochs:
        run.epoch += 1
        stats = train_one_epoch(
            net, train, optimizer, scheduler, mean=spec.mean, std=spec.std, batch_size=config.batch_size,
            label_smoothing=config.label_smoothing, augment=spec.augmentation if config.augment else None,
            generator=run.generator, rank=env.rank, world_size=env.world_size, epoch=run.epoch, epochs=config.epochs,
            memory_format=layout, autocast_dtype=AUTOCAST_DTYPES[config.precision], on_progress=on_progress, stop=stop,
        )
        run.train_seconds += stats["seconds"]
        if not env.is_main:
            continue
        tell(stats, model, "held-out")
        scored = scoring_copy(model, config, spec)
        val_stats = evaluate(scored, val, spec.mean, spec.std, EVAL_BATCH_SIZE)
        tell(stats, scored, "test")
        test_stats = evaluate(scored, test, spec.mean, spec.std, EVAL_BATCH_SIZE)
        run.history.append({"epoch": run.epoch, "train": stats, "val": val_stats, "test": test_stats, "lr": scheduler.get_last_lr()[0]})
        score = val_stats["accuracy"] if len(val) else run.epoch  # without a hold-out, the latest epoch is "best"
        checkpoint_meta = meta(stats, test_stats["accuracy"], val_stats["accuracy"])
        if score > run.best_score:
            run.best_score = score
            save_pretrained(out, scored, checkpoint_meta)
        save_training_state(out / "last.pt", model, checkpoint_meta, **run.state())
        say(
            f"epoch {run.epoch:3d}/{config.epochs}  train loss {stats['loss']:.4f} acc {stats['accuracy']:.4f}  "
            f"val acc {val_stats['accuracy']:.4f}  test loss {test_stats['loss']:.4f} acc {test_stats['accuracy']:.4f}  "
            f"{stats['images_per_second']:.0f} img/s  {stats['seconds']:.1f}s"
        )
        tell(stats, scored, "scored", val_stats["accuracy"])
        if stop is not None and stop.is_set():
            break
    summary = write_reports(out, test, spec, run.history) if env.is_main and reports else {}
    distributed.teardown()
    return summary


def write_reports(out: Path, test: Split, spec: lenet.DatasetSpec, history: list[dict[str, Any]]) -> dict[str, Any]:
    """Plots, metrics.json and evaluation.json for the best epoch's model, evaluated on the test set."""
    best, meta = lenet.load_checkpoint(out)
    best.to(test.labels.device)
    probabilities = predict(best, test, spec.mean, spec.std, EVAL_BATCH_SIZE).cpu()
    pixels, labels = dataset_pixels(test.images).cpu(), test.labels.cpu()
    matrix = report.write_evaluation(out, pixels, labels, probabilities)
    summary = {"best_epoch": meta["epoch"], "test_accuracy": meta["test_accuracy"], "val_accuracy": meta["val_accuracy"],
               "params": meta["params"], "train_seconds": meta["train_seconds"], "command": meta["command"]}
    report.write_metrics(out / "metrics.json", summary, history)
    report.save(report.curves(history), out / "curves.png")
    report.save(report.confusion(matrix, spec.classes), out / "confusion.png")
    report.save(report.misclassified(pixels, labels, probabilities, spec.classes), out / "misclassified.png")
    print(f"best epoch {meta['epoch']}: test accuracy {meta['test_accuracy']:.4f}; wrote {out}/")
    return summary
