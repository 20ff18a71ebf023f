"""A dataset fetched on first use, with torchvision's own download (its progress bar is tqdm's).

The files come from torchvision's mirrors, checked against its md5s, or from ``$LENET_DATA_MIRROR``: a base URL under
which each file lies at ``<base>/<torchvision's class name>/<torchvision's file name>``, e.g.
``<base>/FashionMNIST/train-images-idx3-ubyte.gz``. A mirror's archives need not be the official bytes (a gzip of the
same files differs), so what they unpack to is what is checked: it must unpack whole and load.

Everything is fetched and unpacked in a staging folder beside the data and moved into place only when complete: a
failed or interrupted download leaves nothing behind, and the next try starts again.
"""
from __future__ import annotations

import os
import shutil
import tarfile
import tempfile
import urllib.error
import zlib
from dataclasses import dataclass
from pathlib import Path

from torchvision import datasets
from torchvision.datasets.utils import download_and_extract_archive

from lenet.errors import DownloadError

MIRROR_ENV = "LENET_DATA_MIRROR"
DOWNLOAD_ERRORS = (urllib.error.URLError, OSError, RuntimeError, EOFError, tarfile.TarError, zlib.error)


@dataclass(frozen=True)
class Archive:
    url: str
    md5: str | None  # None from a mirror: its archives are checked by what they unpack to


def archives(source: type[datasets.VisionDataset], mirror: str | None = None) -> list[Archive]:
    """The files torchvision's ``source`` class (or a subclass of it) downloads, from its own mirror or from ``mirror``,
    where they lie under the torchvision class's name."""
    if issubclass(source, datasets.MNIST):
        files, official = source.resources, source.mirrors[0]
    else:  # CIFAR10: one tarball
        files, official = [(source.filename, source.tgz_md5)], source.url.rsplit("/", 1)[0] + "/"
    if mirror:
        folder = next(kind for kind in source.__mro__ if kind.__module__.startswith("torchvision.")).__name__
        return [Archive(f"{mirror.rstrip('/')}/{folder}/{name}", None) for name, _ in files]
    return [Archive(official + name, md5) for name, md5 in files]


def unpacked_folder(source: type[datasets.VisionDataset]) -> str:
    """Where torchvision looks for the unpacked files, under the data root."""
    return getattr(source, "base_folder", None) or f"{source.__name__}/raw"


def download(source: type[datasets.VisionDataset], root: Path, dataset: str, display_name: str) -> None:
    """Fetch and unpack ``source``'s files into ``root`` (in its own layout), or raise a ``DownloadError`` that says
    why in plain words and leave ``root`` as it was."""
    made = not root.exists()
    root.mkdir(parents=True, exist_ok=True)
    mirror = os.environ.get(MIRROR_ENV)
    staging = Path(tempfile.mkdtemp(prefix=".downloading-", dir=root))
    folder = unpacked_folder(source)
    try:
        for archive in archives(source, mirror):
            into = staging / folder if issubclass(source, datasets.MNIST) else staging
            download_and_extract_archive(archive.url, str(into), md5=archive.md5, remove_finished=True)
        shutil.rmtree(root / folder, ignore_errors=True)  # an incomplete copy from before
        (root / folder).parent.mkdir(parents=True, exist_ok=True)
        os.replace(staging / folder, root / folder)
    except DOWNLOAD_ERRORS as error:
        raise DownloadError(dataset, display_name, mirror or "torchvision's mirrors", reason(error)) from error
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        if made and not any(root.iterdir()):  # the data folder was made for nothing
            root.rmdir()


def reason(error: BaseException) -> str:
    """Why, in a few words: the network's own words for an unreachable server, else the last line of the message."""
    if isinstance(error, urllib.error.URLError) and not isinstance(error, urllib.error.HTTPError):
        cause = error.reason
        return f"cannot reach the server: {getattr(cause, 'strerror', None) or cause}"
    lines = str(error).strip().splitlines()
    return lines[-1] if lines else "the connection failed"
