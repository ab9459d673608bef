"""The workflow toolkit on the two workflows that use it: transitions, lock, history, references, guards."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from core.exceptions import ActionNotPermittedError, TransitionNotAllowedError
from core.models import ReferenceSequence
from deals.models import DEAL_WORKFLOW, DealEvent, DealRegistration, DealStatus
from tests import factories as f
from warranty.models import CLAIM_WORKFLOW

pytestmark = pytest.mark.django_db


@pytest.fixture
def deal(world):
    return f.DealFactory(partner=world.partner_a, status=DealStatus.SUBMITTED)


def test_a_refused_transition_says_what_the_object_is_now(deal):
    deal.status = DealStatus.WON
    with pytest.raises(TransitionNotAllowedError, match=rf"^{deal.reference} is won, so it cannot be approved\.$"):
        DEAL_WORKFLOW.check(deal, DealStatus.APPROVED, "approved")
    DEAL_WORKFLOW.check(deal.__class__(status=DealStatus.SUBMITTED, reference="x"), DealStatus.APPROVED, "approved")


def test_move_changes_saves_and_records_one_history_line(deal, world):
    now = timezone.now()
    event = DEAL_WORKFLOW.move(
        deal, DealStatus.REJECTED, actor=world.manager, verb="rejected", at=now, note="No", rejection_reason="No"
    )
    stored = DealRegistration.objects.get(pk=deal.pk)
    assert (stored.status, stored.rejection_reason) == ("rejected", "No")
    assert DealEvent.objects.get() == event
    assert (event.actor, event.at, event.from_status, event.to_status, event.note) == (
        world.manager,
        now,
        "submitted",
        "rejected",
        "No",
    )


def test_lock_refreshes_the_callers_object_in_place(deal):
    stale = DealRegistration.objects.get(pk=deal.pk)
    DealRegistration.objects.filter(pk=deal.pk).update(status=DealStatus.WITHDRAWN)
    assert DEAL_WORKFLOW.lock(stale) is stale and stale.status == DealStatus.WITHDRAWN


def test_references_are_numbered_per_prefix_and_year(world):
    at = timezone.now()
    first = DEAL_WORKFLOW.next_reference(at)
    assert first == f"DR-{at.year}-000001"
    assert DEAL_WORKFLOW.next_reference(at) == f"DR-{at.year}-000002"
    assert CLAIM_WORKFLOW.next_reference(at) == f"WC-{at.year}-000001"  # its own counter
    assert ReferenceSequence.objects.get(prefix="DR", year=at.year).last_number == 2


def test_references_written_around_the_counter_are_skipped_past(world):
    at = timezone.now()
    f.DealFactory(partner=world.partner_a, reference=f"DR-{at.year}-999999")
    f.DealFactory(partner=world.partner_a, reference=f"DR-{at.year}-1000000")  # sorts before 999999 as text
    taken = DEAL_WORKFLOW.next_reference(at)
    assert taken == f"DR-{at.year}-1000001"
    f.DealFactory(partner=world.partner_a, reference=taken)
    ReferenceSequence.objects.filter(prefix="DR").update(last_number=41)
    f.DealFactory(partner=world.partner_a, reference=f"DR-{at.year}-000042")  # imported with its own number
    assert DEAL_WORKFLOW.next_reference(at) == f"DR-{at.year}-1000002"


def test_only_managers_in_scope_decide(world, deal):
    with pytest.raises(ActionNotPermittedError, match="Only channel managers may approve a registration"):
        DEAL_WORKFLOW.require_manager(deal, world.admin_a, action="approve")
    with pytest.raises(ActionNotPermittedError, match="outside your regions"):
        DEAL_WORKFLOW.require_manager(deal, world.regional_manager, action="approve")  # partner A is in EMEA
    DEAL_WORKFLOW.require_manager(deal, world.manager, action="approve")


def test_only_the_owning_partners_users_act_and_a_distributor_is_told_its_view_is_read_only(world):
    resold = f.DealFactory(partner=world.reseller_of_distributor, status=DealStatus.SUBMITTED)
    with pytest.raises(ActionNotPermittedError, match="read-only"):
        DEAL_WORKFLOW.require_partner_member(resold, world.distributor_admin, action="withdraw")
    with pytest.raises(ActionNotPermittedError, match="Only users of the partner that owns this registration"):
        DEAL_WORKFLOW.require_partner_member(resold, world.user_a, action="withdraw")
    claim = f.WarrantyClaimFactory(partner=world.partner_a, claimed_amount=Decimal("10"))
    CLAIM_WORKFLOW.require_partner_member(claim, world.user_a, action="see")
    world.user_a.is_active = False
    with pytest.raises(ActionNotPermittedError):
        CLAIM_WORKFLOW.require_partner_member(claim, world.user_a, action="see")
