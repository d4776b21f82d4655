"""Read-side resolvers: arguments -> one domain call or loader -> types."""

from __future__ import annotations

from typing import Annotated

import strawberry

from schema.context import Info
from schema.ids import from_global_id, parse_district_code, parse_province_code, parse_typed_id
from schema.inputs import DistrictFilter, DistrictOrder, PartnerFilter, PartnershipFilter
from schema.pagination import Connection, page_window, to_connection
from schema.reference_views import views
from schema.types.campaign import CampaignProgress
from schema.types.district import District
from schema.types.node import Node
from schema.types.partner import Partner
from schema.types.partnership import Partnership
from schema.types.province import Province
from schema.worlds import WorldArg, checked_world
from service.domain import campaign, districts, partners, partnerships
from service.domain.worlds import World

First = Annotated[
    int | None,
    strawberry.argument(description="Page size: 1 to the server maximum (100); default 20."),
]
After = Annotated[
    str | None, strawberry.argument(description="The endCursor of the previous page.")
]


async def resolve_node(info: Info, global_id: str) -> Node | None:
    type_name, key = from_global_id(global_id)
    loaders = info.context.loaders
    if type_name == "Province":
        province = await loaders.province.load(key)
        return None if province is None else Province.from_model(province)
    if type_name == "District":
        district = await loaders.district.load(key)
        return None if district is None else District.from_model(district, info.context.reference)
    if type_name == "Partner":
        partner = await loaders.partner.load(int(key))
        return None if partner is None else Partner.from_model(partner)
    partnership = await loaders.partnership.load(int(key))
    return None if partnership is None else Partnership.from_model(partnership)


@strawberry.type
class ReadQuery:
    @strawberry.field(description="Fetch any object by its global id; null when it is unknown.")
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        return await resolve_node(info, id)

    @strawberry.field(description="All 38 provinces, ordered by code.")
    def provinces(self, info: Info) -> list[Province]:
        return [Province.from_model(row) for row in info.context.reference.provinces.values()]

    @strawberry.field(description='A province by Kemendagri code ("53"); null when unknown.')
    def province(self, info: Info, code: str) -> Province | None:
        key = parse_province_code(code)  # a malformed code is the client's error, first
        row = info.context.reference.provinces.get(key)
        return None if row is None else Province.from_model(row)

    @strawberry.field
    async def districts(
        self,
        info: Info,
        filter: DistrictFilter | None = None,
        order_by: DistrictOrder | None = None,
        first: First = None,
        after: After = None,
    ) -> Connection[District]:
        window = page_window(first, after, max_page_size=info.context.settings.max_page_size)
        flt = filter.to_domain() if filter else None
        order = order_by.to_domain() if order_by else None
        shared = views(info.context.reference)
        everything = (flt or districts.DistrictFilter()) == districts.DistrictFilter()
        if everything and (order or districts.DistrictOrder()) == districts.DistrictOrder():
            # the whole list by code: the reference snapshot has it, no SQL
            page = districts.reference_page(
                shared.reference, offset=window.offset, limit=window.limit
            )
        else:
            async with info.context.session_factory() as session:
                page = await districts.list_districts(
                    session, filter=flt, order=order, offset=window.offset, limit=window.limit
                )
        return to_connection(
            page,
            lambda row: shared.district(row.code) or District.from_model(row, shared.reference),
        )

    @strawberry.field(
        description='A district by Kemendagri code ("53.02" or "5302"); null when unknown.'
    )
    def district(self, info: Info, code: str) -> District | None:
        key = parse_district_code(code)  # a malformed code is the client's error, first
        return views(info.context.reference).district(key)

    @strawberry.field(description="Partners ordered by name; archived ones only when asked.")
    async def partners(
        self,
        info: Info,
        filter: PartnerFilter | None = None,
        first: First = None,
        after: After = None,
    ) -> Connection[Partner]:
        window = page_window(first, after, max_page_size=info.context.settings.max_page_size)
        flt = filter.to_domain() if filter else None
        async with info.context.session_factory() as session:
            page = await partners.list_partners(
                session, filter=flt, offset=window.offset, limit=window.limit
            )
        for row in page.items:
            info.context.loaders.partner.prime(row.id, row)
        return to_connection(page, Partner.from_model)

    @strawberry.field(description="A partner by global id; null when unknown.")
    async def partner(self, info: Info, id: strawberry.ID) -> Partner | None:
        row = await info.context.loaders.partner.load(parse_typed_id(id, "Partner"))
        return None if row is None else Partner.from_model(row)

    @strawberry.field(description="Partnerships ordered by id.")
    async def partnerships(
        self,
        info: Info,
        filter: PartnershipFilter | None = None,
        first: First = None,
        after: After = None,
    ) -> Connection[Partnership]:
        window = page_window(first, after, max_page_size=info.context.settings.max_page_size)
        flt = filter.to_domain() if filter else None
        async with info.context.session_factory() as session:
            page = await partnerships.list_partnerships(
                session, filter=flt, offset=window.offset, limit=window.limit
            )
        for row in page.items:
            info.context.loaders.partnership.prime(row.id, row)
        return to_connection(page, Partnership.from_model)

    @strawberry.field(description="A partnership by global id; null when unknown.")
    async def partnership(self, info: Info, id: strawberry.ID) -> Partnership | None:
        row = await info.context.loaders.partnership.load(parse_typed_id(id, "Partnership"))
        return None if row is None else Partnership.from_model(row)

    @strawberry.field(
        description="Progress of BKKBN's partner campaign, nationally: real commitments, "
        "and with world DEMO the generated ones too, counted apart."
    )
    async def campaign_progress(self, info: Info, world: WorldArg = World.REAL) -> CampaignProgress:
        world = await checked_world(info, world)
        async with info.context.session_factory() as session:
            progress = await campaign.campaign_progress(session, world=world)
        return CampaignProgress.from_domain(progress)
