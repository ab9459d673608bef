"""Inventory rows over the API: read what you may see, report stock one row at a time or 10,000 at once."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.bulk import ALL_OR_NOTHING, BulkResponseSerializer, bulk_answer, bulk_request
from core.api.viewsets import SCOPE_VISIBLE, ReadOnlyScopedViewSet
from inventory.filtersets import InventoryFilterSet
from inventory.models import InventoryReport

from .ingest import inventory_ingest, saved_row
from .serializers import InventoryBulkSerializer, InventoryRowInputSerializer, InventoryRowSerializer

MODE_PARAMETER = OpenApiParameter(
    "mode", str, enum=["all_or_nothing", "partial"], description="all_or_nothing (default) or partial."
)


class InventoryViewSet(ReadOnlyScopedViewSet):
    """Stock positions: one row per partner, product and date."""

    scope = SCOPE_VISIBLE
    queryset = InventoryReport.objects.select_related("product")
    serializer_class = InventoryRowSerializer
    filterset_class = InventoryFilterSet
    ordering_fields = ["id", "date"]
    ordering = ("-id",)
    lookup_value_regex = r"\d+"

    @extend_schema(
        request=InventoryRowInputSerializer,
        responses={201: InventoryRowSerializer, 200: InventoryRowSerializer},
    )
    def create(self, request):
        """Report one row (201 when new, 200 when it replaced the row of the same partner, product and date)."""
        item = request.data
        if not isinstance(item, dict):
            raise serializers.ValidationError({"non_field_errors": ["Expected an object."]})
        results, totals = inventory_ingest(user=request.user, items=[item], mode=ALL_OR_NOTHING)
        if results[0]["status"] == "invalid":
            raise serializers.ValidationError(results[0]["errors"])
        row = saved_row(user=request.user, item=item)
        existed = totals["updated"] > 0
        return Response(
            InventoryRowSerializer(row).data, status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED
        )

    @extend_schema(
        request=InventoryBulkSerializer, responses={200: BulkResponseSerializer}, parameters=[MODE_PARAMETER]
    )
    @action(detail=False, methods=["post"])
    def bulk(self, request):
        """Report up to PRM_API_BULK_MAX_ITEMS rows; each upserts on (partner, product, date)."""
        items, mode = bulk_request(request)
        results, totals = inventory_ingest(user=request.user, items=items, mode=mode)
        return bulk_answer(mode, results, **totals)
