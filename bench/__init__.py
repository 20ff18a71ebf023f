"""Benchmarks (``python -m bench.<name>``: classroom, train, serve, live_training, uploads); what each measures, its
latest figures and the command behind them: bench/README.md."""
