from rest_framework.routers import SimpleRouter

from .views import (
    DataQualityScoreViewSet,
    EcosystemHealthViewSet,
    JobRunViewSet,
    KpiSnapshotViewSet,
    LineSellOutViewSet,
    PartnerHealthScoreViewSet,
    ProductFeedbackViewSet,
    UnconvertedAmountViewSet,
)

app_name = "analytics-api"

router = SimpleRouter()
router.register("analytics/kpis", KpiSnapshotViewSet, basename="kpi-snapshot")
router.register("analytics/health-scores", PartnerHealthScoreViewSet, basename="health-score")
router.register("analytics/ecosystem-health", EcosystemHealthViewSet, basename="ecosystem-health")
router.register("analytics/data-quality", DataQualityScoreViewSet, basename="data-quality")
router.register("analytics/jobs", JobRunViewSet, basename="analytics-job")
router.register("analytics/product-feedback", ProductFeedbackViewSet, basename="product-feedback")
router.register("analytics/unconverted-amounts", UnconvertedAmountViewSet, basename="unconverted-amount")
router.register("analytics/sellout-groups", LineSellOutViewSet, basename="sellout-group")

urlpatterns = router.urls
