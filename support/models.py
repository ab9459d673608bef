"""Joint customer support tickets between partners and the vendor (DESIGN §9).

A ticket is raised for an end customer by a partner (portal, API) or by the vendor's support system
(API, a channel manager's token). Both sides comment; vendor-only internal notes never reach the partner.
The SLA clock (support/sla.py, docs/support.md) runs by severity from `SlaPolicy`.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q

from core.models import TimeStampedModel
from core.visibility import PartnerScopedQuerySet
from core.workflow import Workflow


class TicketCategory(models.Model):
    """What a ticket is about. A stable list with a code: product feedback reads ticket trends by code, so a
    category is retired (`is_active` off), never renamed into another meaning or deleted while used."""

    code = models.SlugField(max_length=30, unique=True, help_text="Stable code, e.g. hardware-fault.")
    name = models.CharField(max_length=100)
    description = models.CharField(max_length=300, blank=True)
    is_active = models.BooleanField(default=True, help_text="Retired categories stay on old tickets.")
    position = models.PositiveSmallIntegerField(default=0, help_text="Order in choice lists.")

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "ticket categories"

    def __str__(self) -> str:
        return self.name


class Severity(models.TextChoices):
    CRITICAL = "critical", "Critical"
    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"


SEVERITY_ORDER = {Severity.CRITICAL: 0, Severity.HIGH: 1, Severity.MEDIUM: 2, Severity.LOW: 3}


class SlaPolicy(models.Model):
    """Targets per severity in calendar hours (24×7): the first answer from the vendor and the resolution.

    A ticket takes its due times from the policy when it is opened; a later change of the policy applies
    to tickets opened after it.
    """

    severity = models.CharField(max_length=10, choices=Severity.choices, unique=True)
    first_response_hours = models.PositiveIntegerField()
    resolution_hours = models.PositiveIntegerField()

    class Meta:
        ordering = ["first_response_hours", "resolution_hours"]
        verbose_name = "SLA policy"
        verbose_name_plural = "SLA policies"
        constraints = [
            models.CheckConstraint(
                name="sla_targets_positive",
                condition=Q(first_response_hours__gt=0) & Q(resolution_hours__gte=models.F("first_response_hours")),
            ),
        ]

    def __str__(self) -> str:
        severity = self.get_severity_display()
        return f"{severity}: answer in {self.first_response_hours} h, solve in {self.resolution_hours} h"


class TicketStatus(models.TextChoices):
    NEW = "new", "New"
    IN_PROGRESS = "in_progress", "In progress"
    WAITING_ON_PARTNER = "waiting_on_partner", "Waiting on partner"
    WAITING_ON_VENDOR = "waiting_on_vendor", "Waiting on vendor"
    RESOLVED = "resolved", "Resolved"
    CLOSED = "closed", "Closed"


# Work in hand: the statuses of a ticket that is not resolved or closed.
OPEN_STATUSES = (
    TicketStatus.NEW,
    TicketStatus.IN_PROGRESS,
    TicketStatus.WAITING_ON_PARTNER,
    TicketStatus.WAITING_ON_VENDOR,
)
# The resolution clock runs in these; it is paused while waiting on the partner and stopped once resolved.
CLOCK_RUNNING = (TicketStatus.NEW, TicketStatus.IN_PROGRESS, TicketStatus.WAITING_ON_VENDOR)

TICKET_TRANSITIONS: dict[str, set[str]] = {
    TicketStatus.NEW: {
        TicketStatus.IN_PROGRESS,
        TicketStatus.WAITING_ON_PARTNER,
        TicketStatus.WAITING_ON_VENDOR,
        TicketStatus.RESOLVED,
    },
    TicketStatus.IN_PROGRESS: {TicketStatus.WAITING_ON_PARTNER, TicketStatus.WAITING_ON_VENDOR, TicketStatus.RESOLVED},
    TicketStatus.WAITING_ON_PARTNER: {TicketStatus.IN_PROGRESS, TicketStatus.WAITING_ON_VENDOR, TicketStatus.RESOLVED},
    TicketStatus.WAITING_ON_VENDOR: {TicketStatus.IN_PROGRESS, TicketStatus.WAITING_ON_PARTNER, TicketStatus.RESOLVED},
    # Reopening a resolved ticket takes it back to in progress, and is counted (reopen_count).
    TicketStatus.RESOLVED: {TicketStatus.CLOSED, TicketStatus.IN_PROGRESS},
    TicketStatus.CLOSED: set(),
}


class Origin(models.TextChoices):
    PORTAL = "portal", "Partner portal"
    API = "api", "Partner API"
    VENDOR = "vendor", "Vendor support system"


class TicketQuerySet(PartnerScopedQuerySet):
    # A distributor does not read its resellers' support cases (their customers' problems), as with claims.
    distributor_reads_supplied = False

    def sla_breached(self, now: Any) -> TicketQuerySet:
        """Tickets that missed a target: flagged when it became certain, or a running clock already past due."""
        return self.filter(breached_q(now))


def breached_q(now: Any) -> Q:
    """The SLA-breach condition at `now` (support/sla.py states the clock)."""
    return (
        Q(first_response_breached=True)
        | Q(resolution_breached=True)
        | Q(first_response_at__isnull=True, status__in=OPEN_STATUSES, first_response_due_at__lt=now)
        | Q(status__in=CLOCK_RUNNING, resolution_due_at__lt=now)
    )


class Ticket(TimeStampedModel):
    reference = models.CharField(max_length=20, unique=True, help_text="e.g. ST-2026-000123")
    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="support_tickets")
    origin = models.CharField(max_length=10, choices=Origin.choices, default=Origin.PORTAL)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    customer = models.ForeignKey(
        "customers.Customer", null=True, blank=True, on_delete=models.PROTECT, related_name="support_tickets"
    )
    customer_name = models.CharField(
        max_length=200, blank=True, help_text="The end customer as given; the matched customer's name if any."
    )
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="support_tickets")
    serial_number = models.CharField(max_length=60, blank=True)
    category = models.ForeignKey(TicketCategory, on_delete=models.PROTECT, related_name="tickets")
    severity = models.CharField(max_length=10, choices=Severity.choices, default=Severity.MEDIUM)
    subject = models.CharField(max_length=200)
    description = models.TextField()
    status = models.CharField(max_length=20, choices=TicketStatus.choices, default=TicketStatus.NEW)
    warranty_claim = models.ForeignKey(
        "warranty.WarrantyClaim", null=True, blank=True, on_delete=models.SET_NULL, related_name="support_tickets"
    )
    deal = models.ForeignKey(
        "deals.DealRegistration", null=True, blank=True, on_delete=models.SET_NULL, related_name="support_tickets"
    )
    opened_at = models.DateTimeField()
    first_response_due_at = models.DateTimeField()
    first_response_at = models.DateTimeField(null=True, blank=True)
    first_response_breached = models.BooleanField(default=False)
    resolution_due_at = models.DateTimeField(help_text="Moves later by the time the clock was paused or stopped.")
    resolution_breached = models.BooleanField(default=False)
    clock_paused_since = models.DateTimeField(
        null=True, blank=True, help_text="Set while waiting on the partner or resolved: the clock does not run."
    )
    resolved_at = models.DateTimeField(null=True, blank=True, help_text="The latest resolution.")
    closed_at = models.DateTimeField(null=True, blank=True)
    reopen_count = models.PositiveIntegerField(default=0)
    last_activity_at = models.DateTimeField()

    objects = TicketQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_at", "-pk"]
        indexes = [
            models.Index(fields=["partner", "opened_at"]),
            models.Index(fields=["partner", "resolved_at"]),
            models.Index(fields=["status", "opened_at"]),
            models.Index(fields=["product", "opened_at"]),
            models.Index(fields=["category", "opened_at"]),
        ]
        constraints = [
            models.CheckConstraint(name="ticket_status_valid", condition=Q(status__in=TicketStatus.values)),
            models.CheckConstraint(name="ticket_severity_valid", condition=Q(severity__in=Severity.values)),
            models.CheckConstraint(name="ticket_origin_valid", condition=Q(origin__in=Origin.values)),
            models.CheckConstraint(
                name="ticket_resolved_has_time",
                condition=~Q(status__in=[TicketStatus.RESOLVED, TicketStatus.CLOSED]) | Q(resolved_at__isnull=False),
            ),
            models.CheckConstraint(
                name="ticket_closed_has_time", condition=~Q(status=TicketStatus.CLOSED) | Q(closed_at__isnull=False)
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class TicketCommentQuerySet(PartnerScopedQuerySet):
    partner_path = "ticket__partner"

    def visible_to(self, user: Any) -> TicketCommentQuerySet:
        """The ticket's visibility, and internal notes only for the channel team (never for a partner)."""
        queryset = super().visible_to(user)
        if not _is_channel_team(user):
            queryset = queryset.filter(is_internal=False)
        return queryset


