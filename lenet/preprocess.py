"""Turn what a person draws or uploads into the 32x32 pixels a model was trained on.

Each recipe returns unnormalised pixels in [0, 1], shape ``1 x C x 32 x 32``
("what the network sees"); the checkpoint's own mean/std is applied by
torchvision's ``normalize`` just before the forward pass.
"""
from __future__ import annotations

import io
import os
import warnings
from dataclasses import dataclass, replace
from typing import Callable, Union

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image, ImageOps, UnidentifiedImageError
from torchvision.transforms.v2 import functional as TF

from lenet.datasets import MODEL_INPUT_SIZE
from lenet.errors import (
    EmptyImageError,
    ImageTooLargeError,
    InputError,
    UnreadableImageError,
)
from lenet.photo import clean_photo, is_photo
from lenet.unenlarge import unenlarge

ImageSource = Union[Image.Image, np.ndarray, str, os.PathLike, bytes]

MAX_INPUT_PIXELS = 10_000 * 10_000  # refuse larger images before decoding them (decompression bombs)
WORKING_SIZE = 512  # larger inputs are shrunk to this first: plenty for a 20-28 px result
DIGIT_BOX = 20  # MNIST fits each digit's longest side into 20 px...
DIGIT_FIELD = 28  # ...and centres its mass in a 28x28 field
FASHION_FIELD = 28  # Fashion-MNIST fits the longest side of the product into 28 px
# A pixel is ink if it differs from the background by this share of the strongest ink: about a fifth, put halfway
# between two 8-bit grey levels so that no grey on white sits on the line (docs/sketch-recipe.md).
INK_THRESHOLD = 50.5 / 255
PRODUCT_THRESHOLD = 0.1  # a product's faint edges count too: its crop then matches Fashion-MNIST's (bench/README.md)
MIN_CONTRAST = 0.05  # below this, the image is blank
BORDER_WIDTH_FRACTION = 0.05  # the outer 5% of each side shows the background
DATASET_SIDE = 28  # an MNIST / Fashion-MNIST file...
DARK_BACKGROUND = 0.5  # ...is grey on a background darker than this
FRAME_SATURATION = 0.1  # a frame is white, grey or black: its channels differ by less than this
FRAME_TOLERANCE = 0.1  # a frame pixel lies this close to the frame's colour (JPEG noise included)
MIN_FRAMED_FRACTION = 0.2  # what a frame holds spans at least this share of the height and of the width
JPEG_SPILL = 2  # lines JPEG rings past a photo's edge onto its frame
PAPER_LIKE = FRAME_TOLERANCE / 10  # squaring a photo: a line this close to the paper on average is paper (noise, shading)
MAX_TILT, TILT_STEP = 10.0, 0.25  # degrees: a photo turned on its page by up to this much is found to this step...
MIN_TILT = 0.5  # ...and straightened when turned by more than this...
MIN_RECTANGULARITY = 0.85  # ...if it fills this share of its tightest box, as a photo does with a light corner (an oval: 0.79)


@dataclass
class Prepared:
    pixels: torch.Tensor  # 1 x C x 32 x 32 in [0, 1]: what the network sees
    notes: tuple[str, ...] = ()  # what was done to a photo on the way (lenet.photo's keys)


def open_image(source: ImageSource) -> Image.Image:
    """A decoded PIL image (first frame of an animation) or a clear ``InputError``."""
    if isinstance(source, Image.Image):
        return source
    if isinstance(source, np.ndarray):
        return Image.fromarray(source)
    try:
        with warnings.catch_warnings():  # PIL's own, lower warning limit is ours to set, not to change globally
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(source) if isinstance(source, bytes) else source)
            if image.width * image.height > MAX_INPUT_PIXELS:
                raise ImageTooLargeError(f"image is too large ({image.width}x{image.height}); the limit is {MAX_INPUT_PIXELS:,} pixels")
            image.draft(None, (WORKING_SIZE, WORKING_SIZE))  # JPEG only: decode at 1/2-1/8 scale, still >= WORKING_SIZE
            image.load()
    except Image.DecompressionBombError as error:  # PIL refuses twice its warning limit, above ours
        raise ImageTooLargeError(f"image is too large; the limit is {MAX_INPUT_PIXELS:,} pixels") from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as error:
        raise UnreadableImageError("this file is not an image we can read") from error
    return image


