"""``python -m train.identify``: teach a LeNet which dataset a picture looks like, or none (lenet.identify).

Its examples are training images of each dataset rendered as uploads, and
pictures of no dataset (train.uploads), all seen through ``lenet.identify.look``
as at inference. The held-out score comes from images the model never saw.
"""
from __future__ import annotations

import multiprocessing
import os
import sys
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Sequence

import numpy as np
import torch
from PIL import Image
from torch import nn

import lenet
from lenet.augment import Augmentation
from lenet.checkpoint import CARD_NAME, save_pretrained
from lenet.datasets import DATA_DIR_HELP
from lenet.identify import IDENTIFIER_DIR, KINDS, NONE, look
from train.cards import front_matter
from train.config import TrainConfig, build_parser, option, require_at_least
from train.data import Split
from train.engine import EVAL_BATCH_SIZE, evaluate, predict, train_one_epoch
from train.run import build_optimizer, build_scheduler
from train.uploads import grey_upload, photo_upload, unknown_upload

CARD = """{front_matter}

# Which dataset does this picture look like?

lenet-lab's identifier: {members} `{model}`s ({params:,} parameters each, in `member-N/`) that look at a whole upload as a
32x32 colour thumbnail (`lenet.identify.look`) and answer MNIST, Fashion-MNIST, CIFAR-10, or none of them. They learn
from the same uploads, each from its own random start and order, and their answers are averaged (a deep ensemble). It chooses the
Upload tab's dataset and warns when an upload is like none of them; the API calls it as `/identify`.

Trained by `{command}` on {samples:,} uploads of each kind rendered at random (`train/uploads.py`): training
images at their own size or enlarged, inverted, in any ink on any paper, drawn with other pens, framed, turned, saved as JPEG,
digits also photographed on a sheet of paper; and pictures of no dataset (noise, flat colours, gradients, chequerboards,
stripes, clip art, icons, logos, text on screens and scanned pages, charts, heat maps, portraits; and real faces
that scikit-image brings, its photos of nothing in CIFAR-10 and its measurements through colour maps, `train/real_pictures.py`);
each seen mirrored half the time. The ensemble on held-out uploads (other images, other draws):

| kind | held-out accuracy |
|---|---|
{per_kind}

On test images uploaded in many styles, drawn digits and pictures of no dataset, see `python -m bench.uploads`; on
photos of digits on paper and pictures from sources it never saw (icons, logos, portraits, charts, screenshots, scanned
text, rendered data), `python -m bench.photos`.
"""
IDENTIFIER_MODEL = "lenet-cifar"  # the wider LeNet: lenet5-modern named 90.8-97.4 % of pages and photos (bench/README.md)
MIRRORED = Augmentation(hflip=True)  # a mirrored digit, garment, photo or pattern looks like the same dataset
MIN_SAMPLES = 10  # a tenth more are held out: at least one of each kind


@dataclass
class IdentifyConfig:
    samples: int = option(30000, "uploads rendered per kind for training; a tenth more are held out")
    epochs: int = option(12, "passes over the rendered uploads")
    batch_size: int = option(128, "images per optimisation step")
    lr: float = option(0.05, "peak learning rate (one cycle)")
    seed: int = option(1, "random seed for the renders, the hold-out, init, shuffling and flips")
    members: int = option(2, "identifiers trained on the same uploads, each from its own random start and order "
                          "(seed, seed + 1, ...); the app averages their answers")
    workers: int = option(min(len(KINDS), os.cpu_count() or 1), "processes rendering the uploads, one kind each; "
                          "the renders do not depend on it")
    data_dir: str | None = option(None, DATA_DIR_HELP)
    out: str = option(str(IDENTIFIER_DIR.relative_to(Path.cwd()) if IDENTIFIER_DIR.is_relative_to(Path.cwd()) else IDENTIFIER_DIR),
                      "where to save the identifier (a folder of member-N model folders, and the card)")

    def validate(self) -> None:
        require_at_least(self, {"samples": MIN_SAMPLES, "members": 1, "epochs": 1, "batch_size": 1, "workers": 1})
        if self.lr <= 0:
            raise lenet.LenetError(f"--lr must be above 0, not {self.lr}")


def render(kind: str, images: torch.Tensor, rng: np.random.Generator) -> torch.Tensor:
    """Each image (or, for "none", as many made-up pictures) rendered as an upload and looked at: uint8 N x 3 x 32 x 32."""
    def upload(index: int) -> Image.Image:
        if kind == NONE:
            return unknown_upload(rng)
        pixels = images[index].permute(1, 2, 0).squeeze(2).numpy()
        return photo_upload(pixels, rng) if kind == "cifar10" else grey_upload(pixels, rng, strokes=kind == "mnist")

    return torch.cat([(look(upload(i)) * 255).round().to(torch.uint8) for i in range(len(images))])


