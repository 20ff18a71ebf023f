"""``python -m train``: build everything from one TrainConfig, run the epochs, write the outputs."""
from __future__ import annotations

import copy
import platform
import sys
from pathlib import Path
from typing import Any, Sequence

import torch
from torch.nn.parallel import DistributedDataParallel

import lenet
from lenet.checkpoint import count_parameters, read_checkpoint, save_checkpoint
from lenet.preprocess import dataset_pixels
from train import distributed, report
from train.allocator import keep_freed_memory
from train.augment import AUGMENTATIONS
from train.config import AUTOCAST_DTYPES, TrainConfig, parse_config
from train.data import Split, load_splits
from train.engine import EVAL_BATCH_SIZE, evaluate, predict, train_one_epoch

SGD_MOMENTUM = 0.9
STEP_MILESTONES = (0.5, 0.75)  # fractions of the run where the step schedule divides the lr by 10
STEP_GAMMA = 0.1
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


def build_model(config: TrainConfig, info: lenet.DatasetInfo) -> torch.nn.Module:
    try:
        return lenet.create_model(config.model, in_channels=info.in_channels, num_classes=info.num_classes)
    except ValueError as error:
        raise lenet.LenetError(f"model {config.model!r} cannot be used with {info.name}: {error}") from error


def load_resume_state(config: TrainConfig) -> dict[str, Any]:
    state = read_checkpoint(config.resume)
    meta = state["meta"]
    if (meta["model"], meta["dataset"]) != (config.model, config.dataset):
        raise lenet.LenetError(
            f"--resume {config.resume} holds {meta['model']} on {meta['dataset']}, "
            f"but this run trains {config.model} on {config.dataset}"
        )
    if "optimizer" not in state:
        raise lenet.LenetError(f"--resume {config.resume} has no training state; resume from a last.pt")
    return state


def restore_training_state(
    state: dict[str, Any], model: torch.nn.Module, optimizer: torch.optim.Optimizer,
    scheduler: torch.optim.lr_scheduler.LRScheduler, generator: torch.Generator,
) -> None:
    """Put weights, optimizer, schedule and both random streams back where ``last.pt`` left them."""
    model.load_state_dict(state["state_dict"])
    optimizer.load_state_dict(state["optimizer"])
    scheduler.load_state_dict(state["scheduler"])
    torch.set_rng_state(state["rng"]["torch"])
    generator.set_state(state["rng"]["data"].to(generator.get_state().device))


