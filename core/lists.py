"""One list page: filtered by its FilterSet, sorted by its column headers, paged, and exported.

Every list page (deals, the approval queue, inventory, uploads, claims, notifications, users) is a
`FilteredListView`, which adds to django-filter's FilterView:

- **Export**: `?export=csv` or `?export=xlsx` answers the rows the page lists, with the same filters,
  through the same visibility rule and in the same order, all pages, as a streamed download of the
  view's `export_columns`. Filters that do not parse answer 400 with the reason, never an empty file.
- **Sorting**: `?sort=<key>` ascending, `?sort=-<key>` descending, over the view's `sort_fields`
  whitelist (key → model field path); empty values last either way, the view's `ordering` breaking ties.
  An unknown key is ignored (the default order), never an error page.
- **Pages**: a page number past the end shows the last page, and one that is not a number the first
  (Paginator.get_page), so an old link or a list that shrank never answers 404.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import F, QuerySet
from django.http import HttpResponse, HttpResponseBadRequest, QueryDict
from django_filters.views import FilterView

from .spreadsheets import csv_response, xlsx_response

EXPORT_FORMATS = {"csv": csv_response, "xlsx": xlsx_response}
# Parameters that say how to show a list, not which rows: links that change one keep the others.
VIEW_PARAMS = ("page", "export")


@dataclass(frozen=True)
class ListColumn:
    """One column of a list's export: its heading, how to read it from a row, the kind of value (see Column).

    `accessor` is a dotted attribute path ("partner.name"; a method at the end is called, so
    "get_status_display" works) or a function of the row.
    """

    label: str
    accessor: str | Callable[[Any], Any]
    kind: str = "text"

    def value(self, obj: Any) -> Any:
        if callable(self.accessor):
            return self.accessor(obj)
        value = obj
        for name in self.accessor.split("."):
            if value is None:
                return None
            try:
                value = getattr(value, name)
            except ObjectDoesNotExist:  # an empty one-to-one or unsaved relation reads as empty
                return None
        return value() if callable(value) else value


def parse_sort(value: str | None, allowed: Mapping[str, str]) -> tuple[str, bool] | None:
    """`"-amount"` → ("amount", True); None for an empty or unknown key."""
    value = (value or "").strip()
    key = value.lstrip("-")
    if not key or key not in allowed:
        return None
    return key, value.startswith("-")


def view_query(params: QueryDict, **changes: Any) -> str:
    """The query string of `params` without the view parameters, with `changes` applied (None removes)."""
    query = params.copy()
    for name in VIEW_PARAMS:
        query.pop(name, None)
    for name, value in changes.items():
        if value is None:
            query.pop(name, None)
        else:
            query[name] = value
    return query.urlencode()


class FilteredListMixin:
    """Export, header sorting and forgiving pages for a FilterView (see the module docstring)."""

    export_columns: Sequence[ListColumn] = ()
    export_name: str = "export"
    export_chunk_size = 2000
    sort_fields: Mapping[str, str] = {}
    ordering: Sequence[Any] = ("-pk",)
    sort_param = "sort"

    # --- sorting ------------------------------------------------------------------------------------

    def get_sort(self) -> tuple[str, bool] | None:
        if not hasattr(self, "_sort"):
            self._sort = parse_sort(self.request.GET.get(self.sort_param), self.sort_fields)
        return self._sort

    def sort_queryset(self, queryset: QuerySet) -> QuerySet:
        ordering = list(self.ordering)
        sort = self.get_sort()
        if sort is not None:
            key, descending = sort
            field = F(self.sort_fields[key])
            ordering.insert(0, field.desc(nulls_last=True) if descending else field.asc(nulls_last=True))
        if "pk" not in ordering and "-pk" not in ordering:
            ordering.append("pk")  # a total order: pages never overlap
        return queryset.order_by(*ordering)

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        kwargs["queryset"] = self.sort_queryset(kwargs["queryset"])
        return kwargs

    # --- pages --------------------------------------------------------------------------------------

    def paginate_queryset(self, queryset, page_size):
        paginator = self.get_paginator(
            queryset, page_size, orphans=self.get_paginate_orphans(), allow_empty_first_page=self.get_allow_empty()
        )
        number = self.kwargs.get(self.page_kwarg) or self.request.GET.get(self.page_kwarg) or 1
        page = paginator.get_page(paginator.num_pages if number == "last" else number)
        return paginator, page, page.object_list, page.has_other_pages()

    # --- export -------------------------------------------------------------------------------------

    def get(self, request, *args, **kwargs):
        export = request.GET.get("export")
        if export is not None:
            if export not in EXPORT_FORMATS or not self.export_columns:
                return HttpResponseBadRequest(
                    f"Unknown export format {export!r}: ask for export=csv or export=xlsx.",
                    content_type="text/plain; charset=utf-8",
                )
            return self.export(export)
        return super().get(request, *args, **kwargs)

    def get_export_name(self) -> str:
        return self.export_name

    def export(self, export_format: str) -> HttpResponse:
        """Every row of the filtered list, in its order, streamed in chunks from the database."""
        self.filterset = self.get_filterset(self.get_filterset_class())
        if self.filterset.is_bound and not self.filterset.is_valid() and self.get_strict():
            reasons = "; ".join(f"{name}: {' '.join(errors)}" for name, errors in self.filterset.form.errors.items())
            return HttpResponseBadRequest(
                f"These filters could not be read, so nothing was exported: {reasons}",
                content_type="text/plain; charset=utf-8",
            )
        columns = list(self.export_columns)

        def rows() -> Iterator[list[Any]]:
            for obj in self.filterset.qs.iterator(chunk_size=self.export_chunk_size):
                yield [column.value(obj) for column in columns]

        return EXPORT_FORMATS[export_format](self.get_export_name(), columns, rows())

    # --- context ------------------------------------------------------------------------------------

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        sort = self.get_sort()
        context["list_sort"] = {
            "key": sort[0] if sort else "",
            "desc": sort[1] if sort else False,
            "fields": self.sort_fields,
            "param": self.sort_param,
        }
        context["export_query"] = view_query(self.request.GET) if self.export_columns else None
        return context


class FilteredListView(FilteredListMixin, FilterView):
    """The base of every list page: a FilterView with export, header sorting and forgiving pages."""
