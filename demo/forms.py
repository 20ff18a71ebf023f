"""The models the page runs itself: each variant's browser form (lenet/browser_form.py), served by the app, listed
for the Draw tab with what its card says about it."""
from __future__ import annotations

import logging
from pathlib import Path

from demo.assets import ASSETS
from lenet import Predictor
from lenet.browser_form import FORM_NAME, FORM_WEIGHTS_NAME

LOG = logging.getLogger(__name__)


def form_address(folder: Path) -> str | None:
    """Where the page finds the browser form in ``folder`` (relative to the page), or None without one: the
    server then answers for that model."""
    try:
        return ASSETS.add_folder(folder, [FORM_NAME, FORM_WEIGHTS_NAME]) + FORM_NAME
    except OSError:
        LOG.warning("%s has no readable browser form; the server answers for it", folder.name)
        return None


def page_model(name: str, predictor: Predictor, form: str | None) -> dict:
    return {"name": name, "form": form, "accuracy": predictor.meta["test_accuracy"], "params": predictor.params}
