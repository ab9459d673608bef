"""Reviewing new end customers: who may, once only, and the customers offered."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from core.exceptions import ActionNotPermittedError, TransitionNotAllowedError
from ingest.services import import_batch_open
from sellout.models import EndCustomerCandidate
from sellout.services import end_customer_candidate_create, end_customer_candidate_link, sellout_lines_upsert
from tests import factories as f

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shared_world")]


@pytest.fixture
def candidate(world) -> EndCustomerCandidate:
    batch = import_batch_open(kind="sellout", channel="api", partner=world.partner_a)
    row = {
        "invoice_number": "CAND-1",
        "invoice_line": 1,
        "date": date.today() - timedelta(days=1),
        "transaction_type": "sale",
        "product": f.ProductFactory(),
        "quantity": 1,
        "unit_price": Decimal("5.00"),
        "currency": "EUR",
        "end_customer_name": "Iota Hospitality",
        "end_customer_domain": "iota.example",
        "end_customer_country": "DE",
    }
    sellout_lines_upsert(reporter=world.partner_a, rows=[row], batch=batch)
    return EndCustomerCandidate.objects.get(domain="iota.example")


def test_only_managers_who_see_the_candidate_review_it(world, candidate):
    with pytest.raises(ActionNotPermittedError):
        end_customer_candidate_create(candidate=candidate, user=world.admin_a)
    with pytest.raises(ActionNotPermittedError):  # partner A is in EMEA, this manager in the Americas
        end_customer_candidate_create(candidate=candidate, user=world.regional_manager)
    assert not EndCustomerCandidate.objects.visible_to(world.regional_manager).filter(pk=candidate.pk).exists()
    assert not EndCustomerCandidate.objects.visible_to(world.admin_a).exists()


def test_a_candidate_is_reviewed_once(world, candidate):
    customer, moved = end_customer_candidate_create(candidate=candidate, user=world.manager)
    assert (customer.name, customer.domain, customer.country.code, moved) == (
        "Iota Hospitality",
        "iota.example",
        "DE",
        1,
    )
    with pytest.raises(TransitionNotAllowedError):
        end_customer_candidate_link(candidate=candidate, customer=customer, user=world.manager)


def test_a_link_must_name_a_customer_the_manager_sees(world, candidate):
    hidden = f.CustomerFactory(name="Kappa Hidden")
    f.DealFactory(partner=world.partner_b, customer=hidden, lines=[(f.ProductFactory(), 1, "1.00")])
    regional_emea = f.ManagerFactory(regions=[world.partner_a.region])
    with pytest.raises(ValidationError):
        end_customer_candidate_link(candidate=candidate, customer=hidden, user=regional_emea)
    candidate.refresh_from_db()
    assert candidate.status == "open"
