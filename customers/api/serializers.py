from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from rest_framework import serializers

from core.api.serializers import StrictSerializer, referenced_ids
from customers.models import Customer


class CustomerSerializer(serializers.ModelSerializer):
    country = serializers.CharField(source="country.code", read_only=True)

    class Meta:
        model = Customer
        fields = ["id", "name", "normalised_name", "domain", "country", "industry", "created_at"]


class CustomerInputSerializer(StrictSerializer):
    """An end customer given by its details: matched to an existing one by domain, then name."""

    name = serializers.CharField(max_length=200)
    domain = serializers.CharField(max_length=253, required=False, allow_blank=True, default="")
    country = serializers.CharField(max_length=2, required=False, allow_blank=True, default="")
    industry = serializers.ChoiceField(choices=Customer.Industry.choices, required=False, allow_blank=True, default="")


def visible_customer_ids(*, user: Any, items: Iterable[Any]) -> set[int]:
    """Which of the `customer_id`s the request's items name the user may see: one query for a whole request.

    Read from the raw items before validation; values that cannot be ids are left to the field to refuse.
    """
    wanted = referenced_ids(items, "customer_id")
    if not wanted:
        return set()
    return set(Customer.objects.visible_to(user).filter(pk__in=wanted).values_list("pk", flat=True))


def customer_errors_nested(exc: ValidationError) -> ValidationError:
    """The service's `customer.<detail>` errors under `customer`, the field the request nested the details in."""
    if not hasattr(exc, "error_dict"):
        return exc
    errors: dict[str, list] = {}
    for key, problems in exc.error_dict.items():
        errors.setdefault("customer" if key.startswith("customer.") else key, []).extend(problems)
    return ValidationError(errors)
