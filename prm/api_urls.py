"""Version 1 of the REST API: each app's `api/urls.py` contributes its routes."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from partners.api.views import PartnerViewSet

router = DefaultRouter()
router.register("partners", PartnerViewSet, basename="partner")

urlpatterns = [
    path("", include("deals.api.urls")),
    path("", include("inventory.api.urls")),
    path("", include("warranty.api.urls")),
    path("", include("notifications.api.urls")),
    path("", include("analytics.api.urls")),
    path("", include("integrations.api.urls")),
    *router.urls,
]
