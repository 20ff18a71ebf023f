"""The documented API: ``/classify`` (one variant's answer), ``/compare`` (what the Upload tab shows),
``/identify`` (which dataset an image looks like) and ``/train`` (train a LeNet, streaming its progress)."""
from __future__ import annotations

import time
from dataclasses import asdict
from typing import Iterator

import gradio as gr

from demo.compare import TOP_CLASSES, classify
from demo.offload import inline_unless_large
from demo.tabs.upload import UploadTab
from demo.training import Finished, Recipe, TrainingJob
from demo.zoo import Zoo
from lenet import LenetError

STREAM_INTERVAL_S = 0.25  # /train sends progress at most this often


class Api:
    def __init__(self, zoo: Zoo, upload: UploadTab, train_limit: int | None = None) -> None:
        self.zoo, self.train_limit = zoo, train_limit
        with gr.Column(visible=False):
            image = gr.File(type="filepath")
            dataset, model = gr.Textbox(), gr.Textbox()
            models = gr.Dropdown(sorted({m for d in zoo.datasets for m in zoo.models(d)}), multiselect=True)
            answer = gr.Label(num_top_classes=TOP_CLASSES)
            identity = gr.JSON()
            optimizer, learning_rate, epochs, progress = gr.Textbox(), gr.Number(), gr.Number(), gr.JSON()
            classify_button, compare_button, identify_button, train_button = (gr.Button() for _ in range(4))
        classify_button.click(self.classify, [image, dataset, model], answer, api_name="classify")
        identify_button.click(self.identify, image, identity, api_name="identify")
        # /compare: dataset "" lets the identifier pick it (MNIST where the server has none), as the Upload tab does.
        compare_button.click(upload.on_upload, [image, dataset, models], upload.panel.components, api_name="compare")
        train_button.click(self.train, [dataset, model, optimizer, learning_rate, epochs], progress, api_name="train",
                           concurrency_limit=1, concurrency_id="train")  # one job at a time, shared with the Train tab

    async def classify(self, image: str | None, dataset: str, model: str) -> dict[str, float]:
        """Classify an image file with one variant. dataset: mnist, fashion-mnist or cifar10."""
        if image is None:
            raise gr.Error("no image was sent")
        try:
            return await inline_unless_large(image, lambda: classify(self.zoo, image, dataset, model))
        except LenetError as error:
            raise gr.Error(str(error)) from None

    async def identify(self, image: str | None) -> dict:
        """Which dataset an image file looks like: {"dataset": "mnist", "fashion-mnist", "cifar10" or null (none of
        them), "scores": {kind: probability}}."""
        if image is None:
            raise gr.Error("no image was sent")
        if self.zoo.identifier is None:
            raise gr.Error("this server has no identifier model (checkpoints/identify)")
        try:
            return await inline_unless_large(image, lambda: asdict(self.zoo.identifier(image)))
        except LenetError as error:
            raise gr.Error(str(error)) from None

    def train(self, dataset: str, model: str, optimizer: str, learning_rate: float, epochs: float) -> Iterator[dict]:
        """Train a LeNet (dataset: mnist or fashion-mnist; model: lenet5-1998, lenet5 or lenet5-modern; optimizer:
        sgd or adam; 1-5 epochs). Yields {epoch, step, steps, loss, accuracy, phase}; the last also test_accuracy and
        seconds."""
        recipe = Recipe(dataset, model, optimizer, float(learning_rate or 0), epochs=epochs or 0, limit=self.train_limit)
        job = TrainingJob(recipe)
        latest: dict = {}
        shown = 0.0
        try:
            for update in job:
                if isinstance(update, Finished):
                    meta = update.predictor.meta
                    yield {**latest, "test_accuracy": meta["test_accuracy"], "seconds": round(update.seconds, 2)}
                    return
                latest = {"epoch": update.epoch, "step": update.step, "steps": update.steps, "loss": update.loss,
                          "accuracy": update.accuracy, "phase": update.phase}
                if time.perf_counter() - shown >= STREAM_INTERVAL_S or update.phase != "training":
                    shown = time.perf_counter()
                    yield latest
        except LenetError as error:
            raise gr.Error(str(error)) from None
        finally:
            job.discard()  # the caller gets numbers, not the model
