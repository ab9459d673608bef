"""`manage.py check`: every data view of the API declares its scope, so none can forget the visibility rule.

Walks the URL patterns: a DRF view that serves rows (a GenericAPIView) must derive from
core.api.viewsets.ScopedViewSet and declare `scope`; a `visible` viewset's queryset must offer
`visible_to` (and `editable_by` when it writes); a `public` one may only read.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.core.checks import Error, Tags, register
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import SAFE_METHODS

from .viewsets import SCOPE_PUBLIC, SCOPE_VISIBLE, SCOPES, ScopedViewSet


def url_views(resolver: URLResolver | None = None, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """(route, view callback) of every URL pattern, included ones too."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from url_views(pattern, route)
        elif isinstance(pattern, URLPattern):
            yield route, pattern.callback


def _methods(callback: Any) -> set[str]:
    actions = getattr(callback, "actions", None)
    if actions:
        return {method.upper() for method in actions}
    return {method.upper() for method in getattr(callback.cls, "http_method_names", ())}


def scope_errors(views: Iterator[tuple[str, Any]] | None = None) -> list[Error]:
    """One error per API view that serves rows without a declared scope (or with one it does not honour)."""
    errors: list[Error] = []
    for route, callback in views if views is not None else url_views():
        cls = getattr(callback, "cls", None)
        if cls is None or not issubclass(cls, GenericAPIView):
            continue
        name = f"{cls.__module__}.{cls.__qualname__}"
        if not issubclass(cls, ScopedViewSet):
            errors.append(Error(f"{name} (/{route}) does not derive from ScopedViewSet.", id="prm_api.E001"))
            continue
        if cls.scope not in SCOPES:
            errors.append(
                Error(
                    f"{name} (/{route}) declares no scope.",
                    hint=f"Set `scope` to one of {SCOPES}: {SCOPE_VISIBLE} for partner data, "
                    f"{SCOPE_PUBLIC} for reference data every signed-in user reads.",
                    id="prm_api.E002",
                )
            )
            continue
        if cls.queryset is None:
            errors.append(Error(f"{name} (/{route}) has no `queryset` to restrict.", id="prm_api.E003"))
            continue
        writes = _methods(callback) - set(SAFE_METHODS)
        if cls.scope == SCOPE_PUBLIC and writes:
            errors.append(
                Error(f"{name} (/{route}) is public reference data but accepts {sorted(writes)}.", id="prm_api.E004")
            )
        if cls.scope == SCOPE_VISIBLE:
            needed = ["visible_to", *(["editable_by"] if writes else [])]
            missing = [method for method in needed if not hasattr(cls.queryset, method)]
            if missing:
                errors.append(
                    Error(
                        f"{name} (/{route}): the queryset of {cls.queryset.model.__name__} has no {missing}.",
                        id="prm_api.E005",
                    )
                )
    return errors


@register(Tags.urls)
def check_api_scopes(app_configs=None, **kwargs) -> list[Error]:
    return scope_errors()
