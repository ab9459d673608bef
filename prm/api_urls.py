"""Version 1 of the REST API: each app contributes its viewsets to one router."""

from rest_framework.routers import DefaultRouter

from partners.api.views import PartnerViewSet

router = DefaultRouter()
router.register("partners", PartnerViewSet, basename="partner")

urlpatterns = router.urls
