"""``python -m train``: parse one TrainConfig, fit, and say what went wrong in one line if anything did."""
from __future__ import annotations

import sys
from typing import Sequence

import lenet
from train.config import parse_config
from train.run import fit


def main(argv: Sequence[str] | None = None) -> None:
    try:
        fit(parse_config(argv))
    except lenet.LenetError as error:
        sys.exit(f"error: {error}")
    except KeyboardInterrupt:
        sys.exit("interrupted; continue with --resume <out>/last.pt")
