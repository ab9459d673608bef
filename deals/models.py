"""Deal registrations, their lines, conflicts and history (DESIGN §2)."""

from __future__ import annotations

from typing import Any

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


class LossReasonQuerySet(models.QuerySet):
    def visible_to(self, user: Any) -> LossReasonQuerySet:
        """The list of loss reasons is reference data: every signed-in user reads it."""
        if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        return self

    def active(self) -> LossReasonQuerySet:
        return self.filter(is_active=True)


class LossReason(models.Model):
    """Why a deal was lost: one entry of the admin-editable list a partner chooses from when closing a deal lost.

    `code` is stable (the API, imports, filters and the product feedback figures use it); `name` is what people
    read and may be reworded. A reason that is no longer offered is deactivated, never deleted, so the deals
    that carry it keep it. `needs_note`: the partner must also describe the reason (e.g. "Other").
    """

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=100, unique=True)
    position = models.PositiveSmallIntegerField(default=0, help_text="Order in the list offered to partners.")
    is_active = models.BooleanField(default=True, help_text="Offered when a deal is closed lost.")
    needs_note = models.BooleanField(default=False, help_text="The partner must describe the reason.")

    objects = LossReasonQuerySet.as_manager()

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


# The standard reasons (code, name, needs a note), as deals' migration 0006 seeds them.
STANDARD_LOSS_REASONS = (
    ("price", "Price", False),
    ("competitor", "Lost to a competitor", False),
    ("no_budget", "No budget", False),
    ("no_decision", "No decision / project cancelled", False),
    ("timing", "Timing / postponed", False),
    ("product_fit", "Product did not fit the requirements", False),
    ("other_partner", "Lost to another partner", False),
    ("other", "Other", True),
)

# Shown where a lost deal has no reason from the list (lost before the list existed).
LOSS_REASON_NOT_RECORDED = "Not recorded"


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
    loss_reason = models.ForeignKey(
        LossReason,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="deals",
        help_text="Why a lost deal was lost; empty on deals lost before the list existed (not recorded).",
    )
    loss_note = models.TextField(blank=True, help_text="The partner's own words about the loss.")
    has_conflict = models.BooleanField(default=False, help_text="Flagged as a channel conflict at submission.")
    conflicts = models.ManyToManyField("self", through="DealConflict", symmetrical=True, blank=True)

    objects = DealQuerySet.as_manager()

    @property
    def loss_reason_label(self) -> str:
        """The loss reason as shown: its name, "Not recorded" for a lost deal without one, "" otherwise."""
        if self.loss_reason_id:
            return self.loss_reason.name
        return LOSS_REASON_NOT_RECORDED if self.status == DealStatus.LOST else ""

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
