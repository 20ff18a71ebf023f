"""Pictures that are none of the three datasets, for ``python -m bench.photos``: the kinds people drop.

Built, seeded, from sources the identifier never trained on (train/uploads.py draws its negatives from random
numbers with Pillow's own font): matplotlib's toolbar icons, sample photo, logos and sample data, Gradio's
bundled images, this project's screenshots in docs/, DejaVu's symbols and type, and charts and maps drawn by
matplotlib. docs/none-of-these.md says where each comes from.
"""
from __future__ import annotations

import functools
import gzip
import io
from pathlib import Path
from typing import Callable

import gradio
import matplotlib
import numpy as np
from matplotlib import cbook, style
from matplotlib.figure import Figure
from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont, ImageOps

MPL = Path(matplotlib.get_data_path())
GRADIO_IMAGES = Path(gradio.__file__).parent / "media_assets" / "images"
DOCS = Path(__file__).resolve().parents[1] / "docs"
ICONS = [*(path for path in sorted((MPL / "images").glob("*.png")) if not path.stem.startswith("matplotlib")),  # a logo
         GRADIO_IMAGES / "bus.png", MPL / "sample_data" / "Minduka_Present_Blue_Pack.png"]
LOGOS = [MPL / "images" / "matplotlib_large.png", MPL / "sample_data" / "logo2.png", GRADIO_IMAGES / "logo.png",
         GRADIO_IMAGES / "hf-logo_transpng.png"]
SYMBOLS = "★☀☁☂☃☎♥♦♣♠♪♫⚑⚙⚠✈✉✂✔✖❄⌂☺☹⚓⚡♻⌛⌚☕⚽"  # DejaVu Sans draws these
WORDS = ("lenet", "pixel", "acme", "nova", "orbit", "kite", "delta", "maple", "zen", "quill", "vista", "echo")
PROSE = ("The network reads each character in a small window, and the weights of every window are shared; so it "
         "learns once what a stroke looks like wherever it falls on the page. Subsampling layers halve the resolution "
         "and keep the position only roughly, which makes the answer robust to small shifts and distortions of the "
         "input. Training adjusts every weight by gradient descent on thousands of examples.").split()
PORTRAIT = MPL / "sample_data" / "grace_hopper.jpg"
FACE_CENTRE = (0.5, 0.33)  # where the face is in the portrait, of its width and height
PORTRAIT_CROP, PORTRAIT_SIDES, GREY_PORTRAITS = (0.35, 1.0), (48, 513), 0.25  # of its width; px; share
SCREEN_CROP, SCREEN_WIDTHS = (0.5, 1.0), (300, 1281)  # a window of a screenshot, of its sides; shared at these widths
SCREENSHOTS = [GRADIO_IMAGES / "screenshot.gif", *(path for path in sorted(DOCS.glob("*.png")) if "draw" not in path.stem)]
#   the Draw tab's screenshots are left out: most of them is a large handwritten digit
STYLES = ("default", "ggplot", "bmh", "dark_background", "fivethirtyeight", "grayscale", "seaborn-v0_8-whitegrid",
          "Solarize_Light2", "classic")
COLOUR_MAPS = ("viridis", "magma", "terrain", "gist_earth", "coolwarm", "jet", "gray", "RdYlBu", "cividis", "hot")
ICON_SIDES, SMALL_ICON_SIDES, SMALL_ICONS = (25, 129), (16, 25), 0.5  # px; share of icons 16-24 px
LOGO_SIDES = (24, 161)  # the longer side of a small logo, px
JPEG_SHARE, JPEG_QUALITY = 0.5, (50, 95)
KEPT_TRANSPARENT = 0.3  # share of icons and logos uploaded as transparent PNGs


@functools.cache
def _font(name: str, size: int) -> ImageFont.FreeTypeFont:
    """One of matplotlib's DejaVu fonts, read once a size."""
    return ImageFont.truetype(MPL / "fonts" / "ttf" / name, size)


def _ground(rng: np.random.Generator) -> tuple[int, int, int]:
    """White, black, light grey or any colour: what an icon or a logo sits on."""
    return [(255, 255, 255), (0, 0, 0), (240, 240, 240), tuple(int(v) for v in rng.integers(0, 256, 3))][rng.integers(4)]


def _on_ground(image: Image.Image, rng: np.random.Generator) -> Image.Image:
    """A transparent picture kept transparent (as a PNG upload is) or laid on a plain ground."""
    image = image.convert("RGBA")
    if rng.random() < KEPT_TRANSPARENT:
        return image
    ground = Image.new("RGBA", image.size, _ground(rng))
    return Image.alpha_composite(ground, image).convert("RGB")


def _fitted(image: Image.Image, side: int) -> Image.Image:
    """Resized so that its longer side is ``side``."""
    scale = side / max(image.size)
    return image.resize((max(1, round(image.width * scale)), max(1, round(image.height * scale))), Image.Resampling.LANCZOS)


