"""Ticket services: opening (fields, customer, links), who may do what, transitions and reopens, comments and
internal notes, notifications and events, the scheduled closing of resolved tickets."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.exceptions import ActionNotPermittedError, TransitionNotAllowedError
from integrations.models import WebhookDelivery
from integrations.webhooks import webhook_endpoint_create
from notifications.models import Notification
from support.models import Ticket, TicketCategory, TicketEvent
from support.services import (
    REOPEN_REASON_NEEDED,
    ticket_comment,
    ticket_transition,
    tickets_close_resolved,
)
from tests import factories as f

pytestmark = pytest.mark.django_db


# --- opening ------------------------------------------------------------------------------------------


def test_open_numbers_records_and_starts_new(open_ticket, world):
    ticket = open_ticket()
    assert ticket.reference.startswith(f"ST-{ticket.opened_at.year}-")
    assert len(ticket.reference) == len("ST-2026-000001")
    assert ticket.status == "new" and ticket.origin == "portal" and ticket.raised_by == world.user_a
    assert ticket.serial_number == "SN-0001"  # serials are stored upper-cased, as on claims
    (event,) = TicketEvent.objects.filter(ticket=ticket)
    assert (event.from_status, event.to_status, event.actor) == ("", "new", world.user_a)
    second = open_ticket()
    assert int(second.reference[-6:]) == int(ticket.reference[-6:]) + 1


def test_origin_is_api_when_a_partner_opens_through_the_api(open_ticket):
    assert open_ticket(via_api=True).origin == "api"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"subject": "  "}, "subject"),
        ({"subject": "x" * 201}, "subject"),
        ({"description": ""}, "description"),
        ({"severity": "urgent"}, "severity"),
        ({"serial_number": "S" * 61}, "serial_number"),
        ({"customer_name": "n" * 201}, "customer_name"),
        ({"customer": 999_999}, "customer"),
    ],
)
def test_bad_input_is_refused_field_by_field_and_nothing_is_stored(open_ticket, overrides, field):
    with pytest.raises(ValidationError) as caught:
        open_ticket(**overrides)
    assert field in caught.value.message_dict
    assert not Ticket.objects.exists()


def test_every_bad_field_is_named_at_once(open_ticket):
    with pytest.raises(ValidationError) as caught:
        open_ticket(subject="", description="", severity="nope")
    assert {"subject", "description", "severity"} <= set(caught.value.message_dict)


def test_a_retired_category_is_refused(open_ticket):
    retired = TicketCategory.objects.create(code="old-thing", name="Old thing", is_active=False)
    with pytest.raises(ValidationError) as caught:
        open_ticket(category=retired)
    assert "no longer in use" in caught.value.message_dict["category"][0]


def test_a_typed_customer_name_is_matched_among_the_partners_customers(open_ticket, world):
    own = f.DealFactory(partner=world.partner_a, customer=f.CustomerFactory(name="Müller Maschinenbau GmbH"))
    f.DealFactory(partner=world.partner_b, customer=f.CustomerFactory(name="Hidden Works Ltd"))
    matched = open_ticket(customer_name="müller maschinenbau")
    assert matched.customer == own.customer and matched.customer_name == "Müller Maschinenbau GmbH"
    # Another partner's customer is never matched: the name is kept as typed, unlinked.
    unmatched = open_ticket(customer_name="Hidden Works Ltd")
    assert unmatched.customer is None and unmatched.customer_name == "Hidden Works Ltd"


def test_a_picked_customer_must_be_one_the_user_sees(open_ticket, world):
    others = f.DealFactory(partner=world.partner_b).customer
    with pytest.raises(ValidationError) as caught:
        open_ticket(customer=others.pk)
    assert caught.value.message_dict["customer"] == ["Unknown customer."]
    mine = f.DealFactory(partner=world.partner_a).customer
    assert open_ticket(customer=mine.pk).customer == mine
    with pytest.raises(ValidationError) as both:
        open_ticket(customer=mine.pk, customer_name="Something Else")
    assert "not both" in both.value.message_dict["customer_name"][0]


# --- links --------------------------------------------------------------------------------------------


def test_links_to_the_partners_own_claim_and_deal(open_ticket, world, product):
    claim = f.WarrantyClaimFactory(partner=world.partner_a, product=product, serial_number="CLAIMED-1")
    deal = f.DealFactory(partner=world.partner_a)
    ticket = open_ticket(warranty_claim=claim.pk, deal=deal, serial_number="")
    assert ticket.warranty_claim == claim and ticket.deal == deal
    assert ticket.serial_number == "CLAIMED-1"  # taken from the claim when none is typed


@pytest.mark.parametrize("forged", ["b", "missing", "text"])
def test_another_partners_or_a_forged_claim_is_refused(open_ticket, world, product, forged):
    other = f.WarrantyClaimFactory(partner=world.partner_b, product=product)
    value = {"b": other.pk, "missing": 987_654, "text": "1; drop"}[forged]
    with pytest.raises(ValidationError) as caught:
        open_ticket(warranty_claim=value)
    assert caught.value.message_dict["warranty_claim"] == [
        "Unknown warranty claim: pick one of Alpha Systems's own warranty claims."
    ]
    assert not Ticket.objects.exists()


def test_another_partners_deal_is_refused_even_as_an_object(open_ticket, world):
    other = f.DealFactory(partner=world.partner_b)
    with pytest.raises(ValidationError) as caught:
        open_ticket(deal=other)
    assert "Unknown deal" in caught.value.message_dict["deal"][0]


def test_a_manager_links_only_claims_of_the_tickets_partner(open_ticket, world, product):
    claim_b = f.WarrantyClaimFactory(partner=world.partner_b, product=product)
    with pytest.raises(ValidationError):
        open_ticket(user=world.manager, warranty_claim=claim_b.pk)  # the ticket is partner A's


def test_a_linked_claim_must_be_for_the_same_product(open_ticket, world):
    claim = f.WarrantyClaimFactory(partner=world.partner_a, product=f.ProductFactory(sku="OTHER-1"))
    with pytest.raises(ValidationError) as caught:
        open_ticket(warranty_claim=claim.pk)
    assert "another product (OTHER-1)" in caught.value.message_dict["warranty_claim"][0]


# --- who may act --------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["user_b", "distributor_admin", "regional_manager"])
def test_only_the_partner_or_its_channel_team_opens(open_ticket, world, who):
    with pytest.raises(ActionNotPermittedError):
        open_ticket(user=getattr(world, who))


def test_the_channel_team_opens_for_a_partner_as_the_vendor(open_ticket, world):
    ticket = open_ticket(user=world.manager)
    assert ticket.origin == "vendor" and ticket.partner == world.partner_a


@pytest.mark.parametrize("who", ["user_b", "distributor_admin", "regional_manager"])
def test_outsiders_cannot_comment_or_move(open_ticket, world, who):
    ticket = open_ticket()
    with pytest.raises(ActionNotPermittedError):
        ticket_comment(ticket=ticket, user=getattr(world, who), body="hello")
    with pytest.raises(ActionNotPermittedError):
        ticket_transition(ticket=ticket, user=getattr(world, who), to_status="resolved")


@pytest.mark.parametrize("target", ["in_progress", "waiting_on_partner", "waiting_on_vendor"])
def test_the_partner_does_not_move_the_work_along(open_ticket, world, target):
    ticket = open_ticket()
    with pytest.raises(ActionNotPermittedError) as caught:
        ticket_transition(ticket=ticket, user=world.user_a, to_status=target)
    assert "Only the support team" in caught.value.message


def test_the_partner_resolves_closes_and_reopens(open_ticket, world):
    ticket = open_ticket()
    ticket_transition(ticket=ticket, user=world.user_a, to_status="resolved", note="Gone after a restart")
    ticket_transition(ticket=ticket, user=world.admin_a, to_status="in_progress", note="Back again")
    ticket_transition(ticket=ticket, user=world.manager, to_status="resolved")
    ticket_transition(ticket=ticket, user=world.user_a, to_status="closed")
    ticket.refresh_from_db()
    assert ticket.status == "closed" and ticket.closed_at is not None and ticket.reopen_count == 1
    history = list(TicketEvent.objects.filter(ticket=ticket).values_list("from_status", "to_status"))
    assert history == [
        ("", "new"),
        ("new", "resolved"),
        ("resolved", "in_progress"),
        ("in_progress", "resolved"),
        ("resolved", "closed"),
    ]


def test_disallowed_transitions_say_what_the_ticket_is(open_ticket, world):
    ticket = open_ticket()
    with pytest.raises(TransitionNotAllowedError) as caught:
        ticket_transition(ticket=ticket, user=world.manager, to_status="closed")
    assert caught.value.message == f"{ticket.reference} is new, so it cannot be closed."
    ticket_transition(ticket=ticket, user=world.manager, to_status="resolved")
    ticket_transition(ticket=ticket, user=world.manager, to_status="closed")
    with pytest.raises(TransitionNotAllowedError):
        ticket_transition(ticket=ticket, user=world.user_a, to_status="in_progress", note="again")
    with pytest.raises(ValidationError):
        ticket_transition(ticket=ticket, user=world.manager, to_status="archived")


def test_a_reopen_needs_a_reason_and_counts_each_time(open_ticket, world):
    ticket = open_ticket()
    ticket_transition(ticket=ticket, user=world.manager, to_status="resolved")
    with pytest.raises(ValidationError) as caught:
        ticket_transition(ticket=ticket, user=world.user_a, to_status="in_progress", note="  ")
    assert caught.value.message_dict == {"note": [REOPEN_REASON_NEEDED]}
    for round_ in (1, 2):
        ticket_transition(ticket=ticket, user=world.user_a, to_status="in_progress", note=f"round {round_}")
        assert ticket.reopen_count == round_ and ticket.resolved_at is None
        ticket_transition(ticket=ticket, user=world.manager, to_status="resolved")
    assert Ticket.objects.get(pk=ticket.pk).reopen_count == 2


# --- comments -----------------------------------------------------------------------------------------


def test_internal_notes_are_for_the_channel_team_only(open_ticket, world):
    ticket = open_ticket()
    with pytest.raises(ActionNotPermittedError):
        ticket_comment(ticket=ticket, user=world.user_a, body="secret", internal=True)
    note = ticket_comment(ticket=ticket, user=world.manager, body="Known firmware bug", internal=True)
    assert note.is_internal and note.side == "vendor"


def test_blank_comments_and_comments_on_closed_tickets_are_refused(open_ticket, world):
    ticket = open_ticket()
    with pytest.raises(ValidationError):
        ticket_comment(ticket=ticket, user=world.user_a, body="   ")
    ticket_transition(ticket=ticket, user=world.manager, to_status="resolved")
    ticket_comment(ticket=ticket, user=world.user_a, body="Thanks")  # a resolved ticket still takes comments
    ticket_transition(ticket=ticket, user=world.user_a, to_status="closed")
    with pytest.raises(TransitionNotAllowedError) as caught:
        ticket_comment(ticket=ticket, user=world.user_a, body="One more thing")
    assert "open a new ticket" in caught.value.message


# --- notifications, events and webhooks ---------------------------------------------------------------


def test_each_side_hears_about_the_others_actions(
    open_ticket, world, captured_events, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ticket = open_ticket()
    told = set(Notification.objects.filter(verb="ticket.created").values_list("recipient__username", flat=True))
    assert told == {"manager"}  # the manager who sees partner A; not the Americas manager, not the partner
    with django_capture_on_commit_callbacks(execute=True):
        ticket_comment(ticket=ticket, user=world.manager, body="We are on it")
        ticket_comment(ticket=ticket, user=world.manager, body="Internal: RMA likely", internal=True)
        ticket_transition(ticket=ticket, user=world.manager, to_status="waiting_on_partner", note="Logs please")
    partner_side = Notification.objects.filter(recipient__partner=world.partner_a)
    assert set(partner_side.values_list("verb", flat=True)) == {"ticket.commented", "ticket.status_changed"}
    assert not partner_side.filter(body__icontains="RMA").exists()
    assert not Notification.objects.filter(recipient__partner=world.partner_b).exists()
    names = [e.name for e in captured_events]
    assert names == ["ticket.created", "ticket.commented", "ticket.status_changed"]
    moved = captured_events[2].data
    assert (moved["from_status"], moved["to_status"]) == ("new", "waiting_on_partner")
    assert all("RMA" not in str(e.data) for e in captured_events)


def test_webhooks_carry_ticket_events_but_never_internal_notes(open_ticket, world):
    endpoint = webhook_endpoint_create(
        user=world.admin_a,
        url="https://erp.example.com/hook",
        events=["ticket.created", "ticket.commented", "ticket.status_changed"],
    )
    ticket = open_ticket()
    ticket_comment(ticket=ticket, user=world.manager, body="Internal only: customer is difficult", internal=True)
    ticket_comment(ticket=ticket, user=world.manager, body="Please update the firmware")
    deliveries = WebhookDelivery.objects.filter(endpoint=endpoint).order_by("pk")
    assert list(deliveries.values_list("event_type", flat=True)) == ["ticket.created", "ticket.commented"]
    assert all("difficult" not in d.payload for d in deliveries)
    assert "Please update the firmware" in deliveries[1].payload


# --- scheduled closing --------------------------------------------------------------------------------


def test_resolved_tickets_close_after_the_grace_period(open_ticket, world):
    old, recent, reopened = open_ticket(), open_ticket(), open_ticket()
    for ticket in (old, recent, reopened):
        ticket_transition(ticket=ticket, user=world.manager, to_status="resolved")
    ticket_transition(ticket=reopened, user=world.user_a, to_status="in_progress", note="not fixed")
    Ticket.objects.filter(pk=old.pk).update(resolved_at=timezone.now() - timedelta(days=8))
    assert tickets_close_resolved(days=7) == 1
    old.refresh_from_db()
    recent.refresh_from_db()
    assert old.status == "closed" and recent.status == "resolved"
    last = TicketEvent.objects.filter(ticket=old).last()
    assert last.actor is None and "automatically" in last.note
    assert tickets_close_resolved(days=7) == 0  # idempotent
