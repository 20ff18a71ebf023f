"""Helpers for tests that serve the real app: an in-process launch on a free port."""
from __future__ import annotations

import gradio as gr

from bench.serve import free_port
from demo.app import LAUNCH_OPTIONS, build_app
from demo.zoo import Zoo


def launch_app() -> tuple[gr.Blocks, str]:
    """The playground on the shipped checkpoints, serving from a background thread; returns it and its URL."""
    port = free_port()
    app = build_app(Zoo.load())
    app.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True, **LAUNCH_OPTIONS)
    return app, f"http://127.0.0.1:{port}/"
