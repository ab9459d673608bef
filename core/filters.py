"""Filter choices through the one visibility rule.

A choice list is data too: the partner list's "Distributor" filter must not name a distributor the
user may not see. `VisibleModelChoiceFilter` offers, and accepts, only the rows of its queryset that the
request's user may see (`Model.objects.visible_to(user)`); without a request (the schema generator) it
offers nothing. Reference data every signed-in user reads (regions, tiers, product lines, products,
failure codes) keeps a plain `ModelChoiceFilter`.
"""

from __future__ import annotations

import django_filters


class VisibleModelChoiceFilter(django_filters.ModelChoiceFilter):
    """A ModelChoiceFilter whose choices are `queryset.visible_to(request.user)`."""

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset.visible_to(getattr(request, "user", None))
