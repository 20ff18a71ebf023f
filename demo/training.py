"""Training jobs behind the Train tab and ``/train``: the training package's own ``fit``, run in a thread.

One job at a time per process (``JOB_LOCK``; Gradio's queue shows the others their place),
bounded in epochs and wall time, writing only into a temporary folder that is
deleted when the browser session that owns the model ends.
"""
from __future__ import annotations

import logging
import queue
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import gradio as gr

import lenet
from demo.assets import ASSETS
from demo.forms import form_address
from demo.strings import DEFAULT_LANGUAGE, text
from demo.zoo import Zoo
from lenet.browser_form import save_browser_form
from lenet.errors import DatasetError, LenetError
from train.config import TrainConfig
from train.engine import Progress
from train.run import fit

DATASETS_TO_TRAIN = ("mnist", "fashion-mnist")  # 28x28 grayscale: an epoch takes seconds on a CPU
MODELS_TO_TRAIN = ("lenet5-1998", "lenet5", "lenet5-modern")
OPTIMIZERS = ("sgd", "adam")
BATCH_SIZES = (32, 64, 128, 256, 512)
MAX_EPOCHS = 5
MAX_SECONDS = 300  # a job is stopped (keeping what it learnt) after this long
LEARNING_RATES = (1e-5, 100.0)  # the range accepted: wide enough to watch a loss explode
HELD_OUT = 2000  # training images held out for the held-out curve
DISPLAY_NAMES = {"sgd": "SGD", "adam": "Adam", "relu": "ReLU"}  # how the knobs' values are written, where not as they are
JOB_LOCK = threading.Lock()
POLL_S = 0.1
LOG = logging.getLogger(__name__)


@dataclass
class Recipe:
    """What a person chose in the Train tab (or sent to /train)."""

    dataset: str = "mnist"
    model: str = "lenet5"
    optimizer: str = "adam"
    learning_rate: float = 1e-3
    batch_size: int = 64
    epochs: int = 1
    augment: bool = False
    activation: str = "tanh"  # lenet5 only
    pooling: str = "avg"  # lenet5 only
    limit: int | None = None  # the first N training and test images only (the server's choice, for tests)

    def check(self) -> None:
        """Refuse anything out of range in plain words, before a job starts."""
        for knob, value, allowed in (("dataset", self.dataset, DATASETS_TO_TRAIN), ("variant", self.model, MODELS_TO_TRAIN),
                                     ("optimizer", self.optimizer, OPTIMIZERS), ("batch_size", self.batch_size, BATCH_SIZES)):
            if value not in allowed:
                raise RecipeError("bad_choice", knob, allowed=", ".join(map(str, allowed)), value=value)
        low, high = LEARNING_RATES
        for knob, value in (("learning_rate", self.learning_rate), ("epochs", self.epochs)):
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise RecipeError("not_a_number", knob)
        if not low <= self.learning_rate <= high:
            raise RecipeError("bad_learning_rate", "learning_rate", low=low, high=high, value=self.learning_rate)
        if not 1 <= self.epochs <= MAX_EPOCHS or int(self.epochs) != self.epochs:
            raise RecipeError("bad_epochs", "epochs", high=MAX_EPOCHS, value=self.epochs)

    def model_options(self) -> dict[str, str]:
        """The activation and pooling knobs apply to lenet5 only."""
        return dict(activation=self.activation, pooling=self.pooling) if self.model == "lenet5" else {}

    def config(self, out: Path) -> TrainConfig:
        return TrainConfig(dataset=self.dataset, model=self.model, optimizer=self.optimizer, lr=self.learning_rate,
                           batch_size=self.batch_size, epochs=int(self.epochs), augment=self.augment, schedule="none",
                           weight_decay=0.0, val_size=HELD_OUT, out=str(out), device="cpu", limit=self.limit,
                           **self.model_options())

    def name(self, meta: dict[str, Any], lang: str) -> str:
        """How the trained model (its checkpoint's ``meta``) is called beside the shipped ones: the epochs it
        trained, a fraction when stopped early."""
        shape = f" {self.activation}/{self.pooling}" if self.model == "lenet5" else ""
        trained = meta.get("epochs_trained", meta["epoch"])
        return text(lang, "own_model", model=f"{self.model}{shape}", optimizer=shown_name(self.optimizer),
                    learning_rate=self.learning_rate, epochs=text(lang, "epoch_count" if trained == 1 else "epochs_count",
                                                                  count=trained), accuracy=meta["test_accuracy"])


