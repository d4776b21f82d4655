"""Filter and ordering inputs, each turned into its domain dataclass by ``to_domain()``."""

from __future__ import annotations

import strawberry

from schema.errors import UserInputError
from schema.ids import parse_district_code, parse_province_code, parse_typed_id
from schema.types.enums import (
    DistrictType,
    InterventionArea,
    PartnerKind,
    PartnershipStatus,
    SortDirection,
)
from service.domain.districts import DistrictFilter as DomainDistrictFilter
from service.domain.districts import DistrictOrder as DomainDistrictOrder
from service.domain.districts import DistrictOrderField as DomainDistrictOrderField
from service.domain.partners import PartnerFilter as DomainPartnerFilter
from service.domain.partnerships import PartnershipFilter as DomainPartnershipFilter

MAX_SEARCH_LENGTH = 100

strawberry.enum(DomainDistrictOrderField, name="DistrictOrderField")


def _search(term: str | None) -> str | None:
    if term is not None and len(term) > MAX_SEARCH_LENGTH:
        raise UserInputError(
            f"search must be at most {MAX_SEARCH_LENGTH} characters", field="search"
        )
    return term


def _range(low: float | int | None, high: float | int | None, name: str) -> None:
    if low is not None and high is not None and low > high:
        raise UserInputError(f"{name}: the minimum is above the maximum", field=name)


@strawberry.input(description="All given conditions must hold.")
class DistrictFilter:
    province_code: str | None = None
    type: DistrictType | None = None
    underdeveloped: bool | None = None
    prevalence_min: float | None = strawberry.field(
        default=None, description="On the latest prevalence; districts without one never match."
    )
    prevalence_max: float | None = None
    search: str | None = strawberry.field(
        default=None,
        description="Case-insensitive substring of name or short name; outer blanks ignored.",
    )

    def to_domain(self) -> DomainDistrictFilter:
        _range(self.prevalence_min, self.prevalence_max, "prevalence")
        return DomainDistrictFilter(
            province_code=(
                None
                if self.province_code is None
                else parse_province_code(self.province_code, field="provinceCode")
            ),
            type=self.type,
            underdeveloped=self.underdeveloped,
            prevalence_min=self.prevalence_min,
            prevalence_max=self.prevalence_max,
            search=_search(self.search),
        )


@strawberry.input(description="Districts without a value sort last in either direction.")
class DistrictOrder:
    field: DomainDistrictOrderField = DomainDistrictOrderField.CODE
    direction: SortDirection = SortDirection.ASC

    def to_domain(self) -> DomainDistrictOrder:
        return DomainDistrictOrder(
            field=DomainDistrictOrderField(self.field),
            descending=self.direction is SortDirection.DESC,
        )


@strawberry.input
class PartnerFilter:
    kinds: list[PartnerKind] | None = None
    intervention_areas: list[InterventionArea] | None = strawberry.field(
        default=None, description="Works in any of these areas."
    )
    operating_province_code: str | None = strawberry.field(
        default=None, description="Operates in the province or in one of its districts."
    )
    operating_district_code: str | None = None
    synthetic: bool | None = None
    search: str | None = strawberry.field(
        default=None, description="Case-insensitive substring of the name; outer blanks ignored."
    )
    include_archived: bool = False

    def to_domain(self) -> DomainPartnerFilter:
        return DomainPartnerFilter(
            kinds=self.kinds,
            areas=self.intervention_areas,
            province_code=(
                None
                if self.operating_province_code is None
                else parse_province_code(
                    self.operating_province_code, field="operatingProvinceCode"
                )
            ),
            district_code=(
                None
                if self.operating_district_code is None
                else parse_district_code(
                    self.operating_district_code, field="operatingDistrictCode"
                )
            ),
            synthetic=self.synthetic,
            search=_search(self.search),
            include_archived=self.include_archived,
        )


@strawberry.input
class PartnershipFilter:
    partner_id: strawberry.ID | None = None
    district_code: str | None = None
    province_code: str | None = None
    statuses: list[PartnershipStatus] | None = None
    intervention_areas: list[InterventionArea] | None = strawberry.field(
        default=None, description="Covers any of these areas."
    )
    synthetic: bool | None = None
    start_year_from: int | None = None
    start_year_to: int | None = None

    def to_domain(self) -> DomainPartnershipFilter:
        _range(self.start_year_from, self.start_year_to, "startYear")
        return DomainPartnershipFilter(
            partner_id=(
                None
                if self.partner_id is None
                else parse_typed_id(self.partner_id, "Partner", field="partnerId")
            ),
            district_code=(
                None
                if self.district_code is None
                else parse_district_code(self.district_code, field="districtCode")
            ),
            province_code=(
                None
                if self.province_code is None
                else parse_province_code(self.province_code, field="provinceCode")
            ),
            statuses=self.statuses,
            areas=self.intervention_areas,
            synthetic=self.synthetic,
            year_from=self.start_year_from,
            year_to=self.start_year_to,
        )
