"""The period and filter bar shared by every dashboard; it lives in the query string so views can be bookmarked."""

from __future__ import annotations

import re
from datetime import date
from typing import Any
from urllib.parse import urlencode

from dateutil.relativedelta import relativedelta
from django import forms
from django.utils import timezone

from analytics.selectors import Scope
from catalog.models import ProductLine
from partners.models import Partner, Region, Tier

from .periods import Period, default_period, month_start, months_between

MONTH_RE = re.compile(r"^(\d{4})-(\d{1,2})$")
MAX_CUSTOM_MONTHS = 60
FILTER_NAMES = ("tier", "region", "partner_type", "product_line")
PERIOD_NAMES = ("period", "month", "start", "end")


class MonthField(forms.Field):
    """A calendar month typed as YYYY-MM (an `<input type="month">` where the browser has one)."""

    widget = forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM", "pattern": r"\d{4}-\d{2}"})
    default_error_messages = {"invalid": "Enter a month as YYYY-MM, e.g. 2026-03."}

    def to_python(self, value: Any) -> date | None:
        if value in self.empty_values:
            return None
        if isinstance(value, date):
            return month_start(value)
        match = MONTH_RE.match(str(value).strip())
        if not match or not 1 <= int(match.group(2)) <= 12 or not 2000 <= int(match.group(1)) <= 2100:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return date(int(match.group(1)), int(match.group(2)), 1)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, date):
            return value.strftime("%Y-%m")
        return value


class DashboardFilterForm(forms.Form):
    """Period (month, quarter, year or a custom range of months) and partner filters.

    Invalid input never fails the page: the errors are shown beside the fields
    and the default period / no filter is used instead.
    """

    period = forms.ChoiceField(
        choices=[("month", "Month"), ("quarter", "Quarter"), ("year", "Year"), ("custom", "Custom range")],
        required=False,
        label="Period",
    )
    month = MonthField(required=False, label="Month in period", help_text="Any month inside the quarter or year.")
    start = MonthField(required=False, label="From month")
    end = MonthField(required=False, label="To month")
    tier = forms.ModelChoiceField(queryset=Tier.objects.all(), required=False, empty_label="Any tier")
    region = forms.ModelChoiceField(queryset=Region.objects.all(), required=False, empty_label="Any region")
    partner_type = forms.ChoiceField(
        choices=[("", "Any type"), *Partner.Type.choices], required=False, label="Partner type"
    )
    product_line = forms.ModelChoiceField(
        queryset=ProductLine.objects.all(), required=False, empty_label="Any line", label="Product line"
    )

    def __init__(
        self,
        data: Any = None,
        *,
        user: Any = None,
        fields: tuple[str, ...] = FILTER_NAMES,
        allow_custom: bool = True,
        **kwargs: Any,
    ):
        super().__init__(data if data is not None else {}, **kwargs)
        self.today = timezone.now().date()
        if not allow_custom:
            self.fields["period"].choices = [c for c in self.fields["period"].choices if c[0] != "custom"]
            del self.fields["start"], self.fields["end"]
        for name in FILTER_NAMES:
            if name not in fields:
                del self.fields[name]
        region_ids = getattr(user, "region_ids", None) if getattr(user, "is_channel_manager", False) else None
        if "region" in self.fields and region_ids and not getattr(user, "is_superuser", False):
            self.fields["region"].queryset = Region.objects.filter(pk__in=region_ids)
        for field in self.fields.values():
            select = isinstance(field.widget, forms.Select)
            css = "form-select form-select-sm" if select else "form-control form-control-sm"
            field.widget.attrs.setdefault("class", css)

    def clean(self) -> dict:
        cleaned = super().clean()
        kind = cleaned.get("period") or "month"
        latest = month_start(self.today)
        if kind == "custom" and "start" in self.fields:
            start, end = cleaned.get("start"), cleaned.get("end")
            if not start or not end:
                self.add_error("start" if not start else "end", "A custom range needs a first and a last month.")
            elif start > end:
                self.add_error("end", "The last month must not be before the first month.")
            elif months_between(start, end + relativedelta(months=1)) > MAX_CUSTOM_MONTHS:
                self.add_error("end", f"A custom range covers at most {MAX_CUSTOM_MONTHS} months.")
            elif start > latest:
                self.add_error("start", "The range starts in the future.")
        else:
            month = cleaned.get("month")
            if month and month > latest:
                self.add_error("month", "Choose the current month or an earlier one.")
        return cleaned

    @property
    def chosen_period(self) -> Period:
        """The chosen period, or the last complete month when nothing (or nothing valid) was chosen."""
        if not hasattr(self, "_period"):
            self._period = self._resolve_period()
        return self._period

    def _resolve_period(self) -> Period:
        fallback = default_period(self.today)
        if not self.is_valid():
            return fallback
        kind = self.cleaned_data.get("period") or "month"
        if kind == "custom" and "start" in self.fields:
            return Period.custom(self.cleaned_data["start"], self.cleaned_data["end"])
        anchor = self.cleaned_data.get("month") or fallback.start
        return Period.of_kind(kind, anchor)

    @property
    def scope(self) -> Scope:
        """The chosen filters; a field with an error counts as "any"."""
        self.is_valid()  # a field with an error is left out of cleaned_data
        data = self.cleaned_data
        return Scope(
            tier_id=getattr(data.get("tier"), "pk", None),
            region_id=getattr(data.get("region"), "pk", None),
            partner_type=data.get("partner_type") or None,
            product_line_id=getattr(data.get("product_line"), "pk", None),
        )

    def initial_for_display(self) -> None:
        """Show the resolved period in the bar, so the page always says what it is showing."""
        period = self.chosen_period
        if not self.data.get("period"):
            self.data = self.data.copy() if hasattr(self.data, "copy") else dict(self.data)
            self.data["period"] = period.kind
            self.data["month"] = period.start.strftime("%Y-%m")

    def query(self, **overrides: Any) -> str:
        """The query string of the current choice (period and filters), with `overrides` applied."""
        params: dict[str, Any] = {}
        for name in (*PERIOD_NAMES, *FILTER_NAMES):
            value = self.data.get(name) if self.data else None
            if value not in (None, ""):
                params[name] = value
        for name, value in overrides.items():
            if value in (None, ""):
                params.pop(name, None)
            else:
                params[name] = value
        return urlencode(params)
