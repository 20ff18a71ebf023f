"""The Draw tab: a canvas, and the MNIST variants answering as you draw."""
from __future__ import annotations

from typing import Any

import gradio as gr

from demo.cards import ResultPanel, Update
from demo.strings import label, language
from demo.training import own_models
from demo.zoo import Zoo

DATASET = "mnist"
CANVAS_SIZE = (280, 280)
BRUSH_SIZE = 12
# Gradio's sketchpad starts with no tool selected; pick the brush so people can draw at once.
SELECT_BRUSH_JS = """() => {
  const pick = () => {
    const brush = document.querySelector('#sketchpad button[aria-label="Brush"]');
    if (brush) brush.click(); else setTimeout(pick, 100);
  };
  pick();
}"""
CLEAR_JS = """() => {
  document.querySelector('#sketchpad button[aria-label="Clear canvas"]')?.click();
  setTimeout(() => document.querySelector('#sketchpad button[aria-label="Brush"]')?.click(), 50);
}"""


class DrawTab:
    def __init__(self, zoo: Zoo, current: gr.State, yours: gr.State, cards: int) -> None:
        self.zoo = zoo
        with gr.Tab(label("tab_draw"), id="draw"):
            with gr.Row():
                with gr.Column(scale=1, min_width=300):
                    self.sketch = gr.Sketchpad(
                        label=label("draw_label"), type="pil", image_mode="RGBA", canvas_size=CANVAS_SIZE,
                        brush=gr.Brush(colors=["#000000"], color_mode="fixed", default_size=BRUSH_SIZE),
                        layers=False, transforms=(), elem_id="sketchpad",
                    )
                    clear = gr.Button(label("clear"), elem_id="clear")
                    self.models = gr.CheckboxGroup(zoo.models(DATASET), value=zoo.models(DATASET), label=label("models"))
                with gr.Column(scale=3, elem_id="draw-results"):
                    self.panel = ResultPanel(cards, current, hint="draw_hint", blank="draw_hint")  # cleared: draw again
        for event in (self.sketch.change, self.models.change):
            event(self.on_draw, [self.sketch, self.models, yours], self.panel.components, show_progress="hidden",
                  trigger_mode="always_last", api_visibility="private")
        clear.click(None, js=CLEAR_JS)

    async def on_draw(self, image: Any, models: list[str], yours: dict | None = None, request: gr.Request | None = None) -> Update:
        """``async``: a few ms of work, cheaper on Gradio's event loop than handed to a thread."""
        composite = image.get("composite") if isinstance(image, dict) else image
        return self.panel.answer(self.zoo, composite, DATASET, models, language(request), own_models(yours, DATASET))

    def choices(self, yours: dict | None) -> gr.CheckboxGroup:
        """The shipped MNIST variants and the session's own, all chosen."""
        names = self.zoo.models(DATASET) + list(own_models(yours, DATASET))
        return gr.CheckboxGroup(choices=names, value=names)
