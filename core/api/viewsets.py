"""The one base of every API viewset: its rows pass through the visibility rule, declared once per viewset.

Every viewset declares `scope`:

- `SCOPE_VISIBLE`: reads see `Model.objects.visible_to(user)` and writes act on `editable_by(user)`
  (core/visibility.py), so an object outside the user's view answers 404, exactly as a missing one,
  and an object the user reads but may not change (a distributor's view of a reseller's row) 403;
- `SCOPE_PUBLIC`: reference data (products, regions, tiers, …) that every signed-in user reads; such a
  viewset only reads.

The restriction is applied in `initial()`, after authentication and before any handler runs, to the
viewset's `queryset`, which every handler, filter and lookup starts from (as NetBox's BaseViewSet does).
A viewset without a scope, or a view under the API's URLs that does not derive from `ScopedViewSet`,
fails `manage.py check` (core/api/checks.py) and the test that walks the URL patterns.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404
from rest_framework import mixins, viewsets
from rest_framework.permissions import SAFE_METHODS

from core.exceptions import ActionNotPermittedError

SCOPE_VISIBLE = "visible"
SCOPE_PUBLIC = "public"
SCOPES = (SCOPE_VISIBLE, SCOPE_PUBLIC)


def restrict(queryset: QuerySet, *, user: Any, scope: str, method: str) -> QuerySet:
    """`queryset` as `user` may use it for a request of `method` under `scope`."""
    if scope == SCOPE_PUBLIC:
        return queryset
    if scope != SCOPE_VISIBLE:
        raise ValueError(f"unknown API scope {scope!r}; use one of {SCOPES}")
    if method in SAFE_METHODS:
        return queryset.visible_to(user)
    return queryset.editable_by(user)


class ScopedViewSet(viewsets.GenericViewSet):
    """GenericViewSet whose `queryset` is restricted to the requesting user before any handler runs."""

    scope: ClassVar[str | None] = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.scope is not None and cls.scope not in SCOPES:
            raise TypeError(f"{cls.__qualname__}.scope is {cls.scope!r}; use one of {SCOPES}")

    def initial(self, request, *args, **kwargs) -> None:
        super().initial(request, *args, **kwargs)  # authentication, permissions, rate limit
        if self.queryset is not None:
            # A method this viewset does not handle answers 405 next; it reads nothing, so the read rule will do.
            handled = request.method.lower() in self.http_method_names and hasattr(self, request.method.lower())
            method = request.method if handled else "GET"
            self.queryset = restrict(self.queryset, user=request.user, scope=self.scope, method=method)

    def get_object(self) -> Any:
        """As DRF's, except that a write to an object the user can only read answers 403, not 404."""
        try:
            return super().get_object()
        except Http404:
            if self.scope == SCOPE_VISIBLE and self.request.method not in SAFE_METHODS:
                self._refuse_read_only()
            raise

    def _refuse_read_only(self) -> None:
        lookup = self.lookup_url_kwarg or self.lookup_field
        readable = type(self).queryset.visible_to(self.request.user)
        try:
            shown = readable.filter(**{self.lookup_field: self.kwargs[lookup]}).first()
        except (TypeError, ValueError, ValidationError):
            return
        if shown is not None:
            self.refuse_change(shown)

    def refuse_change(self, obj: Any) -> None:
        """Say why the user may read `obj` but not change it (a viewset whose rule has its own words overrides)."""
        raise ActionNotPermittedError(f"Your view of {obj} is read-only.")


class ReadOnlyScopedViewSet(mixins.RetrieveModelMixin, mixins.ListModelMixin, ScopedViewSet):
    """Rows you may see; any other id answers 404, exactly as a missing one."""


class ScopedModelViewSet(
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    mixins.ListModelMixin,
    ScopedViewSet,
):
    """Create, read, change and delete; reads and writes each restricted by the visibility rule."""
