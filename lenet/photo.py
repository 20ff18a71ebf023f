"""A photo of a handwritten digit on paper, made into ink on blank paper for MNIST's recipe (docs/photo-path.md).

A drawing's background is one colour; a photo's paper is not: light falls unevenly, the page may lie on a table,
ruled lines cross it, and JPEG adds noise. ``clean_photo`` estimates the paper's own colour around every pixel
(local background estimation, not one global threshold) and reads ink as how much darker than its paper a pixel
is, in whichever colour channel the ink absorbs most; then it drops the table, the ruled lines and stray marks,
keeping the digit.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image, ImageDraw
from scipy import ndimage
from scipy.spatial import ConvexHull

PAPER_WINDOW = 1 / 10  # of the longer side: the closing that finds the paper is wider than any pen stroke
FLAT_TOLERANCE, FLAT_SHARE = 0.5 / 255, 0.8  # a drawing's border: this share of it exactly one grey (8 bits)
PAPER_CONTRAST = 0.2  # paper is found on a table this much darker than it
PAGE_LEVEL = 0.25  # of the way from the darkest to the lightest: paper in shadow is lighter than this...
PAGE_FILLED = 0.75  # ...over this share of the page's outline at least...
MIN_TABLE = 0.03  # ...which shows on at least this share of the photo...
SHARP_EDGE = 0.2  # ...beyond an edge this steep (share of the contrast a pixel, in log), where a shadow's is soft
DARKEST = 0.02  # brightness below this is taken as this (its log)
EDGE_REACH = 2  # pixels (a quarter size): the steepest step is looked for this close to where the edge was put
LIGHT_PHOTO = 0.5  # a photo whose median grey is lighter than this is paper: its ink is dark
CLEAR_STEP = 0.25  # a mark this much darker (or lighter) than its surroundings is ink, not grain
STROKE_WINDOWS = (1 / 64, 1 / 32, 1 / 16, 1 / 10)  # of the side: from a fine pen's stroke to a marker's wider one
GRAIN = 1 / 128  # of the side: specks this small in a stroke (chalk, a dry pen) are smoothed away first
LIGHT_INK_MARGIN = 2  # light marks must outnumber dark ones this many times to be taken for the ink
NOISE_FLOOR = 0.1  # ink fainter than this (share of darkness) is paper grain or JPEG noise...
MAD_TO_SIGMA = 1.4826  # a normal noise's standard deviation per median absolute deviation
NOISE_SIGMAS = 6  # ...as is ink within this many standard deviations of the paper's own grain
ROUGH_INK = 0.15  # darker than the closing by this: left out when the paper's colour is averaged
REDUCE = 4  # the paper's colour is averaged at a quarter of the size
DEEPEST_SHADOW = 0.5  # a shadow takes at most this share of the light
MIN_PAPER_WEIGHT = 0.05  # where less than this share of the neighbourhood is paper, the closing's guess is kept
INK_SHARE = 0.4  # of the strongest ink: fainter marks are shadows and smudges
LINE_LENGTH = 0.25  # of the side: a ruled line runs longer than a digit's widest stroke
LINE_THICKNESS = 0.012  # of the side: ...and is thinner than this...
LINE_GAP = 0.02  # of the side: ...and its ink may break off for this long (a faint line in JPEG noise)
JOIN = 0.03  # of the side: pieces of one digit (a broken stroke, the bar of a 4) lie this close
NEAR_DIGIT = 0.35  # of the digit's size: pieces this close to its main stroke belong to it
CRUMBS = 0.005  # of the digit's ink at either end of each axis: leftovers of a ruled line, not the digit
SMALL_DIGIT = 0.25  # of the side: a digit smaller than this was found in a large frame
MNIST_PENS = (0.11, 0.2)  # a stroke's width, of the digit's longer side: MNIST's 25th and 95th percentiles (median 0.13):
#   a thin stroke is grown to the middle of MNIST's widths; eroding a wide one loses shape, so only the widest are
STRONG_INK = 90  # percentile: a stroke's full strength (its darkest few pixels may be a blot)
LIGHT_PAPER = 0.4  # writing on paper: the paper is lighter than this (in shadow too)...
PAPER_CHROMA = 0.12  # ...its channels differ by less than this...
MAX_INK = 0.12  # ...ink covers less than this share of it...
ONE_MARK = 0.9  # ...the digit holds this share of all the ink...
HALF_DARK, MAX_HALF_DARK = (0.04, 0.2), 0.25  # ...less than this share of it is this (faintly) darker...
MAX_GREYS = 0.25  # ...and less than this share of the digit's box is grey, neither paper nor ink


@dataclass
class Cleaned:
    ink: np.ndarray  # H x W in [0, 1]: bright ink on black
    notes: list[str] = field(default_factory=list)  # what was done, as string keys: "paper_found", ...
    writing: bool = False  # dark ink on plain paper, one mark, as a written digit is (not a photo of a scene)

    def as_drawing(self) -> np.ndarray:
        """The ink as dark strokes on white, ``H x W x 3``: how the page would look drawn in the app."""
        return np.repeat(1.0 - self.ink[..., None] / max(float(self.ink.max()), 1e-6), 3, axis=2)


def is_photo(gray: np.ndarray, border: np.ndarray) -> bool:
    """Whether the image needs cleaning: its border (``border``: its pixels) is not one plain colour, as a
    drawing's is even where the drawing reaches it."""
    plain = np.mean(np.abs(border - np.median(border)) <= FLAT_TOLERANCE) >= FLAT_SHARE
    return not plain and min(gray.shape) >= 2 * round(1 / PAPER_WINDOW)


