"""The Gradio playground: ``build_app(zoo)`` returns the Blocks; the logic lives in demo.compare and demo.explore."""
from __future__ import annotations

from dataclasses import astuple
from typing import Any

import gradio as gr

from demo.compare import TOP_CLASSES, Comparison, classify, compare
from demo.examples import example_entries
from demo.explore import Distortion, look_inside, rotation_curves, stage_pictures
from demo.gallery import model_card
from demo.offload import inline_unless_large
from demo.render import input_image
from demo.zoo import Zoo
from lenet import EmptyImageError, LenetError

CANVAS_SIZE = (280, 280)
BRUSH_SIZE = 12
EXAMPLE_COLUMNS = 10
DATASET_LABELS = {"mnist": "MNIST digits", "fashion-mnist": "Fashion-MNIST clothes", "cifar10": "CIFAR-10 objects"}
DRAW_HINT = "Draw a digit: the models answer as you draw."
UPLOAD_HINT = "Upload an image."
BLANK_UPLOAD = "The image is blank."
# Queued users hear their place in line once a second rather than each time any request starts (Gradio's
# default, which under 16 clients sent every waiting client about 14 messages per request): 10 % more
# throughput and a 10-20 % lower p95 under load (python -m bench.serve; see README).
QUEUE_STATUS_INTERVAL_S = 1.0
PLOT_COLOURS = {"#1f77b4": "blue", "#ff7f0e": "orange", "#2ca02c": "green", "#d62728": "red"}
EXPLORE_HINT = "Draw or upload an image first: this tab looks inside the models at the last one."
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
    """A fixed set of result cards, one per variant; unused cards are hidden.

    ``hint`` shows while there is no image, ``blank`` when the image holds nothing to classify: each tab its own.
    """

    def __init__(self, count: int, hint: str, blank: str) -> None:
        self.hint, self.blank = hint, blank
        self.summary = gr.Markdown(hint)
        self.cards: list[tuple[gr.Column, gr.Markdown, gr.Label, gr.HTML]] = []
        for _ in range(count):
            with gr.Column(visible=False, variant="panel") as card:
                title = gr.Markdown()
                with gr.Row(equal_height=True):
                    label = gr.Label(num_top_classes=TOP_CLASSES, show_label=False, scale=1)
                    maps = gr.HTML(scale=3)
            self.cards.append((card, title, label, maps))

    @property
    def outputs(self) -> list[gr.components.Component]:
        return [self.summary, *(component for card in self.cards for component in card)]

    def show(self, comparison: Comparison) -> list[Any]:
        consensus = comparison.consensus if len(comparison.results) > 1 else None  # no marks for a lone variant
        values: list[Any] = [comparison.summary()]
        for index in range(len(self.cards)):
            if index < len(comparison.results):
                result = comparison.results[index]
                values += [gr.Column(visible=True), result.title(consensus), result.probabilities, result.maps_html()]
            else:
                values += [gr.Column(visible=False), None, None, None]
        return values

    def message(self, text: str) -> list[Any]:
        return [text] + [gr.Column(visible=False), None, None, None] * len(self.cards)


def rotation_plot_update(table: Any, models: list[str]) -> tuple[gr.LinePlot, str]:
    """Fixed colours per variant and a legend in words (the chart's own legend does not always render)."""
    colours = dict(zip(models, PLOT_COLOURS))  # variant -> hex code
    legend = " · ".join(f"{model} {PLOT_COLOURS[hex_code]}" for model, hex_code in colours.items())
    return gr.LinePlot(table, color_map=colours), legend


class InsightSlots:
    """One card per variant in the "Look inside" tab: prediction, saliency, Grad-CAM, C1 kernels."""

    def __init__(self, count: int) -> None:
        self.cards: list[tuple[gr.Column, gr.Markdown, gr.Label, gr.Image, gr.Image, gr.Image]] = []
        for _ in range(count):
            with gr.Column(visible=False, variant="panel") as card:
                title = gr.Markdown()
                with gr.Row(equal_height=True):
                    label = gr.Label(num_top_classes=TOP_CLASSES, show_label=False, scale=1)
                    saliency = gr.Image(label="Saliency (gradient × input)", interactive=False, buttons=[], scale=1)
                    cam = gr.Image(label="Grad-CAM on C3", interactive=False, buttons=[], scale=1)
                    kernels = gr.Image(label="Learned C1 kernels", interactive=False, buttons=[], scale=1)
            self.cards.append((card, title, label, saliency, cam, kernels))

    @property
    def outputs(self) -> list[gr.components.Component]:
        return [component for card in self.cards for component in card]

    def show(self, insights: list) -> list[Any]:
        values: list[Any] = []
        for index in range(len(self.cards)):
            if index < len(insights):
                insight = insights[index]
                title = f"### {insight.model}: **{insight.label}**\n{insight.latency_ms:.1f} ms with saliency"
                values += [gr.Column(visible=True), title, insight.probabilities, insight.saliency, insight.grad_cam, insight.kernels]
            else:
                values += [gr.Column(visible=False), None, None, None, None, None]
        return values


