"""The Draw tab: a canvas, and the MNIST variants answering as you draw."""
from __future__ import annotations

import gradio as gr

from demo.cards import ResultPanel, Update
from demo.sketch import sketch_image, sketchpad
from demo.strings import TRANSLATIONS, label, language
from demo.training import own_models
from demo.zoo import Zoo
from lenet import InputError

DATASET = "mnist"
CANVAS_WORDS = {"label": "draw_label", "undo": "undo", "clear": "clear"}  # the canvas's words -> string keys


class DrawTab:
    def __init__(self, zoo: Zoo, current: gr.State, yours: gr.State, cards: int) -> None:
        self.zoo = zoo
        with gr.Tab(label("tab_draw"), id="draw"):
            with gr.Row():
                with gr.Column(scale=1, min_width=300):
                    self.sketch = sketchpad({lang: {word: words[key] for word, key in CANVAS_WORDS.items()}
                                             for lang, words in TRANSLATIONS.items()})
                    self.panel = ResultPanel(current, hint="draw_hint", blank="draw_hint", elem_id="draw-answers")  # cleared: draw again
                with gr.Column(scale=3, elem_id="draw-results"):
                    self.models = gr.CheckboxGroup(zoo.models(DATASET), value=zoo.models(DATASET), label=label("models"))
                    self.panel.add_cards(cards)
        for event in (self.sketch.change, self.models.change):
            event(self.on_draw, [self.sketch, self.models, yours], self.panel.components, show_progress="hidden",
                  trigger_mode="always_last", api_visibility="private")

    async def on_draw(self, drawing: str | None, models: list[str], yours: dict | None = None,
                      request: gr.Request | None = None) -> Update:
        """``async``: a few ms of work, cheaper on Gradio's event loop than handed to a thread."""
        lang = language(request)
        try:
            image = sketch_image(drawing)
        except InputError as error:
            return self.panel.refuse(error, lang)
        return self.panel.answer(self.zoo, image, DATASET, models, lang, own_models(yours, DATASET))
