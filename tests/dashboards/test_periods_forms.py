"""The period bar: periods, comparisons, parsing of the query string, and bad input answered with a message."""

from __future__ import annotations

from datetime import date

import pytest
from dateutil.relativedelta import relativedelta
from django.utils import timezone

from dashboards.forms import DashboardFilterForm
from dashboards.periods import Period, default_period


def test_month_quarter_year_and_custom_ranges():
    assert Period.month(date(2026, 3, 17)) == Period("month", date(2026, 3, 1), date(2026, 4, 1))
    assert Period.quarter(date(2026, 5, 2)) == Period("quarter", date(2026, 4, 1), date(2026, 7, 1))
    assert Period.year(date(2025, 12, 31)) == Period("year", date(2025, 1, 1), date(2026, 1, 1))
    custom = Period.custom(date(2025, 11, 1), date(2026, 2, 1))
    assert (custom.start, custom.end, custom.length) == (date(2025, 11, 1), date(2026, 3, 1), 4)
    assert Period.custom(date(2026, 2, 1), date(2025, 11, 1)) == custom  # reversed input is put in order


def test_comparisons_are_the_previous_period_and_the_same_months_a_year_earlier():
    quarter = Period.quarter(date(2026, 1, 1))
    assert quarter.previous() == Period("quarter", date(2025, 10, 1), date(2026, 1, 1))
    assert quarter.year_ago() == Period("quarter", date(2025, 1, 1), date(2025, 4, 1))
    custom = Period.custom(date(2025, 12, 1), date(2026, 2, 1))
    assert custom.previous().start == date(2025, 9, 1)
    assert custom.previous().end == date(2025, 12, 1)


def test_months_labels_and_trend_window():
    period = Period.quarter(date(2026, 2, 1))
    assert period.months() == [date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)]
    assert period.label == "Q1 2026"
    assert Period.month(date(2026, 3, 1)).label == "March 2026"
    trend = period.trend_months(12, today=date(2026, 7, 1))
    assert len(trend) == 12 and trend[-1] == date(2026, 3, 1) and trend[0] == date(2025, 4, 1)


def test_trends_stop_at_the_last_complete_month_unless_the_current_month_is_chosen():
    today = date(2026, 11, 23)
    assert Period.year(today).trend_months(12, today)[-1] == date(2026, 10, 1)
    assert Period.month(today).trend_months(12, today)[-1] == date(2026, 11, 1)
    assert Period.year(today).in_progress(today) and not Period.month(date(2026, 10, 1)).in_progress(today)
    assert Period.month(date(2026, 1, 1)).previous() == Period.month(date(2025, 12, 1))


def test_default_period_is_the_last_complete_month():
    assert default_period(date(2026, 1, 15)) == Period.month(date(2025, 12, 1))


@pytest.mark.django_db
def test_form_reads_the_query_string():
    form = DashboardFilterForm({"period": "quarter", "month": "2025-05"})
    assert form.is_valid()
    assert form.chosen_period == Period.quarter(date(2025, 5, 1))
    custom = DashboardFilterForm({"period": "custom", "start": "2025-01", "end": "2025-06"})
    assert custom.chosen_period == Period.custom(date(2025, 1, 1), date(2025, 6, 1))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"period": "month", "month": "2025-13"}, "month"),
        ({"period": "month", "month": "not a month"}, "month"),
        ({"period": "custom", "start": "2025-06"}, "end"),
        ({"period": "custom", "start": "2025-06", "end": "2025-01"}, "end"),
        ({"period": "custom", "start": "2015-01", "end": "2025-01"}, "end"),
        ({"period": "week"}, "period"),
        ({"tier": "999999"}, "tier"),
    ],
)
def test_bad_input_is_an_error_on_the_field_and_falls_back_to_the_default(data, field):
    form = DashboardFilterForm(data)
    assert not form.is_valid()
    assert field in form.errors
    assert form.chosen_period == default_period(timezone.now().date())


@pytest.mark.django_db
def test_future_month_is_refused():
    future = (timezone.now().date().replace(day=1) + relativedelta(months=2)).strftime("%Y-%m")
    form = DashboardFilterForm({"month": future})
    assert "month" in form.errors


@pytest.mark.django_db
def test_regional_manager_can_only_pick_own_regions(world):
    form = DashboardFilterForm({"region": str(world.emea.pk)}, user=world.regional_manager)
    assert "region" in form.errors
    assert form.scope.region_id is None
    own = DashboardFilterForm({"region": str(world.amer.pk)}, user=world.regional_manager)
    assert own.scope.region_id == world.amer.pk
    assert list(own.fields["region"].queryset) == [world.amer]


@pytest.mark.django_db
def test_query_keeps_period_and_filters(world):
    form = DashboardFilterForm({"period": "year", "month": "2025-01", "region": str(world.emea.pk), "page": "3"})
    query = form.query(sort="name")
    assert "period=year" in query and f"region={world.emea.pk}" in query and "sort=name" in query
    assert "page" not in query
