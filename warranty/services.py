"""Warranty claims: partners file, channel managers decide. Pages and the API both call these.

Rules (DESIGN §2, issue 3):
- claimed amount = parts + labour, and must be more than 0;
- out of warranty: the failure date is after purchase date + the product's
  warranty months, counted in calendar months (31 Jan + 1 month = 28/29 Feb);
  a failure on the last day of cover is still in warranty;
- duplicate: a claim for the same serial number (any partner, any status)
  submitted in the previous `PRM_DUPLICATE_CLAIM_DAYS` days (default 30);
  `duplicate_of` is the most recent one. Serial numbers are compared without
  case or surrounding spaces (they are stored upper-cased);
- flags inform the manager's decision; they never block filing;
- lifecycle CLAIM_TRANSITIONS: submitted → under_review → approved | rejected,
  approved → paid (a manager may also decide straight from submitted);
- approval in full (no amount) or in part: 0 < amount ≤ claimed. Approving
  nothing is a rejection, which needs a reason, so 0 is refused.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, User
from catalog.models import Product
from core.events import emit
from core.exceptions import ActionNotPermittedError, TransitionNotAllowedError
from notifications.services import notify
from partners.models import Partner

from .models import CLAIM_TRANSITIONS, ClaimEvent, ClaimStatus, FailureCode, WarrantyClaim

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("9999999999.99")


def warranty_end(*, product: Product, purchase_date: date) -> date:
    """The last day the product is covered: the purchase date plus the warranty's calendar months, clamped
    to the end of a shorter month (31 Jan + 1 month → 28/29 Feb), which is what relativedelta does."""
    return purchase_date + relativedelta(months=product.warranty_months)


def normalise_serial(value: str) -> str:
    return (value or "").strip().upper()


def _amount(value: Any, field: str, errors: dict[str, list[str]]) -> Decimal | None:
    try:
        amount = Decimal(str(value if value not in (None, "") else "0"))
    except (InvalidOperation, ValueError):
        errors.setdefault(field, []).append("Enter an amount such as 120.50.")
        return None
    if not amount.is_finite():
        errors.setdefault(field, []).append("Enter an amount such as 120.50.")
        return None
    if amount < 0:
        errors.setdefault(field, []).append("The amount cannot be negative.")
        return None
    if amount > MAX_AMOUNT or amount != amount.quantize(CENT):
        errors.setdefault(field, []).append("Use at most two decimals and less than 10 billion.")
        return None
    return amount.quantize(CENT)


def _partner_managers(partner: Partner) -> list[User]:
    """Channel managers whose scope includes the partner: no regions (everything) or the partner's region."""
    return list(
        User.objects.filter(role=Role.CHANNEL_MANAGER, is_active=True)
        .filter(Q(regions__isnull=True) | Q(regions=partner.region_id))
        .distinct()
    )


def _partner_users(partner_id: int) -> list[User]:
    return list(User.objects.filter(partner_id=partner_id, is_active=True))


def _next_reference(year: int) -> str:
    prefix = f"WC-{year}-"
    last = (
        WarrantyClaim.objects.filter(reference__startswith=prefix)
        .order_by("-reference")
        .values_list("reference", flat=True)
        .first()
    )
    number = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{number:06d}"


def _check_decider(claim: WarrantyClaim, user: Any) -> None:
    if not (getattr(user, "is_authenticated", False) and user.is_active and user.is_channel_manager):
        raise ActionNotPermittedError("Only the channel team decides warranty claims.")
    if not WarrantyClaim.objects.visible_to(user).filter(pk=claim.pk).exists():
        raise ActionNotPermittedError("This claim belongs to a partner outside your regions.")


def _move(claim: WarrantyClaim, user: Any, to_status: str, verb: str) -> tuple[WarrantyClaim, str]:
    """Lock the claim, check the transition, and return (locked claim, previous status)."""
    locked = WarrantyClaim.objects.select_for_update().get(pk=claim.pk)
    if to_status not in CLAIM_TRANSITIONS.get(locked.status, set()):
        raise TransitionNotAllowedError(
            f"Claim {locked.reference} is {locked.get_status_display().lower()}; it cannot be {verb}."
        )
    return locked, locked.status


def _record(claim: WarrantyClaim, user: Any, from_status: str, note: str, at=None) -> None:
    ClaimEvent.objects.create(
        claim=claim, at=at or timezone.now(), actor=user, from_status=from_status, to_status=claim.status, note=note
    )


