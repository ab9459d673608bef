"""EDI intake (DESIGN §9): reporting locations, imported interchanges, and the product activity of 852s."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from core.models import TimeStampedModel
from core.visibility import PartnerScopedQuerySet, partner_scope_q


class ReportingLocation(TimeStampedModel):
    """Who a code in an interchange stands for: (qualifier, code) → a partner, and optionally one of its sites.

    Read from the 852/867 header N1 (N103 qualifier, N104 code), from SDQ location codes, and from the
    interchange sender (qualifier `ISA`: the ISA06 sender id, or the GS02 application sender code).
    """

    class Qualifier(models.TextChoices):
        GLN = "UL", "UL — Global Location Number (GLN)"
        SELLER = "91", "91 — assigned by the seller"
        BUYER = "92", "92 — assigned by the buyer"
        DUNS = "1", "1 — D-U-N-S number"
        DUNS4 = "9", "9 — D-U-N-S number with four-character suffix"
        SENDER = "ISA", "ISA — interchange sender (ISA06 or GS02)"

    qualifier = models.CharField(max_length=3, choices=Qualifier.choices)
    code = models.CharField(max_length=80, help_text="As it appears in the files, without padding.")
    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, related_name="edi_locations")
    site_name = models.CharField(
        max_length=120, blank=True, help_text="A store or warehouse of the partner; blank for the partner as a whole."
    )
    is_active = models.BooleanField(default=True)

    objects = PartnerScopedQuerySet.as_manager()

    class Meta:
        ordering = ["partner", "qualifier", "code"]
        constraints = [
            models.UniqueConstraint(fields=["qualifier", "code"], name="edi_location_unique_code"),
            models.CheckConstraint(
                name="edi_location_qualifier_valid", condition=Q(qualifier__in=["UL", "91", "92", "1", "9", "ISA"])
            ),
        ]

    def __str__(self) -> str:
        return f"{self.qualifier} {self.code}"


class EdiImportQuerySet(PartnerScopedQuerySet):
    """An interchange is seen by those who see its partner, and always by whoever sent it (before its partner
    is known, or when it named a partner the sender may not report for)."""

    def visible_to(self, user):
        scope = partner_scope_q(user, self.partner_path, include_supplied=False)
        if not scope.children:  # every partner: Q() | Q(user=…) would narrow it to the user's own
            return self.filter(scope)
        if getattr(user, "is_authenticated", False) and user.is_active:
            scope |= Q(user=user)
        return self.filter(scope)


class EdiImport(TimeStampedModel):
    """One X12 interchange sent by upload or API, checked as a whole, then imported all or nothing.

    The interchange is kept as sent so any worker can read it. `errors` holds up to MAX_STORED_ERRORS
    located problems (segment number, segment id, element position, reason); `error_count` the full number.
    """

    MAX_STORED_ERRORS = 10_000

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for a worker"
        PROCESSING = "processing", "Reading and checking"
        IMPORTING = "importing", "Importing"
        DONE = "done", "Imported"
        DUPLICATE = "duplicate", "Already imported"
        TESTED = "tested", "Checked (test interchange, nothing imported)"
        REJECTED = "rejected", "Refused: nothing imported"
        FAILED = "failed", "Failed"

    RUNNING = (Status.PENDING, Status.PROCESSING, Status.IMPORTING)

    class Source(models.TextChoices):
        PORTAL = "portal", "Portal upload"
        API = "api", "API"

    partner = models.ForeignKey(
        "partners.Partner", null=True, blank=True, on_delete=models.CASCADE, related_name="edi_imports"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    token = models.ForeignKey(
        "integrations.ApiToken", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source = models.CharField(max_length=8, choices=Source.choices)
    filename = models.CharField(max_length=255, blank=True)
    content = models.BinaryField(help_text="The interchange as sent.")
    content_hash = models.CharField(max_length=64, help_text="SHA-256 of the content.")
    size = models.PositiveIntegerField(default=0, help_text="Bytes.")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    sender_qualifier = models.CharField(max_length=4, blank=True)
    sender_id = models.CharField(max_length=80, blank=True)
    control_number = models.CharField(max_length=20, blank=True)
    version = models.CharField(max_length=8, blank=True)
    kinds = models.CharField(max_length=20, blank=True, help_text="Transaction sets inside: 852, 867.")
    transaction_count = models.PositiveIntegerField(default=0)
    segment_count = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    progress_done = models.PositiveIntegerField(default=0)
    phase = models.CharField(max_length=40, blank=True)
    error_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True, help_text="[{segment, segment_id, element, value, reason}]")
    summary = models.JSONField(default=dict, blank=True, help_text="What was imported, by kind.")
    message = models.TextField(blank=True)
    duplicate_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = EdiImportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["partner", "created_at"]),
            models.Index(fields=["sender_id", "control_number"]),
        ]
        constraints = [
            # One imported interchange per sender and control number (the duplicate policy, docs/edi.md).
            models.UniqueConstraint(
                fields=["sender_qualifier", "sender_id", "control_number"],
                condition=Q(status="done"),
                name="edi_import_one_per_control_number",
            ),
            models.CheckConstraint(
                name="edi_import_status_valid",
                condition=Q(
                    status__in=[
                        "pending",
                        "processing",
                        "importing",
                        "done",
                        "duplicate",
                        "tested",
                        "rejected",
                        "failed",
                    ]
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"EDI {self.pk} {self.filename or self.control_number} ({self.get_status_display()})"

    @property
    def is_running(self) -> bool:
        return self.status in self.RUNNING

    @property
    def progress_percent(self) -> int:
        if not self.progress_total:
            return 0
        return min(100, round(100 * self.progress_done / self.progress_total))

    @property
    def errors_truncated(self) -> bool:
        return self.error_count > len(self.errors)


class ProductActivityQuerySet(PartnerScopedQuerySet):
    distributor_reads_supplied = True

    def exceptions(self) -> ProductActivityQuerySet:
        """Activities whose balance does not hold (see `ProductActivity.balance_difference`)."""
        return self.exclude(balance_difference__isnull=True).exclude(balance_difference=0)


class ProductActivity(TimeStampedModel):
    """What an 852 said of one product at one partner (or site) over one period; re-sending replaces it.

    The balance: expected ending = beginning + received + returned − sold + adjustment, and
    `balance_difference` = reported ending (on hand) − expected ending. The beginning is the QB quantity, or
    when the 852 gives none, the on-hand of this partner, site and product in its latest earlier period.
    The difference is NULL when the beginning or the ending is unknown, so nothing can be checked.
    """

    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="product_activities")
    site_name = models.CharField(max_length=120, blank=True)
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="product_activities")
    period_start = models.DateField()
    period_end = models.DateField()
    beginning = models.IntegerField(null=True, blank=True)
    beginning_reported = models.BooleanField(default=False, help_text="QB given (else the previous on hand).")
    on_hand = models.IntegerField(null=True, blank=True, help_text="Ending stock (QE, OH or QA).")
    sold = models.IntegerField(default=0)
    received = models.IntegerField(default=0)
    returned = models.IntegerField(default=0)
    adjustment = models.IntegerField(default=0)
    on_order = models.IntegerField(null=True, blank=True)
    expected_on_hand = models.IntegerField(null=True, blank=True)
    balance_difference = models.IntegerField(null=True, blank=True)
    edi_import = models.ForeignKey(EdiImport, on_delete=models.PROTECT, related_name="activities")

    objects = ProductActivityQuerySet.as_manager()

    class Meta:
        ordering = ["-period_end", "partner", "site_name", "product"]
        indexes = [
            models.Index(fields=["partner", "period_end"]),
            models.Index(
                fields=["partner", "balance_difference"],
                name="edi_activity_exceptions",
                condition=Q(balance_difference__lt=0) | Q(balance_difference__gt=0),
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "site_name", "product", "period_start", "period_end"],
                name="edi_activity_one_per_period",
            ),
            models.CheckConstraint(name="edi_activity_period_ordered", condition=Q(period_end__gte=F("period_start"))),
            models.CheckConstraint(
                name="edi_activity_counts_not_negative",
                condition=Q(sold__gte=0) & Q(received__gte=0) & Q(returned__gte=0),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.partner_id}/{self.product_id} {self.period_start}–{self.period_end}"
