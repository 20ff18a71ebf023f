import pytest
import torch
from PIL import Image, ImageDraw

import lenet
from tests.test_checkpoint_format import make_model_folder


@pytest.fixture
def predictor(tmp_path):
    make_model_folder(tmp_path / "m", "lenet5-1998")
    return lenet.from_pretrained(tmp_path / "m")


def test_predict_returns_label_probabilities_and_stages(predictor):
    image = Image.new("L", (200, 200), 255)
    ImageDraw.Draw(image).line([(100, 20), (100, 180)], fill=0, width=12)
    prediction = predictor.predict(image)
    assert list(prediction.probabilities) == [str(d) for d in range(10)]
    assert sum(prediction.probabilities.values()) == pytest.approx(1.0, abs=1e-5)
    assert prediction.label == max(prediction.probabilities, key=prediction.probabilities.get)
    assert prediction.stages["c1"].shape == (6, 28, 28) and prediction.stages["c3"].shape == (16, 10, 10)
    assert prediction.pixels.shape == (1, 32, 32)
    assert predictor.params == 60_000 and predictor.name == "lenet5-1998"


def test_predict_normalises_with_the_checkpoints_statistics(predictor):
    pixels = torch.rand(1, 1, 32, 32)
    expected = predictor.model((pixels - 0.1307) / 0.3081).softmax(1)[0]
    got = predictor.predict_pixels(pixels).probabilities
    assert list(got.values()) == pytest.approx(expected.tolist(), abs=1e-5)


def test_probabilities_alone_match_the_full_prediction(predictor):
    pixels = torch.rand(1, 1, 32, 32)
    assert predictor.probabilities(pixels) == pytest.approx(predictor.predict_pixels(pixels).probabilities, abs=1e-6)


def test_empty_canvas_is_not_classified(predictor):
    with pytest.raises(lenet.EmptyImageError):
        predictor.predict(Image.new("RGBA", (280, 280), (0, 0, 0, 0)))
