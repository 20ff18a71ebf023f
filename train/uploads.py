"""Pictures as people upload them, at random, to teach ``lenet.identify`` (python -m train.identify).

A dataset image is kept at its own size or enlarged by some resampler, maybe
drawn dark on paper, in colour, drawn with a thicker, thinner or steady pen, framed,
turned and saved as JPEG. Pictures of no dataset are
noise, flat colours, gradients, chequerboards, stripes, shapes, icons and text.
"""
from __future__ import annotations

import math
from io import BytesIO
from typing import Callable

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont, ImageOps

from lenet.preprocess import luminance

Rng = np.random.Generator
RESAMPLERS = (Image.Resampling.NEAREST, Image.Resampling.BILINEAR, Image.Resampling.BICUBIC, Image.Resampling.LANCZOS,
              Image.Resampling.BOX)
SIDE = (28, 400)  # uploads are this many pixels on a side
SMALL_SHARE, SMALL_SIDE = 0.1, (28, 65)  # share of pictures of no dataset as small as the datasets' own images; their sides
MAX_ASPECT = 3  # a picture of no dataset is at most this many times as long as it is wide: a framed strip looks like a "1"
NATIVE = 0.15  # share of dataset images left at the dataset's own size, never framed or turned, as a downloaded file is
MAX_MARGIN = 1.0  # of the picture's side, on each side: a picture may fill a third of a page
MAX_TURN = 12  # degrees
JPEG_QUALITY = (40, 96)  # what phones and websites save (upper bound excluded)
HARD_EDGED = 0.25  # share of grey images made black and white, as pen tools without antialiasing draw
ON_PAPER = 0.5  # share of grey images drawn or printed dark on light paper...
PLAIN_PAGE = 0.4  # ...of those, black on white, as web pages and inverted files are...
GREY_PAGE = 0.3  # ...grey on grey, as photographed prints are...
COLOURED_PEN = 0.15  # ...a pen of any colour on white or light grey, as drawing apps and school paper show; the rest: any on any
TINTED = 0.3  # ...and of the rest, light on a dark ground, any colours
DARK_INK, LIGHT_PAPER = (0, 110), (190, 256)  # grey levels
MIN_CONTRAST = 80  # grey levels between a coloured ink and its ground (an orange pen on white: 113)
PEN_CHANGE = 0.5  # share of digits drawn with a thicker or a thinner pen...
PEN_SCALE = 25  # ...by up to 1/25 of the picture's side on each side of a stroke (1/40: bench/README.md)...
MIN_INK_KEPT = 0.25  # ...keeping at least this share of the ink
THICKER = 0.5  # share of those pen changes that thicken
REDRAWN = 0.25  # share of digits traced again with a round pen of constant width, as drawing programs draw...
PEN_RADIUS = (0.015, 0.05)  # ...its radius, a share of the picture's side
NEUTRAL_PAGE = 0.7  # share of framed photos and of icons on a white, grey or black page (the rest: any colour)
ICON_RADIUS, ICON_OFFCENTRE = (0.25, 0.48), 0.1  # an icon's main shape: radius and offset, of the picture's side...
OUTLINED, OUTLINE_WIDTH = 0.5, (0.02, 0.1)  # ...a share of them outlined, this wide (of the radius)...
DETAILS, DETAIL_RADIUS = (1, 7), (0.06, 0.35)  # ...with this many details (upper bound excluded), each this big (of it)...
DETAIL_SPREAD = 0.6  # ...within this share of its radius from its centre...
ARCS, ARC_WIDTH = 0.3, (0.1, 0.4)  # ...a share of them arcs, this wide (of the detail's radius)
BLOB_ASPECT, CORNER, POLYGON_SIDES = (0.6, 1.4), (0, 0.5), (3, 9)  # height / width; rounding, of the radius; sides
MARGINS, TURNED, COMPRESSED = 0.5, 0.3, 0.5  # share of uploads with margins, a turn, JPEG
LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789     .,:;!?()-"


