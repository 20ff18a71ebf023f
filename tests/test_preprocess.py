"""Synthetic canvases: assert where the ink lands, not only the shapes."""
import io
import json

import numpy as np
import pytest
import torch
from PIL import Image, ImageDraw

from lenet.errors import EmptyImageError, InputError
from lenet.preprocess import (
    DIGIT_BOX,
    WORKING_SIZE,
    dataset_pixels,
    open_image,
    prepare_fashion,
    prepare_photo,
    prepare_sketch,
    tilt,
)
from tools.sketches import FIXTURES, SKETCHES_JSON

CENTRE = 15.5  # the middle of a 32x32 image, in pixel-index coordinates
TOLERANCE = 1.0  # pixels


def draw_seven(size=(280, 280), offset=(0, 0), width=20, ink=(0, 0, 0, 255), background=(255, 255, 255, 255), scale=1.0):
    """A '7' drawn on a canvas, like a browser sketchpad export."""
    image = Image.new("RGBA", size, background)
    ox, oy = offset
    s = scale
    draw = ImageDraw.Draw(image)
    draw.line([(ox + 60 * s, oy + 60 * s), (ox + 200 * s, oy + 60 * s), (ox + 110 * s, oy + 230 * s)], fill=ink, width=width)
    return image


def ink_box_and_centre(pixels: torch.Tensor):
    a = pixels[0, 0].numpy()
    rows, cols = np.nonzero(a > 0.1)
    mass = a.sum()
    centre = ((a * np.arange(32)[:, None]).sum() / mass, (a * np.arange(32)[None]).sum() / mass)
    return (rows.min(), rows.max(), cols.min(), cols.max()), centre


def assert_mnist_like(pixels: torch.Tensor):
    assert pixels.shape == (1, 1, 32, 32) and pixels.dtype == torch.float32
    assert 0.0 <= pixels.min() and pixels.max() == pytest.approx(1.0, abs=1e-4)
    (top, bottom, left, right), (cy, cx) = ink_box_and_centre(pixels)
    assert abs(cy - CENTRE) <= TOLERANCE and abs(cx - CENTRE) <= TOLERANCE, (cy, cx)
    assert max(bottom - top, right - left) + 1 in (DIGIT_BOX, DIGIT_BOX + 1)  # longest side fitted into 20 px
    assert pixels[0, 0, :2].max() == 0 and pixels[0, 0, -2:].max() == 0  # the 2-px padding stays black
    assert pixels[0, 0, 0, 0] == 0  # background is dark, ink bright


CANVASES = {
    "white background": draw_seven(),
    "off-centre": draw_seven(size=(600, 400), offset=(380, 150)),
    "thick": draw_seven(width=45),
    "thin": draw_seven(width=3),
    "coloured ink": draw_seven(ink=(200, 30, 160, 255)),
    "transparent background": draw_seven(background=(0, 0, 0, 0)),
    "white ink on transparent": draw_seven(ink=(255, 255, 255, 255), background=(0, 0, 0, 0)),
    "inverted (white on black)": draw_seven(ink=(255, 255, 255, 255), background=(0, 0, 0, 255)),
    "tiny": draw_seven(size=(20, 20), width=2, scale=0.07),
    "huge 4000x4000": draw_seven(size=(4000, 4000), width=200, scale=14, offset=(300, 500)),
}


@pytest.mark.parametrize("name", CANVASES)
def test_sketch_lands_centred_and_fitted(name):
    assert_mnist_like(prepare_sketch(CANVASES[name]))


def test_sketch_same_digit_gives_same_pixels_wherever_drawn():
    a = prepare_sketch(draw_seven())
    b = prepare_sketch(draw_seven(size=(600, 400), offset=(380, 150)))
    c = prepare_sketch(draw_seven(ink=(255, 255, 255, 255), background=(0, 0, 0, 0)))
    for other in (b, c):  # the larger canvas is first shrunk to the working size: allow resampling noise
        assert (a - other).abs().max() < 0.1 and (a - other).abs().mean() < 0.01


def test_sketch_keeps_aspect_ratio_of_a_one():
    image = Image.new("L", (280, 280), 255)
    ImageDraw.Draw(image).line([(140, 40), (140, 240)], fill=0, width=16)
    (top, bottom, left, right), _ = ink_box_and_centre(prepare_sketch(image))
    assert bottom - top + 1 >= DIGIT_BOX - 1 and right - left + 1 <= 4  # tall and thin, not stretched to a square