def rgba_array(image: Image.Image) -> tuple[np.ndarray, np.ndarray]:
    """``(rgb H x W x 3, alpha H x W)`` as float32 in [0, 1], whatever the mode or bit depth."""
    if image.width < 1 or image.height < 1:
        raise InputError("image has no pixels")
    if image.format == "JPEG" and max(image.size) > 2 * WORKING_SIZE:
        image.draft("RGB", (WORKING_SIZE, WORKING_SIZE))  # a phone's photo decoded at 1/2-1/8 scale: 12 MP in ~20 ms
    image = ImageOps.exif_transpose(image)
    if max(image.size) > WORKING_SIZE:
        image = image.copy()
        image.thumbnail((WORKING_SIZE, WORKING_SIZE), Image.Resampling.BOX)
    if image.mode in ("I", "I;16", "I;16B", "I;16L", "I;16N", "F"):  # 16/32-bit grayscale: keep the full range
        gray = np.asarray(image, dtype=np.float32)
        top = 65535.0 if image.mode.startswith("I;16") or gray.max() > 255 else 255.0
        gray = np.clip(gray / top, 0.0, 1.0)
        return np.repeat(gray[..., None], 3, axis=2), np.ones_like(gray)
    rgba = np.asarray(image.convert("RGBA"), dtype=np.float32) / 255.0
    return rgba[..., :3], rgba[..., 3]


def luminance(rgb: np.ndarray) -> np.ndarray:
    return rgb @ np.array([0.299, 0.587, 0.114], dtype=np.float32)


def _border(gray: np.ndarray) -> np.ndarray:
    h, w = gray.shape
    bh, bw = max(1, int(h * BORDER_WIDTH_FRACTION)), max(1, int(w * BORDER_WIDTH_FRACTION))
    return np.concatenate([gray[:bh].ravel(), gray[-bh:].ravel(), gray[:, :bw].ravel(), gray[:, -bw:].ravel()])


def ink_map(rgb: np.ndarray, alpha: np.ndarray, threshold: float = INK_THRESHOLD) -> np.ndarray:
    """Ink as bright-on-dark intensity in [0, 1], whatever the polarity, colours or transparency.

    Transparent pixels are background. On an opaque image the background is the
    median of the border; ink is how far a pixel's luminance lies from it.
    """
    gray = luminance(rgb)
    if alpha.min() < 1.0:  # a layer: what is drawn is opaque, the rest is background
        background = opposite_of_ink(gray, alpha)
        gray = alpha * gray + (1.0 - alpha) * background
    else:
        background = float(np.median(_border(gray)))
    ink = np.abs(gray - background)
    strongest = ink.max()
    if strongest < MIN_CONTRAST:
        raise EmptyImageError("the image is empty: draw or upload something first")
    ink = ink / strongest
    ink[ink < threshold] = 0.0
    return ink


def ink_box(ink: np.ndarray) -> tuple[slice, slice]:
    """The rows and columns that hold ink."""
    rows, cols = np.nonzero(ink)
    return slice(rows.min(), rows.max() + 1), slice(cols.min(), cols.max() + 1)


def _bilinear(grey: np.ndarray, size: tuple[int, int]) -> torch.Tensor:
    """``H x W`` float image -> ``size``, antialiased bilinear (as MNIST's digits were boxed)."""
    return F.interpolate(torch.from_numpy(grey)[None, None], size=size, mode="bilinear", antialias=True, align_corners=False)[0, 0]


def _lanczos(grey: np.ndarray, size: tuple[int, int]) -> torch.Tensor:
    """``H x W`` float image -> ``size`` by PIL's Lanczos: it undoes an upload's enlargement best (bench/README.md)."""
    image = Image.fromarray(np.ascontiguousarray(grey, dtype=np.float32))  # mode "F": PIL resizes it in float
    return torch.from_numpy(np.array(image.resize(size[::-1], Image.Resampling.LANCZOS)))


