"""The playground served in-process on a free local port: for tests, the screenshot tool and bench's self-test."""
from __future__ import annotations

import socket
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the app is imported only by launch_app, so free_port stays light for bench.serve's processes
    import gradio as gr

LOCALHOST = "127.0.0.1"


def free_port() -> int:
    """A port nothing listens on now: the OS picks it, so parallel servers do not collide."""
    with socket.socket() as s:
        s.bind((LOCALHOST, 0))
        return s.getsockname()[1]


def launch_app(train_limit: int | None = None) -> tuple[gr.Blocks, str]:
    """The playground on the shipped checkpoints, serving from a background thread; returns it and its URL.
    ``train_limit``: training jobs use only the first N images of each split (tests)."""
    from demo.app import build_app, launch_options
    from demo.zoo import Zoo

    port = free_port()
    app = build_app(Zoo.load(), train_limit)
    app.launch(server_name=LOCALHOST, server_port=port, prevent_thread_lock=True, quiet=True, **launch_options())
    return app, f"http://{LOCALHOST}:{port}/"
