from rest_framework.routers import SimpleRouter

from .views import ApiTokenViewSet, WebhookDeliveryViewSet, WebhookEndpointViewSet

router = SimpleRouter()
router.register("tokens", ApiTokenViewSet, basename="token")
router.register("webhooks", WebhookEndpointViewSet, basename="webhook")
router.register("webhook-deliveries", WebhookDeliveryViewSet, basename="webhook-delivery")

urlpatterns = router.urls
