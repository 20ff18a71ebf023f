"""Pictures as people upload them, at random, to teach ``lenet.identify`` (python -m train.identify).

A dataset image is kept at its own size or enlarged by some resampler, maybe
drawn dark on paper, in colour, drawn with a thicker, thinner or steady pen, framed,
turned and saved as JPEG. Pictures of no dataset are noise, flat colours, gradients,
chequerboards, stripes, shapes, icons, logos, text on screens and scanned pages, charts,
rendered data (heat maps) and portraits, drawn here from random numbers; and real faces, photos
and measurements drawn through colour maps, from scikit-image's samples (train.real_pictures):
bench.photos judges the identifier on pictures from other sources (docs/none-of-these.md).
"""
from __future__ import annotations

import math
from io import BytesIO
from typing import Callable

import matplotlib
import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont, ImageOps
from scipy.ndimage import gaussian_filter

from lenet.preprocess import luminance
from train import real_pictures

Rng = np.random.Generator
RESAMPLERS = (Image.Resampling.NEAREST, Image.Resampling.BILINEAR, Image.Resampling.BICUBIC, Image.Resampling.LANCZOS,
              Image.Resampling.BOX)
SIDE = (28, 400)  # uploads are this many pixels on a side
SMALL_SHARE, SMALL_SIDE = 0.2, (16, 65)  # share of pictures of no dataset as small as icons and the datasets' own images; sides
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
PHOTOGRAPHED = 0.2  # share of digits photographed on a sheet of paper (paper_photo)...
PHOTO_SIDE, PHOTO_ASPECT, DIGIT_SHARE = (160, 640), (0.6, 1.0), (0.15, 0.8)  # px; short / long side; of the sheet's side
PAPER_TINT = 12  # grey levels each channel of the paper may lean
ON_A_TABLE, SHEET_MARGIN, SHEET_SKEW = 0.35, (0.03, 0.3), 0.04  # share; of the photo's side; of the sheet's side
TABLE_BRIGHTEST, TABLE_GRAIN = 150, 12  # a table's colour's channels stay below; its grain's grey levels
RULED, SQUARED, RULE_GAP, RULE_STRENGTH = 0.4, 0.35, (0.2, 0.6), (0.15, 0.6)  # ruled sheets, squared of those; of the
#   digit's height; how far a rule's colour goes from the paper's to its own
LIGHT_FALLOFF, SHADOW, SHADOW_DEPTH, SHADOW_EDGE = (0, 0.5), 0.35, (0.1, 0.45), (8, 40)  # light lost across the photo;
#   share of photos with a soft shadow, the light it takes and how sharp its edge is (per photo side)
PHOTO_BLUR = 2.0  # px
LOGO_LETTERS, LOGO_SHAPED = (0.25, 0.7), 0.6  # a logo's letters, of its side; share of logos with a shape behind
PAGE_LETTERS, SCAN_TURN, SCAN_BLUR = (0.015, 0.05), 3, 1.5  # a scanned page's type, of its side; degrees; px
DARK_THEME, PIE, GRIDDED = 0.25, 0.15, 0.5  # shares of charts
HISTOGRAM, HISTOGRAM_SHAPE, HISTOGRAM_SAMPLE = 3, (1, 12), 500  # a chart style; its sample's gamma shapes and size
CELLS, CONTOURED = 0.3, 0.2  # shares of heat maps drawn as a grid of cells, with contour bands
FACE_RADIUS, FACE_ASPECT = (0.12, 0.3), (1.15, 1.45)  # a face's half width, of the picture's side; height / width
SKIN = np.array([(90, 56, 37), (255, 224, 196)], np.float32)  # the darkest and lightest skin tones drawn
HAIR = ((20, 15, 10), (70, 45, 25), (140, 100, 55), (210, 180, 120), (160, 160, 160), (120, 50, 20))
LONG_HAIR, GREY_PHOTO, MAX_NOISE = 0.4, 0.2, 12  # shares of portraits; grey levels of sensor noise
FACE_PASTED, SKIN_GAIN, CLOSE_UP = 1.15, (0.8, 1.1), 0.4  # a real face's half size, of the drawn one's; brightness
#   of a grey face toned as skin; share of real faces close up
ASTRONAUT_SHARE, ASTRONAUT_CROP = 0.2, (0.3, 1.0)  # share of real faces that are the astronaut's; of her photo's width
PHOTO_CROP = (0.15, 1.0)  # a crop of a real photo: its side, of the largest the photo holds at that shape
MAP_CROP, MAP_SMOOTHED, MAP_SMOOTHING = (0.3, 1.0), 0.5, (0.005, 0.03)  # a measured map's crop (as PHOTO_CROP);
#   share smoothed, by this much of its side
COLOUR_MAPS = ("plasma", "inferno", "turbo", "Spectral", "YlGnBu", "cubehelix", "rainbow", "ocean", "PuOr", "BrBG",
               "bone", "copper", "Blues", "YlOrRd", "twilight", "nipy_spectral", "gist_heat", "PiYG", "seismic", "Greens")
