"""Provenance (DESIGN §9): every imported row points to the delivery that brought it.

An `ImportBatch` is one delivery of data: an uploaded file, an EDI interchange, one API call, one form
in the portal. Rows written by it keep a foreign key to it, so a manager can see what a delivery
contributed and revert it (`ingest.services.import_batch_revert`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from core.models import TimeStampedModel
from core.visibility import PartnerScopedQuerySet


class ImportBatchQuerySet(PartnerScopedQuerySet):
    """A delivery belongs to the partner that reported it; a vendor system's delivery (no partner) is seen
    only by managers who see every partner."""


class ImportBatch(TimeStampedModel):
    class Channel(models.TextChoices):
        PORTAL = "portal", "Portal form"
        CSV = "csv", "CSV upload"
        API = "api", "API"
        EDI = "edi", "EDI interchange"

    partner = models.ForeignKey(
        "partners.Partner",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="import_batches",
        help_text="The reporting partner; empty for a vendor system reporting for many partners.",
    )
    channel = models.CharField(max_length=8, choices=Channel.choices)
    kind = models.CharField(max_length=30, help_text="What it carried: sellout, inventory, activations, edi_852 …")
    filename = models.CharField(max_length=255, blank=True)
    reference = models.CharField(
        max_length=100, blank=True, help_text="The sender's own reference: interchange control number, idempotency key."
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    token = models.ForeignKey(
        "integrations.ApiToken", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    unchanged_count = models.PositiveIntegerField(default=0)
    reverted_at = models.DateTimeField(null=True, blank=True)
    reverted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revert_summary = models.JSONField(default=dict, blank=True, help_text="What the revert deleted and restored.")

    objects = ImportBatchQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "import batches"
        indexes = [models.Index(fields=["partner", "created_at"]), models.Index(fields=["kind", "created_at"])]
        constraints = [
            models.CheckConstraint(
                name="import_batch_channel_valid", condition=Q(channel__in=["portal", "csv", "api", "edi"])
            ),
        ]

    def __str__(self) -> str:
        what = self.filename or self.reference or self.get_channel_display()
        return f"{self.kind} #{self.pk}: {what}"

    @property
    def is_reverted(self) -> bool:
        return self.reverted_at is not None


class UploadJob(TimeStampedModel):
    """One uploaded CSV file, checked row by row before anything is written, then imported on request.

    The shared shape of every kind of upload (inventory, sell-out): each kind subclasses it with its own
    `partner` (and anything else it keeps) and runs it through an `ingest.uploads.UploadPipeline`.
    The file is kept in the database so that any worker on any machine can read it without shared
    storage. Errors are capped at `MAX_STORED_ERRORS`; `error_count` always holds the full number.
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

    class Meta:
        abstract = True

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
