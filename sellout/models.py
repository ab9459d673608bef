"""Sell-out (point of sale) lines: the resale transactions partners and distributors report (DESIGN §9).

One row per (reporter, invoice number, invoice line): sending the same line again replaces it, and a
replacement that changes anything is recorded as a correction with the values it replaced.

Quantities are always positive; the transaction type gives the sign. A sale or a drop-shipment sells units to
the buyer, a return takes them back, a transfer moves stock between a partner's own locations and sells
nothing (`SellOutLine.SIGN`).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django_countries.fields import CountryField

from core.models import TimeStampedModel
from core.visibility import PartnerScopedQuerySet
from ingest.models import UploadJob


class SellOutQuerySet(PartnerScopedQuerySet):
    """A reporter's lines; a distributor also reads its resellers' lines (two-tier, read-only), as for stock."""

    partner_path = "reporter"
    distributor_reads_supplied = True


class EndCustomerCandidateQuerySet(models.QuerySet):
    def visible_to(self, user) -> EndCustomerCandidateQuerySet:
        """Candidates are the channel team's work queue: managers only (regional ones: those reported by their
        regions' partners). Partners see the end customer they typed on their own lines, never this queue."""
        if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.is_superuser or (user.is_channel_manager and not user.region_ids):
            return self
        if user.is_channel_manager:
            return self.filter(lines__reporter__region_id__in=user.region_ids).distinct()
        return self.none()


