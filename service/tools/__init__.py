"""Operator tools: the load test against a throwaway database."""
