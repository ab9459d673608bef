"""Support tickets: partners and the vendor's support team open, answer and move them. Pages, the API and
the demo all call these.

Rules (docs/support.md):
- a partner's own users open tickets for their partner (origin portal or api); the channel team opens them
  for a partner it may change (origin vendor: the vendor's support system over the API). A ticket raised by
  the vendor has had its first answer from the vendor at opening;
- the end customer is a customer the user can see, or a name: a name is matched (normalised, as deals
  match) among the customers the user can see and linked when found, else kept as typed;
- a linked warranty claim or deal must be one of the ticket's partner's, seen by the user
  (`visible_to(user)` and the ticket's partner); anything else is refused as unknown, the same answer for a
  forged id as for a missing one. A linked claim gives the serial number when none is typed and must be
  for the same product;
- the lifecycle is TICKET_TRANSITIONS; who may make which move is `PARTNER_MOVES` / `VENDOR_MOVES`; a
  reopen (resolved → in progress) needs a reason and is counted; a partner's reply to a ticket waiting on
  the partner moves it back to in progress;
- the SLA clock moves with every change (support/sla.py);
- each side hears about the other's actions (notifications); webhooks carry ticket.created,
  ticket.status_changed and ticket.commented, never an internal note.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from catalog.models import Product
from core.events import emit
from core.exceptions import ActionNotPermittedError, TransitionNotAllowedError
from core.normalise import normalise_company_name
from core.workflow import is_partner_member_of, required_reason
from customers.models import Customer
from customers.services import customer_resolve
from deals.models import DealRegistration
from notifications.services import notify
from partners.models import Partner
from partners.selectors import manager_recipients, partner_recipients
from warranty.models import WarrantyClaim
from warranty.services import normalise_serial

from . import sla
from .models import (
    DEFAULT_SLA_HOURS,
    TICKET_WORKFLOW,
    Origin,
    Severity,
    SlaPolicy,
    Ticket,
    TicketCategory,
    TicketComment,
    TicketStatus,
)

S = TicketStatus
# Who may make which move (from, to). The vendor's team moves the work along; the partner may say the
# problem is solved on its side, confirm a resolution (close) or reopen it.
VENDOR_MOVES: set[tuple[str, str]] = {
    (origin, target) for origin, targets in TICKET_WORKFLOW.transitions.items() for target in targets
}
PARTNER_MOVES: set[tuple[str, str]] = {
    *((origin, S.RESOLVED) for origin in (S.NEW, S.IN_PROGRESS, S.WAITING_ON_PARTNER, S.WAITING_ON_VENDOR)),
    (S.RESOLVED, S.CLOSED),
    (S.RESOLVED, S.IN_PROGRESS),
}
VERBS = {
    S.IN_PROGRESS: "taken in hand",
    S.WAITING_ON_PARTNER: "put to wait on the partner",
    S.WAITING_ON_VENDOR: "put to wait on the vendor",
    S.RESOLVED: "resolved",
    S.CLOSED: "closed",
}
REOPEN_REASON_NEEDED = "Say why the problem is not solved; the support team reads it."
MAX_SUBJECT = 200
MAX_BODY = 20_000
AUTOCLOSE_NOTE = "Closed automatically: resolved {days} days ago without a reply."


def is_channel_team(user: Any) -> bool:
    """An active channel manager or superuser: the vendor's side of a ticket."""
    return bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and user.is_active
        and (user.is_superuser or user.is_channel_manager)
    )


def sla_policy_for(severity: str) -> SlaPolicy:
    """The severity's policy; the documented defaults when an administrator removed its row."""
    policy = SlaPolicy.objects.filter(severity=severity).first()
    if policy is None:
        first, resolution = DEFAULT_SLA_HOURS[severity]
        policy = SlaPolicy(severity=severity, first_response_hours=first, resolution_hours=resolution)
    return policy


