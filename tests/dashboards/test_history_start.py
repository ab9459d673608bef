"""Trend lines leave out months that are not wholly recorded: before the first record, and the partial month of it."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.core.cache import cache

from analytics.selectors import history_start
from dashboards.presenters.overview import recorded
from deals.models import DealRegistration, DealStatus
from inventory.models import InventoryReport
from tests import factories as f
from warranty.models import WarrantyClaim


def _utc(day) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def won_by_month(months: list[date]) -> dict[date, Decimal]:
    """Won revenue per month straight from the deal rows (DESIGN §3)."""
    out = {}
    for month in months:
        deals = DealRegistration.objects.filter(
            status=DealStatus.WON, closed_at__gte=_utc(month), closed_at__lt=_utc(month + relativedelta(months=1))
        )
        out[month] = sum((d.amount for d in deals), Decimal(0))
    return out


def test_a_month_counts_from_the_history_s_first_day():
    assert recorded(date(2025, 3, 1), date(2025, 3, 1))  # history starting on the 1st: the month is whole
    assert not recorded(date(2025, 3, 1), date(2025, 3, 14))  # partial first month
    assert not recorded(date(2025, 2, 1), date(2025, 3, 14))  # before any record
    assert recorded(date(2025, 4, 1), date(2025, 3, 14))
    assert recorded(date(2025, 4, 1), None)


def test_history_start_is_the_first_record_the_user_may_see(eco):
    w = eco.world
    first = min(
        [
            *(d.submitted_at.date() for d in DealRegistration.objects.exclude(submitted_at=None)),
            *(r.date for r in InventoryReport.objects.all()),
            *(c.submitted_at.date() for c in WarrantyClaim.objects.all()),
        ]
    )
    assert history_start(w.manager) == first
    own = min(
        [
            *(
                d.submitted_at.date()
                for d in DealRegistration.objects.filter(partner=w.partner_a, submitted_at__isnull=False)
            ),
            *(r.date for r in InventoryReport.objects.filter(partner=w.partner_a)),
            *(c.submitted_at.date() for c in WarrantyClaim.objects.filter(partner=w.partner_a)),
        ]
    )
    assert history_start(w.user_a) == own


def test_year_earlier_line_leaves_out_the_partial_first_month(client, eco):
    w = eco.world
    # The recorded history now starts mid-month, 16 months before the shown period (an open registration).
    first_month = eco.period.start - relativedelta(months=16)
    f.DealFactory(
        partner=w.partner_a, status=DealStatus.SUBMITTED, submitted_at=_utc(first_month) + relativedelta(days=14)
    )
    cache.clear()
    client.force_login(w.manager)
    response = client.get(f"/manage/?{eco.query}")
    chart = response.context["charts"]["revenue_trend"]
    months = eco.period.trend_months(12)
    earlier = [m - relativedelta(months=12) for m in months]
    year_ago_values = [row[2] for row in chart.rows]
    expected = won_by_month([m for m in earlier if m > first_month])
    for month, value in zip(earlier, year_ago_values, strict=True):
        if month <= first_month:
            assert value is None, month  # before the history, or its partial first month
        else:
            assert Decimal(str(value)) == expected[month], month
    assert f"Recorded history starts on {first_month + relativedelta(days=14):%d %b %Y}" in response.content.decode()
    # The current line is wholly recorded: every month is plotted.
    now_expected = won_by_month(months)
    assert [Decimal(str(row[1])) for row in chart.rows] == [now_expected[m] for m in months]
