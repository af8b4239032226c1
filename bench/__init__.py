"""Benchmarks of the account-linking kit: `python -m bench` (or `make bench`).

Every figure is measured side by side with its baseline in the same run, interleaved,
so the ratios hold on a noisy machine. Benchmarks are not tests: nothing here asserts.
"""
