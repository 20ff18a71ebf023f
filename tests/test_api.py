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


SHIPPED = {e["dataset"]: e["model"] for e in read_manifest(CHECKPOINTS_DIR)}  # one variant per dataset


@pytest.mark.parametrize("dataset", list(SHIPPED))
def test_classify_real_test_images(client, dataset):
    entries = [e for e in load_index() if e["dataset"] == dataset]
    correct = 0
    for entry in entries:
        result = client.predict(handle_file(str(EXAMPLES_DIR / entry["file"])), dataset, SHIPPED[dataset], api_name="/classify")
        assert len(result["confidences"]) == 3
        correct += result["label"] == entry["label"]
    assert correct >= 0.7 * len(entries)


def test_transparent_layer_keeps_its_ink(client, tmp_path):
    image = Image.new("RGBA", (280, 280), (0, 0, 0, 0))
    ImageDraw.Draw(image).line([(60, 50), (220, 50), (120, 240)], fill=(0, 0, 0, 255), width=22)
    path = tmp_path / "seven.png"
    image.save(path)
    result = client.predict(handle_file(str(path)), "mnist", "lenet5-1998", api_name="/classify")
    assert result["label"] == "7"


@pytest.mark.parametrize(
    "content,dataset,model,message",
    [
        (b"this is not an image", "mnist", "lenet5-1998", "not a readable image"),
        (None, "svhn", "lenet5-1998", "unknown dataset 'svhn'"),
        (None, "mnist", "resnet", "no 'resnet' model for mnist"),
        ("blank", "mnist", "lenet5-1998", "empty"),
    ],
)
def test_bad_requests_get_a_clear_message(client, tmp_path, content, dataset, model, message):
    path = tmp_path / "upload.png"
    if content is None:
        image = Image.new("L", (28, 28), 0)
        ImageDraw.Draw(image).line([(14, 4), (14, 24)], fill=255, width=3)
        image.save(path)
    elif content == "blank":
        Image.new("RGB", (100, 100), "white").save(path)
    else:
        path.write_bytes(content)
    with pytest.raises(Exception, match=message):
        client.predict(handle_file(str(path)), dataset, model, api_name="/classify")
    assert client.predict(handle_file(str(EXAMPLES_DIR / load_index()[0]["file"])), "mnist", SHIPPED["mnist"], api_name="/classify")
