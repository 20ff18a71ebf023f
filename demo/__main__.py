"""``python -m demo``: start the playground (also the Hugging Face Spaces entry: ``app_file``)."""
import gc

# Start-up builds some 600,000 long-lived objects (torch, Gradio, the models) and almost no garbage, yet the
# cyclic collector kept rescanning them: ten full collections, 1.5 s of start-up. It stays off until the app is
# built, then everything built so far is frozen out of its reach (main), so that a full collection, which
# stalled every request in flight for up to 300 ms, only looks at what requests create.
gc.disable()

import os  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

if __package__ in (None, ""):  # run as a file (Spaces runs `python demo/__main__.py`): make the repo importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch  # noqa: E402

from demo.app import LAUNCH_OPTIONS, build_app  # noqa: E402
from demo.zoo import Zoo  # noqa: E402
from lenet import LenetError  # noqa: E402

CONCURRENT_REQUESTS = "2"  # per event; chosen with python -m bench.serve --concurrency (see README)
# Gradio rebuilds its monitoring summary (a pandas table of up to 10,000 past events) after every
# event by default; it is only read by the opt-in /monitoring page. Rebuilding it every 1000th event
# instead raised throughput under 16 clients by about a quarter (python -m bench.serve).
MONITORING_REFRESH_EVENTS = "1000"


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
    app.launch(**LAUNCH_OPTIONS)  # also honours GRADIO_SERVER_NAME / GRADIO_SERVER_PORT


if __name__ == "__main__":
    main()
