from rest_framework.routers import SimpleRouter

from .views import DealViewSet

app_name = "deals-api"

router = SimpleRouter()
router.register("deals", DealViewSet, basename="deal")

urlpatterns = router.urls
