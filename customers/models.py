"""End customers, matched by normalised name and domain for channel conflicts."""

from __future__ import annotations

from django.db import models
from django_countries.fields import CountryField

from core.models import TimeStampedModel
from core.normalise import normalise_company_name, normalise_domain


class CustomerQuerySet(models.QuerySet):
    def visible_to(self, user) -> CustomerQuerySet:
        """Managers see every customer; a partner sees the customers of its own deals and claims.

        A partner must never learn which customers other partners registered,
        so the partner view is derived from its own rows only.
        """
        from deals.models import DealRegistration
        from warranty.models import WarrantyClaim

        if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.is_superuser or (user.is_channel_manager and not user.region_ids):
            return self
        deal_customers = DealRegistration.objects.visible_to(user).values("customer_id")
        claim_customers = WarrantyClaim.objects.visible_to(user).values("customer_id")
        return self.filter(models.Q(pk__in=deal_customers) | models.Q(pk__in=claim_customers))


class Customer(TimeStampedModel):
    class Industry(models.TextChoices):
        MANUFACTURING = "manufacturing", "Manufacturing"
        FINANCE = "finance", "Financial services"
        HEALTHCARE = "healthcare", "Healthcare"
        PUBLIC = "public", "Public sector"
        EDUCATION = "education", "Education"
        RETAIL = "retail", "Retail"
        TECHNOLOGY = "technology", "Technology"
        ENERGY = "energy", "Energy and utilities"
        TELECOM = "telecom", "Telecommunications"
        OTHER = "other", "Other"

    name = models.CharField(max_length=200)
    normalised_name = models.CharField(max_length=200, editable=False, db_index=True)
    domain = models.CharField(max_length=253, blank=True, help_text="Web domain, e.g. example.com")
    country = CountryField(blank=True)
    industry = models.CharField(max_length=20, choices=Industry.choices, blank=True)

    objects = CustomerQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["domain"], name="customer_domain_idx")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.normalised_name = normalise_company_name(self.name)
        self.domain = normalise_domain(self.domain)
        super().save(*args, **kwargs)
