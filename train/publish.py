"""``python -m train.publish RUN_DIR [RUN_DIR ...]``: ship runs' best checkpoints to checkpoints/.

Copies ``best.pt`` as ``<dataset>-<model>.pt`` with its plots, writes a model card,
and adds or replaces the entry in ``checkpoints/manifest.json`` (sha256 included).
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path
from typing import Any, Sequence

import lenet
from lenet.checkpoint import MANIFEST_NAME, PLOTS, plot_path, read_checkpoint, read_manifest, sha256_file
from train.config import TrainConfig

CHECKPOINTS_DIR = Path(__file__).resolve().parents[1] / "checkpoints"

CARD = """# {model} on {dataset}

| | |
|---|---|
| test accuracy (full official test set) | **{accuracy:.2%}** |
| trainable parameters | {params:,} |
| epochs (best on the held-out split) | {epochs} ({best_epoch}) |
| training time | {minutes:.1f} min on {machine} |

Reproduce:

```
{command}
python -m train.evaluate --checkpoint checkpoints/{file}
```

![training curves]({curves})

![confusion matrix]({confusion})

Most confidently wrong test images (true → predicted, confidence):

![misclassified]({misclassified})
"""


def publish(run: Path, destination: Path) -> dict[str, Any]:
    meta = read_checkpoint(run / "best.pt")["meta"]
    stem = f"{meta['dataset']}-{meta['model']}"
    file = f"{stem}.pt"
    destination.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(run / "best.pt", destination / file)
    plots = {plot: plot_path(destination / file, plot) for plot in PLOTS}
    for plot, path in plots.items():
        shutil.copyfile(run / f"{plot}.png", path)
    command = TrainConfig(**meta["config"]).recipe_command()
    entry = {
        "file": file, "sha256": sha256_file(destination / file), "dataset": meta["dataset"], "model": meta["model"],
        "params": meta["params"], "test_accuracy": round(meta["test_accuracy"], 6), "epochs": meta["epochs"],
        "train_seconds": meta["train_seconds"], "machine": meta["machine"], "command": command,
    }
    (destination / f"{stem}.md").write_text(CARD.format(
        model=meta["model"], dataset=meta["dataset"], accuracy=meta["test_accuracy"], params=meta["params"],
        epochs=meta["epochs"], best_epoch=meta["epoch"], minutes=meta["train_seconds"] / 60, machine=meta["machine"],
        command=command, file=file, **{plot: path.name for plot, path in plots.items()},
    ))
    entries = [e for e in read_manifest(destination) if e["file"] != file] + [entry]
    entries.sort(key=lambda e: (list(lenet.DATASETS).index(e["dataset"]), e["model"]))
    (destination / MANIFEST_NAME).write_text(json.dumps(entries, indent=2) + "\n")
    return entry


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m train.publish", description=__doc__.split("\n")[0])
    parser.add_argument("runs", nargs="+", type=Path, help="output folders of python -m train")
    parser.add_argument("--to", type=Path, default=CHECKPOINTS_DIR, help="where to ship [default: checkpoints/]")
    args = parser.parse_args(argv)
    try:
        for run in args.runs:
            entry = publish(run, args.to)
            print(f"{entry['file']}: test accuracy {entry['test_accuracy']:.4f}")
    except (lenet.LenetError, FileNotFoundError) as error:
        sys.exit(f"error: {error}")


if __name__ == "__main__":
    main()