def _sync(target: WarrantyClaim, source: WarrantyClaim) -> WarrantyClaim:
    """Let the caller's object reflect the saved state."""
    for field in WarrantyClaim._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))
    return target


@transaction.atomic
def claim_create(
    *,
    partner: Partner,
    user: Any,
    product: Product,
    serial_number: str,
    purchase_date: date,
    failure_date: date,
    failure_code: FailureCode,
    parts_amount: Any,
    labour_amount: Any,
    customer: Any = None,
    description: str = "",
) -> WarrantyClaim:
    """File a claim for a partner; flags out-of-warranty and duplicate claims at once (see module rules)."""
    if not (getattr(user, "is_authenticated", False) and user.is_partner_member and user.partner_id == partner.pk):
        raise ActionNotPermittedError("Only the partner's own users file its warranty claims.")
    errors: dict[str, list[str]] = {}
    serial = normalise_serial(serial_number)
    if not serial:
        errors["serial_number"] = ["Enter the serial number."]
    elif len(serial) > WarrantyClaim._meta.get_field("serial_number").max_length:
        errors["serial_number"] = ["The serial number is too long (60 characters at most)."]
    today = timezone.now().date()
    if purchase_date > today:
        errors["purchase_date"] = ["The purchase date cannot be in the future."]
    if failure_date > today:
        errors["failure_date"] = ["The failure date cannot be in the future."]
    elif failure_date < purchase_date:
        errors["failure_date"] = ["The failure date cannot be before the purchase date."]
    if not failure_code.is_active:
        errors["failure_code"] = ["This failure code is no longer in use; pick another one."]
    parts = _amount(parts_amount, "parts_amount", errors)
    labour = _amount(labour_amount, "labour_amount", errors)
    if parts is not None and labour is not None and parts + labour <= 0:
        errors["labour_amount"] = ["Enter the parts or labour amount claimed."]
    elif parts is not None and labour is not None and parts + labour > MAX_AMOUNT:
        # The claimed amount (their sum) has the same column size as each of them.
        errors["labour_amount"] = ["Parts and labour together must be less than 10 billion."]
    if errors:
        raise ValidationError(errors)

    now = timezone.now()
    window_start = now - timedelta(days=settings.PRM_DUPLICATE_CLAIM_DAYS)
    earlier = (
        WarrantyClaim.objects.filter(serial_number=serial, submitted_at__gte=window_start)
        .order_by("-submitted_at", "-pk")
        .first()
    )
    out_of_warranty = failure_date > warranty_end(product=product, purchase_date=purchase_date)
    claim = WarrantyClaim(
        partner=partner,
        product=product,
        serial_number=serial,
        customer=customer,
        purchase_date=purchase_date,
        failure_date=failure_date,
        failure_code=failure_code,
        description=description.strip(),
        parts_amount=parts,
        labour_amount=labour,
        claimed_amount=parts + labour,
        status=ClaimStatus.SUBMITTED,
        submitted_by=user,
        submitted_at=now,
        out_of_warranty=out_of_warranty,
        is_duplicate=earlier is not None,
        duplicate_of=earlier,
    )
    for attempt in range(5):
        claim.reference = _next_reference(now.year)
        try:
            with transaction.atomic():
                claim.save()
            break
        except IntegrityError:
            if attempt == 4 or WarrantyClaim.objects.filter(reference=claim.reference).count() == 0:
                raise
    flags = [text for flag, text in ((out_of_warranty, "out of warranty"), (earlier, "possible duplicate")) if flag]
    _record(claim, user, "", "Filed" + (f"; flagged: {', '.join(flags)}" if flags else ""), at=now)
    notify(
        recipients=_partner_managers(partner),
        verb="claim.submitted",
        title=f"Warranty claim {claim.reference} from {partner.name}",
        body=f"{product.sku}, serial {serial}, {claim.claimed_amount} {claim.currency} claimed."
        + (f" Flagged: {', '.join(flags)}." if flags else ""),
        url=reverse("warranty:manage_claim_detail", args=[claim.pk]),
        subject=claim,
    )
    emit(
        "claim.submitted",
        partner_id=partner.pk,
        data={
            "claim_id": claim.pk,
            "reference": claim.reference,
            "product_sku": product.sku,
            "claimed_amount": str(claim.claimed_amount),
            "currency": claim.currency,
            "out_of_warranty": out_of_warranty,
            "is_duplicate": claim.is_duplicate,
        },
    )
    return claim


