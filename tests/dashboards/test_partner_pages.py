"""Partner list (health, KPIs, sort, filters, exports) and the manager's partner scorecard."""

from __future__ import annotations

import io
import json
import statistics

import pytest
from openpyxl import load_workbook

from analytics.models import KpiSnapshot, PartnerHealthScore
from partners.models import Partner
from tests import factories as f

pytestmark = pytest.mark.usefixtures("shared_world")  # the world of the ecosystem, for tests that ask only for it


def _csv(response) -> list[str]:
    return b"".join(response.streaming_content).decode("utf-8-sig").splitlines()


def test_list_shows_health_and_kpis_of_the_period(client, eco):
    client.force_login(eco.world.manager)
    response = client.get(f"/manage/partners/?{eco.query}")
    rows = {p.name: p for p in response.context["object_list"]}
    alpha = rows["Alpha Systems"]
    stored = KpiSnapshot.objects.get(partner=eco.world.partner_a, granularity="month", period_start=eco.period.start)
    health = PartnerHealthScore.objects.current().get(partner=eco.world.partner_a)
    assert alpha.won_revenue == stored.won_revenue
    assert alpha.health_score == health.score and alpha.health_band == health.band
    assert len(rows) == Partner.objects.count()


def test_list_sorts_on_any_column_and_filters_by_band(client, eco):
    client.force_login(eco.world.manager)
    by_revenue = client.get(f"/manage/partners/?{eco.query}&sort=-won_revenue").context["object_list"]
    values = [p.won_revenue for p in by_revenue if p.won_revenue is not None]
    assert values == sorted(values, reverse=True)
    by_health = client.get("/manage/partners/?sort=health_score").context["object_list"]
    scores = [p.health_score for p in by_health]
    present = [s for s in scores if s is not None]
    assert present == sorted(present) and scores[: len(present)] == present  # empty scores last
    band = PartnerHealthScore.objects.current().get(partner=eco.world.partner_a).band
    filtered = client.get(f"/manage/partners/?band={band}").context["object_list"]
    assert "Alpha Systems" in {p.name for p in filtered}
    assert {p.health_band for p in filtered} == {band}
    found = client.get("/manage/partners/?q=bravo").context["object_list"]
    assert [p.name for p in found] == ["Bravo Networks"]


def test_regional_manager_list_and_exports_hold_only_own_region(client, eco):
    client.force_login(eco.world.regional_manager)
    names = {p.name for p in client.get("/manage/partners/").context["object_list"]}
    expected = set(Partner.objects.filter(region=eco.world.amer).values_list("name", flat=True))
    assert names == expected
    lines = _csv(client.get("/manage/partners/?export=csv"))
    assert lines[0].startswith("Partner,Tier,Type,Region,Status,Country,Health score,Health band,Won revenue (USD)")
    assert {line.split(",")[0] for line in lines[1:]} == expected
    sheet = load_workbook(io.BytesIO(b"".join(client.get("/manage/partners/?export=xlsx").streaming_content))).active
    assert {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)} == expected


def test_export_follows_filters_and_sort_of_the_view(client, eco):
    client.force_login(eco.world.manager)
    gold = eco.world.partner_a.tier
    view = client.get(f"/manage/partners/?{eco.query}&tier={gold.pk}&sort=-won_revenue")
    shown = [p.name for p in view.context["object_list"]]
    lines = _csv(client.get(f"/manage/partners/?{eco.query}&tier={gold.pk}&sort=-won_revenue&export=csv"))
    assert [line.split(",")[0] for line in lines[1:]] == shown
    assert (
        f"?period=month&amp;month={eco.period.start:%Y-%m}&amp;tier={gold.pk}&amp;sort=-won_revenue&amp;export=csv"
        in view.content.decode()
    )


def test_list_paginates(client, world):

    f.PartnerFactory.create_batch(60, region=world.emea)
    client.force_login(world.manager)
    first = client.get("/manage/partners/")
    assert len(first.context["object_list"]) == 50 and first.context["is_paginated"]
    second = client.get("/manage/partners/?page=2")
    assert not {p.pk for p in first.context["object_list"]} & {p.pk for p in second.context["object_list"]}


