"""The model folder format (Hugging Face layout) and the trainer's last.pt: round trips, tampering, bad files."""
import json

import pytest
import torch
from safetensors.torch import load_file

import lenet
from lenet.checkpoint import (
    CONFIG_NAME,
    MANIFEST_NAME,
    WEIGHTS_NAME,
    read_training_state,
    save_training_state,
    sha256_file,
)


def make_meta(model_name="lenet5", dataset="mnist"):
    spec = lenet.dataset_spec(dataset)
    return {"model": model_name, "dataset": dataset, "in_channels": spec.in_channels, "classes": list(spec.classes),
            "mean": list(spec.mean), "std": list(spec.std), "test_accuracy": 0.5, "command": "python -m train"}


def make_model_folder(folder, model_name="lenet5", dataset="mnist"):
    meta = make_meta(model_name, dataset)
    model = lenet.create_model(model_name, in_channels=meta["in_channels"], num_classes=len(meta["classes"]))
    lenet.save_pretrained(folder, model, meta)
    return model


def write_manifest(root, folder):
    entry = {"file": f"{folder.name}/{WEIGHTS_NAME}", "sha256": sha256_file(folder / WEIGHTS_NAME), "dataset": "mnist",
             "model": "lenet5", "params": 61706, "test_accuracy": 0.5, "epochs": 1, "train_seconds": 1.0,
             "machine": "test", "command": "python -m train"}
    (root / MANIFEST_NAME).write_text(json.dumps([entry]))


def test_round_trip_gives_identical_outputs(tmp_path):
    model = make_model_folder(tmp_path / "m").eval()
    loaded, meta = lenet.load_checkpoint(tmp_path / "m")
    x = torch.randn(2, 1, 32, 32)
    torch.testing.assert_close(loaded(x), model(x))
    assert meta["classes"] == [str(d) for d in range(10)] and not loaded.training


def test_a_model_folder_is_safetensors_and_json_and_loads_without_pickle(tmp_path):
    model = make_model_folder(tmp_path / "m")
    assert sorted(p.name for p in (tmp_path / "m").iterdir()) == [CONFIG_NAME, WEIGHTS_NAME]  # no temp files left
    tensors = load_file(tmp_path / "m" / WEIGHTS_NAME)  # safetensors alone
    assert tensors.keys() == model.state_dict().keys()
    assert json.loads((tmp_path / "m" / CONFIG_NAME).read_text())["model"] == "lenet5"


def test_from_pretrained_takes_the_folder_or_its_weights_file(tmp_path):
    make_model_folder(tmp_path / "m", "lenet5-1998")
    for source in (tmp_path / "m", tmp_path / "m" / WEIGHTS_NAME, str(tmp_path / "m")):
        assert lenet.from_pretrained(source).name == "lenet5-1998"


def test_a_zipped_model_folder_loads_as_downloaded(tmp_path):
    import shutil

    make_model_folder(tmp_path / "yours" / "model", "lenet5-modern")
    archive = shutil.make_archive(str(tmp_path / "model"), "zip", tmp_path / "yours", "model")
    assert lenet.from_pretrained(archive).name == "lenet5-modern"
    (tmp_path / "junk.zip").write_bytes(b"not a zip")
    with pytest.raises(lenet.CheckpointError, match="junk.zip: not a readable zip of a model folder"):
        lenet.from_pretrained(tmp_path / "junk.zip")


def test_from_pretrained_fetches_a_hub_repo_id_through_huggingface_hub(tmp_path, monkeypatch):
    import huggingface_hub

    make_model_folder(tmp_path / "owner--m")
    fetched = []

    def fake_download(repo_id, filename):  # the Hub is out of reach here: serve the repo from a folder
        fetched.append((repo_id, filename))
        return str(tmp_path / repo_id.replace("/", "--") / filename)

    monkeypatch.setattr(huggingface_hub, "hf_hub_download", fake_download)
    assert lenet.from_pretrained("owner/m").name == "lenet5"
    assert fetched == [("owner/m", CONFIG_NAME), ("owner/m", WEIGHTS_NAME)]