def fit_longest_side(patch: np.ndarray, box: int, resize: Callable[[np.ndarray, tuple[int, int]], torch.Tensor] = _bilinear) -> torch.Tensor:
    """Resize so the longest side is ``box`` px, keeping aspect, with antialiasing."""
    h, w = patch.shape
    scale = box / max(h, w)
    resized = resize(patch, (max(1, round(h * scale)), max(1, round(w * scale)))).clamp(0, 1)
    return resized / resized.max().clamp_min(1e-6)


def _place(patch: torch.Tensor, field: int, centre: tuple[float, float]) -> torch.Tensor:
    """Paste ``patch`` into a ``field x field`` black square so that ``centre`` lands in the middle."""
    canvas = torch.zeros(field, field)
    top, left = (round(field / 2 - c) for c in centre)
    h, w = patch.shape
    y0, x0 = max(top, 0), max(left, 0)
    y1, x1 = min(top + h, field), min(left + w, field)
    canvas[y0:y1, x0:x1] = patch[y0 - top : y1 - top, x0 - left : x1 - left]
    return canvas


def _pad_to_model(field: torch.Tensor) -> torch.Tensor:
    pad = (MODEL_INPUT_SIZE - field.shape[-1]) // 2
    return F.pad(field, (pad, pad, pad, pad))[None, None]


def _dataset_file(image: Image.Image) -> torch.Tensor | None:
    """The model input of a 28x28 grey image on a dark background, which is what an MNIST or Fashion-MNIST file
    is: its own pixels, scaled and padded exactly as in training (the recipes would only approximate them)."""
    if image.size != (DATASET_SIDE, DATASET_SIDE) or image.mode not in ("L", "RGB"):
        return None
    array = np.asarray(image.convert("RGB"))
    gray = array[..., 0]
    if not (np.array_equal(gray, array[..., 1]) and np.array_equal(gray, array[..., 2])):
        return None
    if np.median(_border(gray / 255.0)) >= DARK_BACKGROUND:
        return None
    if int(gray.max()) - int(gray.min()) < MIN_CONTRAST * 255:
        raise EmptyImageError("the image is empty: draw or upload something first")
    return dataset_pixels(torch.from_numpy(gray.copy())[None, None])


def prepare_sketch(source: ImageSource) -> torch.Tensor:
    """MNIST's own recipe for a drawn or photographed digit -> ``1 x 1 x 32 x 32``.

    Ink made bright on dark, cropped, longest side fitted into 20 px, placed by
    centre of mass in 28x28, padded to 32. An MNIST file goes through as it is.
    """
    return sketch_input(source).pixels


def sketch_input(source: ImageSource) -> Prepared:
    """``prepare_sketch`` and what it did to a photo (``lenet.photo``): a photo's paper is cleaned first."""
    image = open_image(source)
    as_is = _dataset_file(image)
    if as_is is not None:
        return Prepared(as_is)
    rgb, alpha = rgba_array(image)
    cleaned = clean_photo(rgb) if opaque_photo(rgb, alpha) else None
    if cleaned is not None and cleaned.ink.max() >= MIN_CONTRAST:
        ink, notes = cleaned.ink / cleaned.ink.max(), cleaned.notes
    else:  # a drawing, or a photo with no writing found on it: read as it is
        ink, notes = ink_map(rgb, alpha), []
    patch = fit_longest_side(np.ascontiguousarray(ink[ink_box(ink)]), DIGIT_BOX)
    rows, cols = torch.meshgrid(torch.arange(patch.shape[0]), torch.arange(patch.shape[1]), indexing="ij")
    mass = patch.sum()
    centre = (float((rows * patch).sum() / mass) + 0.5, float((cols * patch).sum() / mass) + 0.5)
    return Prepared(_pad_to_model(_place(patch, DIGIT_FIELD, centre)), tuple(notes))


def opaque_photo(rgb: np.ndarray, alpha: np.ndarray) -> bool:
    """Whether ``lenet.photo`` should clean the image: opaque, and not a drawing (whose border is one plain colour)."""
    gray = luminance(rgb)
    return alpha.min() == 1.0 and is_photo(gray, _border(gray))


