"""Every KPI of DESIGN §3, as stored by a full recompute, against the loops in expected.py."""

from __future__ import annotations

import statistics
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from analytics.definitions import DESIGN_KPIS
from analytics.models import KpiSnapshot
from tests.analytics.conftest import NOW
from tests.analytics.expected import Rows, expected_kpis, month_starts, product_line_rows

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("analytics_ecosystem")]

MONTHS = month_starts(date(2024, 4, 1), NOW.date())
QUARTER_STARTS = [date(y, m, 1) for y, m in ((2024, 4), (2024, 7), (2024, 10), (2025, 1), (2025, 4), (2025, 7))]
QUARTERS = list(zip(QUARTER_STARTS, [*QUARTER_STARTS[1:], date(2025, 10, 1)], strict=True))


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def assert_matches(row: KpiSnapshot, expected: dict, label: str) -> None:
    assert set(expected) == set(DESIGN_KPIS)
    for kpi, value in expected.items():
        actual = getattr(row, kpi)
        where = f"{label} {kpi}: stored {actual!r}, expected {value!r}"
        if value is None:
            assert actual is None, where
        elif kpi == "avg_won_deal":
            assert abs(actual - value) <= Decimal("0.01"), where
        elif isinstance(value, Decimal):
            assert actual == value, where
        elif isinstance(value, float):
            assert actual == pytest.approx(value, rel=1e-9, abs=1e-8), where  # durations: whole ms
        else:
            assert actual == value, where


def rows_of(**filters) -> dict:
    return {(r.key, r.period_start): r for r in KpiSnapshot.objects.filter(**filters)}


def test_every_partner_month_matches_the_independent_computation(computed):
    rows = Rows.load()
    stored = rows_of(dimension="partner", granularity="month")
    partners = [*computed.partners, computed.no_deals, computed.decisions_only, computed.inactive]
    assert len(stored) == len(partners) * len(MONTHS)
    for partner in partners:
        mine = rows.only({partner.pk})
        for month in MONTHS:
            expected = expected_kpis(mine, at(month), at(next_month(month)), NOW)
            assert_matches(stored[(str(partner.pk), month)], expected, f"{partner.name} {month}")


def test_ecosystem_months_are_the_formulas_over_all_rows_not_means_of_partner_rates(eco, run_recompute):
    run_recompute(chunk_partners=2)
    rows = Rows.load()
    stored = rows_of(dimension="ecosystem", granularity="month")
    for month in MONTHS:
        assert_matches(stored[("", month)], expected_kpis(rows, at(month), at(next_month(month)), NOW), f"eco {month}")
    # The check has teeth: averaging the partners' rates would give another number.
    month = date(2025, 3, 1)
    partner_rates = [
        r.win_rate for r in KpiSnapshot.objects.filter(dimension="partner", granularity="month", period_start=month)
    ]
    mean_of_rates = statistics.mean(r for r in partner_rates if r is not None)
    assert stored[("", month)].win_rate != pytest.approx(mean_of_rates)
    assert stored[("", month)].member_count == 8


def test_quarters_and_years_are_rebuilt_from_counts_and_raw_values(computed):
    rows = Rows.load()
    quarters = rows_of(dimension="ecosystem", granularity="quarter")
    assert {start for _, start in quarters} == {start for start, _ in QUARTERS}
    for start, end in QUARTERS:
        assert_matches(quarters[("", start)], expected_kpis(rows, at(start), at(end), NOW), f"eco Q {start}")
    aurora = computed.partners[0]
    mine = rows.only({aurora.pk})
    partner_quarters = rows_of(dimension="partner", granularity="quarter", partner=aurora)
    for start, end in QUARTERS:
        assert_matches(partner_quarters[(str(aurora.pk), start)], expected_kpis(mine, at(start), at(end), NOW), "Q")
    years = rows_of(dimension="ecosystem", granularity="year")
    # 2024 starts before the history (April), so only 2025 — in progress — is a whole year of months.
    assert list(years) == [("", date(2025, 1, 1))]
    year = expected_kpis(rows, at(date(2025, 1, 1)), at(date(2026, 1, 1)), NOW)
    assert_matches(years[("", date(2025, 1, 1))], year, "Y")
    assert years[("", date(2025, 1, 1))].is_complete is False


