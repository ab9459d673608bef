"""Pickers that search, in a browser: typing asks the lookup, choosing fills the form, nothing leaves 127.0.0.1."""

from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import parse_qs, urlparse

import pytest

from deals.models import DealRegistration
from tests import factories as f
from tests.browser.conftest import login, pick, screenshot


@pytest.mark.django_db(transaction=True)
def test_a_partner_picks_its_customer_and_products_on_the_deal_form(page, world):
    f.ProductFactory(sku="PK-RTR-1", name="Picker router")
    switch = f.ProductFactory(sku="PK-SW-2", name="Picker switch")
    for n in range(60):  # more than a page of answers
        f.ProductFactory(sku=f"PK-FILL-{n:02d}", name=f"Filler {n:02d}")
    mine = f.DealFactory(partner=world.partner_a, customer=f.CustomerFactory(name="Pickable Own Buyer")).customer
    f.DealFactory(partner=world.partner_b, customer=f.CustomerFactory(name="Pickable Hidden Buyer"))

    login(page, "admin_a", "pw")
    page.goto("/portal/deals/new/")
    # The other partner's customer is never offered, whatever is typed.
    page.locator("#id_customer + .ts-wrapper .ts-control").click()
    page.keyboard.type("pickable")
    own = page.locator("#id_customer-ts-dropdown .option", has_text="Pickable Own Buyer")
    own.wait_for()
    assert "Pickable Hidden Buyer" not in page.locator("#id_customer-ts-dropdown").inner_text()
    own.click()
    assert page.locator("#id_customer").input_value() == str(mine.pk)
    page.locator("#new-customer").wait_for(state="hidden")  # an existing customer needs no new details
    page.select_option("#id_deal_type", "new")
    page.fill("#id_expected_close_date", (date.today() + timedelta(days=30)).isoformat())
    pick(page, "id_lines-0-product", "router", "PK-RTR-1 — Picker router")
    page.fill("#id_lines-0-quantity", "2")
    # A line added in the page gets its picker too.
    page.get_by_role("button", name="Add a line").click()
    page.wait_for_function("() => document.activeElement.id === 'id_lines-1-product-ts-control'")  # ready to type
    pick(page, "id_lines-1-product", "pk-sw", "PK-SW-2 — Picker switch")
    page.fill("#id_lines-1-quantity", "5")
    screenshot(page, "pickers-deal-form")
    page.get_by_role("button", name="Submit for approval").click()
    page.wait_for_load_state("networkidle")

    deal = DealRegistration.objects.get(partner=world.partner_a, customer=mine, lines__product=switch)
    assert sorted(line.product.sku for line in deal.lines.all()) == ["PK-RTR-1", "PK-SW-2"]
    assert page.console_errors == []
    assert page.external_requests == []


@pytest.mark.django_db(transaction=True)
def test_a_manager_filters_the_partner_list_by_a_distributor_found_by_typing(page, world):
    for n in range(60):
        f.PartnerFactory(name=f"Filler Distribution {n:02d}", partner_type="distributor", region=world.emea)
    supplier = f.PartnerFactory(name="Picked Distribution", partner_type="distributor", region=world.emea)
    f.PartnerFactory(name="Supplied Reseller", region=world.emea, parent=supplier, country="DE")
    f.PartnerFactory(name="Elsewhere Reseller", region=world.emea, parent=supplier, country="FR")

    login(page, "manager", "pw")
    page.goto("/manage/partners/")
    pick(page, "id_parent", "picked", "Picked Distribution")
    pick(page, "id_country", "germ", "Germany")
    screenshot(page, "pickers-partner-filter")
    with page.expect_navigation():
        page.get_by_role("button", name="Filter").click()

    query = parse_qs(urlparse(page.url).query)
    assert query["parent"] == [str(supplier.pk)] and query["country"] == ["DE"]
    rows = page.locator("table tbody").inner_text()
    assert "Supplied Reseller" in rows and "Elsewhere Reseller" not in rows
    # The chosen distributor is shown in the picker after the reload.
    assert page.locator("#id_parent + .ts-wrapper .ts-control").inner_text().strip().startswith("Picked Distribution")
    assert page.console_errors == []
    assert page.external_requests == []
