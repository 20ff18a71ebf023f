import asyncio
import time

import pytest
from PIL import Image

from demo.offload import INLINE_MAX_PIXELS, decodes_quickly, inline_unless_large

WORK_S = 0.2
TICK_S = 0.005


@pytest.fixture
def small_png(tmp_path):
    path = tmp_path / "small.png"
    Image.new("L", (280, 280)).save(path)
    return str(path)


@pytest.fixture
def large_png(tmp_path):
    path = tmp_path / "large.png"
    Image.new("L", (2000, INLINE_MAX_PIXELS // 2000 + 1)).save(path)
    return str(path)


def test_image_size_is_read_from_the_header(small_png, large_png, tmp_path):
    garbage = tmp_path / "garbage.png"
    garbage.write_bytes(b"not an image")
    assert decodes_quickly(small_png)
    assert not decodes_quickly(large_png)
    assert decodes_quickly(str(garbage))  # rejected by the handler itself, at once


def ticks_during(path: str | None) -> tuple[int, str]:
    """How often the event loop ran another task while ``inline_unless_large`` did WORK_S of blocking work."""

    async def scenario() -> tuple[int, str]:
        ticks = 0

        async def ticker() -> None:
            nonlocal ticks
            while True:
                await asyncio.sleep(TICK_S)
                ticks += 1

        task = asyncio.create_task(ticker())
        await asyncio.sleep(0)  # let the ticker start
        result = await inline_unless_large(path, lambda: time.sleep(WORK_S) or "done")
        task.cancel()
        return ticks, result

    return asyncio.run(scenario())


def test_quick_work_runs_inline_and_large_images_leave_the_event_loop_free(small_png, large_png):
    inline_ticks, result = ticks_during(small_png)
    assert result == "done" and inline_ticks <= 1  # the loop was blocked: work ran on it
    threaded_ticks, result = ticks_during(large_png)
    assert result == "done" and threaded_ticks >= WORK_S / TICK_S / 4  # the loop kept running other requests
    assert ticks_during(None)[0] <= 1  # no file (a drawing): inline
