"""Warranty services: flags, references, every transition by every role, amounts, events and notices."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.exceptions import ActionNotPermittedError, TransitionNotAllowedError
from notifications.models import Notification
from tests import factories as f
from warranty.models import ClaimEvent, ClaimStatus, WarrantyClaim
from warranty.services import (
    claim_approve,
    claim_pay,
    claim_reject,
    claim_start_review,
    warranty_end,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shared_world")]


# --- pure rules ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2024, 1, 31), 1, date(2024, 2, 29)),  # leap year, clamped to the month's end
        (date(2023, 1, 31), 1, date(2023, 2, 28)),
        (date(2024, 3, 15), 12, date(2025, 3, 15)),
        (date(2024, 11, 30), 3, date(2025, 2, 28)),
        (date(2024, 5, 1), 0, date(2024, 5, 1)),
        (date(2024, 12, 31), 24, date(2026, 12, 31)),
    ],
)
def test_warranty_end_counts_calendar_months(start, months, expected):
    product = f.ProductFactory.build(warranty_months=months)
    assert warranty_end(product=product, purchase_date=start) == expected


# --- filing --------------------------------------------------------------------------------------


def test_claim_create_sums_amounts_numbers_and_records(file_claim, world, product):
    claim = file_claim()
    assert claim.claimed_amount == Decimal("200.50")
    assert claim.status == ClaimStatus.SUBMITTED and claim.submitted_by == world.user_a
    assert claim.reference == f"WC-{timezone.now().year}-000001"
    assert file_claim(serial_number="SN-0002").reference == f"WC-{timezone.now().year}-000002"
    event = ClaimEvent.objects.get(claim=claim)
    assert (event.from_status, event.to_status, event.actor) == ("", "submitted", world.user_a)
    assert not claim.out_of_warranty and not claim.is_duplicate


def test_reference_continues_after_the_highest_of_the_year(file_claim):
    f.WarrantyClaimFactory(reference=f"WC-{timezone.now().year}-000041")
    f.WarrantyClaimFactory(reference="WC-2001-000900")
    assert file_claim().reference == f"WC-{timezone.now().year}-000042"


def test_managers_in_scope_are_notified_and_the_event_is_emitted(
    file_claim, world, captured_events, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        claim = file_claim()
    recipients = set(Notification.objects.filter(verb="claim.submitted").values_list("recipient__username", flat=True))
    assert recipients == {"manager"}  # the Americas manager does not cover partner A (EMEA)
    (event,) = [e for e in captured_events if e.name == "claim.submitted"]
    assert event.partner_id == world.partner_a.pk and event.data["reference"] == claim.reference
    assert event.data["claimed_amount"] == "200.50"


@pytest.mark.parametrize(
    ("failure_offset_days", "out"),
    [(0, False), (1, True)],
    ids=["last-day-of-cover", "day-after-cover"],
)
def test_out_of_warranty_boundary(file_claim, product, failure_offset_days, out):
    purchase = date(2023, 1, 31)
    product.warranty_months = 13  # ends 2024-02-29
    product.save()
    claim = file_claim(purchase_date=purchase, failure_date=date(2024, 2, 29) + timedelta(days=failure_offset_days))
    assert claim.out_of_warranty is out


def test_duplicate_within_the_window_points_to_the_latest_claim(file_claim, world, product, failure_code):
    older = f.WarrantyClaimFactory(
        serial_number="SN-0001", partner=world.partner_b, submitted_at=timezone.now() - timedelta(days=29)
    )
    newer = f.WarrantyClaimFactory(serial_number="SN-0001", submitted_at=timezone.now() - timedelta(days=2))
    claim = file_claim(serial_number="  sn-0001 ")
    assert claim.serial_number == "SN-0001"
    assert claim.is_duplicate and claim.duplicate_of == newer  # the latest one, even across partners
    assert older.submitted_at < newer.submitted_at


def test_claim_older_than_the_window_is_not_a_duplicate(file_claim, settings):
    f.WarrantyClaimFactory(serial_number="SN-0001", submitted_at=timezone.now() - timedelta(days=31))
    assert not file_claim().is_duplicate
    settings.PRM_DUPLICATE_CLAIM_DAYS = 40
    assert file_claim().is_duplicate


def test_different_serial_is_not_a_duplicate(file_claim):
    f.WarrantyClaimFactory(serial_number="SN-0002")
    claim = file_claim(serial_number="SN-0001")
    assert not claim.is_duplicate and claim.duplicate_of is None


def test_flags_do_not_block_and_are_noted_in_history(file_claim):
    file_claim()
    claim = file_claim(purchase_date=date.today() - timedelta(days=800))
    assert claim.is_duplicate and claim.out_of_warranty
    assert "out of warranty, possible duplicate" in claim.events.get().note


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"serial_number": "   "}, "serial_number"),
        ({"serial_number": "X" * 61}, "serial_number"),
        ({"failure_date": date.today() - timedelta(days=300)}, "failure_date"),  # before purchase
        ({"failure_date": date.today() + timedelta(days=1)}, "failure_date"),
        ({"purchase_date": date.today() + timedelta(days=1)}, "purchase_date"),
        ({"parts_amount": Decimal("-1")}, "parts_amount"),
        ({"parts_amount": "abc"}, "parts_amount"),
        ({"labour_amount": Decimal("1.005")}, "labour_amount"),
        ({"parts_amount": 0, "labour_amount": 0}, "labour_amount"),
    ],
)
def test_bad_claims_are_refused_with_field_errors(file_claim, overrides, field):
    with pytest.raises(ValidationError) as info:
        file_claim(**overrides)
    assert field in info.value.message_dict
    assert not WarrantyClaim.objects.exists()


def test_inactive_failure_code_is_refused(file_claim):
    retired = f.FailureCodeFactory(code="OLD", is_active=False)
    with pytest.raises(ValidationError) as info:
        file_claim(failure_code=retired)
    assert "failure_code" in info.value.message_dict


@pytest.mark.parametrize(
    ("user", "partner"),
    [
        ("manager", "partner_a"),
        ("user_b", "partner_a"),
        ("distributor_admin", "reseller_of_distributor"),
        ("superuser", "partner_a"),
    ],
)
def test_only_the_partners_own_users_file(file_claim, world, user, partner):
    with pytest.raises(ActionNotPermittedError):
        file_claim(user=getattr(world, user), partner=getattr(world, partner))


def test_admin_of_the_partner_files_too(file_claim, world):
    assert file_claim(user=world.admin_a).submitted_by == world.admin_a


# --- transitions ---------------------------------------------------------------------------------


def _to(claim, status, manager):
    """Drive a claim to `status` through the services."""
    if status in (ClaimStatus.UNDER_REVIEW,):
        claim_start_review(claim=claim, user=manager)
    elif status == ClaimStatus.APPROVED:
        claim_approve(claim=claim, user=manager)
    elif status == ClaimStatus.REJECTED:
        claim_reject(claim=claim, user=manager, reason="Not covered")
    elif status == ClaimStatus.PAID:
        claim_approve(claim=claim, user=manager)
        claim_pay(claim=claim, user=manager)
    return claim


ACTIONS = {
    "review": lambda claim, user: claim_start_review(claim=claim, user=user),
    "approve": lambda claim, user: claim_approve(claim=claim, user=user),
    "reject": lambda claim, user: claim_reject(claim=claim, user=user, reason="No"),
    "pay": lambda claim, user: claim_pay(claim=claim, user=user),
}
ALLOWED = {
    ("submitted", "review"): "under_review",
    ("submitted", "approve"): "approved",
    ("submitted", "reject"): "rejected",
    ("under_review", "approve"): "approved",
    ("under_review", "reject"): "rejected",
    ("approved", "pay"): "paid",
}


@pytest.mark.parametrize("start", ["submitted", "under_review", "approved", "rejected", "paid"])
@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_every_transition_by_a_manager(file_claim, world, start, action):
    claim = _to(file_claim(), start, world.manager)
    assert claim.status == start
    events_before = claim.events.count()
    if (start, action) in ALLOWED:
        ACTIONS[action](claim, world.manager)
        claim.refresh_from_db()
        assert claim.status == ALLOWED[(start, action)]
        last = claim.events.last()
        assert (last.from_status, last.to_status, last.actor) == (start, claim.status, world.manager)
    else:
        with pytest.raises(TransitionNotAllowedError):
            ACTIONS[action](claim, world.manager)
        claim.refresh_from_db()
        assert claim.status == start and claim.events.count() == events_before


@pytest.mark.parametrize("role", ["user_a", "admin_a", "user_b", "distributor_admin", "regional_manager"])
@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_partners_and_out_of_scope_managers_cannot_decide(file_claim, world, role, action):
    claim = file_claim()
    if action == "pay":
        claim_approve(claim=claim, user=world.manager)
    before = claim.status
    with pytest.raises(ActionNotPermittedError):
        ACTIONS[action](claim, getattr(world, role))
    claim.refresh_from_db()
    assert claim.status == before


def test_manager_of_the_partners_region_and_superuser_decide(file_claim, world):
    emea_manager = f.ManagerFactory(regions=[world.emea])
    claim = claim_start_review(claim=file_claim(), user=emea_manager)
    assert claim.status == ClaimStatus.UNDER_REVIEW
    assert claim_approve(claim=claim, user=world.superuser).decided_by == world.superuser


def test_approve_in_full_and_in_part(file_claim, world):
    full = claim_approve(claim=file_claim(), user=world.manager, note="OK")
    assert full.approved_amount == Decimal("200.50") and full.decided_at is not None
    assert full.events.last().note == "Approved in full: 200.50 USD. OK"
    part = claim_approve(claim=file_claim(serial_number="B"), user=world.manager, amount="150")
    assert part.approved_amount == Decimal("150.00")
    assert "Approved in part: 150.00 USD of 200.50 USD" in part.events.last().note
    exact = claim_approve(claim=file_claim(serial_number="C"), user=world.manager, amount=Decimal("200.50"))
    assert exact.approved_amount == exact.claimed_amount


@pytest.mark.parametrize("amount", ["200.51", "0", "-5", "abc", "1.001"])
def test_approved_amount_must_be_above_zero_and_within_the_claim(file_claim, world, amount):
    claim = file_claim()
    with pytest.raises(ValidationError) as info:
        claim_approve(claim=claim, user=world.manager, amount=amount)
    assert "amount" in info.value.message_dict
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SUBMITTED and claim.approved_amount is None


def test_reject_needs_a_reason(file_claim, world):
    claim = file_claim()
    with pytest.raises(ValidationError) as info:
        claim_reject(claim=claim, user=world.manager, reason="   ")
    assert "reason" in info.value.message_dict
    claim = claim_reject(claim=claim, user=world.manager, reason="Physical damage, not covered.")
    assert claim.rejection_reason == "Physical damage, not covered." and claim.approved_amount is None


def test_decisions_and_payment_notify_the_partner_and_emit(
    file_claim, world, captured_events, django_capture_on_commit_callbacks
):
    claim = file_claim()
    with django_capture_on_commit_callbacks(execute=True):
        claim_approve(claim=claim, user=world.manager, amount="100")
        claim_pay(claim=claim, user=world.manager)
    notified = Notification.objects.filter(recipient__partner=world.partner_a)
    assert set(notified.values_list("verb", "recipient__username")) == {
        ("claim.decided", "user_a"),
        ("claim.decided", "admin_a"),
        ("claim.paid", "user_a"),
        ("claim.paid", "admin_a"),
    }
    assert not Notification.objects.filter(recipient__partner=world.partner_b).exists()
    names = [(e.name, e.data.get("decision")) for e in captured_events]
    assert names == [("claim.decided", "approved"), ("claim.paid", None)]
    assert captured_events[1].data["paid_amount"] == "100.00"
    claim.refresh_from_db()
    assert claim.paid_at is not None


def test_rejection_reason_reaches_the_partner(file_claim, world, django_capture_on_commit_callbacks):
    claim = file_claim()
    with django_capture_on_commit_callbacks(execute=True):
        claim_reject(claim=claim, user=world.manager, reason="Serial not ours")
    note = Notification.objects.get(recipient=world.user_a, verb="claim.decided")
    assert "Serial not ours" in note.body and str(claim.pk) in note.url


def test_passed_object_reflects_the_new_state(file_claim, world):
    claim = file_claim()
    same = claim_start_review(claim=claim, user=world.manager)
    assert same is claim and claim.status == ClaimStatus.UNDER_REVIEW


def test_the_channel_team_hears_of_a_claim_by_the_one_recipients_rule(
    file_claim, world, django_capture_on_commit_callbacks
):
    """The account manager alone, else every manager whose scope includes the partner (its region's, every region's)."""
    emea = f.ManagerFactory(username="emea_manager", regions=[world.emea])
    file_claim(serial_number="SN-R1")
    owner = f.ManagerFactory(username="owner", regions=[world.emea])
    world.partner_a.account_manager = owner
    world.partner_a.save()
    file_claim(serial_number="SN-R2")
    heard = Notification.objects.filter(verb="claim.submitted").order_by("pk")
    assert [n.recipient for n in heard] == [world.manager, emea, owner]
    assert world.regional_manager not in [n.recipient for n in heard]  # Americas only
