"""torchrun support: one process per device, DistributedDataParallel, rank 0 writes the files."""
from __future__ import annotations

import os
from dataclasses import dataclass

import torch
import torch.distributed as dist


@dataclass(frozen=True)
class Distributed:
    rank: int = 0
    world_size: int = 1
    local_rank: int = 0

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    @property
    def enabled(self) -> bool:
        return self.world_size > 1


def setup(device: torch.device) -> Distributed:
    """Join the process group that torchrun describes in the environment; a no-op otherwise."""
    if "RANK" not in os.environ:
        return Distributed()
    dist.init_process_group(backend="nccl" if device.type == "cuda" else "gloo")
    return Distributed(dist.get_rank(), dist.get_world_size(), int(os.environ.get("LOCAL_RANK", 0)))


def teardown() -> None:
    """Leave the process group setup() joined (torchrun with one process joins one too)."""
    if dist.is_initialized():
        dist.destroy_process_group()
