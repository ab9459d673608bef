"""Readings of figures: which way is better follows each KPI's direction or target band in the registry."""

from __future__ import annotations

import pytest

from analytics.definitions import COVER_TARGET_DAYS, KPIS
from dashboards.presenters.scorecard import BenchmarkRow
from dashboards.templatetags.dashboard_tags import delta


def _row(kpi: str, value: float, q1: float, median: float, q3: float) -> BenchmarkRow:
    spec = KPIS[kpi]
    return BenchmarkRow(kpi, spec.label, spec.unit, value, q1, median, q3, spec.lower_is_better, spec.target)


def test_days_of_cover_declares_its_target_band():
    cover = KPIS["days_of_cover"]
    assert cover.direction == "band" and cover.target == COVER_TARGET_DAYS == (15.0, 60.0)
    assert KPIS["won_revenue"].direction == "higher"
    assert KPIS["claims_per_1000_units"].direction == "lower"
    assert KPIS["claim_approval_rate"].direction == "none"


@pytest.mark.parametrize(
    ("value", "median", "expected"),
    [
        (57.0, 80.0, "Inside the 15–60 days target."),  # below the median, yet inside the band: not a weakness
        (57.0, 30.0, "Inside the 15–60 days target."),
        (75.0, 30.0, "Above the 15–60 days target"),
        (9.0, 30.0, "Below the 15–60 days target"),
        (60.0, 90.0, "Inside the 15–60 days target."),  # the band's edges are inside it
    ],
)
def test_cover_is_read_against_its_band_not_the_tier_median(value, median, expected):
    reading = _row("days_of_cover", value, median - 5, median, median + 5).reading
    assert reading.startswith(expected)
    assert "median" not in reading


def test_cover_reading_needs_no_peers():
    row = BenchmarkRow("days_of_cover", "Days of cover", "days", 40.0, None, None, None, None, COVER_TARGET_DAYS)
    assert row.reading == "Inside the 15–60 days target."


def test_directional_kpis_keep_their_peer_reading():
    assert _row("won_revenue", 10.0, 20.0, 30.0, 40.0).reading == "Among the weakest quarter of your tier."
    assert _row("claims_per_1000_units", 10.0, 20.0, 30.0, 40.0).reading == "Among the best quarter of your tier."


@pytest.mark.parametrize(
    ("now", "before", "css"),
    [
        (57.0, 120.0, "delta-good"),  # fell into the band
        (120.0, 57.0, "delta-bad"),  # rose out of it
        (10.0, 30.0, "delta-bad"),  # fell out of it at the low end
        (30.0, 10.0, "delta-good"),
        (40.0, 30.0, "delta-flat"),  # inside before and after: neither better nor worse
        (90.0, 70.0, "delta-bad"),  # further above
    ],
)
def test_cover_changes_are_coloured_by_the_distance_to_the_band(now, before, css):
    html = delta(now, before, "days", "Oct 2026", kpi=KPIS["days_of_cover"])
    assert f"delta {css}" in html
    # The arrow still says which way the figure moved.
    assert ("▲" in html) == (now > before)


def test_directional_changes_follow_the_registry():
    assert "delta-bad" in delta(12.0, 10.0, "per_thousand", "Q3", kpi=KPIS["claims_per_1000_units"])
    assert "delta-good" in delta(12.0, 10.0, "money", "Q3", kpi=KPIS["won_revenue"])
    assert "delta-flat" in delta(0.9, 0.8, "percent", "Q3", kpi=KPIS["claim_approval_rate"])
