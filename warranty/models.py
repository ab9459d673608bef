"""Warranty claims filed by service partners (DESIGN §2)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from core.models import TimeStampedModel
from core.visibility import PartnerScopedQuerySet
from core.workflow import Workflow


class FailureCode(models.Model):
    code = models.CharField(max_length=20, unique=True)
    description = models.CharField(max_length=200)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} — {self.description}"


class ClaimStatus(models.TextChoices):
    SUBMITTED = "submitted", "Submitted"
    UNDER_REVIEW = "under_review", "Under review"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    PAID = "paid", "Paid"


CLAIM_TRANSITIONS: dict[str, set[str]] = {
    ClaimStatus.SUBMITTED: {ClaimStatus.UNDER_REVIEW, ClaimStatus.APPROVED, ClaimStatus.REJECTED},
    ClaimStatus.UNDER_REVIEW: {ClaimStatus.APPROVED, ClaimStatus.REJECTED},
    ClaimStatus.APPROVED: {ClaimStatus.PAID},
    ClaimStatus.REJECTED: set(),
    ClaimStatus.PAID: set(),
}


class WarrantyClaimQuerySet(PartnerScopedQuerySet):
    pass


class WarrantyClaim(TimeStampedModel):
    reference = models.CharField(max_length=20, unique=True, help_text="e.g. WC-2026-000123")
    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="warranty_claims")
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="warranty_claims")
    serial_number = models.CharField(max_length=60)
    customer = models.ForeignKey(
        "customers.Customer", null=True, blank=True, on_delete=models.PROTECT, related_name="warranty_claims"
    )
    purchase_date = models.DateField()
    failure_date = models.DateField()
    failure_code = models.ForeignKey(FailureCode, on_delete=models.PROTECT, related_name="claims")
    description = models.TextField(blank=True)
    parts_amount = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    labour_amount = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    claimed_amount = models.DecimalField(max_digits=12, decimal_places=2, help_text="Parts plus labour.")
    approved_amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, default="USD")
    status = models.CharField(max_length=14, choices=ClaimStatus.choices, default=ClaimStatus.SUBMITTED)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    rejection_reason = models.TextField(blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    out_of_warranty = models.BooleanField(default=False, help_text="Failure after purchase + warranty months.")
    is_duplicate = models.BooleanField(default=False, help_text="Same serial claimed in the previous 30 days.")
    duplicate_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    objects = WarrantyClaimQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        indexes = [
            models.Index(fields=["partner", "submitted_at"]),
            models.Index(fields=["partner", "decided_at"]),
            models.Index(fields=["status", "submitted_at"]),
            models.Index(fields=["serial_number", "submitted_at"]),
            models.Index(fields=["product", "submitted_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                name="claim_amounts_not_negative",
                condition=Q(parts_amount__gte=0) & Q(labour_amount__gte=0) & Q(claimed_amount__gte=0),
            ),
            models.CheckConstraint(
                name="claim_approved_within_claimed",
                condition=Q(approved_amount__isnull=True)
                | (Q(approved_amount__gte=0) & Q(approved_amount__lte=F("claimed_amount"))),
            ),
            models.CheckConstraint(
                name="claim_failure_after_purchase", condition=Q(failure_date__gte=F("purchase_date"))
            ),
            models.CheckConstraint(name="claim_status_valid", condition=Q(status__in=ClaimStatus.values)),
        ]

    def __str__(self) -> str:
        return self.reference


class ClaimEventQuerySet(PartnerScopedQuerySet):
    partner_path = "claim__partner"


class ClaimEvent(models.Model):
    claim = models.ForeignKey(WarrantyClaim, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    from_status = models.CharField(max_length=14, choices=ClaimStatus.choices, blank=True)
    to_status = models.CharField(max_length=14, choices=ClaimStatus.choices, blank=True)
    note = models.TextField(blank=True)

    objects = ClaimEventQuerySet.as_manager()

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["claim", "at"])]


# The lifecycle of a claim, for core.workflow: transitions, history, references WC-YYYY-NNNNNN.
CLAIM_WORKFLOW = Workflow(
    model=WarrantyClaim,
    transitions=CLAIM_TRANSITIONS,
    event_model=ClaimEvent,
    subject="claim",
    noun="warranty claim",
    reference_prefix="WC",
)
