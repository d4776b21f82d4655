"""Operator tools: the load test against a throwaway database, the HTTP benchmark and
its anchor app."""
