"""Shared model bases, and the counters of human references."""

from django.db import models


class TimeStampedModel(models.Model):
    """Adds created/updated times; every table that people edit has them."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class ReferenceSequence(models.Model):
    """The last reference number handed out per prefix and year (e.g. DR-2026-000123, WC-2026-000045).

    `core.workflow.Workflow.next_reference` locks the row (`select_for_update`) while it takes a
    number, so concurrent creations never share a reference.
    """

    prefix = models.CharField(max_length=10)
    year = models.PositiveIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["prefix", "year"], name="reference_sequence_unique")]

    def __str__(self) -> str:
        return f"{self.prefix}-{self.year}: {self.last_number}"
