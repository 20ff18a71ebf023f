"""One spec per dataset (what every part of the project knows about it), and loading it with torchvision."""
from __future__ import annotations

import os
import pickle
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch.utils.data import Dataset
from torchvision import datasets

from lenet.augment import Augmentation
from lenet.download import download as fetch
from lenet.errors import DatasetError, UnknownNameError

DATA_DIR_ENV = "LENET_DATA_DIR"
CACHE_DIR = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "lenet-lab" / "data"
DATA_DIR_HELP = f"dataset root (default: ${DATA_DIR_ENV}, else {CACHE_DIR})"  # for every --data-dir flag
MODEL_INPUT_SIZE = 32  # every variant sees 32x32; 28x28 digits are padded by 2 as in the paper


@dataclass(frozen=True)
class DatasetSpec:
    """Everything the library, the trainer and the app know about one dataset, in one place."""

    name: str
    display_name: str  # what the app calls it
    classes: tuple[str, ...]
    in_channels: int
    mean: tuple[float, ...]  # per channel, of the training images scaled to [0, 1]
    std: tuple[float, ...]
    preprocess: str  # which lenet.preprocess recipe turns a user's image into model input
    augmentation: Augmentation  # what helps it in training (python -m train --augment)
    recipe: dict[str, Any]  # the training recipe behind the shipped checkpoints (python -m train --preset best)
    published: str  # what others report for comparable networks, for model cards and the app
    hub_id: str  # the dataset on the Hugging Face Hub, for model cards
    expected_files: tuple[str, ...]  # what --data-dir must hold, for error messages

    @property
    def num_classes(self) -> int:
        return len(self.classes)


UPLOAD_SHARE = 0.3  # of training images go through an upload's round trip (lenet.degrade)
FRAME_SHARE = 0.1  # of CIFAR-10 training images get a thin frame, as cropped photos often keep
BEST_RECIPE = dict(optimizer="sgd", lr=0.05, schedule="onecycle", weight_decay=5e-4, batch_size=128)

DATASETS: dict[str, DatasetSpec] = {
    spec.name: spec
    for spec in (
        DatasetSpec(
            name="mnist",
            display_name="MNIST digits",
            classes=tuple(str(digit) for digit in range(10)),
            in_channels=1,
            mean=(0.1307,),
            std=(0.3081,),
            preprocess="sketch",
            augmentation=Augmentation(degrees=10, shift=2, scale=0.1, shear=10, degrade=UPLOAD_SHARE),  # the paper's distortions
            recipe=dict(BEST_RECIPE, epochs=30),
            published="LeNet-5, LeCun et al. 1998: 99.05 % (99.2 % trained with distortions)",
            hub_id="ylecun/mnist",
            expected_files=("MNIST/raw/train-images-idx3-ubyte", "MNIST/raw/t10k-images-idx3-ubyte"),
        ),
        DatasetSpec(
            name="fashion-mnist",
            display_name="Fashion-MNIST clothes",
            classes=tuple(datasets.FashionMNIST.classes),
            in_channels=1,
            mean=(0.2860,),
            std=(0.3530,),
            preprocess="fashion",
            augmentation=Augmentation(shift=2, hflip=True, integer_shift=True, degrade=UPLOAD_SHARE),  # crops and flips
            recipe=dict(BEST_RECIPE, epochs=40, label_smoothing=0.1),
            published="LeNet-style tutorials: 85-90 %",
            hub_id="zalando-datasets/fashion_mnist",
            expected_files=("FashionMNIST/raw/train-images-idx3-ubyte", "FashionMNIST/raw/t10k-images-idx3-ubyte"),
        ),
        DatasetSpec(
            name="cifar10",
            display_name="CIFAR-10 objects",
            classes=("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"),
            in_channels=3,
            mean=(0.4914, 0.4822, 0.4465),
            std=(0.2470, 0.2435, 0.2616),
            preprocess="photo",
            augmentation=Augmentation(shift=4, hflip=True, integer_shift=True, frame=FRAME_SHARE, degrade=UPLOAD_SHARE),
            recipe=dict(BEST_RECIPE, epochs=30, lr=0.1, label_smoothing=0.1),
            published="LeNet-style tutorials: 60-70 %",
            hub_id="uoft-cs/cifar10",
            expected_files=("cifar-10-batches-py/data_batch_1", "or cifar10/{train,test}/<class>/<image>"),
        ),
    )
}


