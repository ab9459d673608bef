"""Exchange rates over the API: every signed-in user reads them (reference data); the channel team writes."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.bulk import ALL_OR_NOTHING, BulkResponseSerializer, bulk_answer, bulk_request
from core.api.viewsets import SCOPE_VISIBLE, ReadOnlyScopedViewSet
from currencies.filtersets import ExchangeRateFilterSet
from currencies.models import ExchangeRate
from currencies.validation import rates_validate_rows

from .ingest import rates_ingest
from .serializers import ExchangeRateBulkSerializer, ExchangeRateInputSerializer, ExchangeRateSerializer

MODE_PARAMETER = OpenApiParameter(
    "mode", str, enum=["all_or_nothing", "partial"], description="all_or_nothing (default) or partial."
)


class ExchangeRateViewSet(ReadOnlyScopedViewSet):
    """Rates: units of the reporting currency for one unit of a currency, per day or month."""

    scope = SCOPE_VISIBLE
    queryset = ExchangeRate.objects.all()
    serializer_class = ExchangeRateSerializer
    filterset_class = ExchangeRateFilterSet
    ordering_fields = ["id", "date", "currency"]
    ordering = ("currency", "-date", "granularity")
    lookup_value_regex = r"\d+"

    @extend_schema(
        request=ExchangeRateInputSerializer, responses={201: ExchangeRateSerializer, 200: ExchangeRateSerializer}
    )
    def create(self, request):
        """Record one rate (201 when new, 200 when it replaced the rate of the same currency, granularity and
        date). Channel managers only."""
        item = request.data
        if not isinstance(item, dict):
            raise serializers.ValidationError({"non_field_errors": ["Expected an object."]})
        results, totals = rates_ingest(user=request.user, items=[item], mode=ALL_OR_NOTHING)
        if results[0]["status"] == "invalid":
            raise serializers.ValidationError(results[0]["errors"])
        clean = rates_validate_rows([(0, item)]).valid[0]
        row = ExchangeRate.objects.get(currency=clean["currency"], granularity=clean["granularity"], date=clean["date"])
        created = totals["created"] > 0
        return Response(
            ExchangeRateSerializer(row).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )

    @extend_schema(
        request=ExchangeRateBulkSerializer, responses={200: BulkResponseSerializer}, parameters=[MODE_PARAMETER]
    )
    @action(detail=False, methods=["post"])
    def bulk(self, request):
        """Record up to PRM_API_BULK_MAX_ITEMS rates; each upserts on (currency, granularity, date)."""
        items, mode = bulk_request(request)
        results, totals = rates_ingest(user=request.user, items=items, mode=mode)
        return bulk_answer(mode, results, **totals)