def enlarged_file(rgb: np.ndarray) -> bool:
    """Whether the image is a dataset-sized picture (28 or 32 px) that someone enlarged: a file, not a photo."""
    return rgb.shape[0] == rgb.shape[1] and any(unenlarge(rgb, small=side) is not None
                                                for side in (DATASET_SIDE, MODEL_INPUT_SIZE))


def written_page(source: ImageSource) -> Image.Image | None:
    """A photo of writing on plain paper as it would look drawn in the app: its ink in black on white, for the
    identifier; None for anything else (a dataset file, a layer, a drawing, which the identifier knows in any pen,
    a photo of a scene)."""
    image = open_image(source)
    if _dataset_file(image) is not None:
        return None
    rgb, alpha = rgba_array(image)
    if not opaque_photo(rgb, alpha) or enlarged_file(rgb):
        return None
    cleaned = clean_photo(rgb)
    if not cleaned.writing or cleaned.ink.max() <= 0:
        return None
    return Image.fromarray((cleaned.as_drawing() * 255).round().astype(np.uint8))


def prepare_fashion(source: ImageSource) -> torch.Tensor:
    """Fashion-MNIST's recipe for a product image -> ``1 x 1 x 32 x 32``.

    A light background is inverted (products are bright on black), the product
    is cropped, its longest side fitted into 28 px by Lanczos and centred, then padded.
    A Fashion-MNIST file goes through as it is.
    """
    image = open_image(source)
    as_is = _dataset_file(image)
    if as_is is not None:
        return as_is
    rgb, alpha = rgba_array(image)
    gray = alpha * luminance(rgb)  # transparent areas become the black background
    if alpha.min() == 1.0 and np.median(_border(gray)) > 0.5:
        gray = 1.0 - gray
    crop = gray[ink_box(ink_map(rgb, alpha, PRODUCT_THRESHOLD))]  # the product, faint edges included: crop to it
    patch = fit_longest_side(np.ascontiguousarray(crop), FASHION_FIELD, _lanczos) * float(crop.max())
    return _pad_to_model(_place(patch, FASHION_FIELD, (patch.shape[0] / 2, patch.shape[1] / 2)))


def edge_colour(rgb: np.ndarray) -> np.ndarray:
    """The median colour of the outermost rows and columns: a picture's background or frame."""
    return np.median(np.concatenate([rgb[0], rgb[-1], rgb[:, 0], rgb[:, -1]]), axis=0)


def opposite_of_ink(values: np.ndarray, alpha: np.ndarray) -> float:
    """What to put under transparent pixels: white under dark ink, black under light ink."""
    opaque = alpha > 0.5
    return 1.0 - round(float(np.median(values[opaque]))) if opaque.any() else 1.0


def square_with(rgb: np.ndarray, colour: np.ndarray) -> np.ndarray:
    """``rgb`` centred on a square of ``colour``: nothing is cut off."""
    h, w = rgb.shape[:2]
    side = max(h, w)
    square = np.empty((side, side, 3), dtype=np.float32)
    square[:] = colour
    top, left = (side - h) // 2, (side - w) // 2
    square[top : top + h, left : left + w] = rgb
    return square


@dataclass(frozen=True, eq=False)
class Frame:
    """A picture on a flat page: the page, the picture's rows and columns on it, and the page's colour."""
    page: np.ndarray
    rows: slice
    cols: slice
    colour: np.ndarray
    difference: np.ndarray  # how far each pixel of the page lies from its colour: the largest channel difference

    @property
    def picture(self) -> np.ndarray:
        return self.page[self.rows, self.cols]

    @property
    def content(self) -> np.ndarray:
        """Which pixels of the page are not paper (JPEG noise allowed): what the frame holds."""
        return self.difference > FRAME_TOLERANCE


