from django.core.exceptions import ValidationError
from rest_framework import serializers

from core.api.serializers import StrictSerializer
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


def customer_errors_nested(exc: ValidationError) -> ValidationError:
    """The service's `customer.<detail>` errors under `customer`, the field the request nested the details in."""
    if not hasattr(exc, "error_dict"):
        return exc
    errors: dict[str, list] = {}
    for key, problems in exc.error_dict.items():
        errors.setdefault("customer" if key.startswith("customer.") else key, []).extend(problems)
    return ValidationError(errors)