class EndCustomerCandidate(TimeStampedModel):
    """An end customer named on sell-out lines that matches no existing customer.

    Never created as a customer silently: the channel team confirms it as a new customer or links it to an
    existing one, and its lines follow. One candidate per normalised name and domain.
    """

    class Status(models.TextChoices):
        OPEN = "open", "To review"
        CREATED = "created", "Created as a new customer"
        LINKED = "linked", "Linked to an existing customer"

    name = models.CharField(max_length=200)
    normalised_name = models.CharField(max_length=200)
    domain = models.CharField(max_length=253, blank=True)
    country = CountryField(blank=True)
    postcode = models.CharField(max_length=20, blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    customer = models.ForeignKey(
        "customers.Customer", null=True, blank=True, on_delete=models.SET_NULL, related_name="sellout_candidates"
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    objects = EndCustomerCandidateQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["normalised_name", "domain"], name="sellout_candidate_unique"),
            models.CheckConstraint(
                name="sellout_candidate_resolved_has_customer",
                condition=Q(status="open") | Q(customer__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class SellOutLine(TimeStampedModel):
    class TransactionType(models.TextChoices):
        SALE = "sale", "Sale"
        RETURN = "return", "Return"
        TRANSFER = "transfer", "Transfer"
        DROP_SHIP = "drop_ship", "Drop-shipment"

    class Source(models.TextChoices):
        PORTAL = "portal", "Portal"
        CSV = "csv", "CSV upload"
        API = "api", "API"
        EDI = "edi", "EDI"

    class CustomerMatch(models.TextChoices):
        MATCHED = "matched", "Matched to a customer"
        CANDIDATE = "candidate", "New customer to review"
        NONE = "none", "No end customer given"

    # Units sold to the buyer per unit on the line, by transaction type.
    SIGN = {"sale": 1, "drop_ship": 1, "return": -1, "transfer": 0}

    reporter = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="sellout_lines")
    invoice_number = models.CharField(max_length=50)
    invoice_line = models.PositiveIntegerField()
    date = models.DateField(help_text="Invoice (transaction) date.")
    transaction_type = models.CharField(max_length=10, choices=TransactionType.choices, default=TransactionType.SALE)
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="sellout_lines")
    quantity = models.PositiveIntegerField(help_text="Units on the line, always positive; the type gives the sign.")
    unit_price = models.DecimalField(max_digits=14, decimal_places=2)
    currency = models.CharField(max_length=3, help_text="ISO 4217 code of the unit price.")
    sold_to_partner = models.ForeignKey(
        "partners.Partner",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sellout_bought",
        help_text="The buyer, when it is a partner of the ecosystem (a distributor selling to a reseller).",
    )
    sold_to_name = models.CharField(max_length=200, blank=True)
    end_customer_name = models.CharField(max_length=200, blank=True)
    end_customer_country = CountryField(blank=True)
    end_customer_postcode = models.CharField(max_length=20, blank=True)
    end_customer_domain = models.CharField(max_length=253, blank=True)
    customer = models.ForeignKey(
        "customers.Customer", null=True, blank=True, on_delete=models.SET_NULL, related_name="sellout_lines"
    )
    customer_candidate = models.ForeignKey(
        EndCustomerCandidate, null=True, blank=True, on_delete=models.SET_NULL, related_name="lines"
    )
    customer_match = models.CharField(max_length=10, choices=CustomerMatch.choices, default=CustomerMatch.NONE)
    source = models.CharField(max_length=8, choices=Source.choices)
    batch = models.ForeignKey(
        "ingest.ImportBatch",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sellout_lines",
        help_text="The delivery that last wrote this line.",
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revision = models.PositiveIntegerField(default=1, help_text="1, plus one for every correction.")

    objects = SellOutQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "reporter", "invoice_number", "invoice_line"]
        indexes = [
            models.Index(fields=["reporter", "date"], name="sellout_reporter_date_idx"),
            models.Index(fields=["product", "date"], name="sellout_product_date_idx"),
            models.Index(fields=["customer"], name="sellout_customer_idx"),
            models.Index(fields=["batch"], name="sellout_batch_idx"),
            models.Index(fields=["sold_to_partner", "date"], name="sellout_sold_to_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["reporter", "invoice_number", "invoice_line"], name="sellout_one_row_per_invoice_line"
            ),
            models.CheckConstraint(name="sellout_quantity_positive", condition=Q(quantity__gt=0)),
            models.CheckConstraint(name="sellout_unit_price_not_negative", condition=Q(unit_price__gte=0)),
            models.CheckConstraint(
                name="sellout_transaction_type_valid",
                condition=Q(transaction_type__in=["sale", "return", "transfer", "drop_ship"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.invoice_number}/{self.invoice_line}"

    @property
    def signed_quantity(self) -> int:
        """Units sold to the buyer: positive for sales, negative for returns, 0 for transfers."""
        return self.SIGN[self.transaction_type] * self.quantity

    @property
    def amount(self) -> Decimal:
        """Line value in the line's currency, signed like `signed_quantity`."""
        return self.signed_quantity * self.unit_price


class SellOutSerial(models.Model):
    """A serial number sold on a line; product activations join to sell-out through these."""

    line = models.ForeignKey(SellOutLine, on_delete=models.CASCADE, related_name="serials")
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="+")
    serial = models.CharField(max_length=64)

    class Meta:
        indexes = [models.Index(fields=["product", "serial"], name="sellout_serial_idx")]
        constraints = [models.UniqueConstraint(fields=["line", "serial"], name="sellout_serial_once_per_line")]

    def __str__(self) -> str:
        return self.serial


class SellOutCorrectionQuerySet(PartnerScopedQuerySet):
    partner_path = "line__reporter"
    distributor_reads_supplied = True


class SellOutCorrection(models.Model):
    """A line was sent again with different values: what it held before, who and which delivery replaced it."""

    line = models.ForeignKey(SellOutLine, on_delete=models.CASCADE, related_name="corrections")
    revision = models.PositiveIntegerField(help_text="The line's revision after this correction.")
    batch = models.ForeignKey(
        "ingest.ImportBatch", null=True, blank=True, on_delete=models.PROTECT, related_name="sellout_corrections"
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField()
    previous = models.JSONField(help_text="The replaced values, field by field, and the batch that wrote them.")
    changed_fields = models.JSONField(default=list)

    objects = SellOutCorrectionQuerySet.as_manager()

    class Meta:
        ordering = ["line", "revision"]
        constraints = [models.UniqueConstraint(fields=["line", "revision"], name="sellout_correction_once")]

    def __str__(self) -> str:
        return f"{self.line_id} r{self.revision}"


class SellOutUploadQuerySet(PartnerScopedQuerySet):
    """A partner's sell-out files are its own: a distributor does not see its resellers' files."""


class SellOutUpload(UploadJob):
    """One uploaded sell-out CSV (ingest.models.UploadJob; run by `sellout.imports`).

    Importing it opens an `ImportBatch` (`batch`): the lines it wrote and corrected point to that batch.
    """

    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, related_name="sellout_uploads")
    batch = models.OneToOneField(
        "ingest.ImportBatch",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sellout_upload",
        help_text="The delivery its import opened.",
    )

    objects = SellOutUploadQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["partner", "created_at"], name="sellout_upload_partner_idx")]
        constraints = [
            models.CheckConstraint(
                name="sellout_upload_status_valid",
                condition=Q(status__in=["pending", "validating", "validated", "importing", "done", "failed"]),
            ),
        ]
