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


class ExchangeRateQuerySet(models.QuerySet):
    def visible_to(self, user) -> ExchangeRateQuerySet:
        """Reference data: every signed-in user may read the rates."""
        if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        return self


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
        return f"{self.currency} {self.date} ({self.granularity}): {self.rate}"