def run(config: TrainConfig) -> dict[str, Any]:
    keep_freed_memory()
    device = pick_device(config.device)
    env = distributed.setup(device)
    if device.type == "cuda":
        device = torch.device("cuda", env.local_rank)
        torch.cuda.set_device(device)
    torch.manual_seed(config.seed)
    torch.use_deterministic_algorithms(config.deterministic)
    torch.backends.cudnn.benchmark = not config.deterministic  # fixed shapes: let cuDNN time its kernels once
    info = lenet.dataset_info(config.dataset)
    out = Path(config.out)
    say = print if env.is_main else (lambda *_: None)
    say(config)

    layout = torch.channels_last if config.channels_last else torch.contiguous_format
    model = build_model(config, info).to(device, memory_format=layout)
    resume = load_resume_state(config) if config.resume else None
    train, val, test = load_splits(config.dataset, config.data_dir, config.download, config.val_size, config.limit, config.seed, device)
    per_rank_batch = max(1, config.batch_size // env.world_size)
    steps_per_epoch = -(-(len(train) // env.world_size) // per_rank_batch)
    optimizer = build_optimizer(config, model)
    scheduler = build_scheduler(config, optimizer, config.epochs * steps_per_epoch)
    generator = torch.Generator(device=device).manual_seed(config.seed)
    augment = AUGMENTATIONS[config.dataset] if config.augment else None
    history: list[dict[str, Any]] = []
    best_score, train_seconds, start_epoch = -1.0, 0.0, 0
    if resume:
        restore_training_state(resume, model, optimizer, scheduler, generator)
        history, best_score = resume["history"], resume["best_score"]
        start_epoch, train_seconds = resume["epoch"], resume["meta"]["train_seconds"]
        say(f"resumed from {config.resume} at epoch {start_epoch}")
    net = DistributedDataParallel(model) if env.enabled else model
    params = count_parameters(model)
    machine = machine_name(device, env.world_size)
    say(f"{config.model} on {config.dataset}: {params:,} parameters, {len(train):,} train / {len(val):,} val / {len(test):,} test images, {machine}")

    def meta(epoch: int, test_accuracy: float, val_accuracy: float) -> dict[str, Any]:
        return {
            "model": config.model, "dataset": config.dataset, "in_channels": info.in_channels, "classes": list(info.classes),
            "mean": list(info.mean), "std": list(info.std), "params": params, "epoch": epoch, "epochs": config.epochs,
            "test_accuracy": test_accuracy, "val_accuracy": val_accuracy, "train_seconds": round(train_seconds, 1),
            "machine": machine, "config": config.to_dict(), "command": config.command,
        }

    for epoch in range(start_epoch + 1, config.epochs + 1):
        stats = train_one_epoch(
            net, train, optimizer, scheduler, mean=info.mean, std=info.std, batch_size=config.batch_size,
            label_smoothing=config.label_smoothing, augment=augment, generator=generator,
            rank=env.rank, world_size=env.world_size, description=f"epoch {epoch}/{config.epochs}", memory_format=layout,
            autocast_dtype=AUTOCAST_DTYPES[config.precision],
        )
        train_seconds += stats["seconds"]
        if not env.is_main:
            continue
        # Score a default-layout copy: the kernels train.evaluate and the demo run, so recorded accuracies reproduce exactly.
        scored = copy.deepcopy(model).to(memory_format=torch.contiguous_format) if config.channels_last else model
        val_stats = evaluate(scored, val, info.mean, info.std, EVAL_BATCH_SIZE)
        test_stats = evaluate(scored, test, info.mean, info.std, EVAL_BATCH_SIZE)
        history.append({"epoch": epoch, "train": stats, "val": val_stats, "test": test_stats, "lr": scheduler.get_last_lr()[0]})
        score = val_stats["accuracy"] if len(val) else epoch  # without a hold-out, the latest epoch is "best"
        checkpoint_meta = meta(epoch, test_stats["accuracy"], val_stats["accuracy"])
        if score > best_score:
            best_score = score
            save_checkpoint(out / "best.pt", model, checkpoint_meta)
        rng = {"torch": torch.get_rng_state(), "data": generator.get_state()}
        save_checkpoint(
            out / "last.pt", model, checkpoint_meta, optimizer=optimizer.state_dict(), scheduler=scheduler.state_dict(),
            rng=rng, epoch=epoch, history=history, best_score=best_score,
        )
        say(
            f"epoch {epoch:3d}/{config.epochs}  train loss {stats['loss']:.4f} acc {stats['accuracy']:.4f}  "
            f"val acc {val_stats['accuracy']:.4f}  test loss {test_stats['loss']:.4f} acc {test_stats['accuracy']:.4f}  "
            f"{stats['images_per_second']:.0f} img/s  {stats['seconds']:.1f}s"
        )
    summary = write_reports(out, test, info, history) if env.is_main else {}
    distributed.teardown()
    return summary


def write_reports(out: Path, test: Split, info: lenet.DatasetInfo, history: list[dict[str, Any]]) -> dict[str, Any]:
    """Plots and metrics.json for the best checkpoint, evaluated on the test set."""
    best, meta = lenet.load_checkpoint(out / "best.pt")
    best.to(test.labels.device)
    probabilities = predict(best, test, info.mean, info.std, EVAL_BATCH_SIZE)
    labels = test.labels
    matrix = report.confusion_matrix(labels.cpu(), probabilities.argmax(1).cpu(), info.num_classes)
    summary = {"best_epoch": meta["epoch"], "test_accuracy": meta["test_accuracy"], "val_accuracy": meta["val_accuracy"],
               "params": meta["params"], "train_seconds": meta["train_seconds"], "command": meta["command"]}
    report.write_metrics(out / "metrics.json", summary, history)
    report.plot_curves(out / "curves.png", history)
    report.plot_confusion(out / "confusion.png", matrix, info.classes)
    report.plot_misclassified(out / "misclassified.png", dataset_pixels(test.images).cpu(), labels.cpu(), probabilities.cpu(), info.classes)
    print(f"best epoch {meta['epoch']}: test accuracy {meta['test_accuracy']:.4f}; wrote {out}/")
    return summary


def main(argv: Sequence[str] | None = None) -> None:
    try:
        run(parse_config(argv))
    except lenet.LenetError as error:
        sys.exit(f"error: {error}")
    except KeyboardInterrupt:
        sys.exit("interrupted; continue with --resume <out>/last.pt")
