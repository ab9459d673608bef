import django_filters
from django.db.models import Q
from django_countries import countries

from core.filters import PageFilterSet, VisibleModelChoiceFilter
from core.widgets import SearchSelect

from .models import Certification, Partner, Region, Tier


class PartnerFilterSet(PageFilterSet):
    """The partner attributes every partner list filters on (the API's; the page adds health, see analytics)."""

    q = django_filters.CharFilter(method="search", label="Search")
    tier = django_filters.ModelChoiceFilter(queryset=Tier.objects.all())
    region = django_filters.ModelChoiceFilter(queryset=Region.objects.all())
    country = django_filters.ChoiceFilter(
        choices=lambda: list(countries),
        widget=SearchSelect("lookup:countries", placeholder="Type a country…"),
    )
    parent = VisibleModelChoiceFilter(
        queryset=Partner.objects.filter(partner_type=Partner.Type.DISTRIBUTOR).only("pk", "name"),
        label="Distributor",
        widget=SearchSelect(
            "lookup:partners", params={"type": Partner.Type.DISTRIBUTOR}, placeholder="Type a distributor…"
        ),
    )

    class Meta:
        model = Partner
        fields = ["q", "status", "partner_type", "tier", "region", "country", "parent"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.form.fields.values():
            if getattr(field, "empty_label", None) is not None:
                field.empty_label = "Any"
                field.widget.choices = field.choices  # the widget copied the choices with the old label

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(website__icontains=value))


class CertificationFilterSet(django_filters.FilterSet):
    partner = VisibleModelChoiceFilter(queryset=Partner.objects.all())
    valid_on = django_filters.DateFilter(method="filter_valid_on", label="Valid on")
    expires_before = django_filters.DateFilter(field_name="expires_on", lookup_expr="lt")

    class Meta:
        model = Certification
        fields = ["partner", "product_line", "valid_on", "expires_before"]

    def filter_valid_on(self, queryset, name, value):
        return queryset.valid_on(value)
