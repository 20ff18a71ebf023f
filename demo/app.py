"""The Gradio playground: ``build_app(zoo)`` puts the tabs together and configures the queue."""
from __future__ import annotations

from pathlib import Path

import gradio as gr

from demo.assets import ASSETS
from demo.strings import I18N, label
from demo.tabs.api import Api
from demo.tabs.draw import DrawTab
from demo.tabs.inside import InsideTab, LastInput
from demo.tabs.models import ModelsTab
from demo.tabs.train import TrainTab
from demo.tabs.upload import UploadTab
from demo.training import forget
from demo.zoo import Zoo

# Queued users hear their place in line once a second rather than each time any request starts (bench/README.md).
QUEUE_STATUS_INTERVAL_S = 1.0
STYLE = Path(__file__).with_name("style.css")
MAX_UPLOAD = "20mb"  # larger files are refused before they are stored
CACHE_SWEEP = (3600, 3600)  # every hour, delete uploads older than an hour: a long-running Space does not fill up


def launch_options() -> dict:
    """For every ``app.launch()``: the words, the style, the upload limit, and the route of the page's own files
    (a fresh dict each time: Gradio adds to ``app_kwargs``)."""
    return dict(i18n=I18N, css_paths=[STYLE], max_file_size=MAX_UPLOAD, app_kwargs={"routes": [ASSETS.route]})


def build_app(zoo: Zoo, train_limit: int | None = None) -> gr.Blocks:
    """The whole playground, its queue configured: ready to ``launch(**launch_options())``.

    ``train_limit`` keeps training jobs to the first N images of each split (tests)."""
    with gr.Blocks(title="LeNet Lab", delete_cache=CACHE_SWEEP) as app:
        gr.Markdown(label("intro"), elem_id="intro")
        current = gr.State(None)  # the last upload classified, for "Look inside"
        yours = gr.State({}, delete_callback=forget)  # models trained in this session: name -> Finished
        last = LastInput()
        with gr.Tabs(overflow_behavior="wrap"):  # on a phone, a second row rather than tabs hidden behind "..."
            draw = DrawTab(zoo, current, yours)
            upload = UploadTab(zoo, current, yours)
            InsideTab(zoo, current, last, draw)
            TrainTab(yours, draw, upload, train_limit)
            models = ModelsTab(zoo)
        app.load(upload.greet, None, upload.gallery, api_visibility="private")
        last.follow(draw, upload)
        app.load(models.greet, None, models.components, api_visibility="private")
        Api(zoo, upload, train_limit)
    return app.queue(status_update_rate=QUEUE_STATUS_INTERVAL_S)
