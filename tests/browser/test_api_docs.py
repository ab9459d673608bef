"""The API's HTML pages (Swagger UI, ReDoc, the browsable API) work under the Content-Security-Policy."""

import pytest

from tests import factories as f
from tests.browser.conftest import login


@pytest.mark.django_db(transaction=True)
def test_api_reference_pages_render_with_no_policy_violation(page):
    f.ManagerFactory(username="boss")
    login(page, "boss", "pw")
    page.goto("/api/docs/")
    page.get_by_text("prm API").first.wait_for()
    page.locator(".opblock").first.wait_for()  # the operations are listed: the start-up script ran
    assert page.console_errors == []
    page.goto("/api/redoc/")
    page.get_by_role("heading", name="prm API").first.wait_for()
    page.get_by_text("deals", exact=True).first.wait_for()
    # ReDoc's sidebar names its maker with a logo on a remote host, hard-coded: the policy refuses it.
    (refused,) = page.console_errors
    assert "https://cdn.redoc.ly/redoc/logo-mini.svg" in refused and "img-src 'self' data:" in refused
    assert page.external_requests == ["https://cdn.redoc.ly/redoc/logo-mini.svg"]  # asked for, never loaded
    page.console_errors.clear()
    page.external_requests.clear()
    page.goto("/api/v1/")
    page.get_by_text("Api Root").first.wait_for()
    assert page.console_errors == []
    assert page.external_requests == []
