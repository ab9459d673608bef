"""Who may open each dashboard: managers (all or their regions), partners only their own scorecard."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.usefixtures("shared_world")

MANAGE_PAGES = [
    "/manage/",
    "/manage/partners/",
    "/manage/insights/inventory/",
    "/manage/insights/warranty/",
    "/manage/products/",
]


@pytest.mark.parametrize("url", MANAGE_PAGES)
@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("manager", 200),
        ("regional_manager", 200),
        ("superuser", 200),
        ("admin_a", 403),
        ("user_a", 403),
        ("distributor_admin", 403),
        ("anonymous", 302),
    ],
)
def test_manage_dashboards_by_role(client, world, url, role, status):
    if role != "anonymous":
        client.force_login(getattr(world, role))
    response = client.get(url)
    assert response.status_code == status
    if status == 302:
        assert response["Location"].startswith("/login/")


@pytest.mark.parametrize(
    ("role", "status"),
    [("manager", 200), ("superuser", 200), ("regional_manager", 404), ("admin_a", 403), ("anonymous", 302)],
)
def test_partner_scorecard_by_role(client, world, role, status):
    """Alpha is in EMEA: the Americas manager gets 404 as for a partner that does not exist."""
    if role != "anonymous":
        client.force_login(getattr(world, role))
    assert client.get(f"/manage/partners/{world.partner_a.pk}/").status_code == status


@pytest.mark.parametrize(
    ("role", "status"),
    [("admin_a", 200), ("user_a", 200), ("distributor_admin", 200), ("manager", 403), ("anonymous", 302)],
)
def test_portal_scorecard_by_role(client, world, role, status):
    if role != "anonymous":
        client.force_login(getattr(world, role))
    assert client.get("/portal/scorecard/").status_code == status


@pytest.mark.parametrize("url", [*MANAGE_PAGES, "/manage/partners/?export=csv", "/manage/partners/?export=xlsx"])
def test_exports_and_chart_data_refuse_partners(client, world, url):
    client.force_login(world.admin_b)
    sep = "&" if "?" in url else "?"
    assert client.get(f"{url}{sep}download=revenue_trend").status_code == 403


def test_pages_explain_themselves_before_any_analytics(client, world):
    """No computed figures yet: every page answers and says why it is empty, never a blank chart."""
    client.force_login(world.manager)
    overview = client.get("/manage/").content.decode()
    assert "No health scores yet" in overview
    assert "No won revenue has been computed for these months yet." in overview
    assert 'class="plotly-chart"' not in overview
    inventory = client.get("/manage/insights/inventory/").content.decode()
    assert "No inventory reported yet" in inventory
    detail = client.get(f"/manage/partners/{world.partner_a.pk}/").content.decode()
    assert "No KPIs have been computed for this partner yet" in detail
    assert "No inventory reported yet by Alpha Systems." in detail
    client.force_login(world.user_a)
    portal = client.get("/portal/scorecard/").content.decode()
    assert "No health score yet" in portal
    assert "No KPIs for" in portal
