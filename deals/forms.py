"""Forms for registering a deal and for the partner's and manager's actions on it.

The registration form and its lines only read and present the input (the browser gets the bounds as
hints); `deal_create` / `deal_update_draft` check it once, and the view puts their errors back on the
field, or the line, they concern.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from catalog.models import Product
from core.widgets import SearchSelect
from customers.forms import CustomerChoiceMixin

from .models import DealRegistration, LossReason
from .validation import MAX_LINES, MAX_QUANTITY, MAX_UNIT_PRICE

CURRENCIES = ["USD", "EUR", "GBP", "CHF", "CAD", "AUD", "JPY", "SEK", "NOK", "DKK", "PLN", "INR", "SGD", "BRL", "MXN"]


def _style(form: forms.BaseForm) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput | forms.RadioSelect):
            continue
        css = "form-select" if isinstance(widget, forms.Select) else "form-control"
        widget.attrs.setdefault("class", css)


class DealForm(CustomerChoiceMixin):
    """The registration itself; the product lines come from DealLineFormSet."""

    deal_type = forms.ChoiceField(label="Deal type", choices=DealRegistration.DealType.choices)
    currency = forms.ChoiceField(choices=[(c, c) for c in CURRENCIES], initial="USD")
    expected_close_date = forms.DateField(label="Expected close date", widget=forms.DateInput(attrs={"type": "date"}))
    notes = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Anything the channel team should know: project, decision makers, competition.",
    )

    def __init__(self, *args, user: Any, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_customers(user)
        _style(self)


class DealLineForm(forms.Form):
    product = forms.ModelChoiceField(
        queryset=Product.objects.filter(is_active=True),
        widget=SearchSelect("lookup:products", placeholder="Type a SKU or name…"),
        error_messages={"invalid_choice": "Choose an active product from the catalog."},
    )
    quantity = forms.IntegerField(widget=forms.NumberInput(attrs={"min": 1, "max": MAX_QUANTITY}))
    unit_price = forms.DecimalField(
        label="Unit price",
        required=False,
        widget=forms.NumberInput(attrs={"min": "0", "max": str(MAX_UNIT_PRICE), "step": "0.01"}),
        help_text="Leave empty for the list price.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


class BaseDealLineFormSet(forms.BaseFormSet):
    """Blank rows are ignored; the product list is read once for every row.

    The rows' pickers render only the product chosen (they search `lookup:products`); the list read here
    names those options without a query per row and gives the browser the list prices as hints.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        products = Product.objects.filter(is_active=True).only("pk", "sku", "name", "list_price")
        self.product_choices = [("", "---------")] + [(str(p.pk), f"{p.sku} — {p.name}") for p in products]
        self.list_prices = {str(p.pk): str(p.list_price) for p in products}
        for form in self.forms:
            form.fields["product"].choices = self.product_choices

    @property
    def empty_form(self):
        form = super().empty_form
        if hasattr(self, "product_choices"):
            form.fields["product"].choices = self.product_choices
        return form

    def filled_forms(self) -> list[forms.Form]:
        """The rows the user filled in, in order: line N of the registration is the N-th of them."""
        return [form for form in self.forms if form.cleaned_data]

    def lines(self) -> list[dict]:
        return [
            {
                "product": form.cleaned_data["product"],
                "quantity": form.cleaned_data["quantity"],
                "unit_price": form.cleaned_data.get("unit_price"),
            }
            for form in self.filled_forms()
        ]


DealLineFormSet = forms.formset_factory(
    DealLineForm, formset=BaseDealLineFormSet, extra=1, max_num=MAX_LINES, validate_max=True
)


class NoteForm(forms.Form):
    """An optional note (approve, extend, withdraw)."""

    note = forms.CharField(required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


class RejectForm(forms.Form):
    reason = forms.CharField(
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required; the partner sees it.",
        error_messages={"required": "Give the reason for the rejection; the partner will see it."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


class CloseForm(forms.Form):
    """Report the outcome of an approved deal: won, or lost with a reason from the list (and a note)."""

    outcome = forms.ChoiceField(
        choices=[("won", "Won"), ("lost", "Lost")], widget=forms.RadioSelect(attrs={"class": "form-check-input"})
    )
    loss_reason = forms.ModelChoiceField(
        label="Loss reason",
        queryset=LossReason.objects.active(),
        to_field_name="code",
        required=False,
        empty_label="—",
        error_messages={"invalid_choice": "Choose a reason from the list."},
    )
    loss_note = forms.CharField(
        label="Details",
        required=False,
        max_length=500,
        help_text="Optional for most reasons, required for “Other”.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("outcome") == "lost" and "loss_reason" not in self.errors:
            reason = cleaned.get("loss_reason")
            if reason is None:
                self.add_error("loss_reason", "Say why the deal was lost.")
            elif reason.needs_note and not cleaned.get("loss_note", "").strip():
                self.add_error("loss_note", f"Describe the reason: “{reason.name}” needs a few words.")
        return cleaned


class BulkDecisionForm(forms.Form):
    """Approve or reject the registrations ticked in the queue (ids unknown to the user are reported, not used)."""

    action = forms.ChoiceField(choices=[("approve", "Approve selected"), ("reject", "Reject selected")])
    reason = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required to reject (the partners see it); an optional note for approvals.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)

    def clean(self):
        cleaned = super().clean()
        raw = self.data.getlist("deals") if hasattr(self.data, "getlist") else self.data.get("deals", [])
        ids = [int(value) for value in raw if str(value).isdigit()]
        if not ids:
            raise ValidationError("Tick at least one registration.")
        cleaned["deals"] = list(dict.fromkeys(ids))
        if cleaned.get("action") == "reject" and not cleaned.get("reason", "").strip():
            self.add_error("reason", "Give the reason for the rejection; the partners will see it.")
        return cleaned
