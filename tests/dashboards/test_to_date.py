"""A period in progress is compared with the same elapsed days of the previous period and of the year before,
and the page says so; the expected figures are counted here from the deal rows."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from analytics.periods import to_date_periods
from dashboards.periods import Period
from deals.models import DealRegistration, DealStatus


def _utc(day) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def won_revenue(start: date, end: date, **partner_filters) -> Decimal:
    deals = DealRegistration.objects.filter(
        status=DealStatus.WON,
        closed_at__gte=_utc(start),
        closed_at__lt=_utc(end),
        **{f"partner__{k}": v for k, v in partner_filters.items()},
    )
    return sum((d.amount for d in deals), Decimal(0))


def registrations(start: date, end: date, **partner_filters) -> int:
    return DealRegistration.objects.filter(
        submitted_at__gte=_utc(start),
        submitted_at__lt=_utc(end),
        **{f"partner__{k}": v for k, v in partner_filters.items()},
    ).count()


def test_comparison_ranges_are_cut_at_the_elapsed_days():
    now = datetime(2026, 11, 29, 15, tzinfo=UTC)
    ranges = {g: list(zip(p.starts, p.ends, strict=True)) for g, p in to_date_periods(now).items()}
    # 29 November is day 29 of the month, day 60 of Q4 and day 333 of the year.
    assert ranges["mtd"] == [(date(2025, 11, 1), date(2025, 11, 30)), (date(2026, 10, 1), date(2026, 10, 30))]
    assert ranges["qtd"] == [(date(2025, 10, 1), date(2025, 11, 30)), (date(2026, 7, 1), date(2026, 8, 30))]
    assert ranges["ytd"] == [(date(2025, 1, 1), date(2025, 11, 30))]
    # 31 March: February is compared whole, never beyond its end.
    march = to_date_periods(datetime(2026, 3, 31, 8, tzinfo=UTC))["mtd"]
    assert list(zip(march.starts, march.ends, strict=True)) == [
        (date(2025, 3, 1), date(2025, 4, 1)),
        (date(2026, 2, 1), date(2026, 3, 1)),
    ]
    assert to_date_periods(now, earliest=date(2026, 1, 1)).keys() == {"mtd", "qtd"}


def _cut(period: Period, comparison: Period) -> date:
    """Where the comparison stops: as many days after its start as have begun in the period in progress."""
    days = (timezone.now().date() - period.start).days + 1
    return min(comparison.start + timedelta(days=days), comparison.end)


def test_overview_compares_the_quarter_to_date_with_the_same_days(client, eco):
    w = eco.world
    today = timezone.now().date()
    quarter = Period.quarter(today)
    previous, year_ago = quarter.previous(), quarter.year_ago()
    client.force_login(w.manager)
    response = client.get(f"/manage/?period=quarter&month={today:%Y-%m}")
    assert response.status_code == 200
    tiles = {t.kpi.name: t for t in response.context["tiles"]}
    cut_previous, cut_year_ago = _cut(quarter, previous), _cut(quarter, year_ago)
    assert tiles["won_revenue"].value == won_revenue(quarter.start, quarter.end)
    assert tiles["won_revenue"].previous == won_revenue(previous.start, cut_previous)
    assert tiles["won_revenue"].year_ago == won_revenue(year_ago.start, cut_year_ago)
    assert tiles["deals_registered"].previous == registrations(previous.start, cut_previous)
    days = (cut_previous - previous.start).days
    label = (
        f"the first {days} days of {previous.short_label}"
        if cut_previous < previous.end
        else f"all of {previous.short_label}"
    )
    assert response.context["previous_label"] == label
    content = response.content.decode()
    assert f"vs {label}" in content  # on the tiles' deltas
    assert f"compared with {label}" in content  # in the summary under the filter bar
    # Movers set each partner's quarter to date beside the same days of the previous quarter.
    movers = response.context["charts"]["top_movers"].rows + response.context["charts"]["bottom_movers"].rows
    assert movers
    for name, now, before, change in movers:
        assert now == won_revenue(quarter.start, quarter.end, name=name)
        assert before == won_revenue(previous.start, cut_previous, name=name)
        assert change == now - before


def test_a_filtered_scope_adds_up_its_partners_to_date_rows(client, eco):
    w = eco.world
    today = timezone.now().date()
    month = Period.month(today)
    previous = month.previous()
    client.force_login(w.manager)
    response = client.get(f"/manage/?period=month&month={today:%Y-%m}&region={w.emea.pk}&tier={w.partner_a.tier_id}")
    tiles = {t.kpi.name: t for t in response.context["tiles"]}
    cut = _cut(month, previous)
    filters = {"region": w.emea, "tier": w.partner_a.tier}
    assert tiles["won_revenue"].previous == won_revenue(previous.start, cut, **filters)
    assert tiles["deals_registered"].previous == registrations(previous.start, cut, **filters)


def test_partner_scorecard_compares_its_own_month_to_date(client, eco):
    w = eco.world
    today = timezone.now().date()
    month = Period.month(today)
    previous, year_ago = month.previous(), month.year_ago()
    client.force_login(w.manager)
    response = client.get(f"/manage/partners/{w.partner_a.pk}/?period=month&month={today:%Y-%m}")
    tiles = {t.kpi.name: t for t in response.context["tiles"]}
    assert tiles["won_revenue"].previous == won_revenue(previous.start, _cut(month, previous), pk=w.partner_a.pk)
    assert tiles["won_revenue"].year_ago == won_revenue(year_ago.start, _cut(month, year_ago), pk=w.partner_a.pk)
    assert response.context["previous_label"].endswith(previous.short_label)


def test_a_complete_period_is_compared_whole(client, eco):
    client.force_login(eco.world.manager)
    response = client.get(f"/manage/?{eco.query}")
    tiles = {t.kpi.name: t for t in response.context["tiles"]}
    previous = eco.period.previous()
    assert tiles["won_revenue"].previous == won_revenue(previous.start, previous.end)
    assert response.context["previous_label"] == previous.short_label


def test_year_to_date_against_the_same_days_a_year_earlier(client, eco):
    today = timezone.now().date()
    year = Period.year(today)
    before = year.previous()
    client.force_login(eco.world.manager)
    response = client.get(f"/manage/?period=year&month={today:%Y-%m}")
    tiles = {t.kpi.name: t for t in response.context["tiles"]}
    cut = _cut(year, before)
    assert tiles["won_revenue"].previous == tiles["won_revenue"].year_ago == won_revenue(before.start, cut)
    assert response.context["year_ago_label"] == response.context["previous_label"]


def test_portal_scorecard_names_its_like_for_like_comparisons(client, eco):
    today = timezone.now().date()
    month = Period.month(today)
    previous = month.previous()
    client.force_login(eco.world.user_a)
    response = client.get(f"/portal/scorecard/?period=month&month={today:%Y-%m}")
    cut = _cut(month, previous)
    days = (cut - previous.start).days
    label = (
        f"the first {days} days of {previous.short_label}" if cut < previous.end else f"all of {previous.short_label}"
    )
    assert response.context["previous_label"] == label
    assert f"compared with {label}" in response.content.decode()
