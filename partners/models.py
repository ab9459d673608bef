"""Partners, their tiers, programs, regions and certifications (DESIGN §2)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django_countries.fields import CountryField

from core.models import TimeStampedModel
from core.visibility import PartnerScopedQuerySet


class Region(models.Model):
    code = models.SlugField(max_length=20, unique=True)
    name = models.CharField(max_length=80, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ReportFrequency(models.TextChoices):
    """How often a program's partners owe a report of one kind (the reporting calendar)."""

    NONE = "none", "Not required"
    WEEKLY = "weekly", "Weekly (Monday to Sunday)"
    MONTHLY = "monthly", "Monthly (calendar month)"


class Program(TimeStampedModel):
    """A partner program: the commercial rules a partner signs up to, and its reporting calendar.

    The calendar says which reports a partner owes and when (docs/data-quality.md): for each kind of report
    (stock positions, sell-out lines) a frequency and a due lag — the report of a period is due that many days
    after the period's last day. The data-quality score measures partners against it.
    """

    name = models.CharField(max_length=100, unique=True)
    deal_protection_days = models.PositiveIntegerField(
        default=90, validators=[MinValueValidator(1)], help_text="Days an approved registration is protected."
    )
    extension_days = models.PositiveIntegerField(default=30, validators=[MinValueValidator(1)])
    is_default = models.BooleanField(default=False)
    stock_report_frequency = models.CharField(
        max_length=8,
        choices=ReportFrequency.choices,
        default=ReportFrequency.MONTHLY,
        help_text="How often partners report their stock positions.",
    )
    stock_report_due_days = models.PositiveSmallIntegerField(
        default=10, help_text="A stock report is due this many days after the last day of its period."
    )
    sellout_report_frequency = models.CharField(
        max_length=8,
        choices=ReportFrequency.choices,
        default=ReportFrequency.MONTHLY,
        help_text="How often partners report their sell-out lines.",
    )
    sellout_report_due_days = models.PositiveSmallIntegerField(
        default=10, help_text="A sell-out report is due this many days after the last day of its period."
    )
    consistency_tolerance_pct = models.PositiveSmallIntegerField(
        default=10,
        validators=[MaxValueValidator(100)],
        help_text="Sell-out units and stock-report units sold of a product and month agree within this percentage.",
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["is_default"], condition=Q(is_default=True), name="one_default_program"),
            models.CheckConstraint(name="program_protection_positive", condition=Q(deal_protection_days__gt=0)),
            models.CheckConstraint(
                name="program_report_frequencies_valid",
                condition=Q(stock_report_frequency__in=ReportFrequency.values)
                & Q(sellout_report_frequency__in=ReportFrequency.values),
            ),
            models.CheckConstraint(
                name="program_tolerance_at_most_100", condition=Q(consistency_tolerance_pct__lte=100)
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def default(cls) -> Program | None:
        return cls.objects.filter(is_default=True).first()


class Tier(models.Model):
    """An ordered partner level; `rank` 1 is the highest."""

    name = models.CharField(max_length=50, unique=True)
    rank = models.PositiveSmallIntegerField(unique=True, help_text="1 is the highest tier.")
    min_trailing_revenue = models.DecimalField(
        max_digits=14, decimal_places=2, default=0, help_text="Won revenue over the trailing 12 months."
    )
    required_certifications = models.PositiveSmallIntegerField(default=0)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["rank"]
        constraints = [
            models.CheckConstraint(name="tier_min_revenue_not_negative", condition=Q(min_trailing_revenue__gte=0)),
        ]

    def __str__(self) -> str:
        return self.name


class PartnerQuerySet(PartnerScopedQuerySet):
    partner_path = ""
    distributor_reads_supplied = True

    def active(self) -> PartnerQuerySet:
        return self.filter(status=Partner.Status.ACTIVE)


class Partner(TimeStampedModel):
    class Type(models.TextChoices):
        RESELLER = "reseller", "Reseller"
        DISTRIBUTOR = "distributor", "Distributor"
        SYSTEM_INTEGRATOR = "system_integrator", "System integrator"
        SERVICE_PARTNER = "service_partner", "Service partner"
        ISV = "isv", "ISV"
        MSP = "msp", "MSP"
        REFERRAL = "referral", "Referral"

    class Status(models.TextChoices):
        PROSPECT = "prospect", "Prospect"
        ONBOARDING = "onboarding", "Onboarding"
        ACTIVE = "active", "Active"
        INACTIVE = "inactive", "Inactive"
        TERMINATED = "terminated", "Terminated"

    name = models.CharField(max_length=200, unique=True)
    partner_type = models.CharField(max_length=20, choices=Type.choices)
    tier = models.ForeignKey(Tier, null=True, blank=True, on_delete=models.PROTECT, related_name="partners")
    program = models.ForeignKey(Program, null=True, blank=True, on_delete=models.PROTECT, related_name="partners")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PROSPECT)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="partners")
    country = CountryField()
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supplied_partners",
        help_text="The distributor that supplies this partner (two-tier).",
    )
    account_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="managed_partners",
        limit_choices_to={"role": "channel_manager"},
    )
    website = models.URLField(blank=True)
    contact_email = models.EmailField(blank=True)
    joined_on = models.DateField(null=True, blank=True)
    onboarded_on = models.DateField(null=True, blank=True)
    is_demo = models.BooleanField(default=False, editable=False, help_text="Created by seed_demo.")

    objects = PartnerQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        indexes = [
            models.Index(fields=["status", "tier"]),
            models.Index(fields=["region", "status"]),
        ]
        constraints = [
            models.CheckConstraint(name="partner_not_own_parent", condition=~Q(parent=models.F("pk"))),
            models.CheckConstraint(
                name="partner_onboarded_after_joined",
                condition=Q(onboarded_on__isnull=True)
                | Q(joined_on__isnull=True)
                | Q(onboarded_on__gte=models.F("joined_on")),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CertificationQuerySet(PartnerScopedQuerySet):
    def valid_on(self, day) -> CertificationQuerySet:
        return self.filter(earned_on__lte=day).filter(Q(expires_on__isnull=True) | Q(expires_on__gt=day))


class Certification(TimeStampedModel):
    """An enablement credential held by a partner (counts towards tier requirements)."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="certifications")
    name = models.CharField(max_length=120)
    product_line = models.ForeignKey(
        "catalog.ProductLine", null=True, blank=True, on_delete=models.SET_NULL, related_name="certifications"
    )
    holder_name = models.CharField(max_length=120, blank=True, help_text="The person certified, if any.")
    earned_on = models.DateField()
    expires_on = models.DateField(null=True, blank=True)

    objects = CertificationQuerySet.as_manager()

    class Meta:
        ordering = ["partner", "-earned_on"]
        indexes = [models.Index(fields=["partner", "expires_on"])]
        constraints = [
            models.CheckConstraint(
                name="certification_expires_after_earned",
                condition=Q(expires_on__isnull=True) | Q(expires_on__gt=models.F("earned_on")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.partner})"
