"""``python -m train.publish RUN_DIR [RUN_DIR ...]``: ship runs' best models to checkpoints/.

Each becomes ``checkpoints/<dataset>-<model>/``, a folder that can be pushed to the
Hugging Face Hub as a model repo unchanged: ``model.safetensors``, ``config.json``,
the plots and evaluation.json (mistakes.png), and a ``README.md`` model card with the Hub's YAML metadata; beside them,
the browser form the playground's page runs (``browser.json``, ``browser.bin``). Its entry in
``checkpoints/manifest.json`` (sha256 of the weights included) is added or replaced.
``--browser-forms`` writes the browser form of every shipped model again, from its weights.
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path
from typing import Any, Sequence

from huggingface_hub import EvalResult

import lenet
from lenet.browser_form import FORM_NAME, FORM_WEIGHTS_NAME, save_browser_form
from lenet.checkpoint import (
    CARD_NAME,
    CONFIG_NAME,
    EVALUATION_NAME,
    MANIFEST_NAME,
    MISTAKES_NAME,
    PLOTS,
    WEIGHTS_NAME,
    read_config,
    read_manifest,
    sha256_file,
)
from train.cards import front_matter
from train.config import TrainConfig

CHECKPOINTS_DIR = Path(__file__).resolve().parents[1] / "checkpoints"

CARD = """{front_matter}

# {model} on {display_name}

{description}

| | |
|---|---|
| test accuracy (full official test set) | **{accuracy:.2%}** |
| published for comparison | {published} |
| trainable parameters | {params:,} |
| epochs | {epochs} ({kept}) |
| training time | {minutes:.1f} min on {machine} |

Use it with lenet-lab, the package that trained it:

```python
import lenet
predictor = lenet.from_pretrained("checkpoints/{name}")  # a folder, or a Hub repo id
predictor.predict("image.png").label
```

or with `safetensors` alone: `safetensors.torch.load_file("model.safetensors")` is the state_dict of
`lenet.create_model("{model}", in_channels={in_channels}, num_classes={num_classes}{options})`; `config.json` has the classes
and the normalisation (mean {mean}, std {std}).

Reproduce:

```
{command}
python -m train.evaluate --checkpoint checkpoints/{name}
```

![training curves](curves.png)

![confusion matrix](confusion.png)

Most confidently wrong test images (true → predicted, confidence):

![misclassified](misclassified.png)
"""


def model_card(meta: dict[str, Any], name: str, command: str) -> str:
    spec = lenet.dataset_spec(meta["dataset"])
    tested = EvalResult(task_type="image-classification", task_name="Image classification", dataset_type=spec.hub_id,
                        dataset_name=spec.display_name, dataset_split="test", metric_type="accuracy",
                        metric_value=round(meta["test_accuracy"], 4), metric_name="Test accuracy (full official test set)")
    held_out = meta["config"]["val_size"]
    kept = f"epoch {meta['epoch']}, the best on the --val-size {held_out} hold-out" if held_out else "the last, --val-size 0"
    return CARD.format(
        front_matter=front_matter([spec.hub_id], ["image-classification"], [tested], name),
        name=name, model=meta["model"], display_name=spec.display_name,
        description=lenet.model_description(meta["model"]), accuracy=meta["test_accuracy"], published=spec.published,
        params=meta["params"], epochs=meta["epochs"], kept=kept, minutes=meta["train_seconds"] / 60,
        machine=meta["machine"], in_channels=meta["in_channels"], num_classes=len(meta["classes"]),
        mean=meta["mean"], std=meta["std"], command=command,
        options="".join(f", {key}={value!r}" for key, value in meta.get("model_options", {}).items()),
    )


def publish(run: Path, destination: Path, command: str | None = None) -> dict[str, Any]:
    """Ship ``run``; ``command`` defaults to the one that reproduces its recipe."""
    meta = read_config(run)
    name = f"{meta['dataset']}-{meta['model']}"
    folder = destination / name
    files = (WEIGHTS_NAME, CONFIG_NAME, EVALUATION_NAME, *(f"{plot}.png" for plot in PLOTS))
    missing = [file for file in files if not (run / file).is_file()]
    if missing:  # checked before anything is copied: a half-shipped folder would not match the manifest
        raise lenet.LenetError(f"{run} lacks {', '.join(missing)}: publish a finished run of python -m train "
                               f"(python -m train.evaluate --checkpoint {run} --save writes {EVALUATION_NAME})")
    folder.mkdir(parents=True, exist_ok=True)
    for file in files:
        shutil.copyfile(run / file, folder / file)
    (folder / MISTAKES_NAME).unlink(missing_ok=True)
    if (run / MISTAKES_NAME).exists():  # a run that made no mistake has none
        shutil.copyfile(run / MISTAKES_NAME, folder / MISTAKES_NAME)
    command = command or TrainConfig(**meta["config"]).recipe_command()
    (folder / CARD_NAME).write_text(model_card(meta, name, command))
    predictor = lenet.from_pretrained(folder)
    save_browser_form(folder, predictor.model, predictor.meta)
    entry = {
        "file": f"{name}/{WEIGHTS_NAME}", "sha256": sha256_file(folder / WEIGHTS_NAME), "dataset": meta["dataset"],
        "model": meta["model"], "params": meta["params"], "test_accuracy": round(meta["test_accuracy"], 6),
        "epochs": meta["epochs"], "train_seconds": meta["train_seconds"], "machine": meta["machine"], "command": command,
    }
    entries = [e for e in read_manifest(destination) if e["file"] != entry["file"]] + [entry]
    entries.sort(key=lambda e: (list(lenet.DATASETS).index(e["dataset"]), lenet.list_models().index(e["model"])))
    (destination / MANIFEST_NAME).write_text(json.dumps(entries, indent=2) + "\n")
    return entry


def write_browser_forms(destination: Path) -> list[Path]:
    """The browser form of every model in ``destination``'s manifest, written again from its weights."""
    folders = [destination / Path(entry["file"]).parent for entry in read_manifest(destination)]
    for folder in folders:
        predictor = lenet.from_pretrained(folder)
        save_browser_form(folder, predictor.model, predictor.meta)
    return folders


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m train.publish", description=__doc__.split("\n")[0])
    parser.add_argument("runs", nargs="*", type=Path, help="output folders of python -m train")
    parser.add_argument("--to", type=Path, default=CHECKPOINTS_DIR, help="where to ship [default: checkpoints/]")
    parser.add_argument("--browser-forms", action="store_true",
                        help=f"write {FORM_NAME} and {FORM_WEIGHTS_NAME} again for every shipped model, from its weights")
    args = parser.parse_args(argv)
    if not args.runs and not args.browser_forms:
        parser.error("name the runs to publish, or --browser-forms")
    try:
        if args.browser_forms:
            for folder in write_browser_forms(args.to):
                print(f"{folder.name}/{FORM_NAME}, {FORM_WEIGHTS_NAME}")
        for run in args.runs:
            entry = publish(run, args.to)
            print(f"{entry['file']}: test accuracy {entry['test_accuracy']:.4f}")
    except (lenet.LenetError, FileNotFoundError) as error:
        sys.exit(f"error: {error}")


if __name__ == "__main__":
    main()
