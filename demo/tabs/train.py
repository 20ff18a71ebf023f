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
from demo.render import C1_PX, C3_PX, figures, kernels_html, maps_scale, tiles_html
from demo.strings import dataset_label, dataset_name, label, language, text
from demo.tabs.draw import DATASET as DRAW_DATASET
from demo.tabs.draw import DrawTab
from demo.tabs.upload import UploadTab
from demo.training import (
    BATCH_SIZES,
    DATASETS_TO_TRAIN,
    MAX_EPOCHS,
    MODELS_TO_TRAIN,
    OPTIMIZERS,
    Finished,
    Recipe,
    RecipeError,
    TrainingJob,
    all_chosen,
    fetch_data,
    has_data,
    shown_name,
)
from lenet.datasets import dataset_spec
from lenet.errors import CheckpointError, DownloadError, LenetError
from lenet.models.lenet5 import ACTIVATIONS, POOLINGS
from lenet.preprocess import dataset_pixels
from train.data import Split
from train.engine import EVAL_BATCH_SIZE, LossExploded, Progress, evaluate

REFRESH_S = 0.5  # the page is redrawn at most this often while training
TEST_CURVE_IMAGES = 1000  # the test curve's images: measured at every redraw, a few milliseconds
MAX_OWN_MODELS = 3  # per browser session; the oldest is forgotten
PROGRESS_BAR = '<div class="train-bar"><div style="width:{percent:.1f}%"></div></div>'
DOWNLOAD_NAME = "model"  # the zip of model.safetensors + config.json
LOSS_FORMAT = ".3~g"  # d3 format: 31.1, 0.254 (not 31.094159)
ACCURACY_FORMAT = ".0%"


def named(values) -> list[tuple[str, str]]:
    """Choices shown by their names (SGD, not sgd)."""
    return [(shown_name(value), value) for value in values]


class Watch:
    """How a run looks now, through a plain model of its kind (made once per job: building one draws random
    weights from torch's global generator, which the training thread uses too): the C1 kernels, the C1/C3 maps
    of one test image, and the loss and accuracy on the first ``TEST_CURVE_IMAGES`` test images."""

    def __init__(self, recipe: Recipe) -> None:
        self.spec = dataset_spec(recipe.dataset)
        self.plain = lenet.create_model(recipe.model, in_channels=self.spec.in_channels, num_classes=self.spec.num_classes,
                                        **recipe.model_options()).eval()
        self.test = Split(*lenet.load_tensors(recipe.dataset, train=False, limit=TEST_CURVE_IMAGES))

    @torch.inference_mode()
    def look(self, progress: Progress, lang: str) -> tuple[str, dict]:
        """The pictures (HTML) and the test curve's point (scored as ``python -m train`` scores), for the model as it
        is now."""
        self.plain.load_state_dict(progress.model.state_dict())
        scores = evaluate(self.plain, self.test, self.spec.mean, self.spec.std, EVAL_BATCH_SIZE)
        point = {"epoch": epochs_done(progress), "curve": text(lang, "test_curve"), **scores}
        first = normalize(dataset_pixels(self.test.images[:1]), self.spec.mean, self.spec.std)
        stages = lenet.model_stages(self.plain, first)
        pictures = figures(kernels_html(first_layer_weight(self.plain), text(lang, "kernels")),
                           tiles_html(stages["c1"][0], text(lang, "c1_maps"), C1_PX),
                           tiles_html(stages["c3"][0], text(lang, "c3_maps"), C3_PX),
                           maps_scale(text(lang, "lowest"), text(lang, "highest"), text(lang, "maps_scale")))
        return pictures, point


def curve_plot(y: str, title: str, y_format: str, **options) -> gr.LinePlot:
    """One of the two training plots (no fixed height: Gradio 6.31 then cuts the legend off)."""
    return gr.LinePlot(x="epoch", y=y, color="curve", label=label(title), x_title=label("epoch_axis"), y_title=label(title),
                       color_title=label("curve"), y_axis_format=y_format, **options)


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
                        gr.Number(start_with.learning_rate, label=label("learning_rate")),  # Recipe.check says the range
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
                        self.loss_plot = curve_plot("loss", "loss", LOSS_FORMAT)
                        self.accuracy_plot = curve_plot("accuracy", "accuracy", ACCURACY_FORMAT, y_lim=[0, 1])
                    self.caption = gr.Markdown()
                    self.pictures = gr.HTML()
                    self.download = gr.File(label=label("download"), visible=False, elem_id="train-download")
        outputs = [self.status, self.loss_plot, self.accuracy_plot, self.caption, self.pictures, self.download, yours, draw.models,
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
            watch = Watch(recipe)
            caption = text(lang, "curves_caption", count=len(watch.test))
            for update in job:
                if isinstance(update, Finished):
                    yield self.finish(recipe, update, dict(yours or {}), upload_dataset, rows, lang)
                    return
                if update.phase in ("held-out", "test"):
                    continue  # an epoch's end being scored: the same numbers as its last step
                rows.append({"epoch": epochs_done(update), "curve": text(lang, "train_curve"), "loss": update.loss,
                             "accuracy": update.accuracy})
                if time.perf_counter() - shown >= REFRESH_S or update.phase == "scored":
                    shown = time.perf_counter()
                    pictures, point = watch.look(update, lang)
                    rows.append(point)
                    yield {self.status: progress_html(update, lang), **self.plots(rows), self.pictures: pictures,
                           self.caption: caption}
        except LenetError as error:
            yield {self.status: f'<p class="train-error">{html.escape(failure(error, lang))}</p>'}
        finally:
            self.running.pop(session, None)

    def plots(self, rows: list[dict]) -> Update:
        table = pd.DataFrame(rows, columns=["epoch", "curve", "loss", "accuracy"])
        return {self.loss_plot: table, self.accuracy_plot: table}

    def finish(self, recipe: Recipe, finished: Finished, yours: dict, upload_dataset: str, rows: list[dict], lang: str) -> Update:
        name = recipe.name(finished.predictor.meta, lang)
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
    if isinstance(error, RecipeError):
        return error.words(lang)
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


def epochs_done(progress: Progress) -> float:
    """Where the run is, in epochs (2.5: half way through the third)."""
    return progress.epoch - 1 + progress.step / max(progress.steps, 1)


def progress_html(progress: Progress, lang: str) -> str:
    done = epochs_done(progress) / progress.epochs
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
