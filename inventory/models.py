"""Partner stock positions (DESIGN §2): one row per partner, product and date."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from core.models import TimeStampedModel
from core.visibility import PartnerScopedQuerySet
from ingest.models import UploadJob


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


class ImportJob(UploadJob):
    """One uploaded inventory CSV (ingest.models.UploadJob; run by `inventory.imports`)."""

    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, related_name="inventory_imports")

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