def test_scorecard_explains_health_and_draws_the_tier_median(client, eco):
    w = eco.world
    client.force_login(w.manager)
    response = client.get(f"/manage/partners/{w.partner_a.pk}/?{eco.query}")
    assert response.status_code == 200
    health = response.context["health"]
    stored = PartnerHealthScore.objects.current().get(partner=w.partner_a)
    assert health.score == stored.score
    revenue = next(c for c in health.components if c.name == "revenue")
    assert revenue.percentile == stored.revenue_pct and revenue.weight == stored.revenue_weight
    assert "percentile of Gold partners" in revenue.explanation
    content = response.content.decode()
    assert "Percentile among tier peers" in content and "Weight" in content
    # Tier median of won revenue in the last month, computed independently over active Gold partners.
    peers = KpiSnapshot.objects.filter(
        dimension="partner",
        granularity="month",
        period_start=eco.period.start,
        partner__tier=w.partner_a.tier,
        partner__status="active",
    )
    expected = statistics.median(float(v) for v in peers.values_list("won_revenue", flat=True))
    chart = response.context["charts"]["trend-won_revenue"]
    assert chart.rows[-1][0] == f"{eco.period.start:%Y-%m}"
    assert chart.rows[-1][2] == expected
    marker = 'id="chart-trend-won_revenue-data" type="application/json">'
    figure = json.loads(content.split(marker, 1)[1].split("</script>", 1)[0])
    assert [t["name"] for t in figure["data"]] == ["Alpha Systems", "Gold median"]


def test_scorecard_record_tabs_link_to_workflow_pages(client, eco):
    w = eco.world
    client.force_login(w.manager)
    content = client.get(f"/manage/partners/{w.partner_a.pk}/").content.decode()
    deal = w.partner_a.deals.order_by("-submitted_at", "-pk").first()
    claim = w.partner_a.warranty_claims.order_by("-submitted_at", "-pk").first()
    assert f"/manage/deals/{deal.pk}/" in content
    assert f"/manage/warranty/{claim.pk}/" in content
    assert f"/manage/inventory/?partner={w.partner_a.pk}" in content
    assert "Network Professional" in content
    assert "Bravo Networks" not in content  # nothing of another partner on this scorecard


def test_a_regional_manager_sees_no_tier_median_a_partner_outside_their_regions_could_be_read_from(client, eco):
    """Bravo (Americas) and one EMEA partner form a tier of two: the median line would give away the EMEA
    partner's figures to the Americas manager, so it is drawn only over groups of MIN_PEERS or more for
    managers limited to regions (as for partners); a manager who sees every partner still gets it."""
    from analytics.definitions import MIN_PEER_GROUP as MIN_PEERS

    w = eco.world
    pair = f.TierFactory(name="Platinum")
    Partner.objects.filter(pk__in=[w.partner_b.pk, eco.gold_peers[0].pk]).update(tier=pair)
    assert eco.gold_peers[0].region_id == w.emea.pk and MIN_PEERS > 2
    url = f"/manage/partners/{w.partner_b.pk}/?{eco.query}"
    client.force_login(w.regional_manager)
    regional = client.get(url).context["charts"]["trend-won_revenue"]
    assert [row[2] for row in regional.rows] == [None] * len(regional.rows)
    client.force_login(w.manager)
    everywhere = client.get(url).context["charts"]["trend-won_revenue"]
    assert everywhere.rows[-1][2] is not None


def test_a_distributor_outside_the_managers_regions_is_not_named_on_its_resellers_page(client, world):
    reseller = f.PartnerFactory(name="Americas Reseller", region=world.amer, parent=world.distributor)
    client.force_login(world.regional_manager)  # the Americas; the distributor is in EMEA
    page = client.get(f"/manage/partners/{reseller.pk}/").content.decode()
    assert "Americas Reseller" in page and world.distributor.name not in page
    assert "a distributor outside your regions" in page
    client.force_login(world.manager)
    assert world.distributor.name in client.get(f"/manage/partners/{reseller.pk}/").content.decode()