SKETCH_FIXTURES = json.loads(SKETCHES_JSON.read_text())  # the page's recipe is held to the same (tests/test_page.py)


@pytest.mark.parametrize("sketch", SKETCH_FIXTURES, ids=[s["file"] for s in SKETCH_FIXTURES])
def test_each_fixture_sketch_is_fitted_and_centred_by_mass_as_mnist_is(sketch):
    pixels = prepare_sketch(FIXTURES / sketch["file"])
    (top, bottom, left, right), centre = ink_box_and_centre(pixels)
    assert max(bottom - top, right - left) + 1 <= DIGIT_BOX + 1  # the longest side in 20 px (a faint edge may spill)
    assert all(abs(c - CENTRE) <= TOLERANCE for c in centre)


def test_the_shipped_models_read_the_fixture_sketches():
    import lenet
    from train.publish import CHECKPOINTS_DIR

    for model in ("lenet5-1998", "lenet5", "lenet5-modern"):
        predictor = lenet.from_pretrained(CHECKPOINTS_DIR / f"mnist-{model}")
        right = sum(predictor.predict(FIXTURES / s["file"]).label == s["digit"] for s in SKETCH_FIXTURES)
        assert right >= 0.95 * len(SKETCH_FIXTURES), model


@pytest.mark.parametrize("blank", [Image.new("RGBA", (280, 280), (0, 0, 0, 0)), Image.new("RGB", (280, 280), "white"), Image.new("L", (5, 5), 0)])
def test_empty_canvas_is_reported_not_classified(blank):
    with pytest.raises(EmptyImageError, match="empty"):
        prepare_sketch(blank)


def test_photo_of_handwriting_with_uneven_paper():
    rng = np.random.default_rng(0)
    paper = np.clip(200 + np.linspace(0, 40, 300)[None, :] + rng.normal(0, 4, (300, 300)), 0, 255).astype(np.uint8)
    image = Image.fromarray(paper).convert("RGB")
    ImageDraw.Draw(image).line([(90, 80), (210, 80), (130, 240)], fill=(40, 40, 60), width=14)
    assert_mnist_like(prepare_sketch(image))


def _fashion_item(size=84, background=255, fill=60, top=0.1, bottom=0.9):
    image = Image.new("L", (size, size), background)
    ImageDraw.Draw(image).rectangle([size * 0.3, size * top, size * 0.7, size * bottom - 1], fill=fill)  # a tall "dress"
    return image


def test_fashion_photo_on_white_is_inverted_fitted_and_centred():
    pixels = prepare_fashion(_fashion_item())
    assert pixels.shape == (1, 1, 32, 32)
    a = pixels[0, 0]
    assert a[0, 0] == 0 and a[16, 16] > 0.5  # dark background, bright product
    rows = torch.nonzero(a.amax(1) > 0.1).flatten()
    assert rows.min() == 2 and rows.max() == 29  # longest side fitted to 28 px, inside the 2-px pad


def test_fashion_file_itself_is_kept_as_is():
    item = np.zeros((28, 28), np.uint8)
    item[:, 6:22] = np.linspace(80, 255, 28, dtype=np.uint8)[:, None]
    pixels = prepare_fashion(Image.fromarray(item))
    torch.testing.assert_close(pixels[0, 0, 2:30, 2:30], torch.from_numpy(item / 255.0).float(), atol=0.02, rtol=0)


def test_fashion_enlarged_copy_matches_the_original():
    item = _fashion_item(size=28, background=0, fill=200, top=0.0, bottom=1.0)  # as 98 % of Fashion-MNIST: frame-high
    small = prepare_fashion(item)
    large = prepare_fashion(item.resize((280, 280), Image.Resampling.NEAREST))
    assert (small - large).abs().mean() < 0.05


def _encode(image: Image.Image, fmt: str, **kw) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **kw)
    return buffer.getvalue()


def test_photo_modes_all_become_rgb_32():
    base = Image.new("RGB", (64, 48), (200, 40, 10))
    sixteen = Image.fromarray((np.full((40, 40), 40000)).astype(np.uint16))
    sources = [
        base, base.convert("RGBA"), base.convert("P"), base.convert("L"), base.convert("CMYK"), sixteen,
        _encode(base.convert("CMYK"), "JPEG"), _encode(sixteen, "PNG"), _encode(base, "GIF", save_all=True, append_images=[base]),
    ]
    for source in sources:
        pixels = prepare_photo(source)
        assert pixels.shape == (1, 3, 32, 32) and 0 <= pixels.min() and pixels.max() <= 1
    assert prepare_photo(base)[0, :, 16, 16].tolist() == pytest.approx([200 / 255, 40 / 255, 10 / 255], abs=0.01)
    assert prepare_photo(sixteen)[0, 0, 0, 0] == pytest.approx(40000 / 65535, abs=0.01)


