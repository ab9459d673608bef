"""Version 1 of the REST API: each app's `api/urls.py` contributes its routes, named in the app's namespace
(`deals-api:deal-list`, `deals-api:deal-detail`, `deals-api:deal-approve`, …)."""

from django.urls import include, path
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView


class ApiRootView(APIView):
    """The entry point: links to the main collections."""

    schema = None
    ROOTS = (
        "partners-api:partner",
        "partners-api:region",
        "partners-api:tier",
        "partners-api:certification",
        "catalog-api:product",
        "catalog-api:product-line",
        "customers-api:customer",
        "deals-api:deal",
        "inventory-api:inventory",
        "sellout-api:sellout",
        "warranty-api:claim",
        "warranty-api:failure-code",
        "activations-api:activation",
        "activations-api:usage",
        "support-api:ticket",
        "support-api:ticket-category",
        "support-api:sla-policy",
        "notifications-api:notification",
        "integrations-api:token",
        "integrations-api:webhook",
        "integrations-api:webhook-delivery",
        "currencies-api:rate",
        "edi-api:edi-import",
    )

    def get(self, request, format=None):
        return Response(
            {name.partition(":")[2]: reverse(f"{name}-list", request=request, format=format) for name in self.ROOTS}
        )


urlpatterns = [
    path("", ApiRootView.as_view(), name="api-root"),
    path("", include("partners.api.urls")),
    path("", include("catalog.api.urls")),
    path("", include("customers.api.urls")),
    path("", include("deals.api.urls")),
    path("", include("inventory.api.urls")),
    path("", include("sellout.api.urls")),
    path("", include("warranty.api.urls")),
    path("", include("activations.api.urls")),
    path("", include("support.api.urls")),
    path("", include("notifications.api.urls")),
    path("", include("analytics.api.urls")),
    path("", include("integrations.api.urls")),
    path("", include("currencies.api.urls")),
    path("", include("edi.api.urls")),
]
