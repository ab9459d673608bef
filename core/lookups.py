"""JSON lookups behind the pickers that search (`core.widgets.SearchSelect`).

A lookup answers `GET …?q=text` with `{"results": [{"id": "12", "text": "…"}], "more": false}`: at most
`limit` rows, ordered, in one query. Each one declares `get_queryset()` through the model's visibility
rule (`visible_to(user)`), so a picker offers exactly what the form behind it accepts, and a partner
never finds another partner's rows. An empty `q` answers the first rows (shown when the picker opens).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import QuerySet
from django.http import HttpRequest, JsonResponse
from django.views import View
from django_countries import countries

MAX_QUERY_LENGTH = 100


class LookupView(LoginRequiredMixin, View):
    """The shape every lookup shares; subclasses say what is searched, how, and how a row reads."""

    http_method_names = ["get"]
    raise_exception = True  # a JSON client is told 403, not sent to the login page
    limit = 20
    ordering: tuple[str, ...] = ("pk",)

    def get_queryset(self) -> QuerySet:
        raise NotImplementedError

    def search(self, queryset: QuerySet, text: str) -> QuerySet:
        raise NotImplementedError

    def label(self, obj: Any) -> str:
        return str(obj)

    def rows(self, text: str) -> list[Any]:
        queryset = self.get_queryset()
        if text:
            queryset = self.search(queryset, text)
        return list(queryset.order_by(*self.ordering)[: self.limit + 1])

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
        text = request.GET.get("q", "").strip()[:MAX_QUERY_LENGTH]
        rows = self.rows(text)
        results = [{"id": str(obj.pk), "text": self.label(obj)} for obj in rows[: self.limit]]
        return JsonResponse({"results": results, "more": len(rows) > self.limit})


class CountryLookupView(LookupView):
    """ISO 3166 countries by name or code: reference data, the same for everyone signed in."""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
        text = request.GET.get("q", "").strip()[:MAX_QUERY_LENGTH].lower()
        matches = [
            {"id": code, "text": str(name)}
            for code, name in countries
            if not text or text in str(name).lower() or text == code.lower()
        ]
        return JsonResponse({"results": matches[: self.limit], "more": len(matches) > self.limit})
