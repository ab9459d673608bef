from rest_framework.routers import SimpleRouter

from .views import DealViewSet, LossReasonViewSet

app_name = "deals-api"

router = SimpleRouter()
router.register("deals", DealViewSet, basename="deal")
router.register("loss-reasons", LossReasonViewSet, basename="loss-reason")

urlpatterns = router.urls
