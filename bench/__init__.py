"""Benchmarks: the engine alone, the worker end to end, and the raw client as baseline."""