def inside_frame(rgb: np.ndarray, min_fraction: float = MIN_FRAMED_FRACTION) -> Frame | None:
    """A photo on a page or a screenshot with margins, when a flat white, grey or black frame runs round all four
    sides (a scene's own sky or wall rarely does) and what it holds spans ``min_fraction`` of the height and of
    the width (picture-sized, not a speck or a line); else None."""
    colour = edge_colour(rgb)
    if colour.max() - colour.min() > FRAME_SATURATION:
        return None
    difference = np.abs(rgb - colour).max(axis=2)
    content = difference > FRAME_TOLERANCE
    rows, cols = np.nonzero(content.any(axis=1))[0], np.nonzero(content.any(axis=0))[0]
    if not len(rows) or min(rows[0], cols[0], len(content) - 1 - rows[-1], content.shape[1] - 1 - cols[-1]) == 0:
        return None  # blank, or content touches an edge: no frame
    frame = Frame(rgb, slice(int(rows[0]), int(rows[-1]) + 1), slice(int(cols[0]), int(cols[-1]) + 1), colour, difference)
    if min(frame.picture.shape[0] / rgb.shape[0], frame.picture.shape[1] / rgb.shape[1]) < min_fraction:
        return None
    return frame


def _sharpest_edge(profile: np.ndarray) -> int:
    """Of the first ``JPEG_SPILL + 1`` lines of ``profile`` (the frame before them: 0), the one that rises most."""
    return int(np.argmax(np.diff(profile[: JPEG_SPILL + 1], prepend=0.0)))


def without_ringing(frame: Frame) -> Frame:
    """The frame's picture less the line or two of JPEG ringing round it: each edge moves in to where the
    picture rises most from the frame."""
    difference = frame.difference[frame.rows, frame.cols]
    by_row, by_column = difference.mean(axis=1), difference.mean(axis=0)
    rows = slice(frame.rows.start + _sharpest_edge(by_row), frame.rows.stop - _sharpest_edge(by_row[::-1]))
    cols = slice(frame.cols.start + _sharpest_edge(by_column), frame.cols.stop - _sharpest_edge(by_column[::-1]))
    return replace(frame, rows=rows, cols=cols)


def _widened(span: slice, length: int, weights: np.ndarray) -> slice:
    """``span`` widened to ``length`` lines (at most all of ``weights``), taking the lines that weigh most;
    of equal choices, the most centred."""
    length = min(length, len(weights))
    starts = np.arange(max(0, span.stop - length), min(span.start, len(weights) - length) + 1)
    sums = np.concatenate([[0.0], np.cumsum(weights)])
    centred = span.start - (length - (span.stop - span.start)) / 2
    starts = starts[np.argsort(np.abs(starts - centred), kind="stable")]  # most centred first: argmax's tie
    first = int(starts[np.argmax(sums[starts + length] - sums[starts])])
    return slice(first, first + length)


def _unlike_paper(difference: np.ndarray, axis: int) -> np.ndarray:
    """Each line's mean ``difference`` from the paper; 0 for a line that is paper (``PAPER_LIKE``)."""
    weights = difference.mean(axis=axis)
    return np.where(weights < PAPER_LIKE, 0.0, weights)


def squared(frame: Frame) -> Frame:
    """The picture's shorter side widened to its longer one with the page's own lines, those least like the
    paper (a square photo's light edges, which the frame's tolerance took for paper, come back); on a blank
    page as many each side. As far as the page goes."""
    height, width = frame.rows.stop - frame.rows.start, frame.cols.stop - frame.cols.start
    if height < width:
        return replace(frame, rows=_widened(frame.rows, width, _unlike_paper(frame.difference[:, frame.cols], 1)))
    if width < height:
        return replace(frame, cols=_widened(frame.cols, height, _unlike_paper(frame.difference[frame.rows], 0)))
    return frame


def tilt(content: np.ndarray) -> float:
    """How far a photo (``content``: a boolean mask of its pixels) was turned, in degrees counter-clockwise as
    ``Image.rotate`` turns: the angle, in ``TILT_STEP``s within ``MAX_TILT``, whose box round the photo is tightest
    (from each row's outermost pixels; of equal boxes, the straightest). 0 unless the photo fills that box as a
    rectangle does (``MIN_RECTANGULARITY``)."""
    content = np.asarray(content, dtype=bool)
    rows = np.nonzero(content.any(axis=1))[0]
    if not len(rows):
        return 0.0
    first = content[rows].argmax(axis=1)
    last = content.shape[1] - 1 - content[rows, ::-1].argmax(axis=1)
    ys, xs = np.concatenate([rows, rows]).astype(np.float64), np.concatenate([first, last]).astype(np.float64)
    degrees = np.arange(-MAX_TILT, MAX_TILT + TILT_STEP / 2, TILT_STEP)
    angles = np.deg2rad(degrees[np.argsort(np.abs(degrees), kind="stable")])[:, None]  # straightest first: argmin's tie
    along, across = xs * np.cos(angles) - ys * np.sin(angles), xs * np.sin(angles) + ys * np.cos(angles)
    boxes = (np.ptp(along, axis=1) + 1) * (np.ptp(across, axis=1) + 1)
    best = int(boxes.argmin())
    if (last - first + 1).sum() < MIN_RECTANGULARITY * boxes[best]:
        return 0.0
    return float(np.rad2deg(angles[best, 0]))


