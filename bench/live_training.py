"""``python -m bench.live_training``: one epoch through the Train tab against the same job on the command line.

In this order, on this machine:

1. the command line, ``python -m train --dataset mnist --model lenet5 --optimizer adam --lr 1e-3 --epochs 1``
   with the Train tab's other settings made explicit (``CLI_MATCHING_FLAGS``) and as many torch threads as the
   app's training thread has (one: ``python -m demo`` sets it);
2. ``python -m demo`` in its own process: ``/classify``'s round trip idle; the Train tab's defaults (the same job)
   started in headless chromium; then that again while one client keeps calling ``/classify`` without a pause.

The ratio compares the epoch's training seconds that each side's checkpoint records (the tab's read from the
model.zip the page offers); the wall times are reported beside it. The browser shares this machine's cores with
the server, as it does for someone running the app locally. Writes bench/live-training-results.json.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path
from urllib.parse import urljoin

from gradio_client import handle_file
from playwright.sync_api import sync_playwright

from bench.serve import DATASET, EXAMPLE, MODEL, MS, connect, percentile, start
from demo.training import Recipe
from tools.browser import BROWSER_ARGS, CHROMIUM, SKETCHPAD_READY, VIEWPORT

IDLE_REQUESTS = 60
APP_THREADS = "1"  # torch threads of python -m demo (demo/__main__.py)
JOB = Recipe()  # the Train tab's defaults: mnist, lenet5, adam 1e-3, one epoch
CLI = ["train", "--dataset", JOB.dataset, "--model", JOB.model, "--optimizer", JOB.optimizer, "--lr", f"{JOB.learning_rate:g}",
       "--epochs", str(JOB.epochs)]
CLI_MATCHING_FLAGS = ["--batch-size", str(JOB.batch_size), "--no-augment", "--schedule", "none", "--weight-decay", "0",
                      "--val-size", "2000"]  # what demo/training.py's Recipe.config sets
TRAINING_TIMEOUT_MS = 300_000


def command_line(folder: Path) -> dict[str, float]:
    """The job on the command line: its recorded training seconds and its wall time."""
    began = time.perf_counter()
    subprocess.run([sys.executable, "-m", *CLI, *CLI_MATCHING_FLAGS, "--out", str(folder)], check=True,
                   env={**os.environ, "OMP_NUM_THREADS": APP_THREADS}, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - began
    metrics = json.loads((folder / "metrics.json").read_text())
    return {"train_seconds": metrics["train_seconds"], "wall_s": round(wall, 2), "test_accuracy": metrics["test_accuracy"]}


def classify_until(client, stop: threading.Event, latencies: list[float]) -> None:
    image = handle_file(str(EXAMPLE))
    while not stop.is_set():
        began = time.perf_counter()
        client.predict(image, DATASET, MODEL, api_name="/classify")
        latencies.append((time.perf_counter() - began) * MS)


def train_tab(url: str, folder: Path) -> dict[str, float]:
    """The job started from the Train tab: the seconds its checkpoint records and the wall time to "done"."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
        page = browser.new_page(viewport=VIEWPORT, locale="en-US")
        page.goto(url)
        page.locator(SKETCHPAD_READY).wait_for()
        page.get_by_role("tab", name="Train").click()
        began = time.perf_counter()
        page.locator("#train-start").click()
        page.locator("#train-status").get_by_text("Done in").wait_for(timeout=TRAINING_TIMEOUT_MS)
        wall = time.perf_counter() - began
        link = page.locator("#train-download a[href]").first.get_attribute("href")
        archive = folder / "model.zip"
        archive.write_bytes(page.request.get(urljoin(page.url, link)).body())
        browser.close()
    with zipfile.ZipFile(archive) as opened:
        meta = json.loads(opened.read("model/config.json"))
    return {"train_seconds": meta["train_seconds"], "wall_s": round(wall, 2), "test_accuracy": meta["test_accuracy"]}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.live_training", description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=Path("bench/live-training-results.json"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        cli = command_line(Path(scratch) / "cli")
        server, url, _ = start(["demo"])
        try:
            prober = connect(url)
            image = handle_file(str(EXAMPLE))
            idle: list[float] = []
            for _ in range(IDLE_REQUESTS):
                began = time.perf_counter()
                prober.predict(image, DATASET, MODEL, api_name="/classify")
                idle.append((time.perf_counter() - began) * MS)
            tab = train_tab(url, Path(scratch))  # alone, as the command line ran
            busy: list[float] = []
            stop = threading.Event()
            probe = threading.Thread(target=classify_until, args=(prober, stop, busy))
            probe.start()
            try:
                probed = train_tab(url, Path(scratch))  # again, while /classify is asked without a pause
            finally:
                stop.set()
                probe.join()
        finally:
            server.kill()
    result = {
        "job": " ".join(["python", "-m", *CLI]), "matching_flags": " ".join(CLI_MATCHING_FLAGS), "torch_threads": int(APP_THREADS),
        "command_line": cli, "train_tab": tab, "train_tab_while_classifying": probed,
        "tab_over_command_line": round(tab["train_seconds"] / cli["train_seconds"], 2),
        "classify_p50_idle_ms": round(statistics.median(idle), 1),
        "classify_p50_during_training_ms": round(statistics.median(busy), 1),
        "classify_p95_during_training_ms": round(percentile(busy, 95), 1),
        "classify_during_over_idle": round(statistics.median(busy) / statistics.median(idle), 2),
        "classify_requests_during_training": len(busy),
    }
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
