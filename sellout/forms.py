"""Forms of the sell-out pages: the CSV upload and the review of a new end customer."""

from __future__ import annotations

from pathlib import Path

from django import forms
from django.core.exceptions import ValidationError

from core.widgets import SearchSelect
from customers.models import Customer

from .imports import UPLOADS

ALLOWED_EXTENSIONS = {".csv", ".txt"}


class SellOutUploadForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text="UTF-8 CSV with the template's columns (download the template or the example).",
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": ".csv,text/csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if Path(upload.name).suffix.lower() not in ALLOWED_EXTENSIONS:
            raise ValidationError(
                f"“{upload.name}” is not a CSV file. Save the sheet as “CSV UTF-8 (.csv)” and upload that."
            )
        limit = UPLOADS.max_upload_bytes()
        if upload.size > limit:
            raise ValidationError(
                f"The file is {upload.size / 1_048_576:.1f} MB; the limit is {limit // 1_048_576} MB. Split it."
            )
        return upload

    def content(self) -> bytes:
        return b"".join(self.cleaned_data["file"].chunks())


class CandidateCreateForm(forms.Form):
    name = forms.CharField(
        max_length=200,
        required=False,
        help_text="Leave blank to keep the name as reported.",
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    industry = forms.ChoiceField(
        choices=[("", "—"), *Customer.Industry.choices],
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )


class CandidateLinkForm(forms.Form):
    """The picker searches the customers the manager sees (lookup:customers, the visibility rule)."""

    customer = forms.ModelChoiceField(
        queryset=Customer.objects.all(),
        widget=SearchSelect("lookup:customers", placeholder="Type a customer name or domain…"),
        error_messages={"invalid_choice": "Choose a customer from the list."},
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None:
            self.fields["customer"].queryset = Customer.objects.visible_to(user)
        self.fields["customer"].widget.attrs.setdefault("class", "form-select")
