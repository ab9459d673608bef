"""The readers dashboards call: visibility, bounded reads, and what they return."""

from __future__ import annotations

from datetime import date

import pytest

from analytics import selectors
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def computed(eco, run_recompute):
    run_recompute()
    return eco


def test_partner_history_and_ecosystem_series(computed, django_assert_num_queries):
    aurora, boreal = computed.partners[0], computed.partners[1]
    user = f.PartnerUserFactory(partner=aurora)
    with django_assert_num_queries(1):
        history = list(selectors.partner_kpis(user=user, partner=aurora, since=date(2025, 1, 1)))
    assert [r.period_start.month for r in history] == [1, 2, 3, 4, 5, 6, 7] and history[0].partner == aurora
    assert not selectors.partner_kpis(user=user, partner=boreal).exists()
    assert not selectors.ecosystem_kpis(user=user, granularity="quarter").exists()
    assert not selectors.kpi_breakdown(user=user, dimension="tier", granularity="month", period_start=date(2025, 3, 1))
    manager = f.ManagerFactory()
    quarters = selectors.ecosystem_kpis(user=manager, granularity="quarter")
    assert [q.period_start for q in quarters][-1] == date(2025, 7, 1)
    tiers = selectors.kpi_breakdown(user=manager, dimension="tier", granularity="month", period_start=date(2025, 3, 1))
    assert tiers.count() == 2
    table = list(selectors.kpi_period_table(user=manager, granularity="month", period_start=date(2025, 3, 1)))
    assert [r.partner.name for r in table] == sorted(
        p.name for p in [*computed.partners, computed.no_deals, computed.decisions_only, computed.inactive]
    )
    assert selectors.latest_period() == date(2025, 6, 1)
    assert selectors.latest_period(complete=False) == date(2025, 7, 1)


def test_health_readers(computed, django_assert_max_num_queries):
    aurora = computed.partners[0]
    user = f.PartnerAdminFactory(partner=aurora)
    score = selectors.partner_health(user=user, partner=aurora)
    with django_assert_max_num_queries(0):
        lines = [c["explanation"] for c in score.components]
    assert len(lines) == 6
    assert selectors.partner_health(user=user, partner=computed.partners[1]) is None
    assert selectors.partner_health_history(user=user, partner=aurora).count() == 15
    manager = f.ManagerFactory()
    at_risk = selectors.health_scores(user=manager, band="at_risk")
    assert all(s.band == "at_risk" for s in at_risk)
    assert selectors.health_scores(user=manager).count() == 7
    assert selectors.health_scores(user=manager, as_of=date(2025, 7, 1)).count() == 7
    assert selectors.ecosystem_health_current(user=manager).partners_scored == 7
    assert selectors.ecosystem_health_history(user=manager).count() == 15
    assert selectors.ecosystem_health_current(user=user) is None
    assert not selectors.ecosystem_health_history(user=f.ManagerFactory(regions=[computed.emea])).exists()
    assert selectors.job_run_latest(user=manager).status == "succeeded"
    assert selectors.job_run_latest(user=user) is None


def test_benchmarks_need_enough_peers_and_visibility(computed, monkeypatch):
    aurora = computed.partners[0]
    user = f.PartnerUserFactory(partner=aurora)
    assert selectors.peer_benchmarks(user=user, partner=aurora, period_start=date(2025, 3, 1)) == {}
    monkeypatch.setattr(selectors, "MIN_BENCHMARK_PEERS", 2)
    marks = selectors.peer_benchmarks(user=user, partner=aurora, period_start=date(2025, 3, 1))
    assert set(marks) == set(selectors.DESIGN_KPIS) and marks["deals_registered"]["count"] == 4
    assert selectors.peer_benchmarks(user=user, partner=computed.partners[1], period_start=date(2025, 3, 1)) == {}
