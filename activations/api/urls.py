from rest_framework.routers import SimpleRouter

from .views import ActivationViewSet, UsageRecordViewSet

app_name = "activations-api"

router = SimpleRouter()
router.register("activations", ActivationViewSet, basename="activation")
router.register("usage", UsageRecordViewSet, basename="usage")

urlpatterns = router.urls
