"""Commitment resolvers: the expiring list (arguments -> one domain call -> types)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated

import strawberry

from schema.context import Info
from schema.errors import NotFoundError, UserInputError
from schema.ids import parse_district_code, parse_province_code, parse_typed_id
from schema.types.commitment import ExpiringCommitment
from schema.types.enums import PartnerKind
from schema.worlds import WorldArg, checked_world
from service.domain import commitments, provinces
from service.domain.worlds import World

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession


@strawberry.input(description="All given conditions must hold; an empty list places none.")
class ExpiringCommitmentFilter:
    province_codes: list[str] | None = None
    district_codes: list[str] | None = None
    partner_ids: list[strawberry.ID] | None = None
    kinds: list[PartnerKind] | None = None

    def to_domain(self) -> commitments.ExpiringFilter:
        return commitments.ExpiringFilter(
            province_codes=[
                parse_province_code(c, field="provinceCodes") for c in self.province_codes or ()
            ],
            district_codes=[
                parse_district_code(c, field="districtCodes") for c in self.district_codes or ()
            ],
            partner_ids=[
                parse_typed_id(i, "Partner", field="partnerIds") for i in self.partner_ids or ()
            ],
            kinds=list(self.kinds or ()),
        )


WithinDays = Annotated[
    int,
    strawberry.argument(
        description=(
            f"The window from today: {commitments.WITHIN_DAYS_MIN} to "
            f"{commitments.WITHIN_DAYS_MAX} days; default {commitments.DEFAULT_WITHIN_DAYS}."
        )
    ),
]


@strawberry.type
class CommitmentQuery:
    @strawberry.field(
        description=(
            "Active or reported partnerships whose end date falls within withinDays from "
            "today, soonest first, each with the quota its end puts at risk. BAD_USER_INPUT "
            "when withinDays is out of range, NOT_FOUND for an unknown province or district."
        )
    )
    async def expiring_commitments(
        self,
        info: Info,
        within_days: WithinDays = commitments.DEFAULT_WITHIN_DAYS,
        filter: ExpiringCommitmentFilter | None = None,
        world: WorldArg = World.REAL,
    ) -> list[ExpiringCommitment]:
        problem = commitments.within_days_error(within_days)
        if problem is not None:
            raise UserInputError(problem, field="withinDays")
        flt = filter.to_domain() if filter else commitments.ExpiringFilter()
        world = await checked_world(info, world)
        async with info.context.session_factory() as session:
            await check_known_codes(
                session,
                province_codes=flt.province_codes or (),
                district_codes=flt.district_codes or (),
            )
            rows = await commitments.expiring_commitments(
                session, within_days=within_days, filter=flt, world=world
            )
        return [ExpiringCommitment.from_domain(row) for row in rows]


async def check_known_codes(
    session: AsyncSession,
    *,
    province_codes: Sequence[str] = (),
    district_codes: Sequence[str] = (),
) -> None:
    """Raise NOT_FOUND naming the filter field when a well-formed code does not exist."""
    missing_p, missing_d = await provinces.unknown_codes(
        session, province_codes=province_codes, district_codes=district_codes
    )
    if missing_p:
        raise NotFoundError(f"there is no province {', '.join(missing_p)}", field="provinceCodes")
    if missing_d:
        raise NotFoundError(f"there is no district {', '.join(missing_d)}", field="districtCodes")
