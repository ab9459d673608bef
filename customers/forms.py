"""Choosing the end customer of a deal: one the partner already has, or a new one."""

from __future__ import annotations

from typing import Any

from django import forms
from django_countries import countries

from core.widgets import SearchSelect

from .lookups import customer_label
from .models import Customer

# Form field for each detail of a new customer (customer_resolve reports errors as `customer.<detail>`).
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
        widget=SearchSelect("lookup:customers", placeholder="Type a name or domain…"),
        error_messages={
            "invalid_choice": "That is not one of your customers; pick one from the list or enter a new one."
        },
        help_text="Choose one of your customers, or leave this on “New customer” and fill in the fields below.",
    )
    new_customer_name = forms.CharField(label="Company name", max_length=200, required=False)
    new_customer_domain = forms.CharField(
        label="Web domain", max_length=253, required=False, help_text="e.g. example.com — helps matching."
    )
    new_customer_country = forms.ChoiceField(
        label="Country",
        choices=[("", "—")] + list(countries),
        required=False,
        widget=SearchSelect("lookup:countries", placeholder="Type a country…"),
    )
    new_customer_industry = forms.ChoiceField(
        label="Industry", choices=[("", "—")] + list(Customer.Industry.choices), required=False
    )

    def setup_customers(self, user: Any) -> None:
        self.fields["customer"].queryset = Customer.objects.visible_to(user).only("pk", "name", "domain")
        self.fields["customer"].label_from_instance = customer_label

    def customer_choice(self) -> Customer | dict:
        """What the user chose, for `customer_resolve`: the picked customer, else the new one's details.

        The form only reads the input; the service checks it (and reports `customer.<detail>` errors,
        which `NEW_CUSTOMER_FIELDS` places under the field the user typed in).
        """
        picked = self.cleaned_data.get("customer")
        if picked is not None:
            return picked
        return {key: self.cleaned_data.get(field) or "" for key, field in NEW_CUSTOMER_FIELDS.items()}
