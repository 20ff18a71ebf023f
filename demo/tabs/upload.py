"""The Upload tab: any image file or a real test image, classified by the chosen dataset's variants."""
from __future__ import annotations

import gradio as gr

from demo.cards import ResultPanel, Update
from demo.examples import example_entries
from demo.offload import inline_unless_large
from demo.strings import label, language
from demo.training import all_chosen, own_models
from demo.zoo import Zoo
from lenet.datasets import dataset_spec

EXAMPLE_COLUMNS = 10


class UploadTab:
    def __init__(self, zoo: Zoo, current: gr.State, yours: gr.State, cards: int) -> None:
        self.zoo = zoo
        first = zoo.datasets[0] if zoo.datasets else None
        self.examples = [example for example in example_entries() if example[1] in zoo.datasets]
        with gr.Tab(label("tab_upload"), id="upload"):
            with gr.Row():
                with gr.Column(scale=1, min_width=300):
                    self.file = gr.File(label=label("upload_label"), file_types=["image"], type="filepath",
                                        elem_id="upload")
                    self.dataset = gr.Radio([(dataset_spec(d).display_name, d) for d in zoo.datasets], value=first,
                                            label=label("which_dataset"))
                    self.panel = ResultPanel(current, hint="upload_hint", blank="blank", elem_id="upload-answers")
                with gr.Column(scale=3, elem_id="upload-results"):
                    self.models = gr.CheckboxGroup(zoo.models(first), value=zoo.models(first), label=label("models"))
                    self.panel.add_cards(cards)
            gallery = gr.Gallery([(path, caption) for path, _, caption in self.examples], label=label("examples"),
                                 columns=EXAMPLE_COLUMNS, height="auto", allow_preview=False, elem_id="examples")
        classify = dict(fn=self.on_upload, inputs=[self.file, self.dataset, self.models, yours], outputs=self.panel.components,
                        trigger_mode="always_last", api_visibility="private")
        # Each trigger runs after the dataset's models are in place, so no request sees a stale list.
        self.file.upload(**classify)
        self.file.clear(**classify)
        gallery.select(self.on_example, yours, [self.file, self.dataset, self.models], api_visibility="private").then(**classify)
        self.dataset.input(self.choices, [self.dataset, yours], self.models, api_visibility="private").then(**classify)
        self.models.input(**classify)

    async def on_upload(self, path: str | None, dataset: str, models: list[str], yours: dict | None = None,
                        request: gr.Request | None = None) -> Update:
        """Inline on the event loop unless the file is slow to decode (demo.offload)."""
        own = own_models(yours, dataset)
        available = self.zoo.models(dataset) + list(own)
        chosen = [m for m in models if m in available] or available  # another dataset's models: use all
        lang = language(request)
        return await inline_unless_large(path, lambda: self.panel.answer(self.zoo, path, dataset, chosen, lang, own))

    def on_example(self, yours: dict | None, event: gr.SelectData) -> Update:
        path, dataset, _ = self.examples[event.index]
        return {self.file: path, self.dataset: dataset, self.models: self.choices(dataset, yours)}

    def choices(self, dataset: str, yours: dict | None = None) -> gr.CheckboxGroup:
        return all_chosen(self.zoo, dataset, yours)
