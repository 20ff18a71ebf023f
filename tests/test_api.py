"""End to end through the documented API, as the README shows it: gradio_client -> /classify."""

import pytest
from gradio_client import Client, handle_file
from PIL import Image, ImageDraw

from demo.examples import EXAMPLES_DIR, load_index
from lenet.checkpoint import read_manifest
from train.publish import CHECKPOINTS_DIR


@pytest.fixture(scope="module")
def client(app_url):
    return Client(app_url, verbose=False)


BEST = {}  # the most accurate shipped variant of each dataset
for entry in sorted(read_manifest(CHECKPOINTS_DIR), key=lambda e: e["test_accuracy"]):
    BEST[entry["dataset"]] = entry
SLACK = 0.25  # 20 images: allow this far below the recorded accuracy before calling it broken


@pytest.mark.parametrize("dataset", list(BEST))
def test_classify_real_test_images(client, dataset):
    entries = [e for e in load_index() if e["dataset"] == dataset]
    correct = 0
    for entry in entries:
        result = client.predict(handle_file(str(EXAMPLES_DIR / entry["file"])), dataset, BEST[dataset]["model"], api_name="/classify")
        assert len(result["confidences"]) == 3
        correct += result["label"] == entry["label"]
    assert correct >= (BEST[dataset]["test_accuracy"] - SLACK) * len(entries)


def test_transparent_layer_keeps_its_ink(client, tmp_path):
    image = Image.new("RGBA", (280, 280), (0, 0, 0, 0))
    ImageDraw.Draw(image).line([(60, 50), (220, 50), (120, 240)], fill=(0, 0, 0, 255), width=22)
    path = tmp_path / "seven.png"
    image.save(path)
    result = client.predict(handle_file(str(path)), "mnist", "lenet5-1998", api_name="/classify")
    assert result["label"] == "7"
