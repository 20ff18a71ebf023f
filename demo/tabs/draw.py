"""The Draw tab: a canvas, and the MNIST variants answering as you draw, in the page itself (demo/sketch.py).

The server answers only for the variants the page cannot run (``on_ask``), and Look inside reads the drawing
from the canvas's value.
"""
from __future__ import annotations

import gradio as gr

from demo.cards import (
    MAP_STAGES,
    ResultPanel,
    View,
    comparison_view,
    message_view,
    refusal,
)
from demo.compare import compare
from demo.forms import form_address, page_model
from demo.sketch import sketch_image, sketchpad
from demo.strings import label, language, text
from demo.training import Finished, own_models
from demo.zoo import Zoo
from lenet import EmptyImageError, LenetError

DATASET = "mnist"
HINT = "draw_hint"  # on an empty or blank canvas: draw again
MODELS_EVENT = "lenet-draw-models"  # the document event that tells the page which variants are chosen
# The checkboxes tell the page, not the server, which variants to run.
TELL_PAGE = f"(chosen) => {{ document.dispatchEvent(new CustomEvent('{MODELS_EVENT}', {{detail: chosen}})); }}"


class DrawTab:
    def __init__(self, zoo: Zoo, current: gr.State, yours: gr.State) -> None:
        self.zoo = zoo
        names = zoo.models(DATASET)
        with gr.Tab(label("tab_draw"), id="draw"):
            with gr.Row():
                with gr.Column(scale=1, min_width=300):
                    self.sketch = sketchpad(self.catalogue(), names, HINT, MODELS_EVENT, "draw-answers", "draw-cards",
                                            tuple(px for _, _, px in MAP_STAGES))
                    self.panel = ResultPanel(current, hint=HINT, blank=HINT, elem_id="draw-answers")
                with gr.Column(scale=3, elem_id="draw-results"):
                    self.models = gr.CheckboxGroup(names, value=names, label=label("models"), elem_id="draw-models")
                    self.panel.add_cards("draw-cards")
        self.models.change(None, self.models, None, js=TELL_PAGE, show_progress="hidden")
        self.sketch.ask(self.on_ask, [self.sketch, self.models, yours], self.sketch, show_progress="hidden",
                        trigger_mode="always_last", api_visibility="private")

    def catalogue(self, yours: dict[str, Finished] | None = None) -> list[dict]:
        """The shipped variants, then the session's own models, as the page lists them."""
        shipped = [page_model(name, predictor, form_address(self.zoo.model_folder(DATASET, name)))
                   for name, predictor in self.zoo.by_dataset.get(DATASET, {}).items()]
        own = [page_model(name, predictor, yours[name].form) for name, predictor in own_models(yours, DATASET).items()]
        return shipped + own

    def joined(self, yours: dict[str, Finished]) -> gr.HTML:
        """The canvas's catalogue with the session's own models in it: the page loads their forms."""
        return gr.HTML(models=self.catalogue(yours))

    async def on_ask(self, drawing: str | None, models: list[str], yours: dict | None = None,
                     request: gr.Request | None = None) -> gr.HTML:
        """The chosen variants' answers for the page, which asks only when it cannot run some of them.
        ``async``: a few ms of work, cheaper on Gradio's event loop than handed to a thread."""
        return gr.HTML(remote=self.view(drawing, models, yours, language(request)))

    def view(self, drawing: str | None, models: list[str], yours: dict | None, lang: str) -> View:
        try:
            image = sketch_image(drawing)
            if image is None:
                return message_view(text(lang, HINT))
            return comparison_view(compare(self.zoo, image, DATASET, models, own_models(yours, DATASET)), lang)
        except EmptyImageError:
            return message_view(text(lang, HINT))
        except LenetError as error:
            return refusal(error, lang)
