from rest_framework.routers import SimpleRouter

from .views import CertificationViewSet, PartnerViewSet, RegionViewSet, TierViewSet

app_name = "partners-api"

router = SimpleRouter()
router.register("partners", PartnerViewSet, basename="partner")
router.register("regions", RegionViewSet, basename="region")
router.register("tiers", TierViewSet, basename="tier")
router.register("certifications", CertificationViewSet, basename="certification")

urlpatterns = router.urls
