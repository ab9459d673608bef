from rest_framework.routers import SimpleRouter

from .views import SlaPolicyViewSet, TicketCategoryViewSet, TicketViewSet

app_name = "support-api"

router = SimpleRouter()
router.register("tickets", TicketViewSet, basename="ticket")
router.register("ticket-categories", TicketCategoryViewSet, basename="ticket-category")
router.register("sla-policies", SlaPolicyViewSet, basename="sla-policy")

urlpatterns = router.urls