class RecipeError(LenetError):
    """A knob out of range, told in the visitor's language (``words``); its message is the English words."""

    def __init__(self, key: str, knob: str, **values: object) -> None:
        self.key, self.knob, self.values = key, knob, values
        super().__init__(self.words(DEFAULT_LANGUAGE))

    def words(self, lang: str) -> str:
        return text(lang, self.key, name=text(lang, self.knob), **self.values)


def shown_name(value: str) -> str:
    """A knob's value as it is written (SGD, not sgd)."""
    return DISPLAY_NAMES.get(value, value)


def has_data(dataset: str) -> bool:
    """Whether this server has ``dataset`` (else the first run downloads it)."""
    try:
        lenet.load_dataset(dataset, train=False)
    except DatasetError:
        return False
    return True


def fetch_data(dataset: str) -> None:
    """Download ``dataset`` (both splits: one download) into the data folder; raises ``DownloadError``."""
    lenet.load_dataset(dataset, train=True, download=True)


@dataclass
class Finished:
    predictor: lenet.Predictor
    folder: Path  # the run folder: model.safetensors, config.json, browser form, last.pt, plots
    seconds: float
    stopped: bool  # by Stop or by the time limit
    form: str | None = None  # where the page finds its browser form (demo/forms.py)

    @classmethod
    def of(cls, folder: Path, seconds: float, stopped: bool) -> Finished:
        """The trained model, its browser form written beside it and served to the page."""
        predictor = lenet.from_pretrained(folder)
        save_browser_form(folder, predictor.model, predictor.meta)
        return cls(predictor, folder, seconds, stopped, form_address(folder))

    def discard(self) -> None:
        if self.form is not None:
            ASSETS.discard(self.form.rsplit("/", 1)[0])
        shutil.rmtree(self.folder, ignore_errors=True)


@dataclass
class TrainingJob:
    """``fit`` in a thread; iterate over it for ``Progress`` as it comes, then one ``Finished``."""

    recipe: Recipe
    folder: Path | None = None  # made when the job starts
    stop: threading.Event = field(default_factory=threading.Event)

    def __iter__(self) -> Iterator[Progress | Finished]:
        """Whatever ends the iteration early (an error, a closed browser) stops the thread and deletes the folder."""
        self.recipe.check()
        with JOB_LOCK:
            self.folder = Path(tempfile.mkdtemp(prefix="lenet-lab-train-"))
            updates: queue.Queue[Any] = queue.Queue()
            start = time.perf_counter()
            thread = threading.Thread(target=self._run, args=(updates,), daemon=True)
            thread.start()
            finished = False
            try:
                while thread.is_alive() or not updates.empty():
                    if time.perf_counter() - start > MAX_SECONDS:
                        self.stop.set()
                    try:
                        update = updates.get(timeout=POLL_S)
                    except queue.Empty:
                        continue
                    if isinstance(update, Exception):
                        raise update
                    yield update
                finished = True
                yield Finished.of(self.folder, time.perf_counter() - start, self.stop.is_set())
            finally:
                self.stop.set()  # a no-op once fit has returned
                if thread is not threading.current_thread():  # the cyclic GC may close this generator from any thread
                    thread.join()
                if not finished:
                    self.discard()

    def _run(self, updates: queue.Queue) -> None:
        try:
            fit(self.recipe.config(self.folder), on_progress=updates.put, stop=self.stop, reports=False)  # no plots: seconds
        except LenetError as error:
            updates.put(error)
        except Exception:  # a bug must not leave the page waiting: the log has the details, the page one line
            LOG.exception("training job failed")
            updates.put(LenetError("training failed unexpectedly; the server log has the details"))

    def discard(self) -> None:
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)


def own_models(yours: dict[str, Finished] | None, dataset: str | None = None) -> dict[str, lenet.Predictor]:
    """The session's trained models by name (of ``dataset`` only, if given)."""
    return {name: f.predictor for name, f in (yours or {}).items() if dataset in (None, f.predictor.meta["dataset"])}


def all_chosen(zoo: Zoo, dataset: str, yours: dict[str, Finished] | None) -> gr.CheckboxGroup:
    """A models checkbox group listing the dataset's shipped variants and the session's own, all chosen."""
    names = zoo.models(dataset) + list(own_models(yours, dataset))
    return gr.CheckboxGroup(choices=names, value=names)


def forget(models: dict[str, Finished] | None) -> None:
    """A browser session ended: delete its models' folders and stop serving their forms (Gradio frees the rest)."""
    for finished in (models or {}).values():
        finished.discard()