def _colour(rng: Rng, low: int = 0, high: int = 256) -> tuple[int, int, int]:
    return tuple(int(v) for v in rng.integers(low, high, 3))


def _neutral(rng: Rng) -> tuple[int, int, int]:
    return (int(rng.choice([0, 255, rng.integers(0, 256)])),) * 3


def _page(rng: Rng) -> tuple[int, int, int]:
    """What a photo or an icon lies on: mostly white, grey or black, else any colour."""
    return _neutral(rng) if rng.random() < NEUTRAL_PAGE else _colour(rng)


def _grey(rng: Rng, low: int, high: int) -> tuple[int, int, int]:
    """A grey between ``low`` and ``high``: equal channels."""
    return (int(rng.integers(low, high)),) * 3


def _ink_on_paper(rng: Rng) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
    """Dark ink and light paper: black on white, grey on grey, a coloured pen on white or light grey, or any colours."""
    kind = rng.random()
    if kind < PLAIN_PAGE:
        return (0, 0, 0), (255, 255, 255)
    if kind < PLAIN_PAGE + GREY_PAGE:
        return _grey(rng, *DARK_INK), _grey(rng, *LIGHT_PAPER)
    if kind < PLAIN_PAGE + GREY_PAGE + COLOURED_PEN:
        return _contrasting(rng, paper=_grey(rng, *LIGHT_PAPER))
    return _contrasting(rng)


def _contrasting(rng: Rng, paper: tuple[int, int, int] | None = None) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
    """An ink and a paper of any hues (``paper`` if given), the ink darker by at least ``MIN_CONTRAST`` grey levels."""
    while True:
        ink, ground = _colour(rng), paper or _colour(rng)
        if paper is None:
            ink, ground = sorted((ink, ground), key=_grey_level)
        if _grey_level(ground) - _grey_level(ink) >= MIN_CONTRAST:
            return ink, ground


def _grey_level(colour: tuple[int, int, int]) -> float:
    return float(luminance(np.array(colour, np.float32)))


def _finish(image: Image.Image, background: tuple[int, int, int], rng: Rng, framed: bool = True) -> Image.Image:
    """Margins and a turn (if ``framed``) and JPEG, each with some chance."""
    if framed and rng.random() < MARGINS:
        w, h = image.size
        left, top, right, bottom = (int(rng.uniform(0, MAX_MARGIN) * s) for s in (w, h, w, h))
        image = ImageOps.expand(image, (left, top, right, bottom), fill=background)
    if framed and rng.random() < TURNED:
        image = image.rotate(rng.uniform(-MAX_TURN, MAX_TURN), Image.Resampling.BICUBIC, expand=True, fillcolor=background)
    if rng.random() < COMPRESSED:
        image = save_as_jpeg(image, int(rng.integers(*JPEG_QUALITY)))
    return image


def save_as_jpeg(image: Image.Image, quality: int) -> Image.Image:
    """The image as a JPEG file at ``quality`` would show it."""
    buffer = BytesIO()
    image.save(buffer, "JPEG", quality=quality)
    return Image.open(BytesIO(buffer.getvalue())).convert("RGB")


def _upload_side(native: int, rng: Rng) -> int:
    """The dataset's own size now and then, else anything from it up to a large upload."""
    return native if rng.random() < NATIVE else int(rng.integers(native, SIDE[1]))


def grey_upload(pixels: np.ndarray, rng: Rng, strokes: bool) -> Image.Image:
    """A 28x28 MNIST or Fashion-MNIST image as an upload: at its own size or enlarged, light on black, dark on
    paper, in colour, drawn with another pen (``strokes``: digits), framed, turned, compressed."""
    ink, paper = (255, 255, 255), (0, 0, 0)
    if rng.random() < ON_PAPER:
        ink, paper = _ink_on_paper(rng)
    elif rng.random() < TINTED:
        paper, ink = _contrasting(rng)
    side = _upload_side(len(pixels), rng)
    if strokes and rng.random() < REDRAWN:
        grey = redrawn(pixels, side, rng)
    else:
        grey = Image.fromarray(pixels)
        if rng.random() < HARD_EDGED:  # drawn with a pen tool that does not antialias
            grey = grey.point(lambda value: 255 if value > 127 else 0)
        grey = grey.resize((side, side), RESAMPLERS[rng.integers(len(RESAMPLERS))])
        if strokes and rng.random() < PEN_CHANGE:
            grey = other_pen(grey, rng)
    return _finish(ImageOps.colorize(grey, black=paper, white=ink), paper, rng, framed=side != len(pixels))


