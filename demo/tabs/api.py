"""The documented API: ``/classify`` (one variant's answer) and ``/compare`` (what the Upload tab shows)."""
from __future__ import annotations

import gradio as gr

from demo.compare import TOP_CLASSES, classify
from demo.offload import inline_unless_large
from demo.tabs.upload import UploadTab
from demo.zoo import Zoo
from lenet import LenetError


class Api:
    def __init__(self, zoo: Zoo, upload: UploadTab) -> None:
        self.zoo = zoo
        with gr.Column(visible=False):
            image = gr.File(type="filepath")
            dataset, model = gr.Textbox(), gr.Textbox()
            models = gr.Dropdown(sorted({m for d in zoo.datasets for m in zoo.models(d)}), multiselect=True)
            answer = gr.Label(num_top_classes=TOP_CLASSES)
            classify_button, compare_button = gr.Button(), gr.Button()
        classify_button.click(self.classify, [image, dataset, model], answer, api_name="classify")
        compare_button.click(upload.on_upload, [image, dataset, models], upload.panel.components, api_name="compare")

    async def classify(self, image: str | None, dataset: str, model: str) -> dict[str, float]:
        """Classify an image file with one variant. dataset: mnist, fashion-mnist or cifar10."""
        if image is None:
            raise gr.Error("no image was sent")
        try:
            return await inline_unless_large(image, lambda: classify(self.zoo, image, dataset, model))
        except LenetError as error:
            raise gr.Error(str(error)) from None
