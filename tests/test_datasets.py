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


def test_cifar10_reads_torchvision_pickled_batches(tmp_path, monkeypatch):
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
    import torchvision.datasets.cifar

    monkeypatch.setattr(torchvision.datasets.cifar, "check_integrity", lambda *args: True)  # other md5s than the real files
    images, labels = load_tensors("cifar10", tmp_path, train=False)
    assert images.shape == (4, 3, 32, 32) and labels.tolist() == [0, 1, 2, 9]


def test_missing_dataset_says_where_it_looked_and_mentions_download(tmp_path):
    with pytest.raises(lenet.DatasetError, match=r"(?s)mnist not found.*MNIST/raw.*--download"):
        lenet.load_dataset("mnist", tmp_path)


def test_unknown_dataset_lists_the_valid_ones():
    with pytest.raises(lenet.LenetError, match="mnist, fashion-mnist, cifar10"):
        lenet.dataset_spec("imagenet")


def test_data_dir_comes_from_the_environment(monkeypatch, tmp_path):
    from lenet.datasets import data_root

    monkeypatch.setenv("LENET_DATA_DIR", str(tmp_path))
    assert data_root() == tmp_path and data_root("elsewhere").name == "elsewhere"


def _idx_gz(path, data) -> str:
    """``data`` (uint8) as a gzipped IDX file, MNIST's own format; returns its md5."""
    import gzip
    import hashlib

    header = bytes([0, 0, 8, data.ndim]) + b"".join(int(n).to_bytes(4, "big") for n in data.shape)
    path.write_bytes(gzip.compress(header + data.tobytes()))
    return hashlib.md5(path.read_bytes()).hexdigest()


@pytest.fixture
def mnist_mirror(tmp_path, monkeypatch):
    """A local HTTP mirror of a miniature MNIST (4 train and 2 test images), set as torchvision's only mirror."""
    import functools
    import http.server
    import threading

    import numpy as np
    import torchvision.datasets

    served = tmp_path / "mirror"
    served.mkdir()
    rng = np.random.default_rng(0)
    files = {
        "train-images-idx3-ubyte.gz": rng.integers(0, 256, (4, 28, 28), dtype=np.uint8),
        "train-labels-idx1-ubyte.gz": np.array([3, 1, 4, 1], dtype=np.uint8),
        "t10k-images-idx3-ubyte.gz": rng.integers(0, 256, (2, 28, 28), dtype=np.uint8),
        "t10k-labels-idx1-ubyte.gz": np.array([5, 9], dtype=np.uint8),
    }
    resources = [(name, _idx_gz(served / name, data)) for name, data in files.items()]
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(served))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setattr(torchvision.datasets.MNIST, "mirrors", [f"http://127.0.0.1:{server.server_address[1]}/"])
    monkeypatch.setattr(torchvision.datasets.MNIST, "resources", resources)
    yield files
    server.shutdown()


def test_download_fetches_the_dataset_then_it_loads_without(tmp_path, mnist_mirror):
    root = tmp_path / "data"
    images, labels = load_tensors("mnist", root, train=True, download=True)
    assert torch.equal(images[:, 0], torch.from_numpy(mnist_mirror["train-images-idx3-ubyte.gz"]))
    assert labels.tolist() == [3, 1, 4, 1]
    assert load_tensors("mnist", root, train=False)[1].tolist() == [5, 9]  # on disk now: no --download needed


def test_failed_download_says_it_failed_and_why(tmp_path, monkeypatch):
    import socket

    import torchvision.datasets

    with socket.socket() as closed:  # a port nothing listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    monkeypatch.setattr(torchvision.datasets.MNIST, "mirrors", [f"http://127.0.0.1:{port}/"])
    with pytest.raises(lenet.DatasetError, match=r"could not download mnist into .*refused") as raised:
        lenet.load_dataset("mnist", tmp_path, download=True)
    assert "--download" not in str(raised.value) and "\n" not in str(raised.value)
