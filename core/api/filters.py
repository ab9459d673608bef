"""The API's filter backend: django-filter's, with each request's filter set made of the filters it uses.

django-filter copies every declared filter and builds and validates a form field for each on every
request; for the deal list's fifteen filters that was a tenth of a request (docs/benchmarks.md). A
filter whose parameter is absent filters nothing and cannot be invalid, so a request is filtered by a
subclass of the viewset's filter set that keeps only the filters its query string names: the filters,
their validation and their errors are the declared ones. The subclasses are made through the usual
declaration (a parent's filter set to None is left out, as in Django forms) and kept per set of names.
The schema and the pages use the declared classes.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable

import django_filters
from django_filters.rest_framework import DjangoFilterBackend


def used_filter_names(filterset_class: type[django_filters.FilterSet], parameters: Iterable[str]) -> frozenset[str]:
    """The filters a query string uses: a parameter is a filter's name, or its name and a widget suffix."""
    keys = list(parameters)
    return frozenset(
        name for name in filterset_class.base_filters if any(k == name or k.startswith(f"{name}_") for k in keys)
    )


@functools.lru_cache(maxsize=512)
def filterset_of(filterset_class: type[django_filters.FilterSet], names: frozenset[str]):
    """`filterset_class` with only the filters in `names`."""
    left_out = {name: None for name in filterset_class.base_filters if name not in names}
    if not left_out:
        return filterset_class
    fields = getattr(filterset_class.Meta, "fields", None)
    meta_attrs = {"fields": [name for name in fields if name in names]} if isinstance(fields, list | tuple) else {}
    meta = type("Meta", (filterset_class.Meta,), meta_attrs)
    return type(filterset_class.__name__, (filterset_class,), {**left_out, "Meta": meta, "__module__": __name__})


class UsedFiltersBackend(DjangoFilterBackend):
    """DjangoFilterBackend whose filter set holds only the filters the request's query string uses."""

    def get_filterset(self, request, queryset, view):
        if getattr(view, "filterset_class", None) is None:  # `filterset_fields`: a class made per request anyway
            return super().get_filterset(request, queryset, view)
        filterset_class = self.get_filterset_class(view, queryset)
        used = used_filter_names(filterset_class, request.query_params.keys())
        return filterset_of(filterset_class, used)(**self.get_filterset_kwargs(request, queryset, view))