def test_photo_centre_crops_to_square():
    image = Image.new("RGB", (300, 100), "blue")
    image.paste((255, 0, 0), (100, 0, 200, 100))  # red square in the middle, blue on both sides
    pixels = prepare_photo(image)
    assert pixels[0, 0].min() > 0.9 and pixels[0, 2].max() < 0.1


@pytest.mark.parametrize("data", [b"", b"not an image", _encode(Image.new("RGB", (50, 50)), "PNG")[:60]])
def test_unreadable_bytes_give_a_clear_error(data):
    with pytest.raises(InputError, match="not an image we can read"):
        prepare_photo(data)


def test_decompression_bomb_is_refused_before_decoding():
    header = _encode(Image.new("1", (20000, 20000)), "PNG")  # tiny file, 400 megapixels
    with pytest.raises(InputError, match="too large"):
        prepare_photo(header)


def test_large_jpegs_are_decoded_at_a_reduced_scale_but_still_larger_than_needed():
    photo = Image.new("RGB", (4000, 3000), "white")
    ImageDraw.Draw(photo).rectangle((1500, 1000, 2500, 2000), fill="red")  # a red square on white
    decoded = open_image(_encode(photo, "JPEG"))
    assert max(decoded.size) < 4000 and min(decoded.size) >= WORKING_SIZE  # not the full 12 megapixels
    pixels = prepare_photo(_encode(photo, "JPEG"))
    assert pixels[0, 0, 16, 16] > 0.9 and pixels[0, 1, 16, 16] < 0.1  # the red square still in the middle


def test_a_raw_mnist_or_fashion_file_goes_through_pixel_identical():
    from demo.examples import EXAMPLES_DIR, load_index
    from lenet.preprocess import prepare_fashion

    files = [entry for entry in load_index() if entry["dataset"] in ("mnist", "fashion-mnist")]
    assert len(files) >= 20
    for entry in files:
        path = EXAMPLES_DIR / entry["file"]
        raw = torch.from_numpy(np.asarray(Image.open(path)).copy())[None, None]
        recipe = prepare_sketch if entry["dataset"] == "mnist" else prepare_fashion
        assert torch.equal(recipe(str(path)), dataset_pixels(raw)), entry["file"]


def test_a_small_drawing_on_white_still_goes_through_the_recipe():
    from demo.examples import EXAMPLES_DIR

    digit = Image.open(EXAMPLES_DIR / "mnist" / "00000.png")
    inverted = Image.eval(digit, lambda value: 255 - value)  # dark ink on white: a drawing, not a dataset file
    pixels = prepare_sketch(inverted)
    assert pixels[0, 0, :2].max() == 0 and pixels.max() == pytest.approx(1.0)  # bright on black, a margin kept
    with pytest.raises(EmptyImageError):
        prepare_sketch(Image.new("L", (28, 28), 0))


def _scene(seed: int = 0) -> np.ndarray:
    """A 32x32 colour 'photo' whose content reaches every edge (as CIFAR-10's do)."""
    rng = np.random.default_rng(seed)
    small = rng.integers(0, 256, (4, 4, 3), dtype=np.uint8)
    return np.asarray(Image.fromarray(small).resize((32, 32), Image.Resampling.BICUBIC))


def test_a_32px_photo_goes_through_unchanged():
    scene = _scene()
    expected = torch.from_numpy(scene.copy()).permute(2, 0, 1)[None].float() / 255
    torch.testing.assert_close(prepare_photo(scene), expected, atol=1e-6, rtol=0)


@pytest.mark.parametrize("page", [255, 0, 128])
def test_a_photo_on_a_page_is_cropped_out_of_its_margins(page):
    photo = Image.fromarray(_scene()).resize((200, 200), Image.Resampling.BICUBIC)
    sheet = Image.new("RGB", (300, 260), (page,) * 3)
    sheet.paste(photo, (60, 25))
    alone = prepare_photo(photo)
    assert (prepare_photo(sheet) - alone).abs().mean() < 0.01
    assert (prepare_photo(np.asarray(sheet)[20:-20, 20:-20]) - alone).abs().mean() < 0.01