def _require_side(ticket: Ticket, user: Any, *, action: str) -> str:
    """Which side `user` acts for on `ticket` ("partner" or "vendor"), or a refusal saying why not."""
    if is_partner_member_of(user, ticket.partner_id):
        return TicketComment.Side.PARTNER
    if is_channel_team(user):
        if not Ticket.objects.editable_by(user).filter(pk=ticket.pk).exists():
            raise ActionNotPermittedError(f"{ticket.reference} belongs to a partner outside your regions.")
        return TicketComment.Side.VENDOR
    TICKET_WORKFLOW.require_partner_member(ticket, user, action=action)  # raises with the right words
    raise ActionNotPermittedError(f"You may not {action} this support ticket.")  # pragma: no cover


def _linked(model: type, value: Any, *, user: Any, partner: Partner, field: str, noun: str) -> Any:
    """A claim or deal of the ticket's partner that the user sees, from an object or an id; else a field error."""
    if value in (None, ""):
        return None
    pk = value.pk if isinstance(value, model) else value
    if isinstance(pk, str) and pk.strip().isdigit():
        pk = int(pk)
    found = None
    if isinstance(pk, int) and not isinstance(pk, bool) and 0 < pk < 2**63:
        found = model._default_manager.visible_to(user).filter(pk=pk, partner=partner).first()
    if found is None:
        raise ValidationError({field: [f"Unknown {noun}: pick one of {partner.name}'s own {noun}s."]})
    return found


def _customer(*, user: Any, customer: Any, customer_name: str, errors: dict) -> tuple[Customer | None, str]:
    """The linked customer and the name shown on the ticket (see the module's rules)."""
    name = (customer_name or "").strip()
    if len(name) > 200:
        errors["customer_name"] = ["The customer's name is too long (200 characters at most)."]
        return None, ""
    if customer not in (None, ""):
        if customer and name:
            errors["customer_name"] = ["Pick an existing customer or type a name, not both."]
            return None, ""
        try:
            found = customer_resolve(user=user, customer=customer, required=False)
        except ValidationError as exc:
            errors.update(exc.error_dict)
            return None, ""
        return found, found.name if found else ""
    if not name:
        return None, ""
    normalised = normalise_company_name(name)
    match = (
        Customer.objects.visible_to(user).filter(normalised_name=normalised).order_by("pk").first()
        if normalised
        else None
    )
    return match, match.name if match else name


