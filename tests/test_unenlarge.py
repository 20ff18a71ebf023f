"""An enlarged CIFAR-10 photo comes back to its own pixels; a picture that is no enlargement is left to the resize.

The photos are the real test images in demo/examples/cifar10.
"""
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from PIL import Image

from lenet.preprocess import prepare_photo, resize_square
from lenet.unenlarge import unenlarge
from train.uploads import save_as_jpeg

PHOTOS = sorted((Path(__file__).resolve().parents[1] / "demo" / "examples" / "cifar10").glob("*.png"))[:5]
LEVEL = 1 / 255
MAX_LEVELS_OFF = 4  # a sharp resampler's enlargement, rounded to 8 bits, loses a little: a few pixels by this much
MIN_EXACT_SHARE = 0.9  # ...and nearly every pixel comes back exactly
MAX_CLIPPED_LEVELS_OFF = 2  # on average, where the enlargement's overshoot at a white edge was clipped


def _photo(path: Path) -> Image.Image:
    return Image.open(path).convert("RGB")


def _torch(mode: str):
    """How OpenCV and PyTorch enlarge: a sharper cubic than Pillow's, a nearest that rounds down."""
    def enlarge(image: Image.Image, size: int) -> Image.Image:
        pixels = torch.from_numpy(np.asarray(image).copy()).permute(2, 0, 1)[None].float()
        big = F.interpolate(pixels, size=(size, size), mode=mode).clamp(0, 255).round()
        return Image.fromarray(big[0].permute(1, 2, 0).to(torch.uint8).numpy())

    return enlarge


ENLARGE = {r.name: (lambda image, size, r=r: image.resize((size, size), r)) for r in Image.Resampling}
ENLARGE.update({"OpenCV bicubic": _torch("bicubic"), "OpenCV nearest": _torch("nearest")})


@pytest.mark.parametrize("size", [100, 256, 512])
@pytest.mark.parametrize("resampler", ENLARGE)
def test_an_enlarged_photo_comes_back_to_its_own_pixels(resampler, size):
    for path in PHOTOS:
        original = prepare_photo(_photo(path))
        back = prepare_photo(ENLARGE[resampler](_photo(path), size))
        assert (back - original).abs().max() <= MAX_LEVELS_OFF * LEVEL + 1e-6
        assert (back == original).float().mean() >= MIN_EXACT_SHARE


def test_an_enlarged_jpeg_comes_closer_than_a_resize():
    undone, resized = [], []
    for path in PHOTOS:
        original = prepare_photo(_photo(path))
        upload = save_as_jpeg(_photo(path).resize((256, 256), Image.Resampling.BICUBIC), 75)
        undone.append((prepare_photo(upload) - original).abs().mean())
        resized.append((resize_square(np.asarray(upload, dtype=np.float32) / 255, 32) - original).abs().mean())
    assert np.mean(undone) < 0.5 * np.mean(resized)


def test_a_photo_on_a_white_page_saved_as_jpeg_comes_back_despite_the_ringing():
    for path in PHOTOS:
        photo = Image.fromarray((np.asarray(_photo(path)) * 0.8).astype(np.uint8))  # edges not near white
        page = Image.new("RGB", (340, 330), "white")
        page.paste(photo.resize((256, 256), Image.Resampling.BICUBIC), (50, 30))
        assert (prepare_photo(save_as_jpeg(page, 90)) - prepare_photo(photo)).abs().mean() < 3 * LEVEL


def test_a_picture_with_more_detail_than_32_px_is_no_enlargement():
    tiles = [np.asarray(_photo(path)) for path in PHOTOS[:4]]
    mosaic = np.concatenate([np.concatenate(tiles[:2], 1), np.concatenate(tiles[2:], 1)], 0)  # 64 px of detail
    enlarged = Image.fromarray(mosaic).resize((256, 256), Image.Resampling.BICUBIC)
    assert unenlarge(np.asarray(enlarged, dtype=np.float32) / 255, small=32) is None
    noise = np.random.default_rng(0).random((256, 256, 3), dtype=np.float32)
    assert unenlarge(noise, small=32) is None
    assert unenlarge(np.zeros((256, 200, 3), np.float32), small=32) is None  # not square: no enlargement of a square


def test_an_enlarged_photo_with_plain_white_edges_is_not_cropped_as_if_framed():
    for path in PHOTOS[:3]:
        pixels = np.asarray(_photo(path)).copy()
        pixels[:3], pixels[-3:], pixels[:, :3], pixels[:, -3:] = 255, 255, 255, 255  # its own white border
        photo = Image.fromarray(pixels)
        for resample in (Image.Resampling.NEAREST, Image.Resampling.BICUBIC, Image.Resampling.LANCZOS):
            back = prepare_photo(photo.resize((256, 256), resample))
            assert (back - prepare_photo(photo)).abs().mean() < MAX_CLIPPED_LEVELS_OFF * LEVEL  # cropped: 45-70 levels


def test_a_plain_photo_on_a_square_white_page_is_cropped_not_taken_whole():
    small = np.random.default_rng(0).integers(0, 256, (3, 3, 3), dtype=np.uint8)  # a photo with little detail
    photo = Image.fromarray(small).resize((32, 32), Image.Resampling.BICUBIC)
    page = Image.new("RGB", (320, 320), "white")  # its flat margins make the whole page look enlarged (RMS 0.014)
    page.paste(photo.resize((160, 160), Image.Resampling.BICUBIC), (80, 80))
    assert (prepare_photo(page) - prepare_photo(photo)).abs().max() <= MAX_LEVELS_OFF * LEVEL + 1e-6


def test_a_picture_barely_larger_than_32_px_or_grey_is_handled():
    assert unenlarge(np.zeros((40, 40, 3), np.float32), small=32) is None  # too few pixels to tell: the resize's job
    grey = np.asarray(_photo(PHOTOS[0]).convert("L").resize((128, 128), Image.Resampling.BILINEAR), dtype=np.float32) / 255
    original = np.asarray(_photo(PHOTOS[0]).convert("L"), dtype=np.float32) / 255
    assert np.abs(unenlarge(grey, small=32)[..., 0] - original).max() <= MAX_LEVELS_OFF * LEVEL + 1e-6
