"""Persistence: declarative models, engines and sessions, Alembic migrations."""
