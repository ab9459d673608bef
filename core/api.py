"""Shared API bases: the visibility rule applied once for every endpoint."""

from __future__ import annotations

from rest_framework import viewsets


class VisibleQuerysetMixin:
    """`get_queryset()` returns only rows the requesting user may see; other ids answer 404."""

    def get_queryset(self):
        return super().get_queryset().visible_to(self.request.user)


class VisibleReadOnlyModelViewSet(VisibleQuerysetMixin, viewsets.ReadOnlyModelViewSet):
    pass


class VisibleModelViewSet(VisibleQuerysetMixin, viewsets.ModelViewSet):
    pass
