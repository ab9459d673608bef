"""Writing end customers: one row per real company, found again by its normalised domain or name."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django_countries import countries

from core.normalise import normalise_company_name, normalise_domain

from .models import Customer

# A host name: labels of letters, digits and hyphens, at least one dot, a letter-only top-level label.
_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


def customer_validate(*, name: str, domain: str = "", country: str = "", industry: str = "") -> dict:
    """Check and normalise the fields of a customer; raises ValidationError naming each bad field."""
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = ["Enter the customer's company name."]
    elif len(name) > 200:
        errors["name"] = ["The name is too long (200 characters at most)."]
    elif not normalise_company_name(name):
        errors["name"] = ["The name needs at least one letter or digit."]
    clean_domain = normalise_domain(domain)
    if domain and domain.strip() and not _DOMAIN.match(clean_domain):
        errors["domain"] = [f"“{domain.strip()}” is not a web domain; enter it like example.com."]
    country = (country or "").strip().upper()
    if country and country not in countries:
        errors["country"] = [f"“{country}” is not an ISO 3166 country code."]
    industry = (industry or "").strip()
    if industry and industry not in Customer.Industry.values:
        errors["industry"] = [f"“{industry}” is not a known industry."]
    if errors:
        raise ValidationError(errors)
    return {"name": name, "domain": clean_domain, "country": country, "industry": industry}


@transaction.atomic
def customer_get_or_create(
    *, name: str, domain: str = "", country: str = "", industry: str = "", visible_to: Any = None
) -> Customer:
    """Return the existing customer for this company or create it.

    Rule: a customer with the same normalised domain is the same company; if
    no domain was given (or none matches), one with the same normalised name
    is. An existing customer is returned unchanged: details typed by one
    partner never overwrite what another entered.

    With `visible_to=user`, only customers that user can already see are
    matched, so a partner is never handed a record another partner entered
    (conflict detection compares normalised names and domains, not rows).
    """
    fields = customer_validate(name=name, domain=domain, country=country, industry=industry)
    return _match_or_create(fields, visible_to)


def _match_or_create(fields: dict, visible_to: Any) -> Customer:
    """The customer_get_or_create rule, on fields customer_validate has checked."""
    candidates = Customer.objects.all() if visible_to is None else Customer.objects.visible_to(visible_to)
    if fields["domain"]:
        match = candidates.filter(domain=fields["domain"]).order_by("pk").first()
        if match is not None:
            return match
    match = candidates.filter(normalised_name=normalise_company_name(fields["name"])).order_by("pk").first()
    if match is not None:
        return match
    return Customer.objects.create(**fields)


DETAILS = ("name", "domain", "country", "industry")


@transaction.atomic
def customer_resolve(
    *, user: Any, customer: Customer | int | Mapping[str, Any] | None, required: bool = True
) -> Customer | None:
    """The end customer a user names for a registration or a claim, in any interface.

    `customer` is one of:
    - a Customer the caller already resolved (e.g. picked from a choice list built by the visibility
      rule), returned as it is;
    - an id, which must be one of the customers the user can see;
    - details (a mapping of name, domain, country, industry): the company is matched among the
      customers the user can see, else created (`customer_get_or_create`);
    - None: nothing chosen, an error unless `required` is False.

    Raises ValidationError: under `customer` when nothing usable was chosen, under `customer.<detail>`
    (e.g. `customer.domain`) for a bad detail, so each interface shows it where the user typed it.
    """
    if isinstance(customer, Customer):
        return customer
    if customer is None:
        if required:
            raise ValidationError({"customer": ["Choose the end customer."]})
        return None
    if isinstance(customer, Mapping):
        details = {key: str(customer.get(key) or "") for key in DETAILS}
        try:
            fields = customer_validate(**details)
        except ValidationError as exc:
            errors = exc.message_dict
            if not details["name"].strip():
                errors["name"] = ["Choose an existing customer or enter the new customer's company name."]
            raise ValidationError({f"customer.{key}": messages for key, messages in errors.items()}) from exc
        return _match_or_create(fields, user)
    found = None
    if isinstance(customer, int) and not isinstance(customer, bool):
        found = Customer.objects.visible_to(user).filter(pk=customer).first() if 0 < customer < 2**63 else None
    if found is None:
        raise ValidationError({"customer": ["Unknown customer."]})
    return found
