"""The Train tab and ``/train``: train your own LeNet live, then compare it with the shipped ones."""
from __future__ import annotations

import html
import shutil
import time
from typing import Iterator

import gradio as gr
import pandas as pd
import torch
from torchvision.transforms.v2.functional import normalize

import lenet
from demo.cards import Update
from demo.explore import first_layer_weight
from demo.render import C1_PX, C3_PX, figures, kernels_html, tiles_html
from demo.strings import dataset_label, dataset_name, label, language, text
from demo.tabs.draw import DATASET as DRAW_DATASET
from demo.tabs.draw import DrawTab
from demo.tabs.upload import UploadTab
from demo.training import (
    BATCH_SIZES,
    DATASETS_TO_TRAIN,
    LEARNING_RATES,
    MAX_EPOCHS,
    MODELS_TO_TRAIN,
    OPTIMIZERS,
    Finished,
    Recipe,
    TrainingJob,
    all_chosen,
    fetch_data,
    has_data,
)
from lenet.datasets import dataset_spec
from lenet.errors import CheckpointError, DownloadError, LenetError
from lenet.models.lenet5 import ACTIVATIONS, POOLINGS
from lenet.preprocess import dataset_pixels
from train.engine import LossExploded, Progress

REFRESH_S = 0.5  # the page is redrawn at most this often while training
MAX_OWN_MODELS = 3  # per browser session; the oldest is forgotten
PROGRESS_BAR = '<div class="train-bar"><div style="width:{percent:.1f}%"></div></div>'
DOWNLOAD_NAME = "model"  # the zip of model.safetensors + config.json
NAMES = {"sgd": "SGD", "adam": "Adam", "relu": "ReLU"}  # how the knobs' values are written, where not as they are


def named(values) -> list[tuple[str, str]]:
    """Choices shown by their names (SGD, not sgd)."""
    return [(NAMES.get(value, value), value) for value in values]


def first_test_image(dataset: str) -> torch.Tensor:
    images, _ = lenet.load_tensors(dataset, train=False, limit=1)
    return dataset_pixels(images)


def plain_model(recipe: Recipe) -> torch.nn.Module:
    """A model of the recipe's kind to copy the training weights into for pictures (made once per job: building
    one draws random weights from torch's global generator, which the training thread uses too)."""
    spec = dataset_spec(recipe.dataset)
    return lenet.create_model(recipe.model, in_channels=spec.in_channels, num_classes=spec.num_classes,
                              **recipe.model_options()).eval()


@torch.inference_mode()
def snapshot(progress: Progress, plain: torch.nn.Module, spec: lenet.DatasetSpec, image: torch.Tensor, lang: str) -> str:
    """The C1 kernels as they are now, and the C1/C3 maps of one fixed test image (through a plain copy)."""
    plain.load_state_dict(progress.model.state_dict())
    stages = lenet.model_stages(plain, normalize(image, spec.mean, spec.std))
    return figures(kernels_html(first_layer_weight(plain), text(lang, "kernels")),
                   tiles_html(stages["c1"][0], text(lang, "c1_maps"), C1_PX), tiles_html(stages["c3"][0], text(lang, "c3_maps"), C3_PX))