def other_pen(grey: Image.Image, rng: Rng) -> Image.Image:
    """The strokes (light on black) thickened or thinned by up to 1/PEN_SCALE of the side, as a felt pen or a
    fine one draws them; a thinning that would leave less than MIN_INK_KEPT of the ink is not done."""
    width = 2 * int(rng.integers(1, max(2, grey.width // PEN_SCALE))) + 1
    if rng.random() < THICKER:
        return grey.filter(ImageFilter.MaxFilter(width))
    thinner = grey.filter(ImageFilter.MinFilter(width))
    return thinner if np.asarray(thinner).sum() >= MIN_INK_KEPT * np.asarray(grey).sum() else grey


def redrawn(pixels: np.ndarray, side: int, rng: Rng) -> Image.Image:
    """The digit's centre lines traced again, ``side`` pixels wide, with a round pen of constant width (light on
    black): MNIST's digits were written with a pen whose width varies; drawing programs draw a steady line."""
    skeleton = thinned(pixels > 127)
    image = Image.new("L", (side, side), 0)
    draw = ImageDraw.Draw(image)
    radius = side * rng.uniform(*PEN_RADIUS)
    scale = side / len(pixels)
    for y, x in zip(*np.nonzero(skeleton)):
        cx, cy = (x + 0.5) * scale, (y + 0.5) * scale
        draw.ellipse([cx - radius, cy - radius, cx + radius, cy + radius], fill=255)
        for dy, dx in FORWARD_NEIGHBOURS:
            if 0 <= y + dy < len(skeleton) and 0 <= x + dx < len(skeleton) and skeleton[y + dy, x + dx]:
                draw.line([cx, cy, cx + dx * scale, cy + dy * scale], fill=255, width=max(1, int(2 * radius)))
    return image


FORWARD_NEIGHBOURS = ((0, 1), (1, -1), (1, 0), (1, 1))  # each pair of touching pixels joined once
NEIGHBOURS = ((-1, 0), (-1, 1), (0, 1), (1, 1), (1, 0), (1, -1), (0, -1), (-1, -1))  # clockwise from north


def thinned(mask: np.ndarray) -> np.ndarray:
    """The mask worn down to lines one pixel wide that keep its shape (Zhang and Suen, 1984)."""
    m = np.pad(mask, 1).astype(np.uint8)
    while True:
        removed = False
        for first_pass in (True, False):
            n, ne, e, se, s, sw, w, nw = (np.roll(m, (-dy, -dx), (0, 1)) for dy, dx in NEIGHBOURS)
            around = (n, ne, e, se, s, sw, w, nw, n)
            count = n + ne + e + se + s + sw + w + nw
            rises = sum((a == 0) & (b == 1) for a, b in zip(around, around[1:]))  # 0 -> 1 going round: one arc
            outer = (n * e * s == 0) & (e * s * w == 0) if first_pass else (n * e * w == 0) & (n * s * w == 0)
            gone = (m == 1) & (count >= 2) & (count <= 6) & (rises == 1) & outer
            m[gone] = 0
            removed |= bool(gone.any())
        if not removed:
            return m[1:-1, 1:-1].astype(bool)


def photo_upload(pixels: np.ndarray, rng: Rng) -> Image.Image:
    """A 32x32 CIFAR-10 photo as an upload: enlarged, maybe on a page, turned, compressed."""
    image = Image.fromarray(pixels)
    side = _upload_side(len(pixels), rng)
    image = image.resize((side, side), RESAMPLERS[rng.integers(len(RESAMPLERS))])
    return _finish(image, _page(rng), rng, framed=side != len(pixels))


def _size(rng: Rng) -> tuple[int, int]:
    """Width and height of a picture of no dataset."""
    low, high = SMALL_SIDE if rng.random() < SMALL_SHARE else SIDE
    w = int(rng.integers(low, high))
    return w, int(rng.integers(max(low, math.ceil(w / MAX_ASPECT)), min(high, w * MAX_ASPECT + 1)))


def noise(rng: Rng) -> Image.Image:
    """Uniform or Gaussian, grey or colour, fine or coarse (blocks and blobs)."""
    w, h = _size(rng)
    coarse = rng.random() < 0.3
    nh, nw = (max(8, h // 8), max(8, w // 8)) if coarse else (h, w)
    shape = (nh, nw, 3) if rng.random() < 0.6 else (nh, nw)
    values = rng.integers(0, 256, shape) if rng.random() < 0.5 else rng.normal(rng.uniform(40, 215), rng.uniform(10, 80), shape)
    image = Image.fromarray(np.clip(values, 0, 255).astype(np.uint8)).convert("RGB")
    return image.resize((w, h), RESAMPLERS[rng.integers(len(RESAMPLERS))]) if coarse else image


def flat(rng: Rng) -> Image.Image:
    w, h = _size(rng)
    values = np.array(_colour(rng), dtype=np.float32) + rng.normal(0, rng.uniform(0, 4), (h, w, 3))
    return Image.fromarray(np.clip(values, 0, 255).astype(np.uint8))


def gradient(rng: Rng) -> Image.Image:
    w, h = _size(rng)
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    if rng.random() < 0.7:
        angle = rng.uniform(0, 2 * np.pi)
        t = x * np.cos(angle) + y * np.sin(angle)
    else:
        t = np.hypot(x - rng.uniform(0, w), y - rng.uniform(0, h))
    t = (t - t.min()) / max(float(np.ptp(t)), 1e-6)
    start, end = np.array(_colour(rng), np.float32), np.array(_colour(rng), np.float32)
    return Image.fromarray((start + t[..., None] * (end - start)).astype(np.uint8))


def pattern(rng: Rng) -> Image.Image:
    """Chequerboards and stripes, any cell size, maybe turned."""
    w, h = _size(rng)
    y, x = np.mgrid[0:h, 0:w]
    cell = int(rng.integers(2, max(3, min(w, h) // 3)))
    cells = (x // cell + y // cell) % 2 if rng.random() < 0.6 else (x // cell if rng.random() < 0.5 else y // cell) % 2
    a, b = (_colour(rng), _colour(rng)) if rng.random() < 0.5 else ((0, 0, 0), (255, 255, 255))
    image = Image.fromarray(np.where(cells[..., None] == 1, np.array(a), np.array(b)).astype(np.uint8))
    return image.rotate(rng.uniform(0, 90), fillcolor=b) if rng.random() < 0.2 else image


def text(rng: Rng) -> Image.Image:
    """A screenshot of text: lines of words, maybe with boxes, light or dark mode."""
    w, h = _size(rng)
    w = max(w, 120)
    paper, ink = ((255, 255, 255), _colour(rng, 0, 90)) if rng.random() < 0.75 else (_colour(rng, 0, 50), _colour(rng, 170, 256))
    image = Image.new("RGB", (w, h), paper)
    draw = ImageDraw.Draw(image)
    size = int(rng.integers(8, 32))
    font = ImageFont.load_default(size=size)
    for _ in range(int(rng.integers(0, 4))):  # buttons and panels
        x0, y0 = int(rng.integers(0, w)), int(rng.integers(0, h))
        draw.rectangle([x0, y0, x0 + int(rng.integers(20, w)), y0 + int(rng.integers(10, h // 2 + 11))], outline=ink,
                       fill=_colour(rng, 180, 256) if paper[0] > 128 else None)
    y = int(rng.integers(0, size))
    while y < h:
        line = "".join(rng.choice(list(LETTERS), int(rng.integers(5, 60))))
        draw.text((int(rng.integers(0, 20)), y), line, fill=ink, font=font)
        y += int(size * rng.uniform(1.2, 2.2))
    return image


def shapes(rng: Rng) -> Image.Image:
    """Clip art: many flat rectangles, ellipses and lines."""
    w, h = _size(rng)
    image = Image.new("RGB", (w, h), _colour(rng))
    draw = ImageDraw.Draw(image)
    for _ in range(int(rng.integers(6, 30))):
        box = sorted(rng.integers(0, w, 2).tolist()) + sorted(rng.integers(0, h, 2).tolist())
        kind = rng.integers(3)
        coords = [box[0], box[2], box[1], box[3]]
        if kind == 0:
            draw.rectangle(coords, fill=_colour(rng))
        elif kind == 1:
            draw.ellipse(coords, fill=_colour(rng))
        else:
            draw.line(coords, fill=_colour(rng), width=int(rng.integers(1, 6)))
    return image


def icon(rng: Rng) -> Image.Image:
    """Clip art as emoji, logos and signs are drawn: one large flat shape, maybe outlined, with a few small
    shapes and strokes on it, each in its own colour, on a plain ground."""
    w, h = _size(rng)
    image = Image.new("RGB", (w, h), _page(rng))
    draw = ImageDraw.Draw(image)
    side = min(w, h)
    cx, cy = (s * (0.5 + rng.uniform(-ICON_OFFCENTRE, ICON_OFFCENTRE)) for s in (w, h))
    radius = side * rng.uniform(*ICON_RADIUS)
    outline = _colour(rng) if rng.random() < OUTLINED else None
    _blob(draw, rng, cx, cy, radius, _colour(rng), outline, max(1, int(radius * rng.uniform(*OUTLINE_WIDTH))))
    for _ in range(int(rng.integers(*DETAILS))):
        x, y = (c + rng.uniform(-DETAIL_SPREAD, DETAIL_SPREAD) * radius for c in (cx, cy))
        small = radius * rng.uniform(*DETAIL_RADIUS)
        if rng.random() < ARCS:
            draw.arc([x - small, y - small, x + small, y + small], *sorted(rng.uniform(0, 360, 2).tolist()),
                     fill=_colour(rng), width=max(1, int(small * rng.uniform(*ARC_WIDTH))))
        else:
            _blob(draw, rng, x, y, small, _colour(rng))
    return image


def _blob(draw: ImageDraw.ImageDraw, rng: Rng, x: float, y: float, radius: float, fill: tuple[int, int, int],
          outline: tuple[int, int, int] | None = None, width: int = 1) -> None:
    """An ellipse, a rounded rectangle or a regular polygon around (x, y)."""
    aspect = rng.uniform(*BLOB_ASPECT)
    box = [x - radius, y - radius * aspect, x + radius, y + radius * aspect]
    form = rng.integers(3)
    if form == 0:
        draw.ellipse(box, fill=fill, outline=outline, width=width)
    elif form == 1:
        draw.rounded_rectangle(box, radius=radius * rng.uniform(*CORNER), fill=fill, outline=outline, width=width)
    else:
        draw.regular_polygon((x, y, radius), int(rng.integers(*POLYGON_SIDES)), rotation=rng.uniform(0, 360), fill=fill,
                             outline=outline, width=width)


UNKNOWN: tuple[Callable[[Rng], Image.Image], ...] = (noise, flat, gradient, pattern, text, shapes, icon)


FRAMEABLE = (noise, pattern, text, shapes, icon)  # a framed flat colour or gradient is a bright shape on a page: a T-shirt?


def unknown_upload(rng: Rng) -> Image.Image:
    """A picture of no dataset, maybe framed, turned or compressed."""
    make = UNKNOWN[rng.integers(len(UNKNOWN))]
    image = make(rng)
    return _finish(image, _neutral(rng), rng) if make in FRAMEABLE and rng.random() < 0.5 else image
