"""A manager sorts the deal list by a header, pages to the end and downloads the filtered export."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path

import pytest

from deals.models import DealRegistration
from tests import factories as f
from tests.browser.conftest import login, screenshot


@pytest.mark.django_db(transaction=True)
def test_manager_sorts_pages_and_exports_the_deal_list(page, world):
    product = f.ProductFactory()
    for i in range(60):
        f.DealFactory(partner=world.partner_a, lines=[(product, 1, Decimal(100 + i))])
    login(page, "manager", "pw")
    page.goto("/manage/deals/")

    # The header row stays at the top of the scrolling table.
    position = page.eval_on_selector("table thead th", "th => getComputedStyle(th).position")
    assert position == "sticky"

    page.get_by_role("link", name="Amount — sort ascending").click()
    page.wait_for_load_state("networkidle")
    header = page.locator("th[aria-sort]")
    assert header.get_attribute("aria-sort") == "ascending" and "▲" in header.inner_text()
    page.get_by_role("link", name="Amount — sort descending").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("th[aria-sort]").get_attribute("aria-sort") == "descending"
    first = page.locator("tbody tr td").first.inner_text()
    assert first == DealRegistration.objects.order_by("-amount").first().reference

    page.get_by_role("link", name="Last").click()
    page.wait_for_load_state("networkidle")
    assert "sort=-amount" in page.url and "page=2" in page.url
    assert page.locator(".pagination [aria-current=page]").inner_text() == "2"
    screenshot(page, "deal-list-sorted-last-page")

    with page.expect_download() as download:
        page.get_by_role("link", name="Export CSV").click()
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    expected = list(
        DealRegistration.objects.order_by("-amount", "-created_at", "-pk").values_list("reference", flat=True)
    )
    assert [row["Reference"] for row in rows] == expected
    assert not page.console_errors and not page.external_requests
