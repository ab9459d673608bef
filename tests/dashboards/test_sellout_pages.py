"""Sell-out on the pages: the sell-out page (tiles, product lines and countries, CSV) read from the stored groups
the user may see, the overview's, partner page's and portal scorecard's sell-out tiles, and the API's groups."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest

from analytics.models import Dimension, KpiSnapshot, LineSellOut

pytestmark = pytest.mark.usefixtures("shared_world")


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


def _month_groups(eco, **filters):
    return LineSellOut.objects.filter(granularity="month", period_start=eco.period.start, **filters)


def test_the_sell_out_page_adds_up_the_groups_of_the_scope(client, eco):
    client.force_login(eco.world.manager)
    response = client.get(f"/manage/insights/sellout/?{eco.query}")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Sell-out insights" in page and "Sell-out revenue by product line" in page
    eco_row = KpiSnapshot.objects.get(dimension=Dimension.ECOSYSTEM, granularity="month", period_start=eco.period.start)
    tiles = {tile.kpi.name: tile.value for tile in response.context["tiles"]}
    assert tiles["sellout_revenue"] == eco_row.sellout_revenue > 0
    assert tiles["sellout_units"] == eco_row.sellout_units
    assert tiles["end_customers_reached"] == eco_row.end_customers_reached > 0
    # EUR has no rate: its lines are left out and the page says how many.
    assert eco_row.sellout_lines_unconverted > 0
    assert f"{eco_row.sellout_lines_unconverted:,} sell-out lines have no exchange rate" in page
    rows = _csv(client.get(f"/manage/insights/sellout/?{eco.query}&download=sellout_by_line_country"))
    assert rows[0][:3] == ["Product line", "End-customer country", "Net units"]
    groups = _month_groups(eco)
    assert sum(int(r[2]) for r in rows[1:]) == sum(g.sellout_units for g in groups) == eco_row.sellout_units
    assert {r[1] for r in rows[1:]} >= {"Germany", "France", "United States of America"}
    revenue = sum((Decimal(r[6]) for r in rows[1:]), Decimal(0))
    assert revenue == eco_row.sellout_revenue


def test_a_regional_manager_reads_only_the_groups_of_its_regions(client, eco):
    client.force_login(eco.world.regional_manager)
    response = client.get(f"/manage/insights/sellout/?{eco.query}&download=sellout_by_line_country")
    rows = _csv(response)
    americas = _month_groups(eco, region=eco.world.amer)
    assert sum(int(r[2]) for r in rows[1:]) == sum(g.sellout_units for g in americas) > 0
    assert sum(g.sellout_units for g in _month_groups(eco)) > sum(g.sellout_units for g in americas)
    assert "France" not in {r[1] for r in rows[1:]}  # only EMEA partners sell to France


def test_partners_may_not_open_the_sell_out_page(client, eco):
    client.force_login(eco.world.user_a)
    assert client.get("/manage/insights/sellout/").status_code in (302, 403)


def test_the_overview_and_the_partner_page_show_sell_out_tiles(client, eco):
    client.force_login(eco.world.manager)
    overview = client.get(f"/manage/?{eco.query}")
    names = [tile.kpi.name for tile in overview.context["sellout_tiles"]]
    assert names == ["sellout_revenue", "sellout_units", "returns_rate", "end_customers_reached", "new_end_customers"]
    assert "Sell-out revenue is in USD" in overview.content.decode()
    alpha = eco.world.partner_a
    own = KpiSnapshot.objects.get(partner=alpha, granularity="month", period_start=eco.period.start)
    page = client.get(f"/manage/partners/{alpha.pk}/?{eco.query}")
    tiles = {tile.kpi.name: tile.value for tile in page.context["sellout_tiles"]}
    assert tiles["sellout_units"] == own.sellout_units == 3 - 1 + 2  # a sale, a return and a sale in EUR a month
    assert tiles["returns_rate"] == pytest.approx(own.sellout_units_returned / own.sellout_units_sold)


def test_the_portal_scorecard_shows_only_the_partners_own_sell_out(client, eco):
    client.force_login(eco.world.user_a)
    response = client.get(f"/portal/scorecard/?{eco.query}")
    own = KpiSnapshot.objects.get(partner=eco.world.partner_a, granularity="month", period_start=eco.period.start)
    tiles = {tile.kpi.name: tile.value for tile in response.context["sellout_tiles"]}
    # 300.00 sold, 100.00 returned; the EUR sale has no rate.
    assert tiles["sellout_revenue"] == own.sellout_revenue == Decimal("200.00")
    assert tiles["end_customers_reached"] == own.end_customers_reached == 1
    assert "Bravo Networks" not in response.content.decode()


def _all(client, url: str, **params) -> list[dict]:
    response = client.get(url, params)
    assert response.status_code == 200, response.content
    rows = response.json()["results"]
    while response.json()["next"]:
        response = client.get(response.json()["next"])
        rows += response.json()["results"]
    return rows


def test_the_api_answers_groups_by_the_managers_regions_and_none_to_partners(eco, client_for, anon):
    url = "/api/v1/analytics/sellout-groups/"
    assert anon.get(url).status_code == 401
    assert _all(client_for("user_a"), url) == []
    regional = _all(client_for("regional_manager"), url, granularity="month")
    assert regional and {row["region"] for row in regional} == {eco.world.amer.pk}
    everything = _all(client_for("manager"), url, granularity="month")
    assert len(everything) == LineSellOut.objects.filter(granularity="month").count() > len(regional)
    row = everything[0]
    assert set(row) >= {"product_line", "country", "sellout_units", "sellout_revenue", "returns_rate"}
    germany = _all(client_for("manager"), url, granularity="month", country="DE", period_start=eco.period.start)
    assert germany and all(r["country"] == "DE" for r in germany)


def test_sell_out_kpis_in_the_kpi_api_and_the_peer_benchmarks(eco, client_for, client):
    rows = _all(
        client_for("user_a"),
        "/api/v1/analytics/kpis/",
        dimension="partner",
        granularity="month",
        since=eco.period.start,
    )
    assert rows and {row["partner"] for row in rows} == {eco.world.partner_a.pk}
    own = KpiSnapshot.objects.get(partner=eco.world.partner_a, granularity="month", period_start=eco.period.start)
    row = next(r for r in rows if r["period_start"] == eco.period.start.isoformat())
    assert Decimal(row["sellout_revenue"]) == own.sellout_revenue
    assert (row["sellout_units"], row["end_customers_reached"]) == (own.sellout_units, own.end_customers_reached)
    assert row["returns_rate"] == pytest.approx(own.returns_rate)
    client.force_login(eco.world.user_a)
    benchmarks = client.get(f"/portal/scorecard/?{eco.query}").context["benchmarks"]
    assert {"sellout_revenue", "returns_rate", "end_customers_reached"} <= {b.kpi for b in benchmarks}
