from datetime import date, timedelta

import pytest

from inventory.models import InventoryReport
from tests import factories as f
from tests.browser.conftest import login, screenshot


@pytest.mark.django_db(transaction=True)
def test_partner_uploads_inventory_with_a_bad_row_and_imports_the_valid_rows(page):
    partner = f.PartnerFactory(name="Upload Partner GmbH")
    f.PartnerUserFactory(username="stockkeeper", partner=partner)
    for sku in ("NET-100", "NET-200"):
        f.ProductFactory(sku=sku)
    day = (date.today() - timedelta(days=1)).isoformat()
    content = f"sku,date,on_hand,units_sold,on_order\nNET-100,{day},40,12,5\nNOPE-9,{day},3,1,0\nNET-200,{day},7,2,0\n"

    login(page, "stockkeeper", "pw")
    page.get_by_role("link", name="Inventory", exact=True).click()
    page.get_by_role("link", name="Upload CSV").click()
    assert page.get_by_role("link", name="Download the CSV template").is_visible()
    page.set_input_files("#id_file", files=[{"name": "stock.csv", "mimeType": "text/csv", "buffer": content.encode()}])
    page.get_by_role("button", name="Upload and check").click()
    page.wait_for_load_state("networkidle")

    errors = page.locator("#import-errors tbody tr")
    errors.first.wait_for()
    assert errors.count() == 1
    assert errors.first.inner_text().split("\t") == [
        "3",
        "sku",
        "NOPE-9",
        "unknown SKU: no product in the catalog has it",
    ]
    assert not InventoryReport.objects.exists()  # nothing written before the user chooses
    screenshot(page, "inventory-upload-report")

    page.get_by_role("button", name="Import the 2 valid rows").click()
    page.wait_for_load_state("networkidle")
    page.get_by_text("Imported: 2 new rows, 0 replaced").wait_for()
    page.get_by_role("link", name="See your inventory").click()
    rows = page.locator("table tbody tr")
    rows.first.wait_for()
    assert rows.count() == 2
    assert {rows.nth(i).locator("td").nth(1).inner_text() for i in range(2)} == {"NET-100", "NET-200"}
    screenshot(page, "inventory-upload-imported")
    assert page.console_errors == []
    assert page.external_requests == []
