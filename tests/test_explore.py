"""The pure functions behind the "Look inside" and "Models" tabs."""
from pathlib import Path

import pytest
import torch

from demo.explore import (
    PROBE_ANGLES,
    Distortion,
    first_layer_weight,
    look_inside,
    rotation_curves,
    stage_pictures,
)
from demo.tabs.models import model_card, plots
from demo.zoo import Zoo
from lenet.datasets import dataset_spec, load_tensors
from lenet.preprocess import dataset_pixels


@pytest.fixture(scope="module")
def zoo():
    return Zoo.load()


@pytest.fixture(scope="module")
def digit(data_dir):
    images, _ = load_tensors("mnist", data_dir, train=False, limit=1)  # a 7
    return dataset_pixels(images)


@pytest.mark.data
def test_look_inside_gives_each_variant_its_saliency_and_kernels(zoo, digit):
    insights = look_inside(zoo, digit, "mnist", zoo.models("mnist"))
    assert [i.model for i in insights] == zoo.models("mnist")
    for insight in insights:
        assert insight.label == "7"
        assert insight.saliency.size == insight.grad_cam.size == (256, 256)
        assert insight.kernels.shape == (6, 1, 5, 5) and insight.latency_ms > 0


def test_kernels_are_the_first_convolution(zoo):
    assert first_layer_weight(zoo.by_dataset["mnist"]["lenet5-1998"].model).shape == (6, 1, 5, 5)
    assert first_layer_weight(zoo.by_dataset["cifar10"]["lenet-cifar"].model).shape[1:] == (3, 3, 3)


@pytest.mark.data
def test_rotation_plot_has_one_curve_per_variant(zoo, digit):
    table = rotation_curves(zoo, digit, "mnist", zoo.models("mnist"))
    assert sorted(table["model"].unique()) == sorted(zoo.models("mnist"))
    for _, curve in table.groupby("model"):
        assert curve["rotation"].tolist() == PROBE_ANGLES
        upright = curve.loc[curve["rotation"] == 0, "confidence"].item()
        assert upright == max(curve["confidence"]) or upright > 0.99  # upright is what they were trained on
        assert curve["confidence"].iloc[0] < upright  # turned by 45 degrees, every LeNet is less sure


@pytest.mark.data
def test_no_distortion_changes_nothing(digit):
    torch.testing.assert_close(Distortion().apply(digit), digit, atol=1e-5, rtol=0)
    assert not torch.equal(Distortion(degrees=30).apply(digit), digit)


@pytest.mark.data
def test_stage_explorer_shows_every_stage(zoo, digit):
    pictures = stage_pictures(zoo.by_dataset["mnist"]["lenet5"], digit)
    assert list(pictures) == ["c1", "s2", "c3", "s4", "c5", "f6"]
    assert pictures["c1"].shape == (6, 28, 28) and pictures["s4"].shape == (16, 5, 5)
    assert len(pictures["c5"]) == 120 and len(pictures["f6"]) == 84  # one bar per unit
    assert list(pictures["c5"].columns) == ["unit", "activation"]


def test_every_model_card_and_plot_exists_in_both_languages(zoo):
    assert zoo.entries
    for entry in zoo.entries:
        english, korean = model_card(entry, "en"), model_card(entry, "ko")
        assert f"{entry['test_accuracy']:.2%}" in english and dataset_spec(entry["dataset"]).published in english
        assert f"{entry['test_accuracy']:.2%}" in korean and "테스트 정확도" in korean and "thread" not in korean
        assert all(Path(path).is_file() for path in plots(zoo.folder, entry))
