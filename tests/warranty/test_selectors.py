import pytest

from warranty.models import ClaimStatus
from warranty.selectors import claim_history, claim_list, claims_awaiting_payment
from warranty.services import claim_approve, claim_start_review

pytestmark = pytest.mark.django_db


def test_awaiting_payment_claims_are_the_users_own(world, file_claim):
    file_claim(serial_number="A")  # still open: not awaiting payment
    approved = claim_approve(claim=file_claim(serial_number="B"), user=world.manager)
    file_claim(partner=world.partner_b, user=world.user_b, serial_number="C")
    assert list(claims_awaiting_payment(user=world.user_a)) == [approved]
    assert {c.partner for c in claim_list(user=world.manager)} == {world.partner_a, world.partner_b}
    assert list(claim_list(user=world.user_a, filters={"status": ClaimStatus.APPROVED})) == [approved]


def test_history_is_hidden_from_other_partners(world, file_claim):
    claim = claim_start_review(claim=file_claim(), user=world.manager)
    assert [e.to_status for e in claim_history(user=world.user_a, claim=claim)] == ["submitted", "under_review"]
    assert list(claim_history(user=world.user_b, claim=claim)) == []
