from datetime import date, timedelta

import pytest

from inventory.selectors import import_job_list, inventory_last_report_date, inventory_list
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_inventory_list_applies_visibility_then_filters(world, products):
    today = date.today()
    f.InventoryReportFactory(partner=world.partner_a, product=products[0], date=today - timedelta(days=2))
    f.InventoryReportFactory(partner=world.partner_a, product=products[1], date=today)
    f.InventoryReportFactory(partner=world.partner_b, product=products[0], date=today)
    assert [r.product for r in inventory_list(user=world.user_a)] == [products[1], products[0]]
    assert [r.partner for r in inventory_list(user=world.user_a, filters={"sku": "net-100"})] == [world.partner_a]
    assert inventory_list(user=world.regional_manager).get().partner == world.partner_b


def test_last_report_date_is_per_partner_and_none_when_never(world, products):
    assert inventory_last_report_date(user=world.user_a) is None
    f.InventoryReportFactory(partner=world.partner_a, product=products[0], date=date.today() - timedelta(days=3))
    f.InventoryReportFactory(partner=world.partner_b, product=products[0], date=date.today())
    assert inventory_last_report_date(user=world.user_a) == date.today() - timedelta(days=3)
    # a partner id outside the user's visibility gives nothing, not the other partner's date
    assert inventory_last_report_date(user=world.user_a, partner_id=world.partner_b.pk) is None


def test_import_job_list_is_partner_scoped(world, products):
    from inventory.imports import import_job_create

    job = import_job_create(partner=world.partner_a, user=world.admin_a, filename="a.csv", content=b"sku\n")
    import_job_create(partner=world.partner_b, user=world.user_b, filename="b.csv", content=b"sku\n")
    assert list(import_job_list(user=world.user_a)) == [job]
