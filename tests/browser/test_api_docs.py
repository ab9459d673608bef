"""The API's HTML pages (Swagger UI, ReDoc, the browsable API) work under the Content-Security-Policy and load
nothing from outside this site: no fonts, scripts or images from elsewhere."""

import pytest

from tests import factories as f
from tests.browser.conftest import login


@pytest.mark.django_db(transaction=True)
def test_api_reference_pages_render_offline_with_no_policy_violation(page):
    f.ManagerFactory(username="boss")
    login(page, "boss", "pw")
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))

    page.goto("/api/docs/")
    page.get_by_text("prm API").first.wait_for()
    page.locator(".opblock").first.wait_for()  # the operations are listed: the start-up script ran
    page.wait_for_load_state("networkidle")
    assert page.console_errors == []
    assert page.external_requests == []

    page.goto("/api/redoc/")
    page.get_by_role("heading", name="prm API").first.wait_for()
    page.get_by_text("deals", exact=True).first.wait_for()
    page.get_by_text("API docs by Redocly").wait_for()  # the sidebar's attribution, without its remote logo
    page.wait_for_load_state("networkidle")
    assert page.console_errors == []
    assert page.external_requests == []
    assert any("/static/vendor/redoc/redoc.standalone.js" in url for url in requested)

    page.goto("/api/v1/")
    page.get_by_text("Api Root").first.wait_for()
    assert page.console_errors == []
    assert page.external_requests == []
    assert all(url.startswith(page.url.split("/api/")[0]) for url in requested if url.startswith("http"))
