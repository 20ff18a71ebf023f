"""``python -m bench.serve``: how fast the playground answers, measured through its real HTTP API.

Starts the app (and, as the floor, a Gradio app with the same input and output
types that does no work) in their own processes, then with gradio_client measures:
round-trip latency of /classify (one variant) and /compare (every variant, with
feature maps), a 16-client load (rounds alternating between the app and the floor
app), cold start, and in-process compute times.
Prints a table and writes JSON.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable

import torch
from gradio_client import Client, handle_file

from demo.serving import free_port

EXAMPLE = Path(__file__).resolve().parents[1] / "demo" / "examples" / "mnist" / "00000.png"
DATASET, MODEL = "mnist", "lenet5-1998"
STARTUP_TIMEOUT_S = 120
MS = 1000
SELF_TEST_CLIENTS, SELF_TEST_PER_CLIENT = 2, 3  # enough to exercise concurrency, quick enough for CI


def connect(url: str) -> Client:
    """A gradio_client for a local http:// server.

    ``ssl_verify=False`` only stops gradio_client from building a fresh
    certificate-loaded SSL context for each of the three HTTP calls a prediction
    makes (95 -> 7 ms of client CPU per request, measured); plain http has no
    certificate to verify.
    Without it the load generator, not the server, is what saturates the CPU.
    """
    return Client(url, verbose=False, ssl_verify=False)


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[q - 1] if len(values) > 1 else values[0]


def start(module_args: list[str], concurrency: str | None = None) -> tuple[subprocess.Popen, str, float]:
    """Start a server process; return it, its URL and seconds from spawn to the first answered request."""
    port = free_port()
    env = {**os.environ, "GRADIO_SERVER_PORT": str(port), "GRADIO_SERVER_NAME": "127.0.0.1", "GRADIO_ANALYTICS_ENABLED": "False"}
    if concurrency:
        env["GRADIO_DEFAULT_CONCURRENCY_LIMIT"] = concurrency
    began = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", *module_args], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/"
    while time.perf_counter() - began < STARTUP_TIMEOUT_S:
        try:
            client = connect(url)
            client.predict(handle_file(str(EXAMPLE)), DATASET, MODEL, api_name="/classify")
            return process, url, time.perf_counter() - began
        except Exception:  # not up yet
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"{' '.join(module_args)} did not answer within {STARTUP_TIMEOUT_S} s")


def timed(call: Callable[[], object], repeats: int) -> list[float]:
    samples = []
    for _ in range(repeats):
        began = time.perf_counter()
        call()
        samples.append((time.perf_counter() - began) * MS)
    return samples


def load(url: str, clients: int, per_client: int) -> dict[str, float]:
    """``clients`` connected users sending ``per_client`` requests each, back to back, all at once."""
    with ThreadPoolExecutor(clients) as pool:  # connected like open browser tabs: before the clock
        connected = list(pool.map(connect, [url] * clients))
    image = handle_file(str(EXAMPLE))

    def one_client(client: Client) -> tuple[list[float], int]:
        latencies, failures = [], 0
        for _ in range(per_client):
            began = time.perf_counter()
            try:
                client.predict(image, DATASET, MODEL, api_name="/classify")
                latencies.append((time.perf_counter() - began) * MS)
            except Exception:
                failures += 1
        return latencies, failures

    began = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        results = list(pool.map(one_client, connected))
    seconds = time.perf_counter() - began
    for client in connected:
        client.close()  # stops its heartbeat, so finished rounds do not load the next
    latencies = [x for lat, _ in results for x in lat]
    return {"requests_per_second": len(latencies) / seconds, "p50_ms": statistics.median(latencies),
            "p95_ms": percentile(latencies, 95), "failures": sum(f for _, f in results)}


def median_round(rounds: list[dict[str, float]]) -> dict[str, Any]:
    """The round with the median p95, every round's numbers, and the failures of all rounds together."""
    middle = sorted(rounds, key=lambda r: r["p95_ms"])[len(rounds) // 2]
    return {**middle, "failures": sum(r["failures"] for r in rounds), "rounds": rounds}


def compute_times(repeats: int) -> dict[str, float]:
    """Server-side work without HTTP: the model alone, what /classify does (file to probabilities), and every
    variant with feature maps (what /compare does), with and without saliency."""

    from demo.compare import classify, compare
    from demo.explore import look_inside
    from demo.zoo import Zoo
    from lenet.preprocess import prepare_sketch

    torch.set_num_threads(1)
    zoo = Zoo.load()
    predictor = zoo.by_dataset[DATASET][MODEL]
    pixels = prepare_sketch(EXAMPLE)
    x = predictor.normalize(pixels)
    with torch.inference_mode():
        forward = timed(lambda: predictor.model(x), repeats)
    one = timed(lambda: classify(zoo, EXAMPLE, DATASET, MODEL), repeats)  # what /classify runs
    every = timed(lambda: compare(zoo, EXAMPLE, DATASET, zoo.models(DATASET)), repeats)
    explained = timed(lambda: look_inside(zoo, pixels, DATASET, zoo.models(DATASET)), repeats)
    return {"forward_p50_ms": statistics.median(forward), "one_variant_p50_ms": statistics.median(one),
            "all_variants_p50_ms": statistics.median(every), "all_variants_with_saliency_p50_ms": statistics.median(explained),
            "variants": zoo.models(DATASET)}


def serve_floor() -> None:
    """A Gradio app with /classify's types that returns a constant: Gradio's own round trip."""
    import gradio as gr

    with gr.Blocks() as app:
        image, dataset, model, label, button = gr.File(type="filepath"), gr.Textbox(), gr.Textbox(), gr.Label(), gr.Button()
        button.click(lambda *_: {"0": 1.0}, [image, dataset, model], label, api_name="classify")
    app.queue().launch()


def self_test() -> None:
    """The load generator against the real app served in this process: every request answered and timed.

    Checks the measuring tool itself (not the app's speed), so a broken ``load`` cannot report good numbers.
    """
    from demo.serving import launch_app

    app, url = launch_app()
    try:
        result = load(url, clients=SELF_TEST_CLIENTS, per_client=SELF_TEST_PER_CLIENT)
    finally:
        app.close()
    if not (result["failures"] == 0 and result["requests_per_second"] > 0 and result["p95_ms"] >= result["p50_ms"] > 0):
        sys.exit(f"bench.serve self-test failed: {result}")
    print(f"bench.serve self-test passed: {SELF_TEST_CLIENTS} clients x {SELF_TEST_PER_CLIENT} requests, {result}")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.serve", description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=200, help="sequential requests per latency measurement")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--per-client", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3,
                        help="load rounds, alternating app and floor app; the median round is reported (the machine is noisy)")
    parser.add_argument("--concurrency", help="the app's GRADIO_DEFAULT_CONCURRENCY_LIMIT (default: the app's own)")
    parser.add_argument("--out", type=Path, default=Path("bench/serve-results.json"))
    parser.add_argument("--floor-server", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--self-test", action="store_true",
                        help="check the load generator against the app served in-process (seconds), then exit")
    args = parser.parse_args()
    if args.floor_server:
        return serve_floor()
    if args.self_test:
        return self_test()

    compute = compute_times(args.requests)
    floor_process, floor_url, _ = start(["bench.serve", "--floor-server"])
    app_process, app_url, cold_start = start(["demo"], args.concurrency)
    try:
        floor, app = connect(floor_url), connect(app_url)
        image = handle_file(str(EXAMPLE))
        samples = {
            "floor: Gradio echo": timed(lambda: floor.predict(image, DATASET, MODEL, api_name="/classify"), args.requests),
            "/classify, one variant": timed(lambda: app.predict(image, DATASET, MODEL, api_name="/classify"), args.requests),
            "/compare, all variants + maps": timed(
                lambda: app.predict(image, DATASET, compute["variants"], api_name="/compare"), args.requests),
        }
        rounds = [(load(app_url, args.clients, args.per_client), load(floor_url, args.clients, args.per_client))
                  for _ in range(args.rounds)]
        under_load, floor_under_load = (median_round(list(side)) for side in zip(*rounds))
    finally:
        app_process.kill()
        floor_process.kill()
    floor_p50 = statistics.median(samples["floor: Gradio echo"])
    latency = {name: {"p50_ms": statistics.median(v), "p95_ms": percentile(v, 95), "p50_vs_floor": statistics.median(v) / floor_p50}
               for name, v in samples.items()}
    results = {"machine": f"{os.cpu_count()} CPU cores, torch {torch.__version__}", "requests": args.requests, "rounds": args.rounds,
               "concurrency": args.concurrency or "app default", "latency": latency,
               "load": {**under_load, "clients": args.clients, "per_client": args.per_client,
                        "p95_vs_floor": under_load["p95_ms"] / floor_p50, "floor_app_under_same_load": floor_under_load},
               "cold_start_s": cold_start, "compute": compute}
    print(f"\n{'round trip':<32}{'p50 ms':>9}{'p95 ms':>9}{'p50/floor':>11}")
    for name, row in latency.items():
        print(f"{name:<32}{row['p50_ms']:>9.1f}{row['p95_ms']:>9.1f}{row['p50_vs_floor']:>11.2f}")
    each = ", ".join(f"{r['p95_ms']:.0f}" for r in under_load["rounds"])
    print(f"\n{args.clients} clients x {args.per_client} /classify, median of {args.rounds} rounds: "
          f"{under_load['requests_per_second']:.1f} req/s, p95 {under_load['p95_ms']:.0f} ms "
          f"({results['load']['p95_vs_floor']:.1f}x floor; rounds {each} ms), {under_load['failures']} failures in all")
    each = ", ".join(f"{r['p95_ms']:.0f}" for r in floor_under_load["rounds"])
    print(f"the floor app under the same load: {floor_under_load['requests_per_second']:.1f} req/s, "
          f"p95 {floor_under_load['p95_ms']:.0f} ms (rounds {each} ms)")
    print(f"cold start (process start to first answer): {cold_start:.1f} s")
    print(f"server-side compute p50: forward {compute['forward_p50_ms']:.2f} ms, one variant {compute['one_variant_p50_ms']:.2f} ms, "
          f"all {len(compute['variants'])} variants with feature maps {compute['all_variants_p50_ms']:.2f} ms, "
          f"with saliency and Grad-CAM {compute['all_variants_with_saliency_p50_ms']:.2f} ms "
          f"({compute['all_variants_with_saliency_p50_ms'] / compute['all_variants_p50_ms']:.2f}x)")
    args.out.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
