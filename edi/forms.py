"""The interchange upload form (portal and manager pages)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from .services import max_bytes


class EdiUploadForm(forms.Form):
    file = forms.FileField(
        label="X12 interchange",
        help_text="An 852 (product activity) or 867 (product transfer and resale) interchange, 4010 or 5010.",
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": ".edi,.x12,.txt,.dat,.852,.867"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = max_bytes()
        if upload.size > limit:
            raise ValidationError(
                f"The file is {upload.size / 1_048_576:.1f} MB; the limit is {limit // 1_048_576} MB. Split it."
            )
        return upload

    def content(self) -> bytes:
        return b"".join(self.cleaned_data["file"].chunks())