class TrainTab:
    def __init__(self, yours: gr.State, draw: DrawTab, upload: UploadTab, limit: int | None = None) -> None:
        self.yours, self.draw, self.upload, self.limit = yours, draw, upload, limit
        self.running: dict[str, TrainingJob] = {}  # by browser session, for Stop
        with gr.Tab(label("tab_train"), id="train"):
            gr.Markdown(label("train_intro"))
            with gr.Row():
                with gr.Column(scale=1, min_width=300):
                    start_with = Recipe()
                    self.knobs = [
                        gr.Radio([(dataset_label(d), d) for d in DATASETS_TO_TRAIN], value=start_with.dataset,
                                 label=label("dataset")),
                        gr.Dropdown(list(MODELS_TO_TRAIN), value=start_with.model, label=label("variant")),
                        gr.Radio(named(OPTIMIZERS), value=start_with.optimizer, label=label("optimizer")),
                        gr.Number(start_with.learning_rate, label=label("learning_rate"), minimum=LEARNING_RATES[0],
                                  maximum=LEARNING_RATES[1]),
                        gr.Dropdown(list(BATCH_SIZES), value=start_with.batch_size, label=label("batch_size")),
                        gr.Slider(1, MAX_EPOCHS, value=start_with.epochs, step=1, label=label("epochs")),
                        gr.Checkbox(start_with.augment, label=label("augment")),
                        gr.Radio(named(ACTIVATIONS), value=start_with.activation, label=label("activation")),
                        gr.Radio(list(POOLINGS), value=start_with.pooling, label=label("pooling")),
                    ]
                    with gr.Row():
                        start = gr.Button(label("start"), variant="primary", elem_id="train-start")
                        stop = gr.Button(label("stop"), elem_id="train-stop")
                with gr.Column(scale=2):
                    self.status = gr.HTML(elem_id="train-status")
                    with gr.Row():
                        self.loss_plot = gr.LinePlot(x="epoch", y="loss", color="curve", label=label("loss"), height=260)
                        self.accuracy_plot = gr.LinePlot(x="epoch", y="accuracy", color="curve", y_lim=[0, 1],
                                                         label=label("accuracy"), height=260)
                    self.pictures = gr.HTML()
                    self.download = gr.File(label=label("download"), visible=False)
        outputs = [self.status, self.loss_plot, self.accuracy_plot, self.pictures, self.download, yours, draw.models,
                   draw.sketch, upload.models]
        start.click(self.on_start, [*self.knobs, upload.dataset, yours], outputs, concurrency_limit=1,
                    concurrency_id="train", api_visibility="private")
        stop.click(self.on_stop, None, None, api_visibility="private")

    def on_start(self, dataset: str, model: str, optimizer: str, learning_rate: float, batch_size: int, epochs: int,
                 augment: bool, activation: str, pooling: str, upload_dataset: str, yours: dict | None,
                 request: gr.Request | None = None, progress: gr.Progress = gr.Progress(track_tqdm=True)) -> Iterator[Update]:
        """Stream the run: the dataset's download first if this server lacks it (torchvision's progress bar, tracked
        by ``progress``), then progress, curves and pictures at most every ``REFRESH_S``; then the new model joins
        the others."""
        lang, session = language(request), session_of(request)
        recipe = Recipe(dataset, model, optimizer, learning_rate, batch_size, epochs, augment, activation, pooling,
                        limit=self.limit)
        job = TrainingJob(recipe)
        self.running[session] = job
        rows: list[dict] = []
        shown = 0.0
        try:
            recipe.check()
            if not has_data(recipe.dataset):
                yield {self.status: f"<p>{text(lang, 'downloading', name=dataset_name(lang, recipe.dataset))}</p>"}
                fetch_data(recipe.dataset)
            image, plain, spec = first_test_image(recipe.dataset), plain_model(recipe), dataset_spec(recipe.dataset)
            for update in job:
                if isinstance(update, Finished):
                    yield self.finish(recipe, update, dict(yours or {}), upload_dataset, rows, lang)
                    return
                rows += curve_points(update)
                if time.perf_counter() - shown >= REFRESH_S or update.val_accuracy is not None:
                    shown = time.perf_counter()
                    yield {self.status: progress_html(update, lang), **self.plots(rows),
                           self.pictures: snapshot(update, plain, spec, image, lang)}
        except LenetError as error:
            yield {self.status: f'<p class="train-error">{html.escape(failure(error, lang))}</p>'}
        finally:
            self.running.pop(session, None)

    def plots(self, rows: list[dict]) -> Update:
        table = pd.DataFrame(rows, columns=["epoch", "curve", "loss", "accuracy"])
        return {self.loss_plot: table.dropna(subset=["loss"]), self.accuracy_plot: table.dropna(subset=["accuracy"])}

    def finish(self, recipe: Recipe, finished: Finished, yours: dict, upload_dataset: str, rows: list[dict], lang: str) -> Update:
        name = recipe.name(finished.predictor.meta["test_accuracy"])
        if name in yours:  # the same recipe again: the new one replaces it
            yours.pop(name).discard()
        yours[name] = finished
        while len(yours) > MAX_OWN_MODELS:
            yours.pop(next(iter(yours))).discard()
        archive = zip_model(finished)
        done = text(lang, "train_stopped" if finished.stopped else "train_done", name=name, seconds=finished.seconds)
        return {self.status: f"<p>{done}</p>", **self.plots(rows), self.download: gr.File(archive, visible=True),
                self.yours: yours, self.draw.models: all_chosen(self.draw.zoo, DRAW_DATASET, yours),
                self.draw.sketch: self.draw.joined(yours),
                self.upload.models: all_chosen(self.draw.zoo, upload_dataset, yours)}

    def on_stop(self, request: gr.Request | None = None) -> None:
        job = self.running.get(session_of(request))
        if job is not None:
            job.stop.set()


def failure(error: LenetError, lang: str) -> str:
    """Why a run stopped, in the visitor's language where the app knows the reason (else the library's words)."""
    if isinstance(error, DownloadError):
        return text(lang, "download_failed", name=dataset_name(lang, error.dataset), reason=error.reason)
    if isinstance(error, CheckpointError):  # the trained model could not be read back: its message names a path
        return text(lang, "train_failed")
    if isinstance(error, LossExploded):
        return text(lang, "train_exploded", loss=error.shown, step=error.step)
    return str(error)


def session_of(request: gr.Request | None) -> str:
    """Whose job it is: the browser session (one name for calls made without a browser)."""
    return getattr(request, "session_hash", None) or "local"


def curve_points(progress: Progress) -> list[dict]:
    """The running train numbers while training; the held-out accuracy once an epoch is scored."""
    if progress.phase in ("held-out", "test"):
        return []
    at = progress.epoch - 1 + progress.step / max(progress.steps, 1)
    points = [{"epoch": at, "curve": "train", "loss": progress.loss, "accuracy": progress.accuracy}]
    if progress.val_accuracy is not None:
        points.append({"epoch": at, "curve": "held-out", "loss": None, "accuracy": progress.val_accuracy})
    return points


def progress_html(progress: Progress, lang: str) -> str:
    done = (progress.epoch - 1 + progress.step / max(progress.steps, 1)) / progress.epochs
    line = text(lang, "train_progress", epoch=progress.epoch, epochs=progress.epochs, step=progress.step,
                steps=progress.steps, loss=progress.loss, accuracy=progress.accuracy)
    return PROGRESS_BAR.format(percent=100 * done) + f"<p>{line}</p>"


def zip_model(finished: Finished) -> str:
    """model.safetensors and config.json in one zip: unzipped, a folder that lenet.from_pretrained and
    python -m train.evaluate read."""
    staging = finished.folder / DOWNLOAD_NAME
    staging.mkdir(exist_ok=True)
    for file in ("model.safetensors", "config.json"):
        shutil.copyfile(finished.folder / file, staging / file)
    return shutil.make_archive(str(finished.folder / DOWNLOAD_NAME), "zip", finished.folder, DOWNLOAD_NAME)
