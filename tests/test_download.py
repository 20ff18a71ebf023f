"""Datasets on first use (lenet.download): torchvision's download through $LENET_DATA_MIRROR, here a local HTTP
server of gzipped copies of the datasets (these machines have no internet), as a Space without data fetches them."""
from __future__ import annotations

import gzip
import hashlib
import http.server
import io
import os
import pickle
import subprocess
import sys
import tarfile
import threading
from pathlib import Path

import pytest

import lenet
from lenet.datasets import load_tensors
from lenet.download import MIRROR_ENV

pytestmark = pytest.mark.data
GRAYSCALE = ("MNIST", "FashionMNIST")  # torchvision's class names: the mirror's folders
CIFAR_IMAGES = 3  # a batch, in the miniature CIFAR-10 tarball


class Mirror:
    """The served files, by path under the base URL; ``broken`` files are cut short, as a dropped connection is."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.broken: set[str] = set()
        self.requests: list[str] = []

    def handler(self, *args, **kwargs) -> http.server.BaseHTTPRequestHandler:
        mirror = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                path = self.path.lstrip("/")
                mirror.requests.append(path)
                if path not in mirror.files:
                    self.send_error(404, "File not found")
                    return
                data = mirror.files[path]
                self.send_response(200)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data[: len(data) // 2] if path in mirror.broken else data)

            def log_message(self, *args) -> None:
                pass

        return Handler(*args, **kwargs)


def cifar_tarball(data_dir: Path) -> bytes:
    """A miniature of torchvision's cifar-10-python.tar.gz: its pickled batches, a few real test images each."""
    images, labels = load_tensors("cifar10", data_dir, train=False, limit=CIFAR_IMAGES)
    batch = {"data": images.reshape(len(images), -1).numpy(), "labels": labels.tolist()}
    members = {f"data_batch_{i}": batch for i in range(1, 6)} | {"test_batch": batch,
                                                                   "batches.meta": {"label_names": list(lenet.dataset_spec("cifar10").classes)}}
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, content in members.items():
            data = pickle.dumps(content)
            info = tarfile.TarInfo(f"cifar-10-batches-py/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


@pytest.fixture(scope="module")
def mirror(data_dir):
    served = Mirror()
    for source in GRAYSCALE:
        for raw in sorted((data_dir / source / "raw").iterdir()):
            served.files[f"{source}/{raw.name}.gz"] = gzip.compress(raw.read_bytes(), compresslevel=1)
    served.files["CIFAR10/cifar-10-python.tar.gz"] = cifar_tarball(data_dir)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), served.handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    served.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield served
    server.shutdown()


@pytest.fixture
def through(mirror, monkeypatch):
    monkeypatch.setenv(MIRROR_ENV, mirror.url)
    mirror.broken.clear()
    return mirror


def md5(path: Path) -> str:
    return hashlib.md5(path.read_bytes()).hexdigest()


@pytest.mark.slow
def test_an_empty_data_folder_trains_through_the_mirror(tmp_path, through, data_dir):
    empty = tmp_path / "data"
    result = subprocess.run([sys.executable, "-m", "train", "--dataset", "mnist", "--epochs", "1", "--limit", "2000",
                             "--data-dir", str(empty), "--out", str(tmp_path / "run")],
                            capture_output=True, text=True, timeout=300, env={**os.environ, MIRROR_ENV: through.url})
    assert result.returncode == 0, result.stdout + result.stderr
    for raw in (data_dir / "MNIST" / "raw").iterdir():  # byte for byte the dataset
        assert md5(empty / "MNIST" / "raw" / raw.name) == md5(raw)
    assert "B/s" in result.stderr  # torchvision's progress bar
    assert sorted(p.name for p in empty.iterdir()) == ["MNIST"]  # no staging left behind
    assert (tmp_path / "run" / "model.safetensors").is_file()


def test_a_broken_download_says_why_keeps_nothing_and_the_next_try_starts_again(tmp_path, through):
    through.broken.add("FashionMNIST/t10k-labels-idx1-ubyte.gz")
    with pytest.raises(lenet.DownloadError) as failed:
        lenet.load_dataset("fashion-mnist", tmp_path, download=True)
    message = str(failed.value)
    assert message.startswith("could not download Fashion-MNIST clothes from http://127.0.0.1")
    assert "nothing was kept" in message and "\n" not in message and str(tmp_path) not in message
    assert list(tmp_path.iterdir()) == []  # no half-written files
    through.broken.clear()
    assert len(lenet.load_dataset("fashion-mnist", tmp_path, train=False, download=True)) == 10_000


def test_a_mirror_without_the_file_says_so(tmp_path, through, monkeypatch):
    monkeypatch.setenv(MIRROR_ENV, through.url + "/elsewhere")
    with pytest.raises(lenet.DownloadError, match="Not Found|404"):
        lenet.load_dataset("mnist", tmp_path, download=True)
    assert list(tmp_path.iterdir()) == []


def test_cifar10_comes_as_torchvisions_tarball(tmp_path, through, data_dir):
    images, labels = load_tensors("cifar10", tmp_path, train=False, download=True)
    expected, expected_labels = load_tensors("cifar10", data_dir, train=False, limit=CIFAR_IMAGES)
    assert images.equal(expected) and labels.equal(expected_labels)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cifar-10-batches-py"]


def test_without_download_a_missing_dataset_says_where_it_looked(tmp_path):
    with pytest.raises(lenet.DatasetError, match=r"(?s)mnist not found.*MNIST/raw.*downloaded"):
        lenet.load_dataset("mnist", tmp_path)


@pytest.mark.slow
def test_the_train_tab_downloads_then_trains(tmp_path, through, monkeypatch):
    import gradio as gr

    from demo.tabs.draw import DrawTab
    from demo.tabs.train import TrainTab
    from demo.tabs.upload import UploadTab
    from demo.training import Recipe
    from demo.zoo import Zoo

    monkeypatch.setenv("LENET_DATA_DIR", str(tmp_path))
    with gr.Blocks():
        zoo, current, yours = Zoo.load(), gr.State(), gr.State({})
        draw, upload = DrawTab(zoo, current, yours), UploadTab(zoo, current, yours)
        tab = TrainTab(yours, draw, upload, limit=2000)
    knobs = Recipe()
    updates = list(tab.on_start(knobs.dataset, knobs.model, knobs.optimizer, knobs.learning_rate, knobs.batch_size,
                                knobs.epochs, knobs.augment, knobs.activation, knobs.pooling, "mnist", {}))
    assert "Downloading MNIST digits to this server" in updates[0][tab.status]
    assert "Done in" in updates[-1][tab.status] and len(updates[-1][tab.yours]) == 1
    assert (tmp_path / "MNIST" / "raw" / "train-images-idx3-ubyte").is_file()
