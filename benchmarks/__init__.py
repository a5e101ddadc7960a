"""Benchmarks run by `make bench`: figures to read, not timed tests."""
