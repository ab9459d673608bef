"""Version 1 of the REST API: each app's `api/urls.py` contributes its routes."""

from django.urls import include, path
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView


class ApiRootView(APIView):
    """The entry point: links to the main collections."""

    schema = None
    ROOTS = (
        "partner",
        "region",
        "tier",
        "certification",
        "product",
        "product-line",
        "customer",
        "deal",
        "inventory",
        "claim",
        "failure-code",
        "notification",
        "token",
        "webhook",
        "webhook-delivery",
    )

    def get(self, request, format=None):
        return Response({name: reverse(f"{name}-list", request=request, format=format) for name in self.ROOTS})


urlpatterns = [
    path("", ApiRootView.as_view(), name="api-root"),
    path("", include("partners.api.urls")),
    path("", include("catalog.api.urls")),
    path("", include("customers.api.urls")),
    path("", include("deals.api.urls")),
    path("", include("inventory.api.urls")),
    path("", include("warranty.api.urls")),
    path("", include("notifications.api.urls")),
    path("", include("analytics.api.urls")),
    path("", include("integrations.api.urls")),
]