#   matplotlib's, none of those bench.none_of_these draws with
PLOTTED, PLOT_MARGIN, COLOUR_BAR = 0.6, (0.05, 0.2), (0.04, 0.08)  # share of maps in a plot; its margins and colour
#   bar's width, of the map's side
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
    paper, in colour, drawn with another pen (``strokes``: digits), framed, turned, compressed; or, for a digit,
    written on a sheet of paper and photographed."""
    if strokes and rng.random() < PHOTOGRAPHED:
        return paper_photo(pixels, rng)
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


def paper_photo(pixels: np.ndarray, rng: Rng) -> Image.Image:
    """A digit written on a sheet of paper and photographed: paper of some tint, maybe ruled or squared, a pen of
    any colour, light falling off across the sheet and maybe a soft shadow, maybe the table around the sheet, a
    little blur, sensor noise and JPEG."""
    long = int(rng.integers(*PHOTO_SIDE))
    w, h = (long, int(long * rng.uniform(*PHOTO_ASPECT)))[:: 1 if rng.random() < 0.5 else -1]
    paper = np.array(_grey(rng, *LIGHT_PAPER), np.float32) + rng.uniform(-PAPER_TINT, PAPER_TINT, 3)
    ink, _ = _contrasting(rng, paper=tuple(int(v) for v in paper.clip(0, 255)))
    sheet = [0, 0, w, h]  # left, top, right, bottom
    if rng.random() < ON_A_TABLE:
        sheet = [int(rng.uniform(*SHEET_MARGIN) * s) for s in (w, h)] + [int((1 - rng.uniform(*SHEET_MARGIN)) * s) for s in (w, h)]
    room = min(sheet[2] - sheet[0], sheet[3] - sheet[1])
    side = max(len(pixels), int(room * rng.uniform(*DIGIT_SHARE)))
    rgb = np.empty((h, w, 3), np.float32)
    rgb[:] = paper
    if rng.random() < RULED:
        gap = max(4, int(side * rng.uniform(*RULE_GAP)))
        rule = paper + rng.uniform(*RULE_STRENGTH) * (np.array(_colour(rng), np.float32) - paper)
        width = int(rng.integers(1, 4))
        lines = (np.arange(h) + int(rng.integers(gap))) % gap < width
        rgb[lines] = rule
        if rng.random() < SQUARED:
            rgb[:, (np.arange(w) + int(rng.integers(gap))) % gap < width] = rule
    grey = Image.fromarray(pixels).resize((side, side), Image.Resampling.BICUBIC)
    grey = other_pen(grey, rng) if rng.random() < PEN_CHANGE else grey
    grey = grey.rotate(rng.uniform(-MAX_TURN, MAX_TURN), Image.Resampling.BICUBIC)
    left = int(rng.integers(sheet[0], max(sheet[0] + 1, sheet[2] - side)))
    top = int(rng.integers(sheet[1], max(sheet[1] + 1, sheet[3] - side)))
    alpha = np.zeros((h, w, 1), np.float32)
    alpha[top : top + side, left : left + side, 0] = np.asarray(grey, np.float32)[: h - top, : w - left] / 255
    rgb = rgb * (1 - alpha) + np.array(ink, np.float32) * alpha
    if sheet != [0, 0, w, h]:  # the sheet, its corners a little off square, on a darker table with some grain
        outline = Image.new("L", (w, h), 0)
        corners = [(sheet[0], sheet[1]), (sheet[2], sheet[1]), (sheet[2], sheet[3]), (sheet[0], sheet[3])]
        jitter = SHEET_SKEW * room
        ImageDraw.Draw(outline).polygon([(x + rng.uniform(-jitter, jitter), y + rng.uniform(-jitter, jitter)) for x, y in corners], fill=1)
        table = np.array(_colour(rng, 0, TABLE_BRIGHTEST), np.float32)
        grain = gaussian_filter(rng.normal(0, 1, (h, w)), (rng.uniform(0.5, 3), rng.uniform(0.5, 30)))
        table = table + TABLE_GRAIN * grain[..., None] / max(float(grain.std()), 1e-6)
        rgb = np.where(np.asarray(outline, bool)[..., None], rgb, table)
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32) / max(w, h)
    angle = rng.uniform(0, 2 * np.pi)
    light = 1 - rng.uniform(*LIGHT_FALLOFF) * (np.cos(angle) * xs + np.sin(angle) * ys - min(0, np.cos(angle)) - min(0, np.sin(angle)))
    if rng.random() < SHADOW:
        cy, cx, radius = rng.uniform(0, 1, 3)
        light = light * (1 - rng.uniform(*SHADOW_DEPTH) / (1 + np.exp((np.hypot(ys - cy, xs - cx) - radius) * rng.uniform(*SHADOW_EDGE))))
    photo = Image.fromarray((rgb * light[..., None]).clip(0, 255).astype(np.uint8))
    photo = _noisy(photo.filter(ImageFilter.GaussianBlur(rng.uniform(0, PHOTO_BLUR))), rng)
    return save_as_jpeg(photo, int(rng.integers(*JPEG_QUALITY)))


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


def logo(rng: Rng) -> Image.Image:
    """A small logo: two to four letters (no digits: a lone "7" is a digit) in a brand colour, maybe on a flat
    shape, on a plain ground."""
    w, h = _size(rng)
    image = Image.new("RGB", (w, h), _page(rng))
    draw = ImageDraw.Draw(image)
    side = min(w, h)
    letters = "".join(rng.choice(list(LETTERS[:52]), int(rng.integers(2, 5))))
    font = ImageFont.load_default(size=max(6, int(side * rng.uniform(*LOGO_LETTERS))))
    if rng.random() < LOGO_SHAPED:
        _blob(draw, rng, w / 2, h / 2, side * rng.uniform(*ICON_RADIUS), _colour(rng))
    draw.text((w / 2, h / 2), letters, fill=_colour(rng), font=font, anchor="mm")
    return image


def scanned_page(rng: Rng) -> Image.Image:
    """A scanned or photographed page of type: small dark lines on off-white paper, a little turned, blurred and noisy."""
    w, h = _size(rng)
    paper = _grey(rng, *LIGHT_PAPER)
    image = Image.new("RGB", (w, h), paper)
    draw = ImageDraw.Draw(image)
    size = max(6, int(min(w, h) * rng.uniform(*PAGE_LETTERS)))
    font = ImageFont.load_default(size=size)
    margin = int(rng.integers(0, max(1, w // 6)))
    for y in range(int(rng.integers(0, 3 * size)), h, int(size * rng.uniform(1.2, 1.8))):
        line = "".join(rng.choice(list(LETTERS), int(rng.integers(10, 90))))
        draw.text((margin, y), line, fill=_grey(rng, *DARK_INK), font=font)
    image = image.rotate(rng.uniform(-SCAN_TURN, SCAN_TURN), Image.Resampling.BICUBIC, fillcolor=paper)
    image = image.filter(ImageFilter.GaussianBlur(rng.uniform(0, SCAN_BLUR)))
    return _noisy(image, rng)


def chart(rng: Rng) -> Image.Image:
    """A chart as plotting programs draw one: axes with ticks and labels and a few series of lines, bars or dots,
    a histogram, or a pie; on white, light grey or a dark theme."""
    w, h = _size(rng)
    dark = rng.random() < DARK_THEME
    ground, ink = ((_grey(rng, 0, 60), _grey(rng, 180, 256)) if dark else (_grey(rng, 230, 256), _grey(rng, 0, 90)))
    image = Image.new("RGB", (w, h), ground)
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=max(6, int(min(w, h) * rng.uniform(0.03, 0.07))))
    series = [_colour(rng) for _ in range(int(rng.integers(1, 5)))]
    if rng.random() < PIE:
        r, cx, cy = min(w, h) * rng.uniform(0.25, 0.45), w / 2, h / 2
        cuts = np.concatenate([[0], np.sort(rng.uniform(0, 360, len(series) + 1))[:-1], [360]])
        for start, end in zip(cuts, cuts[1:]):
            draw.pieslice([cx - r, cy - r, cx + r, cy + r], start, end, fill=_colour(rng))
        return image
    left, top = int(w * rng.uniform(0.08, 0.2)), int(h * rng.uniform(0.05, 0.15))
    right, bottom = int(w * rng.uniform(0.85, 0.97)), int(h * rng.uniform(0.8, 0.92))
    if rng.random() < GRIDDED:
        for t in np.linspace(top, bottom, int(rng.integers(3, 8))):
            draw.line([left, t, right, t], fill=_grey(rng, 120, 220) if not dark else _grey(rng, 50, 110))
    style = rng.integers(4)  # lines, bars, dots, a histogram
    points = int(rng.integers(4, 40))
    xs = np.linspace(left, right, points)
    for i, colour in enumerate(series[:1] if style == HISTOGRAM else series):
        ys = bottom - (bottom - top) * np.clip(np.cumsum(rng.normal(0, 0.15, points)) + rng.uniform(0.2, 0.8), 0, 1)
        if style == HISTOGRAM:  # a sample's counts, from skewed to bell-shaped, in bars that touch
            counts = np.histogram(rng.gamma(rng.uniform(*HISTOGRAM_SHAPE), size=HISTOGRAM_SAMPLE), bins=points)[0]
            ys = bottom - (bottom - top) * counts / counts.max()
            width = (right - left) / points
            for x, y in zip(xs, ys):
                draw.rectangle([x, y, x + width, bottom], fill=colour, outline=ground if rng.random() < 0.5 else None)
        elif style == 0:
            draw.line(list(zip(xs, ys)), fill=colour, width=int(rng.integers(1, 4)))
        elif style == 1:
            bar = (right - left) / points / len(series)
            for x, y in zip(xs, ys):
                draw.rectangle([x + i * bar, y, x + (i + 1) * bar * 0.9, bottom], fill=colour)
        else:
            dot = max(1, int(rng.integers(1, 5)))
            for x, y in zip(xs + rng.normal(0, 5, points), ys):
                draw.ellipse([x - dot, y - dot, x + dot, y + dot], fill=colour)
    draw.line([left, top, left, bottom, right, bottom], fill=ink, width=int(rng.integers(1, 3)))
    for t in np.linspace(left, right, int(rng.integers(3, 8))):
        draw.line([t, bottom, t, bottom + 4], fill=ink)
        draw.text((t, bottom + 5), str(int(rng.integers(0, 100))), fill=ink, font=font, anchor="mt")
    return image


def _unit(values: np.ndarray) -> np.ndarray:
    """Values stretched to [0, 1], as a colour map takes them (a flat field: all 0)."""
    return (values - values.min()) / max(float(np.ptp(values)), 1e-6)


def heat_map(rng: Rng) -> Image.Image:
    """Rendered data, as heat maps and elevation maps are drawn: a smooth random field, or a grid of cells,
    through a colour map of a few stops, maybe with contour lines."""
    w, h = _size(rng)
    if rng.random() < CELLS:
        rows, cols = (int(v) for v in rng.integers(3, 30, 2))
        field = np.asarray(Image.fromarray(rng.normal(size=(rows, cols)).astype(np.float32)).resize((w, h), Image.Resampling.NEAREST))
    else:
        field = gaussian_filter(rng.normal(size=(h, w)), min(w, h) * rng.uniform(0.02, 0.2))
    t = _unit(field)
    if rng.random() < CONTOURED:
        t = np.floor(t * int(rng.integers(4, 16))) / 16 + (t % (1 / 16)) * 0.2
    stops = np.array([_colour(rng) for _ in range(int(rng.integers(2, 7)))], np.float32)
    at = np.linspace(0, 1, len(stops))
    rgb = np.stack([np.interp(t, at, stops[:, c]) for c in range(3)], axis=-1)
    return Image.fromarray(rgb.clip(0, 255).astype(np.uint8))


def portrait(rng: Rng, face: Image.Image | None = None) -> Image.Image:
    """A head and shoulders as photographed: a soft background, clothes, a face of some skin tone with hair,
    eyes, brows and a mouth (or ``face``, a real one), lit from one side and softened like a photo."""
    w, h = _size(rng)
    image = gradient(rng).resize((w, h)).filter(ImageFilter.GaussianBlur(min(w, h) / 20))
    draw = ImageDraw.Draw(image)
    side = min(w, h)
    rx = side * rng.uniform(*FACE_RADIUS)
    ry = rx * rng.uniform(*FACE_ASPECT)
    cx, cy = w / 2 + rng.normal(0, side * 0.05), h * rng.uniform(0.35, 0.6)
    skin = tuple(int(v) for v in SKIN[0] + rng.uniform() * (SKIN[1] - SKIN[0]))
    hair = tuple(int(v) for v in HAIR[rng.integers(len(HAIR))])
    draw.ellipse([cx - 2.6 * rx, cy + 1.2 * ry, cx + 2.6 * rx, cy + 4 * ry], fill=_colour(rng))  # shoulders
    draw.rectangle([cx - 0.45 * rx, cy + 0.5 * ry, cx + 0.45 * rx, cy + 1.4 * ry], fill=skin)  # neck
    if rng.random() < LONG_HAIR:
        draw.ellipse([cx - 1.3 * rx, cy - 1.15 * ry, cx + 1.3 * rx, cy + 1.3 * ry], fill=hair)
    draw.ellipse([cx - rx, cy - ry, cx + rx, cy + ry], fill=skin)
    if face is not None:
        _paste_face(image, face, cx, cy, rx, ry)
        return _photographed(image, rng)
    draw.chord([cx - 1.08 * rx, cy - 1.12 * ry, cx + 1.08 * rx, cy + 0.2 * ry], 180, 360, fill=hair)
    for side_x in (-0.4, 0.4):
        ex, ey = cx + side_x * rx, cy - 0.05 * ry
        draw.ellipse([ex - 0.2 * rx, ey - 0.08 * ry, ex + 0.2 * rx, ey + 0.08 * ry], fill=(235, 235, 230))
        draw.ellipse([ex - 0.08 * rx, ey - 0.08 * ry, ex + 0.08 * rx, ey + 0.08 * ry], fill=(40, 30, 25))
        draw.line([ex - 0.22 * rx, ey - 0.2 * ry, ex + 0.22 * rx, ey - 0.22 * ry], fill=hair, width=max(1, int(rx * 0.08)))
    draw.ellipse([cx - 0.3 * rx, cy + 0.45 * ry, cx + 0.3 * rx, cy + 0.58 * ry], fill=(170, 80, 80))
    draw.line([cx, cy, cx + 0.08 * rx, cy + 0.3 * ry], fill=tuple(int(v * 0.8) for v in skin), width=max(1, int(rx * 0.06)))
    return _photographed(image, rng)


def _paste_face(image: Image.Image, face: Image.Image, cx: float, cy: float, rx: float, ry: float) -> None:
    """``face`` laid over the drawn one, its edge faded by an ellipse."""
    box = (round(cx - FACE_PASTED * rx), round(cy - FACE_PASTED * ry), round(cx + FACE_PASTED * rx), round(cy + FACE_PASTED * ry))
    size = (max(1, box[2] - box[0]), max(1, box[3] - box[1]))
    mask = Image.new("L", size)
    ImageDraw.Draw(mask).ellipse([0, 0, size[0] - 1, size[1] - 1], fill=255)
    image.paste(face.resize(size, Image.Resampling.BICUBIC), box[:2], mask.filter(ImageFilter.GaussianBlur(min(size) / 12)))


def _photographed(image: Image.Image, rng: Rng) -> Image.Image:
    """Lit from one side, softened and noisy like a photo; maybe grey."""
    w, h = image.size
    light = np.linspace(*sorted(rng.uniform(0.6, 1.1, 2)), w)[None, :, None]
    rgb = np.asarray(image.filter(ImageFilter.GaussianBlur(min(w, h) * rng.uniform(0.002, 0.01))), np.float32) * light
    image = Image.fromarray(rgb.clip(0, 255).astype(np.uint8))
    return _noisy(image.convert("L").convert("RGB") if rng.random() < GREY_PHOTO else image, rng)


def _skin_toned(grey: np.ndarray, rng: Rng) -> Image.Image:
    """A grey face photo in colour: its shades of one skin tone, which its average shows."""
    skin = SKIN[0] + rng.uniform() * (SKIN[1] - SKIN[0])
    rgb = grey[..., None] / max(float(grey.mean()), 1e-3) * skin * rng.uniform(*SKIN_GAIN)
    return Image.fromarray(rgb.clip(0, 255).astype(np.uint8))


def face_photo(rng: Rng) -> Image.Image:
    """A real face: one of LFW's, close up or on a drawn head and shoulders, or the astronaut's portrait cropped
    anywhere from the face to the shoulders (train.real_pictures)."""
    w, h = _size(rng)
    if rng.random() < ASTRONAUT_SHARE:
        photo = real_pictures.astronaut()
        crop = rng.uniform(*ASTRONAUT_CROP) * photo.width
        cx, cy = (min(max(c * s + rng.normal(0, 0.05 * s), crop / 2), s - crop / 2)
                  for c, s in zip(real_pictures.ASTRONAUT_FACE, photo.size))
        return _photographed(photo.crop((round(cx - crop / 2), round(cy - crop / 2), round(cx + crop / 2),
                                         round(cy + crop / 2))).resize((w, h), Image.Resampling.LANCZOS), rng)
    face = _skin_toned(real_pictures.lfw_face(rng), rng)
    if rng.random() < CLOSE_UP:
        return _photographed(face.resize((w, h), RESAMPLERS[rng.integers(1, len(RESAMPLERS))]), rng)
    return portrait(rng, face)


def _cropped(image: Image.Image, w: int, h: int, scale: tuple[float, float], rng: Rng) -> Image.Image:
    """A window of ``image`` shaped like ``w`` x ``h``, ``scale`` of the largest it holds, anywhere in it."""
    fit = min(image.width / w, image.height / h) * rng.uniform(*scale)
    cw, ch = max(1, round(w * fit)), max(1, round(h * fit))
    left, top = int(rng.integers(0, image.width - cw + 1)), int(rng.integers(0, image.height - ch + 1))
    return image.crop((left, top, left + cw, top + ch)).resize((w, h), RESAMPLERS[rng.integers(1, len(RESAMPLERS))])


def real_photo(rng: Rng) -> Image.Image:
    """A real photo of none of CIFAR-10's classes (train.real_pictures), cropped anywhere, as photos are shared."""
    w, h = _size(rng)
    return _photographed(_cropped(real_pictures.photo(rng), w, h, PHOTO_CROP, rng), rng)


