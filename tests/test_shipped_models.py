"""Every shipped model: listed correctly, in the Hub layout, untampered, and as accurate as it claims."""
import json
import math

import pytest
from huggingface_hub import ModelCard
from PIL import Image

import lenet
from lenet.checkpoint import (
    CARD_NAME,
    CONFIG_NAME,
    EVALUATION_NAME,
    MANIFEST_KEYS,
    MISTAKES_NAME,
    PLOTS,
    WEIGHTS_NAME,
    read_manifest,
    sha256_file,
)
from train.evaluate import evaluate_checkpoint
from train.publish import CHECKPOINTS_DIR
from train.report import GALLERY_SIZE

SLICE = 1000
TOLERANCE = 0.03  # a 1,000-image slice may sit a few points from the full test set

ENTRIES = read_manifest(CHECKPOINTS_DIR)


def test_manifest_lists_checkpoints_for_every_dataset():
    assert {entry["dataset"] for entry in ENTRIES} == set(lenet.DATASETS)


@pytest.mark.parametrize("entry", ENTRIES, ids=[e["file"] for e in ENTRIES])
def test_entry_is_complete_and_matches_its_file(entry):
    assert set(entry) == set(MANIFEST_KEYS)
    path = CHECKPOINTS_DIR / entry["file"]
    assert path.name == WEIGHTS_NAME and sha256_file(path) == entry["sha256"]
    model, meta = lenet.load_checkpoint(path.parent)
    assert (meta["model"], meta["dataset"]) == (entry["model"], entry["dataset"])
    assert lenet.count_parameters(model) == entry["params"]
    assert meta["test_accuracy"] == pytest.approx(entry["test_accuracy"], abs=1e-6)
    assert entry["command"].startswith(f"python -m train --dataset {entry['dataset']} --model {entry['model']} ")
    for plot in PLOTS:
        assert (path.parent / f"{plot}.png").is_file()


@pytest.mark.parametrize("entry", ENTRIES, ids=[e["file"] for e in ENTRIES])
def test_each_model_folder_is_a_hub_model_repo_with_a_card(entry):
    folder = (CHECKPOINTS_DIR / entry["file"]).parent
    assert not list(folder.glob("*.pt")) and not list(folder.glob("*.bin"))  # no pickled weights ship
    card = ModelCard.load(folder / CARD_NAME)  # as the Hub reads it
    assert (card.data.library_name, card.data.datasets, card.data.metrics) == ("pytorch", [lenet.dataset_spec(entry["dataset"]).hub_id], ["accuracy"])
    (tested,) = card.data.eval_results
    assert (tested.dataset_split, tested.metric_type, tested.metric_value) == ("test", "accuracy", round(entry["test_accuracy"], 4))
    assert "![training curves](curves.png)" in card.text
    config = json.loads((folder / CONFIG_NAME).read_text())
    held_out = config["config"]["val_size"]
    assert (f"the best on the --val-size {held_out} hold-out" if held_out else "the last, --val-size 0") in card.text
    assert (config["model"], config["dataset"], config["test_accuracy"]) == (entry["model"], entry["dataset"], pytest.approx(entry["test_accuracy"], abs=1e-6))


@pytest.mark.parametrize("entry", ENTRIES, ids=[e["file"] for e in ENTRIES])
def test_the_saved_evaluation_is_the_recorded_accuracy_and_its_mistakes_are_tiled_in_order(entry):
    folder = (CHECKPOINTS_DIR / entry["file"]).parent
    evaluation = json.loads((folder / EVALUATION_NAME).read_text())
    matrix = evaluation["confusion"]
    right = sum(row[i] for i, row in enumerate(matrix))
    assert sum(map(sum, matrix)) == evaluation["images"] == 10_000
    assert right / evaluation["images"] == pytest.approx(entry["test_accuracy"], abs=1e-6)
    mistakes = evaluation["mistakes"]
    assert len(mistakes) == GALLERY_SIZE and all(m["true"] != m["predicted"] for m in mistakes)
    assert [m["confidence"] for m in mistakes] == sorted((m["confidence"] for m in mistakes), reverse=True)
    for m in mistakes:  # each is counted where the matrix says it was
        assert matrix[m["true"]][m["predicted"]] >= 1
    with Image.open(folder / MISTAKES_NAME) as tiles:
        side = tiles.width // evaluation["columns"]  # the images the model saw (28 or 32 px), tiled edge to edge
        assert side in (28, 32) and tiles.size == (evaluation["columns"] * side, math.ceil(len(mistakes) / evaluation["columns"]) * side)


@pytest.mark.data
@pytest.mark.parametrize("entry", ENTRIES, ids=[e["file"] for e in ENTRIES])
def test_accuracy_on_a_test_slice_is_close_to_the_recorded_one(entry, data_dir):
    result = evaluate_checkpoint(str((CHECKPOINTS_DIR / entry["file"]).parent), data_dir, limit=SLICE)
    assert result["accuracy"] == pytest.approx(entry["test_accuracy"], abs=TOLERANCE)


@pytest.mark.data
def test_evaluate_reproduces_a_recorded_accuracy_on_the_full_test_set(data_dir):
    entry = next(e for e in ENTRIES if (e["dataset"], e["model"]) == ("mnist", "lenet5"))
    result = evaluate_checkpoint(str((CHECKPOINTS_DIR / entry["file"]).parent), data_dir)
    assert result["images"] == 10_000
    assert result["accuracy"] == pytest.approx(entry["test_accuracy"], abs=0.0005)  # within 0.05 points
