"""Errors a user can cause. Each carries a message meant to be shown as is."""
from __future__ import annotations

from typing import Iterable

NAME_SHOWN = 40  # characters of an unknown name repeated back


class LenetError(Exception):
    """Base class: anything the CLI or the demo should show as a one-line message."""


class UnknownNameError(LenetError, KeyError):
    """A model or dataset name that is not registered."""

    def __init__(self, what: str, name: str, valid: Iterable[str]) -> None:
        shown = name if len(name) <= NAME_SHOWN else name[:NAME_SHOWN] + "..."  # an enormous name is not echoed
        super().__init__(f"unknown {what} {shown!r}; choose one of: {', '.join(valid)}")

    def __str__(self) -> str:  # KeyError would otherwise quote the message
        return str(self.args[0])


class InputError(LenetError, ValueError):
    """An image that cannot be read or used."""


class UnreadableImageError(InputError):
    """Bytes in no image format we can decode (or a damaged file)."""


class ImageTooLargeError(InputError):
    """More pixels than we decode (lenet.preprocess.MAX_INPUT_PIXELS): refused before decoding."""


class EmptyImageError(InputError):
    """A blank canvas or image: there is nothing to classify."""


class CheckpointError(LenetError):
    """A checkpoint that is missing, corrupt, tampered with or does not match."""


class DatasetError(LenetError):
    """A dataset that is not where the code looked for it."""


class DownloadError(DatasetError):
    """A dataset that could not be downloaded; ``reason`` says why in a few words (nothing was kept)."""

    def __init__(self, dataset: str, display_name: str, source: str, reason: str) -> None:
        self.dataset, self.reason = dataset, reason
        super().__init__(f"could not download {display_name} from {source} ({reason}); nothing was kept, and the next "
                         f"try starts again")
