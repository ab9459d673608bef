"""Deal registrations, their lines, conflicts and history (DESIGN §2)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from core.models import TimeStampedModel
from core.visibility import PartnerScopedQuerySet
from core.workflow import Workflow


class DealStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    WITHDRAWN = "withdrawn", "Withdrawn"
    WON = "won", "Won"
    LOST = "lost", "Lost"
    EXPIRED = "expired", "Expired"


# Allowed lifecycle transitions; services check against this table (through DEAL_WORKFLOW).
DEAL_TRANSITIONS: dict[str, set[str]] = {
    DealStatus.DRAFT: {DealStatus.SUBMITTED, DealStatus.WITHDRAWN},
    DealStatus.SUBMITTED: {DealStatus.APPROVED, DealStatus.REJECTED, DealStatus.WITHDRAWN},
    DealStatus.APPROVED: {DealStatus.WON, DealStatus.LOST, DealStatus.EXPIRED, DealStatus.WITHDRAWN},
    DealStatus.REJECTED: set(),
    DealStatus.WITHDRAWN: set(),
    DealStatus.WON: set(),
    DealStatus.LOST: set(),
    DealStatus.EXPIRED: set(),
}
OPEN_STATUSES = (DealStatus.SUBMITTED, DealStatus.APPROVED)
CLOSED_STATUSES = (DealStatus.WON, DealStatus.LOST)


class LossReason(models.TextChoices):
    """The standard reasons offered when a partner reports a lost deal (stored as the label, free text allowed)."""

    PRICE = "Price", "Price"
    COMPETITOR = "Lost to a competitor", "Lost to a competitor"
    NO_DECISION = "No decision / project cancelled", "No decision / project cancelled"
    BUDGET = "No budget", "No budget"
    TIMING = "Timing / postponed", "Timing / postponed"
    REQUIREMENTS = "Product did not fit the requirements", "Product did not fit the requirements"
    OTHER = "Other", "Other"


class DealQuerySet(PartnerScopedQuerySet):
    distributor_reads_supplied = True

    def open(self) -> DealQuerySet:
        return self.filter(status__in=OPEN_STATUSES)


class DealRegistration(TimeStampedModel):
    class DealType(models.TextChoices):
        NEW = "new", "New business"
        EXPANSION = "expansion", "Expansion"
        RENEWAL = "renewal", "Renewal"

    class Source(models.TextChoices):
        PORTAL = "portal", "Portal"
        API = "api", "API"
        IMPORT = "import", "Import"

    reference = models.CharField(max_length=20, unique=True, help_text="e.g. DR-2026-000123")
    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="deals")
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="deals")
    deal_type = models.CharField(max_length=12, choices=DealType.choices, default=DealType.NEW)
    status = models.CharField(max_length=12, choices=DealStatus.choices, default=DealStatus.DRAFT)
    amount = models.DecimalField(max_digits=14, decimal_places=2, default=0, help_text="Sum of the lines.")
    currency = models.CharField(max_length=3, default="USD")
    expected_close_date = models.DateField()
    notes = models.TextField(blank=True)
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.PORTAL)

    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    rejection_reason = models.TextField(blank=True)
    protection_expires_at = models.DateTimeField(null=True, blank=True)
    extension_requested_at = models.DateTimeField(null=True, blank=True)
    extended_at = models.DateTimeField(null=True, blank=True, help_text="Protection may be extended once.")
    expiry_warning_sent_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    loss_reason = models.TextField(blank=True)
    has_conflict = models.BooleanField(default=False, help_text="Flagged as a channel conflict at submission.")
    conflicts = models.ManyToManyField("self", through="DealConflict", symmetrical=True, blank=True)

    objects = DealQuerySet.as_manager()

    @property
    def is_overdue_draft(self) -> bool:
        """A draft whose expected close date has passed: it cannot be submitted until the date is moved."""
        return self.status == DealStatus.DRAFT and self.expected_close_date < timezone.localdate()

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        indexes = [
            models.Index(fields=["partner", "submitted_at"]),
            models.Index(fields=["partner", "decided_at"]),
            models.Index(fields=["partner", "closed_at"]),
            models.Index(fields=["status", "submitted_at"]),
            models.Index(fields=["status", "protection_expires_at"]),
        ]
        constraints = [
            models.CheckConstraint(name="deal_amount_not_negative", condition=Q(amount__gte=0)),
            models.CheckConstraint(name="deal_status_valid", condition=Q(status__in=DealStatus.values)),
            models.CheckConstraint(
                name="deal_decided_after_submitted",
                condition=Q(decided_at__isnull=True)
                | Q(submitted_at__isnull=True)
                | Q(decided_at__gte=F("submitted_at")),
            ),
            # Every status after draft needs a submission time, except a draft discarded before submission.
            models.CheckConstraint(
                name="deal_submitted_has_time",
                condition=Q(status__in=["draft", "withdrawn"]) | Q(submitted_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.reference


class DealLine(models.Model):
    deal = models.ForeignKey(DealRegistration, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="deal_lines")
    quantity = models.PositiveIntegerField()
    unit_price = models.DecimalField(max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(name="deal_line_quantity_positive", condition=Q(quantity__gt=0)),
            models.CheckConstraint(name="deal_line_price_not_negative", condition=Q(unit_price__gte=0)),
        ]

    @property
    def total(self):
        return self.quantity * self.unit_price


class DealConflict(models.Model):
    """One direction of a conflict between two registrations; both directions are stored."""

    from_deal = models.ForeignKey(DealRegistration, on_delete=models.CASCADE, related_name="conflict_links")
    to_deal = models.ForeignKey(DealRegistration, on_delete=models.CASCADE, related_name="+")
    detected_at = models.DateTimeField()
    reason = models.CharField(max_length=200, blank=True, help_text="What matched: name, domain, products.")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["from_deal", "to_deal"], name="deal_conflict_unique_pair"),
            models.CheckConstraint(name="deal_conflict_not_self", condition=~Q(from_deal=F("to_deal"))),
        ]


class DealEventQuerySet(PartnerScopedQuerySet):
    partner_path = "deal__partner"
    distributor_reads_supplied = True


class DealEvent(models.Model):
    """Every status change and notable action on a registration: when, who, from, to, note."""

    deal = models.ForeignKey(DealRegistration, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=30, default="status", help_text="status, conflict, extension, …")
    from_status = models.CharField(max_length=12, choices=DealStatus.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=DealStatus.choices, blank=True)
    note = models.TextField(blank=True)

    objects = DealEventQuerySet.as_manager()

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["deal", "at"])]


# The lifecycle of a registration, for core.workflow: transitions, history, references DR-YYYY-NNNNNN.
DEAL_WORKFLOW = Workflow(
    model=DealRegistration,
    transitions=DEAL_TRANSITIONS,
    event_model=DealEvent,
    subject="deal",
    noun="registration",
    reference_prefix="DR",
)
