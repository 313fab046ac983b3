"""Benchmarks: they measure and write figures to bench/results/, never assert a time."""
