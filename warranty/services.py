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
  approved → paid (a manager may also decide straight from submitted), checked,
  locked and recorded through the workflow toolkit (CLAIM_WORKFLOW);
- the channel team hears about a claim by the one recipients rule
  (partners.selectors.manager_recipients); the partner's users hear of decisions;
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
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from catalog.models import Product
from core.events import emit
from core.exceptions import ActionNotPermittedError
from core.text import money
from core.workflow import is_partner_member_of, required_reason
from customers.services import customer_resolve
from notifications.services import notify
from partners.models import Partner
from partners.selectors import manager_recipients, partner_recipients

from .models import CLAIM_WORKFLOW, ClaimStatus, FailureCode, WarrantyClaim

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
    """File a claim for a partner; flags out-of-warranty and duplicate claims at once (see module rules).

    `customer` is optional: a customer, an id the user can see, or a new customer's details
    (`customers.services.customer_resolve`).
    """
    if not is_partner_member_of(user, partner.pk):
        raise ActionNotPermittedError("Only the partner's own users file its warranty claims.")
    errors: dict[str, list] = {}
    try:
        customer = customer_resolve(user=user, customer=customer, required=False)
    except ValidationError as exc:
        errors.update(exc.error_dict)
        customer = None
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
    claim.reference = CLAIM_WORKFLOW.next_reference(now)
    claim.save()
    flags = [text for flag, text in ((out_of_warranty, "out of warranty"), (earlier, "possible duplicate")) if flag]
    CLAIM_WORKFLOW.record(
        claim,
        actor=user,
        at=now,
        to_status=ClaimStatus.SUBMITTED,
        note="Filed" + (f"; flagged: {', '.join(flags)}" if flags else ""),
    )
    notify(
        recipients=manager_recipients(partner=partner),
        verb="claim.submitted",
        title=f"Warranty claim {claim.reference} from {partner.name}",
        body=f"{product.sku}, serial {serial}, {money(claim.claimed_amount, claim.currency)} claimed."
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
    CLAIM_WORKFLOW.require_manager(claim, user, action="review")
    CLAIM_WORKFLOW.lock(claim)
    CLAIM_WORKFLOW.move(claim, ClaimStatus.UNDER_REVIEW, actor=user, verb="taken into review", note="Review started")
    return claim


def _announce_decision(claim: WarrantyClaim, title: str, body: str) -> None:
    notify(
        recipients=partner_recipients(partner_id=claim.partner_id),
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
    CLAIM_WORKFLOW.require_manager(claim, user, action="approve")
    CLAIM_WORKFLOW.lock(claim)
    CLAIM_WORKFLOW.check(claim, ClaimStatus.APPROVED, "approved")
    if amount in (None, ""):
        approved = claim.claimed_amount
    else:
        errors: dict[str, list[str]] = {}
        approved = _amount(amount, "amount", errors)
        if errors:
            raise ValidationError(errors)
        if approved <= 0:
            raise ValidationError({"amount": ["Approve more than 0, or reject the claim with a reason."]})
        if approved > claim.claimed_amount:
            claimed = money(claim.claimed_amount, claim.currency)
            raise ValidationError({"amount": [f"The approved amount cannot exceed the {claimed} claimed."]})
    now = timezone.now()
    in_full = approved == claim.claimed_amount
    summary = (
        f"Approved in full: {money(approved, claim.currency)}"
        if in_full
        else f"Approved in part: {money(approved, claim.currency)} of {money(claim.claimed_amount, claim.currency)}"
    )
    text = f"{summary}. {note.strip()}".strip()
    CLAIM_WORKFLOW.move(
        claim,
        ClaimStatus.APPROVED,
        actor=user,
        verb="approved",
        at=now,
        note=text,
        approved_amount=approved,
        decided_by=user,
        decided_at=now,
    )
    _announce_decision(claim, f"Warranty claim {claim.reference} approved", text)
    return claim


@transaction.atomic
def claim_reject(*, claim: WarrantyClaim, user: Any, reason: str) -> WarrantyClaim:
    """Reject with a reason the partner will read (required)."""
    CLAIM_WORKFLOW.require_manager(claim, user, action="reject")
    reason = required_reason(reason)
    CLAIM_WORKFLOW.lock(claim)
    now = timezone.now()
    CLAIM_WORKFLOW.move(
        claim,
        ClaimStatus.REJECTED,
        actor=user,
        verb="rejected",
        at=now,
        note=reason,
        rejection_reason=reason,
        decided_by=user,
        decided_at=now,
    )
    _announce_decision(claim, f"Warranty claim {claim.reference} rejected", f"Reason: {reason}")
    return claim


@transaction.atomic
def claim_pay(*, claim: WarrantyClaim, user: Any) -> WarrantyClaim:
    """Record that the approved amount was paid to the partner."""
    CLAIM_WORKFLOW.require_manager(claim, user, action="pay")
    CLAIM_WORKFLOW.lock(claim)
    now = timezone.now()
    text = f"Paid: {money(claim.approved_amount, claim.currency)}"
    CLAIM_WORKFLOW.move(claim, ClaimStatus.PAID, actor=user, verb="marked paid", at=now, note=text, paid_at=now)
    notify(
        recipients=partner_recipients(partner_id=claim.partner_id),
        verb="claim.paid",
        title=f"Warranty claim {claim.reference} paid",
        body=text,
        url=reverse("warranty:claim_detail", args=[claim.pk]),
        subject=claim,
    )
    emit(
        "claim.paid",
        partner_id=claim.partner_id,
        data={
            "claim_id": claim.pk,
            "reference": claim.reference,
            "paid_amount": str(claim.approved_amount),
            "currency": claim.currency,
        },
    )
    return claim
