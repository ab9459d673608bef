"""Analytics over the API: KPI values, health scores, ecosystem health, peer benchmarks and recompute jobs.

All read the analytics tables (nothing aggregates raw rows in a request) through the
visibility rule of each model; starting a recompute goes through the same service
as the admin action.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from analytics import selectors, services
from analytics.filtersets import (
    DataQualityFilterSet,
    EcosystemHealthFilterSet,
    HealthScoreFilterSet,
    KpiSnapshotFilterSet,
    LineSellOutFilterSet,
    ProductFeedbackMonthFilterSet,
    UnconvertedAmountFilterSet,
)
from analytics.models import (
    DataQualityScore,
    Dimension,
    EcosystemHealth,
    Granularity,
    JobRun,
    KpiSnapshot,
    LineSellOut,
    ProductFeedbackMonth,
    UnconvertedAmount,
    ecosystem_reader,
    kpi_dimension_refusal,
)
from analytics.models import PartnerHealthScore as Score
from core.api.viewsets import SCOPE_VISIBLE, ReadOnlyScopedViewSet, ScopedViewSet
from partners.models import Partner

from .serializers import (
    BenchmarkSerializer,
    DataQualityScoreSerializer,
    EcosystemHealthSerializer,
    JobRunCreateSerializer,
    JobRunSerializer,
    KpiSnapshotSerializer,
    LineSellOutSerializer,
    PartnerHealthScoreSerializer,
    ProductFeedbackMonthSerializer,
    UnconvertedAmountSerializer,
)


class BenchmarkQuerySerializer(serializers.Serializer):
    partner = serializers.IntegerField(min_value=1)
    period_start = serializers.DateField()
    granularity = serializers.ChoiceField(choices=Granularity.choices, default=Granularity.MONTH)


class KpiSnapshotViewSet(ReadOnlyScopedViewSet):
    """KPI values per scope and period, by `KpiSnapshot.objects.visible_to`: partners their own rows (and
    a distributor its resellers' deal and stock columns); managers limited to regions their partners' and
    regions' rows; other managers every row. Asking for a kind of row one may not read answers 403."""

    scope = SCOPE_VISIBLE
    queryset = KpiSnapshot.objects.all()
    serializer_class = KpiSnapshotSerializer
    filterset_class = KpiSnapshotFilterSet
    ordering_fields = ["id", "period_start"]
    ordering = ("period_start",)
    lookup_value_regex = r"\d+"

    def list(self, request, *args, **kwargs):
        dimension = request.query_params.get("dimension")
        if dimension in Dimension.values:
            refusal = kpi_dimension_refusal(request.user, dimension)
            if refusal:
                raise PermissionDenied(refusal)
        return super().list(request, *args, **kwargs)

    @extend_schema(
        parameters=[
            OpenApiParameter("partner", int, required=True),
            OpenApiParameter("period_start", OpenApiTypes.DATE, required=True),
            OpenApiParameter("granularity", str, enum=Granularity.values),
        ],
        responses={200: BenchmarkSerializer(many=True)},
    )
    @action(detail=False, url_path="benchmarks", filterset_class=None, pagination_class=None)
    def benchmarks(self, request):
        """Anonymised benchmarks of a partner's tier (quartiles and median per KPI, never names)."""
        query = BenchmarkQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        partner = get_object_or_404(Partner.objects.visible_to(request.user), pk=query.validated_data["partner"])
        data = selectors.peer_benchmarks(
            user=request.user,
            partner=partner,
            granularity=query.validated_data["granularity"],
            period_start=query.validated_data["period_start"],
        )
        return Response([{"kpi": name, **values} for name, values in data.items()])


class PartnerHealthScoreViewSet(ReadOnlyScopedViewSet):
    """Health scores with their components and explanations (current and monthly history)."""

    scope = SCOPE_VISIBLE
    queryset = Score.objects.select_related("tier")
    serializer_class = PartnerHealthScoreSerializer
    filterset_class = HealthScoreFilterSet
    ordering_fields = ["id", "as_of", "score"]
    ordering = ("-id",)
    lookup_value_regex = r"\d+"


class DataQualityScoreViewSet(ReadOnlyScopedViewSet):
    """Data-quality scores per partner and month with their components, facts and findings (what to fix):
    partners read their own, managers their partners'; a distributor does not read its resellers'.
    `?latest=true` keeps each partner's latest complete month."""

    scope = SCOPE_VISIBLE
    queryset = DataQualityScore.objects.all()
    serializer_class = DataQualityScoreSerializer
    filterset_class = DataQualityFilterSet
    ordering_fields = ["id", "month", "score"]
    ordering = ("-month", "partner_id")
    lookup_value_regex = r"\d+"


class EcosystemHealthViewSet(ReadOnlyScopedViewSet):
    """The ecosystem's health over time, with the vendor's revenue concentration: channel-wide figures for
    superusers and managers with no region limit (partners only if PRM_PARTNERS_SEE_ECOSYSTEM); 403 for others."""

    scope = SCOPE_VISIBLE
    queryset = EcosystemHealth.objects.all()
    serializer_class = EcosystemHealthSerializer
    filterset_class = EcosystemHealthFilterSet
    ordering_fields = ["id", "as_of"]
    ordering = ("-as_of",)
    lookup_value_regex = r"\d+"

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not ecosystem_reader(request.user):
            raise PermissionDenied(
                "Ecosystem health adds up every partner of the channel; it is shown to channel managers who "
                "cover every region. Read the health of your partners at /api/v1/analytics/health-scores/."
                if request.user.is_channel_manager
                else "Ecosystem health covers the whole channel and is not shared with partners."
            )


class JobRunViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, ScopedViewSet):
    """Recompute jobs and their progress (channel managers). POST starts a recompute and answers 202."""

    scope = SCOPE_VISIBLE
    queryset = JobRun.objects.all()
    serializer_class = JobRunSerializer
    filterset_fields = ["kind", "status"]
    ordering_fields = ["id", "created_at"]
    ordering = ("-id",)
    lookup_value_regex = r"\d+"

    @extend_schema(request=JobRunCreateSerializer, responses={202: JobRunSerializer})
    def create(self, request, *args, **kwargs):
        body = JobRunCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        run = services.recompute_start(kind=body.validated_data["kind"], user=request.user)
        return Response(JobRunSerializer(run).data, status=status.HTTP_202_ACCEPTED)


