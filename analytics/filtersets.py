"""Filter sets that add the analytics to a domain list: the manager's partner list filters on health."""

from __future__ import annotations

import django_filters

from partners.filtersets import PartnerFilterSet

from .models import HealthBand, PartnerHealthScore


class PartnerHealthFilterSet(PartnerFilterSet):
    """The partner list page and its export: the partner attributes plus the current health band."""

    band = django_filters.ChoiceFilter(
        choices=[*HealthBand.choices, ("none", "No score")], method="filter_band", label="Health", empty_label="Any"
    )

    class Meta(PartnerFilterSet.Meta):
        fields = [*PartnerFilterSet.Meta.fields, "band"]

    def filter_band(self, queryset, name, value):
        """Partners by current health band; "none" = no current score yet."""
        scored = PartnerHealthScore.objects.filter(is_current=True, score__isnull=False)
        if value == "none":
            return queryset.exclude(pk__in=scored.values("partner_id"))
        return queryset.filter(pk__in=scored.filter(band=value).values("partner_id"))
