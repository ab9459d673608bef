"""What the notices say: amounts as the pages show them ("12,500.00 USD"), no "(s)" plurals."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.template import Context, Template

from deals.services import deal_create
from notifications.models import Notification
from tests import factories as f
from tests.texts import text_defects
from warranty.services import claim_approve, claim_create, claim_pay

pytestmark = pytest.mark.django_db

PAGE_AMOUNT = Template("{% load humanize %}{{ amount|floatformat:2|intcomma }} {{ currency }}")


def as_on_the_pages(amount: Decimal, currency: str) -> str:
    return PAGE_AMOUNT.render(Context({"amount": amount, "currency": currency}))


def test_the_new_registration_notice_writes_the_amount_as_the_deal_page(world, django_capture_on_commit_callbacks):
    product = f.ProductFactory(sku="NET-900")
    lines = [{"product": product, "quantity": 5, "unit_price": Decimal("2500.00")}]
    with django_capture_on_commit_callbacks(execute=True):
        deal = deal_create(
            partner=world.partner_a,
            user=world.user_a,
            customer=f.CustomerFactory(name="Initech"),
            lines=lines,
            expected_close_date=date.today() + timedelta(days=30),
            submit=True,
        )
    note = Notification.objects.get(verb="deal.submitted", recipient=world.manager)
    expected = as_on_the_pages(Decimal("12500.00"), deal.currency)
    assert expected == "12,500.00 USD"
    assert f"registered Initech ({expected})" in note.body
    assert text_defects(note.title + " " + note.body) == []


def test_claim_notices_write_claimed_approved_and_paid_amounts_as_the_claim_page(
    world, django_capture_on_commit_callbacks
):
    parts, labour = Decimal("1200.00"), Decimal("34.50")
    with django_capture_on_commit_callbacks(execute=True):
        claim = claim_create(
            partner=world.partner_a,
            user=world.user_a,
            product=f.ProductFactory(sku="SRV-901", warranty_months=24),
            serial_number="SN-9",
            purchase_date=date.today() - timedelta(days=100),
            failure_date=date.today() - timedelta(days=2),
            failure_code=f.FailureCodeFactory(code="FAN"),
            parts_amount=parts,
            labour_amount=labour,
            description="Fan noise.",
        )
        claim_approve(claim=claim, user=world.manager, amount="1000.25")
        claim_pay(claim=claim, user=world.manager)
    claimed = as_on_the_pages(parts + labour, claim.currency)
    approved = as_on_the_pages(Decimal("1000.25"), claim.currency)
    submitted = Notification.objects.get(verb="claim.submitted", recipient=world.manager)
    assert f", {claimed} claimed." in submitted.body
    decided = Notification.objects.get(verb="claim.decided", recipient=world.user_a)
    assert f"Approved in part: {approved} of {claimed}" in decided.body
    paid = Notification.objects.get(verb="claim.paid", recipient=world.user_a)
    assert paid.body == f"Paid: {approved}"
    for note in (submitted, decided, paid):
        assert text_defects(note.title + " " + note.body) == []
