"""Filter sets of the integration lists (the API's)."""

import django_filters

from .models import WebhookDelivery


class WebhookDeliveryFilterSet(django_filters.FilterSet):
    endpoint = django_filters.NumberFilter(field_name="endpoint_id")

    class Meta:
        model = WebhookDelivery
        fields = ["endpoint", "status", "event_type"]