@transaction.atomic
def ticket_open(
    *,
    partner: Partner,
    user: Any,
    product: Product,
    category: TicketCategory,
    severity: str,
    subject: str,
    description: str,
    serial_number: str = "",
    customer: Any = None,
    customer_name: str = "",
    warranty_claim: Any = None,
    deal: Any = None,
    via_api: bool = False,
) -> Ticket:
    """Open a ticket for `partner`; the SLA clock starts now. Raises ValidationError naming every bad field.

    A partner's user opens it (origin portal, or api with `via_api`); the channel team opens it for a
    partner it may change (origin vendor).
    """
    if is_partner_member_of(user, partner.pk):
        origin = Origin.API if via_api else Origin.PORTAL
    elif is_channel_team(user):
        if not Partner.objects.editable_by(user).filter(pk=partner.pk).exists():
            raise ActionNotPermittedError(f"{partner.name} is outside your regions.")
        origin = Origin.VENDOR
    else:
        raise ActionNotPermittedError("Only the partner's own users or the channel team open its support tickets.")
    errors: dict[str, list[str]] = {}
    subject = (subject or "").strip()
    description = (description or "").strip()
    if not subject:
        errors["subject"] = ["Enter a subject: one line that says what is wrong."]
    elif len(subject) > MAX_SUBJECT:
        errors["subject"] = [f"The subject is too long ({MAX_SUBJECT} characters at most)."]
    if not description:
        errors["description"] = ["Describe the problem: what happens, since when, what was tried."]
    elif len(description) > MAX_BODY:
        errors["description"] = [f"The description is too long ({MAX_BODY:,} characters at most)."]
    if severity not in Severity.values:
        errors["severity"] = [f"“{severity}” is not a severity; use one of {', '.join(Severity.values)}."]
    if not category.is_active:
        errors["category"] = ["This category is no longer in use; pick another one."]
    serial = normalise_serial(serial_number)
    if len(serial) > Ticket._meta.get_field("serial_number").max_length:
        errors["serial_number"] = ["The serial number is too long (60 characters at most)."]
    found_customer, shown_name = _customer(user=user, customer=customer, customer_name=customer_name, errors=errors)
    claim = linked_deal = None
    try:
        claim = _linked(
            WarrantyClaim, warranty_claim, user=user, partner=partner, field="warranty_claim", noun="warranty claim"
        )
    except ValidationError as exc:
        errors.update(exc.error_dict)
    try:
        linked_deal = _linked(DealRegistration, deal, user=user, partner=partner, field="deal", noun="deal")
    except ValidationError as exc:
        errors.update(exc.error_dict)
    if claim is not None:
        if claim.product_id != product.pk:
            errors["warranty_claim"] = [
                f"Claim {claim.reference} is for another product ({claim.product.sku}), not {product.sku}."
            ]
        elif not serial:
            serial = claim.serial_number
    if errors:
        raise ValidationError(errors)

    now = timezone.now()
    ticket = Ticket(
        partner=partner,
        origin=origin,
        raised_by=user,
        customer=found_customer,
        customer_name=shown_name,
        product=product,
        serial_number=serial,
        category=category,
        severity=severity,
        subject=subject,
        description=description,
        status=S.NEW,
        warranty_claim=claim,
        deal=linked_deal,
        last_activity_at=now,
    )
    sla.start_clock(ticket, policy=sla_policy_for(severity), at=now)
    if origin == Origin.VENDOR:
        sla.record_first_response(ticket, at=now)  # the vendor spoke first
    ticket.reference = TICKET_WORKFLOW.next_reference(now)
    ticket.save()
    TICKET_WORKFLOW.record(ticket, actor=user, at=now, to_status=S.NEW, note=f"Opened ({ticket.get_origin_display()})")
    _tell_other_side(
        ticket,
        side=TicketComment.Side.VENDOR if origin == Origin.VENDOR else TicketComment.Side.PARTNER,
        verb="ticket.created",
        title=f"Support ticket {ticket.reference}: {subject}",
        body=f"{ticket.get_severity_display()} · {category.name} · {product.sku}"
        + (f" · {shown_name}" if shown_name else ""),
    )
    emit("ticket.created", partner_id=partner.pk, data=_payload(ticket))
    return ticket


def _payload(ticket: Ticket, **extra: Any) -> dict:
    return {
        "ticket_id": ticket.pk,
        "reference": ticket.reference,
        "status": ticket.status,
        "severity": ticket.severity,
        "category": ticket.category.code,
        "product_sku": ticket.product.sku,
        "origin": ticket.origin,
        **extra,
    }


def _tell_other_side(ticket: Ticket, *, side: str, verb: str, title: str, body: str = "") -> None:
    """Notify the side that did not act: the partner's users, or the channel managers of the partner."""
    if side == TicketComment.Side.PARTNER:
        recipients = manager_recipients(partner=ticket.partner)
        url = reverse("support:manage_ticket_detail", args=[ticket.pk])
    else:
        recipients = partner_recipients(partner_id=ticket.partner_id)
        url = reverse("support:ticket_detail", args=[ticket.pk])
    notify(recipients=recipients, verb=verb, title=title, body=body, url=url, subject=ticket)


