"""The SDL of the schema, as checked in at ``schema/schema.graphql`` (``mitra export-schema``)."""

from __future__ import annotations

from pathlib import Path

SDL_PATH = Path(__file__).resolve().parent / "schema.graphql"


def export_sdl() -> str:
    from schema import build_schema

    return build_schema().as_str().rstrip("\n") + "\n"
