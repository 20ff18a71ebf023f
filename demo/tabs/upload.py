"""The Upload tab: any image file or a real test image, classified by the variants of the dataset it looks like.

A new file's dataset is picked by ``lenet.identify`` (the page says so); the
person may pick another. When the image looks like another dataset than the one
chosen, or like none, the page says so beside the answers.
"""
from __future__ import annotations

import gradio as gr

from demo.cards import ResultPanel, Update
from demo.examples import example_entries
from demo.offload import inline_unless_large
from demo.strings import (
    DEFAULT_LANGUAGE,
    class_names,
    dataset_label,
    dataset_name,
    label,
    language,
    text,
)
from demo.training import all_chosen, own_models
from demo.zoo import Zoo
from lenet import LenetError
from lenet.identify import Identification
from lenet.preprocess import ImageSource, open_image

EXAMPLE_COLUMNS = 10


def decoded(path: str | None) -> ImageSource | None:
    """The file decoded once for both the identifier and the recipe; a file that cannot be read stays a path, so
    that the recipe says why in words."""
    if path is None:
        return None
    try:
        return open_image(path)
    except LenetError:
        return path


class UploadTab:
    def __init__(self, zoo: Zoo, current: gr.State, yours: gr.State) -> None:
        self.zoo = zoo
        first = zoo.datasets[0] if zoo.datasets else None
        self.examples = [example for example in example_entries() if example[1] in zoo.datasets]
        with gr.Tab(label("tab_upload"), id="upload"):
            with gr.Row():
                with gr.Column(scale=1, min_width=300):
                    self.file = gr.File(label=label("upload_label"), file_types=["image"], type="filepath",
                                        elem_id="upload")
                    self.dataset = gr.Radio([(dataset_label(d), d) for d in zoo.datasets], value=first,
                                            label=label("which_dataset"))
                    self.panel = ResultPanel(current, hint="upload_hint", blank="blank", elem_id="upload-answers")
                with gr.Column(scale=3, elem_id="upload-results"):
                    self.models = gr.CheckboxGroup(zoo.models(first), value=zoo.models(first), label=label("models"))
                    self.panel.add_cards("upload-cards")
            self.gallery = gr.Gallery(self.captioned(DEFAULT_LANGUAGE), label=label("examples"), columns=EXAMPLE_COLUMNS,
                                      height="auto", allow_preview=False, elem_id="examples")
        classify = dict(fn=self.on_upload, inputs=[self.file, self.dataset, self.models, yours], outputs=self.panel.components,
                        trigger_mode="always_last", api_visibility="private")
        # Each trigger runs after the dataset's models are in place, so no request sees a stale list.
        self.file.upload(self.on_new_file, [self.file, self.dataset, self.models, yours], [self.dataset, self.models, *self.panel.components],
                         trigger_mode="always_last", api_visibility="private")
        self.file.clear(**classify)
        self.gallery.select(self.on_example, yours, [self.file, self.dataset, self.models], api_visibility="private").then(**classify)
        self.dataset.input(self.choices, [self.dataset, yours], self.models, api_visibility="private").then(**classify)
        self.models.input(**classify)

    async def on_upload(self, path: str | None, dataset: str | None, models: list[str], yours: dict | None = None,
                        request: gr.Request | None = None) -> Update:
        """Classify with ``dataset``'s chosen variants (no dataset: the one the image looks like), saying so when the
        image looks like another dataset or none. Inline on the event loop unless the file is slow to decode."""
        lang = language(request)

        def answer() -> Update:
            image = decoded(path)
            identity = self.identify(image)
            chosen = dataset or self.pick(identity, None)
            return self.panel.answer(self.zoo, image, chosen, self.chosen(chosen, models, yours), lang,
                                     own_models(yours, chosen), self.note(identity, chosen, not dataset, lang), preview=True)

        return await inline_unless_large(path, answer)

    async def on_new_file(self, path: str | None, dataset: str, models: list[str], yours: dict | None = None,
                          request: gr.Request | None = None) -> Update:
        """A new upload: pick the dataset it looks like (the chosen variants stay when it is the same one), show
        the answers and say what was picked."""
        lang = language(request)

        def answer() -> Update:
            image = decoded(path)
            identity = self.identify(image)
            picked = self.pick(identity, dataset)
            chosen = self.chosen(picked, models if picked == dataset else [], yours)
            shown = self.panel.answer(self.zoo, image, picked, chosen, lang, own_models(yours, picked),
                                      self.note(identity, picked, True, lang), preview=True)
            every = self.chosen(picked, [], yours)
            return {self.dataset: picked, self.models: gr.CheckboxGroup(choices=every, value=chosen), **shown}

        return await inline_unless_large(path, answer)

    def identify(self, image: ImageSource | None) -> Identification | None:
        """What the image looks like, or None when there is no identifier or nothing readable to look at."""
        if image is None or self.zoo.identifier is None:
            return None
        try:
            return self.zoo.identifier(image)
        except LenetError:  # the classifiers' recipe will say what is wrong with the file
            return None

    def pick(self, identity: Identification | None, current: str | None) -> str:
        """The dataset the image looks like if the app has its models, else the one already chosen."""
        if identity is not None and identity.dataset in self.zoo.datasets:
            return identity.dataset
        return current if current in self.zoo.datasets else self.zoo.datasets[0]

    def chosen(self, dataset: str, models: list[str], yours: dict | None) -> list[str]:
        """The variants asked for that ``dataset`` has (shipped or the session's own); none of them: all."""
        available = self.zoo.models(dataset) + list(own_models(yours, dataset))
        return [m for m in models if m in available] or available  # another dataset's models: use all

    def note(self, identity: Identification | None, dataset: str, picked: bool, lang: str) -> str:
        """What the image looks like, beside the answers: picked for you, unlike your choice, or like none."""
        if identity is None or dataset not in self.zoo.datasets:  # no identifier, or the dataset is refused anyway
            return ""
        if identity.dataset is None:
            return text(lang, "looks_like_none")
        seen = dataset_name(lang, identity.dataset)
        score = identity.scores[identity.dataset]
        if identity.dataset != dataset:
            return text(lang, "looks_like_other", seen=seen, chosen=dataset_name(lang, dataset), score=score)
        return text(lang, "picked", seen=seen, score=score) if picked else ""

    def captioned(self, lang: str) -> list[tuple[str, str]]:
        """The examples, each captioned with its class and dataset in ``lang``."""
        return [(path, f"{class_names(lang, dataset)[index]} · {dataset_name(lang, dataset)}")
                for path, dataset, index in self.examples]

    def greet(self, request: gr.Request | None = None) -> gr.Gallery:
        """On page load: the examples' captions in the visitor's language."""
        return gr.Gallery(self.captioned(language(request)))

    def on_example(self, yours: dict | None, event: gr.SelectData) -> Update:
        path, dataset, _ = self.examples[event.index]
        return {self.file: path, self.dataset: dataset, self.models: self.choices(dataset, yours)}

    def choices(self, dataset: str, yours: dict | None = None) -> gr.CheckboxGroup:
        return all_chosen(self.zoo, dataset, yours)
