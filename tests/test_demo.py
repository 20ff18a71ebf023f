"""The pure functions behind the UI, without a browser, on the shipped checkpoints."""
import numpy as np
import pytest
from PIL import Image, ImageDraw

from demo.cards import answers_html, summary, variant_card
from demo.compare import classify, compare
from demo.examples import EXAMPLES_DIR, load_index
from demo.render import input_image, tiles_html
from demo.strings import EN, KO
from demo.zoo import Zoo
from lenet import EmptyImageError, LenetError


@pytest.fixture(scope="module")
def zoo():
    return Zoo.load()


def drawn_digit(strokes, size=280, width=22):
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))  # what the sketchpad exports: ink on transparency
    draw = ImageDraw.Draw(image)
    for stroke in strokes:
        draw.line(stroke, fill=(0, 0, 0, 255), width=width, joint="curve")
    return image


ONE = [[(140, 40), (140, 240)]]
SEVEN = [[(60, 50), (220, 50), (120, 240)]]


def test_every_english_string_has_a_korean_one():
    assert set(KO) == set(EN)  # a handler's message in Korean must never be missing


def test_zoo_holds_every_shipped_checkpoint(zoo):
    from lenet.checkpoint import read_manifest
    from train.publish import CHECKPOINTS_DIR

    shipped = {(e["dataset"], e["model"]) for e in read_manifest(CHECKPOINTS_DIR)}
    assert {(d, m) for d in zoo.datasets for m in zoo.models(d)} == shipped


@pytest.mark.parametrize("strokes,label", [(ONE, "1"), (SEVEN, "7")])
def test_drawn_digits_are_recognised_by_every_variant(zoo, strokes, label):
    comparison = compare(zoo, drawn_digit(strokes), "mnist", zoo.models("mnist"))
    assert [r.label for r in comparison.results] == [label] * len(zoo.models("mnist"))
    assert summary(comparison, "en") == f"All {len(comparison.results)} models agree: <b>{label}</b>"
    strip = answers_html(comparison, "en")
    assert strip.count('class="prediction"') == len(comparison.results) and f'"prediction">{label}<' in strip


def test_results_carry_maps_accuracy_params_and_latency(zoo):
    comparison = compare(zoo, drawn_digit(SEVEN), "mnist", ["lenet5-1998"])
    result = comparison.results[0]
    assert comparison.seen.size == (32, 32)
    assert result.c1.shape == (6, 28, 28) and result.c3.shape == (16, 10, 10)
    card = variant_card(result, None, "en")
    assert card.pictures.count("data:image/png;base64,") == 2  # one strip per stage, cut into tiles by CSS
    assert card.pictures.count("<i ") == 6 + 16 and "--w:84px" in card.pictures and "--w:40px" in card.pictures
    assert result.params == 60_000 and 0.9 < result.test_accuracy <= 1 and result.latency_ms > 0
    assert "lenet5-1998: <span" in card.html() and ">7</span>" in card.html() and "60,000 parameters" in card.facts


def test_disagreement_is_spelled_out(zoo):
    comparison = compare(zoo, drawn_digit(SEVEN), "mnist", zoo.models("mnist"))
    assert len(comparison.results) >= 3
    comparison.results[0].label = "3"  # pretend the first variant saw something else
    assert summary(comparison, "en").startswith("The models disagree") and comparison.consensus == "7"
    assert "✗" in variant_card(comparison.results[0], comparison.consensus, "en").html()
    assert "✓" in variant_card(comparison.results[1], comparison.consensus, "en").html()
    comparison.results = comparison.results[:2]  # one against one: nobody is marked right
    assert comparison.consensus is None and "✓" not in variant_card(comparison.results[1], None, "en").html()


def test_examples_are_real_test_images_classified_mostly_right(zoo):
    entries = load_index()
    assert len(entries) >= 36
    for dataset in zoo.datasets:
        mine = [e for e in entries if e["dataset"] == dataset]
        best_model = zoo.models(dataset)[-1]
        answers = [classify(zoo, str(EXAMPLES_DIR / e["file"]), dataset, best_model) for e in mine]
        correct = sum(max(answer, key=answer.get) == e["label"] for answer, e in zip(answers, mine))
        assert correct >= 0.7 * len(mine), dataset


def test_empty_canvas_is_reported(zoo):
    with pytest.raises(EmptyImageError):
        compare(zoo, Image.new("RGBA", (280, 280), (0, 0, 0, 0)), "mnist", zoo.models("mnist"))


@pytest.mark.parametrize("dataset,model,message", [("svhn", "lenet5", "unknown dataset 'svhn'"), ("mnist", "resnet", "unknown mnist model 'resnet'")])
def test_classify_names_what_is_valid(zoo, dataset, model, message):
    with pytest.raises(LenetError, match=message):
        classify(zoo, drawn_digit(ONE), dataset, model)


def test_feature_maps_are_crisp_tiles_on_one_shared_scale():
    import base64
    import io
    import re

    import torch

    maps = torch.zeros(6, 4, 4)
    maps[0] = 1.0  # the brightest map; the others sit at the bottom of the shared scale
    html = tiles_html(maps, "C1", px=3)
    assert html.count("<i ") == 6 and "--w:12px" in html and "--strip:72px" in html
    png = base64.b64decode(re.search(r"base64,([A-Za-z0-9+/=]+)", html).group(1))
    strip = np.asarray(Image.open(io.BytesIO(png)))
    assert strip.shape[:2] == (4, 24)  # one pixel per activation, the maps side by side
    assert (strip[:, :4] == strip[0, 0]).all() and not np.array_equal(strip[0, 0], strip[0, 4])


def test_input_image_is_enlarged_with_nearest_neighbour():
    import torch

    pixels = torch.zeros(1, 32, 32)
    pixels[0, 0, 0] = 1.0
    image = np.asarray(input_image(pixels))
    assert image.shape == (256, 256) and (image[:8, :8] == 255).all() and image[8:, 8:].max() == 0


def test_a_missing_or_tampered_checkpoint_folder_is_a_clear_error(tmp_path):
    import shutil

    from train.publish import CHECKPOINTS_DIR

    with pytest.raises(LenetError, match="no checkpoints listed in"):
        Zoo.load(tmp_path)
    shutil.copytree(CHECKPOINTS_DIR, tmp_path / "copy")
    with open(tmp_path / "copy" / "mnist-lenet5" / "model.safetensors", "ab") as f:
        f.write(b"tampered")
    with pytest.raises(LenetError, match="mnist-lenet5/model.safetensors: sha256 does not match"):
        Zoo.load(tmp_path / "copy")