def _is_channel_team(user: Any) -> bool:
    return bool(
        user is not None and getattr(user, "is_authenticated", False) and (user.is_superuser or user.is_channel_manager)
    )


class TicketComment(models.Model):
    class Side(models.TextChoices):
        PARTNER = "partner", "Partner"
        VENDOR = "vendor", "Vendor"

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    side = models.CharField(max_length=10, choices=Side.choices)
    body = models.TextField()
    is_internal = models.BooleanField(default=False, help_text="A vendor-only note: partners never see it.")
    created_at = models.DateTimeField()

    objects = TicketCommentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["ticket", "created_at"])]
        constraints = [
            models.CheckConstraint(
                name="ticket_internal_note_is_vendor", condition=Q(is_internal=False) | Q(side="vendor")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id}: {self.body[:40]}"


class TicketEventQuerySet(PartnerScopedQuerySet):
    partner_path = "ticket__partner"


class TicketEvent(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    from_status = models.CharField(max_length=20, choices=TicketStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=TicketStatus.choices, blank=True)
    note = models.TextField(blank=True)

    objects = TicketEventQuerySet.as_manager()

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["ticket", "at"])]


# The lifecycle of a ticket, for core.workflow: transitions, history, references ST-YYYY-NNNNNN.
TICKET_WORKFLOW = Workflow(
    model=Ticket,
    transitions=TICKET_TRANSITIONS,
    event_model=TicketEvent,
    subject="ticket",
    noun="support ticket",
    reference_prefix="ST",
)

# Seeded by the data migration and used when a severity has no policy row: (first response, resolution) hours.
DEFAULT_SLA_HOURS: dict[str, tuple[int, int]] = {
    Severity.CRITICAL: (1, 24),
    Severity.HIGH: (4, 72),
    Severity.MEDIUM: (8, 120),
    Severity.LOW: (24, 240),
}

# The first categories, seeded by the data migration (which keeps its own copy, as migrations do) and restored
# by the demo when an emptied database lost them: (code, name, description).
DEFAULT_CATEGORIES: tuple[tuple[str, str, str], ...] = (
    ("hardware-fault", "Hardware fault", "A unit or part fails or is damaged."),
    ("software-defect", "Software defect", "Firmware or software misbehaves."),
    ("installation", "Installation", "Problems installing or commissioning the product."),
    ("configuration", "Configuration", "Setting the product up for the customer's use."),
    ("performance", "Performance", "Slower or less capacity than specified."),
    ("compatibility", "Compatibility", "Does not work with another product or version."),
    ("licensing", "Licensing", "Licences, activation and entitlements."),
    ("documentation", "Documentation", "Missing or wrong documentation."),
    ("how-to", "How-to question", "A question about using the product."),
)
