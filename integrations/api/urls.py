from rest_framework.routers import SimpleRouter

from .views import ApiTokenViewSet, WebhookDeliveryViewSet, WebhookEndpointViewSet

app_name = "integrations-api"

router = SimpleRouter()
router.register("tokens", ApiTokenViewSet, basename="token")
router.register("webhooks", WebhookEndpointViewSet, basename="webhook")
router.register("webhook-deliveries", WebhookDeliveryViewSet, basename="webhook-delivery")

urlpatterns = router.urls
