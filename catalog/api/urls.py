from rest_framework.routers import SimpleRouter

from .views import ProductLineViewSet, ProductViewSet

app_name = "catalog-api"

router = SimpleRouter()
router.register("products", ProductViewSet, basename="product")
router.register("product-lines", ProductLineViewSet, basename="product-line")

urlpatterns = router.urls
