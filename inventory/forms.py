"""Forms for reporting a few products by hand and for uploading a CSV file."""

from __future__ import annotations

from pathlib import Path

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from catalog.models import Product
from core.widgets import SearchSelect

from .imports import max_upload_bytes
from .validation import MAX_COUNT

ALLOWED_EXTENSIONS = {".csv", ".txt"}


class InventoryRowForm(forms.Form):
    """One product's stock position on one date."""

    product = forms.ModelChoiceField(
        queryset=Product.objects.filter(is_active=True),
        widget=SearchSelect("lookup:products", placeholder="Type a SKU or name…"),
        error_messages={"invalid_choice": "Choose an active product from the catalog."},
    )
    date = forms.DateField(initial=lambda: timezone.now().date(), widget=forms.DateInput(attrs={"type": "date"}))
    on_hand = forms.IntegerField(label="On hand", min_value=0, max_value=MAX_COUNT)
    units_sold = forms.IntegerField(label="Units sold", min_value=0, max_value=MAX_COUNT)
    on_order = forms.IntegerField(label="On order", min_value=0, max_value=MAX_COUNT, required=False, initial=0)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            css = "form-select" if name == "product" else "form-control"
            field.widget.attrs.setdefault("class", css)

    def has_changed(self) -> bool:
        """A row counts as filled once a product or a count is entered; the pre-filled date alone does not."""
        values = {name: (self[name].data or "").strip() for name in ("product", "on_hand", "units_sold", "on_order")}
        return bool(
            values["product"] or values["on_hand"] or values["units_sold"] or values["on_order"] not in ("", "0")
        )

    def clean_date(self):
        day = self.cleaned_data["date"]
        if day > timezone.now().date():
            raise ValidationError("The date cannot be in the future.")
        return day

    def clean_on_order(self):
        value = self.cleaned_data.get("on_order")
        return 0 if value is None else value


class BaseInventoryRowFormSet(forms.BaseFormSet):
    """Rows left blank are ignored; the product list is read once for every row."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._product_choices = [("", "---------")] + [
            (str(p.pk), str(p)) for p in Product.objects.filter(is_active=True).only("pk", "sku", "name")
        ]
        for form in self.forms:
            form.fields["product"].choices = self._product_choices

    def clean(self):
        if any(self.errors):
            return
        seen: dict[tuple, int] = {}
        filled = 0
        for number, form in enumerate(self.forms, start=1):
            data = form.cleaned_data
            if not data:
                continue
            filled += 1
            key = (data["product"].pk, data["date"])
            if key in seen:
                raise ValidationError(
                    f"Rows {seen[key]} and {number} are for the same product and date; keep one of them."
                )
            seen[key] = number
        if not filled:
            raise ValidationError("Fill in at least one row.")

    def rows(self) -> list[dict]:
        return [
            {key: form.cleaned_data[key] for key in ("product", "date", "on_hand", "units_sold", "on_order")}
            for form in self.forms
            if form.cleaned_data
        ]


InventoryRowFormSet = forms.formset_factory(
    InventoryRowForm, formset=BaseInventoryRowFormSet, extra=5, max_num=50, validate_max=True
)


class InventoryUploadForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text="UTF-8 CSV with the columns sku, date, on_hand, units_sold, on_order.",
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": ".csv,text/csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        extension = Path(upload.name).suffix.lower()
        if extension not in ALLOWED_EXTENSIONS:
            raise ValidationError(
                f"“{upload.name}” is not a CSV file. Save the sheet as “CSV UTF-8 (.csv)” and upload that."
            )
        limit = max_upload_bytes()
        if upload.size > limit:
            raise ValidationError(
                f"The file is {upload.size / 1_048_576:.1f} MB; the limit is {limit // 1_048_576} MB. Split it."
            )
        return upload

    def content(self) -> bytes:
        return b"".join(self.cleaned_data["file"].chunks())
