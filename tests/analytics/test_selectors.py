"""The readers pages and the API call: visibility, bounded reads, and what they return."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pytest

from analytics import definitions, selectors
from analytics.models import KpiSnapshot
from tests import factories as f

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("analytics_ecosystem")]


@dataclass(frozen=True)
class Span:
    kind: str
    start: date
    end: date


MARCH = Span("month", date(2025, 3, 1), date(2025, 4, 1))
SPRING = Span("custom", date(2025, 3, 1), date(2025, 6, 1))


def test_partner_health_follows_the_visibility_rule(computed, django_assert_max_num_queries):
    aurora = computed.partners[0]
    user = f.PartnerAdminFactory(partner=aurora)
    score = selectors.partner_health(user=user, partner=aurora)
    with django_assert_max_num_queries(0):
        lines = [c["explanation"] for c in score.components]
    assert len(lines) == 6
    assert selectors.partner_health(user=user, partner=computed.partners[1]) is None


@pytest.mark.parametrize(
    ("values", "fractions"),
    [([3, 1, 2], (0.25, 0.5, 0.75)), ([10.0, 20.0, 40.0, 80.0], (0.25, 0.5, 0.75)), ([7], (0.1, 0.9))],
)
def test_quantiles_interpolate_linearly_between_ranks_as_percentile_cont(values, fractions):
    ordered = sorted(values)
    for fraction, value in zip(fractions, selectors.quantiles([*values, None], fractions), strict=True):
        position = fraction * (len(ordered) - 1)  # percentile_cont's definition, written out
        low = int(position)
        high = min(low + 1, len(ordered) - 1)
        assert value == pytest.approx(ordered[low] + (ordered[high] - ordered[low]) * (position - low))
    assert selectors.quantiles([None], (0.5,)) == [None]


def test_benchmarks_need_enough_peers_and_visibility(computed, monkeypatch):
    aurora = computed.partners[0]
    user = f.PartnerUserFactory(partner=aurora)
    assert selectors.peer_benchmarks(user=user, partner=aurora, period_start=MARCH.start) == {}  # 4 Gold peers
    monkeypatch.setattr(definitions, "MIN_PEER_GROUP", 2)
    marks = selectors.peer_benchmarks(user=user, partner=aurora, period_start=MARCH.start)
    assert set(marks) == set(definitions.DESIGN_KPIS) and marks["deals_registered"]["count"] == 4
    gold = KpiSnapshot.objects.filter(
        partner__tier=computed.gold, partner__status="active", granularity="month", period_start=MARCH.start
    )
    registered = [float(v) for v in gold.values_list("deals_registered", flat=True)]
    expected = np.percentile(registered, [25, 50, 75])
    deals = marks["deals_registered"]
    assert [deals["p25"], deals["median"], deals["p75"]] == pytest.approx(list(expected))
    assert selectors.peer_benchmarks(user=user, partner=computed.partners[1], period_start=MARCH.start) == {}


def test_custom_range_benchmarks_rebuild_each_peer_range(computed, monkeypatch):
    monkeypatch.setattr(definitions, "MIN_PEER_GROUP", 2)
    aurora = computed.partners[0]
    user = f.PartnerUserFactory(partner=aurora)
    marks = selectors.peer_benchmarks(
        user=user, partner=aurora, granularity="custom", period_start=SPRING.start, period_end=SPRING.end
    )
    months = KpiSnapshot.objects.filter(
        partner__tier=computed.gold,
        partner__status="active",
        granularity="month",
        period_start__gte=SPRING.start,
        period_start__lt=SPRING.end,
    )
    won: dict[int, int] = {}
    decided: dict[int, int] = {}
    for partner_id, deals_won, deals_lost in months.values_list("partner_id", "deals_won", "deals_lost"):
        won[partner_id] = won.get(partner_id, 0) + deals_won
        decided[partner_id] = decided.get(partner_id, 0) + deals_won + deals_lost
    rates = sorted(won[p] / decided[p] for p in won if decided[p])  # rates from the added counts, per peer
    assert marks["win_rate"]["count"] == len(rates)
    assert marks["win_rate"]["median"] == pytest.approx(float(np.median(rates)))


def test_a_scope_of_several_partners_adds_their_rows_and_recomputes_the_rates(computed):
    manager = f.ManagerFactory()
    manager.regions.set([computed.emea, computed.amer])
    source = selectors.resolve_source(manager, selectors.Scope())
    assert not source.exact  # two regions: no single stored row
    (figures,) = selectors.period_values(source, [MARCH])
    rows = KpiSnapshot.objects.filter(dimension="partner", granularity="month", period_start=MARCH.start)
    won = sum(rows.values_list("deals_won", flat=True))
    lost = sum(rows.values_list("deals_lost", flat=True))
    assert figures["deals_won"] == won and figures["win_rate"] == pytest.approx(won / (won + lost))
    assert figures["median_hours_to_decision"] is None  # cannot be rebuilt from partner rows
    ecosystem = KpiSnapshot.objects.get(dimension="ecosystem", granularity="month", period_start=MARCH.start)
    assert figures["won_revenue"] == ecosystem.won_revenue
    assert figures["sell_through"] == pytest.approx(ecosystem.sell_through)
