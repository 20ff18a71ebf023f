"""The pure functions behind the UI, without a browser, on the shipped checkpoints."""
import base64

import numpy as np
import pytest
from PIL import Image, ImageDraw

from demo.cards import comparison_view, refusal
from demo.compare import classify, compare
from demo.examples import EXAMPLES_DIR, load_index
from demo.render import input_image, tiles_html
from demo.strings import EN, KO, class_names
from demo.tabs.models import confusion_html, evaluation_drawer, mistakes_html
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


def levels(data: str) -> np.ndarray:
    return np.frombuffer(base64.b64decode(data), dtype=np.uint8)


@pytest.mark.parametrize("strokes,label", [(ONE, "1"), (SEVEN, "7")])
def test_drawn_digits_are_recognised_by_every_variant(zoo, strokes, label):
    comparison = compare(zoo, drawn_digit(strokes), "mnist", zoo.models("mnist"))
    assert [r.label for r in comparison.results] == [label] * len(zoo.models("mnist"))
    assert comparison.consensus == label


def test_a_view_carries_what_the_cards_draw(zoo):
    comparison = compare(zoo, drawn_digit(SEVEN), "mnist", ["lenet5-1998"])
    result = comparison.results[0]
    assert result.c1.shape == (6, 28, 28) and result.c3.shape == (16, 10, 10)
    assert result.params == 60_000 and 0.9 < result.test_accuracy <= 1 and result.latency_ms > 0
    view = comparison_view(comparison, "en", note="a note")
    assert view["note"] == "a note" and view["seen"]["side"] == 32 and view["seen"]["channels"] == 1
    seen = levels(view["seen"]["levels"]).reshape(32, 32)
    assert np.array_equal(seen, (comparison.pixels[0, 0].numpy() * 255).round())
    (variant,) = view["variants"]
    assert variant["model"] == "lenet5-1998" and variant["classes"][int(np.argmax(variant["probabilities"]))] == "7"
    assert variant["facts"] == {"key": "card_facts", "values": {"accuracy": result.test_accuracy, "params": 60_000,
                                                                "ms": result.latency_ms}}
    c1, c3 = variant["maps"]
    assert (c1["shape"], c1["px"], c1["caption_key"]) == ([6, 28, 28], 3, "c1_maps")
    assert (c3["shape"], c3["px"], c3["caption_key"]) == ([16, 10, 10], 4, "c3_maps")
    for stage, shown in ((result.c1, c1), (result.c3, c3)):  # one scale for the whole stage: its extremes are 0 and 255
        drawn = levels(shown["levels"]).reshape(shown["shape"])
        low, high = stage.min(), stage.max()
        assert drawn.min() == 0 and drawn.max() == 255
        assert np.abs(drawn - ((stage - low) / (high - low) * 255).numpy()).max() <= 0.5 + 1e-3


def test_a_refusal_says_why_in_the_visitors_language():
    from lenet import UnreadableImageError

    assert refusal(UnreadableImageError("x"), "en") == {
        "message": "<b>Cannot classify this image:</b> this file is not an image we can read"}
    assert "읽을 수 있는 이미지 파일이 아닙니다" in refusal(UnreadableImageError("x"), "ko")["message"]
    assert "&lt;script&gt;" in refusal(LenetError("<script>"), "en")["message"]  # the library's words, escaped


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


def test_the_models_tab_draws_the_confusion_matrix_and_mistakes_in_the_visitors_words():
    classes = class_names("ko", "cifar10")[:3]
    table = confusion_html([[90, 10, 0], [0, 100, 0], [5, 0, 95]], classes, "ko")
    assert table.count("<tr>") == 4 and "비행기" in table and "테스트 이미지 300장" in table
    assert "--shade:100%" in table and "--shade:0%" in table  # the largest count is darkest, a zero is blank
    mistakes = [{"true": 0, "predicted": 1, "confidence": 0.97}, {"true": 2, "predicted": 0, "confidence": 0.8},
                {"true": 1, "predicted": 2, "confidence": 0.6}]
    gallery = mistakes_html(mistakes, classes, "lenet/abc/mistakes.png", 8, "ko")
    assert "비행기 → 자동차<br>97%" in gallery and "--grid:300% 100%" in gallery  # one row of three tiles
    assert [f"background-position:{x} 0.00%" in gallery for x in ("0.00%", "50.00%", "100.00%")] == [True] * 3
    assert "모든 테스트 이미지를 맞혔습니다" in mistakes_html([], classes, "", 8, "ko")
    three_rows = mistakes_html(mistakes * 3, classes, "lenet/abc/mistakes.png", 4, "en")  # 9 tiles, 4 a row
    assert "--grid:400% 300%" in three_rows
    assert "background-position:66.67% 50.00%" in three_rows and "background-position:0.00% 100.00%" in three_rows


def test_a_model_folder_without_a_saved_evaluation_says_how_to_make_one(tmp_path):
    confusion, mistakes = evaluation_drawer(tmp_path / "mnist-lenet5", "mnist")(None)
    assert "python -m train.evaluate --checkpoint mnist-lenet5 --save" in confusion and mistakes == ""
