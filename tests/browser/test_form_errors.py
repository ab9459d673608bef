"""A failed submit marks the wrong fields; correcting one clears its own error and leaves the others."""

from __future__ import annotations

import pytest

from tests.browser.conftest import login


@pytest.mark.django_db(transaction=True)
def test_an_error_disappears_once_its_field_is_corrected(page, world):
    login(page, "user_a", "pw")
    page.goto("/portal/warranty/new/")
    page.get_by_role("button", name="File the claim").click()
    page.wait_for_load_state("networkidle")

    serial, purchase = page.locator("#id_serial_number"), page.locator("#id_purchase_date")
    serial_group, purchase_group = serial.locator(".."), purchase.locator("..")
    assert serial.get_attribute("aria-invalid") == "true"
    assert serial_group.locator(".invalid-feedback").count() == 1
    assert purchase_group.locator(".invalid-feedback").count() == 1
    # Shown in the invalid colour, as Bootstrap's .is-invalid is.
    assert serial.evaluate("el => getComputedStyle(el).borderColor") != page.locator("#id_description").evaluate(
        "el => getComputedStyle(el).borderColor"
    )

    serial.fill("SN-0001")
    assert serial.get_attribute("aria-invalid") is None
    assert serial_group.locator(".invalid-feedback").count() == 0
    # The other field is still wrong, and still says so.
    assert purchase.get_attribute("aria-invalid") == "true"
    assert purchase_group.locator(".invalid-feedback").count() == 1
    assert page.console_errors == []
    assert page.external_requests == []
