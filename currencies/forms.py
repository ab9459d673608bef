"""The rate file upload form."""

from __future__ import annotations

from django import forms

MAX_UPLOAD_BYTES = 5 * 1024 * 1024


class RateUploadForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text="Columns currency, date, granularity, rate; UTF-8; at most 5 MB.",
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": ".csv,text/csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                f"The file is {upload.size / 1024 / 1024:.1f} MB; rate files are at most 5 MB. Split it."
            )
        return upload
