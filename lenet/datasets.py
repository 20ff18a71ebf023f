"""What the code needs to know about each dataset, and how to load it with torchvision."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import torch
from torch.utils.data import Dataset
from torchvision import datasets

from lenet.errors import DatasetError, UnknownNameError

DATA_DIR_ENV = "LENET_DATA_DIR"
DEFAULT_DATA_DIR = "data"
MODEL_INPUT_SIZE = 32  # every variant sees 32x32; 28x28 digits are padded by 2 as in the paper


@dataclass(frozen=True)
class DatasetInfo:
    name: str
    classes: tuple[str, ...]
    in_channels: int
    mean: tuple[float, ...]  # per channel, of the training images scaled to [0, 1]
    std: tuple[float, ...]
    recipe: str  # which lenet.preprocess recipe turns a user's image into model input
    expected_files: tuple[str, ...]  # what --data-dir must hold, for error messages

    @property
    def num_classes(self) -> int:
        return len(self.classes)


DATASETS: dict[str, DatasetInfo] = {
    info.name: info
    for info in (
        DatasetInfo(
            name="mnist",
            classes=tuple(str(digit) for digit in range(10)),
            in_channels=1,
            mean=(0.1307,),
            std=(0.3081,),
            recipe="sketch",
            expected_files=("MNIST/raw/train-images-idx3-ubyte", "MNIST/raw/t10k-images-idx3-ubyte"),
        ),
        DatasetInfo(
            name="fashion-mnist",
            classes=tuple(datasets.FashionMNIST.classes),
            in_channels=1,
            mean=(0.2860,),
            std=(0.3530,),
            recipe="fashion",
            expected_files=("FashionMNIST/raw/train-images-idx3-ubyte", "FashionMNIST/raw/t10k-images-idx3-ubyte"),
        ),
        DatasetInfo(
            name="cifar10",
            classes=("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"),
            in_channels=3,
            mean=(0.4914, 0.4822, 0.4465),
            std=(0.2470, 0.2435, 0.2616),
            recipe="photo",
            expected_files=("cifar-10-batches-py/data_batch_1", "or cifar10/{train,test}/<class>/<image>"),
        ),
    )
}


def dataset_info(name: str) -> DatasetInfo:
    if name not in DATASETS:
        raise UnknownNameError("dataset", name, DATASETS)
    return DATASETS[name]


def data_root(data_dir: str | os.PathLike | None = None) -> Path:
    """``--data-dir`` if given, else ``$LENET_DATA_DIR``, else ./data."""
    return Path(data_dir or os.environ.get(DATA_DIR_ENV) or DEFAULT_DATA_DIR)


def _cifar_image_folder(root: Path, train: bool) -> Dataset | None:
    folder = root / "cifar10" / ("train" if train else "test")
    return datasets.ImageFolder(str(folder)) if folder.is_dir() else None


_LOADERS: dict[str, Callable[..., Dataset]] = {
    "mnist": datasets.MNIST,
    "fashion-mnist": datasets.FashionMNIST,
    "cifar10": datasets.CIFAR10,
}


def load_dataset(name: str, data_dir: str | os.PathLike | None = None, train: bool = True, download: bool = False) -> Dataset:
    """The torchvision dataset, yielding ``(PIL image, label)``.

    CIFAR-10 is read from torchvision's own ``cifar-10-batches-py`` (what
    ``download=True`` fetches) or, failing that, from the ImageFolder layout
    ``cifar10/{train,test}/<class>/<image>``.
    """
    info = dataset_info(name)
    root = data_root(data_dir)
    if name == "cifar10" and not download and not (root / "cifar-10-batches-py").is_dir():
        folder = _cifar_image_folder(root, train)
        if folder is not None:
            return folder
    if download:
        try:
            return _LOADERS[name](str(root), train=train, download=True)
        except (RuntimeError, OSError) as error:  # torchvision lists every mirror it tried; the last line says why
            lines = str(error).strip().splitlines()
            reason = lines[-1] if lines else type(error).__name__
            raise DatasetError(f"could not download {info.name} into {root.resolve()}: {reason}") from error
    try:
        return _LOADERS[name](str(root), train=train)
    except RuntimeError as error:  # torchvision's "Dataset not found"
        raise DatasetError(
            f"{info.name} not found under {root.resolve()} (expected {', '.join(info.expected_files)}); "
            f"point --data-dir or ${DATA_DIR_ENV} at it, or pass --download"
        ) from error


def load_tensors(
    name: str,
    data_dir: str | os.PathLike | None = None,
    train: bool = True,
    download: bool = False,
    limit: int | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """The split (or its first ``limit`` images, in official order) decoded once:
    uint8 images ``N x C x H x W`` and int64 labels ``N``."""
    dataset = load_dataset(name, data_dir, train, download)
    if isinstance(dataset, (datasets.MNIST, datasets.FashionMNIST)):
        return dataset.data[:limit].unsqueeze(1).clone(), dataset.targets[:limit].clone()
    if isinstance(dataset, datasets.CIFAR10):
        return torch.from_numpy(dataset.data[:limit]).permute(0, 3, 1, 2).contiguous(), torch.tensor(dataset.targets[:limit])
    # ImageFolder lists files class by class; the file names are the official indices, so sort by them.
    samples = sorted(dataset.samples, key=lambda sample: _official_index(sample[0]))[:limit]
    images = np.stack([np.asarray(dataset.loader(path)) for path, _ in samples])
    return torch.from_numpy(images).permute(0, 3, 1, 2).contiguous(), torch.tensor([label for _, label in samples])


def _official_index(path: str) -> tuple[int, str]:
    stem = Path(path).stem
    return (int(stem), path) if stem.isdigit() else (-1, path)