@transaction.atomic
def ticket_comment(*, ticket: Ticket, user: Any, body: str, internal: bool = False) -> TicketComment:
    """Add a comment. `internal`: a vendor-only note (channel team only), which nobody on the partner's side
    reads, no notification announces and no webhook carries.

    The vendor's first public comment is the first response; a partner's comment on a ticket waiting on the
    partner moves it back to in progress (the clock resumes).
    """
    side = _require_side(ticket, user, action="comment on")
    if internal and side != TicketComment.Side.VENDOR:
        raise ActionNotPermittedError("Only the channel team writes internal notes.")
    text = (body or "").strip()
    if not text:
        raise ValidationError({"body": ["Write the comment."]})
    if len(text) > MAX_BODY:
        raise ValidationError({"body": [f"The comment is too long ({MAX_BODY:,} characters at most)."]})
    TICKET_WORKFLOW.lock(ticket)
    if ticket.status == S.CLOSED:
        raise TransitionNotAllowedError(f"{ticket.reference} is closed; open a new ticket for a new problem.")
    now = timezone.now()
    comment = TicketComment.objects.create(
        ticket=ticket, author=user, side=side, body=text, is_internal=internal, created_at=now
    )
    changed = ["last_activity_at"]
    ticket.last_activity_at = now
    if side == TicketComment.Side.VENDOR and not internal:
        changed += sla.record_first_response(ticket, at=now)
    ticket.save(update_fields=[*changed, "updated_at"])
    if internal:
        return comment
    if side == TicketComment.Side.PARTNER and ticket.status == S.WAITING_ON_PARTNER:
        _move(ticket, S.IN_PROGRESS, user=user, side=side, note="The partner replied", at=now, by_rule=True)
    _tell_other_side(
        ticket,
        side=side,
        verb="ticket.commented",
        title=f"New comment on {ticket.reference}: {ticket.subject}",
        body=text[:500],
    )
    emit(
        "ticket.commented",
        partner_id=ticket.partner_id,
        data=_payload(ticket, comment_id=comment.pk, side=side, body=text),
    )
    return comment


def _move(ticket: Ticket, to_status: str, *, user: Any, side: str, note: str, at: Any, by_rule: bool = False) -> None:
    """Check, move the clock, change and record; announce to the other side. Call after `lock`.

    `by_rule`: a move the rules make on the actor's behalf (a partner's reply ends the wait on the partner),
    which the side's own moves do not include.
    """
    allowed = VENDOR_MOVES if side == TicketComment.Side.VENDOR else PARTNER_MOVES
    verb = "reopened" if (ticket.status, to_status) == (S.RESOLVED, S.IN_PROGRESS) else VERBS.get(to_status, to_status)
    TICKET_WORKFLOW.check(ticket, to_status, verb)
    if not by_rule and (ticket.status, to_status) not in allowed:
        who = "the support team" if side == TicketComment.Side.PARTNER else "the partner"
        raise ActionNotPermittedError(f"Only {who} may mark {ticket.reference} {verb}.")
    from_status = ticket.status
    changes: dict[str, Any] = {"last_activity_at": at}
    if side == TicketComment.Side.VENDOR:
        for name in sla.record_first_response(ticket, at=at):
            changes[name] = getattr(ticket, name)
    for name in sla.move_clock(ticket, to_status=to_status, at=at):
        changes[name] = getattr(ticket, name)
    if to_status == S.RESOLVED:
        changes["resolved_at"] = at
    elif to_status == S.CLOSED:
        changes["closed_at"] = at
    elif from_status == S.RESOLVED:  # a reopen: the ticket is no longer resolved
        changes["resolved_at"] = None
        changes["reopen_count"] = ticket.reopen_count + 1
    TICKET_WORKFLOW.move(ticket, to_status, actor=user, verb=verb, note=note, at=at, **changes)
    title = f"{ticket.reference} {verb}: {ticket.subject}"
    _tell_other_side(ticket, side=side, verb="ticket.status_changed", title=title, body=note[:500])
    emit(
        "ticket.status_changed",
        partner_id=ticket.partner_id,
        data=_payload(ticket, from_status=from_status, to_status=to_status, reopen_count=ticket.reopen_count),
    )


