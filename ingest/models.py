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
