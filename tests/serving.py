"""Helpers for tests that serve the real app: a free port and an in-process launch."""
from __future__ import annotations

import socket

import gradio as gr

from demo.app import build_app
from demo.zoo import Zoo


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def launch_app() -> tuple[gr.Blocks, str]:
    """The playground on the shipped checkpoints, serving from a background thread; returns it and its URL."""
    port = free_port()
    app = build_app(Zoo.load()).queue()
    app.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True)
    return app, f"http://127.0.0.1:{port}/"
