from rest_framework.routers import SimpleRouter

from .views import EdiImportViewSet

app_name = "edi-api"

router = SimpleRouter()
router.register("edi", EdiImportViewSet, basename="edi-import")

urlpatterns = router.urls
