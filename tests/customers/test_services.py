"""customer_resolve: the one way every interface turns what a user chose into an end customer."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from customers.models import Customer
from customers.services import customer_resolve
from tests import factories as f

pytestmark = pytest.mark.django_db


def _errors(**kwargs) -> dict:
    with pytest.raises(ValidationError) as raised:
        customer_resolve(**kwargs)
    return raised.value.message_dict


def test_an_id_must_be_one_of_the_users_customers(world):
    mine = f.DealFactory(partner=world.partner_a).customer
    theirs = f.DealFactory(partner=world.partner_b).customer
    assert customer_resolve(user=world.user_a, customer=mine.pk) == mine
    assert _errors(user=world.user_a, customer=theirs.pk) == {"customer": ["Unknown customer."]}
    for nonsense in (True, 0, -1, 2**70):
        assert _errors(user=world.user_a, customer=nonsense) == {"customer": ["Unknown customer."]}
    assert customer_resolve(user=world.manager, customer=theirs.pk) == theirs


def test_details_are_matched_among_the_users_customers_else_created(world):
    theirs = f.DealFactory(partner=world.partner_b, customer=f.CustomerFactory(name="Initech", domain="initech.com"))
    created = customer_resolve(user=world.user_a, customer={"name": "INITECH, Inc.", "domain": "www.initech.com"})
    assert created != theirs.customer  # another partner's record is never handed out
    assert (created.name, created.domain) == ("INITECH, Inc.", "initech.com")
    f.DealFactory(partner=world.partner_a, customer=created)
    assert customer_resolve(user=world.user_a, customer={"name": "Initech"}) == created


def test_every_bad_detail_is_reported_under_its_own_key(world):
    errors = _errors(user=world.user_a, customer={"name": " ", "domain": "not a domain", "country": "XX"})
    assert set(errors) == {"customer.name", "customer.domain", "customer.country"}
    assert errors["customer.name"] == ["Choose an existing customer or enter the new customer's company name."]
    assert not Customer.objects.exists()


def test_nothing_chosen(world):
    assert _errors(user=world.user_a, customer=None) == {"customer": ["Choose the end customer."]}
    assert customer_resolve(user=world.user_a, customer=None, required=False) is None


def test_a_customer_the_caller_resolved_is_taken_as_it_is(world):
    customer = f.CustomerFactory()
    assert customer_resolve(user=world.user_a, customer=customer) is customer
