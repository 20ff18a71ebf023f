"""lenet.browser_form: what the page's runtime reads. Its numbers are checked against PyTorch in a real browser
(tests/test_page_runtime.py); these checks need none."""
import hashlib
import json

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

import lenet
from lenet.browser_form import FORM_NAME, FORM_WEIGHTS_NAME, browser_form
from lenet.checkpoint import read_manifest
from lenet.errors import CheckpointError
from lenet.models.lenet5_1998 import C3_TABLE
from train.publish import CHECKPOINTS_DIR

SHIPPED = [CHECKPOINTS_DIR / entry["file"] for entry in read_manifest(CHECKPOINTS_DIR)]


def floats(form) -> np.ndarray:
    return np.frombuffer(form.weights, dtype="<f4")


def untrained(model: str) -> dict:
    """config.json of a fresh MNIST model."""
    return {"model": model, "dataset": "mnist", "classes": list("0123456789"), "in_channels": 1, "mean": [0.0], "std": [1.0]}


@pytest.mark.parametrize("weights", SHIPPED, ids=[path.parent.name for path in SHIPPED])
def test_every_shipped_model_has_its_browser_form_beside_it(weights):
    """As train.publish writes it from the weights today: a stale form would answer unlike the server."""
    predictor = lenet.from_pretrained(weights.parent)
    fresh = browser_form(predictor.model, predictor.meta)
    shipped = json.loads((weights.parent / FORM_NAME).read_text())
    data = (weights.parent / FORM_WEIGHTS_NAME).read_bytes()
    assert shipped == fresh.layers and data == fresh.weights
    assert hashlib.sha256(data).hexdigest() == shipped["weights"]["sha256"] and len(data) == 4 * shipped["weights"]["floats"]
    assert [stage["name"] for stage in shipped["stages"]] == list(lenet.STAGE_NAMES)


def test_batch_norm_is_folded_into_the_convolution_before_it():
    torch.manual_seed(0)
    model = lenet.create_model("lenet5-modern").eval()
    for norm in (m for m in model.modules() if isinstance(m, nn.BatchNorm2d)):  # statistics unlike a fresh layer's
        norm.running_mean.uniform_(-1, 1)
        norm.running_var.uniform_(0.5, 2)
        norm.weight.data.uniform_(0.5, 2)
        norm.bias.data.uniform_(-1, 1)
    form = browser_form(model, untrained("lenet5-modern"))
    conv = form.layers["stages"][0]["layers"][0]
    assert [layer["op"] for layer in form.layers["stages"][0]["layers"]] == ["conv", "relu"]  # no batch norm left
    numbers = floats(form)
    weight = torch.from_numpy(numbers[conv["weight"]:conv["weight"] + 6 * 25].reshape(6, 1, 5, 5).copy())
    bias = torch.from_numpy(numbers[conv["bias"]:conv["bias"] + 6].copy())
    x = torch.randn(4, 1, 32, 32)
    with torch.no_grad():
        expected = model.c1[1](model.c1[0](x))  # conv, then batch norm
    torch.testing.assert_close(F.conv2d(x, weight, bias), expected, atol=1e-5, rtol=1e-5)


def test_the_1998_c3_keeps_only_the_connections_of_table_i():
    model = lenet.create_model("lenet5-1998")
    c3 = browser_form(model, untrained("lenet5-1998")).layers["stages"][2]["layers"][0]
    assert c3["connections"] == [sorted(i % 6 for i in seen) for seen in C3_TABLE]
    assert sum(map(len, c3["connections"])) * 25 + 16 == 1516  # the paper's count for C3


def test_a_layer_the_page_cannot_run_is_named_in_plain_words():
    model = lenet.create_model("lenet5")
    model.c1[1] = nn.GELU()
    with pytest.raises(CheckpointError, match="no layer like GELU"):
        browser_form(model, untrained("lenet5"))
