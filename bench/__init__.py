"""Benchmarks of the billing service: ``make bench`` (see bench/README.md)."""