def test_a_coloured_frame_or_a_scene_touching_the_edge_is_not_cropped():
    photo = Image.fromarray(_scene()).resize((200, 200), Image.Resampling.BICUBIC)
    sheet = Image.new("RGB", (240, 240), (200, 30, 30))  # a red wall is part of the scene
    sheet.paste(photo, (20, 20))
    framed = prepare_photo(sheet)
    assert (framed - prepare_photo(photo)).abs().mean() > 0.02
    assert framed[0, 0, 0, 0] > 0.5 and framed[0, 1, 0, 0] < 0.3  # the red is still there


def test_a_speck_or_a_line_on_white_is_not_mistaken_for_a_framed_photo():
    speck = Image.new("RGB", (300, 300), "white")
    speck.putpixel((150, 150), (0, 0, 0))
    assert prepare_photo(speck).mean() > 0.9  # still mostly white, not one black pixel blown up
    line = Image.new("RGB", (300, 300), "white")
    line.paste((200, 0, 0), (20, 140, 280, 160))  # a long thin red bar is not cropped to its middle
    assert prepare_photo(line).mean() > 0.7


def test_a_wide_picture_in_a_frame_is_kept_whole():
    photo = Image.fromarray(_scene()).resize((240, 120), Image.Resampling.BICUBIC)
    sheet = Image.new("RGB", (320, 200), "white")
    sheet.paste(photo, (40, 40))
    pixels = prepare_photo(sheet)
    assert pixels[0, :, 16, 0].min() < 0.95 and pixels[0, :, 16, 31].min() < 0.95  # both ends are there
    assert pixels[0, :, 0, 16].min() > 0.95  # white above, where the square was padded


@pytest.mark.parametrize("turn", [-6, 3, 8])
def test_a_photo_turned_on_a_page_is_straightened(turn):
    photo = Image.fromarray(_scene()).resize((200, 200), Image.Resampling.BICUBIC)
    sheet = Image.new("RGB", (400, 360), (225,) * 3)
    sheet.paste(photo.rotate(turn, Image.Resampling.BICUBIC, expand=True, fillcolor=(225,) * 3), (70, 50))
    assert (prepare_photo(sheet) - prepare_photo(photo)).abs().mean() < 0.03


def _light_scene(rows: int, cols: int) -> np.ndarray:
    """A scene whose top-left ``rows x cols`` is a sky nearly as light as the page below it (245 on 225)."""
    scene = _scene().copy()
    scene[:rows, :cols] = 245
    return scene


def test_a_photo_whose_light_edge_passes_for_the_page_stays_square():
    photo = Image.fromarray(_light_scene(8, 32)).resize((200, 200), Image.Resampling.BICUBIC)
    sheet = Image.new("RGB", (400, 360), (225,) * 3)
    sheet.paste(photo, (70, 50))
    assert (prepare_photo(sheet) - prepare_photo(photo)).abs().mean() < 0.01


def test_a_wide_picture_on_a_grainy_page_stays_centred():
    photo = Image.fromarray(_scene()).resize((200, 100), Image.Resampling.BICUBIC)
    clean = Image.new("RGB", (400, 400), (225,) * 3)
    clean.paste(photo, (100, 150))
    grain = np.random.default_rng(0).normal(0, 1.0, (400, 400, 1))  # a level of sensor noise: paper, not picture
    grainy = Image.fromarray(np.clip(np.asarray(clean) + grain, 0, 255).round().astype(np.uint8))
    assert (prepare_photo(grainy) - prepare_photo(clean)).abs().mean() < 0.01


@pytest.mark.parametrize("turn", [-4, 3])
def test_a_turned_photo_with_a_light_corner_is_straightened(turn):
    photo = Image.fromarray(_light_scene(10, 10)).resize((200, 200), Image.Resampling.BICUBIC)
    sheet = Image.new("RGB", (400, 360), (225,) * 3)
    sheet.paste(photo.rotate(turn, Image.Resampling.BICUBIC, expand=True, fillcolor=(225,) * 3), (70, 50))
    assert (prepare_photo(sheet) - prepare_photo(photo)).abs().mean() < 0.03


def test_only_a_rectangle_is_taken_for_a_turned_photo():
    y, x = np.mgrid[0:200, 0:300]
    assert tilt((x - 150) ** 2 / 120**2 + (y - 100) ** 2 / 70**2 < 1) == 0  # an oval has no turn
    turned = np.asarray(Image.new("L", (160, 100), 255).rotate(5, expand=True)) > 0
    assert tilt(turned) == pytest.approx(5, abs=0.25)
