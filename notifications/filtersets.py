"""The notification list's filters, shared by the page, its export and the API."""

import django_filters
from django_filters.widgets import BooleanWidget

from .models import Notification


class NotificationFilterSet(django_filters.FilterSet):
    # BooleanWidget reads "1"/"0" as well as "true"/"false": the page links to ?unread=1.
    unread = django_filters.BooleanFilter(
        field_name="read_at", lookup_expr="isnull", label="Unread only", widget=BooleanWidget()
    )

    class Meta:
        model = Notification
        fields = ["unread", "verb"]
