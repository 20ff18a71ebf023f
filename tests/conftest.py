"""Shared fixtures: the dataset root and a tiny trained checkpoint."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from lenet.datasets import DATA_DIR_ENV


@pytest.fixture(scope="session")
def data_dir() -> Path:
    root = os.environ.get(DATA_DIR_ENV)
    if not root or not Path(root).is_dir():
        pytest.fail(f"set ${DATA_DIR_ENV} to the folder holding MNIST/, FashionMNIST/ and cifar10/ (see README)")
    return Path(root)


@pytest.fixture(scope="session")
def app_url():
    """The real app, served on a free local port for the whole session."""
    import socket

    from demo.app import build_app
    from demo.zoo import Zoo

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    app = build_app(Zoo.load()).queue()
    app.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True)
    yield f"http://127.0.0.1:{port}/"
    app.close()
