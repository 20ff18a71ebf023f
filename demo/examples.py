"""Real test images for the demo's example gallery.

``python -m demo.examples`` extracts the first few images of each class from each
official test set into demo/examples/ with an index of their true labels.
"""
from __future__ import annotations

import json
from pathlib import Path

from PIL import Image

import lenet

EXAMPLES_DIR = Path(__file__).resolve().parent / "examples"
INDEX = EXAMPLES_DIR / "index.json"
PER_CLASS = 1  # ten classes, ten images per dataset...
ROUNDS = 2  # ...twice over: 20 per dataset


def extract(data_dir: str | None = None) -> list[dict]:
    entries = []
    for name, info in lenet.DATASETS.items():
        images, labels = lenet.load_tensors(name, data_dir, train=False, limit=1000)
        taken: dict[int, int] = {}
        for index, label in enumerate(labels.tolist()):
            if taken.get(label, 0) >= PER_CLASS * ROUNDS:
                continue
            taken[label] = taken.get(label, 0) + 1
            array = images[index].permute(1, 2, 0).squeeze(-1).numpy()
            path = EXAMPLES_DIR / name / f"{index:05d}.png"
            path.parent.mkdir(parents=True, exist_ok=True)
            Image.fromarray(array).save(path)
            entries.append({"file": str(path.relative_to(EXAMPLES_DIR)), "dataset": name, "label": info.classes[label], "test_index": index})
    INDEX.write_text(json.dumps(entries, indent=1))
    return entries


def load_index() -> list[dict]:
    return json.loads(INDEX.read_text()) if INDEX.is_file() else []


def example_entries() -> list[tuple[str, str, int]]:
    """``(path, dataset, class index)`` for each example, for the demo's gallery."""
    return [(str(EXAMPLES_DIR / e["file"]), e["dataset"], lenet.dataset_spec(e["dataset"]).classes.index(e["label"]))
            for e in load_index()]


if __name__ == "__main__":
    print(f"wrote {len(extract())} examples to {EXAMPLES_DIR}")