def clean_photo(rgb: np.ndarray) -> Cleaned:
    """``H x W x 3`` in [0, 1] -> the digit's ink on black, with notes on what was found and done. The paper is
    studied at 1/``REDUCE`` of the size (light and pages change slowly), the ink at full size."""
    side = max(rgb.shape[:2])
    small = shrunk(rgb)
    window = max(3, round(max(small.shape[:2]) * PAPER_WINDOW))
    dark_ink = ink_is_dark(rgb.mean(axis=-1))
    if not dark_ink:  # chalk on a board, a white digit on black: else its bright strokes could be taken for a page
        rgb, small = 1.0 - rgb, 1.0 - small
    closed = closing(small, window)  # dark ink taken away
    on_paper = paper_mask(closed.mean(axis=-1), window)
    notes = ["light_flattened"] if dark_ink else ["ink_darkened", "light_flattened"]
    if on_paper is not None:
        notes.append("paper_found")
    paper = paper_colour(rgb, closed, on_paper, window)
    page = enlarged(on_paper, rgb.shape[:2]) > 0.5 if on_paper is not None else np.ones(rgb.shape[:2], dtype=bool)
    darkness = np.where(page, np.clip(1.0 - rgb / np.maximum(paper, 1e-3), 0.0, 1.0).max(axis=-1), 0.0)  # any pen
    grain = NOISE_SIGMAS * MAD_TO_SIGMA * float(np.median(np.abs(darkness - np.median(darkness))))  # robust noise
    ink = np.where(darkness >= max(NOISE_FLOOR, grain, INK_SHARE * float(darkness.max())), darkness, 0.0)
    lines = ruled_lines(ink > 0, side)
    if lines.any():
        ink = np.where(lines, 0.0, ink)
        notes.append("lines_removed")
    marked = ink.sum()
    ink, small_digit = main_digit(ink, side)
    if small_digit:
        notes.append("digit_found")
    ink = within_mnist_pens(ink)
    return Cleaned(ink, notes, dark_ink and plain_paper(paper, darkness, ink, page, marked))


def closing(rgb: np.ndarray, window: int) -> np.ndarray:
    """A grey closing of each channel: dark marks thinner than ``window`` taken away."""
    return np.stack([ndimage.grey_closing(rgb[..., c], size=window) for c in range(3)], axis=-1)


def plain_paper(paper: np.ndarray, darkness: np.ndarray, ink: np.ndarray, page: np.ndarray, marked: float) -> bool:
    """Whether this is writing on paper, not a scene or a printed picture: the paper is light, white or grey, and on
    it there is one mark (the digit: nearly all the ink), little of it, little half-dark around (a scene's texture
    and shading) and few greys between its strokes (a picture's shading)."""
    if not page.any() or marked <= 0 or not ink.any():
        return False
    if float(np.median(paper.mean(axis=-1)[page])) < LIGHT_PAPER:
        return False
    chroma = float(np.median((paper.max(axis=-1) - paper.min(axis=-1))[page]))
    half_dark = float(((darkness > HALF_DARK[0]) & (darkness < HALF_DARK[1]))[page].mean())
    rows, cols = np.nonzero(ink)
    box = darkness[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]
    greys = float(((box >= NOISE_FLOOR) & (box < ink[ink > 0].min())).mean())  # a printed picture's shading
    return (chroma < PAPER_CHROMA and float((ink > 0)[page].mean()) < MAX_INK and ink.sum() >= ONE_MARK * marked
            and half_dark < MAX_HALF_DARK and greys < MAX_GREYS)


