from rest_framework.routers import SimpleRouter

from .views import ClaimViewSet, FailureCodeViewSet

router = SimpleRouter()
router.register("claims", ClaimViewSet, basename="claim")
router.register("failure-codes", FailureCodeViewSet, basename="failure-code")

urlpatterns = router.urls
