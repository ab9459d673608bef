"""Every change to a deal registration goes through these functions (DESIGN §2).

Each one checks that the actor may act (partner members of the deal's own
partner for create/submit/withdraw/extension request/close; channel managers
who can see the partner for approve/reject/extend), locks the row and checks
that DEAL_TRANSITIONS allows the change (the workflow toolkit, DEAL_WORKFLOW),
then writes a DealEvent in the same transaction, notifies people and emits a
domain event (webhooks are written with the change, the rest follows its commit).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.events import emit
from core.exceptions import ActionNotPermittedError, ServiceError, TransitionNotAllowedError
from core.text import money
from core.workflow import is_partner_member_of, required_reason
from customers.services import customer_resolve
from partners.models import Partner, Program

from .conflicts import find_conflicting_deals, flag_conflicts, lock_customer_keys
from .models import DEAL_WORKFLOW, STANDARD_LOSS_REASONS, DealRegistration, DealStatus, LossReason
from .notices import notify_managers, notify_partner, payload
from .validation import clean_deal_fields, replace_lines


def protection_days(partner: Partner) -> int:
    """The partner's program protection period, else the default program's, else the setting."""
    program = partner.program if partner.program_id else Program.default()
    return program.deal_protection_days if program else settings.PRM_DEAL_PROTECTION_DAYS


def extension_days(partner: Partner) -> int:
    program = partner.program if partner.program_id else Program.default()
    return program.extension_days if program else settings.PRM_DEAL_EXTENSION_DAYS


def require_partner_may_register(partner: Partner) -> None:
    """Inactive and terminated partners keep read access but submit no new registrations."""
    if partner.status in (Partner.Status.INACTIVE, Partner.Status.TERMINATED):
        raise ActionNotPermittedError(
            f"Your partner account is {partner.get_status_display().lower()}; new registrations cannot be "
            "submitted. Contact your channel manager."
        )


def _clean_registration(*, user: Any, customer: Any, **values: Any) -> tuple[dict, list[dict]]:
    """The customer resolved and the registration checked in one pass: every error is reported at once."""
    errors: dict[str, list] = {}
    try:
        customer = customer_resolve(user=user, customer=customer)
    except ValidationError as exc:
        errors.update(exc.error_dict)
        customer = None
    try:
        return clean_deal_fields(customer=customer, **values)
    except ValidationError as exc:
        for key, problems in exc.error_dict.items():
            if key == "customer" and customer is None and errors:
                continue  # already said, more precisely, by customer_resolve
            errors.setdefault(key, []).extend(problems)
    raise ValidationError(errors)


# --- partner actions ---------------------------------------------------------------------------


@transaction.atomic
def deal_create(
    *,
    partner: Partner,
    user: Any,
    customer,
    lines: list[dict],
    expected_close_date,
    deal_type: str = "new",
    currency: str = "USD",
    notes: str = "",
    source: str = "portal",
    submit: bool = True,
) -> DealRegistration:
    """Register a deal for `partner`: a draft, or submitted at once (conflict check included).

    `customer` is whatever the interface received (see `customers.services.customer_resolve`): a
    customer, an id the user can see, or a new customer's details. The amount is the sum of quantity
    × unit price over the lines.
    """
    if not is_partner_member_of(user, partner.pk):
        raise ActionNotPermittedError("Only users of a partner may register deals for it.")
    if submit:
        require_partner_may_register(partner)
    fields, clean_lines = _clean_registration(
        user=user,
        customer=customer,
        lines=lines,
        expected_close_date=expected_close_date,
        deal_type=deal_type,
        currency=currency,
        notes=notes,
        source=source,
    )
    now = timezone.now()
    deal = DealRegistration.objects.create(
        reference=DEAL_WORKFLOW.next_reference(now), partner=partner, status=DealStatus.DRAFT, **fields
    )
    replace_lines(deal, clean_lines)
    if submit:
        _submit(deal, user=user, now=now, note="Registered and submitted.", from_status="")
    else:
        DEAL_WORKFLOW.record(
            deal, actor=user, at=now, kind="created", to_status=DealStatus.DRAFT, note="Saved as a draft."
        )
    return deal


@transaction.atomic
def deal_update_draft(
    *,
    deal: DealRegistration,
    user: Any,
    customer,
    lines: list[dict],
    expected_close_date,
    deal_type: str = "new",
    currency: str = "USD",
    notes: str = "",
) -> DealRegistration:
    """Change a draft before it is submitted (customer, lines, dates); submitted deals are fixed."""
    DEAL_WORKFLOW.require_partner_member(deal, user, action="edit")
    DEAL_WORKFLOW.lock(deal)
    if deal.status != DealStatus.DRAFT:
        raise TransitionNotAllowedError(
            f"{deal.reference} is {deal.get_status_display().lower()}; only drafts can be edited."
        )
    fields, clean_lines = _clean_registration(
        user=user,
        customer=customer,
        lines=lines,
        expected_close_date=expected_close_date,
        deal_type=deal_type,
        currency=currency,
        notes=notes,
        source=deal.source,
    )
    for name, value in fields.items():
        setattr(deal, name, value)
    deal.save()
    replace_lines(deal, clean_lines)
    DEAL_WORKFLOW.record(deal, actor=user, kind="edited", note="Draft updated.")
    return deal


def _submit(deal: DealRegistration, *, user: Any, now: datetime, note: str, from_status: str | None = None) -> None:
    """Submit, then look for channel conflicts and tell the channel team."""
    from_status = deal.status if from_status is None else from_status
    lock_customer_keys(deal.customer)
    deal.status = DealStatus.SUBMITTED
    deal.submitted_by = user
    deal.submitted_at = now
    deal.save(update_fields=["status", "submitted_by", "submitted_at", "updated_at"])
    DEAL_WORKFLOW.record(deal, actor=user, at=now, from_status=from_status, to_status=DealStatus.SUBMITTED, note=note)
    emit("deal.submitted", partner_id=deal.partner_id, data=payload(deal))
    others = find_conflicting_deals(deal=deal, now=now)
    notify_managers(
        deal,
        verb="deal.submitted",
        title=f"New registration {deal.reference} from {deal.partner.name}",
        body=f"{deal.partner.name} registered {deal.customer.name} ({money(deal.amount, deal.currency)})"
        + (" — it overlaps another partner's registration." if others else "."),
    )
    if others:
        flag_conflicts(deal=deal, others=others, now=now)


@transaction.atomic
def deal_submit(*, deal: DealRegistration, user: Any) -> DealRegistration:
    """Submit a draft for a decision (draft → submitted)."""
    DEAL_WORKFLOW.require_partner_member(deal, user, action="submit")
    DEAL_WORKFLOW.lock(deal)
    DEAL_WORKFLOW.check(deal, DealStatus.SUBMITTED, "submitted")
    require_partner_may_register(deal.partner)
    if not deal.lines.exists():
        raise ValidationError({"lines": ["Add at least one product line before submitting."]})
    if deal.expected_close_date < timezone.localdate():
        raise ValidationError({"expected_close_date": ["The expected close date has passed; edit the draft first."]})
    _submit(deal, user=user, now=timezone.now(), note="Submitted.")
    return deal


def deal_withdraw_check(*, deal: DealRegistration, user: Any) -> None:
    """Refuse, as deal_withdraw would, before anything changes: a confirmation page asks only when it may."""
    DEAL_WORKFLOW.require_partner_member(deal, user, action="withdraw")
    DEAL_WORKFLOW.check(deal, DealStatus.WITHDRAWN, "withdrawn")


@transaction.atomic
def deal_withdraw(*, deal: DealRegistration, user: Any, note: str = "") -> DealRegistration:
    """The partner takes a draft, submitted or approved registration back (→ withdrawn)."""
    DEAL_WORKFLOW.require_partner_member(deal, user, action="withdraw")
    DEAL_WORKFLOW.lock(deal)
    from_status = deal.status
    now = timezone.now()
    DEAL_WORKFLOW.move(
        deal,
        DealStatus.WITHDRAWN,
        actor=user,
        verb="withdrawn",
        at=now,
        note=note.strip() or "Withdrawn by the partner.",
        closed_at=now,
    )
    emit("deal.withdrawn", partner_id=deal.partner_id, data=payload(deal, from_status=from_status))
    if from_status != DealStatus.DRAFT:
        notify_managers(
            deal,
            verb="deal.withdrawn",
            title=f"{deal.reference} withdrawn by {deal.partner.name}",
            body=note.strip(),
            email=False,
        )
    return deal


@transaction.atomic
def deal_request_extension(*, deal: DealRegistration, user: Any) -> DealRegistration:
    """The partner asks once for longer protection on an approved, still protected registration."""
    DEAL_WORKFLOW.require_partner_member(deal, user, action="request an extension for")
    DEAL_WORKFLOW.lock(deal)
    now = timezone.now()
    if deal.status != DealStatus.APPROVED:
        raise TransitionNotAllowedError(
            f"{deal.reference} is {deal.get_status_display().lower()}; only approved registrations can be extended."
        )
    if deal.protection_expires_at and deal.protection_expires_at <= now:
        raise TransitionNotAllowedError(f"The protection of {deal.reference} has already ended.")
    if deal.extended_at:
        raise TransitionNotAllowedError(f"The protection of {deal.reference} has already been extended once.")
    if deal.extension_requested_at:
        raise TransitionNotAllowedError(
            f"An extension for {deal.reference} was already requested on {deal.extension_requested_at:%Y-%m-%d}."
        )
    deal.extension_requested_at = now
    deal.save(update_fields=["extension_requested_at", "updated_at"])
    DEAL_WORKFLOW.record(deal, actor=user, at=now, kind="extension_requested", note="Protection extension requested.")
    notify_managers(
        deal,
        verb="deal.extension_requested",
        title=f"Extension requested for {deal.reference}",
        body=f"{deal.partner.name} asks to extend the protection of {deal.reference} "
        f"(ends {deal.protection_expires_at:%Y-%m-%d}).",
    )
    return deal


def loss_reasons_ensure() -> list[LossReason]:
    """The standard loss reasons, creating those missing (an emptied database, the demo); existing rows, as
    admins may have reworded or deactivated them, are left as they are."""
    reasons = []
    for position, (code, name, needs_note) in enumerate(STANDARD_LOSS_REASONS, start=1):
        reason, _ = LossReason.objects.get_or_create(
            code=code, defaults={"name": name, "position": position * 10, "needs_note": needs_note}
        )
        reasons.append(reason)
    return reasons


def loss_reason_resolve(value: LossReason | str | None) -> LossReason:
    """The active loss reason `value` names (a LossReason or its code); a `loss_reason` field error otherwise.

    The error names the codes that are accepted, so an API client or an import row can be corrected from it.
    """
    offered = list(LossReason.objects.active())
    codes = ", ".join(reason.code for reason in offered)
    if isinstance(value, LossReason):
        if not value.is_active:
            raise ValidationError({"loss_reason": [f"“{value.name}” is no longer offered; choose one of: {codes}."]})
        return value
    code = (value or "").strip()
    if not code:
        raise ValidationError({"loss_reason": [f"Say why the deal was lost: choose one of {codes}."]})
    for reason in offered:
        if reason.code == code:
            return reason
    raise ValidationError({"loss_reason": [f"Unknown loss reason “{code}”; choose one of: {codes}."]})


@transaction.atomic
def deal_close(
    *,
    deal: DealRegistration,
    user: Any,
    won: bool,
    loss_reason: LossReason | str | None = None,
    loss_note: str = "",
) -> DealRegistration:
    """The partner reports the outcome of an approved registration (→ won, or → lost with a reason).

    A lost deal needs a reason from the `LossReason` list (by instance or code; see `loss_reason_resolve`) and,
    for a reason that `needs_note` ("Other"), the partner's description in `loss_note`. A won deal stores no
    reason. The history line and the `deal.lost` event carry the reason and the note.
    """
    DEAL_WORKFLOW.require_partner_member(deal, user, action="close")
    DEAL_WORKFLOW.lock(deal)
    to_status = DealStatus.WON if won else DealStatus.LOST
    verb = "closed as " + to_status.label.lower()
    DEAL_WORKFLOW.check(deal, to_status, verb)
    reason, note = None, (loss_note or "").strip()
    if not won:
        reason = loss_reason_resolve(loss_reason)
        if reason.needs_note and not note:
            raise ValidationError({"loss_note": [f"Describe the reason: “{reason.name}” needs a few words."]})
    now = timezone.now()
    DEAL_WORKFLOW.move(
        deal,
        to_status,
        actor=user,
        verb=verb,
        at=now,
        note="" if won else loss_text(reason, note),
        closed_at=now,
        loss_reason=reason,
        loss_note="" if won else note,
    )
    loss = {"loss_reason": reason.code, "loss_reason_name": reason.name} if reason else {"loss_reason": None}
    emit(f"deal.{to_status}", partner_id=deal.partner_id, data=payload(deal, **loss, loss_note=deal.loss_note))
    notify_managers(
        deal,
        verb=f"deal.{to_status}",
        title=f"{deal.reference} {to_status.label.lower()} by {deal.partner.name}",
        body="" if won else loss_text(reason, note),
        email=False,
    )
    return deal


def loss_text(reason: LossReason, note: str) -> str:
    """How a loss reads in the history and notices: "Loss reason: Price — 20 % cheaper offer"."""
    return f"Loss reason: {reason.name}" + (f" — {note}" if note else "")


# --- manager actions ---------------------------------------------------------------------------


@transaction.atomic
def deal_approve(*, deal: DealRegistration, user: Any, note: str = "") -> DealRegistration:
    """Approve a submitted registration; protection runs for the program's period from the decision.

    protection_expires_at = decided_at + deal_protection_days (partner's program,
    else the default program, else PRM_DEAL_PROTECTION_DAYS). A competing
    registration is left for the manager to decide.
    """
    DEAL_WORKFLOW.require_manager(deal, user, action="approve")
    DEAL_WORKFLOW.lock(deal)
    now = timezone.now()
    DEAL_WORKFLOW.move(
        deal,
        DealStatus.APPROVED,
        actor=user,
        verb="approved",
        at=now,
        note=note.strip(),
        decided_by=user,
        decided_at=now,
        protection_expires_at=now + timedelta(days=protection_days(deal.partner)),
    )
    emit(
        "deal.approved",
        partner_id=deal.partner_id,
        data=payload(deal, protection_expires_at=deal.protection_expires_at.isoformat()),
    )
    notify_partner(
        deal,
        verb="deal.approved",
        title=f"Deal registration {deal.reference} approved",
        body=f"Your registration for {deal.customer.name} is approved and protected until "
        f"{deal.protection_expires_at:%Y-%m-%d}." + (f"\nNote: {note.strip()}" if note.strip() else ""),
    )
    return deal


@transaction.atomic
def deal_reject(*, deal: DealRegistration, user: Any, reason: str) -> DealRegistration:
    """Reject a submitted registration; the reason is required and shown to the partner."""
    DEAL_WORKFLOW.require_manager(deal, user, action="reject")
    DEAL_WORKFLOW.lock(deal)
    DEAL_WORKFLOW.check(deal, DealStatus.REJECTED, "rejected")
    reason = required_reason(reason)
    now = timezone.now()
    DEAL_WORKFLOW.move(
        deal,
        DealStatus.REJECTED,
        actor=user,
        verb="rejected",
        at=now,
        note=reason,
        decided_by=user,
        decided_at=now,
        rejection_reason=reason,
    )
    emit("deal.rejected", partner_id=deal.partner_id, data=payload(deal, reason=reason))
    notify_partner(
        deal,
        verb="deal.rejected",
        title=f"Deal registration {deal.reference} rejected",
        body=f"Your registration for {deal.customer.name} was rejected.\nReason: {reason}",
    )
    return deal


@transaction.atomic
def deal_extend(*, deal: DealRegistration, user: Any, note: str = "") -> DealRegistration:
    """Extend an approved registration's protection once by the program's extension period.

    The new end is max(current end, now) + extension_days, so an extension granted
    late still gives the partner the full period; the expiry warning is re-armed.
    """
    DEAL_WORKFLOW.require_manager(deal, user, action="extend")
    DEAL_WORKFLOW.lock(deal)
    if deal.status != DealStatus.APPROVED:
        raise TransitionNotAllowedError(
            f"{deal.reference} is {deal.get_status_display().lower()}; only approved registrations can be extended."
        )
    if deal.extended_at:
        raise TransitionNotAllowedError(
            f"The protection of {deal.reference} was already extended on {deal.extended_at:%Y-%m-%d}; "
            "it can be extended only once."
        )
    now = timezone.now()
    days = extension_days(deal.partner)
    deal.protection_expires_at = max(deal.protection_expires_at or now, now) + timedelta(days=days)
    deal.extended_at = now
    deal.expiry_warning_sent_at = None
    deal.save(update_fields=["protection_expires_at", "extended_at", "expiry_warning_sent_at", "updated_at"])
    text = f"Protection extended by {days} days to {deal.protection_expires_at:%Y-%m-%d}."
    DEAL_WORKFLOW.record(deal, actor=user, at=now, kind="extension", note=f"{text} {note.strip()}".strip())
    emit(
        "deal.extended",
        partner_id=deal.partner_id,
        data=payload(deal, protection_expires_at=deal.protection_expires_at.isoformat()),
    )
    notify_partner(
        deal,
        verb="deal.extended",
        title=f"Protection of {deal.reference} extended",
        body=f"{text}" + (f"\nNote: {note.strip()}" if note.strip() else ""),
    )
    return deal


# --- several at once ---------------------------------------------------------------------------


@dataclass
class BulkResult:
    deal_id: int
    reference: str
    ok: bool
    message: str


def deal_bulk_decide(*, deal_ids: list[int], user: Any, approve: bool, reason: str = "") -> list[BulkResult]:
    """Approve or reject several registrations; each is its own transaction, so one failure blocks no other.

    Ids the user cannot see are reported as not found, never acted on.
    """
    deals = {
        d.pk: d
        for d in DealRegistration.objects.visible_to(user)
        .filter(pk__in=deal_ids)
        .select_related("partner", "customer", "partner__program")
    }
    results = []
    for deal_id in dict.fromkeys(deal_ids):
        deal = deals.get(deal_id)
        if deal is None:
            results.append(BulkResult(deal_id, f"#{deal_id}", False, "Not found."))
            continue
        try:
            if approve:
                deal_approve(deal=deal, user=user, note=reason)
            else:
                deal_reject(deal=deal, user=user, reason=reason)
        except ServiceError as exc:
            results.append(BulkResult(deal_id, deal.reference, False, exc.message))
        except ValidationError as exc:
            results.append(BulkResult(deal_id, deal.reference, False, " ".join(exc.messages)))
        else:
            results.append(BulkResult(deal_id, deal.reference, True, "Approved." if approve else "Rejected."))
    return results