def paper_colour(rgb: np.ndarray, closed: np.ndarray, on_paper: np.ndarray | None, window: int) -> np.ndarray:
    """The paper's own colour under every pixel, shadows and uneven light included: ``closed`` (a closing: ink
    taken away, the paper rounded up) shows roughly where ink is; the paper around each pixel is averaged with the
    ink and the table left out (a normalised Gaussian), and never lighter than the closing where that is a shadow."""
    rough_ink = (1.0 - rgb / np.maximum(enlarged(closed, rgb.shape[:2]), 1e-3)).max(axis=-1) > ROUGH_INK
    weight = shrunk(1.0 - grown(rough_ink, 2))
    if on_paper is not None:
        weight = weight * on_paper
    sigma = window / 2
    total = ndimage.gaussian_filter(weight, sigma)
    paper = np.stack([ndimage.gaussian_filter(shrunk(rgb[..., c]) * weight, sigma) for c in range(3)], axis=-1)
    paper = np.where((total > MIN_PAPER_WEIGHT)[..., None], paper / np.maximum(total, 1e-3)[..., None],
                     closed)  # ink all around: the closing's guess
    shaded = np.clip(closed, (1 - DEEPEST_SHADOW) * paper, paper)  # the average crosses a shadow's edge, the closing does not;
    return enlarged(shaded, rgb.shape[:2])  # a closing far darker is a stroke wider than it, not a shadow


