"""Cursor pagination: constant cost per page however deep, and stable while rows are added.

The page position is the value of the first ordering field (plus an offset
among equal values), so it never counts rows. Every ordering ends with the
primary key, which makes the order total and deterministic.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError
from rest_framework import exceptions
from rest_framework.pagination import CursorPagination

TIE_BREAKERS = ("id", "-id", "pk", "-pk")


class ApiCursorPagination(CursorPagination):
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000
    ordering = ("-id",)
    invalid_cursor_message = "Invalid cursor: use the `next` or `previous` link of a page as given."

    def get_ordering(self, request, queryset, view) -> tuple[str, ...]:
        ordering = tuple(super().get_ordering(request, queryset, view))
        if ordering and ordering[-1] not in TIE_BREAKERS and not any(f.lstrip("-") in ("id", "pk") for f in ordering):
            ordering += ("-id" if ordering[0].startswith("-") else "id",)
        return ordering

    def paginate_queryset(self, queryset, request, view=None):
        try:
            return super().paginate_queryset(queryset, request, view)
        except (ValueError, TypeError, DjangoValidationError, DataError):
            # A cursor edited by hand can carry a position the column cannot hold.
            raise exceptions.ValidationError({self.cursor_query_param: [self.invalid_cursor_message]})

    def decode_cursor(self, request):
        try:
            return super().decode_cursor(request)
        except exceptions.NotFound:
            # A malformed cursor is a bad request, not a missing resource.
            raise exceptions.ValidationError({self.cursor_query_param: [self.invalid_cursor_message]})

    def get_paginated_response_schema(self, schema: dict) -> dict:
        result = super().get_paginated_response_schema(schema)
        result["required"] = ["next", "previous", "results"]
        return result