@transaction.atomic
def ticket_transition(*, ticket: Ticket, user: Any, to_status: str, note: str = "") -> Ticket:
    """Move a ticket to `to_status` (TICKET_TRANSITIONS, and who may: VENDOR_MOVES / PARTNER_MOVES).

    A reopen (resolved → in progress) needs the reason in `note` and adds one to `reopen_count`.
    """
    if to_status not in S.values:
        raise ValidationError({"status": [f"“{to_status}” is not a ticket status."]})
    side = _require_side(ticket, user, action="change")
    TICKET_WORKFLOW.lock(ticket)
    note = (note or "").strip()
    if ticket.status == S.RESOLVED and to_status == S.IN_PROGRESS:
        note = required_reason(note, field="note", message=REOPEN_REASON_NEEDED)
    _move(ticket, to_status, user=user, side=side, note=note, at=timezone.now())
    return ticket


def ticket_start(*, ticket: Ticket, user: Any, note: str = "") -> Ticket:
    """The support team works on it (from new or a wait)."""
    return ticket_transition(ticket=ticket, user=user, to_status=S.IN_PROGRESS, note=note)


def ticket_wait_on_partner(*, ticket: Ticket, user: Any, note: str = "") -> Ticket:
    """The support team needs the partner's answer: the resolution clock pauses."""
    return ticket_transition(ticket=ticket, user=user, to_status=S.WAITING_ON_PARTNER, note=note)


def ticket_wait_on_vendor(*, ticket: Ticket, user: Any, note: str = "") -> Ticket:
    """Escalated inside the vendor (engineering, a part on order): the clock keeps running."""
    return ticket_transition(ticket=ticket, user=user, to_status=S.WAITING_ON_VENDOR, note=note)


def ticket_resolve(*, ticket: Ticket, user: Any, note: str = "") -> Ticket:
    """Solved (either side): the clock stops; the partner confirms (close) or reopens."""
    return ticket_transition(ticket=ticket, user=user, to_status=S.RESOLVED, note=note)


def ticket_close(*, ticket: Ticket, user: Any, note: str = "") -> Ticket:
    """A resolution confirmed (either side)."""
    return ticket_transition(ticket=ticket, user=user, to_status=S.CLOSED, note=note)


def ticket_reopen(*, ticket: Ticket, user: Any, note: str = "") -> Ticket:
    """A resolution that did not hold: back in progress, counted, the clock resumes; `note` says why."""
    return ticket_transition(ticket=ticket, user=user, to_status=S.IN_PROGRESS, note=note)


def tickets_close_resolved(*, days: int, now: Any = None) -> int:
    """Close tickets resolved more than `days` ago that nobody reopened (the scheduled job). Returns how many.

    Each is closed in its own transaction, under its lock, and recorded with no actor.
    """
    now = now or timezone.now()
    ids = list(
        Ticket.objects.filter(status=S.RESOLVED, resolved_at__lt=now - timedelta(days=days)).values_list(
            "pk", flat=True
        )
    )
    closed = 0
    for pk in ids:
        with transaction.atomic():
            ticket = Ticket.objects.select_for_update().select_related("category", "product").get(pk=pk)
            if ticket.status != S.RESOLVED:
                continue
            changes = {"closed_at": now, "last_activity_at": now}
            TICKET_WORKFLOW.move(
                ticket, S.CLOSED, actor=None, verb="closed", note=AUTOCLOSE_NOTE.format(days=days), at=now, **changes
            )
            emit(
                "ticket.status_changed",
                partner_id=ticket.partner_id,
                data=_payload(ticket, from_status=S.RESOLVED, to_status=S.CLOSED, reopen_count=ticket.reopen_count),
            )
            closed += 1
    return closed
