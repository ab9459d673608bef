"""Deal registrations over the API: the same services as the pages (deals/services.py), the same rules and errors."""

from __future__ import annotations

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import F, OuterRef, Subquery
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from accounts.models import User
from catalog.api.serializers import ProductResolver
from catalog.models import ProductLine
from core.api.bulk import BulkResponseSerializer, bulk_answer, bulk_request, run_each
from core.api.serializers import NoBodySerializer
from core.api.viewsets import UsedFiltersOnlyMixin, VisibleReadOnlyModelViewSet
from customers.api.serializers import customer_errors_nested, visible_customer_ids
from deals import services
from deals.filtersets import DealFilterSet
from deals.models import DealEvent, DealRegistration

from .serializers import (
    ROW_VALUES,
    ApproveSerializer,
    CloseSerializer,
    DealBulkSerializer,
    DealCreateSerializer,
    DealEventSerializer,
    DealSerializer,
    RejectSerializer,
    attach_page_related,
)


class DealApiFilterSet(UsedFiltersOnlyMixin, DealFilterSet):
    """The pages' filter set; the API orders with `ordering` (cursor pagination), so the pages' `sort` is left out."""

    # Same filter as the pages', typed for the schema (an id).
    product_line = extend_schema_field(OpenApiTypes.INT)(
        django_filters.ModelChoiceFilter(
            method="filter_product_line", queryset=ProductLine.objects.all(), label="Product line"
        )
    )


DealApiFilterSet.base_filters.pop("sort", None)

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
            {"product": line["product"], "quantity": line["quantity"], "unit_price": line["unit_price"]}
            for line in data["lines"]
        ],
        expected_close_date=data["expected_close_date"],
        deal_type=data["deal_type"],
        currency=data["currency"],
        notes=data["notes"],
        source="api",
        submit=data["submit"],
    )


def _username_of(field: str) -> Subquery:
    return Subquery(User.objects.filter(pk=OuterRef(field)).values("username")[:1])


class DealViewSet(VisibleReadOnlyModelViewSet):
    """Deal registrations you can see: your partner's (partners), your regions' or all (channel managers)."""

    # Related names are read as annotations (no extra model instances per row). The two user names are
    # scalar subqueries, not LEFT JOINs: with them as joins, PostgreSQL spent more time planning the page
    # query (5 tables to order) than running it.
    queryset = DealRegistration.objects.annotate(
        api_partner_name=F("partner__name"),
        api_customer_name=F("customer__name"),
        api_customer_domain=F("customer__domain"),
        api_customer_country=F("customer__country"),
        api_submitted_by=_username_of("submitted_by_id"),
        api_decided_by=_username_of("decided_by_id"),
    )
    serializer_class = DealSerializer
    filterset_class = DealApiFilterSet
    ordering_fields = ["id", "amount", "expected_close_date", "created_at"]
    ordering = ("-id",)
    lookup_value_regex = r"\d+"

    def paginate_queryset(self, queryset):
        """A page as plain rows (values()), not model instances: the serializer reads both alike."""
        page = super().paginate_queryset(queryset.values(*ROW_VALUES))
        return None if page is None else attach_page_related(page, user=self.request.user)

    def _show(self, deal: DealRegistration, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=deal.pk)
        return Response(self.get_serializer(fresh).data, status=code)

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
        return self._show(deal, status.HTTP_201_CREATED)

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

    def _act(self, request, service, body=NoBodySerializer, **fixed) -> Response:
        deal = self.get_object()
        serializer = body(data=request.data if request.data is not None else {})
        serializer.is_valid(raise_exception=True)
        service(deal=deal, user=request.user, **serializer.validated_data, **fixed)
        return self._show(deal)

    @extend_schema(request=None, responses={200: DealSerializer})
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Submit a draft (partner)."""
        return self._act(request, services.deal_submit)

    @extend_schema(request=ApproveSerializer, responses={200: DealSerializer})
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """Approve a submitted registration; protection starts (channel manager)."""
        return self._act(request, services.deal_approve, ApproveSerializer)

    @extend_schema(request=RejectSerializer, responses={200: DealSerializer})
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        """Reject a submitted registration with a reason the partner reads (channel manager)."""
        return self._act(request, services.deal_reject, RejectSerializer)

    @extend_schema(request=ApproveSerializer, responses={200: DealSerializer})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """Take back a draft, submitted or approved registration (partner)."""
        return self._act(request, services.deal_withdraw, ApproveSerializer)

    @extend_schema(request=ApproveSerializer, responses={200: DealSerializer})
    @action(detail=True, methods=["post"])
    def extend(self, request, pk=None):
        """Extend the protection of an approved registration, once (channel manager)."""
        return self._act(request, services.deal_extend, ApproveSerializer)

    @extend_schema(request=None, responses={200: DealSerializer})
    @action(detail=True, methods=["post"], url_path="request-extension")
    def request_extension(self, request, pk=None):
        """Ask the channel team for longer protection (partner)."""
        return self._act(request, services.deal_request_extension)

    @extend_schema(request=CloseSerializer, responses={200: DealSerializer})
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """Report the outcome of an approved registration: won, or lost with a reason (partner)."""
        return self._act(request, services.deal_close, CloseSerializer)
