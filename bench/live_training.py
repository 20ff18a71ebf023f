"""``python -m bench.live_training``: training a LeNet through ``/train`` while the app keeps answering.

Starts ``python -m demo`` in its own process (as served: one torch thread), measures ``/classify``'s round trip
idle, then trains ``lenet5`` on MNIST for one epoch with Adam 1e-3 through ``/train`` while one client keeps
calling ``/classify``. Reports the wall time from request to final result, the test accuracy, how often progress
arrived, and ``/classify``'s p50 during the job against its idle value. Writes bench/live-training-results.json.
"""
from __future__ import annotations

import argparse
import json
import statistics
import threading
import time
from pathlib import Path

from gradio_client import handle_file

from bench.serve import DATASET, EXAMPLE, MODEL, MS, connect, percentile, start

IDLE_REQUESTS = 60
JOB = ("mnist", "lenet5", "adam", 1e-3, 1)  # dataset, model, optimizer, learning rate, epochs


def classify_until(client, stop: threading.Event, latencies: list[float]) -> None:
    image = handle_file(str(EXAMPLE))
    while not stop.is_set():
        began = time.perf_counter()
        client.predict(image, DATASET, MODEL, api_name="/classify")
        latencies.append((time.perf_counter() - began) * MS)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.live_training", description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=Path("bench/live-training-results.json"))
    args = parser.parse_args()
    server, url, _ = start(["demo"])
    try:
        trainer, prober = connect(url), connect(url)
        idle: list[float] = []
        image = handle_file(str(EXAMPLE))
        for _ in range(IDLE_REQUESTS):
            began = time.perf_counter()
            prober.predict(image, DATASET, MODEL, api_name="/classify")
            idle.append((time.perf_counter() - began) * MS)
        busy: list[float] = []
        stop = threading.Event()
        probe = threading.Thread(target=classify_until, args=(prober, stop, busy))
        began = time.perf_counter()
        probe.start()
        arrivals, items = [], []
        for item in trainer.submit(*JOB, api_name="/train"):
            arrivals.append(time.perf_counter() - began)
            items.append(item)
        wall = time.perf_counter() - began
        stop.set()
        probe.join()
    finally:
        server.kill()
    gaps = [b - a for a, b in zip(arrivals, arrivals[1:])]
    result = {
        "job": dict(zip(("dataset", "model", "optimizer", "learning_rate", "epochs"), JOB)),
        "wall_s_request_to_result": round(wall, 2),
        "test_accuracy": items[-1]["test_accuracy"],
        "train_seconds_reported": items[-1]["seconds"],
        "progress_updates": len(items),
        "longest_gap_between_updates_s": round(max(gaps), 2) if gaps else None,
        "first_update_after_s": round(arrivals[0], 2),
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
