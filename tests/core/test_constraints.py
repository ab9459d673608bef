"""What must never be false is refused by the database itself, not only by forms."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts.models import Role, User
from deals.models import DealLine, DealRegistration
from inventory.models import InventoryReport
from tests import factories as f
from warranty.models import WarrantyClaim

pytestmark = pytest.mark.django_db


def test_duplicate_inventory_row_is_rejected_by_the_database():
    row = f.InventoryReportFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        InventoryReport.objects.create(partner=row.partner, product=row.product, date=row.date, on_hand=1, units_sold=0)


def test_negative_deal_amount_is_rejected_by_the_database():
    deal = f.DealFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        DealRegistration.objects.filter(pk=deal.pk).update(amount=Decimal("-1"))


def test_deal_line_without_product_is_rejected_by_the_database():
    deal = f.DealFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        DealLine.objects.create(deal=deal, product_id=None, quantity=1, unit_price=Decimal("10"))


def test_deal_line_quantity_must_be_positive():
    deal = f.DealFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        DealLine.objects.create(deal=deal, product=f.ProductFactory(), quantity=0, unit_price=Decimal("10"))


def test_submitted_deal_needs_a_submission_time():
    with pytest.raises(IntegrityError), transaction.atomic():
        f.DealFactory(submitted_at=None, lines=[])


def test_decision_cannot_precede_submission():
    deal = f.DealFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        DealRegistration.objects.filter(pk=deal.pk).update(decided_at=deal.submitted_at - timedelta(hours=1))


def test_claim_approved_amount_cannot_exceed_claimed():
    claim = f.WarrantyClaimFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        WarrantyClaim.objects.filter(pk=claim.pk).update(approved_amount=claim.claimed_amount + 1)


def test_claim_failure_cannot_precede_purchase():
    with pytest.raises(IntegrityError), transaction.atomic():
        f.WarrantyClaimFactory(purchase_date=date(2026, 5, 1), failure_date=date(2026, 4, 1))


def test_negative_inventory_counts_are_rejected():
    row = f.InventoryReportFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        InventoryReport.objects.filter(pk=row.pk).update(on_hand=-3)


def test_partner_role_requires_a_partner():
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="orphan", role=Role.PARTNER_USER)


def test_certification_expiry_after_earning():
    with pytest.raises(IntegrityError), transaction.atomic():
        f.CertificationFactory(earned_on=date(2026, 1, 10), expires_on=date(2026, 1, 1))


def test_model_validation_reports_constraint_as_field_error():
    """Forms call full_clean(): a unique or check violation becomes a message, not a server error."""
    row = f.InventoryReportFactory()
    duplicate = InventoryReport(partner=row.partner, product=row.product, date=row.date, on_hand=1, units_sold=0)
    with pytest.raises(ValidationError) as excinfo:
        duplicate.full_clean()
    assert "already exists" in str(excinfo.value)


def test_admin_add_duplicate_inventory_shows_form_error(client):
    row = f.InventoryReportFactory()
    admin = f.UserFactory(username="root", is_superuser=True, is_staff=True)
    client.force_login(admin)
    response = client.post(
        "/admin/inventory/inventoryreport/add/",
        {
            "partner": row.partner.pk,
            "product": row.product.pk,
            "date": row.date.isoformat(),
            "on_hand": 4,
            "units_sold": 1,
            "on_order": 0,
            "source": "portal",
        },
    )
    assert response.status_code == 200
    assert b"already exists" in response.content
    assert InventoryReport.objects.count() == 1
