"""Product activations and usage (DESIGN §9), as the vendor's telemetry or licence system reports them.

An `Activation` is one unit (by serial number) or one subscription of a product switched on at a customer:
one row per product and identifier; a re-sent activation updates it. A `UsageRecord` is one month of use of
an activation (active units or seats, and a usage measure such as hours or events).

Activations join sell-out through the serial (`sellout.SellOutSerial.serial` = `Activation.identifier`):
the partner that sold a unit is the reporter of its latest sale line (sale or drop-shipment), stored on the
activation (`partner`, `sale_line`, `sold_on`) and re-linked whenever sell-out lines arrive or are reverted
(`services.activation_sellers_relink`). That partner is who may see the activation; an activation no
partner sold is seen only by managers with no region limit.

`ActivationFigure` is the stored table the pages read: per partner × product line × month, written by a
worker (`figures.activation_figures_compute`), with the formulas in that module.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from core.models import TimeStampedModel
from core.visibility import PartnerScopedQuerySet


class ActivationQuerySet(PartnerScopedQuerySet):
    """Seen through the sell-out line that sold the serial; a distributor does not see its resellers' units,
    and nobody but a manager with no region limit sees a unit no partner sold (its partner is empty)."""

    partner_path = "partner"
    distributor_reads_supplied = False


class Activation(TimeStampedModel):
    class Kind(models.TextChoices):
        SERIAL = "serial", "Serial number"
        SUBSCRIPTION = "subscription", "Subscription"

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        DEACTIVATED = "deactivated", "Deactivated"

    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="activations")
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.SERIAL)
    identifier = models.CharField(max_length=64, help_text="The serial number or the subscription id.")
    activated_on = models.DateField()
    units = models.PositiveIntegerField(default=1, help_text="Units or seats the activation covers.")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.ACTIVE)
    deactivated_on = models.DateField(null=True, blank=True)
    batch = models.ForeignKey(
        "ingest.ImportBatch",
        on_delete=models.PROTECT,
        related_name="activations",
        help_text="The delivery that last wrote this activation.",
    )
    previous = models.JSONField(
        default=dict, blank=True, help_text="The values before the last delivery changed them (empty: it created it)."
    )
    # Who sold it: the latest sale line of this serial (services.activation_sellers_relink).
    partner = models.ForeignKey(
        "partners.Partner", null=True, blank=True, on_delete=models.SET_NULL, related_name="activations"
    )
    sale_line = models.ForeignKey(
        "sellout.SellOutLine", null=True, blank=True, on_delete=models.SET_NULL, related_name="activations"
    )
    sold_on = models.DateField(null=True, blank=True, help_text="Date of the sale line that sold the unit.")

    objects = ActivationQuerySet.as_manager()

    class Meta:
        ordering = ["-activated_on", "-pk"]
        indexes = [
            models.Index(fields=["partner", "activated_on"], name="activation_partner_idx"),
            models.Index(fields=["identifier"], name="activation_identifier_idx"),
            models.Index(fields=["batch"], name="activation_batch_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["product", "identifier", "kind"], name="activation_one_per_unit"),
            models.CheckConstraint(name="activation_units_positive", condition=Q(units__gt=0)),
            models.CheckConstraint(
                name="activation_status_matches_date",
                condition=Q(status="active", deactivated_on__isnull=True)
                | Q(status="deactivated", deactivated_on__isnull=False),
            ),
            models.CheckConstraint(
                name="activation_deactivated_after_activated",
                condition=Q(deactivated_on__isnull=True) | Q(deactivated_on__gte=models.F("activated_on")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.identifier} ({self.get_kind_display().lower()})"

    @property
    def lag_days(self) -> int | None:
        """Days from the sale line to the activation; None when no partner sold the unit."""
        return (self.activated_on - self.sold_on).days if self.sold_on else None


class UsageRecordQuerySet(PartnerScopedQuerySet):
    partner_path = "activation__partner"
    distributor_reads_supplied = False


class UsageRecord(TimeStampedModel):
    activation = models.ForeignKey(Activation, on_delete=models.CASCADE, related_name="usage_records")
    month = models.DateField(help_text="The first day of the month.")
    active_units = models.PositiveIntegerField(help_text="Units or seats in use in the month.")
    usage = models.DecimalField(max_digits=14, decimal_places=2, default=0, help_text="e.g. hours or events.")
    usage_unit = models.CharField(max_length=20, blank=True, help_text="What `usage` counts: hours, events …")
    batch = models.ForeignKey("ingest.ImportBatch", on_delete=models.PROTECT, related_name="usage_records")
    previous = models.JSONField(default=dict, blank=True)

    objects = UsageRecordQuerySet.as_manager()

    class Meta:
        ordering = ["-month", "-pk"]
        indexes = [models.Index(fields=["batch"], name="usage_batch_idx")]
        constraints = [
            models.UniqueConstraint(fields=["activation", "month"], name="usage_one_per_activation_month"),
            models.CheckConstraint(name="usage_month_first_day", condition=Q(month__day=1)),
            models.CheckConstraint(name="usage_not_negative", condition=Q(usage__gte=0)),
        ]

    def __str__(self) -> str:
        return f"{self.activation_id} {self.month:%Y-%m}"


class ActivationFigureQuerySet(PartnerScopedQuerySet):
    partner_path = "partner"
    distributor_reads_supplied = False


class ActivationFigure(models.Model):
    """One partner's activation figures for one product line and month (written only by the worker).

    Formulas: `activations.figures`. `lag_days` is the histogram {days: units} of sale-to-activation lags of
    the units sold in the month, so that the median over any set of months and lines is exact.
    """

    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, related_name="+")
    product_line = models.ForeignKey("catalog.ProductLine", on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    sold_units = models.PositiveIntegerField(default=0)
    activated_units = models.PositiveIntegerField(default=0)
    lag_days = models.JSONField(default=dict, blank=True)
    installed_base = models.PositiveIntegerField(default=0)
    active_units = models.PositiveIntegerField(default=0)
    usage = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    computed_at = models.DateTimeField()

    objects = ActivationFigureQuerySet.as_manager()

    class Meta:
        ordering = ["partner", "product_line", "month"]
        indexes = [models.Index(fields=["month", "product_line"], name="activation_figure_month_idx")]
        constraints = [
            models.UniqueConstraint(fields=["partner", "product_line", "month"], name="activation_figure_once"),
            models.CheckConstraint(
                name="activation_figure_activated_le_sold", condition=Q(activated_units__lte=models.F("sold_units"))
            ),
        ]

    def __str__(self) -> str:
        return f"{self.partner_id}/{self.product_line_id} {self.month:%Y-%m}"
