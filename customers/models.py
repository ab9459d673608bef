"""End customers, matched by normalised name and domain for channel conflicts."""

from __future__ import annotations

from django.db import models
from django_countries.fields import CountryField

from core.models import TimeStampedModel
from core.normalise import normalise_company_name, normalise_domain
from core.visibility import partner_scope_q


class CustomerQuerySet(models.QuerySet):
    def visible_to(self, user) -> CustomerQuerySet:
        """Managers see the customers of partners they see; a partner those of its own deals and claims.

        A partner must never learn which customers other partners registered, so the partner view is
        derived from its own rows only: a distributor also reads its resellers' deals (and so their
        customers), never their claims. Reached through the reverse relations, so this app imports
        neither deals nor warranty.
        """
        if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.is_superuser or (user.is_channel_manager and not user.region_ids):
            return self
        through_deals = partner_scope_q(user, "deals__partner", include_supplied=True)
        through_claims = partner_scope_q(user, "warranty_claims__partner", include_supplied=False)
        # Two subqueries, not one OR over two joins (that would pair every deal with every claim).
        via_deals = Customer.objects.filter(through_deals).values("pk")
        via_claims = Customer.objects.filter(through_claims).values("pk")
        return self.filter(models.Q(pk__in=via_deals) | models.Q(pk__in=via_claims))


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
