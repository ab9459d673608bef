"""Forms for filing a claim (portal) and deciding one (manage)."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError

from catalog.models import Product
from core.widgets import SearchSelect
from customers.lookups import customer_label
from customers.models import Customer

from .models import FailureCode

_MONEY = {"min_value": Decimal("0"), "max_digits": 12, "decimal_places": 2}


def _style(form: forms.Form) -> None:
    for field in form.fields.values():
        if isinstance(field.widget, forms.Select):
            css = "form-select"
        elif isinstance(field.widget, forms.CheckboxInput):
            css = "form-check-input"
        else:
            css = "form-control"
        field.widget.attrs.setdefault("class", css)


class ClaimForm(forms.Form):
    """What a partner enters; the service applies the business rules and sets the flags."""

    product = forms.ModelChoiceField(
        queryset=Product.objects.only("pk", "sku", "name"),
        widget=SearchSelect("lookup:products", params={"inactive": "1"}, placeholder="Type a SKU or name…"),
    )
    serial_number = forms.CharField(max_length=60, label="Serial number")
    customer = forms.ModelChoiceField(
        queryset=Customer.objects.none(),
        required=False,
        label="Customer",
        help_text="One of your customers…",
        widget=SearchSelect("lookup:customers", placeholder="Type a name or domain…"),
        error_messages={
            "invalid_choice": "That is not one of your customers; pick one from the list or type a new name."
        },
    )
    customer_name = forms.CharField(
        max_length=200, required=False, label="…or a new customer's name", help_text="Leave both empty if unknown."
    )
    purchase_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    failure_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    failure_code = forms.ModelChoiceField(queryset=FailureCode.objects.filter(is_active=True), label="Failure code")
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)
    parts_amount = forms.DecimalField(label="Parts amount", initial=Decimal("0.00"), **_MONEY)
    labour_amount = forms.DecimalField(label="Labour amount", initial=Decimal("0.00"), **_MONEY)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = Customer.objects.visible_to(user).only("pk", "name", "domain")
        self.fields["customer"].label_from_instance = customer_label
        _style(self)

    def clean(self):
        # The dates and amounts are checked once, by claim_create; the view shows its errors by field.
        data = super().clean()
        if data.get("customer") and (data.get("customer_name") or "").strip():
            self.add_error("customer_name", "Pick an existing customer or type a new name, not both.")
        return data

    def customer_choice(self) -> Customer | dict | None:
        """What the user chose, for `customer_resolve`: the picked customer, a new one's name, or nothing."""
        name = (self.cleaned_data.get("customer_name") or "").strip()
        return self.cleaned_data.get("customer") or ({"name": name} if name else None)


class ApproveForm(forms.Form):
    amount = forms.DecimalField(
        label="Approved amount",
        required=False,
        help_text="Leave empty to approve the full amount claimed.",
        **_MONEY,
    )
    note = forms.CharField(label="Note to the partner", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, claimed=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.claimed = claimed
        if claimed is not None:
            self.fields["amount"].widget.attrs["max"] = str(claimed)
        _style(self)

    def clean_amount(self):
        amount = self.cleaned_data.get("amount")
        if amount is not None and self.claimed is not None and amount > self.claimed:
            raise ValidationError(f"The approved amount cannot exceed the {self.claimed} claimed.")
        return amount


class RejectForm(forms.Form):
    """Only reads the reason; the service refuses a blank one (core.workflow.required_reason), so the page
    says what every rejection says, under this field."""

    reason = forms.CharField(
        label="Reason for the rejection",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required; the partner will see it.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)
