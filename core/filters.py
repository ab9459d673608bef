"""Filter choices through the one visibility rule.

A choice list is data too: the partner list's "Distributor" filter must not name a distributor the
user may not see. `VisibleModelChoiceFilter` offers, and accepts, only the rows of its queryset that the
request's user may see (`Model.objects.visible_to(user)`); without a request (the schema generator) it
offers nothing. Reference data every signed-in user reads (regions, tiers, product lines, products,
failure codes) keeps a plain `ModelChoiceFilter`.
"""

from __future__ import annotations

import django_filters
from django import forms


class VisibleModelChoiceFilter(django_filters.ModelChoiceFilter):
    """A ModelChoiceFilter whose choices are `queryset.visible_to(request.user)`."""

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset.visible_to(getattr(request, "user", None))


def date_bound(field_name: str, lookup_expr: str, label: str) -> django_filters.DateFilter:
    """A 'from' or 'to' date of a list's filter form, with the browser's date picker."""
    from django import forms

    return django_filters.DateFilter(
        field_name=field_name, lookup_expr=lookup_expr, label=label, widget=forms.DateInput(attrs={"type": "date"})
    )


class PageFilterSet(django_filters.FilterSet):
    """A list page's filter set: its fields carry Bootstrap's small form classes, so each list's template
    renders `filter.form` as it is (the API's filter sets inherit the same fields; classes do them no harm)."""

    def __init__(self, *args, **kwargs):
        from django import forms

        super().__init__(*args, **kwargs)
        for field in self.form.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", f"{css} {css}-sm")


# The largest id a database key holds (a signed 64-bit integer).
MAX_ID = 2**63 - 1


class IdFilter(django_filters.NumberFilter):
    """A row's id in the query string: a whole number from 1 to MAX_ID. Anything else ("-1.8e308", "2.5") is a
    clear 400 from the filter form, never a number the database cannot hold (a 500)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)