def test_a_hub_repo_that_cannot_be_fetched_is_one_clear_error(monkeypatch):
    import huggingface_hub

    def offline(repo_id, filename):
        raise OSError("no network")

    monkeypatch.setattr(huggingface_hub, "hf_hub_download", offline)
    with pytest.raises(lenet.CheckpointError, match="owner/nothing: no such model folder here, and it could not be fetched"):
        lenet.from_pretrained("owner/nothing")


def test_missing_folder_names_it(tmp_path):
    with pytest.raises(lenet.CheckpointError, match="nope: no such model folder"):
        lenet.load_checkpoint(tmp_path / "nope")


def test_tampered_weights_are_refused(tmp_path):
    make_model_folder(tmp_path / "m")
    write_manifest(tmp_path, tmp_path / "m")
    lenet.load_checkpoint(tmp_path / "m")  # verifies fine
    weights = tmp_path / "m" / WEIGHTS_NAME
    data = bytearray(weights.read_bytes())
    data[len(data) // 2] ^= 0xFF
    weights.write_bytes(bytes(data))
    with pytest.raises(lenet.CheckpointError, match=r"model\.safetensors: sha256 does not match manifest\.json"):
        lenet.load_checkpoint(tmp_path / "m")


def test_corrupt_weights_are_refused_with_their_name(tmp_path):
    make_model_folder(tmp_path / "m")
    (tmp_path / "m" / WEIGHTS_NAME).write_bytes(b"definitely not safetensors")
    with pytest.raises(lenet.CheckpointError, match="model.safetensors: not readable safetensors weights"):
        lenet.load_checkpoint(tmp_path / "m")


def test_a_folder_without_config_is_refused(tmp_path):
    make_model_folder(tmp_path / "m")
    (tmp_path / "m" / CONFIG_NAME).unlink()
    with pytest.raises(lenet.CheckpointError, match="not a model folder"):
        lenet.load_checkpoint(tmp_path / "m")


def test_mismatched_weights_are_refused(tmp_path):
    make_model_folder(tmp_path / "m")
    config = tmp_path / "m" / CONFIG_NAME
    config.write_text(json.dumps({**json.loads(config.read_text()), "model": "lenet5-modern"}))
    with pytest.raises(lenet.CheckpointError, match="weights do not match model 'lenet5-modern'"):
        lenet.load_checkpoint(tmp_path / "m")


def test_training_state_round_trips_and_loads_as_a_model(tmp_path):
    model = lenet.create_model("lenet5").eval()
    save_training_state(tmp_path / "last.pt", model, make_meta(), epoch=3)
    assert read_training_state(tmp_path / "last.pt")["epoch"] == 3
    loaded, _ = lenet.load_checkpoint(tmp_path / "last.pt")
    x = torch.randn(2, 1, 32, 32)
    torch.testing.assert_close(loaded(x), model(x))


def test_corrupt_training_state_is_refused_with_its_name(tmp_path):
    path = tmp_path / "junk.pt"
    path.write_bytes(b"definitely not a zip file")
    with pytest.raises(lenet.CheckpointError, match="junk.pt: not a readable checkpoint"):
        lenet.load_checkpoint(path)


def test_foreign_pickles_are_not_executed(tmp_path):
    """weights_only=True: a last.pt cannot run code on load."""
    class Evil:
        def __reduce__(self):
            return (exec, ("raise SystemExit('pwned')",))

    path = tmp_path / "evil.pt"
    torch.save({"state_dict": {}, "meta": Evil()}, path)
    with pytest.raises(lenet.CheckpointError, match="evil.pt: not a readable checkpoint"):
        lenet.load_checkpoint(path)


def test_not_a_lenet_checkpoint(tmp_path):
    path = tmp_path / "plain.pt"
    torch.save(lenet.create_model("lenet5").state_dict(), path)
    with pytest.raises(lenet.CheckpointError, match="plain.pt: not a lenet-lab checkpoint"):
        lenet.load_checkpoint(path)
