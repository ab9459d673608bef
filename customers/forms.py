"""Choosing the end customer of a deal: one the partner already has, or a new one."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django_countries import countries

from .models import Customer
from .services import customer_validate

# Form field for each customer attribute checked by customer_validate.
NEW_CUSTOMER_FIELDS = {
    "name": "new_customer_name",
    "domain": "new_customer_domain",
    "country": "new_customer_country",
    "industry": "new_customer_industry",
}


class CustomerChoiceMixin(forms.Form):
    """Pick one of the user's visible customers, or type a new one (matched again by name and domain)."""

    customer = forms.ModelChoiceField(
        queryset=Customer.objects.none(),
        required=False,
        label="Existing customer",
        empty_label="— New customer —",
        help_text="Choose one of your customers, or leave this on “New customer” and fill in the fields below.",
    )
    new_customer_name = forms.CharField(label="Company name", max_length=200, required=False)
    new_customer_domain = forms.CharField(
        label="Web domain", max_length=253, required=False, help_text="e.g. example.com — helps matching."
    )
    new_customer_country = forms.ChoiceField(label="Country", choices=[("", "—")] + list(countries), required=False)
    new_customer_industry = forms.ChoiceField(
        label="Industry", choices=[("", "—")] + list(Customer.Industry.choices), required=False
    )

    def setup_customers(self, user: Any) -> None:
        self.fields["customer"].queryset = Customer.objects.visible_to(user).only("pk", "name", "domain")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("customer"):
            return cleaned
        if "customer" in self.errors:
            return cleaned
        try:
            customer_validate(
                name=cleaned.get("new_customer_name", ""),
                domain=cleaned.get("new_customer_domain", ""),
                country=cleaned.get("new_customer_country", ""),
                industry=cleaned.get("new_customer_industry", ""),
            )
        except ValidationError as exc:
            for key, messages in exc.message_dict.items():
                if key == "name" and not cleaned.get("new_customer_name"):
                    messages = ["Choose an existing customer or enter the new customer's company name."]
                self.add_error(NEW_CUSTOMER_FIELDS.get(key), messages)
        return cleaned

    def customer_fields(self) -> dict:
        """The new customer's attributes, as customer_get_or_create takes them."""
        return {key: self.cleaned_data.get(field) or "" for key, field in NEW_CUSTOMER_FIELDS.items()}
