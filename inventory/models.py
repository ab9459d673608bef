"""Partner stock positions (DESIGN §2): one row per partner, product and date."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from core.models import TimeStampedModel
from core.visibility import PartnerScopedQuerySet


class InventoryQuerySet(PartnerScopedQuerySet):
    distributor_reads_supplied = True


class InventoryReport(TimeStampedModel):
    """A partner's stock of one product on one date; re-sending replaces it."""

    class Source(models.TextChoices):
        PORTAL = "portal", "Portal"
        CSV = "csv", "CSV upload"
        API = "api", "API"
        EDI = "edi", "EDI 852"

    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="inventory_reports")
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="inventory_reports")
    date = models.DateField()
    on_hand = models.PositiveIntegerField()
    units_sold = models.PositiveIntegerField(help_text="Units sold since the previous report.")
    on_order = models.PositiveIntegerField(default=0)
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.PORTAL)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = InventoryQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "partner", "product"]
        indexes = [
            models.Index(fields=["partner", "date"]),
            models.Index(fields=["product", "date"]),
        ]
        constraints = [
            models.UniqueConstraint(fields=["partner", "product", "date"], name="inventory_one_row_per_day"),
            models.CheckConstraint(
                name="inventory_counts_not_negative",
                condition=Q(on_hand__gte=0) & Q(units_sold__gte=0) & Q(on_order__gte=0),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.partner_id}/{self.product_id}@{self.date}"


class ImportJobQuerySet(PartnerScopedQuerySet):
    """A partner's uploads are its own: a distributor does not see its resellers' files."""


class ImportJob(TimeStampedModel):
    """One uploaded inventory CSV, validated before anything is written, then imported on request.

    The file is kept in the database so that any worker on any machine can read
    it without shared storage. Errors are capped at `MAX_STORED_ERRORS`;
    `error_count` always holds the full number.
    """

    MAX_STORED_ERRORS = 10_000

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to be checked"
        VALIDATING = "validating", "Checking rows"
        VALIDATED = "validated", "Checked — waiting for your choice"
        IMPORTING = "importing", "Importing"
        DONE = "done", "Imported"
        FAILED = "failed", "Failed"

    RUNNING = (Status.PENDING, Status.VALIDATING, Status.IMPORTING)

    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, related_name="inventory_imports")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    filename = models.CharField(max_length=255)
    content = models.BinaryField(help_text="The uploaded file as sent.")
    size = models.PositiveIntegerField(default=0, help_text="Bytes.")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    valid_rows = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True, help_text="[{row, column, value, reason}], capped.")
    file_error = models.BooleanField(default=False, help_text="The file as a whole is unusable.")
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True, help_text="Why the job failed, for the user.")
    validated_at = models.DateTimeField(null=True, blank=True)
    import_started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["partner", "created_at"])]
        constraints = [
            models.CheckConstraint(
                name="import_job_status_valid",
                condition=Q(status__in=["pending", "validating", "validated", "importing", "done", "failed"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_status_display()})"

    @property
    def is_running(self) -> bool:
        return self.status in self.RUNNING

    @property
    def progress_percent(self) -> int:
        if not self.total_rows:
            return 0
        return min(100, round(100 * self.processed_rows / self.total_rows))

    @property
    def errors_truncated(self) -> bool:
        return self.error_count > len(self.errors)
