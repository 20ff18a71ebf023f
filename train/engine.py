"""The train and test loops: one epoch each, readable top to bottom."""
from __future__ import annotations

import math
import sys
import time
from dataclasses import dataclass
from threading import Event
from typing import Callable

import torch
import torch.nn.functional as F
from torch import nn
from torchvision.transforms.v2.functional import normalize
from tqdm import tqdm

from lenet.errors import LenetError
from lenet.preprocess import dataset_pixels
from train.data import Split

NO_STEP = -1
EXPLODED_FACTOR = 100  # a loss this many times that of a uniform guess has exploded, even while still finite
EVAL_BATCH_SIZE = 1000  # scoring needs no gradients: big batches
BAR_INTERVAL_S = 0.1
LOG_INTERVAL_S = 10.0
Augment = Callable[[torch.Tensor, torch.Generator], torch.Tensor]


@dataclass
class Progress:
    """What a run reports as it goes: running train loss and accuracy, and at each epoch's end the held-out one."""

    epoch: int
    epochs: int
    step: int  # within the epoch
    steps: int
    loss: float
    accuracy: float
    val_accuracy: float | None = None  # set once the epoch is scored
    model: nn.Module | None = None  # the model as it is now, to look at (not to train)
    phase: str = "training"  # at an epoch's end: "held-out", "test" (being scored), then "scored"


def train_one_epoch(
    model: nn.Module,
    split: Split,
    optimizer: torch.optim.Optimizer,
    scheduler: torch.optim.lr_scheduler.LRScheduler,
    *,
    mean: tuple[float, ...],
    std: tuple[float, ...],
    batch_size: int,
    label_smoothing: float,
    augment: Augment | None,
    generator: torch.Generator,
    rank: int = 0,
    world_size: int = 1,
    epoch: int = 1,
    epochs: int = 1,
    memory_format: torch.memory_format = torch.contiguous_format,
    autocast_dtype: torch.dtype | None = None,
    on_progress: Callable[[Progress], None] | None = None,
    stop: Event | None = None,
) -> dict[str, float]:
    """One pass over ``split`` (cut short once ``stop`` is set); the bar and ``on_progress`` hear the running
    loss and accuracy now and then. A loss that stops being finite ends the run with ``LossExploded``."""
    model.train()
    per_rank_batch = max(1, batch_size // world_size)
    steps = split.steps(batch_size, world_size)
    # Running sums stay on the device and are read only when the bar redraws: a per-step .item() would make
    # a GPU wait for the CPU every batch.
    loss_sum = torch.zeros((), device=split.labels.device)
    correct = torch.zeros((), dtype=torch.long, device=split.labels.device)
    first_bad_step = torch.full((), NO_STEP, device=split.labels.device)  # kept on the device like the sums
    bad_loss = torch.zeros((), device=split.labels.device)
    seen = step = 0
    start = last_shown = time.perf_counter()
    interactive = sys.stderr.isatty()  # in a log file, a few bar lines per epoch rather than hundreds
    redraw_every = BAR_INTERVAL_S if interactive else LOG_INTERVAL_S
    report_every = BAR_INTERVAL_S if interactive or on_progress else LOG_INTERVAL_S
    bar = tqdm(total=steps, desc=f"epoch {epoch}/{epochs}", disable=rank != 0 or on_progress is not None, leave=False, dynamic_ncols=True, mininterval=redraw_every)
    for step, (images, labels) in enumerate(split.batches(per_rank_batch, generator, rank, world_size), start=1):
        pixels = dataset_pixels(images)
        if augment is not None:
            pixels = augment(pixels, generator)
        with torch.autocast(labels.device.type, dtype=autocast_dtype, enabled=autocast_dtype is not None):
            logits = model(normalize(pixels, mean, std).contiguous(memory_format=memory_format))
            loss = F.cross_entropy(logits, labels, label_smoothing=label_smoothing)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        scheduler.step()
        loss_sum += loss.detach() * len(labels)
        correct += (logits.argmax(1) == labels).sum()
        exploded = EXPLODED_FACTOR * math.log(logits.shape[1])
        newly_bad = (first_bad_step == NO_STEP) & ~(loss.detach() <= exploded)  # NaN compares False: bad too
        first_bad_step = torch.where(newly_bad, step, first_bad_step)
        bad_loss = torch.where(newly_bad, loss.detach().float(), bad_loss)
        seen += len(labels)
        bar.update()
        if stop is not None and stop.is_set():
            break
        if rank == 0 and time.perf_counter() - last_shown >= report_every:
            last_shown = time.perf_counter()
            check_loss(first_bad_step, bad_loss, epoch, steps)
            loss, accuracy = loss_sum.item() / seen, correct.item() / seen
            bar.set_postfix(loss=f"{loss:.4f}", acc=f"{accuracy:.4f}", img_s=f"{seen * world_size / (last_shown - start):.0f}",
                            refresh=False)
            if on_progress:
                on_progress(Progress(epoch, epochs, step, steps, loss, accuracy, model=getattr(model, "module", model)))
    bar.close()
    check_loss(first_bad_step, bad_loss, epoch, steps)
    loss_total, correct_total = loss_sum.item(), correct.item()  # waits for the last step, so the clock is honest
    seconds = time.perf_counter() - start
    return {"loss": loss_total / seen, "accuracy": correct_total / seen, "seconds": seconds,
            "images_per_second": seen * world_size / seconds, "steps": step, "steps_per_epoch": steps}


class LossExploded(LenetError):
    """The loss became NaN, infinite or absurdly large: the step was too large."""

    def __init__(self, loss: float, step: int) -> None:
        self.loss, self.step = loss, step  # for a message in another language
        super().__init__(f"the loss exploded ({self.shown}) at step {step}: try a smaller learning rate")

    @property
    def shown(self) -> str:
        """The loss as any language writes it: NaN, ∞ or a whole number."""
        return "NaN" if math.isnan(self.loss) else "∞" if math.isinf(self.loss) else f"{self.loss:,.0f}"

    def __reduce__(self) -> tuple:  # pickled and copied by its loss and step, not its message
        return type(self), (self.loss, self.step)


def check_loss(first_bad_step: torch.Tensor, bad_loss: torch.Tensor, epoch: int, steps: int) -> None:
    """Raise ``LossExploded`` naming the first step whose loss was NaN, infinite or ``EXPLODED_FACTOR`` times
    a uniform guess's."""
    step = int(first_bad_step.item())
    if step == NO_STEP:
        return
    raise LossExploded(float(bad_loss.item()), (epoch - 1) * steps + step)


@torch.inference_mode()
def predict(model: nn.Module, split: Split, mean: tuple[float, ...], std: tuple[float, ...], batch_size: int) -> torch.Tensor:
    """Softmax probabilities for every image of ``split``, in order (``N x classes``)."""
    model.eval()
    outputs = [model(normalize(dataset_pixels(images), mean, std)).softmax(1) for images, _ in split.batches(batch_size)]
    return torch.cat(outputs) if outputs else torch.empty(0)


def evaluate(model: nn.Module, split: Split, mean: tuple[float, ...], std: tuple[float, ...], batch_size: int) -> dict[str, float]:
    """Loss and accuracy on a whole split (NaN for an empty one)."""
    if not len(split):
        return {"loss": float("nan"), "accuracy": float("nan")}
    probabilities = predict(model, split, mean, std, batch_size)
    loss = F.nll_loss(probabilities.clamp_min(1e-12).log(), split.labels).item()
    accuracy = (probabilities.argmax(1) == split.labels).float().mean().item()
    return {"loss": loss, "accuracy": accuracy}