def dataset_spec(name: str) -> DatasetSpec:
    if name not in DATASETS:
        raise UnknownNameError("dataset", name, DATASETS)
    return DATASETS[name]


def data_root(data_dir: str | os.PathLike | None = None) -> Path:
    """``--data-dir`` if given, else ``$LENET_DATA_DIR``, else the user's cache folder."""
    return Path(data_dir or os.environ.get(DATA_DIR_ENV) or CACHE_DIR)


def _cifar_image_folder(root: Path, train: bool) -> Dataset | None:
    folder = root / "cifar10" / ("train" if train else "test")
    return datasets.ImageFolder(str(folder)) if folder.is_dir() else None


class CIFAR10Batches(datasets.CIFAR10):
    """torchvision's reader of the pickled CIFAR-10 batches, taking those it finds without its md5s: lenet.download
    has checked that they unpacked whole, and a mirror's need not be the official bytes."""

    def _check_integrity(self) -> bool:
        return all((Path(self.root) / self.base_folder / name).is_file() for name, _ in self.train_list + self.test_list)

    def _load_meta(self) -> None:
        with open(Path(self.root) / self.base_folder / self.meta["filename"], "rb") as file:
            self.classes = pickle.load(file, encoding="latin1")[self.meta["key"]]
        self.class_to_idx = {name: index for index, name in enumerate(self.classes)}


_LOADERS: dict[str, type[datasets.VisionDataset]] = {
    "mnist": datasets.MNIST,
    "fashion-mnist": datasets.FashionMNIST,
    "cifar10": CIFAR10Batches,
}


def _open(name: str, root: Path, train: bool) -> Dataset:
    """The split from ``root``, or a ``DatasetError`` saying what is missing."""
    if name == "cifar10" and not (root / CIFAR10Batches.base_folder).is_dir():
        folder = _cifar_image_folder(root, train)
        if folder is not None:
            return folder
    try:
        return _LOADERS[name](str(root), train=train)
    except RuntimeError as error:  # torchvision's "Dataset not found"
        spec = dataset_spec(name)
        raise DatasetError(
            f"{spec.name} not found under {root.resolve()} (expected {', '.join(spec.expected_files)}); "
            f"point --data-dir or ${DATA_DIR_ENV} at it, or let it be downloaded"
        ) from error


def load_dataset(name: str, data_dir: str | os.PathLike | None = None, train: bool = True, download: bool = False) -> Dataset:
    """The torchvision dataset, yielding ``(PIL image, label)``; with ``download``, fetched first if missing
    (``lenet.download``).

    CIFAR-10 is read from torchvision's own ``cifar-10-batches-py`` (what a download fetches) or, failing that,
    from the ImageFolder layout ``cifar10/{train,test}/<class>/<image>``.
    """
    spec, root = dataset_spec(name), data_root(data_dir)
    try:
        return _open(name, root, train)
    except DatasetError:
        if not download:
            raise
    fetch(_LOADERS[name], root, name, spec.display_name)
    return _open(name, root, train)


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
    if isinstance(dataset, datasets.CIFAR10):  # the pickled batches
        return torch.from_numpy(dataset.data[:limit]).permute(0, 3, 1, 2).contiguous(), torch.tensor(dataset.targets[:limit])
    # ImageFolder lists files class by class; the file names are the official indices, so sort by them.
    samples = sorted(dataset.samples, key=lambda sample: _official_index(sample[0]))[:limit]
    images = np.stack([np.asarray(dataset.loader(path)) for path, _ in samples])
    return torch.from_numpy(images).permute(0, 3, 1, 2).contiguous(), torch.tensor([label for _, label in samples])


def _official_index(path: str) -> tuple[int, str]:
    stem = Path(path).stem
    return (int(stem), path) if stem.isdigit() else (-1, path)
