"""Benchmarks anyone can run: ``python -m bench etl`` (more targets are added per issue)."""
