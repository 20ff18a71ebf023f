"""The photo path (lenet.photo): phone-style photos of MNIST test digits, one condition at a time (bench.photos)."""
import io

import numpy as np
import pytest
from PIL import Image, ImageDraw

from bench.photos import CONDITIONS, condition
from demo.zoo import Zoo
from lenet.datasets import load_tensors
from lenet.photo import MNIST_PENS, closed, opened, paper_mask, ruled_lines, stroke_width, within_mnist_pens
from lenet.preprocess import prepare, prepare_sketch

PHOTOS_PER_CONDITION = 10
MODEL = "lenet5-modern"
LIT, ACROSS = 0.3, 0.9  # a ruled line would light nine tenths of a row of the 28x28 field
pytestmark = pytest.mark.data


@pytest.fixture(scope="module")
def digits(data_dir):
    images, labels = load_tensors("mnist", data_dir, train=False, limit=500)
    return images[:, 0].numpy(), labels.tolist()


@pytest.fixture(scope="module")
def reader():
    return Zoo.load().by_dataset["mnist"][MODEL]


def photos(name: str, digits, count: int = PHOTOS_PER_CONDITION, seed: int = 7):
    images, labels = digits
    rng = np.random.default_rng(seed)
    picks = rng.choice(len(labels), count, replace=False)
    return [(Image.open(io.BytesIO(condition(name)(images[i], rng))), str(labels[i])) for i in picks]


@pytest.mark.parametrize("name", CONDITIONS)
def test_a_photo_of_a_digit_on_paper_is_read(name, digits, reader):
    read = [reader.predict_pixels(prepare("sketch", photo).pixels).label == label for photo, label in photos(name, digits)]
    assert sum(read) >= PHOTOS_PER_CONDITION - 2, f"{name}: {sum(read)} of {len(read)} read"


@pytest.mark.parametrize("name,note", [("dark_table", "paper_found"), ("small_digit", "digit_found"),
                                       ("uneven_light", "light_flattened"), ("chalkboard", "ink_darkened")])
def test_the_photo_path_says_what_it_did(name, note, digits):
    noted = [note in prepare("sketch", photo).notes for photo, _ in photos(name, digits)]
    assert sum(noted) >= PHOTOS_PER_CONDITION - 2


@pytest.mark.parametrize("name", ["lined_paper", "squared_paper"])
def test_no_ruled_line_reaches_the_model(name, digits):
    for photo, _ in photos(name, digits):
        seen = prepare("sketch", photo).pixels[0, 0, 2:30, 2:30] > LIT  # the 28x28 field
        assert seen.float().mean(dim=1).max() < ACROSS and seen.float().mean(dim=0).max() < ACROSS  # no row or column lit end to end


def test_a_drawing_on_a_plain_canvas_takes_the_drawing_path(digits):
    images, _ = digits
    canvas = Image.fromarray(255 - np.kron(images[0], np.ones((10, 10), dtype=np.uint8)))  # a 280 px black-on-white 7
    prepared = prepare("sketch", canvas)
    assert prepared.notes == ()
    assert np.array_equal(prepared.pixels.numpy(), prepare_sketch(canvas).numpy())


def test_a_written_digit_photo_is_identified_as_a_handwritten_digit(digits):
    identifier = Zoo.load().identifier
    named = [identifier(photo).dataset for photo, _ in photos("dark_table", digits) + photos("uneven_light", digits)]
    assert named.count("mnist") >= len(named) - 3


def test_a_fine_pattern_has_no_page_and_no_error():
    stripes = np.tile((np.arange(64) % 4 < 2).astype(np.float32), (64, 1))  # sharp edges everywhere
    assert paper_mask(stripes, 5) is None


def pen_share(ink: np.ndarray) -> float:
    """A stroke's width, of its box's longer side."""
    width, size = stroke_width(ink > 0)
    return width / size


@pytest.mark.parametrize("pen", [3, 12, 30])  # a fine pen, a pen like MNIST's, a marker (px, on a 100 px digit)
def test_a_photo_s_pen_is_brought_within_mnist_s_widths(pen):
    ring = Image.new("L", (200, 200))
    ImageDraw.Draw(ring).ellipse([50, 50, 150, 150], outline=255, width=pen)
    ink = np.asarray(ring, np.float32) / 255
    evened = within_mnist_pens(ink)
    low, high = MNIST_PENS
    assert low - 0.02 <= pen_share(evened) <= high + 0.02
    if low <= pen_share(ink) <= high:
        assert np.array_equal(evened, ink)  # a pen like MNIST's is left as it is


def test_a_marker_s_wide_stroke_is_not_taken_for_ruled_lines():
    marked = np.zeros((400, 500), dtype=bool)
    marked[100:300, 200:260] = True  # a stroke 60 px wide, 200 long: the page's lines run across, thin
    assert not ruled_lines(marked, 500).any()


@pytest.mark.parametrize("length", [3, 4, 10])
def test_a_dashed_line_is_bridged_and_opened_in_place(length):
    dashes = np.zeros((1, 40), dtype=bool)
    dashes[0, 5:15] = dashes[0, 17:30] = True  # a gap of 2 px
    bridged = closed(dashes, length, axis=1)
    assert (bridged >= dashes).all() and bridged[0, 15:17].all() and not bridged[0, :5].any() and not bridged[0, 30:].any()
    assert np.array_equal(opened(bridged, length, axis=1), bridged)  # a run longer than the segment stays as it is
