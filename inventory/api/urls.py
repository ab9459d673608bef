from rest_framework.routers import SimpleRouter

from .views import InventoryViewSet

app_name = "inventory-api"

router = SimpleRouter()
router.register("inventory", InventoryViewSet, basename="inventory")

urlpatterns = router.urls
