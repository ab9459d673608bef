"""Forms for opening a ticket (portal), commenting and moving it (both sides)."""

from __future__ import annotations

from django import forms

from catalog.models import Product
from core.widgets import SearchSelect
from customers.lookups import customer_label
from customers.models import Customer
from deals.models import DealRegistration
from warranty.models import WarrantyClaim

from .models import Severity, TicketCategory

RECENT = 200  # claims and deals offered as links: the latest ones


def _style(form: forms.Form) -> None:
    for field in form.fields.values():
        if isinstance(field.widget, forms.Select):
            css = "form-select"
        elif isinstance(field.widget, forms.CheckboxInput):
            css = "form-check-input"
        else:
            css = "form-control"
        field.widget.attrs.setdefault("class", css)


class TicketForm(forms.Form):
    """What a partner enters; `ticket_open` applies the rules (links, customer matching, the SLA clock)."""

    subject = forms.CharField(max_length=200)
    category = forms.ModelChoiceField(queryset=TicketCategory.objects.filter(is_active=True), empty_label=None)
    severity = forms.ChoiceField(
        choices=Severity.choices,
        initial=Severity.MEDIUM,
        help_text="Critical: the customer's business is down. High: badly degraded. Medium: impaired. Low: a question.",
    )
    product = forms.ModelChoiceField(
        queryset=Product.objects.only("pk", "sku", "name"),
        widget=SearchSelect("lookup:products", params={"inactive": "1"}, placeholder="Type a SKU or name…"),
    )
    serial_number = forms.CharField(max_length=60, required=False, label="Serial number")
    customer = forms.ModelChoiceField(
        queryset=Customer.objects.none(),
        required=False,
        label="Customer",
        help_text="One of your customers…",
        widget=SearchSelect("lookup:customers", placeholder="Type a name or domain…"),
        error_messages={"invalid_choice": "That is not one of your customers; pick one from the list or type a name."},
    )
    customer_name = forms.CharField(max_length=200, required=False, label="…or the customer's name")
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 6}))
    warranty_claim = forms.ModelChoiceField(
        queryset=WarrantyClaim.objects.none(),
        required=False,
        label="Related warranty claim",
        empty_label="None",
        error_messages={"invalid_choice": "That is not one of your recent warranty claims."},
    )
    deal = forms.ModelChoiceField(
        queryset=DealRegistration.objects.none(),
        required=False,
        label="Related deal",
        empty_label="None",
        error_messages={"invalid_choice": "That is not one of your recent deals."},
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = Customer.objects.visible_to(user).only("pk", "name", "domain")
        self.fields["customer"].label_from_instance = customer_label
        # Only the partner's own rows are offered, the latest 200 of each (ticket_open checks whatever is posted).
        partner_id = getattr(user, "partner_id", None)
        claims = WarrantyClaim.objects.visible_to(user).filter(partner_id=partner_id)
        recent_claims = claims.order_by("-submitted_at", "-pk").values("pk")[:RECENT]
        self.fields["warranty_claim"].queryset = (
            claims.filter(pk__in=recent_claims).only("pk", "reference", "serial_number").order_by("-pk")
        )
        self.fields["warranty_claim"].label_from_instance = lambda c: f"{c.reference} · {c.serial_number}"
        deals = DealRegistration.objects.visible_to(user).filter(partner_id=partner_id).exclude(status="draft")
        recent_deals = deals.order_by("-submitted_at", "-pk").values("pk")[:RECENT]
        self.fields["deal"].queryset = (
            deals.filter(pk__in=recent_deals)
            .select_related("customer")
            .only("pk", "reference", "customer__name")
            .order_by("-pk")
        )
        self.fields["deal"].label_from_instance = lambda d: f"{d.reference} · {d.customer.name}"
        _style(self)

    def clean(self):
        data = super().clean()
        if data.get("customer") and (data.get("customer_name") or "").strip():
            self.add_error("customer_name", "Pick an existing customer or type a name, not both.")
        return data


class CommentForm(forms.Form):
    body = forms.CharField(label="Comment", widget=forms.Textarea(attrs={"rows": 3}), max_length=20_000)
    internal = forms.BooleanField(
        required=False, label="Internal note (only the channel team sees it)", help_text="Never shown to the partner."
    )

    def __init__(self, *args, allow_internal: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not allow_internal:
            del self.fields["internal"]
        _style(self)


class NoteForm(forms.Form):
    """A status change with an optional note (required to reopen: the service says so under this field)."""

    note = forms.CharField(label="Note", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)
