"""Shared API bases: the visibility rule applied once for every endpoint."""

from __future__ import annotations

import copy
from typing import Any

from django.http import QueryDict
from rest_framework import viewsets


class VisibleQuerysetMixin:
    """`get_queryset()` returns only rows the requesting user may see; other ids answer 404."""

    def get_queryset(self):
        return super().get_queryset().visible_to(self.request.user)


class VisibleReadOnlyModelViewSet(VisibleQuerysetMixin, viewsets.ReadOnlyModelViewSet):
    pass


class VisibleModelViewSet(VisibleQuerysetMixin, viewsets.ModelViewSet):
    pass


class UsedFiltersOnlyMixin:
    """For a FilterSet on the API: copy and validate only the filters the query string uses.

    django-filter deep-copies every declared filter and builds a form class from all of them on each
    request (about 15 % of a deal list request); a filter whose parameter is absent filters nothing, so
    leaving it out changes no result and no error. Goes first in the bases; the pages keep the full set
    (their forms show every filter). A filter's parameters are its name or its name plus a widget suffix.
    """

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None) -> None:
        if queryset is None:
            queryset = self._meta.model._default_manager.all()
        self.is_bound = data is not None
        self.data = data or QueryDict()
        self.queryset = queryset
        self.request = request
        self.form_prefix = prefix
        used = list(self.data.keys())
        self.filters: dict[str, Any] = {
            name: copy.deepcopy(filter_)
            for name, filter_ in self.base_filters.items()
            if any(key == name or key.startswith(f"{name}_") for key in used)
        }
        for filter_ in self.filters.values():
            filter_.model = queryset.model
            filter_.parent = self
