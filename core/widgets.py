"""Pickers that search: a select that renders only what is chosen and asks the server for the rest.

A choice list of thousands of partners or customers is slow to render (the partner list's filter
options took about 60 % of that page's server time on the large data set) and unusable to scroll.
`SearchSelect` and `SearchSelectMultiple` render only the selected option(s), plus the empty one,
and carry the address of a JSON lookup (`data-search-url`, see `core.lookups`); `static/js/pickers.js`
turns every such select into a Tom Select that searches there as the user types. Without JavaScript
the select keeps its current value and the form still submits.

The field keeps its full queryset (or choices), so what is submitted is validated exactly as before:
through the same scoped queryset the lookup searches.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.forms.models import ModelChoiceIterator
from django.urls import reverse


class SearchSelectMixin:
    """Render the selected options only; point the browser at `search_url` (a URL name) for the others."""

    def __init__(
        self,
        search_url: str,
        attrs: dict[str, Any] | None = None,
        *,
        params: dict[str, str] | None = None,
        min_chars: int = 1,
        placeholder: str = "Type to search…",
    ) -> None:
        super().__init__(attrs)
        self.search_url = search_url
        self.params = params or {}
        self.min_chars = min_chars
        self.placeholder = placeholder

    def __deepcopy__(self, memo: dict) -> SearchSelectMixin:
        copy = super().__deepcopy__(memo)
        copy.params = dict(self.params)
        return copy

    def search_address(self) -> str:
        """The lookup's address with its fixed parameters (e.g. only distributors)."""
        url = reverse(self.search_url)
        return f"{url}?{urlencode(self.params)}" if self.params else url

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        attrs = {
            **(attrs or {}),
            "data-search-url": self.search_address(),
            "data-search-min": str(self.min_chars),
            "data-placeholder": self.placeholder,
        }
        return super().get_context(name, value, attrs)

    def selected_choices(self, values: set[str]) -> Iterable[tuple[Any, Any]]:
        """The empty choice and the chosen ones: one query for a model field, no scan of the whole list."""
        choices = self.choices
        if isinstance(choices, ModelChoiceIterator):
            field = choices.field
            if field.empty_label is not None and not self.allow_multiple_selected:
                yield ("", field.empty_label)
            keys = [v for v in values if v != ""]
            if not keys:
                return
            key = field.to_field_name or "pk"
            try:
                objects = list(choices.queryset.filter(**{f"{key}__in": keys}))
            except (ValueError, TypeError):  # a value that is not an id (typed by hand): nothing to show
                return
            # Forged or stale ids are simply absent: the field's own validation reports them.
            for obj in objects:
                yield choices.choice(obj)
            return
        for option_value, label in choices:
            if isinstance(label, list | tuple):  # an option group
                for inner_value, inner_label in label:
                    if str(inner_value) in values:
                        yield (inner_value, inner_label)
            elif option_value in ("", None) or str(option_value) in values:
                yield (option_value, label)

    def optgroups(self, name: str, value: list[Any], attrs: dict[str, Any] | None = None) -> list:
        values = {str(v) for v in value if v is not None}
        groups = []
        for index, (option_value, label) in enumerate(self.selected_choices(values)):
            if option_value is None:
                option_value = ""
            selected = str(option_value) in values
            groups.append((None, [self.create_option(name, option_value, label, selected, index, attrs=attrs)], index))
        return groups


class SearchSelect(SearchSelectMixin, forms.Select):
    """One choice among many, searched on the server (see the module docstring)."""


class SearchSelectMultiple(SearchSelectMixin, forms.SelectMultiple):
    """Several choices among many, searched on the server."""
