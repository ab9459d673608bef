"""The SLA clock, step by step with a settable clock: first response, pause while waiting on the partner,
stop when resolved, resume on reopen, breach flags that stay set."""

from __future__ import annotations

from datetime import timedelta

import pytest

from support import sla
from support.models import SlaPolicy, Ticket
from support.services import ticket_comment, ticket_transition

pytestmark = pytest.mark.django_db


def test_due_times_come_from_the_severity_policy(world, open_ticket, clock):
    # update_or_create: a test that flushed the tables before this one took the seeded policies with it.
    SlaPolicy.objects.update_or_create(severity="high", defaults={"first_response_hours": 2, "resolution_hours": 10})
    ticket = open_ticket(severity="high")
    assert ticket.opened_at == clock.now
    assert ticket.first_response_due_at == clock.now + timedelta(hours=2)
    assert ticket.resolution_due_at == clock.now + timedelta(hours=10)
    assert sla.clock_state(ticket) == "running"


def test_a_missing_policy_falls_back_to_the_documented_defaults(world, open_ticket, clock):
    SlaPolicy.objects.filter(severity="critical").delete()
    ticket = open_ticket(severity="critical")
    assert ticket.first_response_due_at - ticket.opened_at == timedelta(hours=1)
    assert ticket.resolution_due_at - ticket.opened_at == timedelta(hours=24)


def test_first_response_is_the_vendors_first_public_answer(world, open_ticket, clock):
    ticket = open_ticket(severity="high")  # answer due in 4 hours
    clock.advance(hours=1)
    ticket_comment(ticket=ticket, user=world.user_a, body="Any news?")
    ticket_comment(ticket=ticket, user=world.manager, body="Looking at the logs", internal=True)
    ticket.refresh_from_db()
    assert ticket.first_response_at is None  # neither the partner nor an internal note answers
    clock.advance(hours=4)  # 5 hours after opening: late
    ticket_comment(ticket=ticket, user=world.manager, body="We reproduced it.")
    ticket.refresh_from_db()
    assert ticket.first_response_at == clock.now
    assert ticket.first_response_breached is True
    assert sla.is_breached(ticket, now=clock.now)


def test_an_unanswered_ticket_breaches_when_the_answer_is_overdue(world, open_ticket, clock):
    ticket = open_ticket(severity="high")
    assert not Ticket.objects.sla_breached(clock.now).filter(pk=ticket.pk).exists()
    later = clock.now + timedelta(hours=4, seconds=1)
    assert Ticket.objects.sla_breached(later).filter(pk=ticket.pk).exists()
    assert sla.is_breached(ticket, now=later)


def test_waiting_on_the_partner_pauses_the_resolution_clock(world, open_ticket, clock):
    ticket = open_ticket(severity="high")  # resolution due in 72 hours
    due = ticket.resolution_due_at
    clock.advance(hours=2)
    ticket_transition(ticket=ticket, user=world.manager, to_status="waiting_on_partner", note="Send the logs")
    assert sla.clock_state(ticket) == "paused" and ticket.clock_paused_since == clock.now
    # Long after the original due time, the paused ticket is not breached.
    clock.advance(hours=100)
    assert not Ticket.objects.sla_breached(clock.now).filter(pk=ticket.pk).exists()
    # The partner's reply resumes the clock: the due time moves by the 100 hours paused.
    ticket_comment(ticket=ticket, user=world.user_a, body="Logs attached")
    ticket.refresh_from_db()
    assert ticket.status == "in_progress"
    assert ticket.clock_paused_since is None
    assert ticket.resolution_due_at == due + timedelta(hours=100)
    assert not sla.is_breached(ticket, now=clock.now)


def test_waiting_on_the_vendor_does_not_pause_the_clock(world, open_ticket, clock):
    ticket = open_ticket(severity="high")
    ticket_transition(ticket=ticket, user=world.manager, to_status="waiting_on_vendor", note="Escalated to R&D")
    assert sla.clock_state(ticket) == "running"
    clock.advance(hours=73)
    assert Ticket.objects.sla_breached(clock.now).filter(pk=ticket.pk).exists()


def test_resolved_stops_the_clock_and_a_reopen_resumes_it_without_the_resolved_time(world, open_ticket, clock):
    ticket = open_ticket(severity="high")
    due = ticket.resolution_due_at
    clock.advance(hours=1)
    ticket_transition(ticket=ticket, user=world.manager, to_status="in_progress")  # answered in time
    clock.advance(hours=9)
    ticket_transition(ticket=ticket, user=world.manager, to_status="resolved", note="Firmware 2.1 fixes it")
    assert ticket.resolved_at == clock.now and not ticket.resolution_breached
    clock.advance(hours=200)  # resolved for 200 hours: no breach while stopped
    assert not sla.is_breached(ticket, now=clock.now)
    ticket_transition(ticket=ticket, user=world.user_a, to_status="in_progress", note="It rebooted again")
    ticket.refresh_from_db()
    assert ticket.reopen_count == 1 and ticket.resolved_at is None
    assert ticket.resolution_due_at == due + timedelta(hours=200)
    clock.advance(hours=61)  # 10 + 61 = 71 running hours of 72: still in time
    assert not sla.is_breached(ticket, now=clock.now)
    clock.advance(hours=2)
    ticket_transition(ticket=ticket, user=world.manager, to_status="resolved")
    assert ticket.resolution_breached is True  # 73 running hours


def test_a_breach_stays_counted_after_a_reopen(world, open_ticket, clock):
    ticket = open_ticket(severity="critical")  # 24 hours
    clock.advance(hours=30)
    ticket_transition(ticket=ticket, user=world.manager, to_status="resolved")
    assert ticket.resolution_breached
    ticket_transition(ticket=ticket, user=world.user_a, to_status="in_progress", note="Not fixed")
    clock.advance(minutes=5)
    ticket_transition(ticket=ticket, user=world.manager, to_status="resolved")
    ticket.refresh_from_db()
    assert ticket.resolution_breached and ticket.reopen_count == 1


def test_a_ticket_the_partner_resolves_unanswered_after_the_due_time_counts_a_late_answer(world, open_ticket, clock):
    ticket = open_ticket(severity="high")
    clock.advance(hours=5)
    ticket_transition(ticket=ticket, user=world.user_a, to_status="resolved", note="Solved it ourselves")
    assert ticket.first_response_at is None and ticket.first_response_breached


def test_a_ticket_the_vendor_raises_has_its_first_answer_at_opening(world, open_ticket, clock):
    ticket = open_ticket(user=world.manager)
    assert ticket.origin == "vendor" and ticket.first_response_at == ticket.opened_at
    assert not ticket.first_response_breached


def test_remaining_time_is_known_only_while_the_clock_runs(world, open_ticket, clock):
    ticket = open_ticket(severity="medium")
    assert sla.resolution_remaining(ticket, now=clock.now) == timedelta(hours=120)
    ticket_transition(ticket=ticket, user=world.manager, to_status="waiting_on_partner")
    assert sla.resolution_remaining(ticket, now=clock.now) is None