def test_breakdowns_by_tier_type_region_and_product_line(eco, run_recompute):
    run_recompute(chunk_partners=3)
    rows = Rows.load()
    groups = {
        ("tier", str(eco.gold.pk)): {p.pk for p in [*eco.partners[:3], eco.decisions_only, eco.inactive]},
        ("partner_type", "reseller"): {p.pk for p in eco.partners if p.partner_type == "reseller"}
        | {eco.no_deals.pk, eco.decisions_only.pk, eco.inactive.pk},
        ("region", str(eco.amer.pk)): {eco.partners[1].pk, eco.partners[3].pk, eco.decisions_only.pk},
    }
    for month in (date(2025, 2, 1), date(2025, 3, 1), date(2025, 7, 1)):
        window = (at(month), at(next_month(month)), NOW)
        for (dimension, key), members in groups.items():
            row = KpiSnapshot.objects.get(dimension=dimension, key=key, granularity="month", period_start=month)
            assert row.member_count == len(members)
            assert_matches(row, expected_kpis(rows.only(members), *window), f"{dimension}={key} {month}")
        for line in (eco.network, eco.storage):
            row = KpiSnapshot.objects.get(
                dimension="product_line", key=str(line.pk), granularity="month", period_start=month
            )
            assert_matches(row, expected_kpis(product_line_rows(rows, line.pk), *window), f"line {line} {month}")


def test_edge_cases_are_empty_not_zero(computed):

    def month_row(partner, month):
        return KpiSnapshot.objects.get(dimension="partner", partner=partner, granularity="month", period_start=month)

    # No deals at all: counts are 0, rates empty; stock that never sells has no cover and 0 sell-through.
    quiet = month_row(computed.no_deals, date(2025, 4, 1))
    assert (quiet.deals_registered, quiet.won_revenue, quiet.pipeline_value) == (0, Decimal("0.00"), Decimal("0.00"))
    assert quiet.approval_rate is None and quiet.win_rate is None and quiet.avg_won_deal is None
    assert quiet.median_hours_to_decision is None and quiet.conflict_rate is None
    assert (quiet.units_sold, quiet.on_hand_end, quiet.sell_through, quiet.days_of_cover) == (0, 12, 0.0, None)
    assert quiet.claims_per_1000_units is None
    assert month_row(computed.no_deals, date(2024, 12, 1)).on_hand_end is None  # nothing reported yet
    # Decisions in February without a single submission in February.
    february = month_row(computed.decisions_only, date(2025, 2, 1))
    assert (february.deals_registered, february.deals_approved, february.deals_rejected) == (0, 2, 1)
    assert february.conflict_rate is None and february.approval_rate == pytest.approx(2 / 3)
    assert february.median_hours_to_decision == pytest.approx(60.0)  # 2 × 1, 2 × 30, 2 × 50 hours
    assert month_row(computed.decisions_only, date(2025, 1, 1)).deals_registered == 3
    # Claims never decided count as submitted, not as decisions.
    claims = KpiSnapshot.objects.filter(
        dimension="partner", granularity="month", claims_submitted__gt=0, claims_approved=0, claims_rejected=0
    )
    assert claims.exists() and all(c.claim_approval_rate is None for c in claims)


def test_boundaries_and_pipeline_are_rebuilt_from_timestamps(computed):
    rows = Rows.load()
    aurora = computed.partners[0]
    mine = rows.only({aurora.pk})
    stored = rows_of(dimension="partner", granularity="month", partner=aurora)
    feb, mar = stored[(str(aurora.pk), date(2025, 2, 1))], stored[(str(aurora.pk), date(2025, 3, 1))]
    boundary = at(date(2025, 3, 1))
    decided_at_boundary = [d for d in mine.deals if d.decided_at == boundary]
    closed_at_boundary = [d for d in mine.deals if d.closed_at == boundary]
    assert decided_at_boundary and closed_at_boundary
    expected_feb = expected_kpis(mine, at(date(2025, 2, 1)), boundary, NOW)
    expected_mar = expected_kpis(mine, boundary, at(date(2025, 4, 1)), NOW)
    assert (feb.deals_approved, mar.deals_approved) == (expected_feb["deals_approved"], expected_mar["deals_approved"])
    assert (feb.deals_won, mar.deals_won) == (expected_feb["deals_won"], expected_mar["deals_won"])
    # The deal approved in February that expired mid-May: in the pipeline at the ends of Feb–Apr, not May.
    expired = next(d for d in mine.deals if d.status == "expired" and d.protection_expires_at == at(date(2025, 5, 15)))
    without = Rows(deals=[d for d in mine.deals if d.pk != expired.pk], lines=[], stock=[], claims=[], certs=[])
    for month, inside in ((date(2025, 2, 1), True), (date(2025, 4, 1), True), (date(2025, 5, 1), False)):
        end = at(next_month(month))
        others = expected_kpis(without, at(month), end, NOW)["pipeline_value"]
        gap = stored[(str(aurora.pk), month)].pipeline_value - others
        assert gap == (expired.amount if inside else Decimal("0")), month
