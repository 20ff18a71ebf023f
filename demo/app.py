"""The Gradio playground: ``build_app(zoo)`` returns the Blocks; the logic lives in demo.compare."""
from __future__ import annotations

from typing import Any

import gradio as gr

from demo.compare import TOP_CLASSES, Comparison, classify, compare
from demo.examples import example_entries
from demo.zoo import Zoo
from lenet import EmptyImageError, LenetError

CANVAS_SIZE = (280, 280)
EXAMPLE_COLUMNS = 12
BRUSH_SIZE = 12
DATASET_LABELS = {"mnist": "MNIST digits", "fashion-mnist": "Fashion-MNIST clothes", "cifar10": "CIFAR-10 objects"}
DRAW_HINT = "Draw a digit: the models answer as you draw."
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
INTRO = """# LeNet Lab
LeNet-5 (LeCun et al., 1998) and its descendants, side by side. Draw a digit or upload an image and watch
each variant classify it, with the feature maps of its first (C1) and second (C3) convolution layers."""


class Slots:
    """A fixed set of result cards, one per variant; unused cards are hidden."""

    def __init__(self, count: int) -> None:
        self.summary = gr.Markdown()
        self.cards: list[tuple[gr.Column, gr.Markdown, gr.Label, gr.Image, gr.Image]] = []
        for _ in range(count):
            with gr.Column(visible=False, variant="panel") as card:
                title = gr.Markdown()
                with gr.Row(equal_height=True):
                    label = gr.Label(num_top_classes=TOP_CLASSES, show_label=False, scale=1)
                    c1 = gr.Image(label="C1 feature maps", interactive=False, buttons=[], scale=2)
                    c3 = gr.Image(label="C3 feature maps", interactive=False, buttons=[], scale=2)
            self.cards.append((card, title, label, c1, c3))

    @property
    def outputs(self) -> list[gr.components.Component]:
        return [self.summary, *(component for card in self.cards for component in card)]

    def show(self, comparison: Comparison) -> list[Any]:
        consensus = comparison.consensus if len(comparison.results) > 1 else None  # no marks for a lone variant
        values: list[Any] = [comparison.summary()]
        for index in range(len(self.cards)):
            if index < len(comparison.results):
                result = comparison.results[index]
                values += [gr.Column(visible=True), result.title(consensus), result.probabilities, result.c1, result.c3]
            else:
                values += [gr.Column(visible=False), None, None, None, None]
        return values

    def message(self, text: str) -> list[Any]:
        return [text] + [gr.Column(visible=False), None, None, None, None] * len(self.cards)


def build_app(zoo: Zoo) -> gr.Blocks:
    slot_count = max((len(zoo.models(d)) for d in zoo.datasets), default=0)

    def run(image: Any, dataset: str, models: list[str], slots: Slots) -> list[Any]:
        if image is None:
            return [None, *slots.message(DRAW_HINT if dataset == "mnist" else "Upload an image.")]
        try:
            comparison = compare(zoo, image, dataset, models)
        except EmptyImageError:
            return [None, *slots.message(DRAW_HINT if dataset == "mnist" else "The image is blank.")]
        except LenetError as error:
            return [None, *slots.message(f"**Cannot classify this image:** {error}")]
        return [comparison.seen, *slots.show(comparison)]

    with gr.Blocks(title="LeNet Lab") as app:
        gr.Markdown(INTRO)
        with gr.Tab("Draw"):
            with gr.Row():
                with gr.Column(scale=1, min_width=300):
                    sketch = gr.Sketchpad(
                        label="Draw a digit",
                        type="pil",
                        image_mode="RGBA",
                        canvas_size=CANVAS_SIZE,
                        brush=gr.Brush(colors=["#000000"], color_mode="fixed", default_size=BRUSH_SIZE),
                        layers=False,
                        transforms=(),
                        elem_id="sketchpad",
                    )
                    clear = gr.Button("Clear", elem_id="clear")
                    draw_models = gr.CheckboxGroup(zoo.models("mnist"), value=zoo.models("mnist"), label="Models")
                    draw_seen = gr.Image(label="What the network sees (32×32)", interactive=False, buttons=[], height=200)
                with gr.Column(scale=3, elem_id="draw-results"):
                    draw_slots = Slots(slot_count)
            draw_slots.summary.value = DRAW_HINT

            def on_draw(image: Any, models: list[str]) -> list[Any]:
                composite = image.get("composite") if isinstance(image, dict) else image
                return run(composite, "mnist", models, draw_slots)

            for event in (sketch.change, draw_models.change):
                event(on_draw, [sketch, draw_models], [draw_seen, *draw_slots.outputs],
                      show_progress="hidden", trigger_mode="always_last", api_visibility="private")
            clear.click(None, js=CLEAR_JS)
        app.load(None, js=SELECT_BRUSH_JS)

        with gr.Tab("Upload"):
            with gr.Row():
                with gr.Column(scale=1, min_width=300):
                    upload = gr.File(label="Image file", file_types=["image"], type="filepath", elem_id="upload")
                    dataset = gr.Radio([(DATASET_LABELS[d], d) for d in zoo.datasets], value=zoo.datasets[0] if zoo.datasets else None,
                                       label="Which kind of image is it?")
                    upload_models = gr.CheckboxGroup(zoo.models(zoo.datasets[0]) if zoo.datasets else [],
                                                     value=zoo.models(zoo.datasets[0]) if zoo.datasets else [], label="Models")
                    upload_seen = gr.Image(label="What the network sees (32×32)", interactive=False, buttons=[], height=200)
                with gr.Column(scale=3):
                    upload_slots = Slots(slot_count)
            examples = [example for example in example_entries() if example[1] in zoo.datasets]
            gallery = gr.Gallery([(path, caption) for path, _, caption in examples], label="Real test images: click one",
                                 columns=EXAMPLE_COLUMNS, height="auto", allow_preview=False, elem_id="examples")

            def on_example(event: gr.SelectData) -> tuple[str, str]:
                path, dataset_name, _ = examples[event.index]
                return path, dataset_name

            gallery.select(on_example, None, [upload, dataset], api_visibility="private")

            def on_upload(path: str | None, name: str, models: list[str]) -> list[Any]:
                return run(path, name, [m for m in models if m in zoo.models(name)], upload_slots)

            def on_dataset(name: str) -> gr.CheckboxGroup:
                return gr.CheckboxGroup(choices=zoo.models(name), value=zoo.models(name))

            dataset.change(on_dataset, dataset, upload_models, api_visibility="private")
            for event in (upload.change, dataset.change, upload_models.change):
                event(on_upload, [upload, dataset, upload_models], [upload_seen, *upload_slots.outputs],
                      trigger_mode="always_last", api_visibility="private")

        with gr.Column(visible=False):  # the documented API endpoint: /classify
            api_image = gr.File(type="filepath")
            api_dataset = gr.Textbox()
            api_model = gr.Textbox()
            api_label = gr.Label(num_top_classes=TOP_CLASSES)
            api_button = gr.Button()

        def classify_endpoint(image: str | None, dataset_name: str, model: str) -> dict[str, float]:
            """Classify an image file with one variant. dataset: mnist, fashion-mnist or cifar10."""
            if image is None:
                raise gr.Error("no image was sent")
            try:
                return classify(zoo, image, dataset_name, model)
            except LenetError as error:
                raise gr.Error(str(error)) from None

        api_button.click(classify_endpoint, [api_image, api_dataset, api_model], api_label, api_name="classify")
    return app
