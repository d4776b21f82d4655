"""The commitment rule and month arithmetic of service.domain.partnerships."""

from __future__ import annotations

import calendar
import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from service.domain.partnerships import effective_duration_months, is_commitment, months_between


def add_months(start: dt.date, n: int) -> dt.date:
    index = start.month - 1 + n
    year, month = start.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def test_months_between_examples():
    assert months_between(dt.date(2023, 1, 1), dt.date(2023, 7, 1)) == 6
    assert months_between(dt.date(2023, 1, 2), dt.date(2023, 7, 1)) == 5
    assert months_between(dt.date(2023, 1, 31), dt.date(2023, 2, 28)) == 1
    assert months_between(dt.date(2024, 1, 31), dt.date(2024, 2, 28)) == 0
    assert months_between(dt.date(2023, 5, 1), dt.date(2023, 4, 1)) == 0


@given(
    st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2090, 1, 1)),
    st.integers(min_value=0, max_value=240),
    st.integers(min_value=0, max_value=27),
)
def test_months_between_is_the_largest_whole_month_count(start, n, extra_days):
    end = add_months(start, n) + dt.timedelta(days=extra_days)
    months = months_between(start, end)
    assert add_months(start, months) <= end < add_months(start, months + 1)


def test_duration_prefers_the_stated_months():
    assert effective_duration_months(3, dt.date(2020, 1, 1), dt.date(2022, 1, 1)) == 3
    assert effective_duration_months(None, dt.date(2020, 1, 1), dt.date(2022, 1, 1)) == 24
    assert effective_duration_months(None, dt.date(2020, 1, 1), None) is None


def test_commitment_needs_status_and_six_months():
    start, end = dt.date(2022, 1, 1), dt.date(2022, 7, 1)
    for status in ("active", "completed", "reported"):
        assert is_commitment(status, None, start, end)
        assert is_commitment(status, 6, None, None)
        assert not is_commitment(status, 5, None, None)
        assert not is_commitment(status, None, start, dt.date(2022, 6, 30))
        assert not is_commitment(status, None, None, None)
    for status in ("proposed", "cancelled"):
        assert not is_commitment(status, 24, start, end)
