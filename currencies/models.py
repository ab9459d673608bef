"""The rate table (DESIGN §8, §9): amounts keep their own currency; reports convert through these rates only.

A rate says how many units of the reporting currency (`settings.PRM_REPORTING_CURRENCY`) one unit of
`currency` was worth on a day (a daily rate) or over a calendar month (a monthly rate, dated the 1st).
How a transaction date finds its rate is `currencies.selectors.RateTable.rate`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from core.models import TimeStampedModel


def rate_text(value) -> str:
    return format(value.normalize(), "f") if value is not None else ""


def is_rate_keeper(user) -> bool:
    """Channel managers (and superusers) keep the rate table; partners only read it."""
    return bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and user.is_active
        and (user.is_superuser or getattr(user, "is_channel_manager", False))
    )


class ExchangeRateQuerySet(models.QuerySet):
    def visible_to(self, user) -> ExchangeRateQuerySet:
        """Reference data: every signed-in user may read the rates."""
        if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        return self

    def editable_by(self, user) -> ExchangeRateQuerySet:
        """Only the channel team changes rates."""
        return self if is_rate_keeper(user) else self.none()


class ExchangeRate(TimeStampedModel):
    class Granularity(models.TextChoices):
        DAY = "day", "Daily"
        MONTH = "month", "Monthly"

    class Source(models.TextChoices):
        ADMIN = "admin", "Admin"
        CSV = "csv", "CSV upload"
        API = "api", "API"
        DEMO = "demo", "Demo data"

    currency = models.CharField(max_length=3, help_text="ISO 4217 code, e.g. EUR.")
    date = models.DateField(help_text="The day of a daily rate; the first day of the month of a monthly one.")
    granularity = models.CharField(max_length=5, choices=Granularity.choices, default=Granularity.DAY)
    rate = models.DecimalField(
        max_digits=20, decimal_places=10, help_text="Units of the reporting currency for one unit of this currency."
    )
    source = models.CharField(max_length=5, choices=Source.choices, default=Source.ADMIN)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ExchangeRateQuerySet.as_manager()

    class Meta:
        ordering = ["currency", "-date"]
        constraints = [
            models.UniqueConstraint(fields=["currency", "granularity", "date"], name="exchange_rate_once"),
            models.CheckConstraint(name="exchange_rate_positive", condition=Q(rate__gt=0)),
            models.CheckConstraint(
                name="exchange_rate_granularity_valid", condition=Q(granularity__in=["day", "month"])
            ),
            models.CheckConstraint(
                name="exchange_rate_monthly_on_first", condition=Q(granularity="day") | Q(date__day=1)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.currency} {self.date} ({self.granularity}): {self.rate_text}"

    @property
    def rate_text(self) -> str:
        """The rate without trailing zeros and never in exponent form ("10", "1.0842", "0.0068")."""
        return rate_text(self.rate)


class RateUploadQuerySet(models.QuerySet):
    def visible_to(self, user) -> RateUploadQuerySet:
        """Rate files are the channel team's: managers see every upload, partners none."""
        return self if is_rate_keeper(user) else self.none()

    def editable_by(self, user) -> RateUploadQuerySet:
        return self.visible_to(user)


class RateUpload(TimeStampedModel):
    """An uploaded rate file: checked first (errors by row and column), imported only when a manager asks."""

    class Status(models.TextChoices):
        CHECKED = "checked", "Checked"
        IMPORTED = "imported", "Imported"

    MAX_STORED_ERRORS = 1000

    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    filename = models.CharField(max_length=255)
    content = models.BinaryField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.CHECKED)
    total_rows = models.PositiveIntegerField(default=0)
    valid_rows = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True, help_text="The first problems: row, column, value, reason.")
    file_error = models.BooleanField(default=False, help_text="The file as a whole could not be read.")
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    unchanged_count = models.PositiveIntegerField(default=0)
    imported_at = models.DateTimeField(null=True, blank=True)

    objects = RateUploadQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_status_display()})"
