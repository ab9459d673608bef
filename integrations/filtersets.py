"""Filter sets of the integration lists (the API's)."""

import django_filters

from core.filters import IdFilter

from .models import WebhookDelivery


class WebhookDeliveryFilterSet(django_filters.FilterSet):
    endpoint = IdFilter(field_name="endpoint_id")

    class Meta:
        model = WebhookDelivery
        fields = ["endpoint", "status", "event_type"]
