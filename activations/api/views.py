"""Activations and usage over the API: vendor systems deliver them in bulk; everyone reads what they may see.

`POST /api/v1/activations/` and `POST /api/v1/usage/` take `{"items": [...]}` (core/api/bulk.py: errors by
item and field, all or nothing unless `?mode=partial`; an `Idempotency-Key` replays the first answer). Only
the channel team with no region limit may deliver (the vendor's systems report units of every partner and
unsold ones); partners and regional managers get 403. Each delivery is one `ingest.ImportBatch`.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from core.api.bulk import ALL_OR_NOTHING, BulkResponseSerializer, bulk_answer, bulk_request
from core.api.viewsets import SCOPE_VISIBLE, ReadOnlyScopedViewSet
from core.exceptions import ActionNotPermittedError
from ingest.models import ImportBatch
from ingest.services import import_batch_open

from ..filtersets import ActivationFilterSet, UsageRecordFilterSet
from ..models import Activation, UsageRecord
from ..services import activations_upsert, usage_upsert
from ..validation import Checked, activation_items_check, usage_items_check
from .serializers import ActivationBulkSerializer, ActivationSerializer, UsageBulkSerializer, UsageRecordSerializer

MODE_PARAMETER = OpenApiParameter(
    "mode", str, enum=["all_or_nothing", "partial"], description="all_or_nothing (default) or partial."
)
VENDOR_ONLY = (
    "Activations and usage are delivered by the vendor's systems with a token of the channel team "
    "(a manager with no region limit); this token may only read them."
)


def _require_vendor(user: Any) -> None:
    if not (user.is_superuser or (user.is_channel_manager and not user.region_ids)):
        raise ActionNotPermittedError(VENDOR_ONLY)


def _deliver(request: Request, *, kind: str, check, write) -> Response:
    """Check every item, then write the valid ones as one delivery (an ImportBatch); see the module."""
    _require_vendor(request.user)
    items, mode = bulk_request(request)
    checked: Checked = check(items, today=timezone.localdate())
    results: list[dict] = [
        {"index": i, "status": "invalid", "errors": checked.errors[i]}
        if i in checked.errors
        else {"index": i, "status": "pending"}
        for i in range(len(items))
    ]
    if (mode == ALL_OR_NOTHING and checked.errors) or not checked.rows:
        return bulk_answer(mode, results)
    order = sorted(checked.rows)
    token = request.auth if hasattr(request.auth, "read_only") else None
    with transaction.atomic():
        batch: ImportBatch = import_batch_open(
            kind=kind,
            channel=ImportBatch.Channel.API,
            user=request.user,
            token=token,
            reference=request.headers.get("Idempotency-Key", ""),
        )
        counts, ids = write(rows=[checked.rows[i] for i in order], batch=batch)
    for index, pk in zip(order, ids, strict=True):
        results[index] = {"index": index, "status": "saved", "id": pk}
    return bulk_answer(mode, results, **counts, batch=batch.pk)


class ActivationViewSet(ReadOnlyScopedViewSet):
    """Activations of units and subscriptions: seen through the partner that sold them."""

    scope = SCOPE_VISIBLE
    queryset = Activation.objects.select_related("product")
    serializer_class = ActivationSerializer
    filterset_class = ActivationFilterSet
    ordering_fields = ["id", "activated_on"]
    ordering = ("-id",)
    lookup_value_regex = r"\d+"

    @extend_schema(
        request=ActivationBulkSerializer, responses={200: BulkResponseSerializer}, parameters=[MODE_PARAMETER]
    )
    def create(self, request):
        """Deliver up to PRM_API_BULK_MAX_ITEMS activations; each upserts on (product, kind, identifier)."""
        return _deliver(request, kind="activations", check=activation_items_check, write=activations_upsert)


class UsageRecordViewSet(ReadOnlyScopedViewSet):
    """Usage per activation and month: seen as their activation is."""

    scope = SCOPE_VISIBLE
    queryset = UsageRecord.objects.all()
    serializer_class = UsageRecordSerializer
    filterset_class = UsageRecordFilterSet
    ordering_fields = ["id", "month"]
    ordering = ("-id",)
    lookup_value_regex = r"\d+"

    @extend_schema(request=UsageBulkSerializer, responses={200: BulkResponseSerializer}, parameters=[MODE_PARAMETER])
    def create(self, request):
        """Deliver up to PRM_API_BULK_MAX_ITEMS usage months; each upserts on (activation, month)."""
        return _deliver(request, kind="usage", check=usage_items_check, write=usage_upsert)
