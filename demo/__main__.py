"""``python -m demo``: start the playground (also the Hugging Face Spaces entry: ``app_file``)."""
import os
import sys
from pathlib import Path

if __package__ in (None, ""):  # run as a file (Spaces runs `python demo/__main__.py`): make the repo importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch  # noqa: E402

from demo.app import build_app  # noqa: E402
from demo.zoo import Zoo  # noqa: E402
from lenet import LenetError  # noqa: E402

CONCURRENT_REQUESTS = "2"  # per event; chosen with python -m bench.serve --concurrency (see README)


def main() -> None:
    torch.set_num_threads(1)  # LeNets gain nothing from intra-op threads; concurrent requests share the cores instead
    os.environ.setdefault("GRADIO_DEFAULT_CONCURRENCY_LIMIT", CONCURRENT_REQUESTS)  # a deployment may override it
    try:
        zoo = Zoo.load()
    except LenetError as error:
        sys.exit(f"error: {error}")
    build_app(zoo).queue().launch()  # also honours GRADIO_SERVER_NAME / GRADIO_SERVER_PORT


if __name__ == "__main__":
    main()
