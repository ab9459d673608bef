"""The filters of the activation rates page (a grouped table of the stored figures, not a model list)."""

from __future__ import annotations

from django import forms

from catalog.models import ProductLine
from partners.models import Region, Tier

from .selectors import DEFAULT_WINDOW, WINDOWS

SORTS = {
    "-sold": "Units sold (most first)",
    "-share": "Share activated (highest first)",
    "share": "Share activated (lowest first)",
    "-base": "Installed base (largest first)",
    "partner": "Partner (A to Z)",
}


class RatesFilterForm(forms.Form):
    months = forms.TypedChoiceField(
        label="Window",
        choices=[(m, f"Last {m} months") for m in WINDOWS],
        coerce=int,
        initial=DEFAULT_WINDOW,
        required=False,
    )
    product_line = forms.ModelChoiceField(
        queryset=ProductLine.objects.order_by("name"), required=False, empty_label="Any line"
    )
    region = forms.ModelChoiceField(queryset=Region.objects.order_by("name"), required=False, empty_label="Any region")
    tier = forms.ModelChoiceField(
        queryset=Tier.objects.order_by("rank", "name"), required=False, empty_label="Any tier"
    )
    q = forms.CharField(label="Partner name", required=False, max_length=100)
    sort = forms.ChoiceField(choices=list(SORTS.items()), required=False, initial="-sold")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", f"{css} {css}-sm")

    def value(self, name: str):
        """The cleaned value, or the default when the field was empty or invalid (a bad value filters nothing)."""
        data = self.cleaned_data if self.is_valid() else {}
        value = data.get(name)
        if value in (None, ""):
            return self.fields[name].initial
        return value
