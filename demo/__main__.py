"""``python -m demo``: start the playground (also the Hugging Face Spaces entry: ``app_file``)."""
import gc

# The cyclic collector stays off while start-up builds its long-lived objects, which are then frozen out of its
# reach (main): later full collections only look at what requests create (bench/README.md).
gc.disable()

import os  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

if __package__ in (None, ""):  # run as a file (Spaces runs `python demo/__main__.py`): make the repo importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch  # noqa: E402

from demo.app import build_app, launch_options  # noqa: E402
from demo.zoo import Zoo  # noqa: E402
from lenet import LenetError  # noqa: E402

CONCURRENT_REQUESTS = "2"  # per event; chosen with python -m bench.serve --concurrency
MONITORING_REFRESH_EVENTS = "1000"  # Gradio's monitoring summary, read only by /monitoring, rebuilt this rarely


def main() -> None:
    torch.set_num_threads(1)  # LeNets gain nothing from intra-op threads; concurrent requests share the cores instead
    os.environ.setdefault("GRADIO_DEFAULT_CONCURRENCY_LIMIT", CONCURRENT_REQUESTS)  # a deployment may override it
    os.environ.setdefault("GRADIO_ANALYTICS_CACHE_FREQUENCY", MONITORING_REFRESH_EVENTS)
    try:
        zoo = Zoo.load()
    except LenetError as error:
        sys.exit(f"error: {error}")
    app = build_app(zoo)
    gc.freeze()
    gc.enable()
    app.launch(**launch_options())  # also honours GRADIO_SERVER_NAME / GRADIO_SERVER_PORT


if __name__ == "__main__":
    main()
