"""Where a request's work runs: on Gradio's event loop when it is quick, in a worker thread when it is not.

Classifying a drawing or a small image costs less than a hop to a worker thread, so the handlers are ``async``;
decoding a large upload would stall every other user on the loop, so those go to a thread.
"""
from __future__ import annotations

import asyncio
import warnings
from typing import Callable, TypeVar

from PIL import Image

INLINE_MAX_PIXELS = 1_000_000  # quick enough to decode on the event loop; larger images go to a thread
Result = TypeVar("Result")


def decodes_quickly(path: str) -> bool:
    """Whether the image file at ``path`` is small enough to decode on the event loop (read from its header).

    Unreadable files count as quick: the handler rejects them before decoding anything.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                return image.width * image.height <= INLINE_MAX_PIXELS
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        return True


async def inline_unless_large(path: str | None, work: Callable[[], Result]) -> Result:
    """``work()`` for the image file at ``path``: inline if it decodes quickly, else in a worker thread."""
    if path is not None and not decodes_quickly(path):
        return await asyncio.to_thread(work)
    return work()
