"""A partner registers a deal that conflicts with another partner's; a manager compares and approves one."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from deals.models import DealRegistration, DealStatus
from tests import factories as f
from tests.browser.conftest import login, pick, screenshot


@pytest.mark.django_db(transaction=True)
def test_conflicting_registration_is_neutral_for_the_partner_and_compared_by_the_manager(page, world):
    router = f.ProductFactory(sku="NET-100", name="Edge router")
    f.ProductFactory(sku="NET-200", name="Core switch")  # the partner adds it too; only NET-100 overlaps
    existing = f.DealFactory(
        partner=world.partner_b,
        customer=f.CustomerFactory(name="Northwind Traders, Inc.", domain="northwind.example"),
        lines=[(router, 4, Decimal("900.00"))],
    )

    # The partner registers a deal for the same customer, typed differently, with a product in common.
    login(page, "user_a", "pw")
    assert page.url.endswith("/portal/")
    screenshot(page, "deal-conflict-portal-home")
    page.get_by_role("link", name="Register a deal").first.click()
    page.fill("#id_new_customer_name", "northwind traders")
    page.fill("#id_new_customer_domain", "www.northwind.example")
    pick(page, "id_new_customer_country", "united states", "United States of America")
    page.select_option("#id_deal_type", "expansion")
    page.fill("#id_expected_close_date", (date.today() + timedelta(days=40)).isoformat())
    pick(page, "id_lines-0-product", "NET-2", "NET-200 — Core switch")
    page.fill("#id_lines-0-quantity", "2")
    page.get_by_role("button", name="Add a line").click()
    pick(page, "id_lines-1-product", "edge", "NET-100 — Edge router")
    page.fill("#id_lines-1-quantity", "6")
    page.fill("#id_lines-1-unit_price", "850")
    page.get_by_role("button", name="Submit for approval").click()
    page.wait_for_load_state("networkidle")

    notice = page.locator("#conflict-notice")
    notice.wait_for()
    assert "channel team will review" in notice.inner_text()
    body = page.content()
    assert world.partner_b.name not in body and existing.reference not in body
    assert "Northwind Traders, Inc." not in body  # the other partner's customer record is not handed over
    screenshot(page, "deal-conflict-partner-notice")
    mine = DealRegistration.objects.get(partner=world.partner_a)
    assert mine.has_conflict and mine.lines.count() == 2

    # The manager sees the conflict in the queue, compares both and approves the partner's one.
    page.get_by_role("button", name="Log out").click()
    login(page, "manager", "pw")
    page.get_by_role("link", name="Deal approvals").click()
    page.get_by_role("link", name=mine.reference, exact=True).wait_for()
    screenshot(page, "deal-conflict-manager-queue")
    page.locator("tr", has_text=mine.reference).get_by_role("link", name="Compare").click()
    page.wait_for_load_state("networkidle")
    table = page.get_by_role("table")
    assert world.partner_a.name in table.inner_text() and world.partner_b.name in table.inner_text()
    screenshot(page, "deal-conflict-manager-side-by-side")
    page.get_by_role("button", name=f"Approve {mine.reference}").click()
    page.wait_for_load_state("networkidle")
    assert f"{mine.reference} approved" in page.content()
    screenshot(page, "deal-conflict-manager-approved")

    mine.refresh_from_db()
    existing.refresh_from_db()
    assert mine.status == DealStatus.APPROVED and existing.status == DealStatus.SUBMITTED
    assert page.console_errors == []
    assert page.external_requests == []
