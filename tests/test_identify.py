"""Which dataset an upload looks like (lenet.identify), and what the Upload tab and the API make of it."""
import functools
import io
import multiprocessing
from concurrent.futures import ProcessPoolExecutor

import matplotlib
import numpy as np
import pytest
import torch
from gradio_client import Client, handle_file
from PIL import Image, ImageDraw, ImageFont, ImageOps

import train.uploads
from train import real_pictures
from bench import none_of_these
from demo.examples import EXAMPLES_DIR, load_index
from demo.strings import EN
from lenet import LenetError, create_model
from lenet.identify import KINDS, Identifier, designed, look
from lenet.preprocess import DATASET_SIDE, rgba_array, written_page
from train.identify import IdentifyConfig, main, render_kind, train_identifier
from train.uploads import (
    MAX_ASPECT,
    UNKNOWN,
    grey_upload,
    photo_upload,
    redrawn,
    text,
    thinned,
)

EXAMPLES = [(EXAMPLES_DIR / entry["file"], entry["dataset"]) for entry in load_index()]
GREY_EXAMPLES = [(path, dataset) for path, dataset in EXAMPLES if dataset != "cifar10"]
RNG = np.random.default_rng(0)


@pytest.fixture(scope="module")
def identifier():
    return Identifier.from_pretrained()


def enlarged_jpeg(path, side=256, quality=70) -> bytes:
    buffer = io.BytesIO()
    Image.open(path).convert("RGB").resize((side, side), Image.Resampling.BICUBIC).save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


def dark_on_white(path, side=256, quality=90) -> bytes:
    """A digit or a product as a web page shows it: black on white, enlarged, JPEG."""
    buffer = io.BytesIO()
    ImageOps.invert(Image.open(path).convert("L")).resize((side, side), Image.Resampling.BICUBIC).save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


def text_screenshot() -> Image.Image:
    page = Image.new("RGB", (640, 360), "white")
    draw = ImageDraw.Draw(page)
    for y in range(12, 340, 26):
        draw.text((14, y), "Lorem ipsum dolor sit amet, 2026-12-01: results below", fill=(20, 20, 20),
                  font=ImageFont.load_default(size=16))
    return page


