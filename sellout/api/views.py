"""Sell-out lines over the API: read what you may see; report up to PRM_API_BULK_MAX_ITEMS lines at once."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response

from core.api.bulk import BulkResponseSerializer, bulk_answer, bulk_request
from core.api.viewsets import SCOPE_VISIBLE, ReadOnlyScopedViewSet
from integrations.idempotency import HEADER as IDEMPOTENCY_HEADER
from sellout.filtersets import SellOutLineFilterSet
from sellout.models import SellOutLine

from .ingest import sellout_ingest
from .serializers import SellOutBulkSerializer, SellOutLineSerializer

MODE_PARAMETER = OpenApiParameter(
    "mode", str, enum=["all_or_nothing", "partial"], description="all_or_nothing (default) or partial."
)


class SellOutLineViewSet(ReadOnlyScopedViewSet):
    """Sell-out lines: one per reporter, invoice number and invoice line (a distributor reads its resellers')."""

    scope = SCOPE_VISIBLE
    queryset = SellOutLine.objects.select_related("product").prefetch_related("serials")
    serializer_class = SellOutLineSerializer
    filterset_class = SellOutLineFilterSet
    ordering_fields = ["id", "date"]
    ordering = ("-id",)
    lookup_value_regex = r"\d+"

    @extend_schema(request=SellOutBulkSerializer, responses={200: BulkResponseSerializer}, parameters=[MODE_PARAMETER])
    def create(self, request) -> Response:
        """Report lines in bulk: `{"items": [...]}`; each upserts on (reporter, invoice number, invoice line).

        All or nothing by default (errors by item index and field); one import batch per reporter records the
        token and the `Idempotency-Key`.
        """
        items, mode = bulk_request(request)
        token = request.auth if getattr(request.auth, "pk", None) else None
        reference = (request.headers.get(IDEMPOTENCY_HEADER) or "").strip()
        results, totals = sellout_ingest(user=request.user, items=items, mode=mode, token=token, reference=reference)
        return bulk_answer(mode, results, **totals)
