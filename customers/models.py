"""End customers, matched by normalised name and domain for channel conflicts."""

from __future__ import annotations

from django.db import models
from django_countries.fields import CountryField

from core.models import TimeStampedModel
from core.normalise import normalise_company_name, normalise_domain
from core.visibility import partner_scope_q
from partners.models import Partner


class CustomerQuerySet(models.QuerySet):
    def visible_to(self, user) -> CustomerQuerySet:
        """Managers see the customers of partners they see; a partner those of its own deals, claims and
        sell-out lines.

        A partner must never learn which customers other partners registered, so the partner view is
        derived from its own rows only: a distributor also reads its resellers' deals (and so their
        customers), never their claims or the customers their sell-out lines were matched to. Reached
        through the reverse relations, so this app imports neither deals, warranty nor sellout.
        """
        if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.is_superuser or (user.is_channel_manager and not user.region_ids):
            return self
        # Deals and claims are matched on the ids of the partners in scope (one indexed probe per partner), never
        # on a condition over the joined partner row, which makes PostgreSQL read every registration.
        dealt_with = Partner.objects.filter(partner_scope_q(user, "", include_supplied=True)).values("pk")
        claimed_by = Partner.objects.filter(partner_scope_q(user, "", include_supplied=False)).values("pk")
        if user.is_channel_manager:
            # A region holds a large share of all customers: test each candidate (in the caller's order, e.g.
            # the name index of a picker) for one deal or claim in scope, and stop when the page is full.
            deals = Customer.objects.filter(pk=models.OuterRef("pk"), deals__partner__in=dealt_with)
            claims = Customer.objects.filter(pk=models.OuterRef("pk"), warranty_claims__partner__in=claimed_by)
            sold = Customer.objects.filter(pk=models.OuterRef("pk"), sellout_lines__reporter__in=claimed_by)
            return self.filter(models.Exists(deals) | models.Exists(claims) | models.Exists(sold))
        # A partner's customers are few: their ids, from its own deals and claims, in one set.
        via_deals = Customer.objects.filter(deals__partner__in=dealt_with).order_by().values("pk")
        via_claims = Customer.objects.filter(warranty_claims__partner__in=claimed_by).order_by().values("pk")
        via_sellout = Customer.objects.filter(sellout_lines__reporter__in=claimed_by).order_by().values("pk")
        return self.filter(pk__in=via_deals.union(via_claims, via_sellout))


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
        indexes = [
            models.Index(fields=["domain"], name="customer_domain_idx"),
            # Pickers and lists page through customers by name.
            models.Index(fields=["name", "id"], name="customer_name_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.normalised_name = normalise_company_name(self.name)
        self.domain = normalise_domain(self.domain)
        super().save(*args, **kwargs)
