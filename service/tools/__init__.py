"""Operator tools: HTTP benchmarks and their anchor app."""
