"""Deal registrations over the API: the same services as the pages (deals/services.py), the same rules and errors."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from catalog.api.serializers import ProductResolver
from core.api.actions import ServiceAction, ServiceActionMixin
from core.api.bulk import BulkResponseSerializer, bulk_answer, bulk_request, run_each
from core.api.viewsets import SCOPE_PUBLIC, SCOPE_VISIBLE, ReadOnlyScopedViewSet
from customers.api.serializers import customer_errors_nested, visible_customer_ids
from deals import services
from deals.filtersets import DealApiFilterSet
from deals.models import DealEvent, DealLine, DealRegistration, LossReason

from . import fast
from .serializers import (
    ApproveSerializer,
    CloseSerializer,
    DealBulkSerializer,
    DealCreateSerializer,
    DealEventSerializer,
    DealSerializer,
    LossReasonSerializer,
    RejectSerializer,
)

MODE_PARAMETER = OpenApiParameter(
    "mode", str, enum=["all_or_nothing", "partial"], description="all_or_nothing (default) or partial."
)


def _register(user, data: dict) -> DealRegistration:
    try:
        return _create(user, data)
    except DjangoValidationError as exc:
        raise customer_errors_nested(exc) from exc


def _create(user, data: dict) -> DealRegistration:
    return services.deal_create(
        partner=user.partner,
        user=user,
        customer=data["customer"] if "customer" in data else data["customer_id"],
        lines=[
            {"product": line["product"], "quantity": line["quantity"], "unit_price": line.get("unit_price")}
            for line in data["lines"]
        ],
        expected_close_date=data["expected_close_date"],
        deal_type=data["deal_type"],
        currency=data["currency"],
        notes=data["notes"],
        source="api",
        submit=data["submit"],
    )


class DealViewSet(ServiceActionMixin, ReadOnlyScopedViewSet):
    """Deal registrations you can see: your partner's (partners), your regions' or all (channel managers)."""

    scope = SCOPE_VISIBLE
    service_object = "deal"
    queryset = fast.deal_queryset(DealRegistration.objects.all())
    serializer_class = DealSerializer
    filterset_class = DealApiFilterSet
    ordering_fields = ["id", "amount", "expected_close_date", "created_at"]
    ordering = ("-id",)
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        if self.action == "list":
            return super().get_queryset()
        lines = Prefetch("lines", queryset=DealLine.objects.select_related("product").order_by("pk"))
        related = ("partner", "customer", "submitted_by", "decided_by", "loss_reason")
        return super().get_queryset().select_related(*related).prefetch_related(lines, "conflict_links")

    def list(self, request, *args, **kwargs):
        """Deal registrations you can see: your partner's (partners), your regions' or all (channel managers)."""
        # The page is written by the fast path (deals/api/fast.py): what DealSerializer writes, from plain rows.
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(fast.deal_rows(queryset))
        return self.get_paginated_response(fast.deal_page(page, context=self.get_serializer_context()))

    def _require_partner_member(self) -> None:
        if not self.request.user.is_partner_member:
            raise PermissionDenied("Only partner users register deals (channel managers decide them).")

    @extend_schema(request=DealCreateSerializer, responses={201: DealSerializer})
    def create(self, request):
        """Register a deal for your partner (source `api`); it is submitted unless `submit` is false."""
        self._require_partner_member()
        serializer = DealCreateSerializer(
            data=request.data,
            context={
                "request": request,
                "products": ProductResolver.for_lines([request.data]),
                "visible_customer_ids": visible_customer_ids(user=request.user, items=[request.data]),
            },
        )
        serializer.is_valid(raise_exception=True)
        deal = _register(request.user, serializer.validated_data)
        return self.show(deal, status.HTTP_201_CREATED)

    @extend_schema(
        request=DealBulkSerializer,
        responses={200: BulkResponseSerializer},
        parameters=[MODE_PARAMETER],
    )
    @action(detail=False, methods=["post"])
    def bulk(self, request):
        """Register up to PRM_API_BULK_MAX_ITEMS deals; results per item (see the bulk rules in the docs)."""
        items, mode = bulk_request(request)
        self._require_partner_member()
        context = {
            "request": request,
            "products": ProductResolver.for_lines(items),
            "visible_customer_ids": visible_customer_ids(user=request.user, items=items),
        }

        def validate(item):
            serializer = DealCreateSerializer(data=item, context=context)
            serializer.is_valid(raise_exception=True)
            return serializer.validated_data

        results = run_each(items, mode, validate=validate, save=lambda data: _register(request.user, data))
        return bulk_answer(mode, results)

    @extend_schema(responses={200: DealEventSerializer(many=True)}, filters=False)
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def events(self, request, pk=None):
        """The registration's history: every status change and notable action, oldest first."""
        deal = self.get_object()
        events = DealEvent.objects.filter(deal=deal).select_related("actor").order_by("at", "pk")
        return Response(DealEventSerializer(events, many=True).data)

    submit = ServiceAction(services.deal_submit, doc="Submit a draft (partner).")
    approve = ServiceAction(
        services.deal_approve,
        body=ApproveSerializer,
        doc="Approve a submitted registration; protection starts (channel manager).",
    )
    reject = ServiceAction(
        services.deal_reject,
        body=RejectSerializer,
        doc="Reject a submitted registration with a reason the partner reads (channel manager).",
    )
    withdraw = ServiceAction(
        services.deal_withdraw,
        body=ApproveSerializer,
        doc="Take back a draft, submitted or approved registration (partner).",
    )
    extend = ServiceAction(
        services.deal_extend,
        body=ApproveSerializer,
        doc="Extend the protection of an approved registration, once (channel manager).",
    )
    request_extension = ServiceAction(
        services.deal_request_extension,
        url_path="request-extension",
        doc="Ask the channel team for longer protection (partner).",
    )
    close = ServiceAction(
        services.deal_close,
        body=CloseSerializer,
        doc="Report the outcome of an approved registration: won, or lost with a loss reason code (partner).",
    )


class LossReasonViewSet(ReadOnlyScopedViewSet):
    """The loss reasons a deal closed lost may give (`loss_reason` of the `close` action takes the code)."""

    scope = SCOPE_PUBLIC
    queryset = LossReason.objects.all()
    serializer_class = LossReasonSerializer
    ordering_fields = ["id", "code", "position"]
    ordering = ("position", "name")
    lookup_value_regex = r"\d+"