def straighten(frame: Frame) -> np.ndarray:
    """The page with a photo turned on it turned back; anything else as it is."""
    angle = tilt(frame.content)
    if abs(angle) <= MIN_TILT:
        return frame.page
    page = Image.fromarray((frame.page * 255).round().astype(np.uint8))
    fill = tuple(int(round(value * 255)) for value in frame.colour)
    return np.asarray(page.rotate(-angle, Image.Resampling.BICUBIC, expand=True, fillcolor=fill), dtype=np.float32) / 255


def prepare_photo(source: ImageSource) -> torch.Tensor:
    """A CIFAR-style photo -> ``1 x 3 x 32 x 32``: centre-cropped to a square (a photo inside a flat frame: the
    photo, straightened if turned, padded square with the frame's colour), then brought to 32 px: an enlarged
    32 px picture back to its own pixels (``lenet.unenlarge``), anything else shrunk by Lanczos, which comes
    closest of the resizes (bench/README.md). A 32x32 file is kept as it is."""
    rgb, alpha = rgba_array(open_image(source))
    rgb = rgb * alpha[..., None] + (1.0 - alpha[..., None])  # transparency onto white
    frame = inside_frame(rgb) if max(rgb.shape[:2]) > MODEL_INPUT_SIZE else None
    if frame is not None:
        straight = straighten(frame)
        if straight is not rgb:  # turned back: frame it again
            frame = inside_frame(straight) or frame
        square = square_with(squared(without_ringing(frame)).picture, frame.colour)
        original = unenlarge(square, rgb, small=MODEL_INPUT_SIZE)  # or the whole upload: a photo enlarged with plain edges
    else:
        h, w = rgb.shape[:2]
        side = min(h, w)
        top, left = (h - side) // 2, (w - side) // 2
        square = rgb[top : top + side, left : left + side]
        original = unenlarge(square, small=MODEL_INPUT_SIZE)
    if original is None:
        return resize_square(square, MODEL_INPUT_SIZE)
    return torch.from_numpy(original).permute(2, 0, 1)[None].float()


def resize_square(rgb: np.ndarray, side: int) -> torch.Tensor:
    """A square ``H x W x 3`` float image -> ``1 x 3 x side x side`` in [0, 1], by Lanczos (antialiased)."""
    return torch.stack([_lanczos(rgb[..., c], (side, side)) for c in range(3)])[None].clamp(0, 1)  # PIL: channel by channel


RECIPES: dict[str, Callable[[ImageSource], torch.Tensor]] = {
    "sketch": prepare_sketch,
    "fashion": prepare_fashion,
    "photo": prepare_photo,
}


def prepare(recipe: str, source: ImageSource) -> Prepared:
    """One of ``RECIPES`` by name, with what it did on the way (the sketch recipe's photo notes)."""
    return sketch_input(source) if recipe == "sketch" else Prepared(RECIPES[recipe](source))


def dataset_pixels(images: torch.Tensor) -> torch.Tensor:
    """uint8 dataset images ``N x C x H x W`` -> float ``N x C x 32 x 32`` in [0, 1].

    The single place where training, evaluation and the demo agree on scaling
    (x/255) and padding (28 -> 32 with black, as the paper did).
    """
    pixels = TF.to_dtype(images, torch.float32, scale=True)
    pad = (MODEL_INPUT_SIZE - images.shape[-1]) // 2
    return TF.pad(pixels, [pad]) if pad else pixels
