"""Benchmarks: ``python -m bench.train``."""
