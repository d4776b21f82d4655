"""Expiring commitments: the window, the quota their end puts at risk, extend and end.

The fixtures add partners and partnerships inside a rolled-back transaction. The
expected quota counts are recomputed here from the raw rows (a commitment in force:
active or reported, at least 6 months, no end date or one not yet passed), not
taken from the code under test.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from schema import build_schema
from schema.context import build_context
from schema.ids import to_global_id
from service.auth import Forbidden, Principal, Role
from service.db.models import AuditLog, District, Partner, Partnership
from service.domain import writes as w
from service.domain.commitments import ExpiringFilter, expiring_commitments
from service.domain.worlds import World
from service.settings import Settings
from tests.schema.campaign_support import months
from tests.service import writes_support as support

asession = support.asession

PLANNER = Principal(owner="planner@bappeda", role=Role.PLANNER, token_id=None)
FAR = dt.date(2031, 1, 1)  # "today" for the domain tests: after every seeded end date


async def in_force_companies(session: AsyncSession, province: str, day: dt.date) -> set[int]:
    """Company partners with a commitment in force in ``province`` on ``day``, from raw rows."""
    rows = await session.execute(
        select(
            Partnership.partner_id,
            Partnership.status,
            Partnership.duration_months,
            Partnership.start_date,
            Partnership.end_date,
        )
        .join(Partner, Partner.id == Partnership.partner_id)
        .join(District, District.code == Partnership.district_code)
        .where(
            District.province_code == province,
            Partner.kind.in_(["company", "state_owned_company"]),
            # the real record, as expiringCommitments counts by default
            Partner.synthetic.is_(False),
            Partnership.synthetic.is_(False),
        )
    )
    found = set()
    for partner_id, status, stated, start, end in rows:
        if status not in ("active", "reported"):
            continue
        length = stated if stated is not None else (months(start, end) if start and end else None)
        if length is not None and length >= 6 and (end is None or end >= day):
            found.add(partner_id)
    return found


async def _add(
    session: AsyncSession,
    name: str,
    kind: str,
    district: str,
    start: dt.date,
    end: dt.date,
    status: str = "active",
) -> Partnership:
    partner = Partner(name=name, kind=kind, scope="local", synthetic=False)
    session.add(partner)
    await session.flush()
    row = Partnership(
        partner_id=partner.id,
        district_code=district,
        status=status,
        start_date=start,
        end_date=end,
        start_year=start.year,
        synthetic=False,
    )
    session.add(row)
    await session.flush()
    return row


async def _province_below_quota(session: AsyncSession, day: dt.date) -> tuple[str, str, int]:
    """A province with fewer than 5 company partners in force on ``day``; a district of it."""
    for district in (await session.scalars(select(District).order_by(District.code))).all():
        have = len(await in_force_companies(session, district.province_code, day))
        if have < 5:
            return district.province_code, district.code, have
    raise AssertionError("every province already meets its company quota")


async def _world(session: AsyncSession, today: dt.date) -> dict[str, Any]:
    """Exactly 5 company partners in force in one province today; one of them ends in 30 days.

    Also: a company commitment ending in 90 days (outside a 60-day window), an NGO one
    ending in 10 days (its category is far from the target of 10, so not at risk), and
    a company commitment elsewhere ending in 45 days in a province with room to spare.
    """
    province, district, have = await _province_below_quota(session, today)
    start = today - dt.timedelta(days=400)
    rows: dict[str, Any] = {"province": province, "district": district}
    for i in range(5 - have - 1):
        await _add(
            session,
            f"PT Uji Lama {i}",
            "company",
            district,
            start,
            today.replace(year=today.year + 2),
        )
    rows["at_risk"] = await _add(
        session, "PT Uji Berakhir", "company", district, start, today + dt.timedelta(days=30)
    )
    rows["outside"] = await _add(
        session, "PT Uji Nanti", "company", district, start, today + dt.timedelta(days=90)
    )
    rows["ngo"] = await _add(
        session,
        "Yayasan Uji Singkat",
        "ngo",
        district,
        today - dt.timedelta(days=100),
        today + dt.timedelta(days=10),
    )
    assert len(await in_force_companies(session, province, today)) == 6  # 5 + the 90-day one
    return rows


async def test_window_and_quota_at_risk(asession: AsyncSession) -> None:
    world = await _world(asession, FAR)
    found = await expiring_commitments(
        asession,
        within_days=60,
        filter=ExpiringFilter(province_codes=[world["province"]]),
        today=FAR,
    )
    by_id = {item.partnership_id: item for item in found}
    assert world["outside"].id not in by_id, "ends in 90 days: outside a 60-day window"
    risky = by_id[world["at_risk"].id]
    assert risky.days_left == 30
    # 6 in force now (the 90-day one included); after day 30, 5: the quota still holds.
    assert (risky.committed_now, risky.committed_after_end) == (6, 5)
    assert not risky.quota_at_risk
    assert risky.reached_six_months and risky.reached_twelve_months
    ngo = by_id[world["ngo"].id]
    assert ngo.days_left == 10 and not ngo.quota_at_risk
    assert ngo.commitment_months == months(
        FAR - dt.timedelta(days=100), FAR + dt.timedelta(days=10)
    )
    assert not ngo.reached_six_months and not ngo.is_commitment
    # Soonest first.
    assert [i.end_date for i in found] == sorted(i.end_date for i in found)

    # With a 120-day window the 90-day one is listed too, and its end (after the
    # 30-day one has lapsed) takes the province from 5 to 4: at risk.
    wide = {
        i.partnership_id: i
        for i in await expiring_commitments(
            asession,
            within_days=120,
            filter=ExpiringFilter(province_codes=[world["province"]]),
            today=FAR,
        )
    }
    later = wide[world["outside"].id]
    assert (later.committed_now, later.committed_after_end) == (6, 4)
    assert later.quota_at_risk, "met today (6), not after its end (4)"


async def test_one_commitment_drops_the_quota(asession: AsyncSession) -> None:
    world = await _world(asession, FAR)
    # Without the 90-day commitment the province holds exactly 5: the 30-day one is at risk.
    await asession.delete(world["outside"])
    await asession.flush()
    found = await expiring_commitments(
        asession,
        within_days=60,
        filter=ExpiringFilter(district_codes=[world["district"]], kinds=["company"]),
        today=FAR,
    )
    assert [i.partnership_id for i in found] == [world["at_risk"].id]
    item = found[0]
    assert (item.quota_target, item.committed_now, item.committed_after_end) == (5, 5, 4)
    assert item.quota_at_risk and item.quota_category.value == "company"


async def test_generated_commitments_only_in_the_demo_world(asession: AsyncSession) -> None:
    """A synthetic commitment is neither listed nor counted unless the demo world is asked."""
    province, district, _ = await _province_below_quota(asession, FAR)
    real = await _add(
        asession, "PT Uji Nyata", "company", district, FAR - dt.timedelta(days=400), FAR
    )
    demo = await _add(
        asession, "PT Uji Demo", "company", district, FAR - dt.timedelta(days=400), FAR
    )
    demo.synthetic = True
    (await asession.get(Partner, demo.partner_id)).synthetic = True  # type: ignore[union-attr]
    await asession.flush()
    flt = ExpiringFilter(district_codes=[district])

    async def listed(world: World) -> dict[int, Any]:
        found = await expiring_commitments(
            asession, within_days=30, filter=flt, today=FAR, world=world
        )
        return {i.partnership_id: i for i in found}

    by_default, with_demo = await listed(World.REAL), await listed(World.DEMO)
    assert real.id in by_default and demo.id not in by_default
    assert {real.id, demo.id} <= set(with_demo)
    # counted in force: the real record's companies by default (restated from the raw
    # rows by in_force_companies); the generated one (and any other) only with the demo
    assert by_default[real.id].committed_now == len(
        await in_force_companies(asession, province, FAR)
    )
    assert with_demo[real.id].committed_now > by_default[real.id].committed_now


@pytest.mark.parametrize("days", [0, -1, 731, 10_000])
async def test_within_days_out_of_range(asession: AsyncSession, days: int) -> None:
    with pytest.raises(ValueError, match="between 1 and 730"):
        await expiring_commitments(asession, within_days=days, today=FAR)


# --- through GraphQL, with the real date: a commitment ending in 30 days ---------------


@pytest.fixture
def factory(asession: AsyncSession) -> async_sessionmaker[AsyncSession]:
    """Sessions that see (and roll back with) the test's transaction.

    They share one connection, so queries here ask for no nested objects: DataLoaders
    would open sessions concurrently on it.
    """
    return async_sessionmaker(
        bind=asession.bind, join_transaction_mode="create_savepoint", expire_on_commit=False
    )


EXPIRING = """
query($days: Int!, $filter: ExpiringCommitmentFilter) {
  expiringCommitments(withinDays: $days, filter: $filter) {
    daysLeft endDate quotaCategory quotaTarget committedNow committedAfterEnd quotaAtRisk
    reachedSixMonths reachedTwelveMonths provinceCode
  }
}
"""


async def _gql(
    factory: async_sessionmaker[AsyncSession], settings: Settings, query: str, variables: Any
) -> Any:
    return await build_schema(settings).execute(
        query, variable_values=variables, context_value=build_context(factory, settings)
    )


async def test_graphql_lists_a_seeded_commitment_ending_in_30_days(
    asession: AsyncSession, factory: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    today = dt.date.today()
    world = await _world(asession, today)
    await asession.delete(world["outside"])
    await asession.flush()
    flt = {"districtCodes": [world["district"]], "kinds": ["COMPANY", "STATE_OWNED_COMPANY"]}
    result = await _gql(factory, settings, EXPIRING, {"days": 60, "filter": flt})
    assert result.errors is None, result.errors
    [item] = [i for i in result.data["expiringCommitments"] if i["daysLeft"] == 30]
    assert item["endDate"] == world["at_risk"].end_date.isoformat()
    assert item["quotaAtRisk"] is True
    assert (item["quotaCategory"], item["committedNow"], item["committedAfterEnd"]) == (
        "COMPANY",
        5,
        4,
    )


@pytest.mark.parametrize("days", [0, 731])
async def test_graphql_refuses_within_days_out_of_range(
    factory: async_sessionmaker[AsyncSession], settings: Settings, days: int
) -> None:
    result = await _gql(factory, settings, EXPIRING, {"days": days})
    assert result.data is None
    [error] = result.errors
    assert error.extensions == {"code": "BAD_USER_INPUT", "field": "withinDays"}
    assert "between 1 and 730" in error.message


async def test_graphql_unknown_province_is_not_found(
    factory: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    result = await _gql(
        factory, settings, EXPIRING, {"days": 60, "filter": {"provinceCodes": ["99"]}}
    )
    [error] = result.errors
    assert error.extensions == {"code": "NOT_FOUND", "field": "provinceCodes"}


# --- extend and end ----------------------------------------------------------------------


async def _audit(session: AsyncSession, action: str) -> list[AuditLog]:
    return list((await session.scalars(select(AuditLog).where(AuditLog.action == action))).all())


async def test_extend_commitment(asession: AsyncSession) -> None:
    today = dt.date.today()
    world = await _world(asession, today)
    row = world["at_risk"]
    old_end = row.end_date
    new_end = old_end + dt.timedelta(days=200)
    result = await w.extend_commitment(
        asession, actor=PLANNER, partnership_id=row.id, end_date=new_end
    )
    assert result.ok and result.value is not None and result.value.end_date == new_end
    [audit] = await _audit(asession, "extendCommitment")
    assert audit.actor == PLANNER.owner
    assert audit.summary == {"end_date": {"from": old_end.isoformat(), "to": new_end.isoformat()}}
    found = await expiring_commitments(
        asession, within_days=60, filter=ExpiringFilter(district_codes=[world["district"]])
    )
    assert row.id not in {i.partnership_id for i in found}


async def test_extend_refusals_change_nothing(asession: AsyncSession) -> None:
    today = dt.date.today()
    world = await _world(asession, today)
    row = world["at_risk"]
    cases = [
        (row.end_date - dt.timedelta(days=1), "INVALID_DATE_ORDER"),
        (today - dt.timedelta(days=1), "OUT_OF_RANGE"),
        (row.start_date + dt.timedelta(days=365 * 11), "OUT_OF_RANGE"),
    ]
    row.duration_months = months(row.start_date, row.end_date)  # a stated duration follows
    await asession.flush()
    for end, code in cases:
        result = await w.extend_commitment(
            asession, actor=PLANNER, partnership_id=row.id, end_date=end
        )
        assert not result.ok and code in [e.code for e in result.user_errors], (end, result)
    missing = await w.extend_commitment(
        asession, actor=PLANNER, partnership_id=10**9, end_date=today
    )
    assert [e.code for e in missing.user_errors] == ["NOT_FOUND"]
    await w.end_commitment(asession, actor=PLANNER, partnership_id=world["ngo"].id)
    ended = await w.extend_commitment(
        asession,
        actor=PLANNER,
        partnership_id=world["ngo"].id,
        end_date=today + dt.timedelta(days=400),
    )
    assert [e.code for e in ended.user_errors] == ["INVALID_TRANSITION"]
    assert await _audit(asession, "extendCommitment") == []
    longer = row.end_date + dt.timedelta(days=31)
    ok = await w.extend_commitment(asession, actor=PLANNER, partnership_id=row.id, end_date=longer)
    assert ok.ok and ok.value is not None
    assert ok.value.duration_months == months(row.start_date, longer)


async def test_end_commitment(asession: AsyncSession) -> None:
    today = dt.date.today()
    world = await _world(asession, today)
    row = world["at_risk"]
    viewer = Principal("viewer", Role.VIEWER)
    with pytest.raises(Forbidden):
        await w.end_commitment(asession, actor=viewer, partnership_id=row.id)
    with pytest.raises(Forbidden):
        await w.extend_commitment(asession, actor=viewer, partnership_id=row.id, end_date=today)
    future = await w.end_commitment(
        asession, actor=PLANNER, partnership_id=row.id, end_date=today + dt.timedelta(days=1)
    )
    assert [e.code for e in future.user_errors] == ["OUT_OF_RANGE"]
    # the domain says what to do in its own words, not a GraphQL mutation's name
    assert "extend the commitment instead" in future.user_errors[0].message
    assert "Commitment" not in future.user_errors[0].message
    result = await w.end_commitment(
        asession, actor=PLANNER, partnership_id=row.id, outcome="selesai"
    )
    assert result.ok and result.value is not None
    assert (result.value.status, result.value.end_date) == ("completed", today)
    [audit] = await _audit(asession, "endCommitment")
    assert audit.summary["status"] == {"from": "active", "to": "completed"}
    found = await expiring_commitments(
        asession, within_days=60, filter=ExpiringFilter(district_codes=[world["district"]])
    )
    assert row.id not in {i.partnership_id for i in found}


EXTEND = """
mutation($input: ExtendCommitmentInput!) {
  extendCommitment(input: $input) { partnership { endDate } userErrors { field code } }
}
"""


async def test_extend_through_graphql_needs_a_planner(
    asession: AsyncSession, factory: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    world = await _world(asession, dt.date.today())
    new_end = world["at_risk"].end_date + dt.timedelta(days=60)
    variables = {
        "input": {
            "partnershipId": to_global_id("Partnership", world["at_risk"].id),
            "endDate": new_end.isoformat(),
        }
    }
    schema = build_schema(settings)
    viewer = build_context(factory, settings, principal=Principal("v", Role.VIEWER))
    refused = await schema.execute(EXTEND, variable_values=variables, context_value=viewer)
    assert [e.extensions["code"] for e in refused.errors] == ["FORBIDDEN"]
    planner = build_context(factory, settings, principal=PLANNER)
    done = await schema.execute(EXTEND, variable_values=variables, context_value=planner)
    assert done.errors is None
    assert done.data["extendCommitment"] == {
        "partnership": {"endDate": new_end.isoformat()},
        "userErrors": [],
    }
