"""Datasets held in memory as uint8 tensors (on the training device); batches are made by indexing."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

import torch

import lenet

MAX_VAL_FRACTION = 10  # the held-out split never takes more than 1/10 of the training images


@dataclass
class Split:
    images: torch.Tensor  # uint8 N x C x H x W
    labels: torch.Tensor  # int64 N

    def __len__(self) -> int:
        return len(self.labels)

    def steps(self, batch_size: int, world_size: int = 1) -> int:
        """Batches in one pass, for each of ``world_size`` processes sharing ``batch_size``."""
        per_rank_batch = max(1, batch_size // world_size)
        return -(-(len(self) // world_size) // per_rank_batch)

    def batches(
        self, batch_size: int, generator: torch.Generator | None = None, rank: int = 0, world_size: int = 1
    ) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        """Shuffled when given a generator (the same on every rank), each rank taking its own equal shard."""
        n = len(self) // world_size * world_size
        order = torch.randperm(len(self), generator=generator, device=generator.device) if generator else torch.arange(len(self))
        order = order[:n][rank::world_size].to(self.labels.device)
        for start in range(0, len(order), batch_size):
            index = order[start : start + batch_size]
            yield self.images.index_select(0, index), self.labels.index_select(0, index)  # much faster than [index] (bench/README.md)


def load_splits(
    dataset: str, data_dir: str | None, download: bool, val_size: int, limit: int | None, seed: int, device: torch.device
) -> tuple[Split, Split, Split]:
    """``(train, val, test)``: val is a fixed, seeded hold-out of the training set (empty if val_size is 0)."""
    train_images, train_labels = lenet.load_tensors(dataset, data_dir, train=True, download=download, limit=limit)
    test_images, test_labels = lenet.load_tensors(dataset, data_dir, train=False, download=download, limit=limit)
    val_size = min(val_size, len(train_labels) // MAX_VAL_FRACTION)
    order = torch.randperm(len(train_labels), generator=torch.Generator().manual_seed(seed))
    held_out, kept = order[:val_size], order[val_size:]

    def split(images: torch.Tensor, labels: torch.Tensor) -> Split:
        return Split(images.to(device), labels.to(device))

    return (
        split(train_images[kept], train_labels[kept]),
        split(train_images[held_out], train_labels[held_out]),
        split(test_images, test_labels),
    )