def icon(rng: np.random.Generator) -> Image.Image:
    """A toolbar or app icon, or a symbol in a colour, 16 to 128 px."""
    side = int(rng.integers(*(SMALL_ICON_SIDES if rng.random() < SMALL_ICONS else ICON_SIDES)))
    if rng.random() < 0.5:
        return _on_ground(_fitted(Image.open(ICONS[rng.integers(len(ICONS))]), side), rng)
    big = Image.new("RGBA", (256, 256), (0, 0, 0, 0))
    font = _font("DejaVuSans.ttf", 200)
    colour = tuple(int(v) for v in rng.integers(0, 256, 3))
    ImageDraw.Draw(big).text((128, 128), SYMBOLS[rng.integers(len(SYMBOLS))], fill=colour, font=font, anchor="mm")
    return _on_ground(_fitted(big, side), rng)


def small_logo(rng: np.random.Generator) -> Image.Image:
    """A project's logo, or a word mark in DejaVu, maybe with a badge; 24 to 160 px on its longer side."""
    side = int(rng.integers(*LOGO_SIDES))
    if rng.random() < 0.5:
        return _on_ground(_fitted(Image.open(LOGOS[rng.integers(len(LOGOS))]), side), rng)
    word = str(rng.choice(WORDS))
    word = word.upper() if rng.random() < 0.3 else word.capitalize()
    font = _font("DejaVuSans-Bold.ttf" if rng.random() < 0.6 else "DejaVuSerif.ttf", 120)
    mark = Image.new("RGB", (160 + 80 * len(word), 200), _ground(rng))
    draw = ImageDraw.Draw(mark)
    colour = tuple(int(v) for v in rng.integers(0, 256, 3))
    if rng.random() < 0.5:
        draw.ellipse([10, 20, 170, 180], fill=colour)
        draw.text((90, 100), word[0], fill=mark.getpixel((0, 0)), font=font, anchor="mm")
        draw.text((190, 100), word, fill=colour, font=font, anchor="lm")
    else:
        draw.text((20, 100), word, fill=colour, font=font, anchor="lm")
    drawn = ImageChops.difference(mark, Image.new("RGB", mark.size, mark.getpixel((0, 0)))).getbbox()
    return _fitted(ImageOps.expand(mark.crop(drawn), int(rng.integers(0, 30)), mark.getpixel((0, 0))), side)


def portrait(rng: np.random.Generator) -> Image.Image:
    """A photo portrait cropped anywhere from the face to head and shoulders, at 48 to 512 px, maybe grey."""
    photo = Image.open(PORTRAIT).convert("RGB")
    w, h = photo.size
    crop = rng.uniform(*PORTRAIT_CROP) * w
    cx = FACE_CENTRE[0] * w + rng.normal(0, 0.05 * w)
    cy = min(max(FACE_CENTRE[1] * h + rng.uniform(0, 0.3) * crop, crop / 2), h - crop / 2)
    cx = min(max(cx, crop / 2), w - crop / 2)
    face = photo.crop((round(cx - crop / 2), round(cy - crop / 2), round(cx + crop / 2), round(cy + crop / 2)))
    face = face.resize((int(rng.integers(*PORTRAIT_SIDES)),) * 2, Image.Resampling.LANCZOS)
    if rng.random() < 0.5:
        face = ImageOps.mirror(face)
    return face.convert("L").convert("RGB") if rng.random() < GREY_PORTRAITS else face


def _plotted(rng: np.random.Generator, draw: Callable[[Figure], None]) -> Image.Image:
    """What ``draw`` puts on a matplotlib figure of some size, in some style, saved at some resolution."""
    with style.context(str(rng.choice(STYLES))):
        figure = Figure(figsize=(rng.uniform(3, 8), rng.uniform(2.5, 6)))
        draw(figure)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=float(rng.uniform(40, 110)))
    return Image.open(buffer).convert("RGB")


def chart(rng: np.random.Generator) -> Image.Image:
    """A matplotlib chart of made-up data: lines, bars, scatter, a histogram, a pie or stacked areas."""
    x = np.arange(int(rng.integers(5, 60)))
    series = np.cumsum(rng.normal(0, 1, (int(rng.integers(1, 5)), len(x))), axis=1)

    def draw(figure: Figure) -> None:
        axes = figure.add_subplot()
        kind = rng.integers(6)
        if kind == 0:
            for line in series:
                axes.plot(x, line, marker="o" if rng.random() < 0.3 else None)
        elif kind == 1:
            axes.bar(np.arange(min(12, len(x))), np.abs(series[0, :12]) + 1)
        elif kind == 2:
            axes.scatter(rng.normal(size=200), rng.normal(size=200), c=rng.uniform(size=200), s=rng.uniform(5, 60, 200))
        elif kind == 3:
            axes.hist(rng.normal(size=500), bins=int(rng.integers(8, 40)))
        elif kind == 4:
            slices = int(rng.integers(3, 7))
            axes.pie(rng.uniform(1, 5, slices), labels=list(WORDS[:slices]) if rng.random() < 0.5 else None)
        else:
            axes.stackplot(x, np.abs(series) + 1)
        if rng.random() < 0.6:
            axes.set_title(" ".join(rng.choice(PROSE, 3)))
            axes.set_xlabel(str(rng.choice(PROSE)))

    return _plotted(rng, draw)


