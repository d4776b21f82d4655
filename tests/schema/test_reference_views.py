"""The district page's shared GraphQL objects follow the reference snapshot they came from."""

from __future__ import annotations

from schema.reference_views import views
from service.db import models
from service.domain.reference import ReferenceData


def _snapshot(value: float) -> ReferenceData:
    province = models.Province(code="53", name="Nusa Tenggara Timur", island_group="nusa_tenggara")
    district = models.District(
        code="53.02",
        name="Kabupaten Timor Tengah Selatan",
        short_name="Timor Tengah Selatan",
        type="kabupaten",
        province_code="53",
        latitude=-9.8,
        longitude=124.5,
        underdeveloped=True,
    )
    figure = models.IndicatorMeasurement(
        id=1, value=value, year=2022, survey="SSGI 2022", imputed=False, source="test"
    )
    return ReferenceData(
        provinces={"53": province},
        districts={"53.02": district},
        latest_prevalence={"53.02": figure},
    )


def test_objects_are_built_once_per_snapshot_and_follow_a_new_one() -> None:
    old, new = _snapshot(35.0), _snapshot(29.5)
    first = views(old).district("53.02")
    assert first is not None and first is views(old).district("53.02")  # built once
    assert first.province is views(old).provinces["53"]
    assert first.latest_stunting_prevalence is not None
    assert first.latest_stunting_prevalence.value == 35.0
    after = views(new).district("53.02")  # a write made a new snapshot: new objects
    assert after is not None and after is not first
    assert after.latest_stunting_prevalence is not None
    assert after.latest_stunting_prevalence.value == 29.5
    assert views(new).district("99.99") is None  # unknown code: no district
