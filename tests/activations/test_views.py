"""The activation rates page, the partner page's section and the portal scorecard's section."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook

from activations.figures import activation_figures_compute
from activations.models import Activation
from activations.services import activation_sellers_relink
from tests import factories as f

TODAY = date.today()
SOLD = TODAY - timedelta(days=60)


def _csv(response) -> list[str]:
    return b"".join(response.streaming_content).decode("utf-8-sig").splitlines()


def _activate(product, serials, days_after: int = 5) -> None:
    batch = f.ImportBatchFactory(partner=None, kind="activations")
    Activation.objects.bulk_create(
        [
            Activation(product=product, identifier=s, activated_on=SOLD + timedelta(days=days_after), batch=batch)
            for s in serials
        ]
    )


@pytest.fixture
def rates(world, catalog, sell):
    """A sold 4 switches (3 activated), B 2 (1 activated), the reseller 2 disks (none); five more Gold peers
    sold 2 switches each, with 1 or 2 activated (so the tier median can be shown)."""
    switch, disk = catalog["switch"], catalog["disk"]
    sell(world.partner_a, switch, ["A1", "A2", "A3", "A4"], SOLD)
    sell(world.partner_b, switch, ["B1", "B2"], SOLD)
    sell(world.reseller_of_distributor, disk, ["R1", "R2"], SOLD)
    _activate(switch, ["A1", "A2", "A3", "B1"])
    for n in range(5):
        peer = f.PartnerFactory(name=f"Peer {n}", region=world.emea)
        sell(peer, switch, [f"P{n}-1", f"P{n}-2"], SOLD)
        _activate(switch, [f"P{n}-1", f"P{n}-2"][: 1 + n % 2], days_after=10)
    activation_sellers_relink(activations=Activation.objects.all())
    activation_figures_compute()
    return world


def test_the_manager_sees_every_partner_and_line(client, rates):
    client.force_login(rates.manager)
    response = client.get("/manage/activations/")
    assert response.status_code == 200
    rows = {(r["partner__name"], r["product_line__name"]): r for r in response.context["rows"]}
    assert rows[("Alpha Systems", "Network")]["share"] == 0.75
    assert rows[("Alpha Systems", "Network")]["median_lag"] == 5
    assert rows[("Bravo Networks", "Network")]["share"] == 0.5
    assert rows[("Echo Reseller", "Storage")]["share"] == 0
    lines = {line["product_line__name"]: line for line in response.context["lines"]}
    assert (lines["Network"]["sold"], lines["Network"]["activated"]) == (16, 11)
    content = response.content.decode()
    assert "75 %" in content and "5 days" in content


def test_a_regional_manager_sees_only_the_partners_of_its_regions(client, rates):
    client.force_login(rates.regional_manager)
    response = client.get("/manage/activations/")
    assert {r["partner__name"] for r in response.context["rows"]} == {"Bravo Networks"}
    assert [(line["sold"], line["activated"]) for line in response.context["lines"]] == [(2, 1)]
    lines = _csv(client.get("/manage/activations/?export=csv"))
    assert lines[0].startswith("Partner,Product line,Serialised units sold,Activated,Share activated (%)")
    assert [line.split(",")[0] for line in lines[1:]] == ["Bravo Networks"]
    workbook = load_workbook(io.BytesIO(b"".join(client.get("/manage/activations/?export=xlsx").streaming_content)))
    assert [row[0] for row in workbook.active.iter_rows(min_row=2, values_only=True)] == ["Bravo Networks"]
    searched = load_workbook(
        io.BytesIO(b"".join(client.get("/manage/activations/?q=alpha&export=xlsx").streaming_content))
    )
    assert list(searched.active.iter_rows(min_row=2, values_only=True)) == []


def test_partners_may_not_open_the_page(client, rates):
    client.force_login(rates.admin_a)
    assert client.get("/manage/activations/").status_code == 403
    client.logout()
    assert client.get("/manage/activations/").status_code == 302


def test_filters_sort_and_a_bad_value(client, rates):
    client.force_login(rates.manager)
    storage = f.ProductLineFactory(code="storage")
    only = client.get(f"/manage/activations/?product_line={storage.pk}").context["rows"]
    assert {r["partner__name"] for r in only} == {"Echo Reseller"}
    ordered = [r["share"] for r in client.get("/manage/activations/?sort=-share").context["rows"]]
    assert ordered == sorted(ordered, reverse=True)
    found = client.get("/manage/activations/?q=bravo").context["rows"]
    assert [r["partner__name"] for r in found] == ["Bravo Networks"]
    bad = client.get("/manage/activations/?months=7&sort=nope")
    assert bad.status_code == 200
    assert "Select a valid choice" in bad.content.decode()
    assert len(bad.context["window"].months) == 12


def test_the_page_costs_the_same_queries_for_few_or_many_partners(
    client, rates, catalog, sell, django_assert_max_num_queries
):
    client.force_login(rates.manager)
    with django_assert_max_num_queries(12) as few:
        client.get("/manage/activations/")
    for n in range(15):
        peer = f.PartnerFactory(name=f"More {n}")
        sell(peer, catalog["router"], [f"M{n}"], SOLD)
    activation_figures_compute()
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/manage/activations/")
    assert len(response.context["rows"]) > 20


def test_the_partner_page_shows_the_share_beside_the_tier_median(client, rates):
    client.force_login(rates.manager)
    response = client.get(f"/manage/partners/{rates.partner_a.pk}/")
    summary = response.context["activations"]
    assert summary.total.mine.share == 0.75
    # Gold partners with sales: A 75 %, B 50 %, reseller 0 %, peers 50 % or 100 %: median 50 %.
    assert summary.total.tier_share == 0.5
    content = response.content.decode()
    assert "75 %</strong> of the serialised units Alpha Systems sold are activated" in content
    assert "median 50 %" in content


def test_the_portal_scorecard_shows_own_figures_and_only_the_tier_median(client, rates):
    client.force_login(rates.user_a)
    response = client.get("/portal/scorecard/")
    content = response.content.decode()
    assert "75 %</strong> of the serialised units you sold are activated" in content
    assert "median 50 %" in content
    for other in ("Bravo Networks", "Echo Reseller", "Peer 0", "Peer 4"):
        assert other not in content
    client.force_login(rates.admin_b)
    content = client.get("/portal/scorecard/").content.decode()
    assert "50 %</strong> of the serialised units you sold are activated" in content
    assert "Alpha Systems" not in content


def test_the_tier_median_is_withheld_from_partners_when_the_tier_is_small(client, world, catalog, sell):
    sell(world.partner_a, catalog["switch"], ["ONLY-1"], SOLD)
    _activate(catalog["switch"], ["ONLY-1"])
    activation_sellers_relink(activations=Activation.objects.all())
    activation_figures_compute()
    client.force_login(world.admin_a)
    summary = client.get("/portal/scorecard/").context["activations"]
    assert summary.total.mine.share == 1 and summary.total.tier_share is None