class ProductFeedbackViewSet(ReadOnlyScopedViewSet):
    """Product feedback per product, month and scope (units sold, claims, lost deals, the claim warning), by
    `ProductFeedbackMonth.objects.visible_to`: managers who see every region read the channel rows, managers
    limited to regions the rows of their regions; partners read none (an empty list, 404 for an id)."""

    scope = SCOPE_VISIBLE
    queryset = ProductFeedbackMonth.objects.select_related("product")
    serializer_class = ProductFeedbackMonthSerializer
    filterset_class = ProductFeedbackMonthFilterSet
    ordering_fields = ["id", "month", "claims_submitted", "units_sold"]
    ordering = ("month", "product_id", "id")
    lookup_value_regex = r"\d+"


class UnconvertedAmountViewSet(ReadOnlyScopedViewSet):
    """Amounts the stored money figures leave out because their currency had no rate at the transaction's date,
    per kind (won deals, open pipeline), currency and month (channel managers; partners see none)."""

    scope = SCOPE_VISIBLE
    queryset = UnconvertedAmount.objects.all()
    serializer_class = UnconvertedAmountSerializer
    filterset_class = UnconvertedAmountFilterSet
    ordering_fields = ["id", "month", "currency"]
    ordering = ("-month", "currency", "kind")
    lookup_value_regex = r"\d+"


class LineSellOutViewSet(mixins.ListModelMixin, ScopedViewSet):
    """Sell-out per group of reporters (region, tier, type), product line and end-customer country, per month,
    quarter and year (`LineSellOut`): channel managers the groups of their regions, partners none (a group of
    partners is not theirs to read; their own sell-out KPIs are on their KPI rows)."""

    scope = SCOPE_VISIBLE
    queryset = LineSellOut.objects.all()
    serializer_class = LineSellOutSerializer
    filterset_class = LineSellOutFilterSet
    ordering_fields = ["id", "period_start"]
    ordering = ("period_start", "id")
