"""The partner's own scorecard: their figures, anonymised tier quartiles, advice; nothing of another partner."""

from __future__ import annotations

import statistics

import pytest
from django.utils.html import escape

from analytics.health import ordinal
from analytics.models import KpiSnapshot, PartnerHealthScore
from partners.models import Partner
from tests import factories as f
from tests.texts import wrong_ordinals


def _others(partner) -> list[str]:
    return list(Partner.objects.exclude(pk=partner.pk).values_list("name", flat=True))


def _quartiles(values: list[float]) -> tuple[float, float, float]:
    q = statistics.quantiles(values, n=4, method="inclusive")
    return q[0], statistics.median(values), q[2]


def test_partner_sees_own_figures_beside_tier_quartiles(client, eco):
    w = eco.world
    client.force_login(w.user_a)
    response = client.get(f"/portal/scorecard/?{eco.query}")
    assert response.status_code == 200
    rows = {r.kpi: r for r in response.context["benchmarks"]}
    own = KpiSnapshot.objects.get(partner=w.partner_a, granularity="month", period_start=eco.period.start)
    peers = KpiSnapshot.objects.filter(
        dimension="partner",
        granularity="month",
        period_start=eco.period.start,
        partner__tier=w.partner_a.tier,
        partner__status="active",
    )
    assert response.context["peer_count"] == peers.count() == 8
    revenue = rows["won_revenue"]
    assert revenue.value == own.won_revenue
    q1, median, q3 = _quartiles([float(v) for v in peers.values_list("won_revenue", flat=True)])
    assert (revenue.q1, revenue.median, revenue.q3) == (q1, median, q3)
    content = response.content.decode()
    assert "Alpha Systems" in content and "Where to improve" in content
    assert response.context["health"] is not None


def test_nothing_of_another_partner_in_page_chart_data_or_downloads(client, eco):
    w = eco.world
    client.force_login(w.admin_a)
    pages = [client.get(f"/portal/scorecard/?{eco.query}"), client.get("/portal/scorecard/?period=year")]
    downloads = [
        client.get(f"/portal/scorecard/?{eco.query}&download={key}")
        for key in ("benchmarks", "mine-won_revenue", "mine-sell_through")
    ]
    bodies = [p.content.decode() for p in pages]
    bodies += [b"".join(d.streaming_content).decode("utf-8-sig") for d in downloads]
    for name in _others(w.partner_a):
        for body in bodies:
            assert name not in body
    assert bodies[2].splitlines()[0] == "KPI,Unit,You,Peer 25th percentile,Peer median,Peer 75th percentile"
    assert "Gold median" in bodies[3]


def test_distributor_sees_its_own_scorecard_only(client, eco):
    w = eco.world
    client.force_login(w.distributor_admin)
    response = client.get(f"/portal/scorecard/?{eco.query}")
    assert response.context["partner"] == w.distributor
    assert "Echo Reseller" not in response.content.decode()


def test_small_tier_hides_quartiles(client, eco):
    """Silverline is the only Silver partner: no peer figures that would be one partner's own."""
    user = f.PartnerUserFactory(partner=eco.silver)
    client.force_login(user)
    response = client.get(f"/portal/scorecard/?{eco.query}")
    assert response.context["benchmarks"] == []
    assert "Too few" in response.content.decode()
    trend = response.context["charts"]["mine-won_revenue"]
    assert [row[2] for row in trend.rows] == [None] * len(trend.rows)  # no median of a group under five


def test_quartiles_for_a_custom_range_rebuild_each_peer_range(client, eco):
    w = eco.world
    client.force_login(w.user_a)
    start = eco.period.shifted(-1).start
    response = client.get(f"/portal/scorecard/?period=custom&start={start:%Y-%m}&end={eco.period.start:%Y-%m}")
    rows = {r.kpi: r for r in response.context["benchmarks"]}
    peers = KpiSnapshot.objects.filter(
        dimension="partner",
        granularity="month",
        period_start__gte=start,
        period_start__lt=eco.period.end,
        partner__tier=w.partner_a.tier,
        partner__status="active",
    )
    totals: dict[int, float] = {}
    for partner_id, revenue in peers.values_list("partner_id", "won_revenue"):
        totals[partner_id] = totals.get(partner_id, 0.0) + float(revenue)
    q1, median, q3 = _quartiles(list(totals.values()))
    revenue = rows["won_revenue"]
    assert (revenue.q1, revenue.median, revenue.q3) == pytest.approx((q1, median, q3))


def test_where_to_improve_lists_the_weakest_components(client, eco):
    client.force_login(eco.world.user_b)
    response = client.get("/portal/scorecard/")
    items = response.context["improvements"]
    health = response.context["health"]
    weak = sorted((c for c in health.components if c.used and c.percentile < 50), key=lambda c: c.percentile)
    assert [i["label"] for i in items] == [c.label for c in weak[:3]]
    content = response.content.decode()
    assert items, "partner B has components under the median: the list must not be empty"
    for item in items:
        assert escape(item["advice"]) in content
        # 21 → "21st", 32 → "32nd", 13 → "13th": computed by the analytics' own ordinal, not the template's.
        assert f"({ordinal(round(item['percentile']))} percentile)" in content
    assert wrong_ordinals(content) == []


def test_where_to_improve_names_percentiles_with_their_ordinal(client, eco):
    """21 → "21st", 32 → "32nd", 13 → "13th", 2 → "2nd": the suffix comes from the number, never a fixed "th"."""
    w = eco.world
    current = PartnerHealthScore.objects.get(partner=w.partner_b, is_current=True)
    used = [c["name"] for c in current.components if c["used"]]
    assert len(used) >= 3, "partner B needs three components with data"
    percentiles = ([21.0, 32.4, 13.0, 2.2] + [90.0] * len(used))[: len(used)]
    PartnerHealthScore.objects.filter(pk=current.pk).update(
        **{f"{name}_pct": value for name, value in zip(used, percentiles, strict=True)}
    )
    client.force_login(w.user_b)
    content = client.get("/portal/scorecard/").content.decode()
    shown = sorted(percentiles)[:3]
    for value in shown:
        assert f"({ordinal(round(value))} percentile)" in content
    assert wrong_ordinals(content) == []
