import pytest

from tests import factories as f
from tests.browser.conftest import login, screenshot


@pytest.mark.django_db(transaction=True)
def test_manager_logs_in_and_sees_partners(page):
    f.PartnerFactory(name="Visible Partner GmbH")
    f.ManagerFactory(username="boss")
    login(page, "boss", "pw")
    assert page.url.endswith("/manage/")
    page.get_by_role("link", name="Partners", exact=True).click()
    page.get_by_role("link", name="Visible Partner GmbH").wait_for()
    screenshot(page, "login-manager-partners")
    assert page.console_errors == []
    assert page.external_requests == []
