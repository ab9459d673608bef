from rest_framework.routers import SimpleRouter

from .views import DealViewSet

router = SimpleRouter()
router.register("deals", DealViewSet, basename="deal")

urlpatterns = router.urls
