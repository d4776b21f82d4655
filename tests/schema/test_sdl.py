"""The checked-in SDL matches the code."""

from __future__ import annotations

from schema.export import SDL_PATH, export_sdl


def test_exported_sdl_is_current():
    assert SDL_PATH.read_text(encoding="utf-8") == export_sdl(), (
        "schema/schema.graphql is out of date: run `mitra export-schema` "
        "(or `python -m service.server.cli export-schema`) and commit the result"
    )


def test_sdl_has_the_relay_shapes():
    sdl = export_sdl()
    for fragment in (
        "interface Node",
        "type PageInfo",
        "type DistrictConnection",
        "totalCount: Int!",
        "scalar BigInt",
        "node(id: ID!): Node",
        "campaignProgress(",
        "world: World! = REAL\n  ): CampaignProgress!",
        "enum World",
        "enum PartnerKind",
        "enum InterventionArea",
        "enum PartnershipStatus",
    ):
        assert fragment in sdl, fragment
