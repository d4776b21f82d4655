"""Domain writes: accepted changes are audited, rejected ones change nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from service.auth import Forbidden, Principal, Role, Unauthenticated
from service.db.models import AuditLog, District, Partner, Partnership, Province
from service.domain import writes as w
from service.domain.actions import REQUIRED_ROLE, Action
from tests.service import writes_support as support
from tests.service.writes_support import row_counts

asession = support.asession

PLANNER = Principal(owner="planner@bappeda", role=Role.PLANNER, token_id=None)
ADMIN = Principal(owner="admin@bkkbn", role=Role.ADMIN, token_id=None)
VIEWER = Principal(owner="viewer", role=Role.VIEWER, token_id=None)


@pytest.fixture
async def places(asession: AsyncSession) -> dict[str, Any]:
    """Two districts of one province from the seeded database."""
    districts = (await asession.scalars(select(District).order_by(District.code).limit(2))).all()
    assert len(districts) == 2, "the test database should be seeded"
    province = await asession.get(Province, districts[0].province_code)
    assert province is not None
    return {"province": province.code, "d1": districts[0].code, "d2": districts[1].code}


async def _partner(
    session: AsyncSession, places: dict[str, Any], name: str = "Yayasan Uji Coba"
) -> Partner:
    result = await w.create_partner(
        session,
        actor=PLANNER,
        name=name,
        kind="foundation",
        scope="local",
        areas=["wash", "food_supplementation"],
        province_codes=[places["province"]],
        district_codes=[places["d1"]],
    )
    assert result.ok, result.user_errors
    assert result.value is not None
    return result.value


async def _audits(session: AsyncSession, action: str) -> list[AuditLog]:
    return list(
        (
            await session.scalars(
                select(AuditLog).where(AuditLog.action == action).order_by(AuditLog.id)
            )
        ).all()
    )


async def _assert_rejected(session: AsyncSession, call: Any, *codes: str) -> list[Any]:
    before = await row_counts(session)
    result = await call
    assert not result.ok and result.value is None
    assert {e.code for e in result.user_errors} >= set(codes), result.user_errors
    assert await row_counts(session) == before
    return list(result.user_errors)


# --- partners ----------------------------------------------------------------------------


async def test_create_partner_is_audited(asession: AsyncSession, places: dict[str, Any]) -> None:
    before = await row_counts(asession)
    partner = await _partner(asession, places, name="  PT Sehat Bersama  ")
    assert partner.name == "PT Sehat Bersama" and partner.synthetic is False
    after = await row_counts(asession)
    assert after["partner"] == before["partner"] + 1
    assert after["partner_area"] == before["partner_area"] + 2
    assert after["audit_log"] == before["audit_log"] + 1
    (audit,) = [
        a for a in await _audits(asession, "createPartner") if a.entity_id == str(partner.id)
    ]
    assert (
        audit.actor == PLANNER.owner and audit.role == "planner" and audit.entity_type == "Partner"
    )
    assert audit.summary["name"] == "PT Sehat Bersama"
    assert audit.summary["areas"] == ["wash", "food_supplementation"]


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"name": "x"}, "name", "TOO_SHORT"),
        ({"name": "bad\x00name"}, "name", "INVALID_CHARACTERS"),
        ({"kind": "cartel"}, "kind", "INVALID_CHOICE"),
        ({"scope": "galactic"}, "scope", "INVALID_CHOICE"),
        ({"areas": ["wash", "mining"]}, "areas", "INVALID_CHOICE"),
        ({"province_codes": ["99"]}, "province_codes", "NOT_FOUND"),
        ({"district_codes": ["32-04"]}, "district_codes", "INVALID_FORMAT"),
        ({"district_codes": ["99.99"]}, "district_codes", "NOT_FOUND"),
        ({"website": "ftp://x.id"}, "website", "INVALID_FORMAT"),
        ({"annual_budget_idr": -1}, "annual_budget_idr", "OUT_OF_RANGE"),
        ({"annual_budget_idr": 10**15}, "annual_budget_idr", "OUT_OF_RANGE"),
        ({"typical_commitment_months": 0}, "typical_commitment_months", "OUT_OF_RANGE"),
        ({"typical_commitment_months": 121}, "typical_commitment_months", "OUT_OF_RANGE"),
    ],
)
async def test_create_partner_rejections_change_nothing(
    asession: AsyncSession,
    overrides: dict[str, Any],
    field: str,
    code: str,
) -> None:
    args: dict[str, Any] = {"name": "Yayasan Valid", "kind": "ngo", "scope": "national"} | overrides
    errors = await _assert_rejected(
        asession, w.create_partner(asession, actor=PLANNER, **args), code
    )
    assert any(e.field == field and e.code == code for e in errors)


async def test_create_partner_reports_every_bad_field(asession: AsyncSession) -> None:
    errors = await _assert_rejected(
        asession,
        w.create_partner(asession, actor=PLANNER, name="", kind="x", scope="y", website="nope"),
    )
    assert {e.field for e in errors} == {"name", "kind", "scope", "website"}


async def test_duplicate_partner_name(asession: AsyncSession, places: dict[str, Any]) -> None:
    await _partner(asession, places, name="Yayasan Kembar")
    await _assert_rejected(
        asession,
        w.create_partner(
            asession, actor=PLANNER, name="yayasan kembar ", kind="ngo", scope="local"
        ),
        "DUPLICATE",
    )


async def test_roles_are_enforced(asession: AsyncSession, places: dict[str, Any]) -> None:
    before = await row_counts(asession)
    with pytest.raises(Forbidden):
        await w.create_partner(asession, actor=VIEWER, name="Nope", kind="ngo", scope="local")
    with pytest.raises(Unauthenticated):
        await w.create_partner(asession, actor=None, name="Nope", kind="ngo", scope="local")  # type: ignore[arg-type]
    partner = await _partner(asession, places)
    with pytest.raises(Forbidden):
        await w.archive_partner(asession, actor=VIEWER, partner_id=partner.id)
    assert (await row_counts(asession))["partner"] == before["partner"] + 1
    writes = {a for a, role in REQUIRED_ROLE.items() if role is Role.PLANNER}
    assert writes == {
        Action.CREATE_PARTNER,
        Action.UPDATE_PARTNER,
        Action.ARCHIVE_PARTNER,
        Action.PROPOSE_PARTNERSHIP,
        Action.UPDATE_PARTNERSHIP_STATUS,
        Action.RECORD_RECOMMENDATION_FEEDBACK,
        Action.EXTEND_COMMITMENT,
        Action.END_COMMITMENT,
    }
    assert all(hasattr(w, str(action)) for action in writes)  # each a domain function


async def test_update_partner(asession: AsyncSession, places: dict[str, Any]) -> None:
    partner = await _partner(asession, places)
    result = await w.update_partner(
        asession,
        actor=PLANNER,
        partner_id=partner.id,
        name="Yayasan Uji Coba Baru",
        areas=["wash", "funding"],
        website="https://uji.or.id",
        district_codes=[places["d1"], places["d2"]],
    )
    assert result.ok, result.user_errors
    assert partner.name == "Yayasan Uji Coba Baru" and partner.website == "https://uji.or.id"
    assert sorted(a.area for a in partner.areas) == ["funding", "wash"]
    assert sorted(d.district_code for d in partner.districts) == sorted(
        [places["d1"], places["d2"]]
    )
    (audit,) = [
        a for a in await _audits(asession, "updatePartner") if a.entity_id == str(partner.id)
    ]
    assert audit.summary["name"] == {"from": "Yayasan Uji Coba", "to": "Yayasan Uji Coba Baru"}
    assert audit.summary["areas"]["to"] == ["funding", "wash"]
    assert "kind" not in audit.summary

    # Clearing an optional field with None; leaving the rest alone; a no-op is not audited.
    assert (await w.update_partner(asession, actor=PLANNER, partner_id=partner.id, website=None)).ok
    assert partner.website is None and partner.kind == "foundation"
    before = await row_counts(asession)
    assert (
        await w.update_partner(asession, actor=PLANNER, partner_id=partner.id, kind="foundation")
    ).ok
    assert await row_counts(asession) == before


async def test_update_partner_rejections(asession: AsyncSession, places: dict[str, Any]) -> None:
    partner = await _partner(asession, places)
    other = await _partner(asession, places, name="Yayasan Lain")
    await _assert_rejected(
        asession,
        w.update_partner(asession, actor=PLANNER, partner_id=partner.id, name="Yayasan Lain"),
        "DUPLICATE",
    )
    await _assert_rejected(
        asession,
        w.update_partner(asession, actor=PLANNER, partner_id=partner.id, kind="cartel"),
        "INVALID_CHOICE",
    )
    await _assert_rejected(
        asession,
        w.update_partner(asession, actor=PLANNER, partner_id=10**9, name="Whatever"),
        "NOT_FOUND",
    )
    assert partner.name == "Yayasan Uji Coba" and other.name == "Yayasan Lain"


async def test_archive_partner(asession: AsyncSession, places: dict[str, Any]) -> None:
    partner = await _partner(asession, places)
    result = await w.archive_partner(asession, actor=ADMIN, partner_id=partner.id)
    assert result.ok and partner.archived_at is not None
    (audit,) = [
        a for a in await _audits(asession, "archivePartner") if a.entity_id == str(partner.id)
    ]
    assert audit.actor == ADMIN.owner and audit.role == "admin"
    await _assert_rejected(
        asession, w.archive_partner(asession, actor=ADMIN, partner_id=partner.id), "ARCHIVED"
    )
    await _assert_rejected(
        asession,
        w.update_partner(asession, actor=PLANNER, partner_id=partner.id, name="Baru"),
        "ARCHIVED",
    )
    await _assert_rejected(
        asession,
        w.propose_partnership(
            asession, actor=PLANNER, partner_id=partner.id, district_code=places["d1"]
        ),
        "ARCHIVED",
    )
    await _assert_rejected(
        asession, w.archive_partner(asession, actor=ADMIN, partner_id=-5), "NOT_FOUND"
    )


# --- partnerships ------------------------------------------------------------------------


async def test_propose_partnership(asession: AsyncSession, places: dict[str, Any]) -> None:
    partner = await _partner(asession, places)
    result = await w.propose_partnership(
        asession,
        actor=PLANNER,
        partner_id=partner.id,
        district_code=places["d1"],
        areas=["wash"],
        duration_months=12,
        budget_idr=500_000_000,
        target_beneficiaries=1200,
        start_date=dt.date(2025, 1, 1),
        end_date=dt.date(2025, 12, 31),
        notes="  via Bappeda  ",
    )
    assert result.ok, result.user_errors
    row = result.value
    assert row is not None and row.status == "proposed" and row.start_year == 2025
    assert row.notes == "via Bappeda" and row.synthetic is False
    (audit,) = [
        a for a in await _audits(asession, "proposePartnership") if a.entity_id == str(row.id)
    ]
    assert (
        audit.summary["district_code"] == places["d1"]
        and audit.summary["start_date"] == "2025-01-01"
    )

    # Same partner, same district, still open: refused. Another district is fine.
    errors = await _assert_rejected(
        asession,
        w.propose_partnership(
            asession, actor=PLANNER, partner_id=partner.id, district_code=places["d1"]
        ),
        "DUPLICATE",
    )
    assert errors[0].field == "district_code" and str(row.id) in errors[0].message
    assert (
        await w.propose_partnership(
            asession, actor=PLANNER, partner_id=partner.id, district_code=places["d2"]
        )
    ).ok


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"district_code": "99.99"}, "district_code", "NOT_FOUND"),
        ({"district_code": "x"}, "district_code", "INVALID_FORMAT"),
        ({"partner_id": 10**9}, "partner_id", "NOT_FOUND"),
        ({"areas": ["bribery"]}, "areas", "INVALID_CHOICE"),
        ({"budget_idr": -5}, "budget_idr", "OUT_OF_RANGE"),
        ({"duration_months": 500}, "duration_months", "OUT_OF_RANGE"),
        ({"target_beneficiaries": -1}, "target_beneficiaries", "OUT_OF_RANGE"),
        (
            {"start_date": dt.date(2025, 6, 1), "end_date": dt.date(2025, 1, 1)},
            "end_date",
            "INVALID_DATE_ORDER",
        ),
        ({"notes": "a\x00b"}, "notes", "INVALID_CHARACTERS"),
    ],
)
async def test_propose_rejections_change_nothing(
    asession: AsyncSession,
    places: dict[str, Any],
    overrides: dict[str, Any],
    field: str,
    code: str,
) -> None:
    partner = await _partner(asession, places)
    args: dict[str, Any] = {"partner_id": partner.id, "district_code": places["d1"]} | overrides
    errors = await _assert_rejected(
        asession, w.propose_partnership(asession, actor=PLANNER, **args), code
    )
    assert any(e.field == field and e.code == code for e in errors)


async def test_status_lifecycle(asession: AsyncSession, places: dict[str, Any]) -> None:
    partner = await _partner(asession, places)
    row = (
        await w.propose_partnership(
            asession, actor=PLANNER, partner_id=partner.id, district_code=places["d1"]
        )
    ).value
    assert row is not None
    today = dt.date(2025, 3, 10)
    result = await w.update_partnership_status(
        asession, actor=PLANNER, partnership_id=row.id, status="active", today=today
    )
    assert (
        result.ok and row.status == "active" and row.start_date == today and row.start_year == 2025
    )
    # Cannot complete before it started.
    await _assert_rejected(
        asession,
        w.update_partnership_status(
            asession,
            actor=PLANNER,
            partnership_id=row.id,
            status="completed",
            end_date=dt.date(2025, 1, 1),
        ),
        "INVALID_DATE_ORDER",
    )
    await _assert_rejected(
        asession,
        w.update_partnership_status(
            asession, actor=PLANNER, partnership_id=row.id, status="proposed"
        ),
        "INVALID_TRANSITION",
    )
    result = await w.update_partnership_status(
        asession,
        actor=PLANNER,
        partnership_id=row.id,
        status="completed",
        today=dt.date(2025, 12, 1),
        outcome="Posyandu rehabilitated",
    )
    assert (
        result.ok
        and row.end_date == dt.date(2025, 12, 1)
        and row.outcome == "Posyandu rehabilitated"
    )
    for status in ("active", "cancelled", "proposed", "completed"):
        await _assert_rejected(
            asession,
            w.update_partnership_status(
                asession, actor=PLANNER, partnership_id=row.id, status=status
            ),
            "INVALID_TRANSITION",
        )
    audits = [
        a for a in await _audits(asession, "updatePartnershipStatus") if a.entity_id == str(row.id)
    ]
    assert [a.summary["status"]["to"] for a in audits] == ["active", "completed"]
    assert audits[0].summary["start_date"] == {"from": None, "to": "2025-03-10"}

    # Once closed, the pair may be proposed again.
    assert (
        await w.propose_partnership(
            asession, actor=PLANNER, partner_id=partner.id, district_code=places["d1"]
        )
    ).ok


async def test_cancel(asession: AsyncSession, places: dict[str, Any]) -> None:
    partner = await _partner(asession, places)
    proposal = (
        await w.propose_partnership(
            asession, actor=PLANNER, partner_id=partner.id, district_code=places["d1"]
        )
    ).value
    assert proposal is not None
    await _assert_rejected(
        asession,
        w.update_partnership_status(
            asession,
            actor=PLANNER,
            partnership_id=proposal.id,
            status="cancelled",
            end_date=dt.date(2025, 1, 1),
        ),
        "INVALID_DATE_ORDER",
    )
    assert (
        await w.update_partnership_status(
            asession, actor=PLANNER, partnership_id=proposal.id, status="cancelled"
        )
    ).ok
    assert (
        proposal.status == "cancelled" and proposal.start_date is None and proposal.end_date is None
    )

    active = (
        await w.propose_partnership(
            asession, actor=PLANNER, partner_id=partner.id, district_code=places["d1"]
        )
    ).value
    assert active is not None
    await w.update_partnership_status(
        asession,
        actor=PLANNER,
        partnership_id=active.id,
        status="active",
        start_date=dt.date(2025, 2, 1),
    )
    assert (
        await w.update_partnership_status(
            asession,
            actor=PLANNER,
            partnership_id=active.id,
            status="cancelled",
            today=dt.date(2025, 4, 1),
        )
    ).ok
    assert active.end_date == dt.date(2025, 4, 1)


async def test_reported_rows_are_read_only(asession: AsyncSession, places: dict[str, Any]) -> None:
    partner = await _partner(asession, places)
    reported = Partnership(
        partner_id=partner.id, district_code=places["d1"], status="reported", synthetic=False
    )
    asession.add(reported)
    await asession.flush()
    await _assert_rejected(
        asession,
        w.update_partnership_status(
            asession, actor=PLANNER, partnership_id=reported.id, status="active"
        ),
        "READ_ONLY",
    )
    await _assert_rejected(
        asession,
        w.update_partnership_status(asession, actor=PLANNER, partnership_id=10**9, status="active"),
        "NOT_FOUND",
    )
    # A reported row does not block a new proposal for the same pair.
    assert (
        await w.propose_partnership(
            asession, actor=PLANNER, partner_id=partner.id, district_code=places["d1"]
        )
    ).ok


# --- feedback ----------------------------------------------------------------------------


async def test_recommendation_feedback(asession: AsyncSession, places: dict[str, Any]) -> None:
    partner = await _partner(asession, places)
    result = await w.record_recommendation_feedback(
        asession,
        actor=PLANNER,
        district_code=places["d2"],
        partner_id=partner.id,
        verdict="rejected",
        reason="no presence in the district",
        model_version="v2025.1",
    )
    assert result.ok and result.value is not None
    assert result.value.actor == PLANNER.owner and result.value.verdict == "rejected"
    (audit,) = [
        a
        for a in await _audits(asession, "recordRecommendationFeedback")
        if a.entity_id == str(result.value.id)
    ]
    assert audit.summary["model_version"] == "v2025.1"
    errors = await _assert_rejected(
        asession,
        w.record_recommendation_feedback(
            asession,
            actor=PLANNER,
            district_code="99.99",
            partner_id=10**9,
            verdict="maybe",
            model_version="x" * 41,
        ),
    )
    assert {(e.field, e.code) for e in errors} == {
        ("district_code", "NOT_FOUND"),
        ("partner_id", "NOT_FOUND"),
        ("verdict", "INVALID_CHOICE"),
        ("model_version", "TOO_LONG"),
    }
