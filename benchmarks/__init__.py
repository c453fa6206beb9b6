"""Benchmarks against the app served as `make run` serves it. Run them with `make bench`
(`python -m benchmarks [--only NAME] ...`); each `bench_*.py` module has `run(ctx) -> list[Row]`."""