def shrunk(image: np.ndarray) -> np.ndarray:
    """``image`` averaged over ``REDUCE`` x ``REDUCE`` blocks (the last partial rows and columns padded)."""
    h, w = image.shape[:2]
    padded = np.pad(image, [(0, -h % REDUCE), (0, -w % REDUCE)] + [(0, 0)] * (image.ndim - 2), mode="edge")
    return padded.reshape(padded.shape[0] // REDUCE, REDUCE, padded.shape[1] // REDUCE, REDUCE, *image.shape[2:]).mean((1, 3))


def enlarged(image: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """A ``shrunk`` image back to ``size``, bilinear (``H x W`` or ``H x W x C``)."""
    planes = torch.from_numpy(np.ascontiguousarray(image, dtype=np.float32))
    planes = planes[None, None] if image.ndim == 2 else planes.permute(2, 0, 1)[None]
    big = F.interpolate(planes, scale_factor=REDUCE, mode="bilinear", align_corners=False)[0, :, : size[0], : size[1]]
    return (big[0] if image.ndim == 2 else big.permute(1, 2, 0)).numpy()


def ink_is_dark(gray: np.ndarray) -> bool:
    """Whether the marks are darker than what lies around them. On a mostly light photo (paper) they are. Else a
    closing removes dark marks thinner than a window, an opening bright ones, and the pixels each changes by a
    clear step are summed over windows from a fine pen's stroke to a marker's: a digit's strokes show at every
    window, the ground between a light digit's strokes (wider) only at the widest. Unless clearly more pixels
    change under the opening, the ink is dark (a table's grain changes little either way)."""
    if np.median(gray) >= LIGHT_PHOTO:
        return True
    gray = ndimage.median_filter(gray, size=max(3, round(max(gray.shape) * GRAIN)))  # chalk's specks are not marks
    dark = bright = 0
    for share in STROKE_WINDOWS:
        window = max(3, round(max(gray.shape) * share))
        dark += np.count_nonzero(ndimage.grey_closing(gray, size=window) - gray > CLEAR_STEP)
        bright += np.count_nonzero(gray - ndimage.grey_opening(gray, size=window) > CLEAR_STEP)
    return bright <= LIGHT_INK_MARGIN * dark


def paper_mask(brightness: np.ndarray, window: int) -> np.ndarray | None:
    """The page, where it lies on a darker table: the outline (convex: a sheet of paper) of the largest bright part
    of ``brightness`` (the photo with its ink taken away) within sharp edges (a shadow on the page stays in it),
    less its edge and a window along the frame. None when
    there is no table: the page fills the photo, or the outline's edge is soft (a shadow's, not a page's)."""
    low, high = np.percentile(brightness, (2, 98))
    if high - low < PAPER_CONTRAST:
        return None
    log = np.log(np.maximum(brightness, DARKEST))  # light multiplies: a page's edge in shadow is as steep in the log
    steepness = ndimage.gaussian_gradient_magnitude(log, 1.0) / np.log(high / max(low, DARKEST))
    sharp = steepness >= SHARP_EDGE  # a page's edge, not a shadow's
    bright = brightness > low + PAGE_LEVEL * (high - low)
    parts, count = ndimage.label(bright & ~grown(sharp, 1))
    if count == 0:  # edges everywhere: a pattern, not a page
        return None
    largest = np.argwhere(parts == 1 + int(np.argmax(ndimage.sum_labels(parts > 0, parts, range(1, count + 1)))))
    if len(largest) < 3 or np.ptp(largest, axis=0).min() == 0:
        return None
    corners = largest[ConvexHull(largest).vertices][:, ::-1]  # x, y
    outline = Image.new("1", brightness.shape[::-1])
    ImageDraw.Draw(outline).polygon([tuple(point) for point in corners.tolist()], fill=1)
    page = np.asarray(outline)
    if page.mean() > 1 - MIN_TABLE or bright[page].mean() < PAGE_FILLED:
        return None  # no table; or bright marks on a dark ground, not a sheet bright all over
    edge = page & ~ndimage.binary_erosion(page, border_value=1)  # where the page meets the table
    steepest = ndimage.maximum_filter(steepness, size=2 * EDGE_REACH + 1)
    if not edge.any() or np.median(steepest[edge]) < SHARP_EDGE:
        return None
    page = ~grown(~page, EDGE_REACH)
    page[:window], page[-window:], page[:, :window], page[:, -window:] = False, False, False, False  # a table
    return page  # thinner than the closing along the frame's edge was taken for ink


def ruled_lines(marked: np.ndarray, side: int) -> np.ndarray:
    """The ruled (or squared) paper's lines: marks that run straight across much of the page and stay thin, each
    followed across the whole page (where the digit cuts a line, its short pieces are found too)."""
    length, thickness = max(3, round(side * LINE_LENGTH)), max(1, round(side * LINE_THICKNESS))
    lines = np.zeros_like(marked)
    gap = max(1, round(side * LINE_GAP))
    for along in (1, 0):  # horizontal lines, then vertical ones
        bridged = closed(marked, gap, along)
        straight = opened(bridged, length, along)  # a faint line's ink is broken: its gaps are bridged first
        straight &= ~opened(bridged, thickness + 2, 1 - along)  # not a stroke's edge, nor a stroke along a line
        pieces, count = ndimage.label(straight)
        for piece in ndimage.find_objects(pieces):
            across, run = np.nonzero(pieces[piece] > 0) if along == 1 else np.nonzero(pieces[piece] > 0)[::-1]
            if np.ptp(run) < length // 2:  # a crumb left where a stroke ran along the line
                continue
            offset = (piece[0].start, piece[1].start) if along == 1 else (piece[1].start, piece[0].start)
            slope, intercept = np.polyfit(run + offset[1], across + offset[0], 1)
            half_width = len(run) / (np.ptp(run) + 1) / 2  # the line's own thickness: its area over its length
            lines |= near_line(marked.shape, along, slope, intercept, half_width + 1)
    return lines & marked


def near_line(shape: tuple[int, int], along: int, slope: float, intercept: float, reach: float) -> np.ndarray:
    """The pixels within ``reach`` of the line ``across = slope * run + intercept`` (``along``: 1 when it runs
    along the rows, 0 along the columns)."""
    rows, cols = np.indices(shape)
    run, across = (cols, rows) if along == 1 else (rows, cols)
    return np.abs(across - (slope * run + intercept)) <= reach


def opened(mask: np.ndarray, length: int, axis: int) -> np.ndarray:
    """What of ``mask`` a ``length``-long segment along ``axis`` fits in (a binary opening, by 1-D filters)."""
    inside = ndimage.minimum_filter1d(mask, length, axis=axis)
    return ndimage.maximum_filter1d(inside, length, axis=axis, origin=_reflected(length))


def closed(mask: np.ndarray, length: int, axis: int) -> np.ndarray:
    """``mask`` with its gaps along ``axis`` shorter than ``length`` filled (a binary closing, by 1-D filters)."""
    around = ndimage.maximum_filter1d(mask, length, axis=axis)
    return ndimage.minimum_filter1d(around, length, axis=axis, origin=_reflected(length))


def _reflected(length: int) -> int:
    """The origin of a 1-D filter's second pass: an even segment is reflected, or the result steps a pixel off."""
    return -1 if length % 2 == 0 else 0


def grown(mask: np.ndarray, by: int) -> np.ndarray:
    """``mask`` grown by ``by`` pixels every way (a square dilation, by separable filters)."""
    return ndimage.maximum_filter(mask, size=2 * by + 1)


def main_digit(ink: np.ndarray, side: int) -> tuple[np.ndarray, bool]:
    """Only the digit: the inkiest group of nearby marks and the pieces close to it (specks, shadows and a page's
    other marks dropped). Also whether it is small in its frame."""
    joined, count = ndimage.label(grown(ink > 0, max(1, round(side * JOIN))))
    if count == 0:
        return ink, False
    masses = ndimage.sum_labels(ink, joined, range(1, count + 1))
    main = 1 + int(np.argmax(masses))
    boxes = ndimage.find_objects(joined)
    rows, cols = boxes[main - 1]
    size = max(rows.stop - rows.start, cols.stop - cols.start)
    reach = NEAR_DIGIT * size
    keep = np.zeros(count + 1, dtype=bool)
    for label, (r, c) in enumerate(boxes, start=1):
        gap_rows = max(rows.start - r.stop, r.start - rows.stop, 0)
        gap_cols = max(cols.start - c.stop, c.start - cols.stop, 0)
        keep[label] = max(gap_rows, gap_cols) <= reach and masses[label - 1] > 0
    digit = np.where(keep[joined], ink, 0.0)
    rows, cols = (mass_span(digit.sum(axis=axis)) for axis in (1, 0))
    trimmed = np.zeros_like(digit)
    trimmed[rows, cols] = digit[rows, cols]  # a ruled line's leftover crumbs hold little ink but reach far
    return trimmed, size < SMALL_DIGIT * side


def within_mnist_pens(ink: np.ndarray) -> np.ndarray:
    """A stroke thinner or wider than MNIST's pens drew (a fine pen, a marker) grown or shrunk to the nearest
    width they did. The stroke is the ink at half its strength or more (a blurred pen's faint rim is not)."""
    if not (ink > 0).any():
        return ink
    mask = ink >= float(np.percentile(ink[ink > 0], STRONG_INK)) / 2
    inside = ndimage.distance_transform_edt(mask)
    width, size = stroke_width(mask, inside)
    share = min(max(width / size, MNIST_PENS[0]), MNIST_PENS[1])
    by = round((share * size - width) / (2 * (1 - share)))  # each side: the box grows or shrinks with the stroke
    if by > 0:  # each pixel near the stroke takes its nearest stroke pixel's ink
        outside, (rows, cols) = ndimage.distance_transform_edt(~mask, return_indices=True)
        return np.maximum(ink, np.where(outside <= by, ink[rows, cols], 0.0))
    if by < 0:
        return np.where(inside > -by, ink, 0.0)
    return ink


def stroke_width(mask: np.ndarray, inside: np.ndarray | None = None) -> tuple[float, int]:
    """A stroke's width, 4x the mean distance to its edge (a band's, exactly), and its box's longer side, in px
    (``inside``: the mask's distance transform, when it is at hand)."""
    rows, cols = np.nonzero(mask)
    inside = ndimage.distance_transform_edt(mask) if inside is None else inside
    return 4 * float(inside[mask].mean()), int(max(np.ptp(rows), np.ptp(cols))) + 1


def mass_span(profile: np.ndarray) -> slice:
    """Where the middle of ``profile``'s mass lies, all but ``CRUMBS`` at either end."""
    total = np.cumsum(profile)
    if total[-1] <= 0:
        return slice(0, len(profile))
    low, high = np.searchsorted(total, [CRUMBS * total[-1], (1 - CRUMBS) * total[-1]])
    return slice(int(low), int(high) + 1)
