"""Dashboards in a real browser: charts draw, the period and filters change the page, nothing leaves 127.0.0.1."""

from __future__ import annotations

import pytest

from tests.browser.conftest import login, screenshot
from tests.dashboards.conftest import build_eco

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def eco(world, django_capture_on_commit_callbacks):
    return build_eco(world, django_capture_on_commit_callbacks)


def charts_drawn(page) -> int:
    """Plotly has drawn its SVG for every chart box on the page."""
    page.wait_for_selector(".plotly-chart .main-svg")
    boxes = page.locator(".plotly-chart:visible").count()
    drawn = page.locator(".plotly-chart:visible .main-svg").count()
    assert drawn >= boxes > 0
    return boxes


def apply(page) -> None:
    page.get_by_role("button", name="Apply").click()
    page.wait_for_load_state("networkidle")


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_manager_dashboards(page, eco):
    login(page, "manager", "pw")
    assert page.url.endswith("/manage/")
    charts_drawn(page)
    assert page.get_by_text("Ecosystem health", exact=True).is_visible()
    screenshot(page, "dashboards-overview")

    page.select_option("#id_period", "quarter")
    apply(page)
    assert "period=quarter" in page.url
    assert page.get_by_text("Key figures, Q").is_visible()
    page.select_option("#id_tier", label="Gold")
    apply(page)
    assert "tier=" in page.url and "period=quarter" in page.url
    charts_drawn(page)
    assert page.get_by_text("Filtered to Tier: Gold").is_visible()
    screenshot(page, "dashboards-overview-quarter-gold")

    # The numbers behind a chart open from the keyboard.
    summary = page.locator("#chart-revenue_trend").locator("xpath=..").locator("summary")
    summary.focus()
    page.keyboard.press("Enter")
    assert page.locator("#chart-revenue_trend").locator("xpath=..").locator("table").is_visible()

    page.set_viewport_size({"width": 820, "height": 1180})
    page.goto("/manage/")
    page.wait_for_load_state("networkidle")
    charts_drawn(page)
    assert no_horizontal_scroll(page)
    screenshot(page, "dashboards-overview-tablet")
    page.set_viewport_size({"width": 1366, "height": 900})

    page.goto("/manage/partners/")
    page.get_by_role("link", name="Won revenue (USD) — sort").click()
    page.wait_for_load_state("networkidle")
    assert "sort=-won_revenue" in page.url
    screenshot(page, "dashboards-partner-list")
    page.get_by_role("link", name="Alpha Systems", exact=True).click()
    page.wait_for_load_state("networkidle")
    charts_drawn(page)
    assert page.get_by_text("Trends beside the Gold median").is_visible()
    page.get_by_role("tab", name="Inventory").click()
    assert page.get_by_role("link", name="All inventory reports of Alpha Systems").is_visible()
    screenshot(page, "dashboards-partner-scorecard")

    page.goto("/manage/insights/inventory/")
    charts_drawn(page)
    page.select_option("#id_period", "custom")
    page.fill("#id_start", eco.period.shifted(-2).start.strftime("%Y-%m"))
    page.fill("#id_end", eco.period.start.strftime("%Y-%m"))
    apply(page)
    assert "period=custom" in page.url
    charts_drawn(page)
    screenshot(page, "dashboards-inventory-custom")

    page.goto("/manage/insights/warranty/")
    page.select_option("#id_product_line", label="Storage")
    apply(page)
    assert "product_line=" in page.url
    charts_drawn(page)
    screenshot(page, "dashboards-warranty-storage")

    assert page.console_errors == []
    assert page.external_requests == []


def test_partner_scorecard(page, eco):
    login(page, "user_a", "pw")
    page.goto("/portal/scorecard/")
    page.wait_for_load_state("networkidle")
    charts_drawn(page)
    assert page.get_by_text("Where to improve").is_visible()
    assert page.get_by_text("Bravo Networks").count() == 0
    page.select_option("#id_period", "year")
    apply(page)
    assert "period=year" in page.url
    charts_drawn(page)
    screenshot(page, "dashboards-portal-scorecard")
    page.set_viewport_size({"width": 820, "height": 1180})
    page.reload()
    page.wait_for_load_state("networkidle")
    assert no_horizontal_scroll(page)
    screenshot(page, "dashboards-portal-scorecard-tablet")
    assert page.console_errors == []
    assert page.external_requests == []
