from rest_framework.routers import SimpleRouter

from .views import SellOutLineViewSet

app_name = "sellout-api"

router = SimpleRouter()
router.register("sellout", SellOutLineViewSet, basename="sellout")

urlpatterns = router.urls