def render_kind(kind: str, config: IdentifyConfig) -> tuple[torch.Tensor, torch.Tensor]:
    """A kind's training and held-out uploads (other dataset images, in the seed's fixed order), rendered with
    the kind's own random draws: any number of workers renders the same."""
    rng = np.random.default_rng([config.seed, KINDS.index(kind)])
    held_out = config.samples // 10
    if kind == NONE:
        source = torch.empty(config.samples + held_out, 0)
    else:
        source, _ = lenet.load_tensors(kind, config.data_dir, train=True)
        source = source[torch.randperm(len(source), generator=torch.Generator().manual_seed(config.seed))]
    rendered = render(kind, source[: config.samples], rng), render(kind, source[config.samples : config.samples + held_out], rng)
    print(f"rendered {kind}", flush=True)
    return rendered


def build_splits(config: IdentifyConfig) -> tuple[Split, Split]:
    """Training and held-out uploads of every kind, rendered in ``config.workers`` processes."""
    if config.workers > 1:
        with ProcessPoolExecutor(config.workers, multiprocessing.get_context("spawn"), torch.set_num_threads, (1,)) as pool:
            rendered = list(pool.map(render_kind, KINDS, [config] * len(KINDS)))
    else:
        rendered = [render_kind(kind, config) for kind in KINDS]
    return tuple(Split(torch.cat(split), torch.cat([torch.full((len(part),), label) for label, part in enumerate(split)]))
                 for split in zip(*rendered))


def train_member(config: IdentifyConfig, train: Split, held: Split, mean: list[float], std: list[float],
                 seed: int) -> nn.Module:
    """One identifier, from the random start and order ``seed`` gives, trained on the rendered uploads."""
    torch.manual_seed(seed)
    model = lenet.create_model(IDENTIFIER_MODEL, in_channels=3, num_classes=len(KINDS))
    recipe = TrainConfig(model=IDENTIFIER_MODEL, epochs=config.epochs, batch_size=config.batch_size, lr=config.lr)
    optimizer = build_optimizer(recipe, model)
    scheduler = build_scheduler(recipe, optimizer, config.epochs * train.steps(config.batch_size))
    generator = torch.Generator().manual_seed(seed)
    for epoch in range(1, config.epochs + 1):
        fitted = train_one_epoch(model, train, optimizer, scheduler, mean=mean, std=std, batch_size=config.batch_size,
                                 label_smoothing=0.0, augment=MIRRORED, generator=generator, epoch=epoch, epochs=config.epochs)
        scored = evaluate(model, held, mean, std, EVAL_BATCH_SIZE)
        print(f"epoch {epoch:2d}/{config.epochs}  train acc {fitted['accuracy']:.4f}  held-out acc {scored['accuracy']:.4f}", flush=True)
    return model.eval()


def per_kind(probabilities: torch.Tensor, held: Split) -> dict[str, float]:
    """Held-out accuracy of each kind."""
    right = probabilities.argmax(1) == held.labels
    return {kind: round(right[held.labels == label].float().mean().item(), 4) for label, kind in enumerate(KINDS)}


def train_identifier(config: IdentifyConfig, argv: Sequence[str] | None = None) -> dict:
    """Render once, train ``config.members`` identifiers on it, score them and their average on the held-out
    uploads, save each as a model folder (``member-N``) and the card; returns the ensemble's config."""
    torch.manual_seed(config.seed)
    train, held = build_splits(config)
    pixels = train.images.float() / 255
    mean, std = pixels.mean((0, 2, 3)).tolist(), pixels.std((0, 2, 3)).tolist()
    command = " ".join(["python -m train.identify", *(argv or [])]).strip()
    meta = {"model": IDENTIFIER_MODEL, "dataset": "uploads", "classes": list(KINDS), "in_channels": 3, "mean": mean,
            "std": std, "config": asdict(config), "command": command}
    members = []
    for member in range(1, config.members + 1):
        model = train_member(config, train, held, mean, std, seed=config.seed + member - 1)
        members.append(predict(model, held, mean, std, EVAL_BATCH_SIZE))
        accuracy = per_kind(members[-1], held)
        save_pretrained(Path(config.out) / f"member-{member}", model, {**meta, "held_out_accuracy": accuracy})
        print(f"saved member {member}: held-out accuracy {accuracy}", flush=True)
    meta["held_out_accuracy"] = per_kind(torch.stack(members).mean(0), held)
    rows = "\n".join(f"| {kind} | {accuracy:.2%} |" for kind, accuracy in meta["held_out_accuracy"].items())
    datasets = [lenet.dataset_spec(kind).hub_id for kind in KINDS if kind != NONE]
    card = CARD.format(front_matter=front_matter(datasets, ["out-of-distribution-detection"]), model=IDENTIFIER_MODEL,
                       members=config.members, params=lenet.count_parameters(model), command=command,
                       samples=config.samples, per_kind=rows)
    (Path(config.out) / CARD_NAME).write_text(card)
    print(f"saved {config.out}: the ensemble's held-out accuracy {meta['held_out_accuracy']}")
    return meta


def main(argv: Sequence[str] | None = None) -> None:
    parser = build_parser(IdentifyConfig, "python -m train.identify", __doc__.split("\n")[0])
    argv = list(sys.argv[1:] if argv is None else argv)
    config = IdentifyConfig(**vars(parser.parse_args(argv)))
    print(config)
    try:
        config.validate()
        train_identifier(config, argv)
    except lenet.LenetError as error:
        parser.exit(2, f"python -m train.identify: {error}\n")


if __name__ == "__main__":
    main()
