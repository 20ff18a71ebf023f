"""The pure functions behind the "Look inside" and "Models" tabs."""

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
from demo.tabs.models import CURVES, evaluation_drawer, model_card
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
@pytest.mark.parametrize("lang", ["en", "ko"])
def test_the_slider_line_keeps_its_name_and_colour_at_every_angle(zoo, digit, lang):
    from demo.tabs.inside import SLIDER_COLOUR, rotation_plot

    plots = [rotation_plot(zoo, digit, "mnist", zoo.models("mnist"), angle, lang) for angle in (-45, -12, 0, 7.5, 45)]
    series = {tuple(sorted(set(plot.value["data"][i][plot.value["columns"].index("model")]
                                for i in range(len(plot.value["data"]))))) for plot in plots}
    assert len(series) == 1  # the same names whatever the angle
    assert all(SLIDER_COLOUR in plot.color_map.values() and plot.x_lim == [-45, 45] for plot in plots)


def test_no_plot_has_a_fixed_height_that_would_cut_its_legend_off(zoo):
    import gradio as gr

    from demo.app import build_app

    plots = [block for block in build_app(zoo).blocks.values() if isinstance(block, gr.LinePlot | gr.BarPlot)]
    assert len(plots) >= 5 and all(plot.height is None for plot in plots)  # Gradio 6.31 cuts the legend to fit


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


def test_every_model_card_exists_in_both_languages_and_its_plots_are_drawn(zoo):
    assert zoo.entries
    for entry in zoo.entries:
        english, korean = model_card(entry, "en"), model_card(entry, "ko")
        assert f"{entry['test_accuracy']:.2%}" in english and dataset_spec(entry["dataset"]).published in english
        assert f"{entry['test_accuracy']:.2%}" in korean and "테스트 정확도" in korean and "thread" not in korean
        folder = (zoo.folder / entry["file"]).parent
        confusion, mistakes = evaluation_drawer(folder, entry["dataset"])(None)  # no request: in English
        assert (folder / CURVES).is_file() and confusion.count("<tr>") == 11 and mistakes.count("<figure>") == 32
