import pytest
import torch

import lenet
from lenet.datasets import load_tensors

OFFICIAL_SIZES = {"mnist": (60_000, 10_000), "fashion-mnist": (60_000, 10_000), "cifar10": (50_000, 10_000)}


@pytest.mark.data
@pytest.mark.parametrize("name", ["mnist", "fashion-mnist"])
def test_grayscale_datasets_have_official_sizes_and_stats(name, data_dir):
    info = lenet.dataset_spec(name)
    train_images, train_labels = load_tensors(name, data_dir, train=True)
    test_images, _ = load_tensors(name, data_dir, train=False)
    assert (len(train_images), len(test_images)) == OFFICIAL_SIZES[name]
    assert train_images.shape[1:] == (1, 28, 28) and train_images.dtype == torch.uint8
    assert train_labels.unique().tolist() == list(range(10))
    pixels = train_images.float() / 255
    assert pixels.mean().item() == pytest.approx(info.mean[0], abs=1e-3)
    assert pixels.std().item() == pytest.approx(info.std[0], abs=1e-3)


@pytest.mark.data
def test_cifar10_from_image_folder_has_official_sizes_labels_and_stats(data_dir):
    info = lenet.dataset_spec("cifar10")
    train = lenet.load_dataset("cifar10", data_dir, train=True)
    test_images, test_labels = load_tensors("cifar10", data_dir, train=False)
    assert (len(train), len(test_images)) == OFFICIAL_SIZES["cifar10"]
    assert train.classes == list(info.classes)  # folder order is the official label order
    assert test_images.shape[1:] == (3, 32, 32) and test_labels.bincount().tolist() == [1000] * 10
    means = (test_images.float() / 255).mean(dim=(0, 2, 3))
    assert means.tolist() == pytest.approx(info.mean, abs=0.01)  # the test split's means sit close to train's


def test_cifar10_reads_torchvision_pickled_batches(tmp_path):
    """What download=True fetches: cifar-10-batches-py, written here in miniature."""
    import pickle

    import numpy as np

    folder = tmp_path / "cifar-10-batches-py"
    folder.mkdir()
    rng = np.random.default_rng(0)
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        batch = {"data": rng.integers(0, 256, (4, 3072), dtype=np.uint8), "labels": [0, 1, 2, 9]}
        (folder / name).write_bytes(pickle.dumps(batch))
    (folder / "batches.meta").write_bytes(pickle.dumps({"label_names": list(lenet.dataset_spec("cifar10").classes)}))
    images, labels = load_tensors("cifar10", tmp_path, train=False)  # other md5s than the official files: read anyway
    assert images.shape == (4, 3, 32, 32) and labels.tolist() == [0, 1, 2, 9]


def test_unknown_dataset_lists_the_valid_ones():
    with pytest.raises(lenet.LenetError, match="mnist, fashion-mnist, cifar10"):
        lenet.dataset_spec("imagenet")


def test_data_dir_comes_from_the_environment(monkeypatch, tmp_path):
    from lenet.datasets import data_root

    monkeypatch.setenv("LENET_DATA_DIR", str(tmp_path))
    assert data_root() == tmp_path and data_root("elsewhere").name == "elsewhere"
