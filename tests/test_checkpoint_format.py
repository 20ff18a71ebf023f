import json

import pytest
import torch

import lenet
from lenet.checkpoint import MANIFEST_NAME, read_checkpoint, sha256_file


def make_checkpoint(path, model_name="lenet5", dataset="mnist"):
    info = lenet.dataset_info(dataset)
    model = lenet.create_model(model_name, in_channels=info.in_channels, num_classes=info.num_classes)
    meta = {"model": model_name, "dataset": dataset, "in_channels": info.in_channels, "classes": list(info.classes),
            "mean": list(info.mean), "std": list(info.std), "test_accuracy": 0.5, "command": "python -m train"}
    lenet.save_checkpoint(path, model, meta)
    return model


def write_manifest(folder, path):
    entry = {"file": path.name, "sha256": sha256_file(path), "dataset": "mnist", "model": "lenet5", "params": 61706,
             "test_accuracy": 0.5, "epochs": 1, "train_seconds": 1.0, "machine": "test", "command": "python -m train"}
    (folder / MANIFEST_NAME).write_text(json.dumps([entry]))


def test_round_trip_gives_identical_outputs(tmp_path):
    model = make_checkpoint(tmp_path / "a.pt").eval()
    loaded, meta = lenet.load_checkpoint(tmp_path / "a.pt")
    x = torch.randn(2, 1, 32, 32)
    torch.testing.assert_close(loaded(x), model(x))
    assert meta["classes"] == [str(d) for d in range(10)] and not loaded.training


def test_checkpoint_is_saved_without_temp_files_left(tmp_path):
    make_checkpoint(tmp_path / "a.pt")
    assert [p.name for p in tmp_path.iterdir()] == ["a.pt"]


def test_missing_checkpoint_names_the_file(tmp_path):
    with pytest.raises(lenet.CheckpointError, match="nope.pt: no such checkpoint"):
        lenet.load_checkpoint(tmp_path / "nope.pt")


def test_tampered_checkpoint_is_refused(tmp_path):
    path = tmp_path / "a.pt"
    make_checkpoint(path)
    write_manifest(tmp_path, path)
    lenet.load_checkpoint(path)  # verifies fine
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(lenet.CheckpointError, match=r"a\.pt: sha256 does not match manifest\.json"):
        lenet.load_checkpoint(path)


def test_corrupt_file_is_refused_with_its_name(tmp_path):
    path = tmp_path / "junk.pt"
    path.write_bytes(b"definitely not a zip file")
    with pytest.raises(lenet.CheckpointError, match="junk.pt: not a readable checkpoint"):
        lenet.load_checkpoint(path)


def test_foreign_pickles_are_not_executed(tmp_path):
    """weights_only=True: a checkpoint cannot run code on load."""
    class Evil:
        def __reduce__(self):
            return (exec, ("raise SystemExit('pwned')",))

    path = tmp_path / "evil.pt"
    torch.save({"state_dict": {}, "meta": Evil()}, path)
    with pytest.raises(lenet.CheckpointError, match="evil.pt: not a readable checkpoint"):
        lenet.load_checkpoint(path)


def test_mismatched_weights_are_refused(tmp_path):
    path = tmp_path / "a.pt"
    make_checkpoint(path)
    checkpoint = read_checkpoint(path)
    checkpoint["meta"]["model"] = "lenet5-modern"
    torch.save(checkpoint, path)
    with pytest.raises(lenet.CheckpointError, match="a.pt: weights do not match model 'lenet5-modern'"):
        lenet.load_checkpoint(path)


def test_not_a_lenet_checkpoint(tmp_path):
    path = tmp_path / "plain.pt"
    torch.save(lenet.create_model("lenet5").state_dict(), path)
    with pytest.raises(lenet.CheckpointError, match="plain.pt: not a lenet-lab checkpoint"):
        lenet.load_checkpoint(path)