def build_app(zoo: Zoo) -> gr.Blocks:
    """The whole playground, its queue configured: ready to ``launch()``.

    The handlers that classify (drawing, uploads, /classify, /compare) are ``async``: Gradio then runs them on
    its event loop instead of handing each to a worker thread, which costs more than their few milliseconds of
    work blocks the loop. Under 16 clients, six alternating rounds each against the same handlers in threads:
    /classify +16 % req/s and p95 -20 %, /compare +21 % req/s and p95 -11 %. Large uploads, slow to decode,
    still go to a thread (demo.offload), as do the slower "Look inside" handlers.
    """
    slot_count = max((len(zoo.models(d)) for d in zoo.datasets), default=0)
    first_dataset = zoo.datasets[0] if zoo.datasets else None

    def run(image: Any, dataset: str, models: list[str], slots: Slots) -> list[Any]:
        """[what the network sees, the input for the other tabs, *cards]"""
        if image is None:
            return [None, gr.skip(), *slots.message(slots.hint)]
        try:
            comparison = compare(zoo, image, dataset, models)
        except EmptyImageError:
            return [None, gr.skip(), *slots.message(slots.blank)]
        except LenetError as error:
            return [None, gr.skip(), *slots.message(f"**Cannot classify this image:** {error}")]
        return [comparison.seen_html(), {"pixels": comparison.pixels, "dataset": dataset}, *slots.show(comparison)]

    with gr.Blocks(title="LeNet Lab") as app:
        gr.Markdown(INTRO)
        current = gr.State(None)  # the last preprocessed input, for "Look inside"

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
                    draw_seen = gr.HTML()
                with gr.Column(scale=3, elem_id="draw-results"):
                    draw_slots = Slots(slot_count, hint=DRAW_HINT, blank=DRAW_HINT)  # a cleared canvas: draw again

            async def on_draw(image: Any, models: list[str]) -> list[Any]:
                composite = image.get("composite") if isinstance(image, dict) else image
                return run(composite, "mnist", models, draw_slots)

            for event in (sketch.change, draw_models.change):
                event(on_draw, [sketch, draw_models], [draw_seen, current, *draw_slots.outputs],
                      show_progress="hidden", trigger_mode="always_last", api_visibility="private")
            clear.click(None, js=CLEAR_JS)
        app.load(None, js=SELECT_BRUSH_JS)

        with gr.Tab("Upload"):
            with gr.Row():
                with gr.Column(scale=1, min_width=300):
                    upload = gr.File(label="Image file", file_types=["image"], type="filepath", elem_id="upload")
                    dataset = gr.Radio([(DATASET_LABELS[d], d) for d in zoo.datasets], value=first_dataset,
                                       label="Which kind of image is it?")
                    upload_models = gr.CheckboxGroup(zoo.models(first_dataset), value=zoo.models(first_dataset), label="Models")
                    upload_seen = gr.HTML()
                with gr.Column(scale=3, elem_id="upload-results"):
                    upload_slots = Slots(slot_count, hint=UPLOAD_HINT, blank=BLANK_UPLOAD)
            examples = [example for example in example_entries() if example[1] in zoo.datasets]
            gallery = gr.Gallery([(path, caption) for path, _, caption in examples], label="Real test images: click one",
                                 columns=EXAMPLE_COLUMNS, height="auto", allow_preview=False, elem_id="examples")

            def on_example(event: gr.SelectData) -> tuple[str, str, gr.CheckboxGroup]:
                path, dataset_name, _ = examples[event.index]
                return path, dataset_name, on_dataset(dataset_name)

            async def on_upload(path: str | None, name: str, models: list[str]) -> list[Any]:
                chosen = [m for m in models if m in zoo.models(name)] or zoo.models(name)  # models of another dataset: use all
                return await inline_unless_large(path, lambda: run(path, name, chosen, upload_slots))

            def on_dataset(name: str) -> gr.CheckboxGroup:
                return gr.CheckboxGroup(choices=zoo.models(name), value=zoo.models(name))

            upload_io = dict(fn=on_upload, inputs=[upload, dataset, upload_models],
                             outputs=[upload_seen, current, *upload_slots.outputs], trigger_mode="always_last",
                             api_visibility="private")
            # Each trigger runs after the dataset's models are in place, so no request sees a stale list.
            upload.upload(**upload_io)
            gallery.select(on_example, None, [upload, dataset, upload_models], api_visibility="private").then(**upload_io)
            dataset.input(on_dataset, dataset, upload_models, api_visibility="private").then(**upload_io)
            upload_models.input(**upload_io)

        with gr.Tab("Look inside") as inside_tab:
            inside_hint = gr.Markdown(EXPLORE_HINT)
            with gr.Row():
                with gr.Column(scale=1, min_width=300):
                    distorted = gr.Image(label="The input, distorted", interactive=False, buttons=[], height=220)
                    degrees = gr.Slider(-45, 45, value=0, step=1, label="Rotation (degrees)")
                    shift_x = gr.Slider(-6, 6, value=0, step=0.5, label="Shift right (pixels)")
                    shift_y = gr.Slider(-6, 6, value=0, step=0.5, label="Shift down (pixels)")
                    zoom = gr.Slider(0.6, 1.4, value=1.0, step=0.05, label="Scale")
                    thickness = gr.Slider(-1, 2, value=0, step=1, label="Stroke thickness (pixels)")
                    noise = gr.Slider(0, 0.5, value=0, step=0.05, label="Noise")
                    reset = gr.Button("Reset distortions")
                with gr.Column(scale=3):
                    rotation_plot = gr.LinePlot(x="rotation", y="confidence", color="model", y_lim=[0, 1],
                                                label="Confidence in the upright answer as the input turns", height=340)
                    insight_slots = InsightSlots(slot_count)
            with gr.Accordion("Stage explorer: every layer of one variant", open=False):
                stage_model = gr.Dropdown([], label="Variant")
                with gr.Row():
                    stage_images = {name: gr.Image(label=label, interactive=False, buttons=[])
                                    for name, label in (("c1", "C1"), ("s2", "S2"), ("c3", "C3"), ("s4", "S4"))}
                with gr.Row():
                    stage_images.update({name: gr.Image(label=label, interactive=False, buttons=[])
                                         for name, label in (("c5", "C5 (one bar per unit)"), ("f6", "F6"))})
            sliders = [degrees, shift_x, shift_y, zoom, thickness, noise]

            def distorted_input(state: dict, values: tuple[float, ...]) -> Any:
                """The last input with the sliders' distortions (the thickness slider moves in whole pixels)."""
                degrees, shift_x, shift_y, scale, stroke, noise_level = values
                return Distortion(degrees, shift_x, shift_y, scale, int(stroke), noise_level).apply(state["pixels"])

            def on_inspect(state: dict | None, *values: float) -> list[Any]:
                if state is None:
                    return [EXPLORE_HINT, None, None, gr.skip(), *insight_slots.show([])]
                pixels = distorted_input(state, values)
                models = zoo.models(state["dataset"])
                plot, legend = rotation_plot_update(rotation_curves(zoo, pixels, state["dataset"], models), models)
                return [
                    f"Looking inside the {len(models)} {state['dataset']} models at your last image. Rotation plot: {legend}.",
                    input_image(pixels[0]),
                    plot,
                    gr.Dropdown(choices=models, value=models[-1]),
                    *insight_slots.show(look_inside(zoo, pixels, state["dataset"], models)),
                ]

            def on_stage(state: dict | None, model: str | None, *values: float) -> list[Any]:
                if state is None or model not in zoo.models(state["dataset"]):
                    return [None] * len(stage_images)
                pixels = distorted_input(state, values)
                pictures = stage_pictures(zoo.by_dataset[state["dataset"]][model], pixels)
                return [pictures[name] for name in stage_images]

            inspect_outputs = [inside_hint, distorted, rotation_plot, stage_model, *insight_slots.outputs]
            for event in (inside_tab.select, *(slider.release for slider in sliders)):
                event(on_inspect, [current, *sliders], inspect_outputs, api_visibility="private")
            stage_model.change(on_stage, [current, stage_model, *sliders], list(stage_images.values()), api_visibility="private")
            reset.click(lambda: list(astuple(Distortion())), None, sliders, api_visibility="private").then(
                on_inspect, [current, *sliders], inspect_outputs, api_visibility="private")

        with gr.Tab("Models"):
            gr.Markdown("Every shipped checkpoint, with the training curves, confusion matrix and most confidently wrong "
                        "test images that `python -m train` wrote when it was made.")
            for entry in zoo.entries:
                text, plots = model_card(zoo.folder, entry)
                with gr.Accordion(f"{entry['dataset']} · {entry['model']} · {entry['test_accuracy']:.2%}", open=False):
                    gr.Markdown(text)
                    with gr.Row():
                        for path, label in zip(plots, ("Training curves", "Confusion matrix", "Most confidently wrong")):
                            gr.Image(path, label=label, interactive=False, buttons=[])

        with gr.Column(visible=False):  # the documented API endpoints: /classify and /compare
            api_image = gr.File(type="filepath")
            api_dataset = gr.Textbox()
            api_model = gr.Textbox()
            api_models = gr.Dropdown(sorted({m for d in zoo.datasets for m in zoo.models(d)}), multiselect=True)
            api_label = gr.Label(num_top_classes=TOP_CLASSES)
            api_button = gr.Button()
            api_compare_button = gr.Button()

        async def classify_endpoint(image: str | None, dataset_name: str, model: str) -> dict[str, float]:
            """Classify an image file with one variant. dataset: mnist, fashion-mnist or cifar10."""
            if image is None:
                raise gr.Error("no image was sent")
            try:
                return await inline_unless_large(image, lambda: classify(zoo, image, dataset_name, model))
            except LenetError as error:
                raise gr.Error(str(error)) from None

        api_button.click(classify_endpoint, [api_image, api_dataset, api_model], api_label, api_name="classify")
        api_compare_button.click(on_upload, [api_image, api_dataset, api_models], [upload_seen, current, *upload_slots.outputs],
                                 api_name="compare")  # what the Upload tab shows, for every chosen variant
    return app.queue(status_update_rate=QUEUE_STATUS_INTERVAL_S)