def chequerboard() -> Image.Image:
    y, x = np.mgrid[0:300, 0:300]
    return Image.fromarray((((x // 25 + y // 25) % 2) * 255).astype(np.uint8))


def emoji() -> Image.Image:
    """A green smiley on light grey: a ring-like shape with dots, but filled and in three colours."""
    picture = Image.new("RGB", (360, 360), (240, 240, 240))
    draw = ImageDraw.Draw(picture)
    draw.ellipse([40, 40, 320, 320], fill=(120, 200, 90))
    for x in (120, 210):
        draw.ellipse([x, 130, x + 30, 175], fill=(40, 40, 40))
    draw.arc([110, 170, 250, 270], 10, 170, fill=(150, 30, 30), width=10)
    return picture


def logo() -> Image.Image:
    """A yellow triangle on a blue rounded square, on white."""
    picture = Image.new("RGB", (400, 260), "white")
    draw = ImageDraw.Draw(picture)
    draw.rounded_rectangle([80, 30, 320, 230], 40, fill=(30, 90, 200))
    draw.regular_polygon((200, 130, 70), 3, rotation=90, fill=(250, 200, 0))
    return picture


NOT_A_DATASET = {
    "noise": Image.fromarray(RNG.integers(0, 256, (240, 320, 3), dtype=np.uint8)),
    "gradient": Image.fromarray(np.linspace(0, 255, 400, dtype=np.uint8)[None].repeat(300, 0)).convert("RGB"),
    "chequerboard": chequerboard(),
    "text": text_screenshot(),
    "emoji": emoji(),
    "logo": logo(),
}


def test_the_whole_picture_is_seen_padded_not_cropped():
    wide = Image.new("RGB", (300, 100), "black")
    wide.paste((255, 0, 0), (0, 0, 30, 100))  # a red band at the far left must still be there
    pixels = look(wide)
    assert pixels.shape == (1, 3, 32, 32) and 0 <= pixels.min() and pixels.max() <= 1
    assert pixels[0, 0, 16, 0] > 0.8 and pixels[0, 0, 0, 16] < 0.1  # red at the left; the pad is the black edge


def test_a_narrow_picture_on_a_page_is_looked_at_not_the_page():
    page = Image.new("RGB", (400, 300), "white")
    page.paste((0, 0, 0), (200, 80, 212, 230))  # a "1": 12 px wide, 150 tall
    column = look(page)[0, 0, :, 16]
    assert (column < 0.5).sum() >= 30  # the stroke runs the thumbnail's height


@pytest.mark.parametrize("path, dataset", EXAMPLES, ids=[f"{d}-{p.stem}" for p, d in EXAMPLES])
def test_real_test_images_are_named_raw_and_enlarged_as_jpeg(identifier, path, dataset):
    assert identifier(path).dataset == dataset
    assert identifier(enlarged_jpeg(path)).dataset == dataset


@pytest.mark.parametrize("path, dataset", GREY_EXAMPLES, ids=[f"{d}-{p.stem}" for p, d in GREY_EXAMPLES])
def test_digits_and_products_dark_on_white_are_named(identifier, path, dataset):
    assert identifier(dark_on_white(path)).dataset == dataset


def small_on_a_page(path, side=150, paper=230) -> Image.Image:
    """A digit or a product printed dark and small on a page and photographed whole."""
    page = Image.new("L", (640, 480), paper)
    page.paste(ImageOps.invert(Image.open(path).convert("L")).resize((side, side), Image.Resampling.BICUBIC), (300, 200))
    return page.convert("RGB")


@pytest.mark.parametrize("path, dataset", GREY_EXAMPLES, ids=[f"{d}-{p.stem}" for p, d in GREY_EXAMPLES])
def test_digits_and_products_small_on_a_page_are_named(identifier, path, dataset):
    assert identifier(small_on_a_page(path)).dataset == dataset


@pytest.mark.parametrize("kind", list(NOT_A_DATASET))
def test_pictures_of_no_dataset_are_none(identifier, kind):
    found = identifier(NOT_A_DATASET[kind])
    assert found.dataset is None, found.scores
    assert set(found.scores) == set(KINDS) and abs(sum(found.scores.values()) - 1) < 1e-5


def test_a_picture_smaller_than_every_dataset_image_is_none_of_them(identifier):
    path = next(path for path, dataset in EXAMPLES if dataset == "mnist")
    assert identifier(path).dataset == "mnist"  # 28 x 28: MNIST's own size
    small = Image.open(path).resize((DATASET_SIDE - 1,) * 2, Image.Resampling.LANCZOS)
    found = identifier(small)
    assert found.dataset is None and abs(sum(found.scores.values()) - 1) < 1e-5


OOD_PER_KIND, OOD_MIN_NONE = 10, 6  # pictures of each kind from bench.none_of_these; most must be "none" (targets: bench)


@pytest.mark.parametrize("kind", none_of_these.KINDS)
def test_most_pictures_of_each_kind_people_drop_are_none(identifier, kind):
    rng = np.random.default_rng([7, list(none_of_these.KINDS).index(kind)])
    called = [identifier(io.BytesIO(none_of_these.none_of_these(kind, rng))).dataset for _ in range(OOD_PER_KIND)]
    assert called.count(None) >= OOD_MIN_NONE, called


DRAWN_ON_WHITE = {"7": ([(70, 60), (230, 60), (130, 250)], 20), "1": ([(150, 40), (150, 260)], 16)}  # strokes, pen width
PENS = [(digit, ink) for digit in DRAWN_ON_WHITE for ink in ("black", "red", "blue", "orange")]


@pytest.mark.parametrize("digit, ink", PENS)
def test_a_digit_drawn_on_white_is_mnist_in_any_pen(identifier, digit, ink):
    strokes, width = DRAWN_ON_WHITE[digit]
    image = Image.new("RGB", (300, 300), "white")
    ImageDraw.Draw(image).line(strokes, fill=ink, width=width)
    assert identifier(image).dataset == "mnist", identifier(image).scores


def bold_arrow(side: int = 96) -> Image.Image:
    """A left arrow in black on white, as an icon font draws it: a shaft and a head, mirrored top to bottom."""
    image = Image.new("RGB", (side, side), "white")
    draw = ImageDraw.Draw(image)
    draw.line([(0.2 * side, side / 2), (0.8 * side, side / 2)], fill="black", width=round(0.16 * side))
    draw.polygon([(0.12 * side, side / 2), (0.45 * side, 0.2 * side), (0.45 * side, 0.8 * side)], fill="black")
    return image


def bold_plus(side: int = 96) -> Image.Image:
    """A plus sign in black on white: two bars, mirrored every way."""
    image = Image.new("RGB", (side, side), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle([0.42 * side, 0.15 * side, 0.58 * side, 0.85 * side], fill="black")
    draw.rectangle([0.15 * side, 0.42 * side, 0.85 * side, 0.58 * side], fill="black")
    return image


@pytest.mark.parametrize("icon", [bold_arrow, bold_plus])
def test_an_icon_as_symmetric_as_only_a_design_is_none_though_it_looks_like_a_digit(identifier, icon):
    image = icon()
    assert KINDS[int(identifier.scores(look(image))[0].argmax())] == "mnist"  # the look alone would say a digit
    assert designed(*rgba_array(image)) and identifier(image).dataset is None


def test_no_handwritten_digit_is_taken_for_a_design():
    digits = [Image.open(path) for path, dataset in EXAMPLES if dataset == "mnist"]
    straight_one = Image.new("RGB", (300, 300), "white")
    ImageDraw.Draw(straight_one).line([(150, 40), (150, 260)], fill="black", width=16)  # symmetric, yet one stroke
    assert digits and not any(designed(*rgba_array(image)) for image in [*digits, straight_one])


def test_only_a_photo_of_a_written_page_is_looked_at_again_drawn_in_black():
    strokes, width = DRAWN_ON_WHITE["7"]
    drawing = Image.new("RGB", (300, 300), (250, 250, 245))
    ImageDraw.Draw(drawing).line(strokes, fill="orange", width=width)
    assert written_page(drawing) is None  # a drawing in any pen is looked at as it is: the identifier knows pens
    page = Image.new("RGB", (300, 300), (232, 228, 218))
    ImageDraw.Draw(page).line(strokes, fill=(30, 40, 120), width=width)
    grain = np.random.default_rng(0).normal(0, 4, (300, 300, 3))  # a camera's noise: the border is not one colour
    photo = Image.fromarray((np.asarray(page) + grain).clip(0, 255).astype(np.uint8))
    page = np.asarray(written_page(photo).convert("L"))
    assert page.min() < 20 and np.median(page) > 235  # its ink black, its paper white, as a drawing in the app


def test_pictures_of_no_dataset_are_never_strips_that_look_like_a_one():
    rng = np.random.default_rng(1)
    sizes = [make(rng).size for make in UNKNOWN if make is not text for _ in range(40)]  # a line of text may be wide
    assert all(max(w, h) <= MAX_ASPECT * min(w, h) for w, h in sizes), max(sizes, key=lambda s: max(s) / min(s))


def test_the_identifier_averages_its_members_answers():
    meta = {"classes": list(KINDS), "mean": [0.5] * 3, "std": [0.25] * 3}
    members = []
    for seed in (1, 2):
        torch.manual_seed(seed)
        members.append((create_model("lenet-cifar", in_channels=3, num_classes=len(KINDS)), meta))
    thumbnails = torch.rand(5, 3, 32, 32)
    alone = [Identifier([member]).scores(thumbnails) for member in members]
    assert not torch.allclose(*alone, atol=1e-3)
    assert torch.allclose(Identifier(members).scores(thumbnails), (alone[0] + alone[1]) / 2, atol=1e-6)


def test_a_picture_and_its_mirror_score_the_same(identifier):
    thumbnails = torch.cat([look(picture) for picture in NOT_A_DATASET.values()] + [look(path) for path, _ in EXAMPLES])
    assert torch.allclose(identifier.scores(thumbnails), identifier.scores(thumbnails.flip(-1)), atol=1e-5)


@pytest.mark.parametrize("upload, shape", [(functools.partial(grey_upload, strokes=True), (28, 28)), (photo_upload, (32, 32, 3))],
                         ids=["digit", "photo"])
def test_a_dataset_image_left_at_its_own_size_is_never_framed_or_turned(upload, shape, monkeypatch):
    """As a downloaded test file is, so the identifier learns raw files."""
    monkeypatch.setattr(train.uploads, "NATIVE", 1.0)
    monkeypatch.setattr(train.uploads, "PHOTOGRAPHED", 0.0)  # a photo of a digit on paper is another style
    rng = np.random.default_rng(0)
    pixels = rng.integers(0, 256, shape, dtype=np.uint8)
    assert {upload(pixels, rng).size for _ in range(100)} == {shape[:2]}


def test_training_the_identifier_refuses_bad_flags_in_words(capsys):
    with pytest.raises(SystemExit) as stopped:
        main(["--samples", "3"])
    message = capsys.readouterr().err
    assert stopped.value.code == 2 and "--samples must be at least" in message and "Traceback" not in message


def test_without_scikit_image_training_says_what_to_install(monkeypatch):
    monkeypatch.setattr(real_pictures.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(LenetError, match="pip install -r requirements-dev.txt"):
        real_pictures._sample_data.__wrapped__()  # not the cached folder


def test_real_faces_are_grey_photos_toned_as_skin():
    rng = np.random.default_rng(3)
    assert real_pictures._faces().shape == (real_pictures.LFW_FACES, 25, 25)
    for _ in range(10):
        face = real_pictures.lfw_face(rng)
        toned = np.asarray(train.uploads._skin_toned(face, rng), np.float32)
        red, green, blue = toned.mean((0, 1))
        assert red > green > blue  # a skin tone, dark to light, not grey
        assert np.corrcoef(toned.mean(2).ravel(), face.ravel())[0, 1] > 0.9  # the same face, shade for shade


def test_real_photos_and_measurements_are_read_from_scikit_image():
    assert all(real_pictures._photo(name).mode == "RGB" for name in real_pictures.PHOTOS)
    fields = [real_pictures._field(name) for name in (*real_pictures.FIELDS, real_pictures.DEPTH_MAP)]
    assert all(values.ndim == 2 and np.isfinite(values).all() and np.ptp(values) > 0 for values in fields)


def test_a_plotted_map_keeps_the_map_and_adds_its_colour_bar_high_at_the_top():
    colours = matplotlib.colormaps["plasma"]
    shades = (colours(np.linspace(0, 1, 60))[None, :, :3].repeat(40, 0) * 255).astype(np.uint8)
    plot = np.asarray(train.uploads._plotted_map(Image.fromarray(shades), colours, np.random.default_rng(2)))
    margin = (plot.shape[0] - 40) // 2
    assert np.array_equal(plot[margin : margin + 40, margin : margin + 60], shades)
    bar = plot[margin : margin + 40, 60 + 2 * margin]
    assert np.abs(bar[0].astype(int) - shades[0, -1]).max() <= 8 and np.abs(bar[-1].astype(int) - shades[0, 0]).max() <= 8


@pytest.mark.data
def test_training_the_identifier_saves_an_ensemble_the_app_loads(tmp_path):
    meta = train_identifier(IdentifyConfig(samples=40, epochs=1, members=2, out=str(tmp_path)))
    assert set(meta["held_out_accuracy"]) == set(KINDS)
    trained = Identifier.from_pretrained(tmp_path)
    assert len(trained.members) == 2 and sorted(path.name for path in tmp_path.iterdir()) == ["README.md", "member-1", "member-2"]
    first, second = (next(model.parameters()) for model, _ in trained.members)
    assert not torch.equal(first, second)  # each from its own random start
    assert set(trained(NOT_A_DATASET["noise"]).scores) == set(KINDS)
    assert "| none |" in (tmp_path / "README.md").read_text()


@pytest.mark.data
def test_a_kind_renders_the_same_in_a_worker_process():
    config = IdentifyConfig(samples=10)
    with ProcessPoolExecutor(1, multiprocessing.get_context("spawn")) as worker:
        there = worker.submit(render_kind, "mnist", config).result()
    here = render_kind("mnist", config)
    assert [part.shape[0] for part in here] == [10, 1] and all(map(torch.equal, here, there))


@pytest.fixture(scope="module")
def client(app_url):
    return Client(app_url, verbose=False)


def test_identify_api_answers_in_json(client, tmp_path):
    fashion = next(path for path, dataset in EXAMPLES if dataset == "fashion-mnist")
    result = client.predict(handle_file(str(fashion)), api_name="/identify")
    assert result["dataset"] == "fashion-mnist" and set(result["scores"]) == set(KINDS)
    noise = tmp_path / "noise.png"
    NOT_A_DATASET["noise"].save(noise)
    assert client.predict(handle_file(str(noise)), api_name="/identify")["dataset"] is None


def test_compare_warns_beside_the_answers_when_an_upload_is_like_no_dataset(client, tmp_path):
    noise = tmp_path / "noise.png"
    NOT_A_DATASET["noise"].save(noise)
    compared = client.predict(handle_file(str(noise)), "mnist", ["lenet5"], api_name="/compare")
    assert "looks like none of the kinds" in compared["note"]
    assert [v["model"] for v in compared["variants"]] == ["lenet5"]  # the answers are still shown, the warning beside them


def test_compare_warns_when_the_chosen_dataset_is_not_what_the_image_looks_like(client):
    photo = next(path for path, dataset in EXAMPLES if dataset == "cifar10")
    note = client.predict(handle_file(str(photo)), "mnist", ["lenet5"], api_name="/compare")["note"]
    assert "looks like <b>CIFAR-10 objects</b>" in note and "not MNIST digits" in note
    assert client.predict(handle_file(str(photo)), "cifar10", ["lenet5"], api_name="/compare")["note"] == ""


def test_compare_with_an_unknown_dataset_says_so_in_words(client):
    digit = next(path for path, dataset in EXAMPLES if dataset == "mnist")
    message = client.predict(handle_file(str(digit)), "imagenet", [], api_name="/compare")["message"]
    assert "Cannot classify" in message and "imagenet" in message and "Traceback" not in message


def test_compare_without_a_dataset_picks_it_and_says_so(client):
    digit = next(path for path, dataset in EXAMPLES if dataset == "mnist")
    note = client.predict(handle_file(str(digit)), "", [], api_name="/compare")["note"]
    assert EN["picked"].split("<b>")[0] in note and "MNIST digits" in note


def test_a_new_upload_switches_the_tab_to_the_dataset_it_looks_like():
    import asyncio

    import gradio as gr

    from demo.tabs.upload import UploadTab
    from demo.zoo import Zoo

    with gr.Blocks():
        tab = UploadTab(Zoo.load(), gr.State(), gr.State({}))
    fashion = next(path for path, dataset in EXAMPLES if dataset == "fashion-mnist")
    shown = asyncio.run(tab.on_new_file(str(fashion), "mnist", ["lenet5"], {}))
    assert shown[tab.dataset] == "fashion-mnist" and shown[tab.models].value == tab.zoo.models("fashion-mnist")
    note = shown[tab.panel.cards]["note"]
    assert "Fashion-MNIST clothes" in note and "⚠" not in note
    korean = tab.note(tab.identify(str(fashion)), "mnist", picked=True, lang="ko")
    assert "Fashion-MNIST 옷" in korean and "clothes" not in korean


def test_thinning_leaves_a_line_one_pixel_wide_along_the_middle():
    bar = np.zeros((28, 28), bool)
    bar[10:17, 3:25] = True
    line = thinned(bar)
    columns = line[:, 8:19]
    assert (columns.sum(0) == 1).all() and set(np.nonzero(columns)[0]) <= {12, 13, 14}


def test_a_redrawn_digit_is_drawn_with_a_steady_pen():
    """A '0' thick on the left and thin on the right comes back as evenly wide as a drawing program draws it."""
    y, x = np.mgrid[0:28, 0:28]
    distance = np.hypot(y - 13.5, x - 13.5)
    zero = ((distance < 10) & (distance > np.where(x < 14, 5, 8.5))).astype(np.uint8) * 255
    redrawn_zero = np.asarray(redrawn(zero, 280, np.random.default_rng(0))) > 127
    middle = redrawn_zero[140]
    left, right = middle[:140].sum(), middle[140:].sum()
    assert abs(int(left) - int(right)) <= 2 and left > 0