def screenshot(rng: np.random.Generator) -> Image.Image:
    """A window of an app's or a page's screenshot, at the width screenshots are shared."""
    shot = Image.open(SCREENSHOTS[rng.integers(len(SCREENSHOTS))]).convert("RGB")
    w, h = shot.size
    cw, ch = int(w * rng.uniform(*SCREEN_CROP)), int(h * rng.uniform(*SCREEN_CROP))
    left, top = int(rng.integers(0, w - cw + 1)), int(rng.integers(0, h - ch + 1))
    return _fitted(shot.crop((left, top, left + cw, top + ch)), int(rng.integers(*SCREEN_WIDTHS)))


def scanned_text(rng: np.random.Generator) -> Image.Image:
    """A scanned or photographed page of type: lines of prose on tinted paper, turned a little, blurred, noisy."""
    w, h = int(rng.integers(300, 1000)), int(rng.integers(300, 1000))
    paper = tuple(int(v) for v in rng.integers(200, 256) - rng.integers(0, 20, 3))
    page = Image.new("RGB", (w, h), paper)
    draw = ImageDraw.Draw(page)
    size = int(rng.integers(10, 28))
    font = _font(str(rng.choice(["DejaVuSerif.ttf", "DejaVuSans.ttf", "DejaVuSansMono.ttf"])), size)
    ink = (int(rng.integers(0, 90)),) * 3
    margin = int(rng.integers(10, w // 6))
    for y in range(margin, h - size, int(size * rng.uniform(1.3, 1.9))):
        draw.text((margin, y), " ".join(rng.choice(PROSE, 14)), fill=ink, font=font)
    page = page.rotate(rng.uniform(-4, 4), Image.Resampling.BICUBIC, fillcolor=paper)
    page = page.filter(ImageFilter.GaussianBlur(rng.uniform(0, 1.2)))
    noisy = np.asarray(page, np.float32) + rng.normal(0, rng.uniform(0, 8), (h, w, 1))
    return Image.fromarray(noisy.clip(0, 255).astype(np.uint8))


def _measurements(rng: np.random.Generator) -> np.ndarray:
    """A 2-D field of real measurements from matplotlib's sample data: elevation, bathymetry, an MRI slice, a density."""
    which = rng.integers(4)
    if which == 0:
        return cbook.get_sample_data("jacksboro_fault_dem.npz")["elevation"]
    if which == 1:
        return cbook.get_sample_data("topobathy.npz")["topo"]
    if which == 2:
        with gzip.open(cbook.get_sample_data("s1045.ima.gz", asfileobj=False)) as scan:
            return np.frombuffer(scan.read(), np.uint16).reshape(256, 256).astype(np.float32)
    return np.load(cbook.get_sample_data("axes_grid/bivariate_normal.npy", asfileobj=False))


def rendered_data(rng: np.random.Generator) -> Image.Image:
    """Measurements drawn as a heat map or a map: a colour map, with or without axes, a colour bar and contours."""
    field = _measurements(rng)
    cmap = str(rng.choice(COLOUR_MAPS))
    if rng.random() < 0.4:  # the bare picture, as a map tile or a saved array is
        t = (field - field.min()) / max(float(np.ptp(field)), 1e-6)
        rgb = (matplotlib.colormaps[cmap](t)[..., :3] * 255).astype(np.uint8)
        return _fitted(Image.fromarray(rgb), int(rng.integers(64, 601)))

    def draw(figure: Figure) -> None:
        axes = figure.add_subplot()
        shown = axes.imshow(field, cmap=cmap, interpolation=str(rng.choice(["nearest", "bilinear"])))
        if rng.random() < 0.3:
            axes.contour(field, colors="k", linewidths=0.5)
        if rng.random() < 0.6:
            figure.colorbar(shown)
        if rng.random() < 0.3:
            axes.set_axis_off()

    return _plotted(rng, draw)


KINDS: dict[str, Callable[[np.random.Generator], Image.Image]] = {
    "icon": icon, "small logo": small_logo, "portrait": portrait, "chart": chart, "screenshot": screenshot,
    "scanned text": scanned_text, "rendered data": rendered_data}


def none_of_these(kind: str, rng: np.random.Generator) -> bytes:
    """A picture of ``kind`` as an uploaded file: PNG (keeping any transparency) or, for opaque ones, sometimes JPEG."""
    image = KINDS[kind](rng)
    buffer = io.BytesIO()
    if image.mode == "RGB" and rng.random() < JPEG_SHARE:
        image.save(buffer, "JPEG", quality=int(rng.integers(*JPEG_QUALITY)))
    else:
        image.save(buffer, "PNG")
    return buffer.getvalue()