@transaction.atomic
def claim_start_review(*, claim: WarrantyClaim, user: Any) -> WarrantyClaim:
    """A manager takes a submitted claim into review."""
    _check_decider(claim, user)
    locked, previous = _move(claim, user, ClaimStatus.UNDER_REVIEW, "taken into review")
    locked.status = ClaimStatus.UNDER_REVIEW
    locked.save(update_fields=["status", "updated_at"])
    _record(locked, user, previous, "Review started")
    return _sync(claim, locked)


def _announce_decision(claim: WarrantyClaim, title: str, body: str) -> None:
    notify(
        recipients=_partner_users(claim.partner_id),
        verb="claim.decided",
        title=title,
        body=body,
        url=reverse("warranty:claim_detail", args=[claim.pk]),
        subject=claim,
    )
    emit(
        "claim.decided",
        partner_id=claim.partner_id,
        data={
            "claim_id": claim.pk,
            "reference": claim.reference,
            "decision": claim.status,
            "claimed_amount": str(claim.claimed_amount),
            "approved_amount": None if claim.approved_amount is None else str(claim.approved_amount),
            "currency": claim.currency,
        },
    )


@transaction.atomic
def claim_approve(*, claim: WarrantyClaim, user: Any, amount: Any = None, note: str = "") -> WarrantyClaim:
    """Approve in full (no amount) or in part (0 < amount ≤ claimed)."""
    _check_decider(claim, user)
    locked, previous = _move(claim, user, ClaimStatus.APPROVED, "approved")
    if amount in (None, ""):
        approved = locked.claimed_amount
    else:
        errors: dict[str, list[str]] = {}
        approved = _amount(amount, "amount", errors)
        if errors:
            raise ValidationError(errors)
        if approved <= 0:
            raise ValidationError({"amount": ["Approve more than 0, or reject the claim with a reason."]})
        if approved > locked.claimed_amount:
            raise ValidationError(
                {"amount": [f"The approved amount cannot exceed the {locked.claimed_amount} claimed."]}
            )
    now = timezone.now()
    locked.status = ClaimStatus.APPROVED
    locked.approved_amount = approved
    locked.decided_by = user
    locked.decided_at = now
    locked.save(update_fields=["status", "approved_amount", "decided_by", "decided_at", "updated_at"])
    in_full = approved == locked.claimed_amount
    summary = (
        f"Approved in full: {approved} {locked.currency}"
        if in_full
        else f"Approved in part: {approved} of {locked.claimed_amount} {locked.currency}"
    )
    _record(locked, user, previous, f"{summary}. {note.strip()}".strip(), at=now)
    _announce_decision(locked, f"Warranty claim {locked.reference} approved", f"{summary}. {note.strip()}".strip())
    return _sync(claim, locked)


@transaction.atomic
def claim_reject(*, claim: WarrantyClaim, user: Any, reason: str) -> WarrantyClaim:
    """Reject with a reason the partner will read (required)."""
    _check_decider(claim, user)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ["Give the reason for the rejection; the partner will see it."]})
    locked, previous = _move(claim, user, ClaimStatus.REJECTED, "rejected")
    now = timezone.now()
    locked.status = ClaimStatus.REJECTED
    locked.rejection_reason = reason
    locked.decided_by = user
    locked.decided_at = now
    locked.save(update_fields=["status", "rejection_reason", "decided_by", "decided_at", "updated_at"])
    _record(locked, user, previous, reason, at=now)
    _announce_decision(locked, f"Warranty claim {locked.reference} rejected", f"Reason: {reason}")
    return _sync(claim, locked)


@transaction.atomic
def claim_pay(*, claim: WarrantyClaim, user: Any) -> WarrantyClaim:
    """Record that the approved amount was paid to the partner."""
    _check_decider(claim, user)
    locked, previous = _move(claim, user, ClaimStatus.PAID, "marked paid")
    now = timezone.now()
    locked.status = ClaimStatus.PAID
    locked.paid_at = now
    locked.save(update_fields=["status", "paid_at", "updated_at"])
    text = f"Paid: {locked.approved_amount} {locked.currency}"
    _record(locked, user, previous, text, at=now)
    notify(
        recipients=_partner_users(locked.partner_id),
        verb="claim.paid",
        title=f"Warranty claim {locked.reference} paid",
        body=text,
        url=reverse("warranty:claim_detail", args=[locked.pk]),
        subject=locked,
    )
    emit(
        "claim.paid",
        partner_id=locked.partner_id,
        data={
            "claim_id": locked.pk,
            "reference": locked.reference,
            "paid_amount": str(locked.approved_amount),
            "currency": locked.currency,
        },
    )
    return _sync(claim, locked)
