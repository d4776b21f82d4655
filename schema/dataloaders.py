"""Batch loaders, built fresh for every request by :func:`make_loaders`.

Each batch opens its own short session: concurrent resolvers never share one. Provinces
and districts come from the request's reference-data snapshot, without SQL.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from strawberry.dataloader import DataLoader

from service.db import models
from service.domain import districts, partners, partnerships, prevalence
from service.domain.campaign import QuotaProgress, quota_progress_by_province
from service.domain.districts import DistrictPartnerStats
from service.domain.worlds import World

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

    from service.domain.reference import ReferenceData

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


def _loader(
    session_factory: async_sessionmaker[AsyncSession],
    fetch: Callable[[AsyncSession, list[K]], Awaitable[dict[K, V]]],
    default: Callable[[], V] | None = None,
) -> DataLoader[K, V | None]:
    """A loader that calls ``fetch`` once per batch and orders its answers by key."""

    async def load(keys: Sequence[K]) -> list[V | None]:
        async with session_factory() as session:
            found = await fetch(session, list(keys))
        if default is None:
            return [found.get(key) for key in keys]
        return [found[key] if key in found else default() for key in keys]

    return DataLoader(load_fn=load)


async def load_one(loader: DataLoader[K, V | None], key: K, missing: str) -> V:
    """Load the row ``key`` refers to, which the database guarantees (a foreign key).

    ``missing`` is the assertion's message should it be absent all the same.
    """
    row = await loader.load(key)
    assert row is not None, missing
    return row


async def _quota_progress(
    session: AsyncSession, keys: list[tuple[str, World]]
) -> dict[tuple[str, World], list[QuotaProgress]]:
    """One query per world asked for in the batch."""
    out: dict[tuple[str, World], list[QuotaProgress]] = {}
    for world in {w for _, w in keys}:
        codes = [c for c, w in keys if w is world]
        found = await quota_progress_by_province(session, province_codes=codes, world=world)
        out.update({(c, world): rows for c, rows in found.items()})
    return out


async def _committed_partners(
    session: AsyncSession, keys: list[tuple[str, World]]
) -> dict[tuple[str, World], int]:
    """One query per world asked for in the batch."""
    out: dict[tuple[str, World], int] = {}
    for world in {w for _, w in keys}:
        codes = [c for c, w in keys if w is world]
        found = await districts.committed_partners_by_district(
            session, district_codes=codes, world=world
        )
        out.update({(c, world): n for c, n in found.items()})
    return out


@dataclass(frozen=True)
class Loaders:
    province: DataLoader[str, models.Province | None]
    district: DataLoader[str, models.District | None]
    districts_by_province: DataLoader[str, list[models.District]]
    district_series: DataLoader[str, list[models.IndicatorMeasurement]]
    province_series: DataLoader[str, list[models.IndicatorMeasurement]]
    district_partner_stats: DataLoader[str, DistrictPartnerStats]
    district_committed_partners: DataLoader[tuple[str, World], int]
    partner: DataLoader[int, models.Partner | None]
    partner_areas: DataLoader[int, list[str]]
    partner_provinces: DataLoader[int, list[str]]
    partner_districts: DataLoader[int, list[str]]
    partnership: DataLoader[int, models.Partnership | None]
    partnerships_by_district: DataLoader[str, list[models.Partnership]]
    partnerships_by_partner: DataLoader[int, list[models.Partnership]]
    partnership_areas: DataLoader[int, list[str]]
    quota_progress: DataLoader[tuple[str, World], list[QuotaProgress]]


def _from_reference(rows: Callable[[], Mapping[K, V]]) -> DataLoader[K, V | None]:
    async def load(keys: Sequence[K]) -> list[V | None]:
        found = rows()
        return [found.get(key) for key in keys]

    return DataLoader(load_fn=load)


def make_loaders(
    session_factory: async_sessionmaker[AsyncSession], reference: Callable[[], ReferenceData]
) -> Loaders:
    def lo(
        fetch: Callable[[AsyncSession, list[Any]], Awaitable[dict[Any, Any]]],
        default: Callable[[], Any] | None = None,
    ) -> DataLoader[Any, Any]:
        return _loader(session_factory, fetch, default)

    return Loaders(
        province=_from_reference(lambda: reference().provinces),
        district=_from_reference(lambda: reference().districts),
        districts_by_province=lo(
            lambda s, keys: districts.districts_by_province(s, province_codes=keys), list
        ),
        district_series=lo(
            lambda s, keys: prevalence.series_by_district(s, district_codes=keys), list
        ),
        province_series=lo(
            lambda s, keys: prevalence.series_by_province(s, province_codes=keys), list
        ),
        district_partner_stats=lo(
            lambda s, keys: districts.partner_stats_by_district(s, district_codes=keys)
        ),
        district_committed_partners=lo(_committed_partners, int),
        partner=lo(lambda s, keys: partners.get_partners(s, ids=keys)),
        partner_areas=lo(lambda s, keys: partners.areas_by_partner(s, partner_ids=keys), list),
        partner_provinces=lo(
            lambda s, keys: partners.province_codes_by_partner(s, partner_ids=keys), list
        ),
        partner_districts=lo(
            lambda s, keys: partners.district_codes_by_partner(s, partner_ids=keys), list
        ),
        partnership=lo(lambda s, keys: partnerships.get_partnerships(s, ids=keys)),
        partnerships_by_district=lo(
            lambda s, keys: partnerships.partnerships_by_district(s, district_codes=keys), list
        ),
        partnerships_by_partner=lo(
            lambda s, keys: partnerships.partnerships_by_partner(s, partner_ids=keys), list
        ),
        partnership_areas=lo(
            lambda s, keys: partnerships.areas_by_partnership(s, partnership_ids=keys), list
        ),
        quota_progress=lo(_quota_progress),
    )
