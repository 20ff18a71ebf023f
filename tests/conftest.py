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
    from demo.serving import launch_app

    app, url = launch_app()
    yield url
    app.close()
