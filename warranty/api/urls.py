from rest_framework.routers import SimpleRouter

from .views import ClaimViewSet, FailureCodeViewSet

app_name = "warranty-api"

router = SimpleRouter()
router.register("claims", ClaimViewSet, basename="claim")
router.register("failure-codes", FailureCodeViewSet, basename="failure-code")

urlpatterns = router.urls
