"""Benchmarks: ``python -m bench.train`` and ``python -m bench.serve``; how to run them and what they measured: bench/README.md."""
