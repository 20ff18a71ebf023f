"""The Look inside tab: saliency, Grad-CAM and kernels per variant, a robustness probe, and every stage of one."""
from __future__ import annotations

import dataclasses
from dataclasses import astuple

import gradio as gr
import pandas as pd
import torch

from demo.cards import Update, View, results
from demo.explore import (
    PROBE_ANGLES,
    Distortion,
    Insight,
    look_inside,
    rotation_curves,
    stage_pictures,
)
from demo.render import (
    HEAT,
    INSIGHT_WIDTH,
    colour_bar,
    figures,
    html_figure,
    input_image,
    kernels_html,
    maps_scale,
    tiles_html,
)
from demo.sketch import sketch_image
from demo.strings import class_names, dataset_name, label, language, text
from demo.tabs.draw import DATASET as DRAW_DATASET
from demo.tabs.draw import DrawTab
from demo.tabs.upload import UploadTab
from demo.zoo import Zoo
from lenet import LenetError
from lenet.preprocess import prepare_sketch

PLOT_COLOURS = {"#1f77b4": "blue", "#ff7f0e": "orange", "#2ca02c": "green", "#d62728": "red"}
SLIDER_COLOUR = "#9ca3af"
STAGE_TILE_PX = {"c1": 3, "s2": 6, "c3": 6, "s4": 12}  # CSS pixels per activation: every map about as wide
VECTOR_STAGES = (("c5", "C5"), ("f6", "F6"))
SLIDERS = (  # key, low, high, start, step: the Distortion fields in order
    ("rotation", -45, 45, 0, 1), ("shift_x", -6, 6, 0, 0.5), ("shift_y", -6, 6, 0, 0.5),
    ("scale", 0.6, 1.4, 1.0, 0.05), ("thickness", -1, 2, 0, 1), ("noise", 0, 0.5, 0, 0.05),
)


def insight_view(insight: Insight, dataset: str, lang: str) -> View:
    """A variant's card: its answer, then where its evidence lies and its C1 kernels (pictures made here)."""
    heat_scale = colour_bar(HEAT, text(lang, "low"), text(lang, "high"))
    pictures = figures(html_figure(insight.saliency, text(lang, "saliency"), INSIGHT_WIDTH, heat_scale),
                       html_figure(insight.grad_cam, text(lang, "grad_cam"), INSIGHT_WIDTH, heat_scale),
                       kernels_html(insight.kernels, text(lang, "kernels")))
    return {"model": insight.model, "classes": class_names(lang, dataset), "probabilities": list(insight.probabilities.values()),
            "facts": {"key": "with_saliency", "values": {"ms": insight.latency_ms}}, "figures": pictures}


class LastInput:
    """Which input Look inside reads: the Draw tab's drawing or the last upload, whichever changed last. The page
    keeps it (a hidden textbox set by events that run in the browser only)."""

    DRAWING, UPLOAD = "draw", "upload"

    def __init__(self) -> None:
        self.box = gr.Textbox(visible=False)

    def follow(self, draw: DrawTab, upload: UploadTab) -> None:
        for source, value in ((draw.sketch, self.DRAWING), (upload.file, self.UPLOAD)):
            source.change(None, None, self.box, js=f"() => '{value}'", show_progress="hidden")

    @classmethod
    def read(cls, last: str | None, upload: dict | None, drawing: str | None) -> dict | None:
        """``{"pixels", "dataset"}`` of the last input, or None when there is none to look at."""
        if last != cls.DRAWING:
            return upload
        try:
            image = sketch_image(drawing)
            return None if image is None else {"pixels": prepare_sketch(image), "dataset": DRAW_DATASET}
        except LenetError:  # a blank canvas: nothing to look at
            return None


def rotation_plot(zoo: Zoo, upright: torch.Tensor, dataset: str, models: list[str], angle: float, lang: str) -> gr.LinePlot:
    """Each variant's confidence against the absolute angle, fixed colours named in words, and the slider's
    angle as a grey vertical line."""
    table = rotation_curves(zoo, upright, dataset, models)
    marker = text(lang, "slider")  # one name whatever the angle: the series keeps its colour and its place
    table = pd.concat([table, pd.DataFrame({"rotation": [angle, angle], "confidence": [0.0, 1.0], "model": [marker] * 2})])
    colours = {**dict(zip(models, PLOT_COLOURS)), marker: SLIDER_COLOUR}
    return gr.LinePlot(table, color_map=colours, x_title=text(lang, "angle_axis"), y_title=text(lang, "confidence_axis"),
                       color_title=text(lang, "variant"), x_lim=[PROBE_ANGLES[0], PROBE_ANGLES[-1]])


