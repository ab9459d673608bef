"""The SLA clock of a ticket, one rule in one place (docs/support.md states it for users).

- Targets come from the `SlaPolicy` of the ticket's severity when it is opened, in calendar hours (24×7).
- First response: due `first_response_hours` after opening; met by the vendor side's first answer (a
  comment the partner can read, or a status change by the channel team). This clock never pauses.
- Resolution: due `resolution_hours` after opening, plus every stretch during which the clock did not run.
  It runs while the ticket is new, in progress or waiting on the vendor; it is *paused* while waiting on
  the partner (the partner owes an answer) and *stopped* once resolved; a reopen resumes it, so the time a
  ticket spent resolved never counts against the vendor. While paused the due time is not yet known.
- Breach: a target is breached when it is met later than due, or not met and its clock has run past due.
  The flags are written when a breach becomes certain (a late answer, a pause or a stop after the due
  time) and stay set: a ticket once late is counted late, even if reopened and solved again.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from .models import CLOCK_RUNNING, OPEN_STATUSES, SlaPolicy, Ticket


def start_clock(ticket: Ticket, *, policy: SlaPolicy, at: datetime) -> None:
    """Due times of a ticket opened at `at` under `policy` (not saved)."""
    ticket.opened_at = at
    ticket.first_response_due_at = at + timedelta(hours=policy.first_response_hours)
    ticket.resolution_due_at = at + timedelta(hours=policy.resolution_hours)
    ticket.clock_paused_since = None


def record_first_response(ticket: Ticket, *, at: datetime) -> list[str]:
    """The vendor side answered at `at`: the first answer is kept, and flagged when late. Changed fields."""
    if ticket.first_response_at is not None:
        return []
    ticket.first_response_at = at
    ticket.first_response_breached = ticket.first_response_breached or at > ticket.first_response_due_at
    return ["first_response_at", "first_response_breached"]


def move_clock(ticket: Ticket, *, to_status: str, at: datetime) -> list[str]:
    """Pause, stop or resume the resolution clock for a change of status at `at`. Changed fields (not saved).

    Leaving a running status for a paused or stopped one checks the due time (a breach is then certain);
    going back to a running status pushes the due time later by the time the clock stood still.
    """
    changed: list[str] = []
    running_now = ticket.clock_paused_since is None and ticket.status in CLOCK_RUNNING
    runs_next = to_status in CLOCK_RUNNING
    if running_now and not runs_next:
        if at > ticket.resolution_due_at and not ticket.resolution_breached:
            ticket.resolution_breached = True
            changed.append("resolution_breached")
        ticket.clock_paused_since = at
        changed.append("clock_paused_since")
    elif not running_now and runs_next:
        if ticket.clock_paused_since is not None:
            ticket.resolution_due_at += max(at - ticket.clock_paused_since, timedelta(0))
            changed.append("resolution_due_at")
        ticket.clock_paused_since = None
        changed.append("clock_paused_since")
    unanswered = ticket.first_response_at is None and not ticket.first_response_breached
    if to_status not in OPEN_STATUSES and unanswered and at > ticket.first_response_due_at:
        # Resolved without a vendor answer, after the answer was due: that answer came late by definition.
        ticket.first_response_breached = True
        changed.append("first_response_breached")
    return changed


def is_breached(ticket: Ticket, *, now: datetime) -> bool:
    """The same condition as `models.breached_q`, for one ticket in memory."""
    if ticket.first_response_breached or ticket.resolution_breached:
        return True
    if ticket.first_response_at is None and ticket.status in OPEN_STATUSES and now > ticket.first_response_due_at:
        return True
    return ticket.status in CLOCK_RUNNING and now > ticket.resolution_due_at


def resolution_remaining(ticket: Ticket, *, now: datetime) -> timedelta | None:
    """Time left before the resolution is due while the clock runs (negative when late); None when it stands."""
    if ticket.status not in CLOCK_RUNNING or ticket.clock_paused_since is not None:
        return None
    return ticket.resolution_due_at - now


def clock_state(ticket: Ticket) -> str:
    """`running`, `paused` (waiting on the partner) or `stopped` (resolved or closed)."""
    if ticket.status in CLOCK_RUNNING:
        return "running"
    return "paused" if ticket.status in OPEN_STATUSES else "stopped"
