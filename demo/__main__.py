"""``python -m demo``: start the playground (also the Hugging Face Spaces entry: ``app_file``)."""
import sys
from pathlib import Path

if __package__ in (None, ""):  # run as a file (Spaces runs `python demo/__main__.py`): make the repo importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch  # noqa: E402

from demo.app import build_app  # noqa: E402
from demo.zoo import Zoo  # noqa: E402

CONCURRENT_REQUESTS = 2  # one per core; each request runs on one torch thread


def main() -> None:
    torch.set_num_threads(1)
    build_app(Zoo.load()).queue(default_concurrency_limit=CONCURRENT_REQUESTS).launch()  # honours GRADIO_SERVER_NAME/PORT


if __name__ == "__main__":
    main()