class InsideTab:
    def __init__(self, zoo: Zoo, current: gr.State, last: LastInput, draw: DrawTab) -> None:
        self.zoo = zoo
        sources = [last.box, current, draw.sketch]  # what LastInput.read reads
        with gr.Tab(label("tab_inside"), id="inside") as tab:
            self.hint = gr.Markdown(label("inside_hint"))
            with gr.Row():
                with gr.Column(scale=1, min_width=300):
                    gr.Markdown(label("distorted"))  # a caption above: a label would cover the image's corner
                    self.distorted = gr.Image(show_label=False, interactive=False, buttons=[], height=220, container=False,
                                              elem_id="inside-distorted")
                    self.sliders = [gr.Slider(low, high, value=start, step=step, label=label(key))
                                    for key, low, high, start, step in SLIDERS]
                    reset = gr.Button(label("reset"))
                with gr.Column(scale=3):
                    self.plot = gr.LinePlot(x="rotation", y="confidence", color="model", y_lim=[0, 1],
                                            label=label("rotation_plot"))
                    self.cards = results(elem_id="inside-cards")
            with gr.Accordion(label("stages"), open=False, elem_id="inside-stages"):
                self.stage_model = gr.Dropdown([], label=label("variant"))
                self.maps = gr.HTML(elem_id="inside-maps")
                with gr.Row():
                    self.bars = {name: gr.BarPlot(x="unit", y="activation", label=title, x_title=label("unit_axis"),
                                                  y_title=label("activation_axis"))
                                 for name, title in VECTOR_STAGES}
        inspect = dict(fn=self.on_inspect, inputs=[*sources, *self.sliders], api_visibility="private",
                       outputs=[self.hint, self.distorted, self.plot, self.stage_model, self.cards])
        stage = dict(fn=self.on_stage, inputs=[*sources, self.stage_model, *self.sliders],
                     outputs=[self.maps, *self.bars.values()], api_visibility="private")
        # A slider's input is a drag or a typed value; the stage explorer follows every new look (its variant may not
        # change, so its own change event would not fire).
        gr.on([tab.select, *(slider.input for slider in self.sliders)], **inspect, trigger_mode="always_last").then(**stage)
        self.stage_model.input(**stage)
        reset.click(self.on_reset, None, self.sliders, api_visibility="private").then(**inspect).then(**stage)

    def on_reset(self) -> list[gr.Slider]:
        """Every slider back to its start."""
        return [gr.Slider(value=start) for start in astuple(Distortion())]

    def on_inspect(self, last: str | None, upload: dict | None, drawing: str | None, rotation: float, shift_x: float,
                   shift_y: float, scale: float, thickness: float, noise: float, request: gr.Request | None = None) -> Update:
        """Runs in a worker thread: saliency for every variant takes tens of milliseconds. (The sliders are named, not
        ``*values``: Gradio passes the request only to a parameter it can place.)"""
        lang = language(request)
        values = (rotation, shift_x, shift_y, scale, thickness, noise)
        state = LastInput.read(last, upload, drawing)
        if state is None:
            return {self.hint: text(lang, "inside_hint"), self.distorted: None, self.plot: None,
                    self.stage_model: gr.skip(), self.cards: {"variants": []}}
        distortion = Distortion.from_sliders(values)
        pixels = distortion.apply(state["pixels"])
        upright = dataclasses.replace(distortion, degrees=0.0).apply(state["pixels"])
        dataset, models = state["dataset"], self.zoo.models(state["dataset"])
        legend = " · ".join(f"{model} {text(lang, name)}" for model, name in zip(models, PLOT_COLOURS.values()))  # in words too
        shown_name = dataset_name(lang, dataset)
        return {
            self.hint: f"{text(lang, 'inside_now', count=len(models), dataset=shown_name)} {legend}",
            self.distorted: input_image(pixels[0]),
            self.plot: rotation_plot(self.zoo, upright, dataset, models, distortion.degrees, lang),
            self.stage_model: gr.Dropdown(choices=models, value=models[-1]),
            self.cards: {"variants": [insight_view(insight, dataset, lang)
                                      for insight in look_inside(self.zoo, pixels, dataset, models)]},
        }

    def on_stage(self, last: str | None, upload: dict | None, drawing: str | None, model: str | None, rotation: float,
                 shift_x: float, shift_y: float, scale: float, thickness: float, noise: float,
                 request: gr.Request | None = None) -> Update:
        state = LastInput.read(last, upload, drawing)
        if state is None or model not in self.zoo.models(state["dataset"]):
            return {self.maps: "", **{plot: None for plot in self.bars.values()}}
        lang = language(request)
        pixels = Distortion.from_sliders((rotation, shift_x, shift_y, scale, thickness, noise)).apply(state["pixels"])
        pictures = stage_pictures(self.zoo.by_dataset[state["dataset"]][model], pixels)
        maps = figures(*(tiles_html(pictures[name], name.upper(), px) for name, px in STAGE_TILE_PX.items()),
                       maps_scale(text(lang, "lowest"), text(lang, "highest"), text(lang, "maps_scale")))
        return {self.maps: maps, **{plot: pictures[name] for name, plot in self.bars.items()}}
