"""The GraphQL objects of one reference snapshot, built once per data version.

Districts, provinces and each district's latest prevalence figure are the same for
every request between two writes (``service.domain.reference``: one snapshot per data
version). A page of 100 districts used to build 100 ``District``, 100 ``Province`` and
100 ``StuntingPrevalence`` objects per request, the last two through field resolvers;
:func:`views` builds them once per snapshot: ``District.province`` and
``latestStuntingPrevalence`` are plain data fields, and the district page and
``district(code:)`` hand out the snapshot's districts (docs/performance.md). The
objects are never changed after they are built, so requests share them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from schema.types.district import District
    from schema.types.prevalence import StuntingPrevalence
    from schema.types.province import Province
    from service.domain.reference import ReferenceData


@dataclass(frozen=True)
class Views:
    """The snapshot ``reference`` as GraphQL objects."""

    reference: ReferenceData
    provinces: dict[str, Province]  # by province code
    latest_prevalence: dict[str, StuntingPrevalence]  # by district code
    districts: dict[str, District]  # by code, each built on first use

    def district(self, code: str) -> District | None:
        """The snapshot's district ``code`` (None when it has none), built once."""
        built = self.districts.get(code)
        if built is None:
            row = self.reference.districts.get(code)
            if row is None:
                return None
            from schema.types.district import District

            built = self.districts[code] = District.from_model(row, self.reference)
        return built


_current: list[Views] = []  # the views of the latest snapshot asked for (one at a time)


def views(reference: ReferenceData) -> Views:
    """Return the GraphQL objects of ``reference``, built on first use of the snapshot."""
    current = _current[-1] if _current else None
    if current is not None and current.reference is reference:
        return current
    from schema.types.prevalence import StuntingPrevalence
    from schema.types.province import Province

    built = Views(
        reference,
        {code: Province.from_model(row) for code, row in reference.provinces.items()},
        {
            code: StuntingPrevalence.from_model(row)
            for code, row in reference.latest_prevalence.items()
        },
        {},
    )
    _current[:] = [built]  # a newer snapshot replaces it; threads racing here build twice
    return built