def measured_map(rng: Rng) -> Image.Image:
    """Rendered data from real measurements: a depth map or a grey photo's shades through one of matplotlib's colour
    maps, bare or plotted in a frame with a colour bar and ticks."""
    w, h = _size(rng)
    values = real_pictures.field(rng)
    window = np.asarray(_cropped(Image.fromarray(values), w, h, MAP_CROP, rng))
    if rng.random() < MAP_SMOOTHED:
        window = gaussian_filter(window, min(w, h) * rng.uniform(*MAP_SMOOTHING))
    colours = matplotlib.colormaps[str(rng.choice(COLOUR_MAPS))]
    image = Image.fromarray((colours(_unit(window))[..., :3] * 255).astype(np.uint8))
    return _plotted_map(image, colours, rng) if rng.random() < PLOTTED else image


def _plotted_map(image: Image.Image, colours: matplotlib.colors.Colormap, rng: Rng) -> Image.Image:
    """``image`` as a plotting library shows it: framed on a page with ticks, and a colour bar beside it."""
    side = max(image.size)
    margin = max(4, int(side * rng.uniform(*PLOT_MARGIN)))
    bar = max(2, int(side * rng.uniform(*COLOUR_BAR)))
    page, ink = ((255, 255, 255), (0, 0, 0)) if rng.random() > DARK_THEME else ((0, 0, 0), (255, 255, 255))
    plot = Image.new("RGB", (image.width + 3 * margin + bar, image.height + 2 * margin), page)
    plot.paste(image, (margin, margin))
    strip = (colours(np.linspace(1, 0, image.height))[:, None, :3] * 255).astype(np.uint8).repeat(bar, axis=1)
    plot.paste(Image.fromarray(strip), (image.width + 2 * margin, margin))
    draw = ImageDraw.Draw(plot)
    font = ImageFont.load_default(size=max(6, margin // 2))
    draw.rectangle([margin - 1, margin - 1, margin + image.width, margin + image.height], outline=ink)
    for t in np.linspace(0, 1, int(rng.integers(3, 7))):
        x, y = margin + t * image.width, margin + t * image.height
        draw.line([x, margin + image.height, x, margin + image.height + 3], fill=ink)
        draw.text((x, margin + image.height + 4), str(int(t * 100)), fill=ink, font=font, anchor="mt")
        draw.text((image.width + 2 * margin + bar + 2, y), str(int((1 - t) * 10)), fill=ink, font=font, anchor="lm")
    return plot


def _noisy(image: Image.Image, rng: Rng) -> Image.Image:
    """Sensor noise of some strength, as photos and scans carry."""
    values = np.asarray(image, np.float32) + rng.normal(0, rng.uniform(0, MAX_NOISE), (image.height, image.width, 1))
    return Image.fromarray(values.clip(0, 255).astype(np.uint8))


UNKNOWN: tuple[Callable[[Rng], Image.Image], ...] = (noise, flat, gradient, pattern, text, shapes, icon, logo, scanned_page,
                                                      chart, heat_map, portrait, face_photo, real_photo, measured_map)
FRAMEABLE = (noise, pattern, text, shapes, icon, logo, chart, heat_map, portrait, face_photo, real_photo, measured_map)  # a framed flat colour or gradient is a bright shape on a page: a T-shirt?


def unknown_upload(rng: Rng) -> Image.Image:
    """A picture of no dataset, maybe framed, turned or compressed."""
    make = UNKNOWN[rng.integers(len(UNKNOWN))]
    image = make(rng)
    return _finish(image, _neutral(rng), rng) if make in FRAMEABLE and rng.random() < 0.5 else image
