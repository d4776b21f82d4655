"""The recommender: pure numpy/pandas/scikit-learn scoring of partners for districts.

It imports nothing of the service or the GraphQL layer (see docs/architecture.md).
"""
