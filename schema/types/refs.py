"""The rows a row refers to by a foreign key: its partner, district or partnership.

Each loads through the request's loaders (one batch per kind) and fails loudly should
the database ever break its own guarantee; ``holder`` names the referring row in that
message.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from schema.dataloaders import load_one

if TYPE_CHECKING:
    from schema.context import Info
    from schema.types.district import District
    from schema.types.partner import Partner
    from schema.types.partnership import Partnership


async def partner_ref(info: Info, partner_id: int, holder: str) -> Partner:
    from schema.types.partner import Partner

    loader = info.context.loaders.partner
    return Partner.from_model(await load_one(loader, partner_id, f"{holder} without partner"))


async def district_ref(info: Info, code: str, holder: str) -> District:
    from schema.types.district import District

    loader = info.context.loaders.district
    row = await load_one(loader, code, f"{holder} without district")
    return District.from_model(row, info.context.reference)


async def partnership_ref(info: Info, partnership_id: int, holder: str) -> Partnership:
    from schema.types.partnership import Partnership

    row = await load_one(
        info.context.loaders.partnership, partnership_id, f"{holder} without partnership"
    )
    return Partnership.from_model(row)
